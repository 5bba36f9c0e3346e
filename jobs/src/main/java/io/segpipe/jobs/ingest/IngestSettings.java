package io.segpipe.jobs.ingest;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.privacy.Erasures;
import io.segpipe.identity.IdentitySettings;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What one ingest run reads, how, and how strict it is; read from config and arguments before Spark
 * starts.
 */
public record IngestSettings(
    String source,
    String format,
    SourceMapping mapping,
    double maxQuarantineShare,
    Instant cutoff,
    Optional<String> customers,
    Erasures.Key erasureKey,
    Optional<IdentitySettings> identity) {

  static IngestSettings from(
      SegpipeConfig config, JobArguments args, Instant now, UnaryOperator<String> environment) {
    record Keys(
        String source,
        String mapping,
        String format,
        double maxShare,
        String cutoff,
        Erasures.Key key,
        Optional<IdentitySettings> identity) {}
    Keys keys =
        config.section(
            r ->
                new Keys(
                    r.optionalString("segpipe.ingest.source"),
                    r.string("segpipe.ingest.mapping"),
                    r.optionalString("segpipe.ingest.format"),
                    r.number(
                        "segpipe.ingest.max-quarantine-share",
                        v -> v >= 0 && v <= 1,
                        "a share between 0 and 1, e.g. 0.05"),
                    r.string("segpipe.ingest.cutoff"),
                    Erasures.key(r, environment),
                    IdentitySettings.read(r, environment)));
    String source = args.option("source").orElse(keys.source());
    if (source == null || source.isBlank()) {
      throw new UserError(
          "No source to ingest: pass --source PATH (a file or folder of Parquet, Delta, CSV or "
              + "JSON lines) or set segpipe.ingest.source.");
    }
    SourceMapping mapping = SourceMapping.load(args.option("mapping").orElse(keys.mapping()));
    String format =
        args.option("format").orElse(keys.format() != null ? keys.format() : mapping.format());
    if (!SourceMapping.FORMATS.contains(format)) {
      throw new UserError(
          "Unknown source format '" + format + "': use one of " + SourceMapping.FORMATS + ".");
    }
    return new IngestSettings(
        source,
        format,
        mapping,
        keys.maxShare(),
        cutoff(keys.cutoff(), args, now),
        args.option("customers"),
        keys.key(),
        keys.identity());
  }

  private static Instant cutoff(String text, JobArguments args, Instant now) {
    switch (text) {
      case "now":
        return now;
      case "as-of-end":
        return args.asOf()
            .map(d -> d.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC))
            .orElseThrow(
                () -> new UserError("segpipe.ingest.cutoff = as-of-end needs --as-of YYYY-MM-DD."));
      default:
        try {
          return Instant.parse(text);
        } catch (DateTimeParseException e) {
          throw new UserError(
              "segpipe.ingest.cutoff: '"
                  + text
                  + "' is not now, as-of-end or an ISO-8601 instant "
                  + "such as 2024-12-31T23:59:59Z.");
        }
    }
  }
}
