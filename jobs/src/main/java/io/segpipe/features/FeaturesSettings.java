package io.segpipe.features;

import io.segpipe.common.config.ConfigReader;
import java.time.LocalDate;
import java.util.List;

/** What one features run needs: the as-of date and the segpipe.features section, checked. */
public record FeaturesSettings(
    LocalDate asOf,
    int windowDays,
    List<String> channels,
    RfmSchemes.Scheme rfm,
    LifecycleStages lifecycle,
    ValueTiers valueTiers) {

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
    RfmSchemes.Scheme rfm = RfmSchemes.read(reader);
    LifecycleStages lifecycle = LifecycleStages.read(reader, windowDays);
    ValueTiers tiers = ValueTiers.read(reader);
    return new FeaturesSettings(asOf, windowDays, channels, rfm, lifecycle, tiers);
  }

  public CustomerActivity activity() {
    return new CustomerActivity(asOf, windowDays, channels);
  }
}
