package io.segpipe.modelling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.schema.Events;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.features.CustomerActivity;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The churn label's time split: features up to the end of the cut-off day, label from the horizon
 * after it.
 */
@ExtendWith(SharedSpark.class)
class ChurnModelTest {
  private static final LocalDate AS_OF = LocalDate.parse("2024-12-31");
  private static final LocalDate CUT_OFF = AS_OF.minusDays(90); // 2024-10-02

  private final List<Row> rows = new ArrayList<>();

  private ChurnModelTest purchase(String customer, String ts, String amount) {
    Instant at = Instant.parse(ts);
    rows.add(
        RowFactory.create(
            "e" + rows.size(),
            Timestamp.from(at),
            customer,
            "web",
            "purchase",
            "o" + rows.size(),
            "p1",
            "books",
            1,
            new BigDecimal(amount),
            "GBP",
            null,
            null,
            Date.valueOf(LocalDate.ofInstant(at, ZoneOffset.UTC)),
            null,
            null));
    return this;
  }

  @Test
  void labelIsNoPurchaseInTheHorizonAfterTheCutOff(SparkSession spark) {
    purchase("stays", "2024-06-01T10:00:00Z", "10.00")
        .purchase("stays", "2024-11-15T10:00:00Z", "99.00")
        .purchase("churns", "2024-09-01T10:00:00Z", "20.00")
        // the last second of the cut-off day is before the horizon: no purchase in it
        .purchase("edge", "2024-10-02T23:59:59Z", "30.00")
        // the last second of the as-of day is in the horizon
        .purchase("late", "2024-03-01T00:00:00Z", "5.00")
        .purchase("late", "2024-12-31T23:59:59Z", "5.00")
        // after the as-of date: neither features nor label may see it
        .purchase("future", "2024-08-01T00:00:00Z", "5.00")
        .purchase("future", "2025-01-01T00:00:00Z", "5.00")
        // first purchase in the horizon: not active before the cut-off, not in the population
        .purchase("newcomer", "2024-11-01T00:00:00Z", "5.00");
    Dataset<Row> events = spark.createDataFrame(rows, Events.SCHEMA);
    Dataset<Row> customers =
        spark.createDataFrame(List.of(), Events.CUSTOMERS).select("customer_id", "signup_date");
    CustomerActivity atCutOff = new CustomerActivity(CUT_OFF, 365, List.of("web"));
    Map<String, String> labels = new TreeMap<>();
    ChurnModel.labelled(CustomerDaily.aggregate(events), customers, atCutOff, AS_OF)
        .select("customer_id", ChurnModel.LABEL, "frequency", "monetary")
        .collectAsList()
        .forEach(
            r ->
                labels.put(
                    r.getString(0), r.getDouble(1) + " " + r.getLong(2) + " " + r.getDecimal(3)));
    assertEquals(
        Map.of(
            "churns", "1.0 1 20.00",
            "edge", "1.0 1 30.00",
            "future", "1.0 1 5.00",
            "late", "0.0 1 5.00",
            "stays", "0.0 1 10.00"),
        labels);
  }
}
