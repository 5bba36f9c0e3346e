package io.segpipe.campaign;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.segpipe.common.UserError;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.i18n.Messages;
import io.segpipe.common.schema.Campaigns;
import java.io.File;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads the campaigns of segpipe.campaigns and of a campaign file (--campaigns FILE, a HOCON file
 * with {@code campaigns = [ ... ]}), checking every field before Spark starts.
 */
public final class CampaignDefinitions {
  public static final String KEY = "segpipe.campaigns";
  public static final String FILE_OPTION = "campaigns";
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private static final Set<String> FIELDS =
      Set.of(
          "id",
          "name",
          "snapshot-date",
          "audience",
          "start-date",
          "window-days",
          "control-share",
          "metric");
  private static final Set<String> AUDIENCE_FIELDS = Set.of("segmentation", "segment", "where");
  private static final double DEFAULT_SHARE = 0.10;

  /** What a segment code can look like (cluster codes join phrase codes with +). */
  private static final Pattern SEGMENT_CODE = Pattern.compile("[a-z0-9][a-z0-9_+.-]*");

  private CampaignDefinitions() {}

  /**
   * The campaigns of the config and of {@code file} (when given), in that order. Problems of the
   * config's campaigns are added to {@code r}; a campaign file that cannot be read is a UserError.
   *
   * @param segmentations the customer_segments columns an audience can be chosen by
   */
  public static List<Campaign> read(
      ConfigReader r, Optional<String> file, List<String> segmentations) {
    List<Campaign> out = new ArrayList<>();
    Map<String, String> seen = new LinkedHashMap<>();
    campaigns(r, r.config(), KEY, "segpipe.campaigns", segmentations, out, seen);
    if (file.isPresent()) {
      File f = new File(file.get());
      if (!f.isFile()) {
        throw new UserError(
            "Campaign file "
                + f.getPath()
                + " (--campaigns) does not exist. Pass a HOCON file with"
                + " campaigns = [ { id = ..., ... } ] (see docs/campaigns.md).");
      }
      Config parsed;
      try {
        parsed =
            ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false))
                .resolve();
      } catch (ConfigException e) {
        throw new UserError(
            "Campaign file " + f.getPath() + " cannot be parsed: " + e.getMessage());
      }
      Set<String> unknown = new TreeSet<>(parsed.root().keySet());
      unknown.remove("campaigns");
      if (!unknown.isEmpty()) {
        r.problem(
            f.getPath(),
            "unknown key "
                + String.join(", ", unknown)
                + "; a campaign file holds only"
                + " campaigns = [ ... ]");
      }
      if (!parsed.hasPath("campaigns")) {
        r.problem(f.getPath(), "has no campaigns = [ ... ] list");
      } else {
        campaigns(r, parsed, "campaigns", f.getPath() + ": campaigns", segmentations, out, seen);
      }
    }
    return List.copyOf(out);
  }

  private static void campaigns(
      ConfigReader r,
      Config config,
      String path,
      String label,
      List<String> segmentations,
      List<Campaign> out,
      Map<String, String> seen) {
    List<? extends Config> list;
    try {
      list = config.getConfigList(path);
    } catch (ConfigException e) {
      r.problem(
          label,
          "expected a list of campaign objects, e.g. [ { id = spring-winback, snapshot-date ="
              + " \"2024-09-30\", audience { segmentation = rfm_segment, segment = at_risk }, start-date ="
              + " \"2024-10-01\", window-days = 30 } ]");
      return;
    }
    for (int i = 0; i < list.size(); i++) {
      Campaign c = campaign(r, list.get(i), label + "[" + i + "]", segmentations);
      if (c == null) {
        continue;
      }
      String where = label + "[" + i + "]";
      if (seen.containsKey(c.id())) {
        r.problem(
            where,
            "campaign id '"
                + c.id()
                + "' is also used by "
                + seen.get(c.id())
                + "; every campaign needs its own id (it decides the split)");
      } else {
        seen.put(c.id(), where);
        out.add(c);
      }
    }
  }

  private static Campaign campaign(
      ConfigReader r, Config c, String where, List<String> segmentations) {
    int before = r.problems().size();
    Set<String> unknown = new TreeSet<>(c.root().keySet());
    unknown.removeAll(FIELDS);
    for (String key : unknown) {
      r.problem(
          where + "." + key, "is not a campaign field; a campaign has " + new TreeSet<>(FIELDS));
    }
    String id = text(r, c, "id", where);
    if (id != null && !ID.matcher(id).matches()) {
      r.problem(
          where + ".id",
          "'"
              + id
              + "' is not a campaign id: lower-case letters, digits, - and _ (at most 64,"
              + " starting with a letter or digit)");
    }
    String name = c.hasPath("name") ? text(r, c, "name", where) : id;
    LocalDate snapshot = date(r, c, "snapshot-date", where);
    LocalDate start = date(r, c, "start-date", where);
    Integer window = null;
    if (!c.hasPath("window-days")) {
      r.problem(where + ".window-days", "missing; the measurement window in days, e.g. 30");
    } else {
      try {
        window = c.getInt("window-days");
        if (window < 1) {
          r.problem(
              where + ".window-days",
              "is " + window + ": the window would end before it starts; give at" + " least 1 day");
        }
      } catch (ConfigException e) {
        r.problem(where + ".window-days", "expected a whole number of days, e.g. 30");
      }
    }
    double share = DEFAULT_SHARE;
    if (c.hasPath("control-share")) {
      try {
        share = c.getDouble("control-share");
        if (!(share > 0 && share <= 0.5)) {
          r.problem(
              where + ".control-share",
              "is " + share + "; expected a share in (0, 0.5], e.g. 0.1 for 10 %");
        }
      } catch (ConfigException e) {
        r.problem(where + ".control-share", "expected a number in (0, 0.5], e.g. 0.1");
      }
    }
    String metric = c.hasPath("metric") ? text(r, c, "metric", where) : Campaigns.CONVERSION;
    if (metric != null && !Campaigns.TARGET_METRICS.contains(metric)) {
      r.problem(
          where + ".metric",
          "'" + metric + "' is not a metric; choose from " + Campaigns.TARGET_METRICS);
    }
    if (snapshot != null && start != null && start.isBefore(snapshot)) {
      r.problem(
          where + ".start-date",
          start
              + " is before the snapshot-date "
              + snapshot
              + ": the audience is chosen"
              + " from that snapshot, so the campaign can start on that day at the earliest");
    }
    Campaign.Audience audience = audience(r, c, where, segmentations);
    if (r.problems().size() > before) {
      return null;
    }
    return new Campaign(id, name, snapshot, audience, start, window, share, metric);
  }

  private static Campaign.Audience audience(
      ConfigReader r, Config c, String where, List<String> segmentations) {
    String key = where + ".audience";
    Config a;
    try {
      a = c.getConfig("audience");
    } catch (ConfigException e) {
      r.problem(
          key,
          "expected { segmentation = rfm_segment, segment = at_risk } or { where = \"<SQL predicate"
              + " over customer_segments>\" }");
      return null;
    }
    Set<String> unknown = new TreeSet<>(a.root().keySet());
    unknown.removeAll(AUDIENCE_FIELDS);
    unknown.forEach(
        u ->
            r.problem(
                key + "." + u, "is not an audience field; use segmentation and segment, or where"));
    boolean bySegment = a.hasPath("segmentation") || a.hasPath("segment");
    if (bySegment == a.hasPath("where")) {
      r.problem(
          key,
          "give either segmentation and segment, or where (a SQL predicate over customer_segments)");
      return null;
    }
    if (a.hasPath("where")) {
      String predicate = text(r, a, "where", key);
      return predicate == null ? null : Campaign.Audience.where(predicate);
    }
    String segmentation = text(r, a, "segmentation", key);
    String segment = text(r, a, "segment", key);
    if (segmentation != null && !segmentations.contains(segmentation)) {
      r.problem(
          key + ".segmentation",
          "'" + segmentation + "' is not a segmentation; choose from " + segmentations);
    }
    if (segment != null && !SEGMENT_CODE.matcher(segment).matches()) {
      r.problem(
          key + ".segment",
          "'"
              + segment
              + "' is not a code: segments are named by codes (lower-case ASCII,"
              + " digits, _)"
              + (segmentation == null
                  ? ""
                  : Messages.codeOfEnglishLabel(segmentation, segment)
                      .map(
                          code ->
                              "; '"
                                  + segment
                                  + "' is the label of "
                                  + code
                                  + ", write "
                                  + code
                                  + " (scripts/segpipe migrate-codes moves a campaign file to codes)")
                      .orElse("")));
    }
    return segmentation == null || segment == null
        ? null
        : Campaign.Audience.segment(segmentation, segment);
  }

  private static String text(ConfigReader r, Config c, String field, String where) {
    if (!c.hasPath(field)) {
      r.problem(where + "." + field, "missing");
      return null;
    }
    try {
      String value = c.getString(field);
      if (value.isBlank()) {
        r.problem(where + "." + field, "is empty");
        return null;
      }
      return value;
    } catch (ConfigException e) {
      r.problem(where + "." + field, "expected text");
      return null;
    }
  }

  private static LocalDate date(ConfigReader r, Config c, String field, String where) {
    String value = text(r, c, field, where);
    if (value == null) {
      return null;
    }
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      r.problem(where + "." + field, "'" + value + "' is not a date YYYY-MM-DD");
      return null;
    }
  }
}
