package io.segpipe.jobs.evaluate;

import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.schema.Campaigns;
import io.segpipe.common.sql.SqlResource;
import io.segpipe.common.tables.Tables;
import io.segpipe.identity.Profiles;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluate job: for every campaign whose measurement window has ended by --as-of, what its
 * treated and control customers did in the window, and the uplift of treatment over control with
 * intervals, p-values, the minimum detectable effect and a sample-ratio check, into
 * campaign_results.
 */
public final class EvaluateJob extends SegpipeJob<EvaluateSettings> {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);
  static final String INCLUDE_RUNNING = "include-running";

  /** Campaigns named one by one in the run summary; the others are counted. */
  private static final int SUMMARY_CAMPAIGNS = 10;

  private static final StructType DUE =
      new StructType()
          .add("campaign_id", DataTypes.StringType, false)
          .add("window_start", DataTypes.DateType, false)
          .add("window_end", DataTypes.DateType, false);

  public static void main(String[] args) {
    SegpipeJob.main(new EvaluateJob(), args);
  }

  @Override
  public String name() {
    return "evaluate";
  }

  @Override
  protected String summary() {
    return "Measures every campaign the export split (table campaigns) whose window has ended by --as-of: per"
        + " group (treatment, control) customers, buyers, conversion, orders and revenue per customer and average"
        + " order value in the window, from events; the uplift of treatment over control, absolute and relative,"
        + " with intervals (segpipe.evaluate.confidence) and p-values, incremental revenue, the minimum detectable"
        + " effect and a sample-ratio check of the split. One pass over the events for all campaigns; results"
        + " replace the campaign's rows in campaign_results. More: docs/campaigns.md";
  }

  @Override
  protected List<JobArguments.Option> options() {
    return List.of(
        new JobArguments.Option(
            INCLUDE_RUNNING,
            null,
            "also measure campaigns whose window has started"
                + " but not ended, up to --as-of (marked running = true: an early look, not the result)"));
  }

  @Override
  protected EvaluateSettings settings(SegpipeConfig config, JobArguments arguments) {
    LocalDate asOf = arguments.requireAsOf(name());
    return config.section(r -> EvaluateSettings.read(r, asOf, arguments.flag(INCLUDE_RUNNING)));
  }

  /** A campaign to measure now, over [start, end]. */
  record Due(
      String id,
      String name,
      String metric,
      double controlShare,
      LocalDate start,
      LocalDate end,
      boolean running) {}

  @Override
  protected JobOutcome run(JobContext context, EvaluateSettings s) {
    Lake lake = context.lake();
    if (!lake.exists(Tables.CAMPAIGNS)) {
      return nothingEvaluated(
          "no campaign has been exported yet (no campaigns table at "
              + lake.path(Tables.CAMPAIGNS)
              + "); nothing to evaluate");
    }
    context.phase("read campaigns");
    Schedule schedule = schedule(lake, s);
    if (schedule.due().isEmpty()) {
      return nothingEvaluated(nothingDue(s, schedule.notYet()));
    }

    context.phase("measure " + schedule.due().size() + " campaigns in one pass over events");
    Measured measured = measure(context, s, schedule.due());

    context.phase("write campaign_results");
    writeResults(context, schedule.due(), measured.rows());
    String summary = summary(s, schedule, measured.lines());
    return new JobOutcome(
        measured.assigned(), measured.rows().size(), 0, 0, summary, measured.details());
  }

  /** The campaigns to measure now, and those not yet (each with why, for the summary). */
  private record Schedule(List<Due> due, List<String> notYet) {}

  /**
   * The rows for campaign_results, a line per campaign, the run's details and the customers in the
   * measured groups.
   */
  private record Measured(
      List<Row> rows, List<String> lines, Map<String, String> details, long assigned) {}

  private static Schedule schedule(Lake lake, EvaluateSettings s) {
    LocalDate asOf = s.asOf();
    List<Due> due = new ArrayList<>();
    List<String> notYet = new ArrayList<>();
    for (Row r : lake.read(Tables.CAMPAIGNS, "").orderBy("campaign_id").collectAsList()) {
      LocalDate start = r.getDate(r.fieldIndex("start_date")).toLocalDate();
      LocalDate end = r.getDate(r.fieldIndex("end_date")).toLocalDate();
      String id = r.getString(r.fieldIndex("campaign_id"));
      boolean ended = !end.isAfter(asOf);
      boolean running = !ended && !start.isAfter(asOf);
      if (ended || (running && s.includeRunning())) {
        due.add(
            new Due(
                id,
                r.getString(r.fieldIndex("name")),
                r.getString(r.fieldIndex("metric")),
                r.getDouble(r.fieldIndex("control_share")),
                start,
                ended ? end : asOf,
                running));
      } else {
        notYet.add(id + (running ? " (running until " + end + ")" : " (starts " + start + ")"));
      }
    }
    return new Schedule(due, notYet);
  }

  private static JobOutcome nothingEvaluated(String summary) {
    return new JobOutcome(0, 0, 0, 0, summary, Map.of());
  }

  private static String nothingDue(EvaluateSettings s, List<String> notYet) {
    return "no campaign to evaluate as of "
        + s.asOf()
        + (notYet.isEmpty()
            ? ""
            : "; not ended: "
                + String.join(", ", notYet)
                + (s.includeRunning() ? "" : " (--include-running looks at running ones early)"));
  }

  /** Measures every due campaign whose groups both have at least 2 customers. */
  private static Measured measure(JobContext context, EvaluateSettings s, List<Due> due) {
    Map<String, Map<String, Row>> outcomes = outcomes(context, due);
    Timestamp now = Timestamp.from(context.startedAt());
    List<Row> rows = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    Map<String, String> details = new LinkedHashMap<>();
    long assigned = 0;
    for (Due d : due) {
      Map<String, Row> groups = outcomes.getOrDefault(d.id(), Map.of());
      Row treated = groups.get(Campaigns.TREATMENT);
      Row control = groups.get(Campaigns.CONTROL);
      if (treated == null || control == null || treated.getLong(2) < 2 || control.getLong(2) < 2) {
        LOG.warn(
            "evaluate: campaign {} has fewer than 2 customers in a group (treatment {}, control {}); it cannot"
                + " be measured.",
            d.id(),
            treated == null ? 0 : treated.getLong(2),
            control == null ? 0 : control.getLong(2));
        lines.add(d.id() + ": not measurable (a group has fewer than 2 customers)");
        continue;
      }
      CampaignResult result = CampaignResult.of(d, treated, control, s);
      assigned += result.treatedCustomers() + result.controlCustomers();
      rows.addAll(result.rows(s.asOf(), now, s));
      lines.add(result.line(s));
      details.put("campaign." + d.id(), result.line(s));
    }
    return new Measured(rows, lines, details, assigned);
  }

  /** Replaces the measured campaigns' rows in campaign_results, keeping the other campaigns'. */
  private static void writeResults(JobContext context, List<Due> due, List<Row> rows) {
    Lake lake = context.lake();
    List<String> measured = due.stream().map(Due::id).toList();
    List<Row> kept =
        lake.exists(Tables.CAMPAIGN_RESULTS)
            ? lake.read(Tables.CAMPAIGN_RESULTS, "")
                .where(functions.not(functions.col("campaign_id").isin(measured.toArray())))
                .collectAsList()
            : List.of();
    List<Row> all = new ArrayList<>(kept);
    all.addAll(rows);
    lake.overwrite(
        context
            .spark()
            .createDataFrame(all, Campaigns.RESULTS_SCHEMA)
            .orderBy("campaign_id", "metric")
            .coalesce(1),
        Tables.CAMPAIGN_RESULTS);
  }

  private static String summary(EvaluateSettings s, Schedule schedule, List<String> lines) {
    String shown =
        lines.size() <= SUMMARY_CAMPAIGNS
            ? String.join("; ", lines)
            : String.join("; ", lines.subList(0, SUMMARY_CAMPAIGNS))
                + "; and "
                + (lines.size() - SUMMARY_CAMPAIGNS)
                + " more (campaign_results and this run's details in run_metrics)";
    return schedule.due().size()
        + " campaigns evaluated as of "
        + s.asOf()
        + ": "
        + shown
        + (schedule.notYet().isEmpty()
            ? ""
            : "; not ended: " + String.join(", ", schedule.notYet()));
  }

  /**
   * Per campaign and group: the row of campaign_outcomes.sql (campaign_id, test_group, customers,
   * ...).
   */
  private static Map<String, Map<String, Row>> outcomes(JobContext context, List<Due> due) {
    LocalDate first = due.stream().map(Due::start).min(LocalDate::compareTo).orElseThrow();
    LocalDate last = due.stream().map(Due::end).max(LocalDate::compareTo).orElseThrow();
    List<Row> dueRows =
        due.stream()
            .map(d -> RowFactory.create(d.id(), Date.valueOf(d.start()), Date.valueOf(d.end())))
            .toList();
    Dataset<Row> assignments =
        context
            .lake()
            .read(
                Tables.CAMPAIGN_ASSIGNMENTS,
                "Run `scripts/segpipe export` on the campaigns' snapshot dates first.")
            .where(functions.col("campaign_id").isin(due.stream().map(Due::id).toArray()))
            .select("campaign_id", "customer_id", "test_group");
    Dataset<Row> events =
        Profiles.rekey(
            context.lake().read(Tables.EVENTS, "Run `scripts/segpipe ingest` first."),
            Profiles.keys(context.config(), context.lake(), last));
    Dataset<Row> result =
        SqlResource.load("sql/evaluate/campaign_outcomes.sql")
            .withView("due", context.spark().createDataFrame(dueRows, DUE))
            .withView("assignments", assignments)
            .withView("events", events)
            .with("first_day", first)
            .with("last_day", last)
            .run(context.spark());
    Map<String, Map<String, Row>> out = new TreeMap<>();
    for (Row r : result.collectAsList()) {
      out.computeIfAbsent(r.getString(0), k -> new TreeMap<>()).put(r.getString(1), r);
    }
    return out;
  }

  static double number(Row row, String column) {
    Object value = row.get(row.fieldIndex(column));
    return value instanceof BigDecimal d ? d.doubleValue() : ((Number) value).doubleValue();
  }
}
