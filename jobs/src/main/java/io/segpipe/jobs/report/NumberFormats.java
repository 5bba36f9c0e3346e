package io.segpipe.jobs.report;

import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.NumberFormat;
import java.util.Currency;
import java.util.Locale;

/**
 * How the report writes numbers: the configured locale's thousands separators and decimal mark,
 * money in the reporting currency (its symbol as the locale writes it: £ for GBP, ¥ for CNY under
 * zh-CN). In Chinese, counts and money from 10,000 on are written in 万 (10⁴) and 亿 (10⁸), e.g.
 * 12.3万 and 1.2亿, as Chinese reports do. Not thread-safe (java.text formats are not): one per page.
 */
final class NumberFormats {
  static final String MISSING = "–";

  /** The units of large numbers in Chinese: 万 = 10⁴, 亿 = 10⁸. */
  static final String WAN = "万";

  static final String YI = "亿";

  private final boolean myriads;
  private final NumberFormat scaled;
  private final NumberFormat scaledMoney;
  private final NumberFormat whole;
  private final NumberFormat decimal;
  private final NumberFormat percent;
  private final NumberFormat money;
  private final NumberFormat moneyWhole;

  NumberFormats(Locale locale, String currency) {
    myriads = "zh".equals(locale.getLanguage());
    scaled = NumberFormat.getNumberInstance(locale);
    scaled.setGroupingUsed(false);
    scaledMoney = NumberFormat.getCurrencyInstance(locale);
    scaledMoney.setCurrency(Currency.getInstance(currency));
    scaledMoney.setGroupingUsed(false);
    whole = NumberFormat.getIntegerInstance(locale);
    decimal = NumberFormat.getNumberInstance(locale);
    percent = NumberFormat.getPercentInstance(locale);
    percent.setMinimumFractionDigits(1);
    percent.setMaximumFractionDigits(1);
    money = NumberFormat.getCurrencyInstance(locale);
    money.setCurrency(Currency.getInstance(currency));
    money.setMinimumFractionDigits(2);
    money.setMaximumFractionDigits(2);
    moneyWhole = NumberFormat.getCurrencyInstance(locale);
    moneyWhole.setCurrency(Currency.getInstance(currency));
    moneyWhole.setMinimumFractionDigits(0);
    moneyWhole.setMaximumFractionDigits(0);
  }

  String count(long n) {
    return large(n) ? myriad(scaled, n) : whole.format(n);
  }

  private boolean large(double x) {
    return myriads && Math.abs(x) >= 10_000;
  }

  /**
   * A large number in 万 or 亿 with three or four significant digits, trailing zeros dropped: 1.23万,
   * 12.3万, 123.5万, 1235万, 1.2亿.
   */
  private static String myriad(NumberFormat format, double x) {
    double abs = Math.abs(x);
    String unit = WAN;
    double value = abs / 1e4;
    int digits = digits(value);
    if (abs >= 1e8 || Math.round(value * Math.pow(10, digits)) >= 1e4 * Math.pow(10, digits)) {
      unit = YI;
      value = abs / 1e8;
      digits = digits(value);
    }
    format.setMinimumFractionDigits(0);
    format.setMaximumFractionDigits(digits);
    if (format instanceof DecimalFormat d) {
      d.setRoundingMode(RoundingMode.HALF_UP);
    }
    return format.format(Math.copySign(value, x)) + unit;
  }

  private static int digits(double value) {
    return value < 10 ? 2 : value < 1000 ? 1 : 0;
  }

  /** A number with {@code digits} decimals, or a dash when there is none. */
  String decimal(double x, int digits) {
    if (!Double.isFinite(x)) {
      return MISSING;
    }
    decimal.setMinimumFractionDigits(digits);
    decimal.setMaximumFractionDigits(digits);
    return decimal.format(x);
  }

  String decimal(Double x, int digits) {
    return x == null ? MISSING : decimal(x.doubleValue(), digits);
  }

  /** A share (0-1) as a percentage with one decimal. */
  String percent(double share) {
    return Double.isFinite(share) ? percent.format(share) : MISSING;
  }

  /** A share (0-1) as a percentage with {@code digits} decimals, e.g. a confidence level: 95%. */
  String percent(double share, int digits) {
    if (!Double.isFinite(share)) {
      return MISSING;
    }
    NumberFormat f = (NumberFormat) percent.clone();
    f.setMinimumFractionDigits(digits);
    f.setMaximumFractionDigits(digits);
    return f.format(share);
  }

  String money(double amount) {
    return !Double.isFinite(amount)
        ? MISSING
        : large(amount) ? myriad(scaledMoney, amount) : money.format(amount);
  }

  /** Money rounded to the whole unit, for totals and axes. */
  String moneyWhole(double amount) {
    return !Double.isFinite(amount)
        ? MISSING
        : large(amount) ? myriad(scaledMoney, amount) : moneyWhole.format(amount);
  }

  /** A change with its sign, e.g. +1,234 or −56. */
  String signedCount(long change) {
    return (change > 0 ? "+" : change < 0 ? "−" : "±") + count(Math.abs(change));
  }

  String signedMoney(double change) {
    return (change > 0 ? "+" : change < 0 ? "−" : "±") + moneyWhole(Math.abs(change));
  }

  /**
   * The relative change from {@code before} to {@code now}, e.g. +4.2%; a dash when before is 0.
   */
  String relativeChange(double now, double before) {
    if (before == 0 || !Double.isFinite(now) || !Double.isFinite(before)) {
      return MISSING;
    }
    double change = (now - before) / Math.abs(before);
    return (change > 0 ? "+" : change < 0 ? "−" : "±") + percent.format(Math.abs(change));
  }

  /**
   * A difference with its sign and {@code digits} decimals, e.g. +0.125 or −1.500; ± when it rounds
   * to zero.
   */
  String signedDecimal(double x, int digits) {
    if (!Double.isFinite(x)) {
      return MISSING;
    }
    return sign(x, 0.5 * Math.pow(10, -digits)) + decimal(Math.abs(x), digits);
  }

  /** A difference of money with its sign and cents, e.g. +€1.25. */
  String signedMoneyCents(double x) {
    return Double.isFinite(x) ? sign(x, 0.005) + money(Math.abs(x)) : MISSING;
  }

  /**
   * A signed difference of money rounded to the whole unit, e.g. −€1,234; a dash when there is
   * none.
   */
  String signedMoneyWhole(double x) {
    return Double.isFinite(x) ? sign(x, 0.5) + moneyWhole(Math.abs(x)) : MISSING;
  }

  /** A relative change (0.05 = 5 %) with its sign and one decimal, e.g. +5.0%. */
  String signedPercent(double share) {
    return Double.isFinite(share) ? sign(share, 0.0005) + percent.format(Math.abs(share)) : MISSING;
  }

  /** A p-value: three decimals, or "< 0.001" below that. */
  String pValue(double p) {
    if (!Double.isFinite(p)) {
      return MISSING;
    }
    return p < 0.001 ? "< " + decimal(0.001, 3) : decimal(p, 3);
  }

  private static String sign(double x, double zero) {
    return Math.abs(x) < zero ? "±" : x > 0 ? "+" : "−";
  }
}
