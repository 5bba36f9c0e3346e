package io.segpipe.jobs.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segpipe.common.test.Scripts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline submitted through scripts/segpipe with spark-submit options: when a job fails, the
 * command it prints to resume from there carries those options too, quoted for the shell, so
 * pasting it runs the rest the same way.
 */
class PipelineSubmitIT {
  @TempDir Path dir;

  @Test
  void theResumeCommandRepeatsTheSparkSubmitOptionsItWasGiven() {
    Path lake =
        dir.resolve("lake"); // no events table: the features job stops, telling to run ingest first
    Path log = dir.resolve("pipeline.log");
    int code =
        Scripts.run(
            log,
            5,
            "segpipe",
            "pipeline",
            "--master",
            "local[1]",
            "--driver-memory",
            "1g",
            "--spark-conf",
            "spark.sql.shuffle.partitions=3",
            "--as-of",
            "2024-12-31",
            "--from-job",
            "features",
            "--conf",
            "segpipe.lake.root=" + lake);
    String out = Scripts.read(log);
    assertEquals(2, code, out);
    assertTrue(
        out.contains("stopped: the features job failed for as-of 2024-12-31 (exit code 2)"), out);
    Matcher m =
        Pattern.compile("resume from there:\n  (scripts/segpipe pipeline [^\n]+)").matcher(out);
    assertTrue(m.find(), "a resume command without the hint to add the options back:\n" + out);
    String expected =
        "scripts/segpipe pipeline --master 'local[1]' --driver-memory 1g --spark-conf"
            + " spark.sql.shuffle.partitions=3 --as-of 2024-12-31 --from-job features --config "
            + Scripts.projectRoot().resolve("conf").resolve("local.conf")
            + " --conf segpipe.lake.root="
            + lake;
    assertEquals(expected, m.group(1));
  }

  /**
   * A platform's Spark: a SPARK_HOME whose bin/spark-submit is Spark's own SparkSubmit (from the
   * jars Maven fetched) and whose conf/spark-defaults.conf turns the event log on, lists an
   * extension of its own and sets a probe value. A job run through it keeps all three (its event
   * log is written, and the environment recorded there has the probe, the platform's extension and
   * Delta's after it) and succeeds: segpipe added to the platform's settings rather than replacing
   * them.
   */
  @Test
  void aJobUnderASparkHomeKeepsThePlatformsSettings() throws Exception {
    Path home = dir.resolve("spark-home");
    Path events = Files.createDirectories(dir.resolve("event-log"));
    Scripts.sparkHome(
        home,
        Scripts.projectRoot().resolve("jobs").resolve("target"),
        "spark-classpath.txt",
        List.of(
            "spark.eventLog.enabled true",
            "spark.eventLog.dir " + events.toUri(),
            "spark.sql.extensions org.example.platform.AuditExtension",
            "spark.segpipe.probe set-by-the-platform"));
    Path log = dir.resolve("generate.log");
    int code =
        Scripts.run(
            log,
            Map.of("SPARK_HOME", home.toString()),
            5,
            "segpipe",
            "generate",
            "--master",
            "local[1]",
            "--driver-memory",
            "1g",
            "--customers",
            "30",
            "--output",
            dir.resolve("generated").toString());
    assertEquals(0, code, Scripts.read(log));
    List<Path> written;
    try (Stream<Path> files = Files.list(events)) {
      written = files.toList();
    }
    assertEquals(
        1,
        written.size(),
        "one event log, written because the platform's defaults turned it on: " + written);
    JsonNode environment = null;
    for (String line : Files.readAllLines(written.get(0))) {
      JsonNode event = new ObjectMapper().readTree(line);
      if (event.path("Event").asText().equals("SparkListenerEnvironmentUpdate")) {
        environment = event.get("Spark Properties");
      }
    }
    assertTrue(environment != null, "the event log records the session's settings");
    assertEquals("set-by-the-platform", environment.path("spark.segpipe.probe").asText());
    assertEquals(
        "org.example.platform.AuditExtension,io.delta.sql.DeltaSparkSessionExtension",
        environment.path("spark.sql.extensions").asText());
    assertEquals(
        "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        environment.path("spark.sql.catalog.spark_catalog").asText());
  }
}
