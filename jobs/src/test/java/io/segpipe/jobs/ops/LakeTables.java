package io.segpipe.jobs.ops;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_entries;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.transform_keys;
import static org.apache.spark.sql.functions.transform_values;
import static org.junit.jupiter.api.Assertions.fail;

import io.delta.tables.DeltaTable;
import io.segpipe.common.test.DataFrames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Delta tables of a lake, found rather than listed (a folder holding a _delta_log is a table),
 * and their content compared as a multiset of rows. Left out of every comparison, because they
 * differ from run to run by nature: the run_id column, timestamp columns named *_at (started_at,
 * finished_at, trained_at, ingested_at, ...) and duration_ms. Inside every string (also in maps and
 * arrays) the run ids of the lake's runs and the lake's own root are replaced by placeholders, so a
 * model version "2024-12-31_1a2b3c4d" or a path under the lake compares equal across lakes and
 * runs.
 */
final class LakeTables {
  static final String RUN = "<run>";
  static final String LAKE = "<lake>";

  private LakeTables() {}

  /** Every Delta table under {@code root}, as its path relative to the root, sorted. */
  static List<String> find(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths
          .filter(p -> p.getFileName().toString().equals("_delta_log") && Files.isDirectory(p))
          .map(p -> root.relativize(p.getParent()).toString())
          .sorted(Comparator.naturalOrder())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Dataset<Row> read(SparkSession spark, Path root, String table) {
    return spark.read().format("delta").load(root.resolve(table).toString());
  }

  static Dataset<Row> readVersion(SparkSession spark, Path root, String table, long version) {
    return spark
        .read()
        .format("delta")
        .option("versionAsOf", version)
        .load(root.resolve(table).toString());
  }

  static long version(SparkSession spark, Path root, String table) {
    return DeltaTable.forPath(spark, root.resolve(table).toString()).history(1).first().getLong(0);
  }

  /** The current version of each table of the lake. */
  static Map<String, Long> versions(SparkSession spark, Path root) {
    Map<String, Long> out = new LinkedHashMap<>();
    find(root).forEach(t -> out.put(t, version(spark, root, t)));
    return out;
  }

  /** The run ids in the lake's run_metrics (every job records one row per run). */
  static List<String> runIds(SparkSession spark, Path root) {
    return read(spark, root, "run_metrics").select("run_id").distinct().collectAsList().stream()
        .map(r -> r.getString(0))
        .toList();
  }

  static boolean runSpecific(StructField f) {
    return f.name().equals("run_id")
        || f.name().equals("duration_ms")
        || f.dataType().equals(DataTypes.TimestampType) && f.name().endsWith("_at");
  }

  /**
   * The rows without the run-specific columns, with run ids and the lake root replaced by
   * placeholders and maps turned into sorted key/value arrays (set operations cannot take maps).
   */
  static Dataset<Row> comparable(Dataset<Row> rows, Path lakeRoot, List<String> runIds) {
    Map<String, String> replace = new LinkedHashMap<>();
    replace.put(Pattern.quote("file:" + lakeRoot), LAKE);
    replace.put(Pattern.quote(lakeRoot.toString()), LAKE);
    runIds.forEach(id -> replace.put(Pattern.quote(id), RUN));
    List<Column> columns = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      if (!runSpecific(f)) {
        columns.add(normalised(col("`" + f.name() + "`"), f.dataType(), replace).as(f.name()));
      }
    }
    return rows.select(columns.toArray(Column[]::new));
  }

  private static Column normalised(Column c, DataType type, Map<String, String> replace) {
    if (type.equals(DataTypes.StringType)) {
      Column out = c;
      for (Map.Entry<String, String> r : replace.entrySet()) {
        out = regexp_replace(out, r.getKey(), r.getValue());
      }
      return out;
    }
    if (type instanceof ArrayType a) {
      return transform(c, x -> normalised(x, a.elementType(), replace));
    }
    if (type instanceof MapType m) {
      Column keys = transform_keys(c, (k, v) -> normalised(k, m.keyType(), replace));
      return array_sort(
          map_entries(transform_values(keys, (k, v) -> normalised(v, m.valueType(), replace))));
    }
    if (type instanceof StructType s) {
      if (s.fields().length == 0) {
        return c;
      }
      List<Column> fields = new ArrayList<>();
      for (StructField f : s.fields()) {
        fields.add(
            runSpecific(f)
                ? lit(null).as(f.name())
                : normalised(c.getField(f.name()), f.dataType(), replace).as(f.name()));
      }
      return struct(fields.toArray(Column[]::new));
    }
    return c;
  }

  /** Same rows, each as often, in any order; a failure shows rows only one side has. */
  static void assertSameRows(String what, Dataset<Row> expected, Dataset<Row> actual) {
    if (!expected.schema().equals(actual.schema())) {
      fail(
          what
              + ": the columns differ:\n  expected "
              + expected.schema().simpleString()
              + "\n  actual   "
              + actual.schema().simpleString());
    }
    long expectedRows = expected.count();
    long actualRows = actual.count();
    List<Row> missing =
        DataFrames.comparable(expected)
            .exceptAll(DataFrames.comparable(actual))
            .limit(5)
            .collectAsList();
    List<Row> extra =
        DataFrames.comparable(actual)
            .exceptAll(DataFrames.comparable(expected))
            .limit(5)
            .collectAsList();
    if (expectedRows != actualRows || !missing.isEmpty() || !extra.isEmpty()) {
      String fields =
          missing.size() == 1 && extra.size() == 1
              ? "\nthe fields that differ:\n  "
                  + String.join(
                      "\n  ", differences(expected.schema(), missing.get(0), extra.get(0)))
                  + "\n"
              : "\n";
      fail(
          what
              + ": "
              + expectedRows
              + " rows expected, "
              + actualRows
              + " found"
              + fields
              + "rows only expected (up to 5):\n  "
              + join(missing)
              + "\nrows only found (up to 5):\n  "
              + join(extra));
    }
  }

  /**
   * The columns (and map entries, for map columns) whose values differ between two rows of one
   * schema.
   */
  private static List<String> differences(StructType schema, Row expected, Row actual) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < schema.fields().length; i++) {
      String name = schema.fields()[i].name();
      Object e = expected.get(i);
      Object a = actual.get(i);
      if (java.util.Objects.equals(e, a)) {
        continue;
      }
      if (e instanceof scala.collection.Seq<?> es && a instanceof scala.collection.Seq<?> as) {
        Map<Object, Object> em = entries(es);
        Map<Object, Object> am = entries(as);
        if (em != null && am != null) {
          java.util.Set<Object> keys =
              new java.util.TreeSet<>(Comparator.comparing(Object::toString));
          keys.addAll(em.keySet());
          keys.addAll(am.keySet());
          for (Object k : keys) {
            if (!java.util.Objects.equals(em.get(k), am.get(k))) {
              out.add(name + "[" + k + "]: expected " + em.get(k) + ", found " + am.get(k));
            }
          }
          continue;
        }
      }
      out.add(name + ": expected " + e + ", found " + a);
    }
    return out;
  }

  /**
   * A map column made comparable (an array of key-value structs) back as a map, or null when it is
   * not one.
   */
  private static Map<Object, Object> entries(scala.collection.Seq<?> seq) {
    Map<Object, Object> m = new LinkedHashMap<>();
    for (Object o : scala.collection.JavaConverters.seqAsJavaList(seq)) {
      if (!(o instanceof Row r) || r.size() != 2) {
        return null;
      }
      m.put(r.get(0), r.get(1));
    }
    return m;
  }

  private static String join(List<Row> rows) {
    return String.join("\n  ", rows.stream().map(Row::toString).toList());
  }

  /** Every table's content, in tables two lakes both have, compared. */
  static void assertSameTables(SparkSession spark, Path expectedLake, Path actualLake) {
    List<String> tables = find(expectedLake);
    List<String> actualTables = find(actualLake);
    if (!tables.equals(actualTables)) {
      fail(
          "the lakes hold different tables: "
              + tables
              + " at "
              + expectedLake
              + ", "
              + actualTables
              + " at "
              + actualLake);
    }
    List<String> expectedRuns = runIds(spark, expectedLake);
    List<String> actualRuns = runIds(spark, actualLake);
    for (String table : tables) {
      assertSameRows(
          table,
          comparable(read(spark, expectedLake, table), expectedLake, expectedRuns),
          comparable(read(spark, actualLake, table), actualLake, actualRuns));
    }
  }
}
