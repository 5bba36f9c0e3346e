package io.segpipe.features;

import com.typesafe.config.ConfigException;
import io.segpipe.common.config.ConfigReader;
import java.time.LocalDate;
import java.util.List;

/** What one features run needs: the as-of date and the segpipe.features section, checked. */
public record FeaturesSettings(
    LocalDate asOf,
    int windowDays,
    List<String> channels,
    List<String> socialChannels,
    Dayparts dayparts,
    RfmSchemes.Scheme rfm,
    LifecycleStages lifecycle,
    ValueTiers valueTiers,
    boolean incremental,
    int incrementalMinCustomers) {

  public static FeaturesSettings read(ConfigReader reader, LocalDate asOf, List<String> channels) {
    int windowDays =
        reader.integer(
            "segpipe.features.window-days",
            d -> d > 0 && d <= 36600,
            "a number of days between 1 and 36600");
    for (String channel : channels) {
      if (!CustomerActivity.CHANNEL.matcher(channel).matches()) {
        reader.problem(
            "segpipe.events.channels",
            "channel '"
                + channel
                + "' cannot name the features columns"
                + " orders_<channel> and spend_<channel>; use lower-case letters, digits and _");
      }
    }
    // A listed channel the events do not have is left out, so the default [social] does no harm
    // where the channels are others.
    List<String> social = socialChannels(reader);
    Dayparts dayparts = Dayparts.read(reader);
    RfmSchemes.Scheme rfm = RfmSchemes.read(reader);
    LifecycleStages lifecycle = LifecycleStages.read(reader, windowDays);
    ValueTiers tiers = ValueTiers.read(reader);
    boolean incremental = reader.bool("segpipe.features.incremental");
    int incrementalMinCustomers =
        reader.integer(
            "segpipe.features.incremental-min-customers",
            n -> n >= 0,
            "a number of customers, 0 or more");
    return new FeaturesSettings(
        asOf,
        windowDays,
        channels,
        social.stream().filter(channels::contains).toList(),
        dayparts,
        rfm,
        lifecycle,
        tiers,
        incremental,
        incrementalMinCustomers);
  }

  /** segpipe.features.social-channels: a list of channel codes, possibly empty. */
  private static List<String> socialChannels(ConfigReader reader) {
    String key = "segpipe.features.social-channels";
    try {
      return List.copyOf(reader.config().getStringList(key));
    } catch (ConfigException.Missing e) {
      reader.problem(key, "missing; expected a list of channels, e.g. [social] (or [] for none)");
    } catch (ConfigException.WrongType e) {
      reader.problem(key, "expected a list of channels, e.g. [social] (or [] for none)");
    }
    return List.of();
  }

  public CustomerActivity activity() {
    return new CustomerActivity(asOf, windowDays, channels, socialChannels, dayparts);
  }
}
