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
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The single-node peer of the benchmark (scripts/benchmark): DuckDB over the same Parquet files the
 * events Delta table holds. Times a plain scan (count and sum of amount) and the per-customer recency,
 * frequency and monetary with the features job's semantics, then checks that customer_features of the
 * same as-of date holds the same three values for every customer. Prints one JSON object.
 *
 * <pre>java -cp duckdb_jdbc.jar scripts/bench/DuckDbPeer.java LAKE AS_OF WINDOW_DAYS
 * java -cp duckdb_jdbc.jar scripts/bench/DuckDbPeer.java --count LAKE     (rows of the events table)</pre>
 */
public final class DuckDbPeer {
  private static final Pattern ADD = Pattern.compile("\\{\"add\":\\{\"path\":\"([^\"]+)\"");
  private static final Pattern REMOVE = Pattern.compile("\\{\"remove\":\\{\"path\":\"([^\"]+)\"");

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
      System.out.println("{" + String.join(", ", fields) + "}");
    }
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
