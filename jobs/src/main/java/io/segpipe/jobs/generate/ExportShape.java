package io.segpipe.jobs.generate;

import io.segpipe.common.schema.Events;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The generator's outputs. Events come in an "export" shape with its own column names (event_time,
 * sku, qty, line_amount, line_discount), so that ingest has to go through a source mapping
 * (conf/sources/ generator.conf) like any real export. Every column is nullable: broken rows leave
 * some empty, and the identifier columns (email, device_id, loyalty_id) are null without
 * --identities.
 */
final class ExportShape {
  private ExportShape() {}

  static final StructType EVENTS =
      new StructType()
          .add("event_id", DataTypes.StringType)
          .add("event_time", DataTypes.TimestampType)
          .add("customer_id", DataTypes.StringType)
          .add("channel", DataTypes.StringType)
          .add("event_type", DataTypes.StringType)
          .add("order_id", DataTypes.StringType)
          .add("sku", DataTypes.StringType)
          .add("category", DataTypes.StringType)
          .add("qty", DataTypes.IntegerType)
          .add("line_amount", Events.MONEY)
          .add("currency", DataTypes.StringType)
          .add("store_id", DataTypes.StringType)
          .add("rating", DataTypes.IntegerType)
          // what a coupon took off a purchase line (0 at full price; null on other events)
          .add("line_discount", Events.MONEY)
          // identifiers as the channel wrote them (--identities; null without it): the email of a
          // purchase line, the device of a web or app event, the loyalty card of a store purchase
          // or return
          .add("email", DataTypes.StringType)
          .add("device_id", DataTypes.StringType)
          .add("loyalty_id", DataTypes.StringType);

  // Positions in EVENTS, for building and breaking rows.
  static final int EVENT_ID = 0;
  static final int EVENT_TIME = 1;
  static final int CUSTOMER_ID = 2;
  static final int CHANNEL = 3;
  static final int EVENT_TYPE = 4;
  static final int ORDER_ID = 5;
  static final int SKU = 6;
  static final int CATEGORY = 7;
  static final int QTY = 8;
  static final int LINE_AMOUNT = 9;
  static final int CURRENCY = 10;
  static final int STORE_ID = 11;
  static final int RATING = 12;
  static final int LINE_DISCOUNT = 13;
  static final int EMAIL = 14;
  static final int DEVICE_ID = 15;
  static final int LOYALTY_ID = 16;

  /**
   * The customers output, as a source system exports its customer records: the columns of the
   * canonical customers dimension that a source gives ({@link Events#CUSTOMERS} without what ingest
   * derives), then the email and phone as the record holds them (--identities; null without it).
   * Spelled out rather than taken from the contract, so a column the contract gains for ingest to
   * fill does not appear in the generator's export.
   */
  static final StructType CUSTOMERS =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("signup_date", DataTypes.DateType)
          .add("birth_year", DataTypes.IntegerType)
          .add("gender", DataTypes.StringType)
          .add("region", DataTypes.StringType)
          .add("city", DataTypes.StringType)
          .add("income_band", DataTypes.StringType)
          .add("member_tier", DataTypes.StringType)
          .add("acquisition_channel", DataTypes.StringType)
          .add("marketing_opt_in", DataTypes.BooleanType)
          .add("email", DataTypes.StringType)
          .add("phone", DataTypes.StringType);

  /**
   * identity_truth (with --identities): one row per distinct identifier written anywhere in the
   * events or customers, by its type (customer_id, email, phone, device_id, loyalty_id) and normal
   * form (emails trimmed and lower-cased, phones "+" and digits with the country code, device ids
   * trimmed, loyalty cards trimmed and upper-cased, customer ids as written), with the person it
   * belongs to (the original customer_id), or null and the trap it is (shared_device,
   * placeholder_email): the answer key for identity stitching.
   */
  static final StructType IDENTITY_TRUTH =
      new StructType()
          .add("id_type", DataTypes.StringType, false)
          .add("value", DataTypes.StringType, false)
          .add("person_id", DataTypes.StringType, true)
          .add("trap", DataTypes.StringType, true);

  /** The answer key: each customer's archetype and the date after which it bought nothing more. */
  static final StructType GROUND_TRUTH =
      new StructType()
          .add("customer_id", DataTypes.StringType, false)
          .add("archetype", DataTypes.StringType, false)
          .add("churn_date", DataTypes.DateType, true);

  /**
   * campaign_truth (with --campaigns): per planted campaign, each customer who would be eligible by
   * the generator's knowledge (consent, joined by the snapshot), its group by the split rule,
   * whether it bought in the window on its own, and whether the campaign's planted order moved it
   * to buy.
   */
  static final StructType CAMPAIGN_TRUTH =
      new StructType()
          .add("campaign_id", DataTypes.StringType, false)
          .add("customer_id", DataTypes.StringType, false)
          .add("test_group", DataTypes.StringType, false)
          .add("bought_anyway", DataTypes.BooleanType, false)
          .add("planted_order", DataTypes.BooleanType, false);

  /**
   * affinity_truth (with --affinity): per planted category pair, the archetype, the pair (a basket
   * with the antecedent and without the consequent gets the consequent with add_probability), the
   * planted lift and the pair's lift without planting, and the shares of the archetype's baskets
   * (distinct categories of an order's purchase lines) expected to hold the antecedent, the
   * consequent and both after planting: the answer key for association rules.
   */
  static final StructType AFFINITY_TRUTH =
      new StructType()
          .add("archetype", DataTypes.StringType, false)
          .add("antecedent", DataTypes.StringType, false)
          .add("consequent", DataTypes.StringType, false)
          .add("planted_lift", DataTypes.DoubleType, false)
          .add("add_probability", DataTypes.DoubleType, false)
          .add("baseline_lift", DataTypes.DoubleType, false)
          .add("expected_support_a", DataTypes.DoubleType, false)
          .add("expected_support_b", DataTypes.DoubleType, false)
          .add("expected_support_ab", DataTypes.DoubleType, false);

  /**
   * The currency of --model btyd's events; the archetypes' is their retailer's ({@link
   * Retailer#currency()}).
   */
  static final String CURRENCY_CODE = "GBP";
}
