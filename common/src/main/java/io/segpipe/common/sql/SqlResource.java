package io.segpipe.common.sql;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 * channel) is spliced in as a fragment ({@code ${channel_columns}}). The rows a query reads are
 * handed to it as views ({@code FROM ${customers}}, {@link #withView}): the only way data reaches a
 * query, so no query depends on a view some other code happened to register. Immutable: {@code
 * with} returns a new query.
 */
public final class SqlResource {
  private static final Pattern FRAGMENT = Pattern.compile("\\$\\{([a-z_]+)}");
  private static final AtomicLong VIEWS = new AtomicLong();

  private final String name;
  private final String text;
  private final Map<String, Object> parameters;
  private final Map<String, Dataset<Row>> views;

  private SqlResource(
      String name, String text, Map<String, Object> parameters, Map<String, Dataset<Row>> views) {
    this.name = name;
    this.text = text;
    // a parameter may be null (SQL NULL; CAST it to its type in the query)
    this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    this.views = Map.copyOf(views);
  }

  /** Loads {@code path} (e.g. "sql/features/rfm_scores.sql") from the class path. */
  public static SqlResource load(String path) {
    try (InputStream in = SqlResource.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("SQL resource " + path + " is not on the class path");
      }
      return new SqlResource(
          path, new String(in.readAllBytes(), StandardCharsets.UTF_8), Map.of(), Map.of());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read SQL resource " + path, e);
    }
  }

  /** Splices a SQL fragment composed by Java in place of {@code ${fragment}}. */
  public SqlResource withFragment(String fragment, String sql) {
    String placeholder = placeholder(fragment);
    return new SqlResource(name, text.replace(placeholder, sql), parameters, views);
  }

  /**
   * Makes {@code rows} what the query reads in place of {@code ${fragment}}. Nothing is registered
   * yet: {@link #run} registers the rows as a temporary view under a name used nowhere else,
   * splices that name in, and drops the view again once Spark has analysed the query.
   */
  public SqlResource withView(String fragment, Dataset<Row> rows) {
    placeholder(fragment);
    if (views.containsKey(fragment)) {
      throw new IllegalStateException(name + " already has a view for ${" + fragment + "}");
    }
    Map<String, Dataset<Row>> next = new LinkedHashMap<>(views);
    next.put(fragment, rows);
    return new SqlResource(name, text, parameters, next);
  }

  /**
   * Binds a named parameter {@code :parameter} to a value (LocalDate, Instant, numbers, strings).
   */
  public SqlResource with(String parameter, Object value) {
    Map<String, Object> next = new LinkedHashMap<>(parameters);
    next.put(parameter, value);
    return new SqlResource(name, text, next, views);
  }

  public String name() {
    return name;
  }

  /**
   * Runs the query; every fragment must have been supplied. Each view's rows are registered under a
   * fresh name for the time {@code spark.sql} takes to analyse the query, which puts the rows' plan
   * into the result's, and are then dropped from the session catalog directly: {@code
   * spark.catalog().dropTempView} (and replacing a view) would also uncache the plan the view held,
   * which may be a job's cached data. The returned Dataset no longer needs the names.
   */
  public Dataset<Row> run(SparkSession spark) {
    String sql = text;
    Map<String, Dataset<Row>> registrations = new LinkedHashMap<>();
    for (Map.Entry<String, Dataset<Row>> view : views.entrySet()) {
      String unique = view.getKey() + "_" + VIEWS.incrementAndGet();
      sql = sql.replace(placeholder(view.getKey()), unique);
      registrations.put(unique, view.getValue());
    }
    Matcher missing = FRAGMENT.matcher(sql);
    if (missing.find()) {
      throw new IllegalStateException(
          name + ": fragment ${" + missing.group(1) + "} was not supplied");
    }
    List<String> registered = new ArrayList<>();
    try {
      for (Map.Entry<String, Dataset<Row>> view : registrations.entrySet()) {
        view.getValue().createOrReplaceTempView(view.getKey());
        registered.add(view.getKey());
      }
      return parameters.isEmpty() ? spark.sql(sql) : spark.sql(sql, parameters);
    } finally {
      for (String view : registered) {
        registrations.get(view).sparkSession().sessionState().catalog().dropTempView(view);
      }
    }
  }

  private String placeholder(String fragment) {
    String placeholder = "${" + fragment + "}";
    if (!text.contains(placeholder)) {
      throw new IllegalStateException(name + " has no fragment " + placeholder);
    }
    return placeholder;
  }
}
