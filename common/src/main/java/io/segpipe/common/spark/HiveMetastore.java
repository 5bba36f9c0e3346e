package io.segpipe.common.spark;

import io.segpipe.common.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.jdo.JDOHelper;
import org.apache.hadoop.hive.conf.HiveConf;
import org.apache.hadoop.hive.metastore.ObjectStore;
import org.apache.hadoop.hive.metastore.api.MetaException;
import org.datanucleus.api.jdo.JDOPersistenceManagerFactory;
import org.datanucleus.store.schema.SchemaAwareStoreManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A persistent catalog: Spark's Hive catalog (spark.sql.catalogImplementation = hive) over a Hive
 * metastore, found the standard way (a metastore service in spark.hadoop.hive.metastore.uris, or a
 * database the session opens itself in spark.hadoop.javax.jdo.option.ConnectionURL, or
 * hive-site.xml). What segpipe adds:
 *
 * <ul>
 *   <li>the metastore database's password may come from the environment variable {@value
 *       SparkSessions#METASTORE_PASSWORD_ENV} instead of a file;
 *   <li>a database the session opens itself gets the metastore's tables created in one step, from
 *       Hive's own JDO metadata, when it has none. Left to Hive, they are created one at a time as
 *       they are first used, and on PostgreSQL that deadlocks: adding a foreign key to a table
 *       waits for the transaction that is writing to that table, which waits for the DDL.
 * </ul>
 */
final class HiveMetastore {
  private static final Logger LOG = LoggerFactory.getLogger(HiveMetastore.class);

  private static final String HADOOP = "spark.hadoop.";
  private static final String URL = HADOOP + "javax.jdo.option.ConnectionURL";
  private static final String URIS = HADOOP + "hive.metastore.uris";

  /** Where Hive's metastore classes are described, in the hive-metastore jar. */
  private static final String JDO_METADATA = "package.jdo";

  private static final String MODEL_PACKAGE = "org.apache.hadoop.hive.metastore.model.";

  /** Held while one session creates the tables, so that two starting at once do not both. */
  private static final long POSTGRES_LOCK = 0x5e69_1be0_4e7aL;

  private HiveMetastore() {}

  /**
   * Before the session starts: creates the metastore's tables in a database the session will open
   * itself (spark.hadoop.javax.jdo.option.ConnectionURL, no metastore service), when it has none.
   * Does nothing for a metastore service or a database that already holds them.
   */
  static void prepare(Map<String, String> settings) {
    String url = settings.get(URL);
    if (url == null || url.isBlank() || !settings.getOrDefault(URIS, "").isBlank()) {
      return;
    }
    HiveConf conf = new HiveConf();
    settings.forEach(
        (k, v) -> {
          if (k.startsWith(HADOOP)) {
            conf.set(k.substring(HADOOP.length()), v);
          }
        });
    String user = conf.get("javax.jdo.option.ConnectionUserName", "");
    String password = conf.get("javax.jdo.option.ConnectionPassword", "");
    String where = url.replaceAll("(?i)(password)=[^&;]*", "$1=***");
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      boolean postgres = url.startsWith("jdbc:postgresql:");
      if (postgres) {
        try (Statement st = c.createStatement()) {
          st.execute("SELECT pg_advisory_lock(" + POSTGRES_LOCK + ")");
        }
      }
      try {
        if (hasTables(c.getMetaData())) {
          LOG.debug("the Hive metastore at {} has its tables", where);
          return;
        }
        long start = System.nanoTime();
        int classes = createTables(conf);
        LOG.info(
            "created the Hive metastore's tables at {} ({} model classes, schema version recorded)"
                + " in {} ms",
            where,
            classes,
            (System.nanoTime() - start) / 1_000_000);
      } finally {
        if (postgres) {
          try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_unlock(" + POSTGRES_LOCK + ")");
          }
        }
      }
    } catch (SQLException e) {
      throw new UserError(
          "cannot open the Hive metastore database "
              + where
              + " ("
              + e.getMessage()
              + "). Check spark.hadoop.javax.jdo.option.ConnectionURL, ConnectionUserName and the"
              + " password ("
              + SparkSessions.METASTORE_PASSWORD_ENV
              + "), and that the database exists (createdb).",
          e);
    }
  }

  /** Whether the metastore's version table is there (DataNucleus names it VERSION). */
  private static boolean hasTables(DatabaseMetaData meta) throws SQLException {
    for (String name : new String[] {"VERSION", "version"}) {
      try (ResultSet rs = meta.getTables(null, null, name, new String[] {"TABLE"})) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Every table of Hive's model classes at once (DataNucleus's schema tool), then the schema
   * version, recorded by Hive's own ObjectStore.
   */
  private static int createTables(HiveConf conf) {
    Properties jdo = new Properties();
    for (Map.Entry<String, String> e : conf) {
      if (e.getKey().startsWith("datanucleus") || e.getKey().startsWith("javax.jdo")) {
        jdo.setProperty(e.getKey(), e.getValue());
      }
    }
    jdo.setProperty("datanucleus.schema.autoCreateAll", "true");
    Set<String> classes = modelClasses();
    JDOPersistenceManagerFactory factory =
        (JDOPersistenceManagerFactory) JDOHelper.getPersistenceManagerFactory(jdo);
    try {
      ((SchemaAwareStoreManager) factory.getNucleusContext().getStoreManager())
          .createSchemaForClasses(classes, new Properties());
    } finally {
      factory.close();
    }
    HiveConf record = new HiveConf(conf);
    record.set("hive.metastore.schema.verification", "false");
    record.set("hive.metastore.schema.verification.record.version", "true");
    ObjectStore store = new ObjectStore();
    store.setConf(record);
    try {
      store.verifySchema();
    } catch (MetaException e) {
      throw new IllegalStateException("cannot record the Hive metastore's schema version", e);
    } finally {
      store.shutdown();
    }
    return classes.size();
  }

  /** The persistent classes Hive's JDO metadata lists. */
  private static Set<String> modelClasses() {
    String metadata;
    try (InputStream in = ObjectStore.class.getClassLoader().getResourceAsStream(JDO_METADATA)) {
      if (in == null) {
        throw new IllegalStateException(
            JDO_METADATA + " is not on the class path (hive-metastore)");
      }
      metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + JDO_METADATA, e);
    }
    Set<String> classes = new TreeSet<>();
    Matcher m = Pattern.compile("<class name=\"([A-Za-z0-9_]+)\"").matcher(metadata);
    while (m.find()) {
      classes.add(MODEL_PACKAGE + m.group(1));
    }
    return classes;
  }
}
