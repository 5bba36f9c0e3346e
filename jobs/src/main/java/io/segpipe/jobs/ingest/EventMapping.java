package io.segpipe.jobs.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import io.segpipe.common.UserError;
import io.segpipe.common.schema.Events;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructField;
import scala.collection.JavaConverters;

/**
 * Applies a {@link SourceMapping} to source rows. The result has, per canonical column, the typed
 * value ({@code amount}) and the value the expression gave before the cast ({@code src_amount}), so
 * validation can tell "missing" from "could not be read"; plus the raw row as JSON, the source file
 * and the reasons the mapping's own reject rules give.
 */
public final class EventMapping {
  public static final String RAW = "raw";

  /**
   * The source row's columns as a struct: its JSON text ({@link #rawJson}) is made only where it is
   * needed (rejected rows, derived event ids), not for every row read.
   */
  static final String RAW_FIELDS = "raw_fields";

  public static final String SOURCE_FILE = "source_file";
  public static final String RULE_REASONS = "rule_reasons";
  static final String SRC = "src_";

  /** The prefix of the columns holding each identifier type's raw value. */
  public static final String IDENTIFIER = "src_identifier_";

  private EventMapping() {}

  /**
   * @param identifiers whether the mapping's identifiers are read (identity stitching on): each
   *     type's raw value becomes a column {@value #IDENTIFIER}TYPE
   */
  public static Dataset<Row> apply(
      Dataset<Row> source, SourceMapping mapping, boolean identifiers) {
    checkExpressions(source, mapping, identifiers);
    Column rawFields =
        struct(Arrays.stream(source.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new));
    List<Column> columns = new ArrayList<>();
    columns.add(rawFields.as(RAW_FIELDS));
    columns.add(input_file_name().as(SOURCE_FILE));
    if (mapping.eventIdExpression() != null) {
      columns.add(expr(mapping.eventIdExpression()).cast("string").as(SRC + "event_id"));
    }
    for (Map.Entry<String, String> c : mapping.columns().entrySet()) {
      columns.add(expr(c.getValue()).as(SRC + c.getKey()));
    }
    if (identifiers) {
      for (Map.Entry<String, String> c : mapping.identifiers().entrySet()) {
        columns.add(expr(c.getValue()).as(IDENTIFIER + c.getKey()));
      }
    }
    Column[] rules =
        mapping.rejectRules().stream()
            .map(r -> when(expr(r.when()), lit(r.reason())))
            .toArray(Column[]::new);
    Column ruleReasons =
        rules.length == 0 ? array().cast("array<string>") : array_compact(array(rules));
    columns.add(ruleReasons.as(RULE_REASONS));
    Dataset<Row> mapped = source.select(columns.toArray(Column[]::new));
    if (mapping.eventIdExpression() == null) {
      // the JSON text once per row, for the hash and the window over identical rows
      mapped =
          mapped
              .withColumn(RAW, rawJson())
              .withColumn(SRC + "event_id", derivedEventId(mapping.identicalRows()))
              .drop(RAW);
    }
    List<Column> typed =
        new ArrayList<>(Arrays.stream(mapped.columns()).map(c -> col("`" + c + "`")).toList());
    for (StructField f : Events.MAPPED.fields()) {
      typed.add(
          expr("try_cast(`" + SRC + f.name() + "` AS " + f.dataType().sql() + ")").as(f.name()));
    }
    return mapped.select(typed.toArray(Column[]::new));
  }

  /**
   * An id for sources without one: a hash of the whole raw line, so the same file ingested twice
   * gives the same ids. With KEEP, lines repeated verbatim get their occurrence number appended and
   * stay separate events; with DROP they share the id and de-duplication keeps one.
   */
  private static Column derivedEventId(SourceMapping.IdenticalRows identicalRows) {
    Column hash = sha2(col(RAW), 256);
    if (identicalRows == SourceMapping.IdenticalRows.DROP) {
      return hash;
    }
    Column occurrence = row_number().over(Window.partitionBy(col(RAW)).orderBy(col(RAW)));
    return concat(hash, lit("-"), occurrence.cast("string"));
  }

  /**
   * The source row as JSON text (every source column, by name), from the {@value #RAW_FIELDS} of
   * the mapped rows: what quarantined rows keep as their raw row.
   */
  public static Column rawJson() {
    return to_json(col(RAW_FIELDS));
  }

  /**
   * The source columns no expression of the mapping (event id, columns, reject rules) reads, in
   * source order: an export that gained a column the mapping does not know yet.
   */
  public static List<String> unusedColumns(Dataset<Row> source, SourceMapping mapping) {
    List<Column> all = new ArrayList<>();
    if (mapping.eventIdExpression() != null) {
      all.add(expr(mapping.eventIdExpression()));
    }
    mapping.columns().values().forEach(e -> all.add(expr(e)));
    // identifiers count as used where they resolve (with stitching off they are not read)
    mapping.identifiers().values().stream()
        .filter(e -> resolves(source, e))
        .forEach(e -> all.add(expr(e)));
    mapping.rejectRules().forEach(r -> all.add(expr(r.when())));
    Set<String> used = new HashSet<>();
    JavaConverters.asJavaCollection(
            source
                .select(all.toArray(Column[]::new))
                .queryExecution()
                .analyzed()
                .references()
                .toSeq())
        .forEach(a -> used.add(a.name().toLowerCase(Locale.ROOT)));
    return Arrays.stream(source.columns())
        .filter(c -> !used.contains(c.toLowerCase(Locale.ROOT)))
        .toList();
  }

  /**
   * Resolves each expression on its own so a bad one is named with the canonical column it feeds.
   */
  private static boolean resolves(Dataset<Row> source, String expression) {
    try {
      source.select(expr(expression));
      return true;
    } catch (Exception e) { // AnalysisException
      if (!(e instanceof AnalysisException)) {
        throw e;
      }
      return false;
    }
  }

  private static void checkExpressions(
      Dataset<Row> source, SourceMapping mapping, boolean identifiers) {
    List<String> problems = new ArrayList<>();
    Map<String, String> all = new LinkedHashMap<>();
    if (mapping.eventIdExpression() != null) {
      all.put("event-id", mapping.eventIdExpression());
    }
    mapping.columns().forEach((k, v) -> all.put("columns." + k, v));
    if (identifiers) {
      mapping.identifiers().forEach((k, v) -> all.put("identifiers." + k, v));
    }
    mapping.rejectRules().forEach(r -> all.put("reject rule '" + r.reason() + "'", r.when()));
    for (Map.Entry<String, String> e : all.entrySet()) {
      try {
        source.select(expr(e.getValue()));
      } catch (Exception ex) { // Spark's AnalysisException is checked in Scala's eyes only
        if (!(ex instanceof AnalysisException)) {
          throw ex;
        }
        String why = ex.getMessage().split("\n")[0];
        problems.add(e.getKey() + " = " + e.getValue() + "\n      " + why);
      }
    }
    if (!problems.isEmpty()) {
      throw new UserError(
          "Source mapping "
              + mapping.origin()
              + " does not fit the source: "
              + problems.size()
              + " expression"
              + (problems.size() == 1 ? "" : "s")
              + " cannot be resolved:\n  - "
              + String.join("\n  - ", problems)
              + "\n  The source has the columns "
              + Arrays.toString(source.columns())
              + ". Fix the mapping or point --source at the right files.");
    }
  }
}
