package io.segpipe.jobs.migrate;

import io.segpipe.campaign.Campaign;
import io.segpipe.campaign.CampaignDefinitions;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.i18n.Messages;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import io.segpipe.modelling.ClusterLabels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-off: moves a config, a campaign file and a lake written before segment codes to codes, so
 * that new snapshots (codes) compare with earlier ones (names) in transitions, and exports and
 * campaigns find their segments. Safe to run again: what is a code already is left alone.
 */
public final class MigrateCodesJob extends SegpipeJob<MigrateCodesJob.Settings> {
  private static final Logger LOG = LoggerFactory.getLogger(MigrateCodesJob.class);

  /** The RFM names of the migrated config, and where the audience sets are. */
  record Settings(Map<String, String> rfm, String audiences, Messages messages) {}

  private final List<String> fileChanges = new ArrayList<>();
  private final Map<String, String> rfmFromFiles = new LinkedHashMap<>();

  public static void main(String[] args) {
    SegpipeJob.main(new MigrateCodesJob(), args);
  }

  @Override
  public String name() {
    return "migrate-codes";
  }

  @Override
  protected String summary() {
    return "Moves what was written before segment codes to codes, once. The --config file (and a --campaigns\n"
        + "file) are rewritten in place, each kept as <file>.before-codes: RFM segments named by code, export\n"
        + "audiences and campaign audiences by code, segpipe.report.locale moved to segpipe.locale, your own\n"
        + "segment texts moved to segpipe.messages. Then the lake: rfm_segment and cluster labels become codes in\n"
        + "customer_features, customer_segments (which gains its label columns, in segpipe.locale),\n"
        + "segment_profiles, segment_transitions, segment_rules and campaigns, and audience sets move to\n"
        + "folders named by codes. Running it again changes nothing.\n\n"
        + "Example: segpipe migrate-codes --config conf/production.conf --campaigns campaigns.conf";
  }

  @Override
  protected List<JobArguments.Option> options() {
    return List.of(
        new JobArguments.Option(
            CampaignDefinitions.FILE_OPTION, "FILE", "a campaign file to move to codes as well"));
  }

  @Override
  protected void beforeConfig(JobArguments arguments) {
    List<Path> files = new ArrayList<>();
    arguments.configFile().map(Path::of).ifPresent(files::add);
    arguments.option(CampaignDefinitions.FILE_OPTION).map(Path::of).ifPresent(files::add);
    for (Path file : files) {
      if (!file.toFile().isFile()) {
        continue; // the config loader names a missing file
      }
      ConfigMigration.Result result =
          ConfigMigration.migrate(ConfigMigration.parse(file), ClusterLabels::fromLegacy);
      ConfigMigration.rewrite(file, result);
      rfmFromFiles.putAll(result.rfmCodes());
      result.changes().forEach(c -> fileChanges.add(file + ": " + c));
      if (result.changed()) {
        System.out.println(
            "segpipe migrate-codes: rewrote "
                + file
                + " (the file before: "
                + file.getFileName()
                + ".before-codes):\n  "
                + String.join("\n  ", result.changes()));
      } else {
        System.out.println("segpipe migrate-codes: " + file + " uses codes already; left as it is");
      }
    }
  }

  @Override
  protected Settings settings(SegpipeConfig config, JobArguments arguments) {
    return config.section(
        reader -> {
          Map<String, String> rfm = new LinkedHashMap<>();
          Messages english = Messages.builtIn(Messages.REFERENCE);
          english.codes("rfm_segment").forEach(c -> rfm.put(english.label("rfm_segment", c), c));
          rfm.putAll(rfmFromFiles);
          return new Settings(
              rfm, reader.string("segpipe.export.audiences.folder"), config.messages());
        });
  }

  @Override
  protected JobOutcome run(JobContext context, Settings s) {
    LakeMigration migration =
        new LakeMigration(
            context.spark(),
            context.lake(),
            s.messages(),
            s.rfm(),
            ClusterLabels::fromLegacy,
            code -> ClusterLabels.name(s.messages(), code));
    context.phase("tables");
    migration.tables();
    context.phase("campaigns");
    migration.campaigns(MigrateCodesJob::hash);
    context.phase("audience folders");
    migration.audienceFolders(
        context.spark().sparkContext().hadoopConfiguration(), context.lake().folder(s.audiences()));
    Map<String, String> details = new LinkedHashMap<>(migration.changes());
    for (int i = 0; i < fileChanges.size(); i++) {
      details.put("file." + (i + 1), fileChanges.get(i));
    }
    migration.changes().forEach((k, v) -> LOG.info("migrated {}: {}", k, v));
    String summary =
        migration.changes().isEmpty()
            ? "the lake uses codes already; nothing to change"
            : "moved to codes: "
                + String.join(
                    ", ",
                    migration.changes().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .toList());
    return new JobOutcome(0, migration.changes().size(), 0, 0, summary, details);
  }

  private static String hash(Row r, String audience) {
    return Campaign.definitionSha256(
        r.getString(r.fieldIndex("campaign_id")),
        r.getDate(r.fieldIndex("snapshot_date")).toLocalDate(),
        audience,
        r.getDate(r.fieldIndex("start_date")).toLocalDate(),
        r.getInt(r.fieldIndex("window_days")),
        r.getDouble(r.fieldIndex("control_share")),
        r.getString(r.fieldIndex("metric")));
  }
}
