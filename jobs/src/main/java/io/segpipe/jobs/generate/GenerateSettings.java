package io.segpipe.jobs.generate;

import com.typesafe.config.ConfigFactory;
import io.segpipe.campaign.Campaign;
import io.segpipe.campaign.CampaignDefinitions;
import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.ConfigError;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.tables.Tables;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The generator's checked options. Parsed before Spark starts, including the --events calibration,
 * so a bad value costs the user no session start-up.
 *
 * @param expectedEvents events the run will write, estimated from a sample (sizes the partitions)
 * @param partitions Spark partitions, hence events files (0: one per million expected events)
 */
record GenerateSettings(
    String output,
    long customers,
    OptionalLong eventsTarget,
    GenerationSpec spec,
    long expectedEvents,
    int partitions,
    Optional<BtydPlan> btyd) {

  static final long DEFAULT_CUSTOMERS = 5000;
  static final String DEFAULT_FROM = "2023-01-01";
  static final String DEFAULT_TO = "2024-12-31";
  static final long DEFAULT_SEED = 42;
  static final double DEFAULT_ANONYMOUS_SHARE = 0.05;
  static final double DEFAULT_LIFT = 0.15;

  /**
   * Events per partition: small enough to stream through a 1 GB executor, big enough for tidy
   * files.
   */
  static final long EVENTS_PER_PARTITION = 1_000_000;

  static final List<JobArguments.Option> OPTIONS =
      Stream.concat(
              Stream.of(
                  new JobArguments.Option(
                      "output",
                      "DIR",
                      "folder to write events/, customers/ and ground_truth/ under "
                          + "(required; those three folders are replaced)"),
                  new JobArguments.Option(
                      "customers", "N", "number of customers (default " + DEFAULT_CUSTOMERS + ")"),
                  new JobArguments.Option(
                      "events",
                      "N",
                      "approximate total events; activity is scaled to land within about "
                          + "10% of it (default: the archetypes' natural activity)"),
                  new JobArguments.Option(
                      "from", "YYYY-MM-DD", "first day of activity (default " + DEFAULT_FROM + ")"),
                  new JobArguments.Option(
                      "to",
                      "YYYY-MM-DD",
                      "last day of activity, at least 90 days after --from (default "
                          + DEFAULT_TO
                          + ")"),
                  new JobArguments.Option(
                      "seed",
                      "N",
                      "random seed: the same options and seed give the same rows (default "
                          + DEFAULT_SEED
                          + ")"),
                  new JobArguments.Option(
                      "anonymous-share",
                      "X",
                      "share of events from anonymous browsing, 0 to 0.5 (default "
                          + DEFAULT_ANONYMOUS_SHARE
                          + ")"),
                  new JobArguments.Option(
                      "dirty-share",
                      "X",
                      "share of rows deliberately broken for ingest testing (unknown "
                          + "channel or event type, negative amount, missing event_time, rating 9), and the same share again "
                          + "re-emitted as exact duplicates; 0 to 0.2 (default 0)"),
                  new JobArguments.Option(
                      "partitions",
                      "N",
                      "Spark partitions and events files (default: one per million "
                          + "events); the rows do not depend on it"),
                  new JobArguments.Option(
                      "campaigns",
                      "FILE",
                      "plant the effect of these campaigns (a campaign file as for "
                          + "export: campaigns = [ ... ]); writes campaign_truth/"),
                  new JobArguments.Option(
                      "campaign-lift",
                      "X",
                      "with --campaigns: the probability that a treated customer who "
                          + "would not have bought in the window buys there, 0 to 1 (default "
                          + DEFAULT_LIFT
                          + ")"),
                  new JobArguments.Option(
                      "affinity",
                      "SPEC",
                      "plant category pairs bought together: "
                          + AffinityPlan.SYNTAX
                          + "[,...], e.g. "
                          + AffinityPlan.EXAMPLE
                          + ", archetype by its ground_truth label, at most one pair each; in that"
                          + " archetype an order whose lines hold A and not B gets a line of B with"
                          + " the probability that makes the lift of {A, B} over its orders' category"
                          + " sets LIFT (refused if out of reach); writes affinity_truth/ (default:"
                          + " none)"),
                  new JobArguments.Option(
                      "retailer",
                      "NAME",
                      "whose data: uk (default: UK cities and regions, GBP, channels web, "
                          + "app, store, social, marketplace, call_center) or cn (a Chinese retailer: provinces and cities in Chinese "
                          + "characters, CNY at Chinese price levels, channels tmall, jd, wechat_mini, douyin, store, Double 11 and 618 "
                          + "peaks, times in China Standard Time with --from and --to its days; run the pipeline on it with --config "
                          + "conf/retailer-cn.conf)"),
                  new JobArguments.Option(
                      "identities",
                      "SHARE",
                      "plant identifiers to stitch: every person gets an email (a few two), 1-3"
                          + " device ids and a loyalty card, which its events carry as their channel"
                          + " writes them (a device on web and app events, the email on online"
                          + " purchase lines, the card on store purchases and returns; case and"
                          + " spaces sometimes off), and an email and for about half a phone on its"
                          + " customer record; SHARE (0 to 1) of the people who buy in store get a"
                          + " second customer_id for all their store events, which carry the card"
                          + " and on e-receipts the email; traps: a tablet at the store with the most"
                          + " purchase lines whose id is on about 30 % of its purchases and returns,"
                          + " and none@none.com on about 2 % of marketplace and store purchase lines;"
                          + " writes identity_truth/ (every identifier's normal form and person)."
                          + " Without it the columns email, device_id, loyalty_id (events) and email,"
                          + " phone (customers) are there and null. UK retailer only (default: none)")),
              BtydPlan.OPTIONS.stream())
          .toList();

  static GenerateSettings parse(JobArguments arguments) {
    String output =
        arguments
            .option("output")
            .filter(s -> !s.isBlank())
            .orElseThrow(
                () ->
                    new UserError(
                        "--output DIR is required: the folder to write events/, customers/ and ground_truth/ under."));
    long customers = whole(arguments, "customers", DEFAULT_CUSTOMERS, 1, 2_000_000_000L);
    OptionalLong events =
        arguments.option("events").isPresent()
            ? OptionalLong.of(whole(arguments, "events", 0, 1, Long.MAX_VALUE / 4))
            : OptionalLong.empty();
    LocalDate from =
        JobArguments.parseDate("--from", arguments.option("from").orElse(DEFAULT_FROM));
    LocalDate to = JobArguments.parseDate("--to", arguments.option("to").orElse(DEFAULT_TO));
    if (ChronoUnit.DAYS.between(from, to) < CustomerPlan.NEW_SIGNUP_DAYS) {
      throw new UserError(
          "--to "
              + to
              + " must be at least "
              + CustomerPlan.NEW_SIGNUP_DAYS
              + " days after --from "
              + from
              + ": new signups join in the last "
              + CustomerPlan.NEW_SIGNUP_DAYS
              + " days of the range.");
    }
    long seed = whole(arguments, "seed", DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE);
    double anonymous = share(arguments, "anonymous-share", DEFAULT_ANONYMOUS_SHARE, 0.5);
    double dirty = share(arguments, "dirty-share", 0, 0.2);
    int partitions = (int) whole(arguments, "partitions", 0, 1, 100_000);
    Retailer retailer = retailer(arguments);
    Optional<BtydPlan> btyd = BtydPlan.parse(arguments);
    if (btyd.isPresent() && retailer != Retailer.UK) {
      throw new UserError(
          "--retailer "
              + retailer.code()
              + " goes with the archetypes model; --model btyd writes "
              + "one web channel in GBP. Leave out --retailer or --model btyd.");
    }
    if (btyd.isPresent() && arguments.option("affinity").isPresent()) {
      throw new UserError(
          "--affinity goes with the archetypes model: it plants category pairs in their orders."
              + " Leave out --affinity or --model btyd.");
    }
    List<AffinityPlan> affinities =
        arguments.option("affinity").map(AffinityPlan::parse).orElse(List.of());
    Identities identities = identities(arguments, customers, retailer, btyd.isPresent());
    GenerationSpec natural =
        new GenerationSpec(seed, from, to, anonymous, dirty, 1.0)
            .withCampaigns(campaigns(arguments))
            .withRetailer(retailer)
            .withAffinities(affinities)
            .withIdentities(identities);
    GenerationSpec spec =
        events.isPresent()
            ? natural.withActivity(
                ActivityCalibration.activityFor(natural, customers, events.getAsLong()))
            : natural;
    long expected = Math.round(ActivityCalibration.meanEvents(spec, customers) * customers);
    return new GenerateSettings(output, customers, events, spec, expected, partitions, btyd);
  }

  /** --identities SHARE, or null without it. */
  private static Identities identities(
      JobArguments arguments, long customers, Retailer retailer, boolean btyd) {
    if (arguments.option("identities").isEmpty()) {
      return null;
    }
    double share = share(arguments, "identities", 0, 1.0);
    if (btyd) {
      throw new UserError(
          "--identities goes with the archetypes model: it writes identifiers on their channels'"
              + " events. Leave out --identities or --model btyd.");
    }
    if (retailer != Retailer.UK) {
      throw new UserError(
          "--identities writes a UK retailer's identifiers (UK phone numbers, web, app and store"
              + " events); --retailer "
              + retailer.code()
              + " has other channels. Leave out --identities or --retailer.");
    }
    if (customers > Identities.MAX_CUSTOMERS) {
      throw new UserError(
          "--identities gives every person a phone number of its own, which allows at most "
              + Identities.MAX_CUSTOMERS
              + " customers; got --customers "
              + customers
              + ".");
    }
    return new Identities(share, null);
  }

  /** The same settings for another spec (--identities' second pass, once the tablet is known). */
  GenerateSettings withSpec(GenerationSpec other) {
    return new GenerateSettings(
        output, customers, eventsTarget, other, expectedEvents, partitions, btyd);
  }

  /** --retailer: uk (the default) or cn. */
  private static Retailer retailer(JobArguments arguments) {
    Optional<String> raw = arguments.option("retailer");
    if (raw.isEmpty()) {
      return Retailer.UK;
    }
    Retailer retailer = Retailer.of(raw.get());
    if (retailer == null) {
      throw new UserError("--retailer must be " + Retailer.codes() + ", got '" + raw.get() + "'.");
    }
    return retailer;
  }

  /** The campaigns of --campaigns with --campaign-lift, checked as export checks them. */
  private static List<PlantedCampaign> campaigns(JobArguments arguments) {
    double lift = share(arguments, "campaign-lift", DEFAULT_LIFT, 1.0);
    if (arguments.option("campaigns").isEmpty()) {
      if (arguments.option("campaign-lift").isPresent()) {
        throw new UserError(
            "--campaign-lift needs --campaigns FILE: the campaigns whose effect to plant.");
      }
      return List.of();
    }
    ConfigReader reader =
        new ConfigReader(ConfigFactory.parseString(CampaignDefinitions.KEY + " = []"));
    List<Campaign> campaigns =
        CampaignDefinitions.read(reader, arguments.option("campaigns"), Tables.SEGMENTATIONS);
    if (!reader.problems().isEmpty()) {
      throw new ConfigError(reader.problems());
    }
    return campaigns.stream().map(c -> PlantedCampaign.of(c, lift)).toList();
  }

  /**
   * The partitions to generate events in: as asked, or enough to keep each to about a million rows.
   */
  int eventPartitions() {
    return partitions > 0
        ? partitions
        : (int) Math.max(1, (expectedEvents + EVENTS_PER_PARTITION - 1) / EVENTS_PER_PARTITION);
  }

  /** Customers and ground truth are narrow: one partition per few million customers is plenty. */
  int customerPartitions() {
    return (int) Math.max(1, Math.min(eventPartitions(), customers / 5_000_000 + 1));
  }

  private static long whole(
      JobArguments arguments, String name, long fallback, long min, long max) {
    Optional<String> raw = arguments.option(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(raw.get().trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new UserError("--" + name + " must be a whole number, got '" + raw.get() + "'.");
    }
    if (value < min || value > max) {
      throw new UserError(
          "--" + name + " must be between " + min + " and " + max + ", got " + value + ".");
    }
    return value;
  }

  private static double share(JobArguments arguments, String name, double fallback, double max) {
    Optional<String> raw = arguments.option(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    double value;
    try {
      value = Double.parseDouble(raw.get().trim());
    } catch (NumberFormatException e) {
      throw new UserError(
          "--" + name + " must be a number between 0 and " + max + ", got '" + raw.get() + "'.");
    }
    if (!(value >= 0 && value <= max)) {
      throw new UserError(
          "--" + name + " must be between 0 and " + max + ", got " + raw.get() + ".");
    }
    return value;
  }
}
