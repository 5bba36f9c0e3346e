package io.segpipe.jobs.features;

import static org.apache.spark.sql.functions.col;

import io.segpipe.common.daily.CustomerDaily;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.tables.Tables;
import io.segpipe.common.text.Sha256;
import io.segpipe.features.Dayparts;
import io.segpipe.features.FeaturesSettings;
import io.segpipe.identity.Profiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;

/**
 * A features snapshot from the previous one: the behaviour columns of a customer whose window holds
 * the same daily rows as on the previous snapshot's date are carried over (recency and tenure a day
 * older per day between), and only the others are computed from customer_daily. Scores, segments,
 * lifecycle stages and value tiers are then computed for everyone, as always, since their
 * boundaries move with the whole population.
 *
 * <p>Which customers are computed again, between the previous snapshot's date P and the as-of date
 * D with a window of W days:
 *
 * <ul>
 *   <li>those with daily rows on a date entering the window (after P up to D) or leaving it (P-W+1
 *       up to D-W);
 *   <li>those with events, before or after, on a date inside either window that an events commit
 *       since the previous snapshot changed (late events, a forgotten customer, a compaction is no
 *       change), found from the events log as customer_daily's own catch-up finds them;
 *   <li>those whose row came from the customers dimension alone (no events in the previous window)
 *       and that it no longer holds, and customers of the dimension that the previous snapshot
 *       lacks;
 *   <li>with identity stitching on (rows per profile), the profiles that a source customer id left
 *       or joined between the identity resolution the previous snapshot used and today's: both keys
 *       of every customer id whose key differs (an id a resolution does not hold is its own key).
 *       The previous resolution is read as it was then (its date and identity_map's version,
 *       recorded with the snapshot), so a resolution re-run since is still compared correctly.
 * </ul>
 *
 * <p>The previous snapshot is used only when its write recorded what it was computed from (a note
 * in the commit: its date, the events table and version, a fingerprint of the feature definitions
 * and settings, its row count) and all of it still holds: the same events table, a fingerprint
 * equal to this run's, the events log still holding every commit since, the snapshot's rows all
 * still there, D - P shorter than the window, at most {@value #MAX_CHANGED_DATES} changed dates
 * inside the windows, and identity stitching as it was (on or off; when on, the previous resolution
 * still readable). Otherwise every customer is computed, and the run says why.
 */
final class CarriedFeatures {
  private static final String NOTE = "segpipe.features:";

  /** More changed dates than this inside the windows (a backfill): computing all is as cheap. */
  static final int MAX_CHANGED_DATES = 31;

  /** How many of customer_features' newest commits are searched for a snapshot's note. */
  private static final int RECENT_COMMITS = 30;

  /**
   * The columns that count days up to the as-of date: carried over, they grow by the days between.
   */
  private static final List<String> DAYS_TO_AS_OF = List.of("recency_days", "tenure_days");

  /**
   * The identity resolution a snapshot's profiles come from: identity_map's partition of {@code
   * date}, as identity_map's {@code version} held it.
   */
  record Resolution(LocalDate date, long version) {
    @Override
    public String toString() {
      return date + "@" + version;
    }

    static Optional<Resolution> parse(String text) {
      if (text == null || text.isEmpty()) {
        return Optional.empty();
      }
      String[] parts = text.split("@", 2);
      return Optional.of(new Resolution(LocalDate.parse(parts[0]), Long.parseLong(parts[1])));
    }
  }

  /**
   * What a snapshot was computed from, as its write's commit note records it.
   *
   * @param asOf the snapshot's date
   * @param eventsVersion the events version customer_daily covered
   * @param eventsTable the events table's Delta id
   * @param fingerprint of the feature definitions and settings ({@link #fingerprint})
   * @param customers the snapshot's rows
   * @param identity the identity resolution of its profiles; empty with identity stitching off
   */
  record Basis(
      LocalDate asOf,
      long eventsVersion,
      String eventsTable,
      String fingerprint,
      long customers,
      Optional<Resolution> identity) {
    String note() {
      return NOTE
          + "as_of="
          + asOf
          + ";events_version="
          + eventsVersion
          + ";events_table="
          + eventsTable
          + ";settings="
          + fingerprint
          + ";customers="
          + customers
          + identity.map(r -> ";identity=" + r).orElse("");
    }

    static Optional<Basis> parse(String note) {
      if (!note.startsWith(NOTE)) {
        return Optional.empty();
      }
      try {
        Map<String, String> fields =
            Arrays.stream(note.substring(NOTE.length()).split(";"))
                .map(f -> f.split("=", 2))
                .filter(kv -> kv.length == 2)
                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1], (a, b) -> b));
        return Optional.of(
            new Basis(
                LocalDate.parse(fields.get("as_of")),
                Long.parseLong(fields.get("events_version")),
                fields.get("events_table"),
                fields.get("settings"),
                Long.parseLong(fields.get("customers")),
                Resolution.parse(fields.get("identity"))));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }
  }

  /**
   * The previous snapshot to carry from, with the dates changed since, or why there is none.
   *
   * @param previous the previous snapshot's basis, when it can be used
   * @param changedDates the event dates inside either window that events commits since changed
   * @param why why every customer is computed (when {@code previous} is empty)
   */
  record Plan(Optional<Basis> previous, List<LocalDate> changedDates, String why) {
    static Plan all(String why) {
      return new Plan(Optional.empty(), List.of(), why);
    }

    String describe() {
      return previous
          .map(
              p ->
                  "carried from the "
                      + p.asOf()
                      + " snapshot, "
                      + changedDates.size()
                      + " dates changed since")
          .orElse("every customer computed (" + why + ")");
    }
  }

  private CarriedFeatures() {}

  /**
   * A fingerprint of everything a snapshot's behaviour columns depend on besides the data and the
   * as-of date: the features and daily SQL, the window, channels, social channels and dayparts, and
   * customer_features' columns.
   */
  static String fingerprint(FeaturesSettings settings) {
    Dayparts dayparts = settings.dayparts();
    String text =
        String.join(
            "\n",
            resource("sql/features/customer_activity.sql"),
            resource("sql/daily/customer_daily.sql"),
            "window-days=" + settings.windowDays(),
            "channels=" + settings.channels(),
            "social=" + settings.socialChannels(),
            "time-zone=" + dayparts.timeZone().getId(),
            "parts=" + dayparts.parts(),
            "weekend=" + new TreeSet<>(dayparts.weekend()),
            "columns=" + Tables.CUSTOMER_FEATURES.columnNames(settings.channels()));
    return Sha256.hex(text).substring(0, 16);
  }

  private static String resource(String path) {
    try (InputStream in = CarriedFeatures.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("resource " + path + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the snapshot as of the settings' date can be carried from an earlier one, and from
   * which; {@code identity} is today's resolution with identity stitching on.
   */
  static Plan plan(
      Lake lake,
      FeaturesSettings settings,
      long eventsVersion,
      String eventsTable,
      boolean incremental,
      Optional<Resolution> identity) {
    if (!incremental) {
      return Plan.all("segpipe.features.incremental = false");
    }
    if (!lake.exists(Tables.CUSTOMER_FEATURES)) {
      return Plan.all("no earlier snapshot");
    }
    LocalDate asOf = settings.asOf();
    // newest first: the first note of a date is its latest write
    List<Basis> notes =
        lake.commitNotes(Tables.CUSTOMER_FEATURES, RECENT_COMMITS).stream()
            .map(Basis::parse)
            .flatMap(Optional::stream)
            .toList();
    Optional<LocalDate> latestDate =
        notes.stream().map(Basis::asOf).filter(d -> d.isBefore(asOf)).max(LocalDate::compareTo);
    if (latestDate.isEmpty()) {
      // a re-run of the first date is as new as its first run
      boolean earlier =
          !lake.read(Tables.CUSTOMER_FEATURES, "")
              .where(col(Tables.AS_OF).lt(Date.valueOf(asOf)))
              .isEmpty();
      return Plan.all(
          earlier
              ? "no earlier snapshot records what it was computed from"
              : "no earlier snapshot");
    }
    Basis previous =
        notes.stream().filter(b -> b.asOf().equals(latestDate.get())).findFirst().orElseThrow();
    if (previous.customers() < settings.incrementalMinCustomers()) {
      return Plan.all(
          "the "
              + previous.asOf()
              + " snapshot has "
              + previous.customers()
              + " customers, under segpipe.features.incremental-min-customers = "
              + settings.incrementalMinCustomers()
              + ": computing everyone is quicker");
    }
    long days = ChronoUnit.DAYS.between(previous.asOf(), asOf);
    if (days >= settings.windowDays()) {
      return Plan.all("the latest earlier snapshot, " + previous.asOf() + ", shares no window day");
    }
    if (!previous.fingerprint().equals(fingerprint(settings))) {
      return Plan.all(
          "the " + previous.asOf() + " snapshot was computed with other feature definitions");
    }
    if (!previous.eventsTable().equals(eventsTable) || previous.eventsVersion() > eventsVersion) {
      return Plan.all("the events table was replaced since the " + previous.asOf() + " snapshot");
    }
    if (identity.isPresent() != previous.identity().isPresent()) {
      return Plan.all(
          "the "
              + previous.asOf()
              + " snapshot was computed "
              + (identity.isPresent() ? "per customer id" : "per profile")
              + ", identity stitching is "
              + (identity.isPresent() ? "on" : "off")
              + " now");
    }
    if (previous.identity().isPresent() && !readable(lake, previous.identity().get())) {
      return Plan.all(
          "identity_map no longer holds the "
              + previous.identity().get()
              + " resolution of the "
              + previous.asOf()
              + " snapshot");
    }
    Optional<TreeSet<LocalDate>> changed =
        previous.eventsVersion() == eventsVersion
            ? Optional.of(new TreeSet<>())
            : CustomerDaily.changedDates(lake, previous.eventsVersion() + 1, eventsVersion);
    if (changed.isEmpty()) {
      return Plan.all("the events log no longer holds the commits since the previous snapshot");
    }
    LocalDate first = previous.asOf().minusDays(settings.windowDays() - 1L);
    List<LocalDate> inWindows =
        changed.get().stream().filter(d -> !d.isBefore(first) && !d.isAfter(asOf)).toList();
    if (inWindows.size() > MAX_CHANGED_DATES) {
      return Plan.all(inWindows.size() + " dates changed since the previous snapshot");
    }
    long rows =
        lake.read(Tables.CUSTOMER_FEATURES, "")
            .where(col(Tables.AS_OF).equalTo(Date.valueOf(previous.asOf())))
            .count();
    if (rows != previous.customers()) {
      return Plan.all(
          "the "
              + previous.asOf()
              + " snapshot holds "
              + rows
              + " rows where it was written with "
              + previous.customers()
              + " (customers erased since)");
    }
    return new Plan(Optional.of(previous), inWindows, "");
  }

  /** Whether identity_map's log still holds {@code resolution}'s version. */
  private static boolean readable(Lake lake, Resolution resolution) {
    try {
      lake.readVersion(Tables.IDENTITY_MAP, resolution.version());
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * The customers computed again (one column, customer_id, distinct), for the plan's previous
   * snapshot {@code previousRows}; {@code daily} is customer_daily, {@code customers} the dimension
   * rows of the snapshot (signed up by the as-of date), {@code keys} today's source customer id to
   * profile key (with identity stitching on).
   */
  static Dataset<Row> recomputed(
      Lake lake,
      FeaturesSettings settings,
      Plan plan,
      Dataset<Row> previousRows,
      Dataset<Row> customers,
      Optional<Dataset<Row>> keys) {
    Basis previous = plan.previous().orElseThrow();
    LocalDate asOf = settings.asOf();
    int window = settings.windowDays();
    LocalDate previousStart = previous.asOf().minusDays(window - 1L);
    List<LocalDate> touched = new ArrayList<>(plan.changedDates());
    for (LocalDate d = previous.asOf().plusDays(1); !d.isAfter(asOf); d = d.plusDays(1)) {
      touched.add(d); // entering the window
    }
    LocalDate windowStart = settings.activity().windowStart();
    for (LocalDate d = previousStart; d.isBefore(windowStart); d = d.plusDays(1)) {
      touched.add(d); // leaving it
    }
    Object[] touchedDates = touched.stream().distinct().map(Date::valueOf).toArray();
    Dataset<Row> now =
        CustomerDaily.read(lake, previousStart, asOf)
            .where(col(CustomerDaily.DATE).isin(touchedDates))
            .select("customer_id");
    List<Dataset<Row>> parts = new ArrayList<>(List.of(Profiles.rekey(now, keys)));
    if (!plan.changedDates().isEmpty()) {
      // the customers whose events on a changed date were there before the change
      parts.add(
          Profiles.rekey(
              lake.readVersion(Tables.EVENTS, previous.eventsVersion())
                  .where(
                      col(CustomerDaily.DATE)
                          .isin(plan.changedDates().stream().map(Date::valueOf).toArray())
                          .and(col("customer_id").isNotNull()))
                  .select("customer_id"),
              keys));
    }
    previous
        .identity()
        .ifPresent(resolution -> parts.add(movedProfiles(lake, resolution, keys.orElseThrow())));
    Column signedUp = col("signup_date").isNull().or(col("signup_date").leq(Date.valueOf(asOf)));
    Dataset<Row> known = customers.where(signedUp).select("customer_id");
    // rows without events come from the dimension: those it no longer holds, and those it holds now
    // that the previous snapshot lacks
    parts.add(
        without(
            previousRows.where(col("events_in_window").equalTo(0)).select("customer_id"), known));
    parts.add(without(known, previousRows.select("customer_id")));
    Dataset<Row> all = parts.get(0);
    for (Dataset<Row> part : parts.subList(1, parts.size())) {
      all = all.union(part);
    }
    return all.distinct();
  }

  /**
   * The previous snapshot's behaviour columns (those of {@code computed}'s schema, cast to its
   * types) of the customers not in {@code recomputed}, with the day counts moved on to the as-of
   * date.
   */
  static Dataset<Row> carried(
      Dataset<Row> previousRows,
      Dataset<Row> recomputed,
      Dataset<Row> computed,
      LocalDate previousAsOf,
      LocalDate asOf) {
    int days = (int) ChronoUnit.DAYS.between(previousAsOf, asOf);
    List<Column> columns = new ArrayList<>();
    for (StructField field : computed.schema().fields()) {
      Column value = col(field.name());
      if (DAYS_TO_AS_OF.contains(field.name())) {
        value = value.plus(days);
      }
      columns.add(value.cast(field.dataType()).as(field.name()));
    }
    return without(previousRows, recomputed).select(columns.toArray(Column[]::new));
  }

  /**
   * The profile keys (as customer_id) that some source customer id left or joined between {@code
   * before}'s resolution and {@code keys} (customer_id, customer_key): an id either does not hold
   * is its own key.
   */
  static Dataset<Row> movedProfiles(Lake lake, Resolution before, Dataset<Row> keys) {
    Dataset<Row> then =
        lake.readVersion(Tables.IDENTITY_MAP, before.version())
            .where(
                col(Tables.AS_OF)
                    .equalTo(Date.valueOf(before.date()))
                    .and(col("id_type").equalTo(Profiles.CUSTOMER_ID)))
            .select(col("identifier").as("then_id"), col("customer_key").as("then_key"));
    Dataset<Row> now =
        keys.select(col("customer_id").as("now_id"), col("customer_key").as("now_key"));
    Dataset<Row> moved =
        then.join(now, col("then_id").equalTo(col("now_id")), "full_outer")
            .select(
                functions.coalesce(col("then_key"), col("then_id"), col("now_id")).as("old_key"),
                functions.coalesce(col("now_key"), col("now_id"), col("then_id")).as("new_key"))
            .where(col("old_key").notEqual(col("new_key")));
    return moved
        .select(col("old_key").as("customer_id"))
        .union(moved.select(col("new_key").as("customer_id")));
  }

  /** {@code rows} without the customers of {@code ids}. */
  private static Dataset<Row> without(Dataset<Row> rows, Dataset<Row> ids) {
    return rows.join(ids, rows.col("customer_id").equalTo(ids.col("customer_id")), "left_anti");
  }
}
