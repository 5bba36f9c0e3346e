package io.segpipe.jobs.generate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The passes --identities adds. The shared tablet goes to the store with the most purchase events,
 * which only the whole data set tells, so a first pass generates every person once (as the
 * executors will again, with the same draws) and keeps what the outputs need of it: the second
 * account's signup (its first store event), the identifiers its events carry, its store purchases
 * and tablet draws per store, and whether it wrote the placeholder email. The customers and
 * identity_truth outputs come from that pass; the events from the second, with the tablet's store
 * known. Each person is still generated on its own, so the rows do not depend on the partitioning.
 */
final class PlantedIdentities {
  private PlantedIdentities() {}

  private static final StructType IDENTIFIER =
      new StructType()
          .add("id_type", DataTypes.StringType, false)
          .add("value", DataTypes.StringType, false);

  private static final StructType STORE =
      new StructType()
          .add("store_id", DataTypes.StringType, false)
          .add("purchases", DataTypes.LongType, false)
          .add("tablet_draws", DataTypes.LongType, false);

  /** One row per person: what the first pass keeps. */
  static final StructType PEOPLE =
      new StructType()
          .add("index", DataTypes.LongType, false)
          .add("second_signup", DataTypes.DateType, true)
          .add("identifiers", DataTypes.createArrayType(IDENTIFIER, false), false)
          .add("stores", DataTypes.createArrayType(STORE, false), false)
          .add("placeholder", DataTypes.BooleanType, false);

  /**
   * What the first pass found.
   *
   * @param tabletStore the store with the most purchase events (the smallest id of those tied), or
   *     null when there are no store purchases
   * @param tabletWritten whether some event carries its tablet's id
   * @param placeholderWritten whether some purchase line has the placeholder email
   * @param secondAccounts people with a second account
   */
  record Found(
      String tabletStore, boolean tabletWritten, boolean placeholderWritten, long secondAccounts) {}

  /** The first pass: every person generated once, on the spec whose tablet store is not known. */
  static Dataset<Row> people(SparkSession spark, GenerateSettings settings) {
    GenerationSpec spec = settings.spec();
    MapFunction<Long, Row> person = index -> person(spec, index);
    return spark
        .range(0, settings.customers(), 1, settings.eventPartitions())
        .map(person, Encoders.row(PEOPLE));
  }

  static Row person(GenerationSpec spec, long index) {
    EventWriter written = CustomerActivity.generate(spec, index);
    IdentityMarks marks = written.identities();
    String second = marks.person().secondAccountId();
    boolean secondSeen = false;
    Long firstMillis = null;
    Map<String, Long> purchases = new TreeMap<>();
    for (Row r : written.rows()) {
      if (second != null && second.equals(r.getString(ExportShape.CUSTOMER_ID))) {
        secondSeen = true;
        if (!r.isNullAt(ExportShape.EVENT_TIME)) {
          long at = r.getTimestamp(ExportShape.EVENT_TIME).getTime();
          firstMillis = firstMillis == null ? at : Math.min(firstMillis, at);
        }
      }
      if (Channel.STORE.label().equals(r.getString(ExportShape.CHANNEL))
          && EventType.PURCHASE.label().equals(r.getString(ExportShape.EVENT_TYPE))) {
        purchases.merge(r.getString(ExportShape.STORE_ID), 1L, Long::sum);
      }
    }
    Date signup = null;
    if (secondSeen) {
      // The account's first store event, as a day of the retailer's time, if after the person's
      // signup.
      long signupDay = CustomerPlan.of(spec, index).signupDay();
      long day =
          firstMillis == null
              ? signupDay
              : Math.max(
                  signupDay,
                  Math.floorDiv(
                      Math.floorDiv(firstMillis, 1000) + spec.retailer().utcOffsetSeconds(),
                      Seasons.SECONDS_PER_DAY));
      signup = Date.valueOf(LocalDate.ofEpochDay(day));
    }
    List<String[]> used = marks.used();
    Row[] identifiers = new Row[used.size()];
    for (int i = 0; i < identifiers.length; i++) {
      identifiers[i] = RowFactory.create(used.get(i)[0], used.get(i)[1]);
    }
    Map<String, Long> tablet = marks.tabletDraws();
    Set<String> stores = new TreeSet<>(purchases.keySet());
    stores.addAll(tablet.keySet());
    Row[] perStore = new Row[stores.size()];
    int i = 0;
    for (String s : stores) {
      perStore[i++] =
          RowFactory.create(s, purchases.getOrDefault(s, 0L), tablet.getOrDefault(s, 0L));
    }
    return RowFactory.create(index, signup, identifiers, perStore, marks.placeholderWritten());
  }

  /** The tablet's store and the traps' presence, from the first pass. */
  static Found find(Dataset<Row> people) {
    List<Row> busiest =
        people
            .select(explode(col("stores")).as("s"))
            .groupBy(col("s.store_id").as("store_id"))
            .agg(sum("s.purchases").as("purchases"), sum("s.tablet_draws").as("tablet_draws"))
            .where(col("purchases").gt(0))
            .orderBy(col("purchases").desc(), col("store_id").asc())
            .limit(1)
            .collectAsList();
    Row overall =
        people
            .agg(
                sum(when(col("placeholder"), 1).otherwise(0)).as("placeholder"),
                count(col("second_signup")).as("second_accounts"))
            .first();
    String store = busiest.isEmpty() ? null : busiest.get(0).getString(0);
    boolean tablet = !busiest.isEmpty() && busiest.get(0).getLong(2) > 0;
    long placeholders = overall.isNullAt(0) ? 0 : overall.getLong(0);
    return new Found(store, tablet, placeholders > 0, overall.getLong(1));
  }

  /**
   * The customers output: each person's record with its email and phone, and after it its second
   * account's.
   */
  static Dataset<Row> customers(
      Dataset<Row> people, GenerateSettings settings, GenerationTally tally) {
    GenerationSpec spec = settings.spec();
    FlatMapFunction<Row, Row> records =
        row -> {
          CustomerPlan plan = CustomerPlan.of(spec, row.getLong(0));
          tally.add(plan.archetype());
          PersonIdentity person = PersonIdentity.of(spec, plan);
          List<Row> out = new ArrayList<>(2);
          out.add(person.customerRow(plan));
          if (!row.isNullAt(1)) {
            out.add(person.secondAccountRow(plan, row.getDate(1)));
          }
          return out.iterator();
        };
    return people
        .flatMap(records, Encoders.row(ExportShape.CUSTOMERS))
        .coalesce(settings.customerPartitions());
  }

  /**
   * identity_truth: each person's customer ids, the email and phone of its record and every
   * identifier its events carry, with the person; then the traps that were written.
   */
  static Dataset<Row> truth(
      SparkSession spark, Dataset<Row> people, GenerateSettings settings, Found found) {
    GenerationSpec spec = settings.spec();
    FlatMapFunction<Row, Row> rows =
        row -> {
          CustomerPlan plan = CustomerPlan.of(spec, row.getLong(0));
          PersonIdentity person = PersonIdentity.of(spec, plan);
          Set<String> seen = new LinkedHashSet<>();
          List<Row> out = new ArrayList<>();
          String id = plan.customerId();
          add(out, seen, "customer_id", id, id);
          if (!row.isNullAt(1)) {
            add(out, seen, "customer_id", person.secondAccountId(), id);
          }
          add(out, seen, "email", person.email(), id);
          if (person.phone() != null) {
            add(out, seen, "phone", person.phone(), id);
          }
          for (Row u : row.<Row>getList(2)) {
            add(out, seen, u.getString(0), u.getString(1), id);
          }
          return out.iterator();
        };
    List<Row> traps = new ArrayList<>();
    if (found.tabletWritten()) {
      traps.add(
          RowFactory.create(
              "device_id", Identities.tablet(found.tabletStore()), null, Identities.SHARED_DEVICE));
    }
    if (found.placeholderWritten()) {
      traps.add(
          RowFactory.create("email", Identities.PLACEHOLDER_EMAIL, null, Identities.PLACEHOLDER));
    }
    return people
        .flatMap(rows, Encoders.row(ExportShape.IDENTITY_TRUTH))
        .union(spark.createDataFrame(traps, ExportShape.IDENTITY_TRUTH))
        .coalesce(settings.customerPartitions());
  }

  private static void add(List<Row> out, Set<String> seen, String type, String value, String id) {
    if (seen.add(type + "\t" + value)) {
      out.add(RowFactory.create(type, value, id, null));
    }
  }
}
