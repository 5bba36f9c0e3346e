package io.segpipe.identity;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connected components of an undirected graph in Spark SQL, by the alternating large-star and
 * small-star operations of Kiveris, Lattanzi, Mirrokni, Rastogi and Vassilvitskii, "Connected
 * Components in MapReduce and Beyond" (SoCC 2014).
 *
 * <p>Nodes are longs; a component is named by its smallest node. Large-star links every neighbour
 * of a node that is larger than the node to the smallest of the node and its neighbours; small-star
 * links a node and its smaller neighbours to the smallest of them. Each keeps the components and
 * lowers labels; alternated, they turn every component into a star around its smallest node, after
 * which a round changes nothing. So instead of running a round to see that it changes nothing, the
 * loop stops as soon as the edges form stars (exactly: no node is both a centre and a leaf, and
 * every leaf has one centre), which one aggregation tells. The paper proves O(log² n) rounds for a
 * component of n nodes (a round is one large-star and one small-star); GraphX's Pregel-based
 * connectedComponents needs as many supersteps as the graph's diameter (10,000 for a chain of
 * 10,001). Each round's edges are checkpointed (to the context's checkpoint folder where one is
 * set, otherwise locally), so the plan does not grow with the rounds.
 */
public final class ConnectedComponents {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectedComponents.class);

  /**
   * The components, and the rounds it took.
   *
   * @param components one row per node of an edge: {@code node}, {@code component} (the smallest
   *     node of its component)
   * @param rounds large-star/small-star rounds run until every component was a star (0 when the
   *     edges given already were)
   */
  public record Result(Dataset<Row> components, int rounds) {}

  private ConnectedComponents() {}

  /**
   * The components of the graph of {@code edges} (columns {@code src} and {@code dst}, longs;
   * direction, duplicates and self-loops do not matter).
   *
   * @param maxRounds a bound on the rounds; reaching it without converging is an error
   */
  public static Result of(Dataset<Row> edges, int maxRounds) {
    if (maxRounds < 1) {
      throw new IllegalArgumentException("maxRounds must be at least 1, not " + maxRounds);
    }
    Dataset<Row> given = edges.select(col("src").cast("long"), col("dst").cast("long"));
    Dataset<Row> nodes =
        given
            .select(col("src").as("node"))
            .union(given.select(col("dst").as("node")))
            .where(col("node").isNotNull())
            .distinct();
    Dataset<Row> current =
        checkpoint(
            given
                .where(col("src").isNotNull().and(col("dst").isNotNull()))
                .where(col("src").notEqual(col("dst")))
                .select(
                    least(col("src"), col("dst")).as("src"),
                    greatest(col("src"), col("dst")).as("dst"))
                .distinct());
    int rounds = 0;
    while (!starForest(current)) {
      if (rounds == maxRounds) {
        throw new IllegalStateException(
            "connected components did not converge in " + maxRounds + " rounds");
      }
      rounds++;
      current = checkpoint(smallStar(largeStar(current)));
      LOG.debug("connected components: round {}", rounds);
    }
    // Converged: every edge joins a node to its component's smallest node.
    Dataset<Row> centre =
        current
            .select(col("src").as("node"), col("dst").as("other"))
            .union(current.select(col("dst").as("node"), col("src").as("other")))
            .groupBy("node")
            .agg(min("other").as("other"));
    Dataset<Row> components =
        nodes
            .join(centre, "node", "left")
            .select(
                col("node"),
                least(col("node"), coalesce(col("other"), col("node"))).as("component"));
    return new Result(components, rounds);
  }

  /**
   * For each node u: its neighbours larger than u are linked to m(u), the smallest of u and its
   * neighbours.
   */
  static Dataset<Row> largeStar(Dataset<Row> edges) {
    Dataset<Row> both =
        edges
            .select(col("src").as("u"), col("dst").as("v"))
            .union(edges.select(col("dst").as("u"), col("src").as("v")));
    Dataset<Row> smallest =
        both.groupBy("u")
            .agg(min("v").as("mv"))
            .select(col("u"), least(col("u"), col("mv")).as("m"));
    return both.join(smallest, "u")
        .where(col("v").gt(col("u")))
        .select(col("m").as("src"), col("v").as("dst"))
        .distinct();
  }

  /**
   * For each node u: u and its neighbours smaller than u are linked to the smallest of them (edges
   * to itself left out).
   */
  static Dataset<Row> smallStar(Dataset<Row> edges) {
    Dataset<Row> down =
        edges.select(
            greatest(col("src"), col("dst")).as("u"), least(col("src"), col("dst")).as("v"));
    Dataset<Row> smallest = down.groupBy("u").agg(min("v").as("m"));
    Dataset<Row> linked =
        down.join(smallest, "u")
            .select(col("m").as("src"), col("v").as("dst"))
            .union(smallest.select(col("m").as("src"), col("u").as("dst")));
    return linked.where(col("src").notEqual(col("dst"))).distinct();
  }

  /**
   * Whether the edges (src &lt; dst, distinct) form stars, each around its smallest node: no node
   * is the larger end of one edge and the smaller end of another, and none is the larger end of
   * two. Then large-star and small-star both give the edges back unchanged.
   */
  static boolean starForest(Dataset<Row> edges) {
    Dataset<Row> ends =
        edges
            .select(col("src").as("node"), lit(0).as("leaf"), lit(1).as("centre"))
            .union(edges.select(col("dst").as("node"), lit(1).as("leaf"), lit(0).as("centre")));
    return ends.groupBy("node")
        .agg(sum("leaf").as("leaf"), max("centre").as("centre"))
        .where(col("leaf").gt(1).or(col("leaf").equalTo(1).and(col("centre").equalTo(1))))
        .isEmpty();
  }

  private static Dataset<Row> checkpoint(Dataset<Row> edges) {
    return edges.sparkSession().sparkContext().getCheckpointDir().isDefined()
        ? edges.checkpoint(true)
        : edges.localCheckpoint(true);
  }
}
