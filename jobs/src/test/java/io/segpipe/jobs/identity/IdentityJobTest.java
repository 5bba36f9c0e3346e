package io.segpipe.jobs.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.test.JobRun;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.jobs.features.FeaturesJob;
import io.segpipe.jobs.forget.ForgetJob;
import io.segpipe.jobs.ingest.IngestJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest with identifiers, the identity job and the jobs after it per profile, on a small shop
 * whose people are planted: Ann with a web and a store account linked by her email, Carol whose two
 * accounts only link on the second day, a guest known by an email, a store tablet seen with many
 * customers, a blocked placeholder and a malformed email.
 */
@ExtendWith(SharedSpark.class)
class IdentityJobTest {
  private static final String KEY = "identity-test-key-0123456789abcdef";
  private static final UnaryOperator<String> ENV =
      name -> name.equals("SEGPIPE_IDENTITY_KEY") ? KEY : System.getenv(name);
  private static final String HEADER = "id,ts,cust,channel,type,order,amount,email,device,card";

  @TempDir Path dir;

  private String lake() {
    return dir.resolve("lake").toString();
  }

  private Path mapping() throws IOException {
    Path file = dir.resolve("shop.conf");
    Files.writeString(
        file,
        """
        name = shop
        format = csv
        options { header = "true" }
        event-id = "id"
        columns {
          event_ts = "ts", customer_id = "cust", channel = "channel", event_type = "type",
          order_id = "order", product_id = null, category = "'home'", quantity = "1",
          amount = "amount", currency = "'GBP'", store_id = null, rating = null
        }
        identifiers { email = "email", device_id = "device", loyalty_id = "card" }
        """);
    return file;
  }

  private String[] conf(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--conf", "segpipe.lake.root=" + lake(),
            "--conf", "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\"",
            "--conf", "segpipe.identity.enabled=true",
            "--conf", "segpipe.identity.max-links=10",
            "--conf", "segpipe.features.incremental-min-customers=0"));
    return all.toArray(String[]::new);
  }

  private int ingest(Path source, Path customers) throws IOException {
    List<String> args =
        new ArrayList<>(List.of("--source", source.toString(), "--mapping", mapping().toString()));
    if (customers != null) {
      args.addAll(List.of("--customers", customers.toString()));
    }
    return new IngestJob(ENV).execute(conf(args.toArray(String[]::new)));
  }

  private int identity(String asOf, String truth) {
    return new IdentityJob(ENV).execute(conf("--as-of", asOf, "--truth", truth));
  }

  /** The details of the latest run of {@code job}. */
  private Map<String, String> details(SparkSession spark, String job) {
    Row run =
        table(spark, "run_metrics")
            .where(functions.col("job").equalTo(job))
            .orderBy(functions.desc("started_at"))
            .first();
    return run.getJavaMap(run.fieldIndex("details"));
  }

  /**
   * A ground truth in the generator's shape: Ann's six identifiers, Carol's five and the tablet
   * (nobody's), values in their normal form.
   */
  private String truth(SparkSession spark) {
    String path = dir.resolve("identity_truth").toString();
    spark
        .sql(
            "SELECT * FROM VALUES ('customer_id', 'W1', 'ann'), ('customer_id', 'S1', 'ann'),"
                + " ('email', 'ann@example.com', 'ann'), ('device_id', 'd-ann', 'ann'),"
                + " ('loyalty_id', 'LC123', 'ann'), ('phone', '+447700900123', 'ann'),"
                + " ('customer_id', 'W3', 'carol'), ('customer_id', 'S3', 'carol'),"
                + " ('email', 'carol@x.com', 'carol'), ('device_id', 'd-carol', 'carol'),"
                + " ('loyalty_id', 'LC333', 'carol'), ('device_id', 'TABLET-1', NULL)"
                + " AS t(id_type, value, person_id)")
        .write()
        .parquet(path);
    return path;
  }

  /** customer_features as of 2024-07-31, as sorted JSON lines (equal lists: the same bits). */
  private List<String> julyFeatures(SparkSession spark) {
    return table(spark, "customer_features")
        .where("as_of_date = DATE'2024-07-31'")
        .toJSON()
        .collectAsList()
        .stream()
        .sorted()
        .toList();
  }

  private Dataset<Row> table(SparkSession spark, String name) {
    return spark.read().format("delta").load(lake() + "/" + name);
  }

  /** Day 1 (June 2024): the planted people and traps. */
  private static List<String> dayOne() {
    List<String> rows = new ArrayList<>();
    rows.add(HEADER);
    // Ann: web account W1 (first seen, so her key), store account S1 linked by her e-receipt email
    rows.add("a1,2024-06-01 09:00:00,W1,web,purchase,oa1,20.00, Ann@Example.com ,d-ann,");
    rows.add("a2,2024-06-05 10:00:00,S1,store,purchase,oa2,30.00,ann@example.com,,lc123");
    rows.add("a3,2024-06-09 11:00:00,S1,store,purchase,oa3,15.00,,TABLET-1,LC123");
    // Bob: web W2; a blocked placeholder email on one order
    rows.add("b1,2024-06-02 09:00:00,W2,web,purchase,ob1,40.00,bob@x.com,d-bob,");
    rows.add("b2,2024-06-03 09:00:00,W2,web,purchase,ob2,10.00,noreply@example.com,d-bob,");
    // Carol: web W3 and store S3, not linked yet
    rows.add("c1,2024-06-04 09:00:00,W3,web,purchase,oc1,25.00,carol@x.com,d-carol,");
    rows.add("c2,2024-06-06 09:00:00,S3,store,purchase,oc2,35.00,,,lc333");
    // a guest known only by an email, twice
    rows.add("g1,2024-06-07 09:00:00,,web,purchase,og1,12.00,guest@x.com,,");
    rows.add("g2,2024-06-20 09:00:00,,web,purchase,og2,8.00,GUEST@x.com,,");
    // the shop's tablet, seen with twelve store customers
    for (int i = 0; i < 12; i++) {
      rows.add(
          String.format(
              "t%d,2024-06-1%d 12:00:00,T%d,store,purchase,ot%d,5.00,,TABLET-1,", i, i % 10, i, i));
    }
    // a malformed email: the row is quarantined with the reason
    rows.add("x1,2024-06-08 09:00:00,W9,web,purchase,ox1,9.00,not an email,d-x,");
    return rows;
  }

  private static String sha256(String text) throws NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String hmac(String text) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** The key an independent computation gives a profile whose earliest identifier is this. */
  private static String keyOf(String type, String identifier) throws NoSuchAlgorithmException {
    return "p-" + sha256(type + ":" + identifier).substring(0, 20);
  }

  private static Map<String, String> keys(Dataset<Row> map) {
    Map<String, String> keys = new TreeMap<>();
    map.collectAsList()
        .forEach(
            r ->
                keys.put(
                    r.getAs("id_type") + ":" + r.getAs("identifier"), r.getAs("customer_key")));
    return keys;
  }

  @Test
  void stitchesPlantedPeopleKeepsKeysAndWorksPerProfileDownstream(SparkSession spark)
      throws Exception {
    Path source = dir.resolve("day1");
    Files.createDirectories(source);
    Files.write(source.resolve("events.csv"), dayOne());
    Path customers = dir.resolve("customers");
    spark
        .sql(
            "SELECT * FROM VALUES ('W1', DATE'2024-01-01', true, 'Ann@example.com', '07700 900123'),"
                + " ('S1', DATE'2024-03-01', false, NULL, '+44 7700 900123'),"
                + " ('W2', DATE'2024-02-01', true, NULL, NULL),"
                + " ('W3', DATE'2024-02-01', true, NULL, NULL),"
                + " ('S3', DATE'2024-06-06', true, NULL, NULL)"
                + " AS t(customer_id, signup_date, marketing_opt_in, email, phone)")
        .write()
        .parquet(customers.toString());
    assertEquals(0, ingest(source, customers));

    // ingest: identifiers normalised and hashed; the malformed email quarantined with the reason
    Dataset<Row> events = table(spark, "events");
    Row a1 = events.where("event_id = 'a1'").first();
    Map<String, String> ids = a1.getJavaMap(a1.fieldIndex("identifiers"));
    assertEquals(Map.of("email", hmac("email:ann@example.com"), "device_id", "d-ann"), ids);
    assertEquals(
        "LC123",
        events
            .where("event_id = 'a2'")
            .first()
            .<scala.collection.Map<String, String>>getAs("identifiers")
            .apply("loyalty_id"));
    String guest = "a-" + sha256("email:" + hmac("email:guest@x.com")).substring(0, 20);
    assertEquals(
        List.of(guest, guest),
        events
            .where("event_id IN ('g1', 'g2')")
            .select("customer_id")
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList());
    Row bad = table(spark, "events_quarantine").where("event_id = 'x1'").first();
    assertTrue(
        bad.getList(bad.fieldIndex("reasons"))
            .contains(
                "email: 'not an email' is not an email address (one @, a domain with a dot, no"
                    + " spaces)"),
        bad.toString());
    assertEquals(0, events.where("event_id = 'x1'").count());
    // the phone on the customers records, in two forms, is one identifier
    Dataset<Row> customerRows = table(spark, "customers");
    assertEquals(
        hmac("phone:+447700900123"),
        customerRows
            .where("customer_id = 'S1'")
            .first()
            .<scala.collection.Map<String, String>>getAs("identifiers")
            .apply("phone"));

    String truth = truth(spark);
    assertEquals(0, identity("2024-06-30", truth));
    // Ann's 15 pairs are one profile; Carol's accounts are not linked yet: of her 10 pairs, the 3
    // of her web group and the 1 of her store group: recall (15 + 4) / (15 + 10)
    Map<String, String> juneRun = details(spark, "identity");
    assertEquals("1.000000", juneRun.get("truth_precision"));
    assertEquals("0.760000", juneRun.get("truth_recall"));
    assertEquals("11", juneRun.get("truth_identifiers"));
    assertEquals("0", juneRun.get("truth_shared_linked"));
    Map<String, String> june = keys(table(spark, "identity_map"));
    String ann = keyOf("customer_id", "W1");
    for (String id :
        List.of(
            "customer_id:W1",
            "customer_id:S1",
            "email:" + hmac("email:ann@example.com"),
            "device_id:d-ann",
            "loyalty_id:LC123",
            "phone:" + hmac("phone:+447700900123"))) {
      assertEquals(ann, june.get(id), id);
    }
    String bob = keyOf("customer_id", "W2");
    assertEquals(bob, june.get("customer_id:W2"));
    assertEquals(keyOf("customer_id", "W3"), june.get("customer_id:W3"));
    assertEquals(keyOf("customer_id", "S3"), june.get("customer_id:S3"), "Carol not linked yet");
    assertEquals(june.get("customer_id:" + guest), june.get("email:" + hmac("email:guest@x.com")));
    // the traps link nobody
    Map<String, String> quarantined = new TreeMap<>();
    table(spark, "identity_quarantine")
        .collectAsList()
        .forEach(
            r ->
                quarantined.put(
                    r.getAs("id_type") + ":" + r.getAs("identifier"), r.getAs("reason")));
    assertTrue(
        quarantined.get("device_id:TABLET-1").startsWith("seen with 14 other identifiers"),
        quarantined.toString());
    assertEquals(
        "blocked by segpipe.identity.blocked: links nobody",
        quarantined.get("email:" + hmac("email:noreply@example.com")));
    assertFalse(june.containsKey("device_id:TABLET-1"));
    for (int i = 0; i < 12; i++) {
      assertEquals(keyOf("customer_id", "T" + i), june.get("customer_id:T" + i), "T" + i);
    }

    // features per profile: Ann's two accounts are one customer with both accounts' orders
    assertEquals(0, new FeaturesJob().execute(conf("--as-of", "2024-06-30")));
    Dataset<Row> features = table(spark, "customer_features");
    assertEquals(0, features.where("customer_id IN ('W1', 'S1', 'W2')").count());
    Row annRow = features.where(functions.col("customer_id").equalTo(ann)).first();
    assertEquals(3L, annRow.<Long>getAs("frequency"));
    assertEquals(new java.math.BigDecimal("65.00"), annRow.getAs("monetary"));
    assertEquals(
        june.values().stream().distinct().count(),
        features.count(),
        "one row per profile (every profile here has a customer id)");
    // consent: a profile consents only if every linked record does (S1 says false)
    Dataset<Row> perProfile =
        io.segpipe.identity.Profiles.customers(
            customerRows.drop("identifiers"),
            java.util.Optional.of(
                table(spark, "identity_map")
                    .where("id_type = 'customer_id'")
                    .select(
                        functions.col("identifier").as("customer_id"),
                        functions.col("customer_key"))));
    assertEquals(
        false,
        perProfile
            .where(functions.col("customer_id").equalTo(ann))
            .first()
            .getAs("marketing_opt_in"));
    assertEquals(
        true,
        perProfile
            .where(functions.col("customer_id").equalTo(bob))
            .first()
            .getAs("marketing_opt_in"));
    assertEquals(
        java.sql.Date.valueOf("2024-01-01"),
        perProfile.where(functions.col("customer_id").equalTo(ann)).first().getAs("signup_date"));

    // a new day: Carol's store purchase carries her email, merging her accounts; the earliest wins
    Path day2 = dir.resolve("day2");
    Files.createDirectories(day2);
    Files.write(
        day2.resolve("events.csv"),
        List.of(
            HEADER,
            "c3,2024-07-02 09:00:00,S3,store,purchase,oc3,15.00,carol@x.com,,lc333",
            "n1,2024-07-03 09:00:00,W7,web,purchase,on1,15.00,new@x.com,d-new,"));
    assertEquals(0, ingest(day2, null));
    assertEquals(0, identity("2024-07-31", truth));
    assertEquals("1.000000", details(spark, "identity").get("truth_recall"));
    Dataset<Row> july = table(spark, "identity_map").where("as_of_date = DATE'2024-07-31'");
    Map<String, String> julyKeys = keys(july);
    assertEquals(keyOf("customer_id", "W3"), julyKeys.get("customer_id:S3"));
    assertEquals(ann, julyKeys.get("customer_id:S1"), "Ann's key survives the new day");
    List<Row> changes =
        table(spark, "identity_changes").orderBy("id_type", "identifier").collectAsList();
    assertEquals(2, changes.size(), changes.toString());
    for (Row c : changes) {
      assertEquals(keyOf("customer_id", "S3"), c.getAs("old_key"));
      assertEquals(keyOf("customer_id", "W3"), c.getAs("new_key"));
      assertEquals("merged with another profile: the earliest key wins", c.getAs("reason"));
    }
    assertEquals(
        List.of("customer_id", "loyalty_id"),
        changes.stream().map(r -> r.<String>getAs("id_type")).toList());
    // every key but Carol's store one is unchanged; the run says so
    long before = june.values().stream().distinct().count();
    Map<String, String> details = details(spark, "identity");
    assertEquals(Long.toString(before), details.get("keys_before"));
    assertEquals(Long.toString(before - 1), details.get("keys_unchanged"));
    assertNotEquals(julyKeys.get("customer_id:W7"), ann);

    // features carried from June's snapshot, per profile: Carol's store profile (no event since
    // June under its own key) is computed again and gone, merged into her web profile; the carried
    // snapshot equals the one computed whole
    assertEquals(0, new FeaturesJob().execute(conf("--as-of", "2024-07-31")));
    Map<String, String> carriedRun = details(spark, "features");
    assertTrue(
        carriedRun.get("snapshot").startsWith("carried from the 2024-06-30 snapshot"),
        carriedRun.toString());
    long computed = Long.parseLong(carriedRun.get("snapshot.computed"));
    List<String> carried = julyFeatures(spark);
    assertTrue(computed >= 3 && computed < carried.size(), computed + " of " + carried.size());
    assertEquals(
        0,
        table(spark, "customer_features")
            .where("as_of_date = DATE'2024-07-31'")
            .where(functions.col("customer_id").equalTo(keyOf("customer_id", "S3")))
            .count(),
        "Carol's store profile is merged away");
    assertEquals(
        0,
        new FeaturesJob()
            .execute(
                conf("--as-of", "2024-07-31", "--conf", "segpipe.features.incremental=false")));
    assertEquals(
        "every customer computed (segpipe.features.incremental = false)",
        details(spark, "features").get("snapshot"));
    assertEquals(julyFeatures(spark), carried, "carried per profile = computed whole");

    // forgetting one of Ann's accounts forgets the person: both accounts' events, every
    // identifier of her profile, her profile's features
    Path forget = dir.resolve("forget.txt");
    Files.writeString(forget, "S1\n");
    UnaryOperator<String> erasureKey =
        name -> name.equals("SEGPIPE_ERASURE_KEY") ? "erasure-key" : ENV.apply(name);
    assertEquals(0, new ForgetJob(erasureKey).execute(conf("--customers", forget.toString())));
    assertEquals(0, table(spark, "events").where("customer_id IN ('W1', 'S1')").count());
    assertEquals(
        0, table(spark, "identity_map").where(functions.col("customer_key").equalTo(ann)).count());
    assertEquals(
        0,
        table(spark, "customer_features").where(functions.col("customer_id").equalTo(ann)).count());
    assertEquals(0, table(spark, "customers").where("customer_id IN ('W1', 'S1')").count());
    assertEquals(
        2L,
        table(spark, "identity_map")
            .where("id_type = 'customer_id' AND identifier IN ('W2', 'W3')")
            .where("as_of_date = DATE'2024-07-31'")
            .count(),
        "other people stay");
  }

  @Test
  void anUndeclaredIdentifierTypeIsAClearError() throws IOException {
    Path file = dir.resolve("bad.conf");
    Files.writeString(
        file, Files.readString(mapping()).replace("loyalty_id = \"card\"", "fax = \"card\""));
    Path source = dir.resolve("src");
    Files.createDirectories(source);
    Files.write(
        source.resolve("e.csv"),
        List.of(HEADER, "a1,2024-06-01 09:00:00,W1,web,purchase,o,1.00,,,"));
    JobRun run =
        JobRun.of(
            () ->
                new IngestJob(ENV)
                    .execute(conf("--source", source.toString(), "--mapping", file.toString())));
    assertEquals(2, run.code(), run.out());
    assertTrue(
        run.err()
            .contains(
                "gives identifiers of types [fax] that segpipe.identity.types does not"
                    + " declare"),
        run.err());
  }
}
