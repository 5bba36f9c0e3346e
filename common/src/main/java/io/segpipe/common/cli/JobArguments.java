package io.segpipe.common.cli;

import io.segpipe.common.UserError;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The arguments every job takes ({@code --config FILE}, {@code --as-of YYYY-MM-DD}, repeatable
 * {@code --conf key=value}, {@code --help}) plus the options a job declares for itself.
 */
public final class JobArguments {

  /** An option a job accepts besides the common ones. */
  public record Option(String name, String valueName, String description) {
    public boolean takesValue() {
      return valueName != null;
    }
  }

  private static final List<Option> COMMON =
      List.of(
          new Option(
              "config",
              "FILE",
              "HOCON config file; its keys override the defaults in conf/segpipe.conf"),
          new Option("as-of", "YYYY-MM-DD", "snapshot date the job works for (where it applies)"),
          new Option(
              "conf",
              "KEY=VALUE",
              "override one config key, e.g. --conf segpipe.lake.root=/tmp/lake (repeatable)"),
          new Option("help", null, "print this help and exit"));

  private final Optional<String> configFile;
  private final Optional<LocalDate> asOf;
  private final Map<String, String> overrides;
  private final Map<String, String> options;
  private final boolean help;

  private JobArguments(
      Optional<String> configFile,
      Optional<LocalDate> asOf,
      Map<String, String> overrides,
      Map<String, String> options,
      boolean help) {
    this.configFile = configFile;
    this.asOf = asOf;
    this.overrides = Collections.unmodifiableMap(overrides);
    this.options = Collections.unmodifiableMap(options);
    this.help = help;
  }

  public static JobArguments parse(String job, String[] args, List<Option> jobOptions) {
    Map<String, Option> known = new LinkedHashMap<>();
    COMMON.forEach(o -> known.put(o.name(), o));
    jobOptions.forEach(o -> known.put(o.name(), o));
    String configFile = null;
    LocalDate asOf = null;
    boolean help = false;
    Map<String, String> overrides = new LinkedHashMap<>();
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new UserError(
            "Unexpected argument '"
                + arg
                + "' for job "
                + job
                + ". Options start with --; run with --help to list them.");
      }
      String name = arg.substring(2);
      String inlineValue = null;
      int eq = name.indexOf('=');
      if (eq > 0 && !name.startsWith("conf=")) {
        inlineValue = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (name.startsWith("conf=")) {
        inlineValue = name.substring(5);
        name = "conf";
      }
      Option option = known.get(name);
      if (option == null) {
        throw new UserError(
            "Unknown option --"
                + name
                + " for job "
                + job
                + ". Run with --help to list the options.");
      }
      String value = null;
      if (option.takesValue()) {
        if (inlineValue != null) {
          value = inlineValue;
        } else if (i + 1 < args.length) {
          value = args[++i];
        } else {
          throw new UserError("Option --" + name + " needs a value (" + option.valueName() + ").");
        }
      }
      switch (name) {
        case "help" -> help = true;
        case "config" -> configFile = value;
        case "as-of" -> asOf = parseDate("--as-of", value);
        case "conf" -> {
          int sep = value.indexOf('=');
          if (sep <= 0) {
            throw new UserError(
                "--conf takes KEY=VALUE, got '"
                    + value
                    + "'. Example: --conf segpipe.lake.root=/tmp/lake");
          }
          overrides.put(value.substring(0, sep).trim(), value.substring(sep + 1));
        }
        default -> options.put(name, value == null ? "true" : value);
      }
    }
    return new JobArguments(
        Optional.ofNullable(configFile), Optional.ofNullable(asOf), overrides, options, help);
  }

  public static LocalDate parseDate(String what, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new UserError(what + " must be a date as YYYY-MM-DD, got '" + value + "'.");
    }
  }

  public static String usage(String job, String summary, List<Option> jobOptions) {
    StringBuilder out = new StringBuilder();
    out.append("Usage: segpipe ")
        .append(job)
        .append(" [options]\n\n")
        .append(summary)
        .append("\n\nOptions:\n");
    List<Option> all = new ArrayList<>(jobOptions);
    all.addAll(COMMON);
    for (Option o : all) {
      String left = "  --" + o.name() + (o.takesValue() ? " " + o.valueName() : "");
      out.append(String.format("%-32s %s%n", left, o.description()));
    }
    out.append(
        "\nExit codes: 0 success, 2 a problem with the input or config (the message says what to fix), 1 any other failure.\n");
    return out.toString();
  }

  public Optional<String> configFile() {
    return configFile;
  }

  public Optional<LocalDate> asOf() {
    return asOf;
  }

  public LocalDate requireAsOf(String job) {
    return asOf.orElseThrow(
        () ->
            new UserError(
                "Job " + job + " needs --as-of YYYY-MM-DD: the snapshot date to compute."));
  }

  public Map<String, String> overrides() {
    return overrides;
  }

  public Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  public boolean flag(String name) {
    return options.containsKey(name);
  }

  public boolean help() {
    return help;
  }
}
