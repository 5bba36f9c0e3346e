package io.segpipe.common.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.test.SharedSpark;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalog.Table;
import org.apache.spark.sql.execution.columnar.InMemoryRelation;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Views handed to a query by withView exist only while run analyses it: none is left afterwards,
 * the cached data they read stays cached, and the result computes without them.
 */
@ExtendWith(SharedSpark.class)
class SqlResourceTest {
  private static final String SQL = "sql/test/labelled_amounts.sql";
  private static final StructType AMOUNTS =
      new StructType()
          .add("id", DataTypes.StringType)
          .add("amount", DataTypes.IntegerType)
          .add("code", DataTypes.IntegerType);
  private static final StructType LABELS =
      new StructType().add("code", DataTypes.IntegerType).add("label", DataTypes.StringType);
  private static final Pattern VIEW = Pattern.compile("\\b(?:amounts|labels)_\\d+\\b");

  private static Dataset<Row> amounts(SparkSession spark, Object[]... rows) {
    return spark.createDataFrame(Arrays.stream(rows).map(RowFactory::create).toList(), AMOUNTS);
  }

  private static Dataset<Row> labels(SparkSession spark) {
    return spark.createDataFrame(
        List.of(RowFactory.create(1, "one"), RowFactory.create(2, "two")), LABELS);
  }

  private static Dataset<Row> labelled(SparkSession spark, Dataset<Row> amounts, int min) {
    return SqlResource.load(SQL)
        .withView("amounts", amounts)
        .withView("labels", labels(spark))
        .with("min", min)
        .run(spark);
  }

  private static Set<String> temporaryViews(SparkSession spark) {
    return spark.catalog().listTables().collectAsList().stream()
        .filter(Table::isTemporary)
        .map(Table::name)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> rows(Dataset<Row> result) {
    return result.collectAsList().stream()
        .map(r -> r.getString(0) + ":" + r.getInt(1) + ":" + r.getString(2))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void noViewOutlivesTheRunAndTheResultStillComputes(SparkSession spark) {
    Set<String> before = temporaryViews(spark);
    Dataset<Row> first =
        labelled(spark, amounts(spark, new Object[] {"a", 5, 1}, new Object[] {"b", 20, 2}), 1);

    Set<String> names = new TreeSet<>();
    Matcher view = VIEW.matcher(first.queryExecution().analyzed().toString());
    while (view.find()) {
      names.add(view.group());
    }
    assertEquals(2, names.size(), "the query read one view per fragment: " + names);
    for (String name : names) {
      assertFalse(spark.catalog().tableExists(name), name + " was left registered");
    }
    assertEquals(before, temporaryViews(spark));

    // The same fragment names again, other rows: a result of its own, and the first unchanged.
    Dataset<Row> second = labelled(spark, amounts(spark, new Object[] {"c", 7, 2}), 1);
    assertEquals(Set.of("c:7:two"), rows(second));
    assertEquals(Set.of("a:5:one", "b:20:two"), rows(first));
    assertEquals(Set.of("b:20:two"), rows(first.where("amount > 10")));
    assertEquals(before, temporaryViews(spark));
  }

  @Test
  void aCachedInputStaysCachedAndIsRead(SparkSession spark) {
    Dataset<Row> cached =
        amounts(spark, new Object[] {"x", 3, 1}, new Object[] {"y", 30, 9}).cache();
    cached.count();

    Dataset<Row> result = labelled(spark, cached, 10);
    assertTrue(
        spark.sharedState().cacheManager().lookupCachedData(cached).isDefined(),
        "running the query uncached its input");
    assertEquals(Set.of("y:30:null"), rows(result));
    assertTrue(
        result
            .queryExecution()
            .withCachedData()
            .find(p -> p instanceof InMemoryRelation)
            .isDefined(),
        "the result reads the cached input");
    assertTrue(spark.sharedState().cacheManager().lookupCachedData(cached).isDefined());
    cached.unpersist(true);
  }

  @Test
  void theCatalogsOwnDropWouldHaveUncachedIt(SparkSession spark) {
    // Why run drops its views from the session catalog: the public API's drop uncaches the plan.
    Dataset<Row> cached = amounts(spark, new Object[] {"z", 4, 2}).cache();
    cached.count();
    cached.createOrReplaceTempView("sql_resource_test_public_drop");
    spark.catalog().dropTempView("sql_resource_test_public_drop");
    assertTrue(spark.sharedState().cacheManager().lookupCachedData(cached).isEmpty());
  }

  @Test
  void aMissingFragmentFailsAsBeforeAndRegistersNothing(SparkSession spark) {
    Set<String> before = temporaryViews(spark);
    SqlResource partial = SqlResource.load(SQL).withView("amounts", amounts(spark)).with("min", 0);
    IllegalStateException missing =
        assertThrows(IllegalStateException.class, () -> partial.run(spark));
    assertEquals(SQL + ": fragment ${labels} was not supplied", missing.getMessage());
    assertEquals(before, temporaryViews(spark));

    IllegalStateException unknown =
        assertThrows(
            IllegalStateException.class, () -> partial.withView("nothing", amounts(spark)));
    assertEquals(SQL + " has no fragment ${nothing}", unknown.getMessage());
  }

  @Test
  void viewsAreDroppedWhenTheQueryFailsToAnalyse(SparkSession spark) {
    Set<String> before = temporaryViews(spark);
    SqlResource wrongColumns =
        SqlResource.load(SQL)
            .withView("amounts", amounts(spark, new Object[] {"a", 5, 1}))
            .withView("labels", amounts(spark))
            .with("min", 0);
    assertThrows(AnalysisException.class, () -> wrongColumns.run(spark));
    assertEquals(before, temporaryViews(spark));
  }
}
