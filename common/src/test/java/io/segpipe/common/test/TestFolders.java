package io.segpipe.common.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Temporary folders and files that a test class shares across its tests (a built lake, a server's
 * data folder, a log), deleted when the test JVM exits, so a run of the suite leaves nothing in
 * /tmp. JUnit's {@code @TempDir} serves one test; these outlive it.
 */
public final class TestFolders {
  private static final List<Path> CREATED = new ArrayList<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(TestFolders::deleteAll, "segpipe-test-folders"));
  }

  private TestFolders() {}

  /** A new empty folder under java.io.tmpdir, named from {@code prefix}. */
  public static Path folder(String prefix) {
    try {
      return remember(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary folder " + prefix + "*", e);
    }
  }

  /** A new empty file under java.io.tmpdir. */
  public static Path file(String prefix, String suffix) {
    try {
      return remember(Files.createTempFile(prefix, suffix));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary file " + prefix + "*" + suffix, e);
    }
  }

  private static synchronized Path remember(Path path) {
    CREATED.add(path);
    return path;
  }

  private static synchronized void deleteAll() {
    for (Path root : CREATED) {
      if (!Files.exists(root)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(root)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        System.err.println("segpipe tests: could not delete " + root + ": " + e.getMessage());
      }
    }
  }
}
