package io.segpipe.jobs.generate;

import java.util.Locale;

/** Where an event happens; the labels are the channel values conf/segpipe.conf accepts. */
enum Channel {
  WEB, APP, STORE, SOCIAL, MARKETPLACE, CALL_CENTER;

  private final String label = name().toLowerCase(Locale.ROOT);

  String label() {
    return label;
  }

  /** Online channels have a browsing session (visit, views, add to cart) around an order. */
  boolean online() {
    return this != STORE && this != CALL_CENTER;
  }

  /** Per-channel weights in declaration order: web, app, store, social, marketplace, call_center. */
  static double[] weights(double web, double app, double store, double social, double marketplace, double callCenter) {
    return new double[] {web, app, store, social, marketplace, callCenter};
  }
}
