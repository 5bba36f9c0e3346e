package io.segpipe.jobs.generate;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Collects one customer's events as rows of {@link ExportShape#EVENTS}: numbers them into stable
 * event ids, drops what falls after the range, and applies --dirty-share (broken rows, exact
 * duplicates), counting what it did.
 */
final class EventWriter {
  private final List<Row> rows = new ArrayList<>();
  private final String idPrefix;
  private final long endSecond;
  private final long utcOffsetSeconds;
  private final String currency;
  private final double dirtyShare;
  private final SplittableRandom dirt;
  private int sequence;

  /** Events of lines --affinity added, numbered apart. */
  private int planted;

  private long anonymous;
  private long duplicates;
  private final long[] broken = new long[Breakage.values().length];

  /** --identities: what writes the person's identifiers on its events; null without it. */
  private final IdentityMarks identities;

  /** With --identities, one per row of {@link #rows} until {@link #finish}. */
  private final List<IdentityMarks.Facts> facts = new ArrayList<>();

  /** While a planted campaign's order is written. */
  private boolean campaignOrder;

  EventWriter(GenerationSpec spec, long customerIndex) {
    this(spec, customerIndex, null);
  }

  EventWriter(GenerationSpec spec, long customerIndex, IdentityMarks identities) {
    this.idPrefix = "e" + customerIndex + "-";
    this.endSecond = spec.endSecond();
    this.utcOffsetSeconds = spec.retailer().utcOffsetSeconds();
    this.currency = spec.retailer().currency();
    this.dirtyShare = spec.dirtyShare();
    this.dirt = Seeds.DIRT.random(spec.seed(), customerIndex);
    this.identities = identities;
  }

  /**
   * Around a planted campaign's order: its store events keep the person's customer id (a second
   * account takes the person's other store events).
   */
  void campaignOrder(boolean on) {
    campaignOrder = on;
  }

  /**
   * Writes one event unless it falls after the range (a return or feedback late in the range).
   *
   * @param second when, in the retailer's local time as seconds since the epoch; written as the
   *     instant
   * @param amountMinor the amount in the currency's minor unit (pence, fen)
   * @return whether the event was written
   */
  boolean write(
      long second,
      String customerId,
      Channel channel,
      EventType type,
      String orderId,
      Catalog.Product product,
      Integer qty,
      Long amountMinor,
      String storeId,
      Integer rating) {
    return write(
        second,
        customerId,
        channel,
        type,
        orderId,
        product,
        qty,
        amountMinor,
        null,
        storeId,
        rating);
  }

  /**
   * {@link #write(long, String, Channel, EventType, String, Catalog.Product, Integer, Long, String,
   * Integer)} with what a discount took off the line, in minor units (purchase lines: 0 at full
   * price).
   */
  boolean write(
      long second,
      String customerId,
      Channel channel,
      EventType type,
      String orderId,
      Catalog.Product product,
      Integer qty,
      Long amountMinor,
      Long discountMinor,
      String storeId,
      Integer rating) {
    if (second >= endSecond) {
      return false;
    }
    if (customerId == null) {
      anonymous++;
    }
    add(
        idPrefix + sequence++,
        dirt,
        second,
        customerId,
        channel,
        type,
        orderId,
        product,
        qty,
        amountMinor,
        discountMinor,
        storeId,
        rating);
    return true;
  }

  /**
   * Writes an event of a line --affinity added, unless it falls after the range. Its id is numbered
   * apart ("e12-a0", "e12-a1", ...) and --dirty-share damages it by draws from {@code plantedDirt},
   * so the customer's other rows keep their ids and their damage; it does not count among {@link
   * #knownEvents}, so the anonymous traffic stays as it is without the planting.
   */
  boolean writePlanted(
      SplittableRandom plantedDirt,
      long second,
      String customerId,
      Channel channel,
      EventType type,
      String orderId,
      Catalog.Product product,
      Integer qty,
      Long amountMinor,
      Long discountMinor,
      String storeId) {
    if (second >= endSecond) {
      return false;
    }
    add(
        idPrefix + "a" + planted++,
        plantedDirt,
        second,
        customerId,
        channel,
        type,
        orderId,
        product,
        qty,
        amountMinor,
        discountMinor,
        storeId,
        null);
    return true;
  }

  private void add(
      String eventId,
      SplittableRandom damage,
      long second,
      String customerId,
      Channel channel,
      EventType type,
      String orderId,
      Catalog.Product product,
      Integer qty,
      Long amountMinor,
      Long discountMinor,
      String storeId,
      Integer rating) {
    Object[] values = {
      eventId,
      new Timestamp((second - utcOffsetSeconds) * 1000),
      customerId,
      channel.label(),
      type.label(),
      orderId,
      product == null ? null : product.sku(),
      product == null ? null : product.category(),
      qty,
      amountMinor == null ? null : BigDecimal.valueOf(amountMinor, 2),
      currency,
      storeId,
      rating,
      discountMinor == null ? null : BigDecimal.valueOf(discountMinor, 2),
      // email, device_id, loyalty_id: IdentityMarks writes them in finish()
      null,
      null,
      null
    };
    if (dirtyShare > 0 && Draw.chance(damage, dirtyShare)) {
      Breakage breakage = Breakage.values()[damage.nextInt(broken.length)];
      breakage.apply(values);
      broken[breakage.ordinal()]++;
      rows.add(RowFactory.create(values));
      note(customerId, channel, type, orderId, storeId, true, false);
      return;
    }
    Row row = RowFactory.create(values);
    rows.add(row);
    note(customerId, channel, type, orderId, storeId, false, false);
    if (dirtyShare > 0 && Draw.chance(damage, dirtyShare)) {
      // An export that sent the same row twice: same event_id, same values.
      rows.add(row);
      note(customerId, channel, type, orderId, storeId, false, true);
      duplicates++;
    }
  }

  /** With --identities, what {@link IdentityMarks} needs to know of a row it did not write. */
  private void note(
      String customerId,
      Channel channel,
      EventType type,
      String orderId,
      String storeId,
      boolean brokenRow,
      boolean duplicate) {
    if (identities != null) {
      facts.add(
          new IdentityMarks.Facts(
              customerId != null,
              channel,
              type,
              orderId,
              storeId,
              campaignOrder,
              brokenRow,
              duplicate));
    }
  }

  /**
   * Called once the customer's events are all written: with --identities, writes the identifiers on
   * them (which needs to know all of them first: a second account goes only to a person with a
   * store purchase, and gets an e-receipt on one of them).
   */
  void finish() {
    if (identities != null) {
      List<Row> marked = identities.apply(rows, facts);
      rows.clear();
      rows.addAll(marked);
      facts.clear();
    }
  }

  List<Row> rows() {
    return rows;
  }

  /** What wrote the identifiers (--identities), or null. */
  IdentityMarks identities() {
    return identities;
  }

  private final List<Row> truth = new ArrayList<>();

  /** One customer's outcome for a planted campaign, as {@link ExportShape#CAMPAIGN_TRUTH}. */
  void truth(
      String campaignId,
      String customerId,
      boolean treated,
      boolean boughtAnyway,
      boolean planted) {
    truth.add(
        RowFactory.create(
            campaignId, customerId, treated ? "treatment" : "control", boughtAnyway, planted));
  }

  List<Row> truth() {
    return truth;
  }

  /**
   * Events written for a known customer (before duplicates): what the anonymous share is measured
   * on.
   */
  long knownEvents() {
    return sequence - anonymous;
  }

  long anonymous() {
    return anonymous;
  }

  long duplicates() {
    return duplicates;
  }

  long broken(Breakage breakage) {
    return broken[breakage.ordinal()];
  }
}
