package io.segpipe.jobs.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Writes a person's identifiers onto its events (--identities) once they are all generated, from
 * the person's IDENTITY_USE stream, in the order the events were written; anonymous events get
 * none. What an event carries:
 *
 * <ul>
 *   <li>web and app: a device id of the person's, chosen at each session's visit and kept until the
 *       next (app: always; web: {@link Identities#WEB_DEVICE_SHARE} of sessions);
 *   <li>purchase lines on web, app, social and marketplace: the email (the second one on app, for a
 *       person who has one), on marketplace sometimes the placeholder instead;
 *   <li>store purchases and returns: the loyalty card, and the tablet store's tablet id on some;
 *       store purchase lines sometimes the placeholder email;
 *   <li>a second account's store events (all the person's, but a planted campaign's order): its
 *       customer id, and the email on every purchase line of its first order with an unbroken line
 *       and on some later orders (e-receipts). A person whose drawn second account would have no
 *       such line (no store purchases of its own) gets none: nothing would link it.
 * </ul>
 *
 * <p>The draws do not depend on which store has the tablet (every store purchase and return draws
 * for it), so the first pass, which does not know the store yet, draws what the written pass will.
 * The columns other than the identifiers (and a second account's customer id) stay as written, and
 * a duplicated row is duplicated with its identifiers. It records which identifiers it wrote, for
 * identity_truth.
 */
final class IdentityMarks {
  /**
   * What {@link EventWriter} knew of a row when it wrote it.
   *
   * @param known whether a known customer's (not anonymous)
   * @param channel the channel as generated (--dirty-share may have broken the written one), as the
   *     type
   * @param campaign whether of a planted campaign's order
   * @param broken whether --dirty-share broke the row
   * @param duplicate whether the row repeats the one before it
   */
  record Facts(
      boolean known,
      Channel channel,
      EventType type,
      String orderId,
      String storeId,
      boolean campaign,
      boolean broken,
      boolean duplicate) {}

  private final PersonIdentity person;
  private final String tabletStore;
  private final SplittableRandom rng;

  private int webDevice = -1;
  private boolean webSession;
  private int appDevice = -1;

  /** The second account's id, once it is known the person has one; else null. */
  private String secondAccount;

  /** The row that surely has the e-receipt email, and its order. */
  private int receiptRow = -1;

  private String firstReceiptOrder;
  private String receiptOrder;
  private boolean receipt;

  /** Which of the person's identifiers some event carries. */
  private boolean emailUsed;

  private boolean secondEmailUsed;
  private boolean loyaltyCardUsed;
  private final boolean[] devicesUsed;

  private final Map<String, Long> tabletDraws = new TreeMap<>();
  private boolean placeholder;

  IdentityMarks(GenerationSpec spec, PersonIdentity person, long customerIndex) {
    this.person = person;
    this.tabletStore = spec.identities().tabletStore();
    this.rng = Seeds.IDENTITY_USE.random(spec.seed(), customerIndex);
    this.devicesUsed = new boolean[person.devices().length];
  }

  /** The rows with the identifiers written on them; {@code facts} says what each row is. */
  List<Row> apply(List<Row> rows, List<Facts> facts) {
    if (person.secondAccountId() != null) {
      for (int i = 0; i < facts.size(); i++) {
        Facts f = facts.get(i);
        if (f.known()
            && f.channel() == Channel.STORE
            && f.type() == EventType.PURCHASE
            && !f.campaign()
            && !f.broken()) {
          secondAccount = person.secondAccountId();
          receiptRow = i;
          firstReceiptOrder = f.orderId();
          break;
        }
      }
    }
    List<Row> marked = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Facts f = facts.get(i);
      if (f.duplicate()) {
        marked.add(marked.get(i - 1));
        continue;
      }
      if (!f.known()) {
        marked.add(rows.get(i));
        continue;
      }
      Row row = rows.get(i);
      Object[] values = new Object[row.length()];
      for (int c = 0; c < values.length; c++) {
        values[c] = row.get(c);
      }
      mark(values, f, i == receiptRow);
      marked.add(RowFactory.create(values));
    }
    return marked;
  }

  private void mark(Object[] values, Facts f, boolean surelyReceipt) {
    switch (f.channel()) {
      case WEB, APP -> {
        int device = device(f.channel(), f.type());
        if (device >= 0) {
          values[ExportShape.DEVICE_ID] = person.devices()[device];
          devicesUsed[device] = true;
        }
        if (f.type() == EventType.PURCHASE) {
          email(values, f.channel() == Channel.APP && person.secondEmail() != null);
        }
      }
      case SOCIAL, MARKETPLACE -> {
        if (f.type() == EventType.PURCHASE) {
          if (f.channel() == Channel.MARKETPLACE && placeholder()) {
            values[ExportShape.EMAIL] = Identities.PLACEHOLDER_EMAIL;
          } else {
            email(values, false);
          }
        }
      }
      case STORE -> store(values, f, surelyReceipt);
      default -> {
        // call_center: the agent keys in the customer id only
      }
    }
  }

  private void store(Object[] values, Facts f, boolean surelyReceipt) {
    boolean second = secondAccount != null && !f.campaign();
    if (second) {
      values[ExportShape.CUSTOMER_ID] = secondAccount;
    }
    if (f.type() != EventType.PURCHASE && f.type() != EventType.RETURN) {
      return;
    }
    values[ExportShape.LOYALTY_ID] = person.writtenLoyaltyCard(rng);
    loyaltyCardUsed = true;
    if (Draw.chance(rng, Identities.TABLET_SHARE)) {
      tabletDraws.merge(f.storeId(), 1L, Long::sum);
      if (f.storeId().equals(tabletStore)) {
        values[ExportShape.DEVICE_ID] = Identities.tablet(f.storeId());
      }
    }
    if (f.type() != EventType.PURCHASE) {
      return;
    }
    // The line that links the second account is never the placeholder's.
    boolean placeholderLine = placeholder(!surelyReceipt);
    if (placeholderLine) {
      values[ExportShape.EMAIL] = Identities.PLACEHOLDER_EMAIL;
      return;
    }
    if (!second) {
      return;
    }
    if (!f.orderId().equals(receiptOrder)) {
      receiptOrder = f.orderId();
      receipt =
          f.orderId().equals(firstReceiptOrder) || Draw.chance(rng, Identities.E_RECEIPT_SHARE);
    }
    if (receipt) {
      email(values, false);
    }
  }

  /** Writes the email, or the second one, as typed. */
  private void email(Object[] values, boolean second) {
    values[ExportShape.EMAIL] =
        PersonIdentity.written(rng, second ? person.secondEmail() : person.email());
    if (second) {
      secondEmailUsed = true;
    } else {
      emailUsed = true;
    }
  }

  private boolean placeholder() {
    return placeholder(true);
  }

  /** A draw for the placeholder email, which it writes if {@code allowed} and the draw hits. */
  private boolean placeholder(boolean allowed) {
    boolean hit = Draw.chance(rng, Identities.PLACEHOLDER_SHARE) && allowed;
    placeholder |= hit;
    return hit;
  }

  /**
   * The person's device of the channel's session (its place in {@link PersonIdentity#devices}): a
   * new session at each visit. -1: the web session's cookie was blocked.
   */
  private int device(Channel channel, EventType type) {
    int devices = person.devices().length;
    if (channel == Channel.APP) {
      if (appDevice < 0 || type == EventType.VISIT) {
        appDevice = rng.nextInt(devices);
      }
      return appDevice;
    }
    if (webDevice < 0 || type == EventType.VISIT) {
      webDevice = rng.nextInt(devices);
      webSession = Draw.chance(rng, Identities.WEB_DEVICE_SHARE);
    }
    return webSession ? webDevice : -1;
  }

  PersonIdentity person() {
    return person;
  }

  /**
   * The person's identifiers some event carries, as (id_type, normal form) pairs: emails, devices,
   * loyalty card (traps are nobody's and left out).
   */
  List<String[]> used() {
    List<String[]> pairs = new ArrayList<>();
    if (emailUsed) {
      pairs.add(new String[] {"email", person.email()});
    }
    if (secondEmailUsed) {
      pairs.add(new String[] {"email", person.secondEmail()});
    }
    for (int d = 0; d < devicesUsed.length; d++) {
      if (devicesUsed[d]) {
        pairs.add(new String[] {"device_id", person.devices()[d]});
      }
    }
    if (loyaltyCardUsed) {
      pairs.add(new String[] {"loyalty_id", person.loyaltyCard()});
    }
    return pairs;
  }

  /**
   * Per store, the purchases and returns whose tablet draw hit: those that carry the tablet's id if
   * the store has it.
   */
  Map<String, Long> tabletDraws() {
    return tabletDraws;
  }

  /** Whether some purchase line has the placeholder email. */
  boolean placeholderWritten() {
    return placeholder;
  }
}
