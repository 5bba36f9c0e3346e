package io.segpipe.common.test;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster (one master, two workers, each its own JVM) started with
 * scripts/local-cluster, and stopped by process id even when the script cannot do it.
 */
public final class LocalCluster implements AutoCloseable {
  private final Path dir;
  private final String masterUrl;
  private final List<Long> pids;
  private boolean closed;

  private LocalCluster(Path dir, String masterUrl, List<Long> pids) {
    this.dir = dir;
    this.masterUrl = masterUrl;
    this.pids = pids;
  }

  /**
   * Starts the cluster with its logs and pid files in {@code dir}; returns once both workers
   * registered.
   */
  public static LocalCluster start(Path dir) {
    Path log = dir.resolveSibling(dir.getFileName() + "-start.log");
    int code = Scripts.run(log, 3, "local-cluster", "start", "--dir", dir.toString());
    List<Long> pids = pids(dir);
    if (code != 0) {
      pids.forEach(LocalCluster::kill);
      throw new AssertionError(
          "scripts/local-cluster start ended with exit code " + code + ":\n" + Scripts.tail(log));
    }
    String url = Scripts.read(dir.resolve("master-url")).strip();
    assertTrue(url.matches("spark://127\\.0\\.0\\.1:\\d+"), "master URL " + url);
    assertTrue(
        Scripts.read(log).strip().endsWith(url),
        "start prints the master URL last:\n" + Scripts.tail(log));
    return new LocalCluster(dir, url, pids);
  }

  public String masterUrl() {
    return masterUrl;
  }

  public Path dir() {
    return dir;
  }

  /** The output of scripts/local-cluster status, and its exit code. */
  public String status(Path log) {
    int code = Scripts.run(log, 1, "local-cluster", "status", "--dir", dir.toString());
    return "exit " + code + "\n" + Scripts.read(log);
  }

  /**
   * Stops through the script, then ends by process id whatever is still running, executors
   * included.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<ProcessHandle> all = new ArrayList<>();
    for (long pid : pids) {
      ProcessHandle.of(pid)
          .ifPresent(
              h -> {
                all.add(h);
                h.descendants().forEach(all::add);
              });
    }
    try {
      Scripts.run(
          dir.resolveSibling(dir.getFileName() + "-stop.log"),
          1,
          "local-cluster",
          "stop",
          "--dir",
          dir.toString());
    } finally {
      all.forEach(h -> kill(h.pid()));
    }
  }

  public boolean anyAlive() {
    return pids.stream()
        .anyMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }

  public List<Long> pids() {
    return pids;
  }

  private static void kill(long pid) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    handle.ifPresent(
        h -> {
          h.destroyForcibly();
          h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> h).join();
        });
  }

  private static List<Long> pids(Path dir) {
    List<Long> pids = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return pids;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".pid")).toList()) {
        pids.add(Long.parseLong(Files.readString(f).strip()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pids;
  }
}
