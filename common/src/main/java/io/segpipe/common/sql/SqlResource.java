package io.segpipe.common.sql;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark SQL query kept as a {@code .sql} resource on the class path. Values (dates, thresholds)
 * are bound as named parameters ({@code :as_of}), so Spark sees typed literals and can prune
 * partitions; only SQL that Java composes from checked config (e.g. one column per configured
 * channel) is spliced in as a fragment ({@code ${channel_columns}}). Immutable: {@code with}
 * returns a new query.
 */
public final class SqlResource {
  private static final Pattern FRAGMENT = Pattern.compile("\\$\\{([a-z_]+)}");
  private static final AtomicLong VIEWS = new AtomicLong();

  private final String name;
  private final String text;
  private final Map<String, Object> parameters;

  private SqlResource(String name, String text, Map<String, Object> parameters) {
    this.name = name;
    this.text = text;
    this.parameters = Map.copyOf(parameters);
  }

  /** Loads {@code path} (e.g. "sql/features/rfm_scores.sql") from the class path. */
  public static SqlResource load(String path) {
    try (InputStream in = SqlResource.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("SQL resource " + path + " is not on the class path");
      }
      return new SqlResource(path, new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read SQL resource " + path, e);
    }
  }

  /** Splices a SQL fragment composed by Java in place of {@code ${fragment}}. */
  public SqlResource withFragment(String fragment, String sql) {
    String placeholder = "${" + fragment + "}";
    if (!text.contains(placeholder)) {
      throw new IllegalStateException(name + " has no fragment " + placeholder);
    }
    return new SqlResource(name, text.replace(placeholder, sql), parameters);
  }

  /**
   * Registers {@code rows} as a temporary view under a name used nowhere else and splices that name
   * in place of {@code ${fragment}}. A fresh name keeps caches alive: replacing a temporary view
   * with a different plan makes Spark uncache the plan the view held, which may be a job's cached
   * data.
   */
  public SqlResource withView(String fragment, Dataset<Row> rows) {
    String view = fragment + "_" + VIEWS.incrementAndGet();
    rows.createOrReplaceTempView(view);
    return withFragment(fragment, view);
  }

  /**
   * Binds a named parameter {@code :parameter} to a value (LocalDate, Instant, numbers, strings).
   */
  public SqlResource with(String parameter, Object value) {
    Map<String, Object> next = new LinkedHashMap<>(parameters);
    next.put(parameter, value);
    return new SqlResource(name, text, next);
  }

  public String name() {
    return name;
  }

  public String text() {
    return text;
  }

  /** Runs the query; every fragment must have been spliced in. */
  public Dataset<Row> run(SparkSession spark) {
    Matcher missing = FRAGMENT.matcher(text);
    if (missing.find()) {
      throw new IllegalStateException(
          name + ": fragment ${" + missing.group(1) + "} was not supplied");
    }
    return parameters.isEmpty() ? spark.sql(text) : spark.sql(text, parameters);
  }

  /** Runs the query and registers the result as a temporary view, for the next query to read. */
  public Dataset<Row> runAsView(SparkSession spark, String view) {
    Dataset<Row> result = run(spark);
    result.createOrReplaceTempView(view);
    return result;
  }
}
