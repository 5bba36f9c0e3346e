package io.segpipe.jobs.generate;

import java.sql.Date;
import java.time.LocalDate;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Who one customer is and the facts its behaviour must honour: archetype, signup, churn date, home
 * city (one of the retailer's {@link Places}) and store, favourite categories. Drawn only from the
 * customer's PROFILE stream, so the customers and ground_truth outputs need no events generated,
 * and scaling activity for --events changes what customers do, never who they are; the retailer
 * changes where they live, not the rest.
 */
record CustomerPlan(
    long index,
    String customerId,
    Archetype archetype,
    long signupDay,
    long activeFromDay,
    Long churnDay,
    int birthYear,
    String gender,
    int city,
    String incomeBand,
    String memberTier,
    String acquisitionChannel,
    boolean marketingOptIn,
    String homeStore,
    int[] favouriteCategories,
    Places places) {

  static final String[] INCOME_BANDS = {"low", "middle", "high", "very_high"};
  static final String[] MEMBER_TIERS = {"none", "silver", "gold", "platinum"};
  static final String[] ACQUISITION_CHANNELS = {
    "organic_search", "paid_search", "social", "referral", "store", "marketplace", "email"
  };
  private static final String[] GENDERS = {"F", "M", "X"};
  private static final double[] GENDER_WEIGHTS = {0.52, 0.46, 0.02};

  /** New signups join within this many days before --to. */
  static final int NEW_SIGNUP_DAYS = 90;

  static String customerId(long index) {
    return String.format("C%08d", index + 1);
  }

  static CustomerPlan of(GenerationSpec spec, long index) {
    SplittableRandom rng = Seeds.PROFILE.random(spec.seed(), index);
    Archetype archetype = Archetype.values()[Draw.weighted(rng, Archetype.shares())];
    long first = spec.firstDay();
    long last = spec.lastDay();
    long span = last - first;
    long signup =
        switch (archetype) {
          case NEW_SIGNUP -> Draw.day(rng, last - NEW_SIGNUP_DAYS + 1, last);
          // Lapsing regulars need a history before they lapse, so they join early.
          case LAPSING_REGULAR -> Draw.day(rng, first - 730, first + span / 4);
          default -> Draw.day(rng, first - 730, last - NEW_SIGNUP_DAYS);
        };
    long activeFrom = Math.max(signup, first);
    Long churn =
        switch (archetype) {
          case NEW_SIGNUP -> null;
          // The one order's date: nothing is bought after it.
          case ONE_TIME_BUYER -> Draw.day(rng, activeFrom, last);
          case LAPSING_REGULAR ->
              Draw.day(rng, Math.max(activeFrom + 60, first + span / 4), first + span * 3 / 4);
          default ->
              Draw.chance(rng, archetype.behaviour().churnShare()) && activeFrom + 60 < last - 30
                  ? Draw.day(rng, activeFrom + 60, last - 30)
                  : null;
        };
    if (churn != null && churn > last) {
      churn = last;
    }
    Archetype.Portrait portrait = archetype.portrait();
    int birthYear =
        (int)
            Math.max(
                1935, Math.min(2006, Math.round(Draw.gaussian(rng, portrait.birthYear(), 10))));
    String gender = GENDERS[Draw.weighted(rng, GENDER_WEIGHTS)];
    Places places = spec.retailer().places();
    int city = Draw.weighted(rng, places.weights());
    String income = INCOME_BANDS[Draw.weighted(rng, portrait.incomeBands())];
    String tier = MEMBER_TIERS[Draw.weighted(rng, portrait.memberTiers())];
    String acquisition = ACQUISITION_CHANNELS[Draw.weighted(rng, portrait.acquisition())];
    boolean optIn = Draw.chance(rng, portrait.optInShare());
    String store = places.store(city, rng.nextInt(Places.STORES_PER_CITY));
    int[] favourites = favouriteCategories(rng);
    return new CustomerPlan(
        index,
        customerId(index),
        archetype,
        signup,
        activeFrom,
        churn,
        birthYear,
        gender,
        city,
        income,
        tier,
        acquisition,
        optIn,
        store,
        favourites,
        places);
  }

  /** Three distinct categories the customer mostly buys from. */
  private static int[] favouriteCategories(SplittableRandom rng) {
    int n = Catalog.CATEGORIES.length;
    int a = rng.nextInt(n);
    int b = (a + 1 + rng.nextInt(n - 1)) % n;
    int c;
    do {
      c = rng.nextInt(n);
    } while (c == a || c == b);
    return new int[] {a, b, c};
  }

  /** The last day the customer may buy on (the churn date, or the end of the range). */
  long lastPurchaseDay(GenerationSpec spec) {
    return churnDay == null ? spec.lastDay() : churnDay;
  }

  /** A row of {@link ExportShape#CUSTOMERS}, without email and phone (no --identities). */
  Row customerRow() {
    return RowFactory.create(customerValues());
  }

  /** The values of {@link ExportShape#CUSTOMERS}: the dimension's, then email and phone null. */
  Object[] customerValues() {
    return new Object[] {
      customerId,
      date(signupDay),
      birthYear,
      gender,
      places.region(city),
      places.city(city),
      incomeBand,
      memberTier,
      acquisitionChannel,
      marketingOptIn,
      null,
      null
    };
  }

  /** A row of {@link ExportShape#GROUND_TRUTH}. */
  Row groundTruthRow() {
    return RowFactory.create(
        customerId, archetype.label(), churnDay == null ? null : date(churnDay));
  }

  private static Date date(long epochDay) {
    return Date.valueOf(LocalDate.ofEpochDay(epochDay));
  }
}
