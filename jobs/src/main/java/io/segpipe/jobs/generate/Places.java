package io.segpipe.jobs.generate;

/** Cities customers live in, their regions and the stores in each city (three per city). */
final class Places {
  private Places() {}

  static final String[] CITIES = {
      "London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Edinburgh", "Bristol",
      "Cardiff", "Belfast", "Newcastle", "Liverpool", "Nottingham", "Southampton", "Norwich"};
  static final String[] REGIONS = {
      "London", "North West", "West Midlands", "Yorkshire and the Humber", "Scotland", "Scotland", "South West",
      "Wales", "Northern Ireland", "North East", "North West", "East Midlands", "South East", "East of England"};
  /** Rough population weights, so London has the most customers. */
  static final double[] CITY_WEIGHTS = {30, 9, 9, 6, 5, 4, 4, 3, 3, 3, 4, 3, 3, 2};
  static final int STORES_PER_CITY = 3;
  /** Built once: store ids are written on every store event. */
  private static final String[] STORE_IDS = new String[CITIES.length * STORES_PER_CITY];

  static {
    for (int i = 0; i < STORE_IDS.length; i++) {
      STORE_IDS[i] = String.format("ST%03d", i + 1);
    }
  }

  /** Store {@code number} (0 to STORES_PER_CITY - 1) of {@code city}, e.g. "ST001". */
  static String store(int city, int number) {
    return STORE_IDS[city * STORES_PER_CITY + number];
  }
}
