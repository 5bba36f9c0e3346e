package io.segpipe.common.daily;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.lake.StorageFailures;
import io.segpipe.common.sql.SqlResource;
import io.segpipe.common.tables.Tables;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code customer_daily} table: the events of known customers aggregated per customer, day and
 * channel (sql/daily/customer_daily.sql), kept by ingest for exactly the dates each events commit
 * touches, so that features reads a window of small daily rows instead of a year of raw events.
 *
 * <p>Delta has no commit across two tables, so every write of customer_daily records in its
 * commit's userMetadata the events table (its Delta table id) and version it covers ({@value
 * #NOTE}N;events_table=ID). {@link #catchUp} compares that with the events table's newest version
 * and rebuilds the dates that the events commits in between added or removed data in (read from
 * those commits' entries in the events log), so a crash between the two commits, or a writer of
 * events other than ingest (forget), is repaired by the next run that reads it.
 */
public final class CustomerDaily {
  private static final Logger LOG = LoggerFactory.getLogger(CustomerDaily.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  public static final String DATE = "event_date";

  /**
   * The partition column: the first day of event_date's month (a year is 12 partitions, not 365
   * tiny ones).
   */
  public static final String MONTH = "event_month";

  static final String NOTE = "segpipe.events_version=";
  private static final String TABLE_ID = "events_table=";

  /**
   * How many of customer_daily's newest commits are searched for the version note before all are
   * read.
   */
  private static final int RECENT_COMMITS = 20;

  /** The table's columns, in order (docs/contracts.md). */
  public static final StructType SCHEMA = Tables.CUSTOMER_DAILY.columns();

  private CustomerDaily() {}

  /** The daily rows of {@code events} (rows of the events contract, of any dates), lazily. */
  public static Dataset<Row> aggregate(Dataset<Row> events) {
    return SqlResource.load("sql/daily/customer_daily.sql")
        .withView("events", events)
        .run(events.sparkSession());
  }

  /**
   * What one call did: the events version customer_daily covers now, the one it covered before (-1
   * for none), how many dates were rebuilt (all of them when {@code whole}) and why.
   */
  public record Refresh(
      long eventsVersion, long coveredBefore, int dates, boolean whole, String why) {
    public String describe() {
      return whole
          ? "rebuilt whole from events version " + eventsVersion + " (" + why + ")"
          : dates == 0
              ? "up to date with events version "
                  + eventsVersion
                  + (why.isEmpty() ? "" : " (" + why + ")")
              : dates + " dates rebuilt, events version " + coveredBefore + " -> " + eventsVersion;
    }
  }

  /**
   * Brings customer_daily up to the newest events version: builds it whole when it does not exist,
   * records no version, or the events log entries it needs are gone; otherwise rebuilds exactly the
   * dates in which events commits since the covered version changed data (compaction, which changes
   * none, is skipped).
   */
  public static Refresh catchUp(Lake lake) {
    try {
      return catchUpOnce(lake);
    } catch (RuntimeException e) {
      if (StorageFailures.concurrentModification(e).isEmpty()) {
        throw e;
      }
      // Another run (a second features run, an ingest) committed first: it has brought the table up
      // to
      // the events it saw. Look again; what is left is at most the dates committed since.
      LOG.info(
          "{}: another run wrote it at the same time; checking again what is left",
          Tables.CUSTOMER_DAILY);
      return catchUpOnce(lake);
    }
  }

  private static Refresh catchUpOnce(Lake lake) {
    Covered events = new Covered(lake.version(Tables.EVENTS), lake.tableId(Tables.EVENTS));
    long latest = events.version();
    if (!lake.exists(Tables.CUSTOMER_DAILY)) {
      return build(lake, events, -1, List.of(), Tables.CUSTOMER_DAILY + " did not exist");
    }
    List<String> older =
        Tables.CUSTOMER_DAILY
            .missingAdditive(lake.read(Tables.CUSTOMER_DAILY.name(), "").schema())
            .stream()
            .map(StructField::name)
            .toList();
    if (!older.isEmpty()) {
      return build(
          lake,
          events,
          -1,
          List.of(),
          "it was written before its columns "
              + String.join(", ", older)
              + ", which the features read");
    }
    Optional<Covered> note = covered(lake, events.tableId());
    if (note.isEmpty()) {
      return build(
          lake,
          events,
          -1,
          List.of(),
          "no commit of " + Tables.CUSTOMER_DAILY + " records the events version it covers");
    }
    long from = note.get().version();
    if (!note.get().tableId().equals(events.tableId()) || from > latest) {
      return build(
          lake,
          events,
          from,
          List.of(),
          "it covered version "
              + from
              + " of an events table that has"
              + " since been replaced (events is now table "
              + events.tableId()
              + " at version "
              + latest
              + ")");
    }
    if (from == latest) {
      return new Refresh(latest, from, 0, false, "");
    }
    Optional<TreeSet<LocalDate>> dates = changedDates(lake, from + 1, latest);
    if (dates.isEmpty()) {
      return build(
          lake,
          events,
          from,
          List.of(),
          "the events log no longer holds the commits after version " + from);
    }
    if (dates.get().isEmpty()) {
      LOG.info(
          "{}: the events commits {}..{} changed no data (compaction): nothing to rebuild",
          Tables.CUSTOMER_DAILY,
          from + 1,
          latest);
      return new Refresh(from, from, 0, false, "events commits since changed no data");
    }
    return build(lake, events, from, List.copyOf(dates.get()), "");
  }

  /**
   * The rows of dates {@code from}..{@code to} (inclusive), pruned to their month partitions,
   * lazily.
   */
  public static Dataset<Row> read(Lake lake, LocalDate from, LocalDate to) {
    return lake.read(
            Tables.CUSTOMER_DAILY,
            "Run `scripts/segpipe ingest` (or `scripts/segpipe maintain --rebuild-daily`) to build it.")
        .where(
            functions
                .col(MONTH)
                .between(Date.valueOf(from.withDayOfMonth(1)), Date.valueOf(to))
                .and(functions.col(DATE).between(Date.valueOf(from), Date.valueOf(to))));
  }

  /**
   * Rebuilds customer_daily whole from the newest events version (a lake ingested before it
   * existed).
   */
  public static Refresh rebuild(Lake lake) {
    Covered events = new Covered(lake.version(Tables.EVENTS), lake.tableId(Tables.EVENTS));
    return build(
        lake,
        events,
        covered(lake, events.tableId()).map(Covered::version).orElse(-1L),
        List.of(),
        "asked for");
  }

  /**
   * An events table (its Delta table id: a new one when it is deleted and created again) at a
   * version.
   */
  record Covered(long version, String tableId) {
    String note() {
      return NOTE + version + ";" + TABLE_ID + tableId;
    }

    /** The note's version and table id; a note without a table id matches any. */
    static Optional<Covered> parse(String note, String currentId) {
      if (!note.startsWith(NOTE)) {
        return Optional.empty();
      }
      String[] parts = note.substring(NOTE.length()).split(";");
      String id =
          parts.length > 1 && parts[1].startsWith(TABLE_ID)
              ? parts[1].substring(TABLE_ID.length())
              : currentId;
      return Optional.of(new Covered(Long.parseLong(parts[0]), id));
    }
  }

  private static Refresh build(
      Lake lake, Covered events, long coveredBefore, List<LocalDate> dates, String why) {
    long version = events.version();
    Dataset<Row> rows = lake.readVersion(Tables.EVENTS, version);
    if (!dates.isEmpty()) {
      rows = rows.where(functions.col(DATE).isin(dates.stream().map(Date::valueOf).toArray()));
    }
    long started = System.nanoTime();
    lake.replaceWhere(
        aggregate(rows).repartition(functions.col(MONTH)),
        Tables.CUSTOMER_DAILY,
        dates.isEmpty()
            ? null
            : MONTH
                + " IN ("
                + sqlDates(dates.stream().map(d -> d.withDayOfMonth(1)).distinct().toList())
                + ") AND "
                + DATE
                + " IN ("
                + sqlDates(dates)
                + ")",
        events.note());
    Refresh refresh = new Refresh(version, coveredBefore, dates.size(), dates.isEmpty(), why);
    LOG.info(
        "{}: {} in {} ms{}",
        Tables.CUSTOMER_DAILY,
        refresh.describe(),
        (System.nanoTime() - started) / 1_000_000,
        dates.isEmpty() ? "" : " (" + dates.get(0) + ".." + dates.get(dates.size() - 1) + ")");
    return refresh;
  }

  private static String sqlDates(List<LocalDate> dates) {
    return dates.stream().map(d -> "DATE'" + d + "'").collect(Collectors.joining(", "));
  }

  /**
   * The events table and version customer_daily covers: the note of its newest commit that has one
   * (a note without a table id is taken as {@code currentId}'s, the events table's now).
   */
  static Optional<Covered> covered(Lake lake, String currentId) {
    if (!lake.exists(Tables.CUSTOMER_DAILY)) {
      return Optional.empty();
    }
    Optional<Covered> recent =
        note(lake.commitNotes(Tables.CUSTOMER_DAILY, RECENT_COMMITS), currentId);
    return recent.isPresent()
        ? recent
        : note(lake.commitNotes(Tables.CUSTOMER_DAILY, Integer.MAX_VALUE), currentId);
  }

  private static Optional<Covered> note(List<String> notes, String currentId) {
    return notes.stream()
        .map(n -> Covered.parse(n, currentId))
        .flatMap(Optional::stream)
        .findFirst();
  }

  /**
   * The event dates in which the events commits {@code first..last} added or removed data, from
   * their entries in the events log; empty when an entry is gone (log cleanup) or names no
   * event_date.
   */
  public static Optional<TreeSet<LocalDate>> changedDates(Lake lake, long first, long last) {
    TreeSet<LocalDate> dates = new TreeSet<>();
    Path log = new Path(lake.path(Tables.EVENTS), "_delta_log");
    try {
      FileSystem fs = log.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      for (long v = first; v <= last; v++) {
        Path commit = new Path(log, String.format("%020d.json", v));
        try (BufferedReader in =
            new BufferedReader(new InputStreamReader(fs.open(commit), StandardCharsets.UTF_8))) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            JsonNode action = JSON.readTree(line);
            for (String kind : List.of("add", "remove")) {
              JsonNode file = action.get(kind);
              if (file == null || !file.path("dataChange").asBoolean(true)) {
                continue;
              }
              JsonNode date = file.path("partitionValues").get(DATE);
              if (date == null || date.isNull()) {
                LOG.warn(
                    "{}: events commit {} has a {} action without an {} partition value",
                    Tables.CUSTOMER_DAILY,
                    v,
                    kind,
                    DATE);
                return Optional.empty();
              }
              dates.add(LocalDate.parse(date.asText()));
            }
          }
        } catch (FileNotFoundException e) {
          LOG.warn(
              "{}: events log entry {} is gone (log cleanup): rebuilding every date",
              Tables.CUSTOMER_DAILY,
              commit);
          return Optional.empty();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the events log at " + log, e);
    }
    return Optional.of(dates);
  }
}
