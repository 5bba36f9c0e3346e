package io.segpipe.jobs.generate;

import io.segpipe.campaign.CampaignAssignment;
import io.segpipe.identity.IdentityResolution;
import io.segpipe.identity.Profiles;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * What one customer does over the range, written to an {@link EventWriter}: orders with the
 * browsing around them, returns and feedback after them, visits that buy nothing, and the anonymous
 * traffic that comes with the customer's share of the site. Everything is drawn from the customer's
 * own ACTIVITY stream.
 */
final class CustomerActivity {
  private static final long MINUTE = 60;
  private static final double DAYS_PER_YEAR = 365.25;

  /**
   * A churner's orders thin out over this many days before its churn date: a signal churn models
   * can learn.
   */
  private static final int LAPSE_DAYS = 120;

  /**
   * After churning a customer still looks around now and then, at this share of its browsing rate.
   */
  private static final double BROWSING_AFTER_CHURN = 0.25;

  /**
   * How a line that keeps to the favourite categories picks among them (as AffinityPlan assumes).
   */
  static final double[] FAVOURITE_WEIGHTS = {0.5, 0.3, 0.2};

  private final GenerationSpec spec;
  private final CustomerPlan plan;
  private final Archetype.Behaviour behaviour;
  private final Retailer retailer;
  private final Catalog catalog;

  /**
   * The retailer's channels, drawn by {@link #channelWeights}: where this customer orders and
   * browses.
   */
  private final Channel[] channels;

  private final double[] channelWeights;
  private SplittableRandom rng;

  /** The category pair --affinity plants in this customer's archetype, or null. */
  private final AffinityPlan affinity;

  /**
   * The AFFINITY stream (only with a planted pair): whether an order gets the pair's consequent,
   * that line, and its damage, so the customer's other rows are what they are without the planting.
   */
  private final SplittableRandom affinityRng;

  private final EventWriter out;
  private int orders;

  /**
   * The days of the customer's own orders, to tell whether it bought in a planted campaign's
   * window.
   */
  private final List<Long> orderDays = new ArrayList<>();

  private CustomerActivity(GenerationSpec spec, CustomerPlan plan) {
    this.spec = spec;
    this.plan = plan;
    this.behaviour = plan.archetype().behaviour();
    this.retailer = spec.retailer();
    this.catalog = retailer.catalog();
    this.channels = retailer.channels();
    this.channelWeights = retailer.channelWeights(plan.archetype());
    this.rng = Seeds.ACTIVITY.random(spec.seed(), plan.index());
    this.affinity = spec.affinity(plan.archetype());
    this.affinityRng = affinity == null ? null : Seeds.AFFINITY.random(spec.seed(), plan.index());
    this.out =
        new EventWriter(
            spec,
            plan.index(),
            spec.identities() == null
                ? null
                : new IdentityMarks(spec, PersonIdentity.of(spec, plan), plan.index()));
  }

  /** Generates customer {@code index}'s events (and its anonymous traffic). */
  static EventWriter generate(GenerationSpec spec, long index) {
    CustomerActivity activity = new CustomerActivity(spec, CustomerPlan.of(spec, index));
    activity.orders();
    activity.browsing();
    activity.anonymousTraffic();
    activity.plantCampaigns();
    activity.out.finish();
    return activity.out;
  }

  /**
   * For each planted campaign, a customer who would be eligible (marketing consent, joined by the
   * snapshot), is in the treatment group by the split rule, has no order of its own in the window
   * and does not churn before the window ends, gets one there with probability lift, drawn from the
   * CAMPAIGN stream (and the order's details too): the customer's other rows are what they are
   * without the campaign. Each such customer's outcome goes to the truth.
   */
  private void plantCampaigns() {
    if (spec.campaigns().isEmpty()) {
      return;
    }
    SplittableRandom campaignRng = Seeds.CAMPAIGN.random(spec.seed(), plan.index());
    SplittableRandom activityRng = rng;
    for (PlantedCampaign c : spec.campaigns()) {
      if (!plan.marketingOptIn() || plan.signupDay() > c.snapshotDay()) {
        continue;
      }
      // With --identities the export splits profiles, not accounts: a person's profile key is
      // that of its own customer id (its record is its earliest identifier), so the split is
      // drawn on that key, as stitching will see it.
      String unit =
          spec.identities() == null
              ? plan.customerId()
              : IdentityResolution.keyOf(Profiles.CUSTOMER_ID, plan.customerId());
      boolean treated = !CampaignAssignment.control(c.id(), unit, c.controlShare());
      boolean bought = orderDays.stream().anyMatch(c::inWindow);
      // The ground truth's churn date stays true: nobody is moved to buy after it.
      boolean reachable = plan.churnDay() == null || plan.churnDay() > c.endDay();
      boolean planted = treated && !bought && reachable && campaignRng.nextDouble() < c.lift();
      if (planted) {
        rng = campaignRng;
        out.campaignOrder(true);
        order(Draw.day(campaignRng, c.startDay(), Math.min(c.endDay(), spec.lastDay())));
        out.campaignOrder(false);
        rng = activityRng;
      }
      out.truth(c.id(), plan.customerId(), treated, bought, planted);
    }
  }

  private void orders() {
    long from = plan.activeFromDay();
    long until = plan.lastPurchaseDay(spec);
    switch (plan.archetype()) {
      case ONE_TIME_BUYER -> order(plan.churnDay());
      case NEW_SIGNUP -> {
        int count = Draw.between(rng, 1, 3);
        for (int i = 0; i < count; i++) {
          order(Draw.day(rng, from, until));
        }
      }
      default -> {
        double perDay = behaviour.ordersPerYear() * spec.activity() / DAYS_PER_YEAR;
        poissonDays(from, until, perDay, false, this::order);
        if (orders == 0 && plan.archetype() == Archetype.LAPSING_REGULAR) {
          // A lapsing regular was a regular: it has bought before it stops.
          order(Draw.day(rng, from, until));
        }
      }
    }
  }

  private void browsing() {
    double perDay = behaviour.browsesPerYear() * spec.activity() / DAYS_PER_YEAR;
    poissonDays(plan.activeFromDay(), spec.lastDay(), perDay, true, this::browse);
  }

  /**
   * Calls {@code action} on the days of a seasonal Poisson process with {@code perDay} events per
   * average day, by thinning a process at the peak rate. Before a churn date the rate fades; after
   * it there are no orders and only a little browsing.
   */
  private void poissonDays(
      long from, long until, double perDay, boolean browsing, LongConsumer action) {
    if (perDay <= 0 || until < from) {
      return;
    }
    double peakRate = perDay * Seasons.PEAK_FACTOR;
    double t = from;
    while (true) {
      t += Draw.exponential(rng, peakRate);
      long day = (long) Math.floor(t);
      if (day > until) {
        return;
      }
      double keep =
          Seasons.factor(retailer, day)
              / Seasons.PEAK_FACTOR
              * (browsing ? afterChurn(day) : lapse(day));
      if (rng.nextDouble() < keep) {
        action.accept(day);
      }
    }
  }

  private double lapse(long day) {
    Long churn = plan.churnDay();
    if (churn == null || day <= churn - LAPSE_DAYS) {
      return 1.0;
    }
    return 0.3 + 0.7 * (churn - day) / (double) LAPSE_DAYS;
  }

  private double afterChurn(long day) {
    Long churn = plan.churnDay();
    return churn != null && day > churn ? BROWSING_AFTER_CHURN : 1.0;
  }

  private void order(long day) {
    orderDays.add(day);
    Channel channel = channels[Draw.weighted(rng, channelWeights)];
    String orderId = "o" + plan.index() + "-" + orders++;
    String store = channel == Channel.STORE ? store() : null;
    long at = Seasons.timeOfDay(rng, day, channel);
    boolean coupon = Draw.chance(rng, behaviour.couponShare());
    int lines = Draw.between(rng, behaviour.minLines(), behaviour.maxLines());
    Catalog.Product[] products = new Catalog.Product[lines];
    int[] quantities = new int[lines];
    long[] amounts = new long[lines];
    long[] discounts = new long[lines];
    for (int i = 0; i < lines; i++) {
      products[i] = catalog.pick(rng, category(), behaviour.priceTier());
      quantities[i] = Draw.chance(rng, 0.2) ? Draw.between(rng, 2, 3) : 1;
      long full = products[i].unitMinor() * quantities[i];
      // A coupon takes 20% off every line of the order; the export says how much (line_discount).
      amounts[i] = coupon ? full * 80 / 100 : full;
      discounts[i] = full - amounts[i];
    }
    // --affinity's line, if any: one unit, the coupon's discount like the others. Its events go
    // beside theirs, just before checkout (after every other line's cart), numbered apart.
    Catalog.Product added = affinityLine(products);
    long addedAmount =
        added == null ? 0 : coupon ? added.unitMinor() * 80 / 100 : added.unitMinor();
    long addedDiscount = added == null ? 0 : added.unitMinor() - addedAmount;
    String id = plan.customerId();
    if (channel.online()) {
      long visitAt = at - Draw.between(rng, 10, 40) * MINUTE;
      visit(visitAt, id, channel, null);
      for (int i = 0; i < lines; i++) {
        view(visitAt + (i + 1) * 2 * MINUTE, id, channel, products[i]);
      }
      if (added != null) {
        out.writePlanted(
            affinityRng, at - 45, id, channel, EventType.VIEW, null, added, null, null, null, null);
      }
      for (int i = 0; i < lines; i++) {
        out.write(
            at - (lines - i) * MINUTE,
            id,
            channel,
            EventType.ADD_TO_CART,
            null,
            products[i],
            quantities[i],
            null,
            null,
            null);
      }
      if (added != null) {
        out.writePlanted(
            affinityRng,
            at - 30,
            id,
            channel,
            EventType.ADD_TO_CART,
            null,
            added,
            1,
            null,
            null,
            null);
      }
    } else if (channel == Channel.STORE) {
      visit(at - Draw.between(rng, 5, 30) * MINUTE, id, channel, store);
    }
    for (int i = 0; i < lines; i++) {
      out.write(
          at,
          id,
          channel,
          EventType.PURCHASE,
          orderId,
          products[i],
          quantities[i],
          amounts[i],
          discounts[i],
          store,
          null);
    }
    if (added != null) {
      out.writePlanted(
          affinityRng,
          at,
          id,
          channel,
          EventType.PURCHASE,
          orderId,
          added,
          1,
          addedAmount,
          addedDiscount,
          store);
    }
    if (coupon) {
      out.write(at, id, channel, EventType.COUPON_REDEEM, orderId, null, null, null, store, null);
    }
    for (int i = 0; i < lines; i++) {
      if (Draw.chance(rng, behaviour.returnShare())) {
        // Returned whole, through the channel it was bought in, 2 to 30 days later.
        long returnAt = Seasons.timeOfDay(rng, day + Draw.between(rng, 2, 30), channel);
        out.write(
            returnAt,
            id,
            channel,
            EventType.RETURN,
            orderId,
            products[i],
            quantities[i],
            amounts[i],
            store,
            null);
      }
    }
    if (added != null && Draw.chance(affinityRng, behaviour.returnShare())) {
      long returnAt =
          Seasons.timeOfDay(affinityRng, day + Draw.between(affinityRng, 2, 30), channel);
      out.writePlanted(
          affinityRng,
          returnAt,
          id,
          channel,
          EventType.RETURN,
          orderId,
          added,
          1,
          addedAmount,
          null,
          store);
    }
    if (Draw.chance(rng, behaviour.feedbackShare())) {
      long feedbackAt = Seasons.timeOfDay(rng, day + Draw.between(rng, 1, 14), channel);
      out.write(
          feedbackAt, id, channel, EventType.FEEDBACK, orderId, null, null, null, store, rating());
    }
  }

  /**
   * The line --affinity adds to an order of the planted archetype whose lines hold the pair's
   * antecedent and not its consequent, with the plan's probability: a product of the consequent at
   * the archetype's price tier, drawn from the AFFINITY stream. Null otherwise, drawing nothing.
   */
  private Catalog.Product affinityLine(Catalog.Product[] products) {
    if (affinity == null) {
      return null;
    }
    boolean antecedent = false;
    for (Catalog.Product p : products) {
      if (p.category().equals(affinity.consequent())) {
        return null;
      }
      antecedent |= p.category().equals(affinity.antecedent());
    }
    if (!antecedent || !Draw.chance(affinityRng, affinity.addProbability())) {
      return null;
    }
    return catalog.pick(affinityRng, affinity.categoryB(), behaviour.priceTier());
  }

  /**
   * A visit that buys nothing: a store visit, or an online session with a few views and maybe a
   * cart.
   */
  private void browse(long day) {
    Channel channel = channels[Draw.weighted(rng, channelWeights)];
    if (channel == Channel.CALL_CENTER) {
      channel = Channel.WEB;
    }
    String id = plan.customerId();
    long at = Seasons.timeOfDay(rng, day, channel);
    if (channel == Channel.STORE) {
      visit(at, id, channel, store());
      return;
    }
    visit(at, id, channel, null);
    int views = Draw.between(rng, 1, 4);
    Catalog.Product product = null;
    for (int i = 0; i < views; i++) {
      product = catalog.pick(rng, category(), behaviour.priceTier());
      view(at + (i + 1) * 2 * MINUTE, id, channel, product);
    }
    if (Draw.chance(rng, 0.25)) {
      out.write(
          at + (views + 1) * 2 * MINUTE,
          id,
          channel,
          EventType.ADD_TO_CART,
          null,
          product,
          1,
          null,
          null,
          null);
    }
  }

  /**
   * Sessions of people who are not logged in (customer_id null), sized so that they make about
   * --anonymous-share of all events: a anonymous events for every (1 - a) known ones.
   */
  private void anonymousTraffic() {
    double share = spec.anonymousShare();
    if (share <= 0) {
      return;
    }
    long remaining = (long) Math.floor(out.knownEvents() * share / (1 - share) + rng.nextDouble());
    while (remaining > 0) {
      long day = seasonalDay();
      Channel channel =
          retailer.anonymousChannels()[Draw.weighted(rng, retailer.anonymousChannelWeights())];
      long at = Seasons.timeOfDay(rng, day, channel);
      visit(at, null, channel, null);
      remaining--;
      int views = Math.min(Draw.between(rng, 0, 3), (int) remaining);
      for (int i = 0; i < views; i++) {
        Catalog.Product product = catalog.pick(rng, rng.nextInt(Catalog.CATEGORIES.length), 0.5);
        view(at + (i + 1) * 2 * MINUTE, null, channel, product);
        remaining--;
      }
    }
  }

  private void visit(long at, String customerId, Channel channel, String store) {
    out.write(at, customerId, channel, EventType.VISIT, null, null, null, null, store, null);
  }

  private void view(long at, String customerId, Channel channel, Catalog.Product product) {
    out.write(at, customerId, channel, EventType.VIEW, null, product, null, null, null, null);
  }

  /** A day of the range, more likely in busy months. */
  private long seasonalDay() {
    while (true) {
      long day = Draw.day(rng, spec.firstDay(), spec.lastDay());
      if (rng.nextDouble() < Seasons.factor(retailer, day) / Seasons.PEAK_FACTOR) {
        return day;
      }
    }
  }

  /** Mostly one of the customer's favourite categories, sometimes any. */
  private int category() {
    if (Draw.chance(rng, behaviour.exploreShare())) {
      return rng.nextInt(Catalog.CATEGORIES.length);
    }
    return plan.favouriteCategories()[Draw.weighted(rng, FAVOURITE_WEIGHTS)];
  }

  /** The home store mostly; now and then another one. */
  private String store() {
    if (Draw.chance(rng, 0.9)) {
      return plan.homeStore();
    }
    Places places = retailer.places();
    return places.store(rng.nextInt(places.size()), rng.nextInt(Places.STORES_PER_CITY));
  }

  private Integer rating() {
    return (int)
        Math.max(1, Math.min(5, Math.round(Draw.gaussian(rng, behaviour.ratingMean(), 0.9))));
  }
}
