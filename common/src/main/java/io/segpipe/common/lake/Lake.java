package io.segpipe.common.lake;

import io.delta.tables.DeltaTable;
import io.segpipe.common.UserError;
import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lake: each table is a Delta table at {@code <root>/<name>}, registered as
 * {@code <database>.<name>} where a catalog database is configured. Every write is one Delta commit,
 * so a failed or killed write leaves the previous version of the table as it was.
 */
public final class Lake {
  private static final Logger LOG = LoggerFactory.getLogger(Lake.class);

  private final SparkSession spark;
  private final LakeSettings settings;

  public Lake(SparkSession spark, LakeSettings settings) {
    this.spark = spark;
    this.settings = settings;
  }

  public String path(String table) {
    String root = settings.root();
    return root.endsWith("/") ? root + table : root + "/" + table;
  }

  /** A folder named in config: relative to the lake root, or an absolute path or URI taken as it is. */
  public String folder(String configured) {
    return configured.startsWith("/") || configured.contains("://") ? configured : path(configured);
  }

  public boolean exists(String table) {
    return DeltaTable.isDeltaTable(spark, path(table));
  }

  /** The Delta tables directly under the lake root (folders named like identifiers), sorted. */
  public List<String> tables() {
    String root = path("");
    List<String> out = new ArrayList<>();
    try {
      Path rootPath = new Path(root);
      FileSystem fs = rootPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(rootPath)) {
        return out;
      }
      for (FileStatus child : fs.listStatus(rootPath)) {
        String name = child.getPath().getName();
        if (child.isDirectory() && name.matches("[A-Za-z_][A-Za-z0-9_]*") && exists(name)) {
          out.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the lake root " + root, e);
    }
    out.sort(null);
    return out;
  }

  /** Reads a table that must exist; {@code howToCreate} tells the user what produces it. */
  public Dataset<Row> read(String table, String howToCreate) {
    if (!exists(table)) {
      throw new UserError("Table " + table + " does not exist at " + path(table) + ". " + howToCreate);
    }
    return spark.read().format("delta").load(path(table));
  }

  /** Appends rows as one commit, creating the table (partitioned as given) when it is new. */
  public void append(Dataset<Row> rows, String table, String... partitionBy) {
    committed(table, "", () -> rows.write().format("delta").mode(SaveMode.Append).partitionBy(partitionBy)
        .save(path(table)));
    register(table);
  }

  /**
   * Replaces exactly one partition ({@code column = value}) in one commit; other partitions are left
   * untouched, and a re-run for the same value gives the same table content. A column the table does
   * not have yet is added (an additive change of the contract: earlier partitions read it as null); a
   * changed type is refused by Delta.
   */
  public void replacePartition(Dataset<Row> rows, String table, String column, LocalDate value) {
    committed(table, " for " + column + " = " + value, () -> rows.write().format("delta").mode(SaveMode.Overwrite)
        .option("replaceWhere", column + " = DATE'" + value + "'")
        .option("mergeSchema", "true")
        .partitionBy(column)
        .save(path(table)));
    register(table);
  }

  /** Replaces the whole table, its schema included, in one commit (a dimension loaded whole each run). */
  public void overwrite(Dataset<Row> rows, String table) {
    committed(table, "", () -> rows.write().format("delta").mode(SaveMode.Overwrite)
        .option("overwriteSchema", "true").save(path(table)));
    register(table);
  }

  /**
   * Runs one write; when another run committed to the same table first (Delta's optimistic concurrency
   * refused this commit), says so in words: this run's write was not applied, and re-running is safe.
   */
  private void committed(String table, String what, Runnable write) {
    try {
      write.run();
    } catch (RuntimeException e) {
      StorageFailures.concurrentModification(e).ifPresent(conflict -> {
        throw new UserError("Another run wrote " + table + what + " at the same time as this one, and its commit"
            + " came first, so Delta refused this run's (" + conflict.getClass().getSimpleName() + "). This run's"
            + " write to " + path(table) + " was not applied; the table holds the other run's result, whole. If"
            + " both runs were meant to happen, run the job again once the other has finished.", e);
      });
      throw e;
    }
  }

  /** Registers the table as {@code <database>.<table>} where a catalog database is configured. */
  public void register(String table) {
    settings.catalogDatabase().ifPresent(db -> {
      spark.sql("CREATE DATABASE IF NOT EXISTS `" + db + "`");
      spark.sql("CREATE TABLE IF NOT EXISTS `" + db + "`.`" + table + "` USING DELTA LOCATION '"
          + path(table).replace("'", "\\'") + "'");
      LOG.debug("registered {}.{} at {}", db, table, path(table));
    });
  }
}
