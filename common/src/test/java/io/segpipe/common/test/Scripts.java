package io.segpipe.common.test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The scripts in scripts/ run as a user runs them: each in its own process, with this JVM's Java
 * 17, its output in a log file the failure message quotes.
 */
public final class Scripts {
  private Scripts() {}

  /**
   * The checkout: segpipe.project.root (set by the build), or the folder above holding
   * scripts/segpipe.
   */
  public static Path projectRoot() {
    Path start =
        Paths.get(System.getProperty("segpipe.project.root", ".")).toAbsolutePath().normalize();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isExecutable(p.resolve("scripts").resolve("segpipe"))) {
        return p;
      }
    }
    throw new IllegalStateException("no scripts/segpipe in " + start + " or above");
  }

  /** Starts {@code scripts/<script> args...} with its output going to {@code log}. */
  public static Process start(Path log, String script, String... args) {
    return start(log, Map.of(), script, args);
  }

  /** As {@link #start(Path, String, String...)}, with {@code environment} set for the script. */
  public static Process start(
      Path log, Map<String, String> environment, String script, String... args) {
    List<String> command = new ArrayList<>();
    command.add(projectRoot().resolve("scripts").resolve(script).toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(log.getParent().toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    String javaHome = System.getProperty("java.home");
    env.put("JAVA_HOME", javaHome);
    env.put("PATH", javaHome + "/bin:" + env.getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.remove(
        "SPARK_HOME"); // the Spark jars Maven fetched, not whatever distribution this machine has
    env.remove("SPARK_CONF_DIR");
    env.putAll(environment);
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A platform's Spark for scripts that honour SPARK_HOME: {@code home}/bin/spark-submit is Spark's
   * own SparkSubmit, run with the JVM flags in {@code target}/jvm-flags.txt and the class path in
   * {@code target}/{@code classPathFile} (jars Maven fetched), and {@code
   * home}/conf/spark-defaults.conf holds {@code defaults}, one "key value" a line.
   */
  public static Path sparkHome(
      Path home, Path target, String classPathFile, List<String> defaults) {
    try {
      Files.createDirectories(home.resolve("bin"));
      Files.createDirectories(home.resolve("conf"));
      Path submit = home.resolve("bin").resolve("spark-submit");
      // As Spark's launcher does for a driver in client mode, --driver-class-path goes on the
      // driver JVM's class path.
      Files.writeString(
          submit,
          "#!/usr/bin/env bash\n"
              + "extra=\n"
              + "args=(\"$@\")\n"
              + "for ((i = 0; i + 1 < ${#args[@]}; i++)); do\n"
              + "  [[ ${args[i]} == --driver-class-path ]] && extra=\"${args[i + 1]}:\"\n"
              + "done\n"
              + "exec java $(cat '"
              + target.resolve("jvm-flags.txt")
              + "') -cp \"$extra$(cat '"
              + target.resolve(classPathFile)
              + "')\" org.apache.spark.deploy.SparkSubmit \"$@\"\n");
      Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.writeString(
          home.resolve("conf").resolve("spark-defaults.conf"), String.join("\n", defaults) + "\n");
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a script to its end (at most {@code minutes}) and returns its exit code. */
  public static int run(Path log, int minutes, String script, String... args) {
    return run(log, Map.of(), minutes, script, args);
  }

  /** As {@link #run(Path, int, String, String...)}, with {@code environment} set for the script. */
  public static int run(
      Path log, Map<String, String> environment, int minutes, String script, String... args) {
    Process p = start(log, environment, script, args);
    try {
      if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
        p.destroyForcibly().waitFor();
        fail(
            script
                + " "
                + String.join(" ", args)
                + " did not end within "
                + minutes
                + " min:\n"
                + tail(log));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return p.exitValue();
  }

  /** Runs a script and asserts it succeeded, quoting its log when not. */
  public static void succeed(Path log, int minutes, String script, String... args) {
    succeed(log, Map.of(), minutes, script, args);
  }

  /** As {@link #succeed(Path, int, String, String...)}, with {@code environment} set for it. */
  public static void succeed(
      Path log, Map<String, String> environment, int minutes, String script, String... args) {
    int code = run(log, environment, minutes, script, args);
    assertTrue(
        code == 0,
        script
            + " "
            + String.join(" ", args)
            + " ended with exit code "
            + code
            + ":\n"
            + tail(log));
  }

  /** The last lines of a log, for failure messages. */
  public static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ": " + e + ")";
    }
  }

  public static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
