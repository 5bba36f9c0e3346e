package io.segpipe.jobs.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.job.JobContext;
import io.segpipe.common.job.JobOutcome;
import io.segpipe.common.job.SegpipeJob;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The report job: for --as-of, one self-contained HTML page with the segments, their migration
 * since the previous snapshot, the cluster portraits, churn risk, model metrics, lifetime value,
 * the campaigns evaluated by then and data quality, and the same figures as JSON beside it. Every
 * figure is aggregated in Spark; the page draws its charts as inline SVG, loads nothing and runs no
 * script.
 */
public final class ReportJob extends SegpipeJob<ReportSettings> {
  public static final String PAGE = "segment-report.html";
  public static final String DATA = "report-data.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static void main(String[] args) {
    SegpipeJob.main(new ReportJob(), args);
  }

  @Override
  public String name() {
    return "report";
  }

  @Override
  protected String summary() {
    return "Writes the segment report of --as-of: one self-contained HTML page (headline figures, RFM segments with\n"
        + "suggested actions, the R x F grid, the lifecycle funnel, segment migration since the previous snapshot,\n"
        + "cluster portraits and rules, churn risk, model metrics, lifetime value, the campaigns evaluated by then\n"
        + "(campaign_results: uplift with intervals, sample-ratio warnings) and data quality; charts drawn as inline SVG, nothing\n"
        + "loaded from the network) and report-data.json with the same figures, under segpipe.report.folder/<as-of>/.\n"
        + "Needs the segment job's tables for that date.\n\n"
        + "Example: segpipe report --as-of 2024-12-31";
  }

  @Override
  protected ReportSettings settings(SegpipeConfig config, JobArguments arguments) {
    LocalDate asOf = arguments.requireAsOf(name());
    return config.section(
        reader ->
            ReportSettings.read(
                reader, asOf, config.events().reportingCurrency(), config.messages()));
  }

  /**
   * The folder of one date's report: under the lake root unless the setting is absolute or a URI.
   */
  public static String folder(JobContext context, ReportSettings settings) {
    String root = settings.folder();
    String base = root.startsWith("/") || root.contains("://") ? root : context.lake().path(root);
    return (base.endsWith("/") ? base : base + "/") + settings.asOf();
  }

  @Override
  protected JobOutcome run(JobContext context, ReportSettings settings) {
    ReportData data = new ReportFigures(context, settings).collect();
    context.phase("write the report");
    String page = ReportPage.render(data, settings);
    String json;
    try {
      json = JSON.writeValueAsString(data);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report figures as JSON", e);
    }
    String folder = folder(context, settings);
    // The data first, the page last: a page on disk always has its figures beside it.
    write(context, folder, DATA, json);
    write(context, folder, PAGE, page);
    Map<String, String> details = new LinkedHashMap<>();
    details.put("page", folder + "/" + PAGE);
    details.put("data", folder + "/" + DATA);
    details.put("previous_as_of_date", String.valueOf(data.previousAsOfDate()));
    long customers = data.headline().current().customers();
    String summary =
        String.format(
            "report of %s (%,d customers, %d clusters%s) written to %s/%s",
            settings.asOf(),
            customers,
            data.clusters().size(),
            data.previousAsOfDate() == null
                ? ", first snapshot"
                : ", compared with " + data.previousAsOfDate(),
            folder,
            PAGE);
    return new JobOutcome(customers, 2, 0, 0, summary, details);
  }

  /**
   * Writes one file through Hadoop's FileSystem (local, HDFS or S3): to a hidden temporary file
   * first, then moved into place, so a failed run leaves the previous report as it was.
   */
  private static void write(JobContext context, String folder, String name, String text) {
    Path target = new Path(folder, name);
    Path temporary = new Path(folder, "." + name + ".tmp");
    try {
      FileSystem fs = target.getFileSystem(context.spark().sparkContext().hadoopConfiguration());
      fs.mkdirs(new Path(folder));
      try (OutputStream out = fs.create(temporary, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      if (fs.exists(target) && !fs.delete(target, false)) {
        throw new IOException("cannot replace " + target);
      }
      if (!fs.rename(temporary, target)) {
        throw new IOException("cannot move " + temporary + " to " + target);
      }
      // The local file system leaves a .crc file beside each file it writes; a report folder holds
      // only the report.
      Path checksum = new Path(folder, "." + name + ".crc");
      if (fs.exists(checksum)) {
        fs.delete(checksum, false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }
}
