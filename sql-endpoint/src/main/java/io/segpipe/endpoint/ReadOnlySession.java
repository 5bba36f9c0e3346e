package io.segpipe.endpoint;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.HiveTableRelation;
import org.apache.spark.sql.catalyst.expressions.CallMethodViaReflection;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ScriptTransformation;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.execution.command.SetCommand;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import scala.Function1;
import scala.Option;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;
import scala.runtime.BoxedUnit;

/**
 * The endpoint's session is read-only and serves only an allow-list of tables: a check rule, run on
 * every statement after analysis and before anything executes, refuses writes and DDL, ADD JAR,
 * CREATE FUNCTION, SELECT TRANSFORM (which runs shell commands), queries on file paths, reflect and
 * java_method, and any table not on the list. Installed through spark.sql.extensions; the list is
 * fixed when the endpoint starts (a SET cannot change it).
 */
public final class ReadOnlySession extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {
  /** Statements that only read the catalog or the session's settings. */
  private static final Set<String> READING_COMMANDS =
      Set.of(
          "ShowTables",
          "ShowTablesCommand",
          "ShowNamespaces",
          "ShowTableExtended",
          "DescribeRelation",
          "DescribeTableCommand",
          "DescribeColumn",
          "DescribeColumnCommand",
          "DescribeNamespace",
          "DescribeNamespaceCommand",
          "ShowColumns",
          "ShowColumnsCommand",
          "SetCatalogAndNamespace",
          "SetNamespaceCommand",
          "ExplainCommand",
          "ShowFunctions",
          "ShowFunctionsCommand",
          "DescribeFunction",
          "DescribeFunctionCommand",
          "ShowCatalogsCommand",
          "ShowCurrentNamespaceCommand",
          "ShowTablePropertiesCommand",
          "ShowTableProperties",
          "ShowCreateTable",
          "ShowCreateTableCommand",
          "ShowPartitions",
          "ShowPartitionsCommand",
          "DescribeQueryCommand");

  /** The served tables: folder (as {@link #folderOf} gives it) to table name. */
  private static volatile Map<String, String> folders = Map.of();

  private static volatile boolean active;

  /**
   * From now on every statement is checked, and may read only {@code tables} (name, without
   * database, to the folder the table is in). Called once the endpoint has registered its tables,
   * which it does with DDL of its own.
   */
  static void activate(Map<String, String> tables) {
    Map<String, String> byFolder = new HashMap<>();
    tables.forEach((name, folder) -> byFolder.put(folderOf(folder), name));
    folders = Map.copyOf(byFolder);
    active = true;
  }

  /**
   * The served table whose folder holds {@code path} (the folder itself, or a file in it: Delta
   * reads its own _delta_log through the session too), or null.
   */
  private static String servedFolder(String path) {
    for (Map.Entry<String, String> f : folders.entrySet()) {
      if (path.equals(f.getKey()) || path.startsWith(f.getKey() + "/")) {
        return f.getValue();
      }
    }
    return null;
  }

  /** A folder as a comparable path: no scheme, no trailing slash. */
  private static String folderOf(String location) {
    String path = URI.create(location.replace(" ", "%20")).getPath();
    if (path == null) {
      path = location;
    }
    return path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
  }

  static Set<String> allowed() {
    return new TreeSet<>(folders.values());
  }

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectCheckRule(
        new AbstractFunction1<SparkSession, Function1<LogicalPlan, BoxedUnit>>() {
          @Override
          public Function1<LogicalPlan, BoxedUnit> apply(SparkSession session) {
            return new AbstractFunction1<LogicalPlan, BoxedUnit>() {
              @Override
              public BoxedUnit apply(LogicalPlan plan) {
                check(plan);
                return BoxedUnit.UNIT;
              }
            };
          }
        });
    return BoxedUnit.UNIT;
  }

  /**
   * Throws {@link Refused} when {@code plan} (an analysed statement) does anything but read allowed
   * tables.
   */
  static void check(LogicalPlan plan) {
    if (active) {
      checkNode(plan);
    }
  }

  private static void checkNode(LogicalPlan plan) {
    String node = plan.getClass().getSimpleName();
    if (plan instanceof SetCommand set) {
      if (set.kv().isDefined() && set.kv().get()._2().isDefined()) {
        throw new Refused(
            "SET with a value is refused: the endpoint's settings are fixed when it starts.");
      }
    } else if (plan instanceof Command && !READING_COMMANDS.contains(node)) {
      throw new Refused(
          describe(node)
              + " is refused: the segpipe SQL endpoint is read-only (it serves SELECT,"
              + " SHOW and DESCRIBE).");
    }
    if (plan instanceof ScriptTransformation) {
      throw new Refused("SELECT TRANSFORM ... USING is refused: it runs a command on the server.");
    }
    if (plan instanceof LogicalRelation r) {
      if (r.catalogTable().isDefined()) {
        table(r.catalogTable());
      } else if (r.relation() instanceof HadoopFsRelation files) {
        // a Delta table read through the catalog arrives as files (and so do Delta's reads of its
        // log): they
        // must be in one of the served tables' folders
        for (Path root : JavaConverters.seqAsJavaList(files.location().rootPaths())) {
          String table = servedFolder(folderOf(root.toUri().toString()));
          if (table == null) {
            throw fileQuery(root.toString());
          }
          name(table);
        }
      } else {
        throw fileQuery(r.relation().toString());
      }
    } else if (plan instanceof HiveTableRelation h) {
      table(Option.apply(h.tableMeta()));
    } else if (plan instanceof DataSourceV2Relation v2) {
      Option<Identifier> id = v2.identifier();
      if (id.isEmpty()) {
        throw fileQuery(v2.table().name());
      }
      name(id.get().name());
    }
    for (Expression e : JavaConverters.seqAsJavaList(plan.expressions())) {
      check(e);
    }
    for (LogicalPlan child : JavaConverters.seqAsJavaList(plan.children())) {
      checkNode(child);
    }
  }

  private static void check(Expression e) {
    if (e instanceof CallMethodViaReflection) {
      throw new Refused(
          "reflect and java_method are refused: they call Java methods on the server.");
    }
    if (e instanceof SubqueryExpression s) {
      checkNode(s.plan());
    }
    for (Expression child : JavaConverters.seqAsJavaList(e.children())) {
      check(child);
    }
  }

  private static void table(Option<CatalogTable> table) {
    if (table.isEmpty()) {
      throw fileQuery("a relation without a table");
    }
    name(table.get().identifier().table());
  }

  private static void name(String table) {
    if (!folders.containsValue(table)) {
      throw new Refused(
          "The table "
              + table
              + " is not served by this endpoint. It serves "
              + String.join(", ", allowed())
              + " (segpipe.sql-endpoint.tables).");
    }
  }

  private static Refused fileQuery(String what) {
    return new Refused(
        "Queries on file paths (e.g. parquet.`/path`) are refused: the endpoint serves its tables only"
            + " (this one reads "
            + what
            + ").");
  }

  private static String describe(String node) {
    return node.replaceAll("(Command|Statement|Exec)$", "")
        .replaceAll("([a-z])([A-Z])", "$1 $2")
        .toUpperCase();
  }

  /** A statement the endpoint does not run, with the reason. */
  static final class Refused extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }
}
