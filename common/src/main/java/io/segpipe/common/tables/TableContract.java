package io.segpipe.common.tables;

import io.segpipe.common.UserError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One table segpipe writes, declared once: its name, columns and types, partition column, key and
 * what a row means. Every job reads and writes the table through this declaration ({@link
 * io.segpipe.common.lake.Lake}): a write must match it column for column, and a read checks the
 * stored table against it.
 *
 * <p>Changes between versions: a new column is additive: declared nullable and listed as {@link
 * #added}, it reads as null from a table written before it existed. A column removed or retyped is
 * a breaking change: reading a table written before it fails naming the column, and the change
 * needs a migration command.
 *
 * <p>A column whose name contains {@code {channel}} is a family: one column per configured sales
 * channel ({@code spend_{channel}} is {@code spend_web}, {@code spend_store}, ...), at that place.
 */
public final class TableContract {
  /** The placeholder of a per-channel column family. */
  public static final String CHANNEL = "{channel}";

  private final String name;
  private final StructType columns;
  private final Optional<String> partition;
  private final List<String> key;
  private final String meaning;
  private final List<String> added;

  TableContract(
      String name, StructType columns, String partition, List<String> key, String meaning) {
    this(name, columns, partition, key, meaning, List.of());
  }

  /**
   * {@code added}: columns added to the table after it was first written, read as null from tables
   * written before; they must be nullable.
   */
  TableContract(
      String name,
      StructType columns,
      String partition,
      List<String> key,
      String meaning,
      List<String> added) {
    this.name = name;
    this.added = List.copyOf(added);
    this.columns = columns;
    this.partition = Optional.ofNullable(partition);
    this.key = List.copyOf(key);
    this.meaning = meaning;
    for (String k : key) {
      if (!columns.getFieldIndex(k).isDefined()) {
        throw new IllegalArgumentException(name + ": key column " + k + " is not a column");
      }
    }
    for (String a : added) {
      if (!columns.getFieldIndex(a).isDefined() || !columns.apply(a).nullable()) {
        throw new IllegalArgumentException(
            name + ": added column " + a + " must be a nullable column");
      }
    }
    this.partition.ifPresent(
        p -> {
          if (!columns.getFieldIndex(p).isDefined()) {
            throw new IllegalArgumentException(name + ": partition " + p + " is not a column");
          }
        });
  }

  public String name() {
    return name;
  }

  /** The declared columns, families unexpanded (named with {@code {channel}}). */
  public StructType columns() {
    return columns;
  }

  /** The columns as written for these channels, in order. */
  public StructType schema(List<String> channels) {
    StructType schema = new StructType();
    for (StructField f : columns.fields()) {
      if (isFamily(f)) {
        for (String channel : channels) {
          schema = schema.add(f.name().replace(CHANNEL, channel), f.dataType(), f.nullable());
        }
      } else {
        schema = schema.add(f);
      }
    }
    return schema;
  }

  /** The column names as written for these channels, in order. */
  public List<String> columnNames(List<String> channels) {
    return List.of(schema(channels).fieldNames());
  }

  public Optional<String> partition() {
    return partition;
  }

  /** The columns that identify a row (within a partition, for a partitioned table). */
  public List<String> key() {
    return key;
  }

  public String meaning() {
    return meaning;
  }

  /** Columns added after the table was first written: null when reading a table written before. */
  public List<String> added() {
    return added;
  }

  /**
   * What is wrong with rows about to be written: a column the contract does not have, one it has
   * that the rows lack, or a different type. Nullability is not compared (Spark's derivations
   * rarely keep it). Empty when the rows match.
   */
  public List<String> writeProblems(StructType rows) {
    List<String> problems = new ArrayList<>();
    Map<String, StructField> produced = byName(rows);
    for (StructField f : rows.fields()) {
      Optional<StructField> declared = declared(f.name());
      if (declared.isEmpty()) {
        problems.add("column " + f.name() + " is not in the contract");
      } else if (!sameType(declared.get().dataType(), f.dataType())) {
        problems.add(
            "column "
                + f.name()
                + " is "
                + f.dataType().simpleString()
                + ", the contract says "
                + declared.get().dataType().simpleString());
      }
    }
    for (StructField f : columns.fields()) {
      if (!isFamily(f) && !produced.containsKey(normalised(f.name()))) {
        problems.add("column " + f.name() + " is missing");
      }
    }
    return problems;
  }

  /** Fails (a bug in segpipe, not the user's doing) when rows do not match the contract. */
  public void checkWrite(StructType rows) {
    List<String> problems = writeProblems(rows);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "rows written to " + name + " do not match its contract: " + String.join("; ", problems));
    }
  }

  /**
   * What makes a stored table unreadable under this contract: a declared column it lacks that was
   * not {@link #added} later, or a column of another type. Columns the table has beyond the
   * contract (written by a newer segpipe) are not a problem.
   */
  public List<String> readProblems(StructType stored) {
    List<String> problems = new ArrayList<>();
    Map<String, StructField> present = byName(stored);
    for (StructField f : columns.fields()) {
      if (isFamily(f)) {
        continue;
      }
      StructField found = present.get(normalised(f.name()));
      if (found == null) {
        if (!added.contains(f.name())) {
          problems.add("it has no column " + f.name() + " (" + f.dataType().simpleString() + ")");
        }
      } else if (!sameType(f.dataType(), found.dataType())) {
        problems.add(retyped(found, f));
      }
    }
    for (StructField f : stored.fields()) {
      declared(f.name())
          .filter(d -> isFamily(d) && !sameType(d.dataType(), f.dataType()))
          .ifPresent(d -> problems.add(retyped(f, d)));
    }
    return problems;
  }

  private static String retyped(StructField stored, StructField declared) {
    return "its column "
        + stored.name()
        + " is "
        + stored.dataType().simpleString()
        + " where this version of segpipe reads "
        + declared.dataType().simpleString();
  }

  /**
   * Fails with what to do when a stored table cannot be read under this contract; {@code where}
   * names the table's location.
   */
  public void checkRead(StructType stored, String where) {
    List<String> problems = readProblems(stored);
    if (!problems.isEmpty()) {
      throw new UserError(
          "Table "
              + name
              + " at "
              + where
              + " does not match what this version of segpipe reads: "
              + String.join("; ", problems)
              + ". It was written by a version with another contract (see docs/contracts.md)."
              + " Rewrite it with the job that writes it, or run the migration that came with"
              + " the change (scripts/segpipe migrate-codes for the move from display names to"
              + " codes).");
    }
  }

  /** The additive columns a stored table lacks: read as nulls of their type. */
  public List<StructField> missingAdditive(StructType stored) {
    Map<String, StructField> present = byName(stored);
    List<StructField> missing = new ArrayList<>();
    for (StructField f : columns.fields()) {
      if (added.contains(f.name()) && !present.containsKey(normalised(f.name()))) {
        missing.add(f);
      }
    }
    return missing;
  }

  private Optional<StructField> declared(String column) {
    for (StructField f : columns.fields()) {
      if (isFamily(f)
          ? matchesFamily(f.name(), column)
          : normalised(f.name()).equals(normalised(column))) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  private static boolean isFamily(StructField f) {
    return f.name().contains(CHANNEL);
  }

  private static boolean matchesFamily(String family, String column) {
    int at = family.indexOf(CHANNEL);
    String prefix = family.substring(0, at);
    String suffix = family.substring(at + CHANNEL.length());
    return column.length() > prefix.length() + suffix.length()
        && column.startsWith(prefix)
        && column.endsWith(suffix);
  }

  private static Map<String, StructField> byName(StructType schema) {
    Map<String, StructField> byName = new LinkedHashMap<>();
    for (StructField f : schema.fields()) {
      byName.put(normalised(f.name()), f);
    }
    return byName;
  }

  /** Spark resolves column names case-insensitively by default. */
  private static String normalised(String column) {
    return column.toLowerCase(Locale.ROOT);
  }

  /** Equal types, nullability of nested elements aside. */
  static boolean sameType(DataType a, DataType b) {
    if (a instanceof StructType sa && b instanceof StructType sb) {
      if (sa.fields().length != sb.fields().length) {
        return false;
      }
      for (int i = 0; i < sa.fields().length; i++) {
        if (!sa.fields()[i].name().equalsIgnoreCase(sb.fields()[i].name())
            || !sameType(sa.fields()[i].dataType(), sb.fields()[i].dataType())) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof ArrayType aa && b instanceof ArrayType ab) {
      return sameType(aa.elementType(), ab.elementType());
    }
    if (a instanceof MapType ma && b instanceof MapType mb) {
      return sameType(ma.keyType(), mb.keyType()) && sameType(ma.valueType(), mb.valueType());
    }
    return a.equals(b);
  }

  @Override
  public String toString() {
    return name;
  }
}
