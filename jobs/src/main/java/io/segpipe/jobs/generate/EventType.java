package io.segpipe.jobs.generate;

import java.util.Locale;

/** What an event records; the labels are the event types conf/segpipe.conf accepts. */
enum EventType {
  PURCHASE,
  RETURN,
  VISIT,
  VIEW,
  ADD_TO_CART,
  COUPON_REDEEM,
  FEEDBACK;

  private final String label = name().toLowerCase(Locale.ROOT);

  String label() {
    return label;
  }
}
