package io.segpipe.jobs.generate;

import java.util.Locale;

/**
 * Where an event happens; the labels are the channel values written to the events (and the codes a
 * config lists in segpipe.events.channels). Which channels a data set uses is the retailer's choice
 * ({@link Retailer#channels()}): the first six are the UK retailer's (conf/segpipe.conf's
 * defaults), the last four with STORE the Chinese retailer's (conf/retailer-cn.conf).
 */
enum Channel {
  WEB,
  APP,
  STORE,
  SOCIAL,
  MARKETPLACE,
  CALL_CENTER,
  /** Tmall (天猫), the brand's flagship store on Alibaba's marketplace. */
  TMALL,
  /** JD.com (京东). */
  JD,
  /** The brand's WeChat mini-program (微信小程序). */
  WECHAT_MINI,
  /** Douyin (抖音): short-video and live-stream shopping. */
  DOUYIN;

  private final String label = name().toLowerCase(Locale.ROOT);

  String label() {
    return label;
  }

  /** Online channels have a browsing session (visit, views, add to cart) around an order. */
  boolean online() {
    return this != STORE && this != CALL_CENTER;
  }

  /**
   * Per-channel weights in the UK retailer's order: web, app, store, social, marketplace,
   * call_center.
   */
  static double[] weights(
      double web, double app, double store, double social, double marketplace, double callCenter) {
    return new double[] {web, app, store, social, marketplace, callCenter};
  }
}
