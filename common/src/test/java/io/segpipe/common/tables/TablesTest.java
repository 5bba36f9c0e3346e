package io.segpipe.common.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.UserError;
import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The table contracts: declared once, checked on every write and read. */
@ExtendWith(SharedSpark.class)
class TablesTest {

  @Test
  void everyTableIsDeclaredOnceWithItsKeyAndPartitionAmongItsColumns() {
    Set<String> names = new HashSet<>();
    for (TableContract t : Tables.ALL) {
      assertTrue(names.add(t.name()), t.name() + " declared twice");
      assertTrue(t.name().matches("[a-z_]+"), t.name());
      assertTrue(!t.meaning().isBlank(), t.name() + " has no meaning");
      assertEquals(t, Tables.named(t.name()).orElseThrow());
    }
    assertEquals(24, names.size());
    // Every snapshot table is partitioned by the snapshot date.
    for (TableContract t :
        List.of(
            Tables.CUSTOMER_FEATURES,
            Tables.CUSTOMER_SEGMENTS,
            Tables.SEGMENT_PROFILES,
            Tables.SEGMENT_TRENDS,
            Tables.SEGMENT_AFFINITIES,
            Tables.CUSTOMER_NEXT_BEST,
            Tables.CUSTOMER_CLV,
            Tables.IDENTITY_MAP,
            Tables.IDENTITY_QUARANTINE,
            Tables.IDENTITY_CHANGES)) {
      assertEquals(Tables.AS_OF, t.partition().orElseThrow(), t.name());
    }
    assertTrue(Tables.named("no_such_table").isEmpty());
  }

  @Test
  void aChannelFamilyExpandsInPlacePerConfiguredChannel() {
    List<String> columns = Tables.CUSTOMER_FEATURES.columnNames(List.of("web", "store"));
    int at = columns.indexOf("return_rate");
    assertEquals(
        List.of("orders_web", "orders_store", "spend_web", "spend_store", "channel_breadth"),
        columns.subList(at + 1, at + 6));
    assertEquals(
        DataTypes.LongType,
        Tables.CUSTOMER_FEATURES.schema(List.of("web")).apply("orders_web").dataType());
    // Rows with the family's columns for any channel match; a family column of another type not.
    StructType rows = Tables.CUSTOMER_FEATURES.schema(List.of("app", "marketplace"));
    assertEquals(List.of(), Tables.CUSTOMER_FEATURES.writeProblems(rows));
    StructType wrong = replaced(rows, "spend_app", DataTypes.DoubleType);
    assertEquals(
        List.of("column spend_app is double, the contract says decimal(18,2)"),
        Tables.CUSTOMER_FEATURES.writeProblems(wrong));
  }

  @Test
  void writesMustMatchColumnForColumn() {
    TableContract t = Tables.SEGMENT_TRANSITIONS;
    StructType exact = t.schema(List.of());
    assertEquals(List.of(), t.writeProblems(exact));
    // Nullability is not compared; names are compared as Spark resolves them.
    assertEquals(List.of(), t.writeProblems(nullable(exact)));
    StructType extra = exact.add("debug", DataTypes.StringType);
    StructType missing = new StructType(Arrays.copyOf(exact.fields(), 3));
    assertEquals(List.of("column debug is not in the contract"), t.writeProblems(extra));
    assertEquals(
        List.of(
            "column share_of_from is missing",
            "column previous_as_of_date is missing",
            "column as_of_date is missing"),
        t.writeProblems(missing).subList(1, 4));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.checkWrite(extra));
    assertTrue(e.getMessage().contains("segment_transitions"), e.getMessage());
  }

  @Test
  void aStoredTableIsReadWhenItOnlyLacksColumnsAddedLater() {
    TableContract profiles = Tables.SEGMENT_PROFILES;
    StructType before = without(profiles.schema(List.of()), profiles.added());
    assertEquals(List.of(), profiles.readProblems(before));
    assertEquals(
        profiles.added(), profiles.missingAdditive(before).stream().map(f -> f.name()).toList());
    // A column missing that was there from the start, or retyped, is a breaking change.
    StructType noShare = without(profiles.schema(List.of()), List.of("share"));
    assertEquals(List.of("it has no column share (double)"), profiles.readProblems(noShare));
    StructType retyped = replaced(profiles.schema(List.of()), "customers", DataTypes.StringType);
    assertEquals(
        List.of("its column customers is string where this version of segpipe reads bigint"),
        profiles.readProblems(retyped));
  }

  /** Through the lake: a write is checked, a read fills added columns and refuses a retyped one. */
  @Test
  void theLakeWritesAndReadsThroughTheContracts(SparkSession spark) {
    Lake lake = new Lake(spark, new LakeSettings(TestFolders.folder("contracts").toString(), ""));
    LocalDate asOf = LocalDate.of(2024, 12, 31);
    TableContract t = Tables.SEGMENT_TRANSITIONS;
    Row row =
        RowFactory.create(
            "rfm_segment",
            "at_risk",
            "champions",
            3L,
            0.25,
            Date.valueOf("2024-11-30"),
            Date.valueOf(asOf));
    Dataset<Row> rows = spark.createDataFrame(List.of(row), t.schema(List.of()));
    lake.replacePartition(rows, t, asOf);
    assertEquals(1, lake.read(t, "").count());
    Dataset<Row> extra = rows.withColumn("debug", functions.lit("x"));
    assertThrows(IllegalStateException.class, () -> lake.replacePartition(extra, t, asOf));
    assertEquals(
        List.of(row), lake.read(t, "").collectAsList(), "a refused write leaves the table");

    // segment_profiles as written before revenue, orders and buyers were added.
    TableContract profiles = Tables.SEGMENT_PROFILES;
    Dataset<Row> old =
        spark
            .createDataFrame(List.of(), profiles.schema(List.of()))
            .drop(profiles.added().toArray(String[]::new));
    Object[] values = new Object[old.columns().length];
    values[0] = "rfm_segment";
    values[1] = "champions";
    values[2] = 5L;
    values[3] = 1.0;
    values[old.schema().fieldIndex(Tables.AS_OF)] = Date.valueOf(asOf);
    old = spark.createDataFrame(List.of(RowFactory.create(values)), old.schema());
    lake.replacePartition(old, profiles.name(), Tables.AS_OF, asOf);
    Row read = lake.read(profiles, "").first();
    assertEquals(5L, read.getLong(read.fieldIndex("customers")));
    assertNull(read.get(read.fieldIndex("revenue")));
    assertEquals(
        profiles.schema(List.of()).apply("revenue").dataType(),
        lake.read(profiles, "").schema().apply("revenue").dataType());

    // A table whose column has another type than this version reads: refused, naming it.
    Dataset<Row> retyped =
        lake.read(t.name(), "").withColumn("customers", functions.col("customers").cast("string"));
    lake.overwrite(retyped, t.name());
    UserError e = assertThrows(UserError.class, () -> lake.read(t, ""));
    assertTrue(
        e.getMessage().contains("segment_transitions")
            && e.getMessage()
                .contains("customers is string where this version of segpipe reads bigint"),
        e.getMessage());
  }

  private static StructType replaced(StructType schema, String column, DataType type) {
    StructType out = new StructType();
    for (var f : schema.fields()) {
      out = out.add(f.name(), f.name().equals(column) ? type : f.dataType(), f.nullable());
    }
    return out;
  }

  private static StructType without(StructType schema, List<String> columns) {
    StructType out = new StructType();
    for (var f : schema.fields()) {
      if (!columns.contains(f.name())) {
        out = out.add(f);
      }
    }
    return out;
  }

  private static StructType nullable(StructType schema) {
    StructType out = new StructType();
    for (var f : schema.fields()) {
      out = out.add(f.name().toUpperCase(Locale.ROOT), f.dataType(), true);
    }
    return out;
  }
}
