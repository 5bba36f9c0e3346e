package io.segpipe.jobs.generate;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Whose data the generator writes (--retailer): where the customers live, the currency and price
 * levels, the channels and their mix per archetype, the year's busy months and the local time of
 * day. The archetypes, the customers' random draws and everything else are the same for every
 * retailer.
 */
enum Retailer {
  /**
   * A UK omnichannel retailer: UK cities, GBP, web, app, store, social, marketplace, call_center.
   */
  UK(
      "GBP",
      Places.UK,
      Catalog.UK,
      Seasons.UK_MONTHS,
      0,
      new Channel[] {
        Channel.WEB,
        Channel.APP,
        Channel.STORE,
        Channel.SOCIAL,
        Channel.MARKETPLACE,
        Channel.CALL_CENTER
      },
      new Channel[] {Channel.WEB, Channel.APP, Channel.SOCIAL},
      new double[] {0.55, 0.25, 0.20}),
  /**
   * A Chinese retailer: provinces and cities in Chinese characters, CNY at Chinese price levels,
   * channels tmall, jd, wechat_mini, douyin and store, local times in China Standard Time (UTC+8).
   */
  CN(
      "CNY",
      Places.CN,
      Catalog.CN,
      Seasons.CN_MONTHS,
      8,
      new Channel[] {Channel.TMALL, Channel.JD, Channel.WECHAT_MINI, Channel.DOUYIN, Channel.STORE},
      new Channel[] {Channel.TMALL, Channel.JD, Channel.DOUYIN, Channel.WECHAT_MINI},
      new double[] {0.40, 0.20, 0.30, 0.10});

  /**
   * The Chinese retailer's channel mix per archetype, over tmall, jd, wechat_mini, douyin, store:
   * loyal customers spread over the flagship stores, the mini-program and the shops; bargain
   * hunters follow Douyin's live-stream deals; new signups come through the mini-program and
   * Douyin.
   */
  private static final Map<Archetype, double[]> CN_CHANNEL_WEIGHTS =
      new EnumMap<>(
          Map.of(
              Archetype.LOYAL_HIGH_SPENDER, new double[] {0.30, 0.15, 0.25, 0.05, 0.25},
              Archetype.BARGAIN_HUNTER, new double[] {0.15, 0.20, 0.10, 0.55, 0.00},
              Archetype.ONE_TIME_BUYER, new double[] {0.35, 0.25, 0.05, 0.35, 0.00},
              Archetype.LAPSING_REGULAR, new double[] {0.40, 0.30, 0.15, 0.05, 0.10},
              Archetype.STORE_ONLY, new double[] {0.00, 0.00, 0.00, 0.00, 1.00},
              Archetype.NEW_SIGNUP, new double[] {0.20, 0.10, 0.40, 0.30, 0.00}));

  private final String code = name().toLowerCase(Locale.ROOT);
  private final String currency;
  private final Places places;
  private final Catalog catalog;
  private final double[] months;
  private final long utcOffsetSeconds;
  private final Channel[] channels;
  private final Channel[] anonymousChannels;
  private final double[] anonymousChannelWeights;

  Retailer(
      String currency,
      Places places,
      Catalog catalog,
      double[] months,
      int utcOffsetHours,
      Channel[] channels,
      Channel[] anonymousChannels,
      double[] anonymousChannelWeights) {
    if (Arrays.stream(months).max().orElse(0) > Seasons.PEAK_FACTOR) {
      throw new IllegalStateException(name() + ": no month may be busier than Seasons.PEAK_FACTOR");
    }
    this.currency = currency;
    this.places = places;
    this.catalog = catalog;
    this.months = months;
    this.utcOffsetSeconds = utcOffsetHours * 3600L;
    this.channels = channels;
    this.anonymousChannels = anonymousChannels;
    this.anonymousChannelWeights = anonymousChannelWeights;
  }

  /** The value of --retailer, e.g. "cn". */
  String code() {
    return code;
  }

  /** The retailer named by {@code code} (any case), or null. */
  static Retailer of(String code) {
    for (Retailer r : values()) {
      if (r.code.equals(code.trim().toLowerCase(Locale.ROOT))) {
        return r;
      }
    }
    return null;
  }

  /** The codes, for messages: "uk or cn". */
  static String codes() {
    return Arrays.stream(values()).map(Retailer::code).collect(Collectors.joining(" or "));
  }

  /** The ISO 4217 code written in the currency column. */
  String currency() {
    return currency;
  }

  Places places() {
    return places;
  }

  Catalog catalog() {
    return catalog;
  }

  /** Demand per calendar month, relative to an average month. */
  double[] months() {
    return months;
  }

  /** Local time minus UTC: generated local times are written as instants this much earlier. */
  long utcOffsetSeconds() {
    return utcOffsetSeconds;
  }

  /** The channels the retailer sells through, in the order of {@link #channelWeights}. */
  Channel[] channels() {
    return channels;
  }

  /** How a customer of {@code archetype} spreads its orders and visits over {@link #channels()}. */
  double[] channelWeights(Archetype archetype) {
    return this == UK ? archetype.behaviour().channels() : CN_CHANNEL_WEIGHTS.get(archetype);
  }

  /** Channels of anonymous browsing, drawn by {@link #anonymousChannelWeights()}. */
  Channel[] anonymousChannels() {
    return anonymousChannels;
  }

  double[] anonymousChannelWeights() {
    return anonymousChannelWeights;
  }
}
