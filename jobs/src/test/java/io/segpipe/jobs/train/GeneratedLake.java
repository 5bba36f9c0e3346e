package io.segpipe.jobs.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segpipe.jobs.features.FeaturesJob;
import io.segpipe.jobs.generate.GenerateJob;
import io.segpipe.jobs.ingest.IngestJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A lake built the way a user builds one: generate (planted archetypes) → ingest → features as of
 * {@link #AS_OF} (or the dates given to {@link #build}). Building it takes minutes on two cores, so
 * it is kept under target/ (keyed by size, seed and dates, marked complete only when every step
 * succeeded) and reused by later test runs; mvn clean rebuilds it. Tests only read it and write
 * their own models under their own folders (or copy it, see {@link #copyLake}, to write tables).
 */
public final class GeneratedLake {
  public static final String AS_OF = "2024-12-31";

  /** Enough customers for stable ARI and AUC figures, few enough for a two-core machine. */
  static final int CUSTOMERS = 3000;

  static final int SEED = 11;

  private static final Map<Path, Path> BUILT = new HashMap<>();

  private GeneratedLake() {}

  /** The folder holding generated/ and lake/ of the default lake; built on first use. */
  static Path root() {
    return build(CUSTOMERS, SEED, List.of(AS_OF));
  }

  /**
   * The folder holding generated/ and lake/ for {@code customers} generated with {@code seed}, with
   * a customer_features snapshot as of each of {@code asOfDates}; built on first use, then reused.
   */
  public static synchronized Path build(int customers, int seed, List<String> asOfDates) {
    String dates = asOfDates.equals(List.of(AS_OF)) ? "" : "-" + String.join("-", asOfDates);
    Path dir =
        Path.of("target", "generated-lake-" + customers + "-" + seed + dates).toAbsolutePath();
    if (BUILT.containsKey(dir)) {
      return dir;
    }
    Path complete = dir.resolve("complete");
    if (!Files.exists(complete)) {
      try {
        deleteRecursively(dir);
        Files.createDirectories(dir);
        String generated = dir.resolve("generated").toString();
        String lake = dir.resolve("lake").toString();
        assertEquals(
            0,
            new GenerateJob()
                .execute(
                    "--output",
                    generated,
                    "--customers",
                    String.valueOf(customers),
                    "--seed",
                    String.valueOf(seed),
                    "--conf",
                    "segpipe.lake.root=" + lake),
            "generate");
        assertEquals(
            0,
            new IngestJob()
                .execute(
                    "--source",
                    generated + "/events",
                    "--mapping",
                    "generator",
                    "--customers",
                    generated + "/customers",
                    "--conf",
                    "segpipe.lake.root=" + lake,
                    "--conf",
                    "segpipe.ingest.cutoff=\"2025-01-01T00:00:00Z\""),
            "ingest");
        for (String asOf : asOfDates) {
          assertEquals(
              0,
              new FeaturesJob().execute("--as-of", asOf, "--conf", "segpipe.lake.root=" + lake),
              "features as of " + asOf);
        }
        Files.createFile(complete);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    BUILT.put(dir, dir);
    return dir;
  }

  /**
   * Copies the lake/ of a built folder (its Delta tables hold relative paths, so a copy is a lake
   * of its own) to {@code target}, for a test that writes tables; {@code tables} picks which.
   */
  public static Path copyLake(Path built, Path target, List<String> tables) {
    try {
      for (String table : tables) {
        Path from = built.resolve("lake").resolve(table);
        try (var paths = Files.walk(from)) {
          for (Path p : paths.toList()) {
            Path to = target.resolve(table).resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
              Files.createDirectories(to);
            } else {
              Files.copy(p, to);
            }
          }
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
