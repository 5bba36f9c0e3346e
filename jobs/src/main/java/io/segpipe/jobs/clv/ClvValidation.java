package io.segpipe.jobs.clv;

import io.segpipe.common.job.JobContext;
import io.segpipe.common.schema.CustomerClv;
import io.segpipe.common.sql.SqlResource;
import io.segpipe.modelling.Btyd;
import io.segpipe.modelling.ClvData;
import io.segpipe.modelling.ClvFit;
import io.segpipe.modelling.ClvSettings;
import java.sql.Date;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;

/**
 * clv_validation: the fit (on the calibration period ending at the as-of date) against what the
 * same customers did afterwards, up to --holdout-until, as in the papers:
 *
 * <ul>
 *   <li>by calibration repeat count 0, 1, ... 6, 7+: customers, the actual mean number of repeat
 *       transactions in the holdout period and the model's conditional expectation E[Y(t) | x, t_x,
 *       T] averaged over the same customers;
 *   <li>tracking: week by week from the first purchase in the data to the end of the holdout, the
 *       cumulative repeat transactions of the calibration customers against the model's
 *       expectation, the sum over first-purchase cohorts of their size times E[X(t)], t the time
 *       since their first purchase.
 * </ul>
 */
final class ClvValidation {
  static final int TOP_BUCKET = 7;
  static final String BY_REPEAT_COUNT = "by_repeat_count";
  static final String TRACKING = "tracking";

  private ClvValidation() {}

  static Dataset<Row> of(
      JobContext context,
      ClvSettings s,
      ClvFit fit,
      ClvData data,
      Dataset<Row> summary,
      Dataset<Row> events,
      LocalDate holdoutUntil) {
    context.phase("validation against the holdout up to " + holdoutUntil);
    Btyd model = new Btyd(fit.r(), fit.alpha(), fit.a(), fit.b());
    Dataset<Row> repeatDays =
        SqlResource.load("sql/clv/repeat_days.sql")
            .withView("events", events)
            .withView("summary", summary)
            .with("history_start", s.historyStart().orElse(LocalDate.of(1, 1, 1)))
            .with("holdout_until", holdoutUntil)
            .run(context.spark())
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<Row> rows = new ArrayList<>();
      rows.addAll(byRepeatCount(s, model, data, summary, repeatDays, holdoutUntil));
      rows.addAll(tracking(s, model, summary, repeatDays, holdoutUntil));
      return context.spark().createDataFrame(rows, CustomerClv.VALIDATION_SCHEMA).coalesce(1);
    } finally {
      repeatDays.unpersist();
    }
  }

  private static List<Row> byRepeatCount(
      ClvSettings s,
      Btyd model,
      ClvData data,
      Dataset<Row> summary,
      Dataset<Row> repeatDays,
      LocalDate holdoutUntil) {
    double holdout = ChronoUnit.DAYS.between(s.asOf(), holdoutUntil) / (double) s.unitDays();
    double[] expectedSum = new double[TOP_BUCKET + 1];
    long[] customers = new long[TOP_BUCKET + 1];
    for (int i = 0; i < data.triples(); i++) {
      int bucket = Math.min(data.x()[i], TOP_BUCKET);
      expectedSum[bucket] +=
          data.count()[i] * model.expectedPurchases(holdout, data.x()[i], data.tx(i), data.tCal(i));
      customers[bucket] += data.count()[i];
    }
    List<Row> actual =
        SqlResource.load("sql/clv/holdout_by_repeats.sql")
            .withView("summary", summary)
            .withView("repeat_days", repeatDays)
            .with("as_of", s.asOf())
            .with("top_bucket", TOP_BUCKET)
            .run(summary.sparkSession())
            .orderBy("bucket")
            .collectAsList();
    List<Row> rows = new ArrayList<>();
    for (Row row : actual) {
      int bucket = row.getInt(0);
      String label = bucket == TOP_BUCKET ? TOP_BUCKET + "+" : String.valueOf(bucket);
      rows.add(
          RowFactory.create(
              Date.valueOf(holdoutUntil),
              BY_REPEAT_COUNT,
              label,
              null,
              row.getLong(1),
              row.getDouble(2),
              expectedSum[bucket] / customers[bucket],
              Date.valueOf(s.asOf())));
    }
    return rows;
  }

  private static List<Row> tracking(
      ClvSettings s,
      Btyd model,
      Dataset<Row> summary,
      Dataset<Row> repeatDays,
      LocalDate holdoutUntil) {
    Map<LocalDate, Long> cohorts = new TreeMap<>();
    summary
        .groupBy("first_purchase_date")
        .count()
        .collectAsList()
        .forEach(r -> cohorts.put(r.getDate(0).toLocalDate(), r.getLong(1)));
    Map<LocalDate, Long> repeatsByDay = new TreeMap<>();
    repeatDays
        .groupBy("day")
        .count()
        .collectAsList()
        .forEach(r -> repeatsByDay.put(r.getDate(0).toLocalDate(), r.getLong(1)));
    List<LocalDate> ends = new ArrayList<>();
    LocalDate start = cohorts.keySet().iterator().next();
    for (LocalDate d = start.plusDays(7); d.isBefore(holdoutUntil); d = d.plusDays(7)) {
      ends.add(d);
    }
    ends.add(holdoutUntil);
    List<Row> rows = new ArrayList<>();
    for (LocalDate end : ends) {
      long customers = 0;
      double expected = 0;
      for (Map.Entry<LocalDate, Long> cohort : cohorts.entrySet()) {
        if (cohort.getKey().isAfter(end)) {
          break;
        }
        customers += cohort.getValue();
        double since = ChronoUnit.DAYS.between(cohort.getKey(), end) / (double) s.unitDays();
        expected += cohort.getValue() * model.expectedSinceFirstPurchase(since);
      }
      long actual = 0;
      for (Map.Entry<LocalDate, Long> day : repeatsByDay.entrySet()) {
        if (day.getKey().isAfter(end)) {
          break;
        }
        actual += day.getValue();
      }
      rows.add(
          RowFactory.create(
              Date.valueOf(holdoutUntil),
              TRACKING,
              null,
              Date.valueOf(end),
              customers,
              (double) actual,
              expected,
              Date.valueOf(s.asOf())));
    }
    return rows;
  }
}
