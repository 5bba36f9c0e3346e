package io.segpipe.jobs.generate;

import java.util.SplittableRandom;

/**
 * The products on sale: a fixed set of categories, each with numbered SKUs whose price rises with
 * the number. A SKU always has the same price, so basket value differs between customers only by
 * what they choose (archetype price tier) and how many. The categories and SKUs are the same for
 * every retailer; the prices are the retailer's ({@link #UK} in pounds, {@link #CN} in yuan).
 */
final class Catalog {
  static final String[] CATEGORIES = {
    "apparel",
    "footwear",
    "beauty",
    "home",
    "electronics",
    "grocery",
    "toys",
    "sports",
    "books",
    "garden"
  };
  private static final String[] CODES = {
    "APP", "FTW", "BTY", "HOM", "ELE", "GRO", "TOY", "SPO", "BOK", "GDN"
  };
  static final int PRODUCTS_PER_CATEGORY = 400;

  /** Typical unit prices per category in pence; every price ends in 99p. */
  static final Catalog UK =
      new Catalog(
          new long[] {2500, 4500, 1500, 3000, 9000, 600, 1800, 3500, 1000, 2200},
          (base, factor) -> Math.max(99, Math.round(base * factor) / 100 * 100 + 99));

  /**
   * Typical unit prices per category in fen (¥199 a garment, ¥699 a gadget, ¥39 a grocery item),
   * Chinese online price levels; every price is whole yuan ending in 9 (¥19, ¥159, ¥2,379).
   */
  static final Catalog CN =
      new Catalog(
          new long[] {19900, 39900, 15900, 12900, 69900, 3900, 9900, 25900, 4900, 8900},
          (base, factor) -> Math.max(9, Math.round(base * factor / 1000.0) * 10 - 1) * 100);

  /** A product: its SKU, category and unit price in the currency's minor unit (pence, fen). */
  record Product(String sku, String category, long unitMinor) {}

  /** A unit price in minor units from the category's typical price and the SKU's factor. */
  private interface Pricing {
    long price(long base, double factor);
  }

  private final Product[][] products = new Product[CATEGORIES.length][PRODUCTS_PER_CATEGORY];

  private Catalog(long[] basePrices, Pricing pricing) {
    for (int c = 0; c < CATEGORIES.length; c++) {
      for (int n = 0; n < PRODUCTS_PER_CATEGORY; n++) {
        // From 0.4x to 3.4x the category's base price.
        double factor = 0.4 + 3.0 * Math.pow((double) n / PRODUCTS_PER_CATEGORY, 1.5);
        products[c][n] =
            new Product(
                CODES[c] + "-" + (1000 + n), CATEGORIES[c], pricing.price(basePrices[c], factor));
      }
    }
  }

  /** A product of {@code category} near {@code priceTier} (0 cheapest .. 1 dearest). */
  Product pick(SplittableRandom rng, int category, double priceTier) {
    double position = Draw.gaussian(rng, priceTier, 0.12);
    int n =
        (int)
            Math.max(
                0,
                Math.min(
                    PRODUCTS_PER_CATEGORY - 1, Math.round(position * (PRODUCTS_PER_CATEGORY - 1))));
    return products[category][n];
  }
}
