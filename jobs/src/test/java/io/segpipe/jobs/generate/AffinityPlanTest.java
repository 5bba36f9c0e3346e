package io.segpipe.jobs.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** --affinity without Spark: its parsing, its exact expectations, and the baskets it plants. */
class AffinityPlanTest {
  private static final int HOME = Arrays.asList(Catalog.CATEGORIES).indexOf("home");
  private static final int GARDEN = Arrays.asList(Catalog.CATEGORIES).indexOf("garden");

  private static void assertRefused(String value, String... parts) {
    UserError e = assertThrows(UserError.class, () -> AffinityPlan.parse(value), value);
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), e.getMessage() + " should contain: " + part);
    }
  }

  @Test
  void parsesPlantingsAndRefusesWhatItCannotPlant() {
    List<AffinityPlan> plans =
        AffinityPlan.parse("loyal_high_spender:home+garden:1.8, bargain_hunter:beauty+toys:2");
    assertEquals(2, plans.size());
    assertEquals(Archetype.LOYAL_HIGH_SPENDER, plans.get(0).archetype());
    assertEquals("home", plans.get(0).antecedent());
    assertEquals("garden", plans.get(0).consequent());
    assertEquals(1.8, plans.get(0).lift());
    assertEquals(Archetype.BARGAIN_HUNTER, plans.get(1).archetype());
    assertEquals("toys", plans.get(1).consequent());

    assertRefused(
        "loyal:home+garden:1.8",
        "unknown archetype 'loyal'",
        "loyal_high_spender, bargain_hunter, one_time_buyer, lapsing_regular, store_only,"
            + " new_signup");
    assertRefused(
        "loyal_high_spender:house+garden:1.8",
        "unknown category 'house'",
        String.join(", ", Catalog.CATEGORIES));
    assertRefused("loyal_high_spender:home+home:1.8", "must differ", "home twice");
    assertRefused("loyal_high_spender:home+garden:lots", "lift must be a number above 0", "'lots'");
    assertRefused("loyal_high_spender:home+garden:0", "lift must be a number above 0");
    assertRefused("loyal_high_spender:home+garden:NaN", "lift must be a number above 0");
    assertRefused("loyal_high_spender:home:1.8", "must be ARCHETYPE:CATEGORY_A+CATEGORY_B:LIFT");
    assertRefused("loyal_high_spender:home+garden:1.8,", "must be ARCHETYPE:CATEGORY_A+CATEGORY_B");
    assertRefused(
        "loyal_high_spender:home+garden:1.8,loyal_high_spender:books+toys:1.5",
        "plants loyal_high_spender twice");
    assertRefused(
        "loyal_high_spender:home+garden:2.5", "cannot be planted", "0.816", "at most 2.138");
    assertRefused("bargain_hunter:home+garden:0.2", "without planting", "0.426", "3.817");
    // Archetypes without an order rate still have baskets.
    assertEquals(1, AffinityPlan.parse("one_time_buyer:books+toys:1.5").size());
  }

  private static GenerateSettings settings(String... args) {
    return GenerateSettings.parse(JobArguments.parse("generate", args, GenerateSettings.OPTIONS));
  }

  /** The option: none by default, the plantings when given, refused with --model btyd. */
  @Test
  void theOptionReachesTheSpec() {
    assertEquals(List.of(), settings("--output", "x", "--customers", "10").spec().affinities());
    GenerationSpec spec =
        settings(
                "--output",
                "x",
                "--customers",
                "10",
                "--affinity",
                "loyal_high_spender:home+garden:1.8,store_only:books+toys:1.5")
            .spec();
    assertEquals(2, spec.affinities().size());
    assertEquals("garden", spec.affinity(Archetype.LOYAL_HIGH_SPENDER).consequent());
    assertEquals("toys", spec.affinity(Archetype.STORE_ONLY).consequent());
    assertEquals(null, spec.affinity(Archetype.BARGAIN_HUNTER));
    UserError btyd =
        assertThrows(
            UserError.class,
            () ->
                settings(
                    "--output",
                    "x",
                    "--model",
                    "btyd",
                    "--affinity",
                    "loyal_high_spender:home+garden:1.8"));
    assertTrue(
        btyd.getMessage().contains("--affinity goes with the archetypes model"), btyd.getMessage());
  }

  /** --help tells of the option and its truth; the truth row fits its schema. */
  @Test
  void helpAndTruth() {
    PrintStream out = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      code = new GenerateJob().execute(new String[] {"--help"});
    } finally {
      System.setOut(out);
    }
    String help = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, code);
    assertTrue(help.contains("--affinity SPEC") && help.contains("affinity_truth/"), help);

    AffinityPlan plan = AffinityPlan.parse("loyal_high_spender:home+garden:1.8").get(0);
    Row row = plan.truthRow();
    assertEquals(ExportShape.AFFINITY_TRUTH.size(), row.length());
    assertEquals(
        List.of("loyal_high_spender", "home", "garden"),
        List.of(row.getString(0), row.getString(1), row.getString(2)));
    assertEquals(1.8, row.getDouble(3));
    assertEquals(plan.addProbability(), row.getDouble(4));
    assertEquals(plan.baselineLift(), row.getDouble(5));
    assertEquals(1.8, row.getDouble(8) / (row.getDouble(6) * row.getDouble(7)), 1e-9);
  }

  /** The figures an independent check of the formula gave (Python, same enumeration). */
  @Test
  void exactExpectationsMatchTheFormula() {
    AffinityPlan loyal = AffinityPlan.of(Archetype.LOYAL_HIGH_SPENDER, HOME, GARDEN, 1.8);
    AffinityPlan.Supports base = AffinityPlan.baseline(Archetype.LOYAL_HIGH_SPENDER, HOME, GARDEN);
    assertEquals(0.262, base.a(), 0.0005);
    assertEquals(base.a(), base.b(), 1e-12, "the categories are alike");
    assertEquals(0.0559, base.ab(), 0.00005);
    assertEquals(0.816, loyal.baselineLift(), 0.0005);
    assertEquals(2.138, loyal.maxLift(), 0.0005);
    assertEquals(0.62, loyal.addProbability(), 0.005);
    AffinityPlan.Supports planted = loyal.expected();
    assertEquals(1.8, planted.lift(), 1e-9, "the planted expectations give the asked lift");
    assertEquals(base.a(), planted.a(), 0);
    AffinityPlan bargain = AffinityPlan.of(Archetype.BARGAIN_HUNTER, HOME, GARDEN, 1.0);
    assertEquals(0.426, bargain.baselineLift(), 0.0005);
    assertEquals(3.817, bargain.maxLift(), 0.0005);
    // The ends of the reachable range are r = 0 and r = 1.
    assertEquals(
        0,
        AffinityPlan.of(Archetype.BARGAIN_HUNTER, HOME, GARDEN, bargain.baselineLift())
            .addProbability());
    assertEquals(
        1,
        AffinityPlan.of(Archetype.BARGAIN_HUNTER, HOME, GARDEN, bargain.maxLift())
            .addProbability());
  }

  /**
   * The exact expectations against a Monte Carlo of independent baskets: each with the favourite
   * categories of a generated customer (CustomerPlan's own draw), a line count and lines drawn by
   * the rule CustomerActivity follows, then planted with the plan's probability.
   */
  @Test
  void exactExpectationsAgreeWithASimulation() {
    for (Archetype archetype : List.of(Archetype.LOYAL_HIGH_SPENDER, Archetype.BARGAIN_HUNTER)) {
      AffinityPlan plan = AffinityPlan.of(archetype, HOME, GARDEN, 1.8);
      AffinityPlan.Supports base = AffinityPlan.baseline(archetype, HOME, GARDEN);
      Archetype.Behaviour behaviour = archetype.behaviour();
      GenerationSpec spec =
          new GenerationSpec(
              11, LocalDate.parse("2023-01-01"), LocalDate.parse("2024-12-31"), 0, 0, 1);
      SplittableRandom rng = new SplittableRandom(archetype.ordinal() + 1);
      int n = 300_000;
      long[] before = new long[3];
      long[] after = new long[3];
      for (int i = 0; i < n; i++) {
        int[] favourites = CustomerPlan.of(spec, i).favouriteCategories();
        int lines = Draw.between(rng, behaviour.minLines(), behaviour.maxLines());
        boolean a = false;
        boolean b = false;
        for (int l = 0; l < lines; l++) {
          int category =
              Draw.chance(rng, behaviour.exploreShare())
                  ? rng.nextInt(Catalog.CATEGORIES.length)
                  : favourites[Draw.weighted(rng, CustomerActivity.FAVOURITE_WEIGHTS)];
          a |= category == HOME;
          b |= category == GARDEN;
        }
        before[0] += a ? 1 : 0;
        before[1] += b ? 1 : 0;
        before[2] += a && b ? 1 : 0;
        if (a && !b && Draw.chance(rng, plan.addProbability())) {
          b = true;
        }
        after[0] += a ? 1 : 0;
        after[1] += b ? 1 : 0;
        after[2] += a && b ? 1 : 0;
      }
      String what = archetype.label();
      assertClose(base.a(), before[0], n, what + " P(A)");
      assertClose(base.b(), before[1], n, what + " P(B)");
      assertClose(base.ab(), before[2], n, what + " P(A and B)");
      assertClose(plan.expected().a(), after[0], n, what + " planted P(A)");
      assertClose(plan.expected().b(), after[1], n, what + " planted P(B)");
      assertClose(plan.expected().ab(), after[2], n, what + " planted P(A and B)");
      double lift = (double) after[2] * n / ((double) after[0] * after[1]);
      assertEquals(1.8, lift, 0.05, what + " planted lift");
    }
  }

  private static final GenerationSpec SPEC =
      new GenerationSpec(
          7, LocalDate.parse("2023-01-01"), LocalDate.parse("2024-12-31"), 0.05, 0, 1);

  /** Baskets of one archetype: how many, and how many hold A, B, both. */
  private static final class Baskets {
    long orders;
    long a;
    long b;
    long ab;

    double lift() {
      return (double) ab * orders / ((double) a * b);
    }
  }

  /**
   * The generator itself, without Spark: customers generated with home+garden planted at lift 1.8
   * in loyal_high_spender. Their orders' category sets show that lift there, and the pair stays
   * unremarkable in every other archetype.
   */
  @Test
  void generatedBasketsShowThePlantedLiftInThePlantedArchetypeOnly() {
    GenerationSpec planted =
        SPEC.withAffinities(AffinityPlan.parse("loyal_high_spender:home+garden:1.8"));
    Map<Archetype, Baskets> byArchetype = new EnumMap<>(Archetype.class);
    for (int i = 0; i < 10_000; i++) {
      Archetype archetype = CustomerPlan.of(planted, i).archetype();
      Map<String, Set<String>> orders = new HashMap<>();
      for (Row r : CustomerActivity.generate(planted, i).rows()) {
        if ("purchase".equals(r.getString(ExportShape.EVENT_TYPE))) {
          orders
              .computeIfAbsent(r.getString(ExportShape.ORDER_ID), o -> new HashSet<>())
              .add(r.getString(ExportShape.CATEGORY));
        }
      }
      Baskets baskets = byArchetype.computeIfAbsent(archetype, k -> new Baskets());
      for (Set<String> basket : orders.values()) {
        boolean a = basket.contains("home");
        boolean b = basket.contains("garden");
        baskets.orders++;
        baskets.a += a ? 1 : 0;
        baskets.b += b ? 1 : 0;
        baskets.ab += a && b ? 1 : 0;
      }
    }
    Baskets loyal = byArchetype.get(Archetype.LOYAL_HIGH_SPENDER);
    assertTrue(loyal.ab >= 1000, "baskets with home and garden: " + loyal.ab);
    assertEquals(1.8, loyal.lift(), 0.18, "lift of home+garden in loyal_high_spender");
    for (Archetype other : Archetype.values()) {
      if (other != Archetype.LOYAL_HIGH_SPENDER) {
        Baskets baskets = byArchetype.get(other);
        assertTrue(baskets.orders > 1000, other.label() + " orders: " + baskets.orders);
        assertTrue(baskets.lift() < 1.2, other.label() + ": lift of home+garden " + baskets.lift());
      }
    }
  }

  /**
   * Planting only adds rows: a customer of another archetype has exactly the rows it has without
   * it, and one of the planted archetype the same rows plus the added lines' views, carts,
   * purchases and returns, all of the consequent, with ids of their own. With --dirty-share and a
   * campaign too, whose damage and orders must not move either.
   */
  @Test
  void plantingAddsTheLinesAndChangesNothingElse() {
    GenerationSpec plain =
        new GenerationSpec(
                42, LocalDate.parse("2023-01-01"), LocalDate.parse("2024-12-31"), 0.05, 0.01, 1)
            .withCampaigns(
                List.of(
                    new PlantedCampaign(
                        "x",
                        LocalDate.parse("2024-11-30").toEpochDay(),
                        LocalDate.parse("2024-12-01").toEpochDay(),
                        LocalDate.parse("2024-12-30").toEpochDay(),
                        0.3,
                        0.6)));
    GenerationSpec planted =
        plain.withAffinities(AffinityPlan.parse("loyal_high_spender:home+garden:1.8"));
    long added = 0;
    Set<String> addedTypes = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      EventWriter before = CustomerActivity.generate(plain, i);
      EventWriter after = CustomerActivity.generate(planted, i);
      assertEquals(before.truth(), after.truth(), "campaign truth of customer " + i);
      if (CustomerPlan.of(plain, i).archetype() != Archetype.LOYAL_HIGH_SPENDER) {
        assertEquals(before.rows(), after.rows(), "rows of customer " + i);
        continue;
      }
      List<Row> kept = new ArrayList<>();
      for (Row r : after.rows()) {
        if (r.getString(ExportShape.EVENT_ID).matches("e" + i + "-a[0-9]+")) {
          added++;
          addedTypes.add(r.getString(ExportShape.EVENT_TYPE));
          assertEquals("garden", r.getString(ExportShape.CATEGORY), r.toString());
        } else {
          kept.add(r);
        }
      }
      assertEquals(before.rows(), kept, "rows of loyal customer " + i + " besides the added");
    }
    assertTrue(added > 400, "rows added: " + added);
    assertTrue(
        addedTypes.containsAll(List.of("view", "add_to_cart", "purchase", "return")),
        addedTypes.toString());
  }

  /** Within four standard errors of a share of n independent draws. */
  private static void assertClose(double expected, long hits, int n, String what) {
    double measured = (double) hits / n;
    double se = Math.sqrt(expected * (1 - expected) / n);
    assertTrue(
        Math.abs(measured - expected) < 4 * se,
        String.format("%s: exact %.5f, simulated %.5f (se %.5f)", what, expected, measured, se));
  }
}
