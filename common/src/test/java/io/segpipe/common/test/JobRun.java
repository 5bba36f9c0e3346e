package io.segpipe.common.test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * A job run in this JVM as main() would run it: its exit code and what it printed. The output is
 * captured while the job runs, then printed to the console too, for the test's log.
 */
public record JobRun(int code, String out, String err) {

  /**
   * Runs {@code job} (e.g. {@code () -> new IngestJob().execute(args)}) and captures its output.
   */
  public static JobRun of(IntSupplier job) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = job.getAsInt();
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    JobRun run =
        new JobRun(
            code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    oldOut.print(run.out);
    oldErr.print(run.err);
    return run;
  }

  @Override
  public String toString() {
    return "exit code " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
  }
}
