import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The one-pass floor on the Spark side of the benchmark (scripts/benchmark): count and sum of amount over
 * the events Delta table, run twice in one local session; prints the seconds of both runs as JSON.
 *
 * <pre>java FLAGS -cp SPARK_JARS:BUNDLE scripts/bench/SparkScan.java LAKE MASTER</pre>
 */
public final class SparkScan {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master(args[1]).appName("segpipe benchmark scan")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate();
    double[] seconds = new double[2];
    Row result = null;
    for (int run = 0; run < 2; run++) {
      long start = System.nanoTime();
      result = spark.read().format("delta").load(args[0] + "/events")
          .selectExpr("count(*) AS n", "sum(amount) AS amount").first();
      seconds[run] = (System.nanoTime() - start) / 1e9;
    }
    System.out.println("{\"scan_rows\": " + result.getLong(0) + ", \"scan_amount\": \"" + result.getDecimal(1)
        + "\", \"scan_seconds\": " + seconds[1] + ", \"scan_seconds_first\": " + seconds[0] + "}");
    spark.stop();
  }
}
