package io.segpipe.jobs.generate;

import java.util.SplittableRandom;

/**
 * The products on sale: a fixed set of categories, each with numbered SKUs whose price rises with the
 * number. A SKU always has the same price, so basket value differs between customers only by what
 * they choose (archetype price tier) and how many.
 */
final class Catalog {
  private Catalog() {}

  static final String[] CATEGORIES = {
      "apparel", "footwear", "beauty", "home", "electronics", "grocery", "toys", "sports", "books", "garden"};
  private static final String[] CODES = {"APP", "FTW", "BTY", "HOM", "ELE", "GRO", "TOY", "SPO", "BOK", "GDN"};
  /** Typical unit price per category, in pence. */
  private static final int[] BASE_PRICE_PENCE = {2500, 4500, 1500, 3000, 9000, 600, 1800, 3500, 1000, 2200};
  static final int PRODUCTS_PER_CATEGORY = 400;

  /** A product: its SKU, category and unit price. */
  record Product(String sku, String category, long unitPence) {}

  private static final Product[][] PRODUCTS = new Product[CATEGORIES.length][PRODUCTS_PER_CATEGORY];

  static {
    for (int c = 0; c < CATEGORIES.length; c++) {
      for (int n = 0; n < PRODUCTS_PER_CATEGORY; n++) {
        // From 0.4x to 3.4x the category's base price; every price ends in 99p.
        double factor = 0.4 + 3.0 * Math.pow((double) n / PRODUCTS_PER_CATEGORY, 1.5);
        long pence = Math.max(99, Math.round(BASE_PRICE_PENCE[c] * factor) / 100 * 100 + 99);
        PRODUCTS[c][n] = new Product(CODES[c] + "-" + (1000 + n), CATEGORIES[c], pence);
      }
    }
  }

  /** A product of {@code category} near {@code priceTier} (0 cheapest .. 1 dearest). */
  static Product pick(SplittableRandom rng, int category, double priceTier) {
    double position = Draw.gaussian(rng, priceTier, 0.12);
    int n = (int) Math.max(0, Math.min(PRODUCTS_PER_CATEGORY - 1, Math.round(position * (PRODUCTS_PER_CATEGORY - 1))));
    return PRODUCTS[category][n];
  }
}
