package io.segpipe.audience;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import io.segpipe.campaign.Campaign;
import io.segpipe.campaign.CampaignDefinitions;
import io.segpipe.common.UserError;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.i18n.Messages;
import io.segpipe.common.secret.Secrets;
import io.segpipe.features.RfmSchemes;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * What one export run needs: the as-of date and the segpipe.export section, checked before Spark
 * starts. Secrets (salt, password) come from the environment variables the config names, never from
 * a file.
 */
public record ExportSettings(
    LocalDate asOf,
    List<String> columns,
    Optional<String> salt,
    Audiences audiences,
    Optional<Postgres> postgres,
    List<Campaign> campaigns,
    String controlFolder,
    boolean csvBom,
    Messages messages) {

  private static final String PREFIX = "segpipe.export.";
  static final String SEGMENTS_KEY = PREFIX + "audiences.segments";

  /**
   * The RFM audiences under the cn-8 scheme while segments.rfm_segment is left at its (score-map)
   * default.
   */
  static final String CN8_DEFAULT_KEY = PREFIX + "audiences.cn-8-rfm-segments";

  private static final Pattern TABLE_NAME =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

  /** The audience sets to write: segments per segmentation, under {@code folder}. */
  public record Audiences(
      boolean enabled, String folder, Map<String, List<String>> segments, int rowsPerPartition) {}

  /** Where the PostgreSQL copy goes; {@code password} is empty when the variable is unset. */
  public record Postgres(
      String url, String user, Optional<String> password, String table, int batchSize) {
    @Override
    public String toString() {
      return "Postgres[url=" + Secrets.redact(url) + ", user=" + user + ", table=" + table + "]";
    }
  }

  @Override
  public String toString() {
    return "ExportSettings[asOf="
        + asOf
        + ", columns="
        + columns
        + ", pseudonymised="
        + salt.isPresent()
        + "]";
  }

  public static ExportSettings read(
      ConfigReader r,
      LocalDate asOf,
      UnaryOperator<String> environment,
      Optional<String> campaignsFile,
      Messages messages) {
    List<String> columns = r.nonEmptyStrings(PREFIX + "columns");
    columns.stream()
        .filter(c -> !CustomerSegmentsColumns.EXPORTABLE.contains(c))
        .forEach(
            c ->
                r.problem(
                    PREFIX + "columns",
                    "'"
                        + c
                        + "' is not a customer_segments column; choose from "
                        + CustomerSegmentsColumns.EXPORTABLE));
    if (!columns.isEmpty() && !columns.contains(CustomerSegmentsColumns.CUSTOMER_ID)) {
      r.problem(
          PREFIX + "columns", "must contain customer_id: marketing tools match customers on it");
    }
    if (columns.stream().distinct().count() < columns.size()) {
      r.problem(PREFIX + "columns", "lists a column twice");
    }

    Optional<String> salt = Optional.empty();
    if (r.bool(PREFIX + "pseudonymise.enabled")) {
      String variable = r.string(PREFIX + "pseudonymise.salt-env");
      String value = variable.isBlank() ? null : environment.apply(variable);
      if (variable.isBlank()) {
        r.problem(
            PREFIX + "pseudonymise.salt-env",
            "is empty; name the environment variable holding the salt");
      } else if (value == null || value.isEmpty()) {
        throw new UserError(
            "Pseudonymisation is on ("
                + PREFIX
                + "pseudonymise.enabled = true) but the environment"
                + " variable "
                + variable
                + " that holds the salt is not set. Set it, e.g. export "
                + variable
                + "=\"$(openssl rand -hex 32)\" (keep the same salt to match customers across exports), or set "
                + PREFIX
                + "pseudonymise.enabled = false.");
      }
      Secrets.register(value);
      salt = Optional.ofNullable(value);
    }

    Audiences audiences =
        new Audiences(
            r.bool(PREFIX + "audiences.enabled"),
            r.string(PREFIX + "audiences.folder"),
            segments(r),
            r.integer(
                PREFIX + "audiences.rows-per-partition",
                n -> n >= 1,
                "a number of rows, at least 1"));
    if (audiences.enabled() && audiences.folder().isBlank()) {
      r.problem(
          PREFIX + "audiences.folder",
          "is empty; expected a folder such as audiences (under the lake root)");
    }

    Optional<Postgres> postgres = Optional.empty();
    if (r.bool(PREFIX + "postgres.enabled")) {
      String url = r.string(PREFIX + "postgres.url");
      if (!url.startsWith("jdbc:postgresql:")) {
        r.problem(
            PREFIX + "postgres.url",
            "'"
                + Secrets.redact(url)
                + "' is not a PostgreSQL JDBC URL; expected e.g."
                + " jdbc:postgresql://host:5432/database");
      }
      String user = r.string(PREFIX + "postgres.user");
      String passwordVariable = r.string(PREFIX + "postgres.password-env");
      Optional<String> password =
          passwordVariable.isBlank()
              ? Optional.empty()
              : Optional.ofNullable(environment.apply(passwordVariable));
      password.ifPresent(Secrets::register);
      String table = r.string(PREFIX + "postgres.table");
      if (!TABLE_NAME.matcher(table).matches()) {
        r.problem(
            PREFIX + "postgres.table",
            "'"
                + table
                + "' is not a table name (letters, digits, _;"
                + " optionally schema.table)");
      }
      int batch =
          r.integer(
              PREFIX + "postgres.batch-size", b -> b >= 1 && b <= 100_000, "between 1 and 100000");
      postgres = Optional.of(new Postgres(url, user, password, table, batch));
    }
    List<Campaign> campaigns =
        CampaignDefinitions.read(r, campaignsFile, CustomerSegmentsColumns.SEGMENTATIONS);
    String controlFolder = r.string(PREFIX + "campaigns.control-folder");
    if (controlFolder.isBlank()) {
      r.problem(
          PREFIX + "campaigns.control-folder",
          "is empty; expected a folder such as campaign-controls (under the" + " lake root)");
    }
    return new ExportSettings(
        asOf,
        columns,
        salt,
        audiences,
        postgres,
        campaigns,
        controlFolder,
        csvBom(r, messages),
        messages);
  }

  /**
   * segpipe.export.csv.bom: true, false, or auto (true when the locale is Chinese: Excel there
   * needs it).
   */
  private static boolean csvBom(ConfigReader r, Messages messages) {
    String key = PREFIX + "csv.bom";
    String value =
        r.config().hasPath(key) ? String.valueOf(r.config().getValue(key).unwrapped()) : "";
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      case "auto" -> messages.locale().getLanguage().equals("zh");
      default -> {
        r.problem(
            key,
            "'"
                + value
                + "' is not true, false or auto (auto: a byte-order mark under a Chinese locale)");
        yield false;
      }
    };
  }

  /** The segments per segmentation; each name must be one the segmentation can have. */
  private static Map<String, List<String>> segments(ConfigReader r) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    Config section;
    try {
      section = r.config().getConfig(SEGMENTS_KEY);
    } catch (ConfigException e) {
      r.problem(
          SEGMENTS_KEY, "expected an object of lists, e.g. { rfm_segment = [champions, at_risk] }");
      return out;
    }
    Map<String, Set<String>> known = knownSegments(r);
    for (String segmentation : section.root().keySet().stream().sorted().toList()) {
      String key = SEGMENTS_KEY + "." + ConfigUtil.quoteString(segmentation);
      if (!CustomerSegmentsColumns.SEGMENTATIONS.contains(segmentation)) {
        r.problem(
            key,
            "'"
                + segmentation
                + "' is not a segmentation; choose from "
                + CustomerSegmentsColumns.SEGMENTATIONS);
        continue;
      }
      List<String> names;
      try {
        names = section.getStringList(ConfigUtil.quoteString(segmentation));
        if (segmentation.equals("rfm_segment")
            && isDefault(section.getValue(ConfigUtil.quoteString(segmentation)))
            && RfmSchemes.CN8.equals(r.config().getString(RfmSchemes.SCHEME_KEY))) {
          names = r.config().getStringList(CN8_DEFAULT_KEY);
        }
      } catch (ConfigException e) {
        r.problem(key, "expected a list of segment codes, e.g. [champions, at_risk]");
        continue;
      }
      Set<String> allowed = known.get(segmentation);
      List<String> chosen = new ArrayList<>();
      Map<String, String> slugs = new LinkedHashMap<>();
      for (String name : names) {
        if (allowed != null && !allowed.contains(name)) {
          r.problem(
              key,
              "'"
                  + name
                  + "' is not a "
                  + segmentation
                  + " code; choose from "
                  + new TreeSet<>(allowed)
                  + labelHint(segmentation, name));
        } else if (AudienceFiles.slug(name).isEmpty()) {
          r.problem(key, "'" + name + "' has no letter or digit to name its folder with");
        } else if (slugs.containsKey(AudienceFiles.slug(name))) {
          r.problem(
              key,
              "'"
                  + name
                  + "' and '"
                  + slugs.get(AudienceFiles.slug(name))
                  + "' would share the folder "
                  + AudienceFiles.slug(name));
        } else {
          slugs.put(AudienceFiles.slug(name), name);
          chosen.add(name);
        }
      }
      if (!chosen.isEmpty()) {
        out.put(segmentation, List.copyOf(chosen));
      }
    }
    return out;
  }

  /**
   * When {@code name} is the English label of a code (a config written before codes, e.g. "At
   * Risk"), says which code to write instead; else nothing.
   */
  static String labelHint(String segmentation, String name) {
    return Messages.codeOfEnglishLabel(segmentation, name)
        .filter(c -> !c.equals(name))
        .map(
            c ->
                ". '"
                    + name
                    + "' is the label of the code "
                    + c
                    + ": write "
                    + c
                    + " (scripts/segpipe migrate-codes moves a config and a lake to codes)")
        .orElse("");
  }

  /**
   * A value that comes from the defaults packaged in the jar (conf/segpipe.conf), not from the
   * user.
   */
  private static boolean isDefault(ConfigValue value) {
    return value.origin() != null
        && SegpipeConfig.DEFAULTS_RESOURCE.equals(value.origin().resource());
  }

  /** Values each segmentation can take, where they are known before the data is read. */
  private static Map<String, Set<String>> knownSegments(ConfigReader r) {
    Map<String, Set<String>> known = new LinkedHashMap<>(CustomerSegmentsColumns.FIXED_SEGMENTS);
    try {
      Set<String> rfm = new TreeSet<>();
      rfm.addAll(RfmSchemes.codes(r));
      known.put("rfm_segment", rfm);
    } catch (ConfigException e) {
      // the features job reports a broken segment map; names are not checked here then
    }
    return known;
  }

  public boolean pseudonymised() {
    return salt.isPresent();
  }
}
