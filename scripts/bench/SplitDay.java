import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Splits the generator's events (Parquet, column event_time) into the history before DAY and the events of
 * DAY (UTC), for the benchmark's daily run (scripts/benchmark --daily): the history is ingested first, the
 * day then arrives as a batch of its own. Rows without an event_time (which ingest quarantines) stay in the
 * history. Prints the row counts of both parts as one JSON line.
 *
 * <pre>java FLAGS -cp SPARK_JARS:BUNDLE scripts/bench/SplitDay.java EVENTS HISTORY_OUT DAY_OUT DAY</pre>
 */
public final class SplitDay {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[2]").appName("segpipe benchmark: split a day off")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate();
    Dataset<Row> events = spark.read().parquet(args[0]);
    Column onDay = coalesce(to_date(col("event_time")).equalTo(lit(args[3]).cast("date")), lit(false));
    events.where(onDay.unary_$bang()).write().mode("overwrite").parquet(args[1]);
    events.where(onDay).coalesce(1).write().mode("overwrite").parquet(args[2]);
    long history = spark.read().parquet(args[1]).count();
    long day = spark.read().parquet(args[2]).count();
    System.out.println("{\"history_rows\": " + history + ", \"day_rows\": " + day + "}");
    spark.stop();
  }
}
