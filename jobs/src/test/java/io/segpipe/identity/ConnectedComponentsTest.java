package io.segpipe.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.test.SharedSpark;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Large-star/small-star components against an independent computation (union-find in plain Java),
 * on a chain whose labels run in a random order along it, and on a random sparse graph with
 * isolated pairs, duplicates, reversed edges and self-loops; the same on 1, 3 and 7 partitions, in
 * rounds of Spark jobs and on the driver.
 */
@ExtendWith(SharedSpark.class)
class ConnectedComponentsTest {
  private static final StructType EDGES =
      new StructType().add("src", DataTypes.LongType).add("dst", DataTypes.LongType);

  /**
   * The rounds allowed a chain of 10,000 nodes: 2 × ⌈log2 10,000⌉, against the diameter (9,999)
   * that a label-propagation algorithm needs. It takes 11 (README, "Identity stitching").
   */
  static final int CHAIN_ROUNDS = 2 * 14;

  private static SparkSession spark;

  @BeforeAll
  static void session(SparkSession session) {
    spark = session;
  }

  @Test
  void aChainOfTenThousandIsOneComponentInFewRounds() {
    int n = 10_000;
    List<Long> labels = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      labels.add(1_000_000L + i * 7);
    }
    Collections.shuffle(labels, new Random(20_141_103L));
    List<long[]> edges = new ArrayList<>();
    for (int i = 0; i + 1 < n; i++) {
      edges.add(new long[] {labels.get(i), labels.get(i + 1)});
    }
    ConnectedComponents.Result result = ConnectedComponents.of(frame(edges, 4), 100);
    Map<Long, Long> components = collect(result.components());
    assertEquals(n, components.size());
    long smallest = Collections.min(labels);
    assertTrue(
        components.values().stream().allMatch(c -> c == smallest),
        "one component, named by its smallest node");
    assertEquals(false, result.onDriver());
    ConnectedComponents.Result driver = ConnectedComponents.of(frame(edges, 4), 100, n - 1);
    assertTrue(driver.onDriver(), "9,999 edges, at most 9,999 on the driver");
    assertEquals(0, driver.rounds());
    assertEquals(components, collect(driver.components()));
    assertTrue(
        result.rounds() <= CHAIN_ROUNDS,
        result.rounds() + " rounds for a chain of " + n + " (bound " + CHAIN_ROUNDS + ")");
    System.out.printf("a chain of %d nodes: one component in %d rounds%n", n, result.rounds());
  }

  @Test
  void aRandomGraphHasUnionFindsComponentsOnAnyPartitioning() {
    Random random = new Random(7);
    List<long[]> edges = new ArrayList<>();
    int nodes = 6_000;
    for (int i = 0; i < 4_500; i++) {
      long a = random.nextInt(nodes);
      long b = random.nextInt(nodes);
      edges.add(new long[] {a, b});
      if (i % 10 == 0) {
        edges.add(new long[] {b, a}); // the same edge reversed
        edges.add(new long[] {a, b}); // and repeated
      }
      if (i % 50 == 0) {
        edges.add(new long[] {a, a}); // a self-loop
      }
    }
    edges.add(new long[] {100_000, 100_000}); // a node with only a self-loop: its own component
    Map<Long, Long> expected = unionFind(edges);
    for (int partitions : new int[] {1, 3, 7}) {
      Map<Long, Long> found =
          collect(ConnectedComponents.of(frame(edges, partitions), 100).components());
      assertEquals(expected, found, partitions + " partitions");
    }
    ConnectedComponents.Result driver = ConnectedComponents.of(frame(edges, 3), 100, 1_000_000);
    assertTrue(driver.onDriver());
    assertEquals(expected, collect(driver.components()), "on the driver");
    // the driver's answer in slices of 1,000 nodes, one partition each
    Dataset<Row> normalised =
        frame(edges, 3)
            .where("src <> dst")
            .selectExpr("least(src, dst) AS src", "greatest(src, dst) AS dst")
            .distinct();
    Dataset<Row> sliced = ConnectedComponents.onDriver(normalised, (int) normalised.count(), 1_000);
    assertTrue(sliced.rdd().getNumPartitions() > 3, sliced.rdd().getNumPartitions() + " slices");
    Map<Long, Long> fromSlices = new TreeMap<>();
    for (Row r : sliced.collectAsList()) {
      fromSlices.put(r.getLong(0), r.getLong(1));
    }
    Map<Long, Long> onEdges = new TreeMap<>();
    for (long[] e : edges) {
      if (e[0] != e[1]) { // a node on self-loops only is on no edge the driver reads
        onEdges.put(e[0], expected.get(e[0]));
        onEdges.put(e[1], expected.get(e[1]));
      }
    }
    assertEquals(onEdges, fromSlices);
    long components = expected.values().stream().distinct().count();
    assertTrue(components > 100 && components < expected.size(), components + " components");
    assertEquals(100_000L, expected.get(100_000L));
  }

  @Test
  void aBoundOnRoundsThatIsReachedIsAnError() {
    List<long[]> chain = new ArrayList<>();
    for (long i = 0; i < 64; i++) {
      chain.add(new long[] {64 - i, 63 - i});
    }
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> ConnectedComponents.of(frame(chain, 2), 1));
    assertTrue(e.getMessage().contains("did not converge in 1 rounds"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ConnectedComponents.of(frame(chain, 2), 0));
    // 64 edges: on the driver at a bound of 64, in rounds (and over the bound of 1) at 63
    assertTrue(ConnectedComponents.of(frame(chain, 2), 1, 64).onDriver());
    assertThrows(IllegalStateException.class, () -> ConnectedComponents.of(frame(chain, 2), 1, 63));
  }

  private static Dataset<Row> frame(List<long[]> edges, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (long[] e : edges) {
      rows.add(RowFactory.create(e[0], e[1]));
    }
    return spark.createDataFrame(rows, EDGES).repartition(partitions);
  }

  private static Map<Long, Long> collect(Dataset<Row> components) {
    Map<Long, Long> out = new TreeMap<>();
    for (Row r : components.collectAsList()) {
      out.put(r.getLong(0), r.getLong(1));
    }
    return out;
  }

  /** Each node of an edge with the smallest node of its component, by union-find. */
  private static Map<Long, Long> unionFind(List<long[]> edges) {
    Map<Long, Long> parent = new TreeMap<>();
    for (long[] e : edges) {
      parent.putIfAbsent(e[0], e[0]);
      parent.putIfAbsent(e[1], e[1]);
      long a = root(parent, e[0]);
      long b = root(parent, e[1]);
      if (a != b) {
        // the smaller root stays the root, so a root is its component's smallest node
        parent.put(Math.max(a, b), Math.min(a, b));
      }
    }
    Map<Long, Long> out = new TreeMap<>();
    for (long node : parent.keySet()) {
      out.put(node, root(parent, node));
    }
    return out;
  }

  private static long root(Map<Long, Long> parent, long node) {
    long r = node;
    while (parent.get(r) != r) {
      r = parent.get(r);
    }
    return r;
  }
}
