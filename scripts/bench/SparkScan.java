import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.lake.Lake;
import io.segpipe.jobs.features.CustomerFeatures;
import io.segpipe.features.FeaturesSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark side of the benchmark's peer comparison (scripts/benchmark), each measure run twice in one
 * local session (the second run is the one compared, as for DuckDB):
 * <ul>
 *   <li>the one-pass floor: count and sum of amount over the events Delta table;</li>
 *   <li>the recency/frequency/monetary query DuckDB runs (scripts/bench/rfm-peer.sql), in Spark SQL;</li>
 *   <li>segpipe's whole features computation (CustomerFeatures: every behaviour feature, the RFM
 *       boundaries and scores, lifecycle stages and value tiers) from the window's customer_daily rows, as
 *       the features job computes it, up to the rows it would write.</li>
 * </ul>
 * Prints the seconds as one JSON line.
 *
 * <pre>java FLAGS -cp SPARK_JARS:BUNDLE scripts/bench/SparkScan.java LAKE MASTER AS_OF WINDOW_DAYS</pre>
 */
public final class SparkScan {
  public static void main(String[] args) throws IOException {
    String lake = args[0];
    LocalDate asOf = LocalDate.parse(args[2]);
    int windowDays = Integer.parseInt(args[3]);
    SparkSession spark = SparkSession.builder().master(args[1]).appName("segpipe benchmark peer")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .getOrCreate();
    Dataset<Row> events = spark.read().format("delta").load(lake + "/events");
    events.createOrReplaceTempView("bench_events");

    Row[] scan = new Row[1];
    double[] scanSeconds = twice(() -> scan[0] = events.selectExpr("count(*) AS n", "sum(amount) AS amount").first());

    String rfm = "SELECT count(*), sum(frequency), sum(monetary), sum(recency_days) FROM ("
        + Files.readString(Path.of("scripts/bench/rfm-peer.sql"))
            .replaceAll("(?m)^--.*\n", "")
            .replace("${events}", "bench_events")
            .replace("${window_start}", asOf.minusDays(windowDays - 1L).toString())
            .replace("${as_of}", asOf.toString())
            .replace("${day_after}", asOf.plusDays(1).toString())
            .replace("${recency}", "datediff(DATE '" + asOf + "', max(o.order_date))")
        + ")";
    Row[] rfmRow = new Row[1];
    double[] rfmSeconds = twice(() -> rfmRow[0] = spark.sql(rfm).first());

    SegpipeConfig config = SegpipeConfig.load(Optional.empty(),
        Map.of("segpipe.features.window-days", String.valueOf(windowDays)));
    FeaturesSettings settings = config.section(r -> FeaturesSettings.read(r, asOf, config.events().channels()));
    Dataset<Row> customers = spark.read().format("delta").load(lake + "/customers").select("customer_id", "signup_date");
    Dataset<Row> daily = CustomerDaily.read(new Lake(spark, new SegpipeConfig.LakeSettings(lake, "")),
        settings.activity().windowStart(), asOf);
    long[] featureRows = new long[1];
    double[] featuresSeconds = twice(() -> {
      try (CustomerFeatures.Snapshot snapshot = new CustomerFeatures(settings).compute(daily, customers)) {
        featureRows[0] = snapshot.rows().count();
      }
      return null;
    });

    System.out.println("{\"scan_rows\": " + scan[0].getLong(0) + ", \"scan_amount\": \"" + scan[0].getDecimal(1)
        + "\", \"scan_seconds\": " + scanSeconds[1] + ", \"scan_seconds_first\": " + scanSeconds[0]
        + ", \"rfm_customers\": " + rfmRow[0].getLong(0) + ", \"rfm_seconds\": " + rfmSeconds[1]
        + ", \"rfm_seconds_first\": " + rfmSeconds[0]
        + ", \"features_rows\": " + featureRows[0] + ", \"features_seconds\": " + featuresSeconds[1]
        + ", \"features_seconds_first\": " + featuresSeconds[0] + "}");
    spark.stop();
  }

  private static double[] twice(Supplier<?> work) {
    double[] seconds = new double[2];
    for (int run = 0; run < 2; run++) {
      long start = System.nanoTime();
      work.get();
      seconds[run] = (System.nanoTime() - start) / 1e9;
    }
    return seconds;
  }
}
