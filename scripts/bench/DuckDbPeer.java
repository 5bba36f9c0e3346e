import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The single-node peer of the benchmark (scripts/benchmark): DuckDB over the same Parquet files the
 * events Delta table holds. Times a plain scan (count and sum of amount) and the per-customer recency,
 * frequency and monetary with the features job's semantics, then checks that customer_features of the
 * same as-of date holds the same three values for every customer.
 *
 * <p>Then the whole features computation (scripts/bench/features-peer.sql): every column of
 * customer_features, from the raw events (and the customers dimension when the lake has one), with the
 * configuration in conf/segpipe.conf (the channels, the RFM segment map of scheme score-map, the
 * lifecycle thresholds and the value-tier shares; the window is WINDOW_DAYS). It runs twice in one
 * process, the second (warm) run timed, and its rows are compared with the customer_features rows of
 * the as-of date for every customer and every column: exactly for the columns segpipe computes exactly
 * (integers, decimals, dates, strings), and for the double columns (mean_days_between_orders,
 * median_days_between_orders, return_rate, avg_rating) within a relative difference of 1e-12
 * ({@link #DOUBLE_TOLERANCE}: |duckdb - segpipe| <= 1e-12 * max(|duckdb|, |segpipe|); the SQL reproduces
 * Spark's double arithmetic, so they are normally equal too). A customer on one side only counts as
 * differing in every column.
 *
 * <p>Prints one JSON object: scan_rows, scan_amount, scan_seconds(_first), rfm_seconds(_first),
 * customers, customers_differing, customers_only_in_segpipe, example_difference (the RFM check), then
 * features_seconds (the warm DuckDB time of the whole features query), features_seconds_first,
 * features_customers (rows compared), features_columns (columns compared), features_values_differing
 * and, when something differs, features_first_differences ("customer.column: duckdb X, segpipe Y").
 *
 * <pre>java -cp duckdb_jdbc.jar scripts/bench/DuckDbPeer.java LAKE AS_OF WINDOW_DAYS
 * java -cp duckdb_jdbc.jar scripts/bench/DuckDbPeer.java --count LAKE     (rows of the events table)</pre>
 */
public final class DuckDbPeer {
  private static final Pattern ADD = Pattern.compile("\\{\"add\":\\{\"path\":\"([^\"]+)\"");
  private static final Pattern REMOVE = Pattern.compile("\\{\"remove\":\\{\"path\":\"([^\"]+)\"");

  /** Double columns may differ by this much relative to the larger magnitude; every other column not at all. */
  static final double DOUBLE_TOLERANCE = 1e-12;

  /** How many differences the JSON lists. */
  private static final int FIRST_DIFFERENCES = 10;

  /** The table's live data files: added and not removed, read from the JSON commits of the Delta log. */
  static List<String> liveFiles(Path table) throws IOException {
    Path log = table.resolve("_delta_log");
    try (Stream<Path> checkpoints = Files.list(log)) {
      if (checkpoints.anyMatch(p -> p.getFileName().toString().contains(".checkpoint."))) {
        throw new IllegalStateException(table + " has a Delta checkpoint; the benchmark expects a fresh lake");
      }
    }
    Set<String> live = new LinkedHashSet<>();
    List<Path> commits;
    try (Stream<Path> files = Files.list(log)) {
      commits = files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    for (Path commit : commits) {
      for (String line : Files.readAllLines(commit)) {
        Matcher add = ADD.matcher(line);
        if (add.find()) {
          live.add(URLDecoder.decode(add.group(1), StandardCharsets.UTF_8));
        }
        Matcher remove = REMOVE.matcher(line);
        if (remove.find()) {
          live.remove(URLDecoder.decode(remove.group(1), StandardCharsets.UTF_8));
        }
      }
    }
    return live.stream().map(p -> table.resolve(p).toString()).toList();
  }

  static String parquetList(List<String> files) {
    StringBuilder sql = new StringBuilder("read_parquet([");
    for (int i = 0; i < files.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append('\'').append(files.get(i).replace("'", "''")).append('\'');
    }
    return sql.append("], hive_partitioning = true)").toString();
  }

  /** Seconds of the second of two runs (the first warms the file cache and DuckDB), and the first. */
  record Timing(double first, double second) {}

  static Timing time(Connection c, String sql) throws SQLException {
    double[] seconds = new double[2];
    for (int run = 0; run < 2; run++) {
      long start = System.nanoTime();
      try (Statement s = c.createStatement()) {
        s.execute(sql);
      }
      seconds[run] = (System.nanoTime() - start) / 1e9;
    }
    return new Timing(seconds[0], seconds[1]);
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("--count")) {
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
        try (Statement s = c.createStatement()) {
          System.out.println(single(s, "SELECT count(*) FROM " + parquetList(liveFiles(Path.of(args[1]).resolve("events")))));
        }
      }
      return;
    }
    Path lake = Path.of(args[0]).toAbsolutePath();
    LocalDate asOf = LocalDate.parse(args[1]);
    int windowDays = Integer.parseInt(args[2]);
    String events = parquetList(liveFiles(lake.resolve("events")));
    String features = parquetList(liveFiles(lake.resolve("customer_features")));
    // the customers dimension when the lake has one (customer_id, signup_date), as the features job reads it
    List<String> customerFiles = Files.isDirectory(lake.resolve("customers").resolve("_delta_log"))
        ? liveFiles(lake.resolve("customers")) : List.of();
    String customersTable = customerFiles.isEmpty()
        ? "(SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS DATE) AS signup_date WHERE false)"
        : parquetList(customerFiles);
    String featuresPeer = featuresSql(events, customersTable, asOf, windowDays,
        FeaturesConfig.read(Path.of("conf/segpipe.conf")));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      try (Statement s = c.createStatement()) {
        s.execute("SET TimeZone = 'UTC'");
      }
      Timing scan = time(c, "CREATE OR REPLACE TEMP TABLE scan AS SELECT count(*) AS n, sum(amount) AS amount FROM " + events);
      String rfm = "CREATE OR REPLACE TEMP TABLE rfm AS\n" + rfmSql(events, asOf, windowDays,
          "date_diff('day', max(o.order_date), DATE '" + asOf + "')");
      Timing rfmTime = time(c, rfm);
      long customers;
      long differ;
      long segpipeOnly;
      String example = "";
      try (Statement s = c.createStatement()) {
        s.execute("""
            CREATE OR REPLACE TEMP TABLE segpipe AS SELECT customer_id, frequency, monetary, recency_days FROM %s
            WHERE as_of_date = DATE '%s' AND events_in_window > 0""".formatted(features, asOf));
        customers = single(s, "SELECT count(*) FROM rfm");
        differ = single(s, """
            SELECT count(*) FROM rfm d LEFT JOIN segpipe p USING (customer_id)
            WHERE p.customer_id IS NULL OR d.frequency <> p.frequency OR d.monetary <> p.monetary
              OR d.recency_days IS DISTINCT FROM p.recency_days""");
        segpipeOnly = single(s, "SELECT count(*) FROM segpipe p ANTI JOIN rfm d USING (customer_id)");
        try (ResultSet r = s.executeQuery("""
            SELECT d.customer_id, d.frequency, d.monetary, d.recency_days, p.frequency, p.monetary, p.recency_days
            FROM rfm d LEFT JOIN segpipe p USING (customer_id)
            WHERE p.customer_id IS NULL OR d.frequency <> p.frequency OR d.monetary <> p.monetary
              OR d.recency_days IS DISTINCT FROM p.recency_days ORDER BY 1 LIMIT 1""")) {
          if (r.next()) {
            example = r.getString(1) + " duckdb(" + r.getObject(2) + "," + r.getObject(3) + "," + r.getObject(4)
                + ") segpipe(" + r.getObject(5) + "," + r.getObject(6) + "," + r.getObject(7) + ")";
          }
        }
      }
      BigDecimal amount;
      long rows;
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n, amount FROM scan")) {
        r.next();
        rows = r.getLong(1);
        amount = r.getBigDecimal(2);
      }
      List<String> fields = new ArrayList<>();
      fields.add("\"scan_rows\": " + rows);
      fields.add("\"scan_amount\": \"" + amount + "\"");
      fields.add("\"scan_seconds\": " + scan.second());
      fields.add("\"scan_seconds_first\": " + scan.first());
      fields.add("\"rfm_seconds\": " + rfmTime.second());
      fields.add("\"rfm_seconds_first\": " + rfmTime.first());
      fields.add("\"customers\": " + customers);
      fields.add("\"customers_differing\": " + differ);
      fields.add("\"customers_only_in_segpipe\": " + segpipeOnly);
      fields.add("\"example_difference\": \"" + example.replace("\"", "'") + "\"");

      Timing featuresTime = time(c, "CREATE OR REPLACE TEMP TABLE peer_features AS\n" + featuresPeer);
      Comparison comparison = compare(c, features, asOf);
      fields.add("\"features_seconds\": " + featuresTime.second());
      fields.add("\"features_seconds_first\": " + featuresTime.first());
      fields.add("\"features_customers\": " + comparison.customers());
      fields.add("\"features_columns\": " + comparison.columns());
      fields.add("\"features_values_differing\": " + comparison.differing());
      if (comparison.differing() > 0) {
        fields.add("\"features_first_differences\": [" + comparison.first().stream().map(DuckDbPeer::json)
            .collect(Collectors.joining(", ")) + "]");
      }
      System.out.println("{" + String.join(", ", fields) + "}");
    }
  }

  /** The outcome of comparing the peer's features with segpipe's: rows, columns, differing values, the first few. */
  record Comparison(long customers, int columns, long differing, List<String> first) {}

  /**
   * Compares table peer_features with the customer_features rows of {@code asOf} ({@code features}: its
   * Parquet files), every customer (a full outer join on customer_id) and every column but customer_id
   * and as_of_date: exactly, or within {@link #DOUBLE_TOLERANCE} for DOUBLE columns. Both must have the
   * same columns, in the same order.
   */
  static Comparison compare(Connection c, String features, LocalDate asOf) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE OR REPLACE TEMP TABLE segpipe_features AS SELECT * EXCLUDE (as_of_date) FROM " + features
          + " WHERE as_of_date = DATE '" + asOf + "'");
      Map<String, String> segpipeColumns = columns(s, "segpipe_features");
      Map<String, String> peerColumns = columns(s, "peer_features");
      if (!new ArrayList<>(segpipeColumns.keySet()).equals(new ArrayList<>(peerColumns.keySet()))) {
        throw new IllegalStateException("scripts/bench/features-peer.sql gives the columns " + peerColumns.keySet()
            + " but customer_features has " + segpipeColumns.keySet());
      }
      List<String> compared = segpipeColumns.keySet().stream().filter(n -> !n.equals("customer_id")).toList();
      Map<String, String> differs = new LinkedHashMap<>();
      for (String column : compared) {
        String d = "d." + quote(column);
        String p = "p." + quote(column);
        differs.put(column, segpipeColumns.get(column).equals("DOUBLE")
            ? "NOT coalesce((" + d + " IS NULL AND " + p + " IS NULL) OR abs(" + d + " - " + p + ") <= "
                + DOUBLE_TOLERANCE + " * greatest(abs(" + d + "), abs(" + p + ")), false)"
            : d + " IS DISTINCT FROM " + p);
      }
      s.execute("CREATE OR REPLACE TEMP TABLE features_compared AS\n"
          + "SELECT coalesce(d.customer_id, p.customer_id) AS customer_id, d.customer_id IS NULL AS only_in_segpipe,\n"
          + "  p.customer_id IS NULL AS only_in_duckdb,\n  "
          + differs.entrySet().stream().map(e -> "(" + e.getValue() + ") AS " + quote("differs_" + e.getKey()))
              .collect(Collectors.joining(",\n  "))
          + "\nFROM peer_features d FULL OUTER JOIN segpipe_features p ON p.customer_id = d.customer_id");
      long customers;
      long differing;
      try (ResultSet r = s.executeQuery("SELECT count(*), coalesce(sum(CASE WHEN only_in_segpipe OR only_in_duckdb THEN "
          + compared.size() + " ELSE " + compared.stream().map(n -> "CAST(" + quote("differs_" + n) + " AS INT)")
              .collect(Collectors.joining(" + ")) + " END), 0) FROM features_compared")) {
        r.next();
        customers = r.getLong(1);
        differing = r.getLong(2);
      }
      List<String> first = new ArrayList<>();
      if (differing > 0) {
        List<String> parts = new ArrayList<>();
        parts.add("SELECT customer_id, -1 AS ordinal, customer_id || ': only in '"
            + " || CASE WHEN only_in_segpipe THEN 'segpipe' ELSE 'duckdb' END AS difference"
            + " FROM features_compared WHERE only_in_segpipe OR only_in_duckdb");
        for (int i = 0; i < compared.size(); i++) {
          String column = compared.get(i);
          parts.add(("SELECT x.customer_id, %d, x.customer_id || '.%s: duckdb ' || coalesce(CAST(d.%s AS VARCHAR), 'null')"
              + " || ', segpipe ' || coalesce(CAST(p.%s AS VARCHAR), 'null')"
              + " FROM features_compared x JOIN peer_features d ON d.customer_id = x.customer_id"
              + " JOIN segpipe_features p ON p.customer_id = x.customer_id WHERE x.%s")
              .formatted(i, column, quote(column), quote(column), quote("differs_" + column)));
        }
        try (ResultSet r = s.executeQuery("SELECT difference FROM (" + String.join("\nUNION ALL\n", parts)
            + ") ORDER BY customer_id, ordinal LIMIT " + FIRST_DIFFERENCES)) {
          while (r.next()) {
            first.add(r.getString(1));
          }
        }
      }
      return new Comparison(customers, compared.size(), differing, first);
    }
  }

  /** A table's columns and their DuckDB types, in order. */
  private static Map<String, String> columns(Statement s, String table) throws SQLException {
    Map<String, String> columns = new LinkedHashMap<>();
    try (ResultSet r = s.executeQuery("DESCRIBE " + table)) {
      while (r.next()) {
        columns.put(r.getString("column_name"), r.getString("column_type"));
      }
    }
    return columns;
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** A JSON string literal. */
  static String json(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char ch : text.toCharArray()) {
      switch (ch) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(ch < 0x20 ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
      }
    }
    return out.append('"').toString();
  }

  /** One segment of the score map: its code and inclusive ranges of r, f, m and fm (absent: any score). */
  record Segment(String code, Map<String, String[]> ranges) {}

  /**
   * What features-peer.sql takes from segpipe's configuration, conf/segpipe.conf (the defaults the
   * features job runs with when no other config sets these keys, as for the benchmark's lakes): the
   * channels, the RFM segment map (scheme score-map), the lifecycle thresholds and the value-tier
   * shares. A reader of that file's layout, not of HOCON at large: it fails naming what it cannot find.
   */
  record FeaturesConfig(List<String> channels, List<String> socialChannels, List<Segment> segments,
      Map<String, Integer> lifecycle, BigDecimal highShare, BigDecimal midShare, String timeZone,
      Map<Integer, String> dayparts, List<String> weekend) {
    static final List<String> LIFECYCLE = List.of("new-within-days", "at-risk-after-days", "lapsed-after-days",
        "churned-after-days", "reactivated-gap-days");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]*");

    static FeaturesConfig read(Path file) throws IOException {
      String text = Files.readString(file).replaceAll("(?m)^\\s*#.*$", "");
      String segpipe = block(text, "segpipe", '{', '}');
      String features = block(segpipe, "features", '{', '}');
      String rfm = block(features, "rfm", '{', '}');
      String scheme = value(rfm, "scheme").replace("\"", "");
      if (!scheme.equals("score-map")) {
        throw new IllegalStateException(file + ": segpipe.features.rfm.scheme is " + scheme
            + "; the peer implements score-map");
      }
      List<String> channels = Stream.of(block(block(segpipe, "events", '{', '}'), "channels =", '[', ']').split(","))
          .map(v -> v.trim().replace("\"", "")).filter(v -> !v.isEmpty()).toList();
      channels.stream().filter(ch -> !IDENTIFIER.matcher(ch).matches()).findFirst().ifPresent(ch -> {
        throw new IllegalStateException(file + ": channel '" + ch + "' is not a lower-case identifier");
      });
      // segpipe.features.social-channels, those of the channels (features leave others out)
      List<String> social = Stream.of(block(features, "social-channels =", '[', ']').split(","))
          .map(v -> v.trim().replace("\"", "")).filter(channels::contains).toList();
      List<Segment> segments = new ArrayList<>();
      Matcher entry = Pattern.compile("\\{([^{}]*)\\}").matcher(block(rfm, "segments =", '[', ']'));
      Pattern range = Pattern.compile("(?<![a-z_])(r|f|m|fm)\\s*[=:]\\s*\\[\\s*([0-9.]+)\\s*,\\s*([0-9.]+)\\s*\\]");
      Pattern code = Pattern.compile("code\\s*[=:]\\s*\"?([a-z][a-z0-9_]*)\"?");
      while (entry.find()) {
        Matcher name = code.matcher(entry.group(1));
        if (!name.find()) {
          throw new IllegalStateException(file + ": a segment without a code: " + entry.group(1).trim());
        }
        Map<String, String[]> ranges = new LinkedHashMap<>();
        Matcher r = range.matcher(entry.group(1));
        while (r.find()) {
          ranges.put(r.group(1), new String[] {r.group(2), r.group(3)});
        }
        segments.add(new Segment(name.group(1), ranges));
      }
      if (segments.isEmpty()) {
        throw new IllegalStateException(file + ": no segments in segpipe.features.rfm.segments");
      }
      Map<String, Integer> lifecycle = new LinkedHashMap<>();
      String stages = block(features, "lifecycle", '{', '}');
      for (String key : LIFECYCLE) {
        lifecycle.put(key, Integer.parseInt(value(stages, key)));
      }
      String tiers = block(features, "value-tier", '{', '}');
      // segpipe.features.dayparts: the zone, each daypart's start hour, the weekend's days
      String dayparts = block(features, "dayparts", '{', '}');
      Map<Integer, String> parts = new TreeMap<>();
      Matcher part = Pattern.compile("\\{\\s*code\\s*=\\s*([a-z][a-z0-9_]*)\\s*,?\\s*from-hour\\s*=\\s*([0-9]+)\\s*\\}")
          .matcher(block(dayparts, "parts =", '[', ']'));
      while (part.find()) {
        parts.put(Integer.parseInt(part.group(2)), part.group(1));
      }
      if (!parts.containsValue("evening")) {
        throw new IllegalStateException(file + ": no evening daypart in segpipe.features.dayparts.parts: " + parts);
      }
      List<String> weekend = Stream.of(block(dayparts, "weekend =", '[', ']').split(","))
          .map(v -> v.trim().replace("\"", "").toUpperCase(Locale.ROOT)).filter(v -> !v.isEmpty()).toList();
      return new FeaturesConfig(channels, social, segments, lifecycle, new BigDecimal(value(tiers, "high-share")),
          new BigDecimal(value(tiers, "mid-share")), value(dayparts, "time-zone").replace("\"", ""), parts, weekend);
    }

    /** The text between the brackets that follow the first {@code name} at the start of a line. */
    private static String block(String text, String name, char open, char close) {
      Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(name) + "\\s*\\" + open).matcher(text);
      if (!m.find()) {
        throw new IllegalStateException("conf/segpipe.conf: no '" + name + " " + open + "' found");
      }
      int depth = 1;
      for (int i = m.end(); i < text.length(); i++) {
        char ch = text.charAt(i);
        depth += ch == open ? 1 : ch == close ? -1 : 0;
        if (depth == 0) {
          return text.substring(m.end(), i);
        }
      }
      throw new IllegalStateException("conf/segpipe.conf: '" + name + "' is not closed");
    }

    /** The value of the first {@code key = value} line. */
    private static String value(String text, String key) {
      Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(key) + "\\s*[=:]\\s*(\\S.*?)\\s*$").matcher(text);
      if (!m.find()) {
        throw new IllegalStateException("conf/segpipe.conf: no value for " + key);
      }
      return m.group(1);
    }
  }

  /** scripts/bench/features-peer.sql with its placeholders filled. */
  static String featuresSql(String events, String customers, LocalDate asOf, int windowDays, FeaturesConfig config)
      throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("events", events);
    values.put("customers", customers);
    values.put("window_start", asOf.minusDays(windowDays - 1L).toString());
    values.put("as_of", asOf.toString());
    values.put("day_after", asOf.plusDays(1).toString());
    // the per-channel terms (CustomerActivity and RawEventsReference compose them the same way): an order
    // counts in each channel it has a purchase line in; spend is purchases - returns in the channel
    values.put("channel_order_flags", perChannel(config, ch -> "bool_or(channel = '" + ch + "') AS in_channel_" + ch));
    values.put("channel_order_counts", perChannel(config, ch -> "count(*) FILTER (WHERE in_channel_" + ch + ") AS orders_"
        + ch));
    values.put("channel_spend", perChannel(config, ch -> "sum(CASE WHEN e.channel = '" + ch
        + "' THEN e.net_amount ELSE 0 END) AS spend_" + ch));
    values.put("social_condition", config.socialChannels().isEmpty() ? "false"
        : config.socialChannels().stream().map(ch -> "'" + ch + "'").collect(Collectors.joining(", ", "e.channel IN (", ")")));
    // dayparts: from each start hour up to the next one's; hours before the first start are the last one's
    List<Map.Entry<Integer, String>> parts = new ArrayList<>(config.dayparts().entrySet());
    StringBuilder daypart = new StringBuilder("CASE");
    StringBuilder rank = new StringBuilder("CASE daypart");
    for (int i = parts.size() - 1; i >= 0; i--) {
      daypart.append(" WHEN hour(local_time) >= ").append(parts.get(i).getKey()).append(" THEN '")
          .append(parts.get(i).getValue()).append("'");
    }
    for (int i = 0; i < parts.size(); i++) {
      rank.append(" WHEN '").append(parts.get(i).getValue()).append("' THEN ").append(i);
    }
    values.put("daypart_case", daypart.append(" ELSE '").append(parts.get(parts.size() - 1).getValue())
        .append("' END").toString());
    values.put("daypart_rank", rank.append(" END").toString());
    values.put("weekend_days", config.weekend().isEmpty() ? "NULL" : config.weekend().stream()
        .map(d -> String.valueOf(DayOfWeek.valueOf(d).getValue() % 7)).collect(Collectors.joining(", ")));
    values.put("time_zone", config.timeZone());
    values.put("channel_list", config.channels().stream().map(ch -> "'" + ch + "'").collect(Collectors.joining(", ")));
    values.put("channel_flags", config.channels().stream().map(ch -> "CAST(bool_or(e.channel = '" + ch + "') AS INT)")
        .collect(Collectors.joining(" + ")));
    // customer_features has every orders_ column, then every spend_ column (FeatureSnapshot)
    values.put("channel_columns", perChannel(config, ch -> "CAST(coalesce(o.orders_" + ch + ", 0) AS BIGINT) AS orders_"
        + ch) + ",\n    " + perChannel(config, ch -> "CAST(coalesce(e.spend_" + ch + ", 0) AS DECIMAL(18, 2)) AS spend_"
        + ch));
    values.put("channel_select", perChannel(config, ch -> "s.orders_" + ch) + ",\n    "
        + perChannel(config, ch -> "s.spend_" + ch));
    values.put("segment_map", config.segments().stream().map(segment -> {
      StringBuilder row = new StringBuilder("('" + segment.code() + "'");
      for (String score : List.of("r", "f", "m", "fm")) {
        String[] range = segment.ranges().get(score);
        for (int i = 0; i < 2; i++) {
          row.append(", CAST(").append(range == null ? "NULL" : new BigDecimal(range[i]).toPlainString())
              .append(" AS DOUBLE)");
        }
      }
      return row.append(")").toString();
    }).collect(Collectors.joining(",\n    ")));
    config.lifecycle().forEach((key, days) -> values.put(key.replace('-', '_'), String.valueOf(days)));
    // the value-tier shares high and high + mid as fractions over one denominator, compared exactly
    BigDecimal highMid = config.highShare().add(config.midShare());
    int scale = Math.max(0, Math.max(config.highShare().scale(), highMid.scale()));
    values.put("share_denominator", BigDecimal.TEN.pow(scale).toPlainString());
    values.put("high_share_numerator", config.highShare().setScale(scale).unscaledValue().toString());
    values.put("high_mid_share_numerator", highMid.setScale(scale).unscaledValue().toString());
    // comment lines out first: they name the placeholders, and a fragment spans lines
    String sql = Files.readString(Path.of("scripts/bench/features-peer.sql")).replaceAll("(?m)^\\s*--.*\n", "");
    for (Map.Entry<String, String> value : values.entrySet()) {
      sql = sql.replace("${" + value.getKey() + "}", value.getValue());
    }
    Matcher left = Pattern.compile("\\$\\{[a-z_]+\\}").matcher(sql);
    if (left.find()) {
      throw new IllegalStateException("scripts/bench/features-peer.sql: placeholder " + left.group() + " not filled");
    }
    return sql;
  }

  private static String perChannel(FeaturesConfig config, Function<String, String> term) {
    return config.channels().stream().map(term).collect(Collectors.joining(",\n    "));
  }

  private static long single(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** scripts/bench/rfm-peer.sql with its placeholders filled (the same query SparkScan runs). */
  static String rfmSql(String events, LocalDate asOf, int windowDays, String recency) throws IOException {
    return Files.readString(Path.of("scripts/bench/rfm-peer.sql"))
        .replace("${events}", events)
        .replace("${window_start}", asOf.minusDays(windowDays - 1L).toString())
        .replace("${as_of}", asOf.toString())
        .replace("${day_after}", asOf.plusDays(1).toString())
        .replace("${recency}", recency);
  }
}
