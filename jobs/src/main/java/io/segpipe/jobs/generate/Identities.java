package io.segpipe.jobs.generate;

import java.io.Serializable;

/**
 * --identities: plant the identifiers an omnichannel retailer's systems write (emails on purchase
 * lines, device ids on web and app events, loyalty cards at the till, emails and phones on the
 * customer record), second accounts to stitch, and two traps that must join nobody. The shares
 * below are what the generator aims at; {@link PersonIdentity} draws who has what, {@link
 * IdentityMarks} what each event carries.
 *
 * @param secondAccountShare the share of people with store events who get a second account (a
 *     customer id of its own on all their store events), 0 to 1
 * @param tabletStore the store whose shared tablet writes its id on some purchases and returns: the
 *     store with the most purchase events, found by a first pass over the people (null in that
 *     pass, when no store has a tablet)
 */
record Identities(double secondAccountShare, String tabletStore) implements Serializable {

  /** People with a second email, used on app purchases only. */
  static final double SECOND_EMAIL_SHARE = 0.03;

  /** Written emails and loyalty cards that vary in case or have spaces around them. */
  static final double VARIED_SHARE = 0.10;

  /** People whose customer record has a phone. */
  static final double PHONE_SHARE = 0.5;

  /** Web sessions whose device id is known (the rest block the cookie); app sessions all are. */
  static final double WEB_DEVICE_SHARE = 0.85;

  /**
   * A second account's store orders after its first with an email (an e-receipt); its first always
   * has one.
   */
  static final double E_RECEIPT_SHARE = 0.3;

  /** The tablet store's purchase and return events that carry the tablet's id. */
  static final double TABLET_SHARE = 0.3;

  /** Marketplace and store purchase lines with the placeholder email in place of a real one. */
  static final double PLACEHOLDER_SHARE = 0.02;

  /** A value tills and marketplaces write when the customer gives no email: it is nobody's. */
  static final String PLACEHOLDER_EMAIL = "none@none.com";

  /** A second account's customer id: the person's id and this (the person's ids have no "-"). */
  static final String SECOND_ACCOUNT_SUFFIX = "-S";

  /** Customers a run with --identities may have: every person's phone number is its own. */
  static final long MAX_CUSTOMERS = PersonIdentity.PHONE_NUMBERS;

  /** identity_truth's trap labels. */
  static final String SHARED_DEVICE = "shared_device";

  static final String PLACEHOLDER = "placeholder_email";

  /** The id the tablet of {@code store} writes, e.g. "TABLET-ST001". */
  static String tablet(String store) {
    return "TABLET-" + store;
  }

  Identities withTabletStore(String store) {
    return new Identities(secondAccountShare, store);
  }
}
