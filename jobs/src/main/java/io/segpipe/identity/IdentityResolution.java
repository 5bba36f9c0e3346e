package io.segpipe.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.segpipe.common.text.Sha256;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * From identifiers seen together (on one event, on one customer record) to profiles: one row per
 * identifier with the key of the profile it belongs to, and the identifiers that were not used for
 * linking, with the reason.
 *
 * <ol>
 *   <li>An identifier seen with more than {@code maxLinks} other identifiers is shared by many
 *       people (a shop's tablet, a placeholder address): it links nobody and is quarantined.
 *   <li>The rest are linked through the records they share; the profiles are the connected
 *       components ({@link ConnectedComponents}).
 *   <li>A profile holding more identifiers of a type than the type's cap keeps the earliest seen
 *       (ties by value); the later ones are quarantined and the components computed again without
 *       them (removing identifiers only splits profiles, so no cap is exceeded after that).
 *   <li>A profile's key is derived from its earliest seen identifier (ties by type, then value):
 *       new data that joins a profile leaves its key unchanged unless it brings an earlier
 *       identifier, and on a merge the earliest wins.
 * </ol>
 */
public final class IdentityResolution {
  private static final Logger LOG = LoggerFactory.getLogger(IdentityResolution.class);

  /** Input columns. */
  public static final StructType SIGHTINGS =
      new StructType()
          .add("record_id", DataTypes.StringType, false)
          .add("id_type", DataTypes.StringType, false)
          .add("identifier", DataTypes.StringType, false)
          .add("seen_at", DataTypes.TimestampType, false);

  /**
   * The guardrails.
   *
   * @param maxLinks the most other identifiers one identifier may be seen with and still link
   * @param caps per identifier type, the most one profile may hold
   * @param maxRounds the bound on connected-component rounds
   * @param driverMaxEdges the most edges whose components are found on the driver (0: never)
   */
  public record Settings(
      int maxLinks, Map<String, Integer> caps, int maxRounds, long driverMaxEdges) {}

  /**
   * @param map id_type, identifier, customer_key, first_seen, last_seen
   * @param quarantine id_type, identifier, reason
   * @param components how the last computation of the components went
   */
  public record Result(
      Dataset<Row> map, Dataset<Row> quarantine, ConnectedComponents.Result components) {}

  private static final String KEY_PREFIX = "p-";
  private static final int KEY_HEX_DIGITS = 20;

  private IdentityResolution() {}

  public static Result resolve(Dataset<Row> sightings, Settings settings) {
    return resolve(sightings, settings, xxhash64(col("id_type"), col("identifier")));
  }

  /**
   * As {@link #resolve(Dataset, Settings)}, numbering the identifiers by {@code nodeHash} (a long
   * of id_type and identifier) where it tells every identifier apart.
   */
  static Result resolve(Dataset<Row> sightings, Settings settings, Column nodeHash) {
    SparkSession spark = sightings.sparkSession();
    // A node is a long per identifier. Its hash is one where no two identifiers share it: then the
    // records' nodes come from their own rows, with no join to the identifiers. The numbers only
    // name the graph's nodes (keys come from the identifiers themselves), so the profiles are the
    // same either way. Where two identifiers do hash alike, they are numbered in order instead.
    Dataset<Row> ids =
        sightings
            .groupBy("id_type", "identifier")
            .agg(min("seen_at").as("first_seen"), max("seen_at").as("last_seen"))
            .withColumn("node", nodeHash.cast("long"))
            .localCheckpoint(true);
    Row distinct = ids.agg(count(lit(1)), countDistinct(col("node"))).first();
    Dataset<Row> nodes;
    Dataset<Row> onRecords;
    if (distinct.getLong(0) == distinct.getLong(1)) {
      nodes = ids;
      onRecords =
          sightings
              .select(col("record_id"), nodeHash.cast("long").as("node"))
              .distinct()
              .localCheckpoint(true);
    } else {
      LOG.info(
          "{} identifiers share {} hashes; numbering them in order instead",
          distinct.getLong(0),
          distinct.getLong(1));
      nodes = numbered(spark, ids.drop("node")).localCheckpoint(true);
      onRecords =
          sightings
              .select("record_id", "id_type", "identifier")
              .distinct()
              .join(nodes.select("id_type", "identifier", "node"), using("id_type", "identifier"))
              .select("record_id", "node")
              .localCheckpoint(true);
    }

    // 1. identifiers seen with too many others
    Dataset<Row> links =
        onRecords
            .as("a")
            .join(onRecords.as("b"), col("a.record_id").equalTo(col("b.record_id")))
            .where(col("a.node").notEqual(col("b.node")))
            .groupBy(col("a.node").as("node"))
            .agg(countDistinct(col("b.node")).as("links"));
    Dataset<Row> overLinked =
        links.where(col("links").gt(settings.maxLinks())).localCheckpoint(true);
    Dataset<Row> quarantine =
        overLinked
            .join(nodes, "node")
            .select(
                col("id_type"),
                col("identifier"),
                concat(
                        lit("seen with "),
                        col("links").cast("string"),
                        lit(
                            " other identifiers, more than segpipe.identity.max-links ("
                                + settings.maxLinks()
                                + "): shared by many people, so it links nobody"))
                    .as("reason"));
    Dataset<Row> kept = nodes.join(overLinked.select("node"), using("node"), "left_anti");

    // 2. components; 3. caps, then components again without what exceeds them
    ConnectedComponents.Result found = components(onRecords, kept, settings);
    Dataset<Row> overCap = overCap(found.components().join(kept, "node"), settings.caps());
    if (!overCap.isEmpty()) {
      quarantine =
          quarantine.union(
              overCap.select(
                  col("id_type"),
                  col("identifier"),
                  concat(
                          lit("its profile already holds "),
                          col("cap").cast("string"),
                          lit(" earlier "),
                          col("id_type"),
                          lit(" identifiers (max-per-profile): not linked"))
                      .as("reason")));
      kept = kept.join(overCap.select("node"), using("node"), "left_anti");
      found = components(onRecords, kept, settings);
    }

    // 4. keys from each profile's earliest identifier
    Dataset<Row> profiles = found.components().join(kept, "node");
    Column earliest =
        row_number()
            .over(
                Window.partitionBy("component")
                    .orderBy(col("first_seen"), col("id_type"), col("identifier")));
    Dataset<Row> keys =
        profiles
            .withColumn("rank", earliest)
            .where(col("rank").equalTo(1))
            .select(
                col("component"),
                concat(
                        lit(KEY_PREFIX),
                        substring(
                            sha2(concat(col("id_type"), lit(":"), col("identifier")), 256),
                            1,
                            KEY_HEX_DIGITS))
                    .as("customer_key"));
    Dataset<Row> map =
        profiles
            .join(keys, "component")
            .select("id_type", "identifier", "customer_key", "first_seen", "last_seen");
    return new Result(map, quarantine, found);
  }

  /**
   * The guardrail a quarantine reason comes from, as a code: blocked, max_links or max_per_profile.
   */
  public static Column rule(Column reason) {
    return when(reason.startsWith("blocked"), lit("blocked"))
        .when(reason.startsWith("seen with"), lit("max_links"))
        .otherwise(lit("max_per_profile"));
  }

  /**
   * The key of a profile whose earliest identifier is {@code identifier} of {@code type}: what
   * {@link #resolve} computes in Spark SQL, for code that needs it without Spark (the generator
   * splits planted campaigns by it).
   */
  public static String keyOf(String type, String identifier) {
    return KEY_PREFIX + Sha256.hex(type + ":" + identifier).substring(0, KEY_HEX_DIGITS);
  }

  /** Column names for a join on equal columns. */
  public static Seq<String> using(String... columns) {
    return JavaConverters.asScalaBuffer(List.of(columns)).toSeq();
  }

  /**
   * Each identifier with a long node id, by its rank in (type, identifier) order: three passes over
   * the identifiers (the sort's sample, zipWithIndex's partition sizes, the rows) and a join of the
   * records to them, where their hashes clash.
   */
  private static Dataset<Row> numbered(SparkSession spark, Dataset<Row> ids) {
    StructType schema = ids.schema().add("node", DataTypes.LongType, false);
    JavaRDD<Row> rows =
        ids.orderBy("id_type", "identifier")
            .javaRDD()
            .zipWithIndex()
            .map(
                t -> {
                  Object[] values = new Object[t._1().size() + 1];
                  for (int i = 0; i < t._1().size(); i++) {
                    values[i] = t._1().get(i);
                  }
                  values[values.length - 1] = t._2();
                  return RowFactory.create(values);
                });
    return spark.createDataFrame(rows, schema);
  }

  /**
   * node → component over the records' links between {@code kept} nodes (a kept node on no link is
   * its own component), with how the components were found.
   */
  private static ConnectedComponents.Result components(
      Dataset<Row> onRecords, Dataset<Row> kept, Settings settings) {
    Dataset<Row> linked = onRecords.join(kept.select("node"), "node");
    Dataset<Row> edges =
        linked
            .groupBy("record_id")
            .agg(min("node").as("src"))
            .join(linked, "record_id")
            .select(col("src"), col("node").as("dst"));
    ConnectedComponents.Result found =
        ConnectedComponents.of(edges, settings.maxRounds(), settings.driverMaxEdges());
    // node aliased: the checkpoint's node is a new column, not kept's, which the caller joins it
    // back to (without adaptive execution, Spark could not tell the two apart in that join)
    Dataset<Row> components =
        kept.select("node")
            .join(found.components(), using("node"), "left")
            .select(
                col("node").as("node"),
                when(col("component").isNull(), col("node"))
                    .otherwise(col("component"))
                    .as("component"))
            .localCheckpoint(true);
    return new ConnectedComponents.Result(components, found.rounds(), found.onDriver());
  }

  /** The identifiers beyond their type's cap in their profile, later ones first out. */
  private static Dataset<Row> overCap(Dataset<Row> profiles, Map<String, Integer> caps) {
    List<Row> capRows = new ArrayList<>();
    caps.forEach((type, cap) -> capRows.add(RowFactory.create(type, cap)));
    Dataset<Row> capFrame =
        profiles
            .sparkSession()
            .createDataFrame(
                capRows,
                new StructType()
                    .add("id_type", DataTypes.StringType)
                    .add("cap", DataTypes.IntegerType));
    Column order =
        row_number()
            .over(
                Window.partitionBy("component", "id_type")
                    .orderBy(col("first_seen"), col("identifier")));
    return profiles
        .join(capFrame, "id_type")
        .withColumn("rank", order)
        .where(col("rank").gt(col("cap")))
        .select("node", "id_type", "identifier", "cap")
        .localCheckpoint(true);
  }
}
