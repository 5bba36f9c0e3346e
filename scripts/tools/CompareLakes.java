import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.MapType;

/**
 * Compares two lakes row for row: every Delta table directly under either root (as a multiset of
 * rows, columns that differ by nature between runs left out) and every audience data file (by
 * SHA-256). Prints one line per table and exits 1 when anything differs. Run by
 * scripts/compare-lakes.
 */
public final class CompareLakes {
  /** Columns that hold when or by which run something happened: different in every run. */
  private static final Set<String> VOLATILE =
      Set.of(
          "run_id",
          "ingested_at",
          "trained_at",
          "started_at",
          "finished_at",
          "duration_ms",
          "assigned_at",
          "last_exported_at",
          "evaluated_at",
          "erased_at",
          "message",
          "details",
          // model versions and paths are named "<as-of date>_<run id>"
          "version",
          "model_version",
          "clusters_model_version",
          "churn_model_version",
          "clv_model_version",
          "path");

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: CompareLakes BEFORE_LAKE AFTER_LAKE [column,column,... to ignore]");
      System.exit(2);
    }
    Path before = Path.of(args[0]);
    Path after = Path.of(args[1]);
    Set<String> ignored = new TreeSet<>(VOLATILE);
    if (args.length > 2) {
      ignored.addAll(Arrays.asList(args[2].split(",")));
    }
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("segpipe: compare two lakes")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    TreeSet<String> tables = new TreeSet<>();
    tables.addAll(deltaTables(before));
    tables.addAll(deltaTables(after));
    int differing = 0;
    for (String table : tables) {
      if (!Files.isDirectory(before.resolve(table).resolve("_delta_log"))
          || !Files.isDirectory(after.resolve(table).resolve("_delta_log"))) {
        System.out.printf("%-22s only in %s%n", table, Files.isDirectory(before.resolve(table)) ? "before" : "after");
        differing++;
        continue;
      }
      Dataset<Row> a = spark.read().format("delta").load(before.resolve(table).toString());
      Dataset<Row> b = spark.read().format("delta").load(after.resolve(table).toString());
      List<String> columnsA = kept(a.columns(), ignored);
      List<String> columnsB = kept(b.columns(), ignored);
      if (!new TreeSet<>(columnsA).equals(new TreeSet<>(columnsB))) {
        System.out.printf("%-22s columns differ: %s vs %s%n", table, columnsA, columnsB);
        differing++;
        continue;
      }
      String[] cols = columnsA.toArray(String[]::new);
      Dataset<Row> x = a.selectExpr(comparable(a, cols));
      Dataset<Row> y = b.selectExpr(comparable(b, cols));
      if (!x.schema().equals(y.schema())) {
        System.out.printf("%-22s types differ: %s vs %s%n", table, x.schema().simpleString(), y.schema().simpleString());
        differing++;
        continue;
      }
      long rows = x.count();
      long onlyBefore = x.exceptAll(y).count();
      long onlyAfter = y.exceptAll(x).count();
      // Both differences empty: the same multiset of rows, so the same count too.
      boolean same = onlyBefore == 0 && onlyAfter == 0;
      System.out.printf(
          "%-22s %s: %,d rows, %d columns compared%s%n",
          table,
          same ? "identical" : "DIFFERENT",
          rows,
          cols.length,
          same ? "" : String.format(" (%d rows only before, %d only after)", onlyBefore, onlyAfter));
      if (!same) {
        differing++;
      }
    }
    differing += compareFiles(before.resolve("audiences"), after.resolve("audiences"));
    differing += compareFiles(before.resolve("campaign-controls"), after.resolve("campaign-controls"));
    spark.stop();
    System.out.println(differing == 0 ? "lakes identical" : differing + " differences");
    System.exit(differing == 0 ? 0 : 1);
  }

  private static List<String> kept(String[] columns, Set<String> ignored) {
    return Arrays.stream(columns).filter(c -> !ignored.contains(c)).toList();
  }

  /** The columns as expressions set operations accept: a map as its entries, sorted by key. */
  private static String[] comparable(Dataset<Row> rows, String[] columns) {
    return Arrays.stream(columns)
        .map(
            c ->
                rows.schema().apply(c).dataType() instanceof MapType
                    ? "array_sort(map_entries(`" + c + "`)) AS `" + c + "`"
                    : "`" + c + "`")
        .toArray(String[]::new);
  }

  private static List<String> deltaTables(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> children = Files.list(root)) {
      children
          .filter(p -> Files.isDirectory(p.resolve("_delta_log")))
          .forEach(p -> out.add(p.getFileName().toString()));
    }
    return out;
  }

  /** Data files (not manifests, which record when they were written) compared by SHA-256. */
  private static int compareFiles(Path a, Path b) throws IOException {
    TreeMap<String, String> left = hashes(a);
    TreeMap<String, String> right = hashes(b);
    int differing = 0;
    TreeSet<String> names = new TreeSet<>(left.keySet());
    names.addAll(right.keySet());
    for (String name : names) {
      if (!Objects.equals(left.get(name), right.get(name))) {
        System.out.printf("file %s differs or exists on one side only%n", name);
        differing++;
      }
    }
    System.out.printf(
        "%-22s %s: %d files compared%n",
        a.getFileName(),
        differing == 0 ? "identical" : "DIFFERENT",
        names.size());
    return differing;
  }

  private static TreeMap<String, String> hashes(Path root) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(root)) {
      files
          .filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().equals("manifest.json"))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .forEach(
              p -> {
                try {
                  MessageDigest sha = MessageDigest.getInstance("SHA-256");
                  out.put(
                      root.relativize(p).toString(),
                      HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
    }
    return out;
  }
}
