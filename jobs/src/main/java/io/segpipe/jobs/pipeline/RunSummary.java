package io.segpipe.jobs.pipeline;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a pipeline run did, per date and job: printed as a table at the end, success or not. */
final class RunSummary {
  static final String OK = "ok";
  static final String FAILED = "FAILED";
  static final String NOT_DUE = "not due";
  static final String SKIPPED = "skipped";
  static final String NOT_RUN = "-";

  private final List<String> jobs;
  private final Map<LocalDate, Map<String, String>> cells = new LinkedHashMap<>();
  private final Map<LocalDate, Double> seconds = new LinkedHashMap<>();
  private String ingest = NOT_RUN;

  RunSummary(List<LocalDate> dates, List<String> jobs) {
    this.jobs = List.copyOf(jobs);
    for (LocalDate date : dates) {
      Map<String, String> row = new LinkedHashMap<>();
      jobs.forEach(j -> row.put(j, NOT_RUN));
      cells.put(date, row);
    }
  }

  void ingest(String status) {
    ingest = status;
  }

  void set(LocalDate date, String job, String status) {
    cells.get(date).put(job, status);
  }

  void seconds(LocalDate date, double value) {
    seconds.put(date, value);
  }

  String table() {
    StringBuilder out = new StringBuilder();
    out.append("segpipe pipeline: what ran (ok = succeeded, not due = train skipped by ")
        .append(TrainSchedule.KEY)
        .append(", skipped = before --from-job, - = not run)\n");
    out.append("  ingest: ").append(ingest).append('\n');
    StringBuilder header = new StringBuilder(String.format("  %-10s", "as_of_date"));
    jobs.forEach(j -> header.append(String.format("  %-8s", j)));
    out.append(header).append("  seconds\n");
    cells.forEach(
        (date, row) -> {
          StringBuilder line = new StringBuilder(String.format("  %-10s", date));
          row.values().forEach(v -> line.append(String.format("  %-8s", v)));
          line.append(seconds.containsKey(date) ? String.format("  %.1f", seconds.get(date)) : "");
          out.append(line.toString().stripTrailing()).append('\n');
        });
    return out.toString();
  }
}
