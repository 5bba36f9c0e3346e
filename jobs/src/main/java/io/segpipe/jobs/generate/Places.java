package io.segpipe.jobs.generate;

/**
 * Cities customers live in, their regions, how many customers each gets, and the stores in each
 * city (three per city). One set per retailer: {@link #UK} and {@link #CN}.
 */
final class Places {
  static final int STORES_PER_CITY = 3;

  /** UK cities and their regions (ITL 1 / nations). */
  static final Places UK =
      new Places(
          new String[] {
            "London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Edinburgh", "Bristol",
            "Cardiff", "Belfast", "Newcastle", "Liverpool", "Nottingham", "Southampton", "Norwich"
          },
          new String[] {
            "London", "North West", "West Midlands", "Yorkshire and the Humber", "Scotland",
                "Scotland", "South West",
            "Wales", "Northern Ireland", "North East", "North West", "East Midlands", "South East",
                "East of England"
          },
          // Rough population weights, so London has the most customers.
          new double[] {30, 9, 9, 6, 5, 4, 4, 3, 3, 3, 4, 3, 3, 2});

  /**
   * Chinese cities and their provinces, in Chinese characters; a municipality (上海市, 北京市, 天津市, 重庆市)
   * is its own region. Weights follow urban population and online retail spend roughly: the four
   * first-tier cities most, then the large provincial capitals and the Yangtze and Pearl River
   * delta cities.
   */
  static final Places CN =
      new Places(
          new String[] {
            "上海市", "北京市", "广州市", "深圳市", "东莞市", "佛山市", "杭州市", "宁波市", "温州市",
            "南京市", "苏州市", "无锡市", "成都市", "重庆市", "武汉市", "西安市", "天津市", "厦门市",
            "福州市", "青岛市", "济南市", "长沙市", "郑州市", "合肥市", "沈阳市", "昆明市", "哈尔滨市"
          },
          new String[] {
            "上海市", "北京市", "广东省", "广东省", "广东省", "广东省", "浙江省", "浙江省", "浙江省",
            "江苏省", "江苏省", "江苏省", "四川省", "重庆市", "湖北省", "陕西省", "天津市", "福建省",
            "福建省", "山东省", "山东省", "湖南省", "河南省", "安徽省", "辽宁省", "云南省", "黑龙江省"
          },
          new double[] {
            10, 9, 8, 9, 3, 3, 7, 3, 2, 4, 5, 2, 6, 5, 4, 3, 3, 2, 2, 3, 2, 3, 3, 2, 2, 1.5, 1.5
          });

  private final String[] cities;
  private final String[] regions;
  private final double[] weights;

  /** Built once: store ids are written on every store event. */
  private final String[] storeIds;

  private Places(String[] cities, String[] regions, double[] weights) {
    if (regions.length != cities.length || weights.length != cities.length) {
      throw new IllegalStateException("every city needs one region and one weight");
    }
    this.cities = cities;
    this.regions = regions;
    this.weights = weights;
    this.storeIds = new String[cities.length * STORES_PER_CITY];
    for (int i = 0; i < storeIds.length; i++) {
      storeIds[i] = String.format("ST%03d", i + 1);
    }
  }

  int size() {
    return cities.length;
  }

  String city(int city) {
    return cities[city];
  }

  String region(int city) {
    return regions[city];
  }

  /** Customers per city, relative: an index drawn by these is a customer's city. */
  double[] weights() {
    return weights;
  }

  /** Store {@code number} (0 to STORES_PER_CITY - 1) of {@code city}, e.g. "ST001". */
  String store(int city, int number) {
    return storeIds[city * STORES_PER_CITY + number];
  }
}
