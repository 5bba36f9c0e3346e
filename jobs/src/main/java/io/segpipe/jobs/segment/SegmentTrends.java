package io.segpipe.jobs.segment;

import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.sql.SqlResource;
import io.segpipe.common.tables.Tables;
import io.segpipe.identity.Profiles;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * segment_trends (segment_trends.sql): each segment over the snapshots of the last {@code months}
 * months (from segment_profiles) and month by month (today's members' revenue, orders and active
 * customers, from customer_daily). Written with the other segment tables, partitioned by
 * as_of_date: each snapshot's partition holds the history as it stood on that date.
 */
public record SegmentTrends(LocalDate asOf, int months) {
  public static final String SNAPSHOT = Tables.TREND_SNAPSHOT;
  public static final String MONTH = Tables.TREND_MONTH;

  /**
   * The profile columns the snapshot rows take, with their types (absent from profiles written
   * before them).
   */
  private static final StructType PROFILE_COLUMNS =
      new StructType()
          .add("segmentation", DataTypes.StringType)
          .add("segment", DataTypes.StringType)
          .add("as_of_date", DataTypes.DateType)
          .add("customers", DataTypes.LongType)
          .add("share", DataTypes.DoubleType)
          .add("buyers", DataTypes.LongType)
          .add("orders", DataTypes.LongType)
          .add("revenue", DataTypes.createDecimalType(28, 2))
          .add("revenue_share", DataTypes.DoubleType)
          .add("clv_mean", DataTypes.DoubleType);

  /**
   * The first month of the monthly rows: {@code months} calendar months ending with the as-of
   * date's.
   */
  public LocalDate monthsStart() {
    return asOf.withDayOfMonth(1).minusMonths(months - 1L);
  }

  /**
   * The trends as of {@code asOf}: {@code segments} are today's customers with their segments (rows
   * with the customer_segments columns), {@code profiles} today's segment_profiles rows; earlier
   * snapshots' profiles are read from the lake (a partition of today's date there is replaced by
   * {@code profiles}). Lazy.
   */
  public Dataset<Row> of(Lake lake, Dataset<Row> segments, Dataset<Row> profiles) {
    return of(lake, segments, profiles, Optional.empty());
  }

  /**
   * The same, with customer_daily's source ids replaced by profile keys ({@link Profiles#rekey})
   * when {@code keys} is given.
   */
  public Dataset<Row> of(
      Lake lake, Dataset<Row> segments, Dataset<Row> profiles, Optional<Dataset<Row>> keys) {
    LocalDate start = monthsStart();
    Dataset<Row> snapshots = profileColumns(profiles);
    if (lake.exists(Tables.SEGMENT_PROFILES)) {
      Dataset<Row> earlier =
          lake.read(Tables.SEGMENT_PROFILES, "")
              .where(
                  functions
                      .col(CustomerSegments.PARTITION)
                      .between(Date.valueOf(start), Date.valueOf(asOf.minusDays(1))));
      snapshots = profileColumns(earlier).unionByName(snapshots);
    }
    return SegmentMembers.withCells(SqlResource.load("sql/segment/segment_trends.sql"))
        .withView("customers", segments.select(SegmentMembers.customerSegments()))
        .withView("snapshots", snapshots)
        .withView("daily", Profiles.rekey(CustomerDaily.read(lake, start, asOf), keys))
        .with("months_start", start)
        .with("as_of", asOf)
        .run(segments.sparkSession());
  }

  /** The snapshot columns of profile rows; a column profiles of an older segpipe lack is null. */
  private static Dataset<Row> profileColumns(Dataset<Row> profiles) {
    Set<String> present = Set.copyOf(Arrays.asList(profiles.columns()));
    Column[] columns =
        Arrays.stream(PROFILE_COLUMNS.fields())
            .map(
                f ->
                    (present.contains(f.name()) ? functions.col(f.name()) : functions.lit(null))
                        .cast(f.dataType())
                        .as(f.name()))
            .toArray(Column[]::new);
    return profiles.select(columns);
  }
}
