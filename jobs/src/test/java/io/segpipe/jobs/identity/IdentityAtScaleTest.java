package io.segpipe.jobs.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.test.SharedSpark;
import io.segpipe.jobs.generate.GenerateJob;
import io.segpipe.jobs.ingest.IngestJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's figures at 30,000 generated people (about nine events each, the fewest the generator
 * makes; a tenth with a second store account, a shared store tablet and a placeholder email), as a
 * user runs the jobs: generate, ingest with identity stitching on, identity as of a day and again
 * the next day, each compared with the generator's identity_truth. 100,000 people take about five
 * minutes here, too long for the suite: that size's figures come from scripts/benchmark-identity
 * (docs/benchmark-identity.md) with the same checks.
 */
@ExtendWith(SharedSpark.class)
class IdentityAtScaleTest {
  private static final int PEOPLE = 30_000;
  private static final UnaryOperator<String> ENV =
      name ->
          name.equals("SEGPIPE_IDENTITY_KEY")
              ? "identity-at-scale-test-key-0123456789"
              : System.getenv(name);

  @TempDir Path dir;

  private String[] conf(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--conf", "segpipe.lake.root=" + dir.resolve("lake"),
            "--conf", "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\"",
            "--conf", "segpipe.identity.enabled=true"));
    return all.toArray(String[]::new);
  }

  private Dataset<Row> table(SparkSession spark, String name) {
    return spark.read().format("delta").load(dir.resolve("lake").resolve(name).toString());
  }

  private Map<String, String> lastIdentityRun(SparkSession spark) {
    Row run =
        table(spark, "run_metrics")
            .where("job = 'identity'")
            .orderBy(functions.desc("started_at"))
            .first();
    assertEquals("succeeded", run.getAs("status"), run.toString());
    return run.getJavaMap(run.fieldIndex("details"));
  }

  @Test
  void thirtyThousandPeopleStitchRightTrapsJoinNobodyAndANewDayKeepsTheKeys(SparkSession spark) {
    String generated = dir.resolve("generated").toString();
    assertEquals(
        0,
        new GenerateJob()
            .execute(
                conf(
                    "--output",
                    generated,
                    "--customers",
                    String.valueOf(PEOPLE),
                    "--events",
                    String.valueOf(9 * PEOPLE),
                    "--seed",
                    "7",
                    "--identities",
                    "0.1")));
    assertEquals(
        0,
        new IngestJob(ENV)
            .execute(
                conf(
                    "--source", generated + "/events",
                    "--mapping", "generator",
                    "--customers", generated + "/customers")));
    String truth = generated + "/identity_truth";

    assertEquals(0, new IdentityJob(ENV).execute(conf("--as-of", "2024-12-30", "--truth", truth)));
    Map<String, String> before = lastIdentityRun(spark);
    assertEquals(0, new IdentityJob(ENV).execute(conf("--as-of", "2024-12-31", "--truth", truth)));
    Map<String, String> after = lastIdentityRun(spark);

    for (Map<String, String> run : List.of(before, after)) {
      double precision = Double.parseDouble(run.get("truth_precision"));
      double recall = Double.parseDouble(run.get("truth_recall"));
      assertTrue(precision >= 0.995, "precision " + precision + " " + run);
      assertTrue(recall >= 0.95, "recall " + recall + " " + run);
      assertEquals("0", run.get("truth_shared_linked"), "the traps join nobody: " + run);
      assertTrue(
          Long.parseLong(run.get("profiles")) < Long.parseLong(run.get("customer_ids")),
          "second accounts are stitched: " + run);
    }
    // the traps are quarantined as shared by many
    assertTrue(
        table(spark, "identity_quarantine")
                .where("as_of_date = DATE'2024-12-31'")
                .where("reason LIKE 'seen with %'")
                .count()
            >= 2,
        "the tablet and the placeholder email");

    // a new day leaves at least 99.9 % of keys as they were, and every change is recorded
    long keysBefore = Long.parseLong(after.get("keys_before"));
    long unchanged = Long.parseLong(after.get("keys_unchanged"));
    assertTrue(
        unchanged >= 0.999 * keysBefore, unchanged + " of " + keysBefore + " keys unchanged");
    Dataset<Row> map = table(spark, "identity_map");
    Dataset<Row> moved =
        map.where("as_of_date = DATE'2024-12-30'")
            .select("id_type", "identifier", "customer_key")
            .except(
                map.where("as_of_date = DATE'2024-12-31'")
                    .select("id_type", "identifier", "customer_key"));
    Dataset<Row> recorded =
        table(spark, "identity_changes")
            .where("as_of_date = DATE'2024-12-31'")
            .select(
                functions.col("id_type"),
                functions.col("identifier"),
                functions.col("old_key").as("customer_key"));
    assertEquals(moved.count(), recorded.count(), "one change row per identifier that moved");
    assertEquals(
        0, moved.except(recorded).count(), "every moved identifier is in identity_changes");
    assertEquals(Long.parseLong(after.get("identifiers_changed")), recorded.count());
  }
}
