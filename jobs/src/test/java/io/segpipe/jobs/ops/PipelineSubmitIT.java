package io.segpipe.jobs.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline submitted through scripts/segpipe with spark-submit options: when a job fails, the command
 * it prints to resume from there carries those options too, quoted for the shell, so pasting it runs the
 * rest the same way.
 */
class PipelineSubmitIT {
  @TempDir
  Path dir;

  @Test
  void theResumeCommandRepeatsTheSparkSubmitOptionsItWasGiven() {
    Path lake = dir.resolve("lake"); // no events table: the features job stops, telling to run ingest first
    Path log = dir.resolve("pipeline.log");
    int code = Scripts.run(log, 5, "segpipe", "pipeline", "--master", "local[1]", "--driver-memory", "1g",
        "--spark-conf", "spark.sql.shuffle.partitions=3", "--as-of", "2024-12-31", "--from-job", "features",
        "--conf", "segpipe.lake.root=" + lake);
    String out = Scripts.read(log);
    assertEquals(2, code, out);
    assertTrue(out.contains("stopped: the features job failed for as-of 2024-12-31 (exit code 2)"), out);
    Matcher m = Pattern.compile("resume from there:\n  (scripts/segpipe pipeline [^\n]+)").matcher(out);
    assertTrue(m.find(), "a resume command without the hint to add the options back:\n" + out);
    String expected = "scripts/segpipe pipeline --master 'local[1]' --driver-memory 1g --spark-conf"
        + " spark.sql.shuffle.partitions=3 --as-of 2024-12-31 --from-job features --config "
        + Scripts.projectRoot().resolve("conf").resolve("local.conf") + " --conf segpipe.lake.root=" + lake;
    assertEquals(expected, m.group(1));
  }
}
