package io.segpipe.jobs.export;

import io.segpipe.audience.CustomerSegmentsColumns;
import io.segpipe.campaign.Campaign;
import io.segpipe.campaign.CampaignAssignment;
import io.segpipe.common.UserError;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.schema.Campaigns;
import io.segpipe.common.tables.Tables;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The campaign side of an export. A campaign whose snapshot date is the export's as-of date is
 * split the first time it is exported: its eligible customers (consenting now, in the audience) go
 * to campaign_assignments as treatment or control, and a later export of the same date reuses those
 * groups (intention to treat: consent or profile changes move nobody). Until its window ends its
 * control customers are kept out of every audience file and of the PostgreSQL table.
 */
final class CampaignExport {
  private static final Logger LOG = LoggerFactory.getLogger(CampaignExport.class);

  /**
   * The campaigns of one export: those launched on its date and the control customers held out on
   * it.
   */
  record Prepared(
      List<Launched> launched,
      Dataset<Row> heldOut,
      List<String> holding,
      Map<String, Row> table) {}

  /** A campaign of the export's date with the sizes of its groups. */
  record Launched(Campaign campaign, long treatment, long control, boolean assignedNow) {}

  private CampaignExport() {}

  /**
   * Splits the campaigns of {@code asOf} not split before, and finds the control customers of every
   * campaign holding on {@code asOf}.
   *
   * @param snapshot the customer_segments snapshot of {@code asOf} with today's consent, ids not
   *     pseudonymised
   */
  static Prepared prepare(
      JobContext context, Dataset<Row> snapshot, List<Campaign> campaigns, LocalDate asOf) {
    Lake lake = context.lake();
    Map<String, Row> table = new TreeMap<>();
    if (lake.exists(Tables.CAMPAIGNS)) {
      for (Row row : lake.read(Tables.CAMPAIGNS, "").collectAsList()) {
        table.put(row.getString(row.fieldIndex("campaign_id")), row);
      }
    }
    List<Campaign> launching =
        campaigns.stream().filter(c -> c.snapshotDate().equals(asOf)).toList();
    for (Campaign c : launching) {
      Row known = table.get(c.id());
      if (known != null
          && !known.getString(known.fieldIndex("definition_sha256")).equals(c.definitionSha256())) {
        throw new UserError(
            "Campaign "
                + c.id()
                + " was split on "
                + known.getTimestamp(known.fieldIndex("assigned_at"))
                + " with another definition (audience "
                + known.getString(known.fieldIndex("audience"))
                + ", start "
                + known.getDate(known.fieldIndex("start_date"))
                + ", "
                + known.getInt(known.fieldIndex("window_days"))
                + " days, control share "
                + known.getDouble(known.fieldIndex("control_share"))
                + ", metric "
                + known.getString(known.fieldIndex("metric"))
                + "). Its groups are fixed; give the changed campaign a new id.");
      }
    }
    campaigns.stream()
        .filter(c -> c.snapshotDate().isBefore(asOf) && !table.containsKey(c.id()))
        .forEach(
            c ->
                LOG.warn(
                    "export: campaign {} has snapshot date {} and was never exported, so it has no groups. Run"
                        + " `scripts/segpipe export --as-of {}` to split it.",
                    c.id(),
                    c.snapshotDate(),
                    c.snapshotDate()));

    // Campaigns with groups already (a re-export of the date, or a run that failed after writing
    // them).
    List<String> assigned =
        lake.exists(Tables.CAMPAIGN_ASSIGNMENTS) && !launching.isEmpty()
            ? lake
                .read(Tables.CAMPAIGN_ASSIGNMENTS, "")
                .where(
                    functions
                        .col("campaign_id")
                        .isin(launching.stream().map(Campaign::id).toArray()))
                .select("campaign_id")
                .distinct()
                .collectAsList()
                .stream()
                .map(r -> r.getString(0))
                .toList()
            : List.of();
    Timestamp now = Timestamp.from(context.startedAt());
    Dataset<Row> fresh = null;
    for (Campaign c : launching) {
      if (assigned.contains(c.id())) {
        continue;
      }
      context.phase("split campaign " + c.id());
      Dataset<Row> eligible;
      try {
        eligible =
            snapshot
                .where(functions.col(CustomerSegmentsColumns.CONSENT).equalTo(true))
                .where(functions.expr(c.audience().predicate()))
                .select(CustomerSegmentsColumns.CUSTOMER_ID);
      } catch (Exception e) { // a predicate Spark cannot parse or analyse
        throw new UserError(
            "Campaign "
                + c.id()
                + ": its audience ("
                + c.audience().describe()
                + ") is not a valid"
                + " condition on customer_segments: "
                + e.getMessage().lines().findFirst().orElse("")
                + ". Columns: "
                + String.join(", ", snapshot.columns())
                + ".");
      }
      Dataset<Row> rows = CampaignAssignment.split(eligible, c, now);
      fresh = fresh == null ? rows : fresh.unionByName(rows);
    }
    if (fresh != null) {
      context.phase("write campaign_assignments");
      lake.append(fresh, Tables.CAMPAIGN_ASSIGNMENTS);
    }

    Map<String, long[]> sizes = new LinkedHashMap<>();
    if (!launching.isEmpty()) {
      for (Row r :
          lake.read(Tables.CAMPAIGN_ASSIGNMENTS, "")
              .where(
                  functions.col("campaign_id").isin(launching.stream().map(Campaign::id).toArray()))
              .groupBy("campaign_id", "test_group")
              .count()
              .collectAsList()) {
        long[] s = sizes.computeIfAbsent(r.getString(0), k -> new long[2]);
        s[Campaigns.CONTROL.equals(r.getString(1)) ? 1 : 0] = r.getLong(2);
      }
    }
    List<Launched> launched = new ArrayList<>();
    for (Campaign c : launching) {
      long[] s = sizes.getOrDefault(c.id(), new long[2]);
      if (s[0] + s[1] == 0) {
        throw new UserError(
            "Campaign "
                + c.id()
                + " has no eligible customer: nobody in the customer_segments snapshot"
                + " of "
                + asOf
                + " with marketing opt-in matches its audience ("
                + c.audience().describe()
                + "). Check the"
                + " audience (segment names are case-sensitive) or the customers dimension's consent.");
      }
      launched.add(new Launched(c, s[0], s[1], !assigned.contains(c.id())));
    }

    List<String> holding = new ArrayList<>();
    table.values().stream()
        .filter(r -> holds(r.getDate(r.fieldIndex("end_date")).toLocalDate(), asOf))
        .forEach(r -> holding.add(r.getString(0)));
    launching.stream().filter(c -> !holding.contains(c.id())).forEach(c -> holding.add(c.id()));
    Dataset<Row> heldOut =
        holding.isEmpty()
            ? snapshot.select(CustomerSegmentsColumns.CUSTOMER_ID).limit(0)
            : lake.read(Tables.CAMPAIGN_ASSIGNMENTS, "")
                .where(
                    functions
                        .col("campaign_id")
                        .isin(holding.toArray())
                        .and(functions.col("test_group").equalTo(Campaigns.CONTROL)))
                .select(CustomerSegmentsColumns.CUSTOMER_ID)
                .distinct();
    return new Prepared(launched, heldOut, holding, table);
  }

  /**
   * A split campaign holds its control group out of every export of a date up to the last day of
   * its window: also of an earlier date exported again while it runs (a backfill), whose files a
   * marketing tool could pick up just as well.
   */
  static boolean holds(LocalDate end, LocalDate day) {
    return !day.isAfter(end);
  }

  /** The customers of one group of a campaign, from campaign_assignments. */
  static Dataset<Row> group(Lake lake, String campaignId, String group) {
    return lake.read(Tables.CAMPAIGN_ASSIGNMENTS, "")
        .where(
            functions
                .col("campaign_id")
                .equalTo(campaignId)
                .and(functions.col("test_group").equalTo(group)))
        .select(CustomerSegmentsColumns.CUSTOMER_ID);
  }

  /**
   * The campaigns table with the launched campaigns' rows added or refreshed, every other row kept.
   */
  static void record(JobContext context, Prepared prepared) {
    if (prepared.launched().isEmpty()) {
      return;
    }
    Timestamp now = Timestamp.from(context.startedAt());
    Map<String, Row> rows = new TreeMap<>(prepared.table());
    for (Launched l : prepared.launched()) {
      Campaign c = l.campaign();
      Row known = rows.get(c.id());
      Timestamp assignedAt =
          known != null ? known.getTimestamp(known.fieldIndex("assigned_at")) : now;
      rows.put(
          c.id(),
          RowFactory.create(
              c.id(),
              c.name(),
              Date.valueOf(c.snapshotDate()),
              c.audience().describe(),
              Date.valueOf(c.startDate()),
              Date.valueOf(c.endDate()),
              c.windowDays(),
              c.controlShare(),
              c.metric(),
              Campaigns.SPLIT_RULE,
              c.definitionSha256(),
              l.treatment() + l.control(),
              l.treatment(),
              l.control(),
              assignedAt,
              now));
    }
    context.phase("write campaigns");
    context
        .lake()
        .overwrite(
            context.spark().createDataFrame(new ArrayList<>(rows.values()), Campaigns.SCHEMA),
            Tables.CAMPAIGNS);
  }
}
