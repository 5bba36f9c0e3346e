package io.segpipe.audience;

import io.segpipe.common.UserError;
import io.segpipe.common.secret.Secrets;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.postgresql.Driver;
import org.postgresql.copy.CopyIn;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces one as_of_date in a PostgreSQL table keyed by (customer_id, as_of_date), in one
 * transaction: create the table if missing, delete that date's rows, insert the new ones in
 * batches, commit. Any failure rolls back, so readers see the previous rows until the commit and
 * the new ones after it.
 *
 * <p>Trade-off: the rows are streamed from the executors to the driver a partition at a time
 * ({@code toLocalIterator}) and written through one connection, because only one connection can
 * hold one transaction. The driver holds a partition and a batch, never the table; the write runs
 * at the speed of one connection (some tens of thousands of rows a second with batched inserts),
 * not in parallel. Spark's own JDBC writer writes partitions in parallel but each in its own
 * transaction, so a failure half-way would leave a date half replaced. For hundreds of millions of
 * rows, write in parallel to a staging table and swap it in with one short transaction instead.
 */
public final class PostgresExport {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresExport.class);

  /** What the transaction did. */
  public record Result(String table, long deleted, long inserted, long withdrawn) {}

  private PostgresExport() {}

  /**
   * @param rows the exported columns then as_of_date, every row of {@code asOf}
   * @param consenting the (pseudonymised) ids of every customer who consents now: rows of other
   *     dates for any other customer are deleted in the same transaction, so an opt-out reaches the
   *     table on the next export of any date
   */
  public static Result replace(
      Dataset<Row> rows, Dataset<Row> consenting, ExportSettings.Postgres target, LocalDate asOf) {
    List<StructField> fields = List.of(rows.schema().fields());
    String table = target.table();
    String createTable = createTable(table, fields);
    try (Connection connection = connect(target)) {
      connection.setAutoCommit(false);
      try {
        try (Statement create = connection.createStatement()) {
          create.execute(createTable);
          // A table an earlier version created lacks the columns added since (the label columns,
          // say).
          for (String add : addColumns(table, fields)) {
            create.execute(add);
          }
        }
        long deleted;
        try (PreparedStatement delete =
            connection.prepareStatement(
                "DELETE FROM " + table + " WHERE " + CustomerSegmentsColumns.PARTITION + " = ?")) {
          delete.setObject(1, asOf);
          deleted = delete.executeUpdate();
        }
        long inserted =
            insert(connection, table, fields, rows.toLocalIterator(), target.batchSize());
        long withdrawn = withdraw(connection, table, consenting.toLocalIterator());
        connection.commit();
        LOG.info(
            "PostgreSQL {}: replaced {} rows of {} with {}; removed {} rows of customers who no longer consent",
            table,
            deleted,
            asOf,
            inserted,
            withdrawn);
        return new Result(table, deleted, inserted, withdrawn);
      } catch (SQLException | RuntimeException e) {
        rollback(connection, e);
        throw new IllegalStateException(
            "The PostgreSQL export of "
                + asOf
                + " to "
                + table
                + " failed and was"
                + " rolled back; the table keeps its previous rows. Cause: "
                + describe(e),
            e);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "PostgreSQL connection to " + Secrets.redact(target.url()) + " failed: " + describe(e),
          e);
    }
  }

  private static Connection connect(ExportSettings.Postgres target) {
    Properties properties = new Properties();
    properties.setProperty("user", target.user());
    target.password().ifPresent(p -> properties.setProperty("password", p));
    properties.setProperty("reWriteBatchedInserts", "true");
    properties.setProperty("ApplicationName", "segpipe export");
    properties.setProperty("connectTimeout", "30");
    try {
      Connection connection = new Driver().connect(target.url(), properties);
      if (connection == null) {
        throw new UserError(
            "segpipe.export.postgres.url '"
                + Secrets.redact(target.url())
                + "' is not a PostgreSQL JDBC URL;"
                + " expected e.g. jdbc:postgresql://host:5432/database");
      }
      return connection;
    } catch (SQLException e) {
      throw new UserError(
          "Cannot connect to PostgreSQL at "
              + Secrets.redact(target.url())
              + " as "
              + target.user()
              + ": "
              + describe(e)
              + ". Check segpipe.export.postgres.url and .user, and that the variable named by"
              + " segpipe.export.postgres.password-env holds the password.",
          e);
    }
  }

  /**
   * Deletes the rows of every customer not in {@code consenting} (a customer_id column): the ids go
   * to a temporary table through COPY (never into the SQL text), dropped at commit.
   */
  private static long withdraw(Connection connection, String table, Iterator<Row> consenting)
      throws SQLException {
    copyIds(
        connection,
        "segpipe_consenting",
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return consenting.hasNext();
          }

          @Override
          public String next() {
            return consenting.next().getString(0);
          }
        });
    try (Statement delete = connection.createStatement()) {
      return delete.executeUpdate(
          "DELETE FROM "
              + table
              + " t WHERE NOT EXISTS (SELECT 1 FROM segpipe_consenting c"
              + " WHERE c.customer_id = t."
              + CustomerSegmentsColumns.CUSTOMER_ID
              + ")");
    }
  }

  /**
   * Deletes every row of the given (pseudonymised) ids, in one transaction, for `forget`; the ids
   * travel through COPY into a temporary table, never into the SQL text.
   *
   * @return rows deleted per id that had any; empty when the table does not exist
   */
  static Map<String, Long> erase(ExportSettings.Postgres target, Collection<String> ids) {
    String table = target.table();
    Map<String, Long> removed = new TreeMap<>();
    try (Connection connection = connect(target)) {
      connection.setAutoCommit(false);
      try {
        try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?)")) {
          exists.setString(1, table);
          try (ResultSet rs = exists.executeQuery()) {
            if (!rs.next() || rs.getString(1) == null) {
              connection.rollback();
              return removed;
            }
          }
        }
        copyIds(connection, "segpipe_erased", ids.iterator());
        try (Statement delete = connection.createStatement();
            ResultSet rs =
                delete.executeQuery(
                    "DELETE FROM "
                        + table
                        + " t USING segpipe_erased e WHERE t."
                        + CustomerSegmentsColumns.CUSTOMER_ID
                        + " = e.customer_id RETURNING t."
                        + CustomerSegmentsColumns.CUSTOMER_ID)) {
          while (rs.next()) {
            removed.merge(rs.getString(1), 1L, Long::sum);
          }
        }
        connection.commit();
        return removed;
      } catch (SQLException | RuntimeException e) {
        rollback(connection, e);
        throw new IllegalStateException(
            "Erasing customers from the PostgreSQL table "
                + table
                + " failed and was"
                + " rolled back; run forget again. Cause: "
                + describe(e),
            e);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "PostgreSQL connection to " + Secrets.redact(target.url()) + " failed: " + describe(e),
          e);
    }
  }

  /** Creates {@code temporary} (customer_id text, dropped at commit) and fills it through COPY. */
  private static void copyIds(Connection connection, String temporary, Iterator<String> ids)
      throws SQLException {
    try (Statement temp = connection.createStatement()) {
      temp.execute(
          "CREATE TEMPORARY TABLE " + temporary + " (customer_id text PRIMARY KEY) ON COMMIT DROP");
    }
    CopyIn copy =
        connection
            .unwrap(BaseConnection.class)
            .getCopyAPI()
            .copyIn("COPY " + temporary + " (customer_id) FROM STDIN WITH (FORMAT csv)");
    try {
      StringBuilder chunk = new StringBuilder();
      while (ids.hasNext()) {
        // CSV quoting: any text, commas, quotes and line breaks included, arrives as it was
        chunk.append('"').append(ids.next().replace("\"", "\"\"")).append("\"\n");
        if (chunk.length() > 1 << 16 || !ids.hasNext()) {
          byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
          copy.writeToCopy(bytes, 0, bytes.length);
          chunk.setLength(0);
        }
      }
      copy.endCopy();
    } finally {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
    }
  }

  static String createTable(String table, List<StructField> fields) {
    String columns =
        fields.stream()
            .map(
                f ->
                    f.name()
                        + " "
                        + columnType(f).ddl()
                        + (f.nullable() && !key(f.name()) ? "" : " NOT NULL"))
            .collect(Collectors.joining(", "));
    return "CREATE TABLE IF NOT EXISTS "
        + table
        + " ("
        + columns
        + ", PRIMARY KEY ("
        + CustomerSegmentsColumns.CUSTOMER_ID
        + ", "
        + CustomerSegmentsColumns.PARTITION
        + "))";
  }

  /**
   * ADD COLUMN IF NOT EXISTS for every non-key column: additive changes reach an existing table.
   */
  static List<String> addColumns(String table, List<StructField> fields) {
    return fields.stream()
        .filter(f -> !key(f.name()))
        .map(
            f ->
                "ALTER TABLE "
                    + table
                    + " ADD COLUMN IF NOT EXISTS "
                    + f.name()
                    + " "
                    + columnType(f).ddl())
        .toList();
  }

  private static boolean key(String column) {
    return column.equals(CustomerSegmentsColumns.CUSTOMER_ID)
        || column.equals(CustomerSegmentsColumns.PARTITION);
  }

  private static long insert(
      Connection connection,
      String table,
      List<StructField> fields,
      Iterator<Row> rows,
      int batchSize)
      throws SQLException {
    List<String> names = fields.stream().map(StructField::name).toList();
    String sql =
        "INSERT INTO "
            + table
            + " ("
            + String.join(", ", names)
            + ") VALUES ("
            + String.join(", ", names.stream().map(n -> "?").toList())
            + ")";
    List<Integer> sqlTypes = new ArrayList<>();
    fields.forEach(f -> sqlTypes.add(columnType(f).jdbc()));
    long inserted = 0;
    try (PreparedStatement insert = connection.prepareStatement(sql)) {
      int pending = 0;
      while (rows.hasNext()) {
        Row row = rows.next();
        for (int i = 0; i < fields.size(); i++) {
          // LocalDate, not java.sql.Date: a Date is midnight in the JVM's time zone, a LocalDate is
          // the day.
          Object value = row.get(i) instanceof Date d ? d.toLocalDate() : row.get(i);
          if (value == null) {
            insert.setNull(i + 1, sqlTypes.get(i));
          } else {
            insert.setObject(i + 1, value, sqlTypes.get(i));
          }
        }
        insert.addBatch();
        if (++pending == batchSize) {
          insert.executeBatch();
          inserted += pending;
          pending = 0;
        }
      }
      if (pending > 0) {
        insert.executeBatch();
        inserted += pending;
      }
    }
    return inserted;
  }

  /** A column's type in PostgreSQL DDL and as a JDBC type code for binding values. */
  record ColumnType(String ddl, int jdbc) {}

  static ColumnType columnType(StructField field) {
    DataType type = field.dataType();
    if (type instanceof DecimalType d) {
      return new ColumnType("numeric(" + d.precision() + ", " + d.scale() + ")", Types.NUMERIC);
    }
    if (type.equals(DataTypes.StringType)) {
      return new ColumnType("text", Types.VARCHAR);
    }
    if (type.equals(DataTypes.IntegerType)) {
      return new ColumnType("integer", Types.INTEGER);
    }
    if (type.equals(DataTypes.LongType)) {
      return new ColumnType("bigint", Types.BIGINT);
    }
    if (type.equals(DataTypes.ShortType) || type.equals(DataTypes.ByteType)) {
      return new ColumnType("smallint", Types.SMALLINT);
    }
    if (type.equals(DataTypes.DoubleType)) {
      return new ColumnType("double precision", Types.DOUBLE);
    }
    if (type.equals(DataTypes.FloatType)) {
      return new ColumnType("real", Types.REAL);
    }
    if (type.equals(DataTypes.BooleanType)) {
      return new ColumnType("boolean", Types.BOOLEAN);
    }
    if (type.equals(DataTypes.DateType)) {
      return new ColumnType("date", Types.DATE);
    }
    throw new UserError(
        "customer_segments column "
            + field.name()
            + " has type "
            + type.simpleString()
            + ", which the PostgreSQL export does not map; leave it out of segpipe.export.columns.");
  }

  private static void rollback(Connection connection, Exception cause) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // A dead connection cannot roll back, but the server rolls back a transaction whose session
      // ends.
      cause.addSuppressed(e);
    }
  }

  private static String describe(Exception e) {
    if (e instanceof SQLException sql) {
      SQLException next = sql.getNextException();
      return Secrets.redact(
          sql.getMessage() + (next != null && next != sql ? " (" + next.getMessage() + ")" : ""));
    }
    return Secrets.redact(String.valueOf(e.getMessage()));
  }
}
