package io.segpipe.jobs.generate;

import java.util.Locale;

/**
 * The kinds of customer the generator mixes. Their behaviour differs on purpose and by a lot
 * (frequency, basket value, channels, coupons, returns, churn), so that clustering on RFM-style
 * features recovers them and a churn model can find the churners.
 */
enum Archetype {
  LOYAL_HIGH_SPENDER(
      0.15,
      new Behaviour(
          12.0,
          2,
          5,
          0.80,
          Channel.weights(0.30, 0.30, 0.20, 0.05, 0.05, 0.10),
          0.05,
          0.04,
          0.35,
          4.5,
          4.0,
          0.05,
          0.35),
      new Portrait(
          1972,
          new double[] {0.05, 0.30, 0.40, 0.25},
          new double[] {0.05, 0.20, 0.40, 0.35},
          new double[] {0.30, 0.10, 0.05, 0.25, 0.15, 0.00, 0.15},
          0.85)),
  BARGAIN_HUNTER(
      0.20,
      new Behaviour(
          14.0,
          1,
          2,
          0.10,
          Channel.weights(0.15, 0.25, 0.00, 0.10, 0.50, 0.00),
          0.65,
          0.18,
          0.15,
          3.4,
          6.0,
          0.15,
          0.15),
      new Portrait(
          1992,
          new double[] {0.45, 0.40, 0.12, 0.03},
          new double[] {0.50, 0.35, 0.12, 0.03},
          new double[] {0.10, 0.30, 0.25, 0.05, 0.00, 0.25, 0.05},
          0.80)),
  /** Exactly one order in the whole range; counted as churned from that order's date. */
  ONE_TIME_BUYER(
      0.20,
      new Behaviour(
          0.0,
          1,
          3,
          0.45,
          Channel.weights(0.50, 0.15, 0.00, 0.15, 0.20, 0.00),
          0.25,
          0.12,
          0.20,
          3.2,
          1.5,
          1.00,
          0.15),
      new Portrait(
          1985,
          new double[] {0.25, 0.45, 0.22, 0.08},
          new double[] {0.90, 0.10, 0.00, 0.00},
          new double[] {0.25, 0.35, 0.25, 0.05, 0.00, 0.10, 0.00},
          0.60)),
  /** A regular buyer whose orders thin out and stop somewhere in the middle of the range. */
  LAPSING_REGULAR(
      0.20,
      new Behaviour(
          6.0,
          1,
          3,
          0.45,
          Channel.weights(0.45, 0.30, 0.10, 0.05, 0.00, 0.10),
          0.10,
          0.06,
          0.25,
          2.6,
          4.0,
          1.00,
          0.15),
      new Portrait(
          1980,
          new double[] {0.25, 0.45, 0.22, 0.08},
          new double[] {0.30, 0.40, 0.25, 0.05},
          new double[] {0.30, 0.15, 0.10, 0.15, 0.10, 0.05, 0.15},
          0.70)),
  /** Buys only in its home store (store_id set), with a few store visits without buying. */
  STORE_ONLY(
      0.15,
      new Behaviour(
          5.0,
          1,
          4,
          0.50,
          Channel.weights(0.00, 0.00, 1.00, 0.00, 0.00, 0.00),
          0.10,
          0.05,
          0.10,
          4.0,
          3.0,
          0.10,
          0.10),
      new Portrait(
          1962,
          new double[] {0.25, 0.45, 0.22, 0.08},
          new double[] {0.40, 0.35, 0.20, 0.05},
          new double[] {0.05, 0.05, 0.00, 0.15, 0.70, 0.00, 0.05},
          0.65)),
  /** Signed up in the last 90 days before --to; one to three orders so far, never churned. */
  NEW_SIGNUP(
      0.10,
      new Behaviour(
          0.0,
          1,
          3,
          0.45,
          Channel.weights(0.40, 0.45, 0.00, 0.15, 0.00, 0.00),
          0.40,
          0.08,
          0.20,
          4.0,
          12.0,
          0.00,
          0.15),
      new Portrait(
          1998,
          new double[] {0.35, 0.45, 0.15, 0.05},
          new double[] {0.95, 0.05, 0.00, 0.00},
          new double[] {0.20, 0.30, 0.35, 0.10, 0.00, 0.00, 0.05},
          0.80));

  /**
   * How a customer of the archetype buys and browses.
   *
   * @param ordersPerYear mean orders a year while active (0: the archetype fixes its own order
   *     count)
   * @param priceTier where in the catalogue's price range the customer shops, 0 cheapest to 1
   *     dearest
   * @param channels weights per {@link Channel}, in declaration order
   * @param couponShare share of orders that redeem a coupon
   * @param returnShare share of order lines returned
   * @param feedbackShare share of orders followed by a feedback event
   * @param ratingMean mean feedback rating (1-5)
   * @param browsesPerYear visits without an order, a year
   * @param churnShare probability that the customer stops buying within the range
   * @param exploreShare share of lines outside the customer's favourite categories
   */
  record Behaviour(
      double ordersPerYear,
      int minLines,
      int maxLines,
      double priceTier,
      double[] channels,
      double couponShare,
      double returnShare,
      double feedbackShare,
      double ratingMean,
      double browsesPerYear,
      double churnShare,
      double exploreShare) {}

  /**
   * Who the customer is, for the customers dimension.
   *
   * @param birthYear mean birth year (spread about 10 years)
   * @param incomeBands weights over {@link CustomerPlan#INCOME_BANDS}
   * @param memberTiers weights over {@link CustomerPlan#MEMBER_TIERS}
   * @param acquisition weights over {@link CustomerPlan#ACQUISITION_CHANNELS}
   * @param optInShare share that accepts marketing
   */
  record Portrait(
      int birthYear,
      double[] incomeBands,
      double[] memberTiers,
      double[] acquisition,
      double optInShare) {}

  private final double share;
  private final Behaviour behaviour;
  private final Portrait portrait;
  private final String label = name().toLowerCase(Locale.ROOT);

  Archetype(double share, Behaviour behaviour, Portrait portrait) {
    this.share = share;
    this.behaviour = behaviour;
    this.portrait = portrait;
  }

  /** Share of the customer population. */
  double share() {
    return share;
  }

  Behaviour behaviour() {
    return behaviour;
  }

  Portrait portrait() {
    return portrait;
  }

  /** The name written to ground_truth, e.g. "loyal_high_spender". */
  String label() {
    return label;
  }

  static double[] shares() {
    Archetype[] all = values();
    double[] shares = new double[all.length];
    for (int i = 0; i < all.length; i++) {
      shares[i] = all[i].share;
    }
    return shares;
  }
}
