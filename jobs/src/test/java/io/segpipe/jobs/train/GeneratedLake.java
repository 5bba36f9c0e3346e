package io.segpipe.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segpipe.jobs.features.FeaturesJob;
import io.segpipe.jobs.generate.GenerateJob;
import io.segpipe.jobs.ingest.IngestJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A lake built the way a user builds one: generate (planted archetypes) → ingest → features as of
 * {@link #AS_OF}. Building it takes minutes on two cores, so it is kept under target/ (keyed by size
 * and seed, marked complete only when every step succeeded) and reused by later test runs; mvn clean
 * rebuilds it. Tests only read it and write their own models under their own folders.
 */
final class GeneratedLake {
  static final String AS_OF = "2024-12-31";
  /** Enough customers for stable ARI and AUC figures, few enough for a two-core machine. */
  static final int CUSTOMERS = 3000;
  static final int SEED = 11;

  private static Path root;

  private GeneratedLake() {}

  /** The folder holding generated/ and lake/; built on first use. */
  static synchronized Path root() {
    if (root == null) {
      Path dir = Path.of("target", "generated-lake-" + CUSTOMERS + "-" + SEED).toAbsolutePath();
      Path complete = dir.resolve("complete");
      if (Files.exists(complete)) {
        root = dir;
        return root;
      }
      try {
        deleteRecursively(dir);
        Files.createDirectories(dir);
        String generated = dir.resolve("generated").toString();
        String lake = dir.resolve("lake").toString();
        assertEquals(0, new GenerateJob().execute("--output", generated, "--customers", String.valueOf(CUSTOMERS),
            "--seed", String.valueOf(SEED), "--conf", "segpipe.lake.root=" + lake), "generate");
        assertEquals(0, new IngestJob().execute("--source", generated + "/events", "--mapping", "generator",
            "--customers", generated + "/customers", "--conf", "segpipe.lake.root=" + lake,
            "--conf", "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""), "ingest");
        assertEquals(0, new FeaturesJob().execute("--as-of", AS_OF, "--conf", "segpipe.lake.root=" + lake), "features");
        Files.createFile(complete);
        root = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  static String lake() {
    return root().resolve("lake").toString();
  }

  static String groundTruth() {
    return root().resolve("generated").resolve("ground_truth").toString();
  }
}
