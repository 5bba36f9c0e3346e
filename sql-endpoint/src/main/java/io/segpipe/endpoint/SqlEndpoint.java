package io.segpipe.endpoint;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.secret.Secrets;
import io.segpipe.common.spark.SparkSessions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.hive.thriftserver.HiveThriftServer2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL endpoint for BI tools: a Spark Thrift Server (HiveServer2 protocol) in this JVM, with
 * every Delta table at the lake root registered as {@code <database>.<table>}. Runs until stopped
 * (SIGTERM). The catalog is Spark's in-memory one, rebuilt from the lake at each start (tables
 * written while it runs are seen at their latest version by each new query, a new table after a
 * restart), or with spark.sql.catalogImplementation = hive a persistent Hive metastore the jobs
 * register their tables in, served as it stands (a table a job creates later included).
 */
public final class SqlEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(SqlEndpoint.class);
  private static final String NAME = "sql-endpoint";
  static final List<JobArguments.Option> OPTIONS =
      List.of(
          new JobArguments.Option(
              "host",
              "ADDRESS",
              "address to listen on (segpipe.sql-endpoint.host, default 127.0.0.1)"),
          new JobArguments.Option(
              "port", "PORT", "TCP port (segpipe.sql-endpoint.port, default 10000)"),
          new JobArguments.Option(
              "database", "NAME", "database the tables are registered in (default segpipe)"));

  private SqlEndpoint() {}

  public static void main(String[] argv) {
    JobArguments arguments;
    SegpipeConfig config;
    EndpointSettings settings;
    try {
      arguments = JobArguments.parse(NAME, argv, OPTIONS);
      if (arguments.help()) {
        System.out.print(
            JobArguments.usage(
                NAME,
                "Serves the lake's tables to BI tools over the HiveServer2"
                    + " protocol (Spark Thrift Server): jdbc:hive2://HOST:PORT/DATABASE, with ;ssl=true when"
                    + " segpipe.sql-endpoint.tls = true.",
                OPTIONS));
        return;
      }
      config = SegpipeConfig.load(arguments.configFile(), arguments.overrides());
      settings = config.section(r -> EndpointSettings.read(r, arguments, System::getenv));
    } catch (UserError e) {
      System.err.println("segpipe " + NAME + ": " + Secrets.redact(e.getMessage()));
      System.exit(UserError.EXIT_CODE);
      return;
    }

    // HiveServer2 reads its settings from HiveConf, which takes system properties over its
    // defaults.
    System.setProperty("hive.server2.thrift.bind.host", settings.host());
    System.setProperty("hive.server2.thrift.port", String.valueOf(settings.port()));
    System.setProperty("hive.server2.transport.mode", "binary");
    settings
        .user()
        .ifPresent(
            user -> {
              System.setProperty("hive.server2.authentication", "CUSTOM");
              System.setProperty(
                  "hive.server2.custom.authentication.class",
                  PasswordAuthentication.class.getName());
              System.setProperty(PasswordAuthentication.USER_PROPERTY, user);
              System.setProperty(
                  PasswordAuthentication.VARIABLE_PROPERTY, settings.passwordVariable());
            });
    if (settings.user().isEmpty()) {
      System.setProperty("hive.server2.authentication", "NONE");
    }
    // TLS in binary mode: ThriftBinaryCLIService opens an SSL server socket
    // (HiveAuthUtils.getServerSSLSocket)
    // when hive.server2.use.SSL is true, with the keystore at hive.server2.keystore.path opened
    // with
    // hive.server2.keystore.password (set only while the server starts, below), and takes the
    // protocols in
    // hive.ssl.protocol.blacklist off it. Java 17 disables SSLv3, TLSv1 and TLSv1.1 already; the
    // list
    // keeps them off should the JDK's java.security enable them again, so clients get TLSv1.2 or
    // 1.3.
    System.setProperty("hive.server2.use.SSL", String.valueOf(settings.tls().isPresent()));
    settings
        .tls()
        .ifPresent(
            tls -> {
              System.setProperty("hive.server2.keystore.path", tls.keystore());
              System.setProperty(
                  "hive.ssl.protocol.blacklist", "SSLv2,SSLv2Hello,SSLv3,TLSv1,TLSv1.1");
            });

    SparkConf conf = new SparkConf();
    // The catalog: Spark's in-memory one, filled from the lake at each start, unless the platform
    // or
    // segpipe.spark.conf asks for Hive's (a persistent metastore), whose tables the endpoint then
    // serves as the jobs keep them, new ones included.
    Map<String, String> asked = SparkSessions.asked(conf, config.sparkConf());
    boolean persistent = SparkSessions.persistentCatalog(asked);
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName("segpipe " + NAME)
            .config(SparkSessions.CATALOG_IMPLEMENTATION, persistent ? "hive" : "in-memory")
            .config("spark.ui.enabled", conf.get("spark.ui.enabled", "false"));
    if (!conf.contains("spark.master")) {
      // Started as a plain JVM (java -cp ... io.segpipe.endpoint.SqlEndpoint) rather than by
      // spark-submit, as scripts/sql-endpoint does.
      builder.master("local[*]"); // NOCHECKSTYLE noMasterInCode
    }
    SparkSessions.REQUIRED.forEach(builder::config);
    config.sparkConf().forEach(builder::config);
    // After the user's settings, which must not turn these off: the read-only check beside Delta's
    // extension, and no SQL on file paths.
    builder.config(
        "spark.sql.extensions",
        SparkSessions.REQUIRED.get("spark.sql.extensions") + "," + ReadOnlySession.class.getName());
    builder.config("spark.sql.runSQLOnFiles", "false");
    try {
      SparkSessions.catalogSettings(asked, System::getenv).forEach(builder::config);
    } catch (UserError e) {
      System.err.println("segpipe " + NAME + ": " + Secrets.redact(e.getMessage()));
      System.exit(UserError.EXIT_CODE);
      return;
    }
    SparkSession spark = builder.getOrCreate();

    Lake lake = new Lake(spark, new LakeSettings(config.lake().root(), settings.database()));
    spark.sql("CREATE DATABASE IF NOT EXISTS `" + settings.database() + "`");
    List<String> tables = register(lake, settings.tables());
    Map<String, String> folders = new LinkedHashMap<>();
    // With a persistent catalog, a served table a job writes later is served too.
    (persistent ? settings.tables() : tables).forEach(t -> folders.put(t, lake.path(t)));
    ReadOnlySession.activate(folders);
    if (tables.isEmpty()) {
      LOG.warn(
          "no Delta table at {} yet: the endpoint serves an empty database {}",
          config.lake().root(),
          settings.database());
    }
    start(spark, settings);
    String message =
        "segpipe "
            + NAME
            + ": listening on jdbc:hive2://"
            + settings.host()
            + ":"
            + settings.port()
            + "/"
            + settings.database()
            + (settings.tls().isPresent() ? ";ssl=true" : "")
            + " ("
            + settings.tls().map(tls -> "TLS on, keystore " + tls.keystore()).orElse("TLS off")
            + "; "
            + settings.user().map(user -> "password for user " + user).orElse("no authentication")
            + "); tables: "
            + String.join(", ", tables);
    LOG.info(message);
    System.out.println(message);
  }

  /**
   * Starts the Thrift Server. Its HiveConf is made inside startWithContext from the system
   * properties, so the keystore password is a system property only for that call: not while Spark
   * starts (which records system properties, e.g. in event logs) nor while the server runs.
   * HiveConf keeps its copy (hive.server2.keystore.password is on its hidden list); the SSL socket
   * is opened from that copy.
   */
  private static void start(SparkSession spark, EndpointSettings settings) {
    String property = "hive.server2.keystore.password";
    settings.tls().ifPresent(tls -> System.setProperty(property, tls.password(System::getenv)));
    try {
      HiveThriftServer2.startWithContext(spark.sqlContext());
    } finally {
      System.clearProperty(property);
    }
  }

  /**
   * Registers every Delta table directly under the lake root that is in {@code served}; returns
   * their names, sorted.
   */
  static List<String> register(Lake lake, List<String> served) {
    List<String> tables = new ArrayList<>();
    for (String name : lake.tables()) {
      if (served.contains(name)) {
        tables.add(name);
      } else {
        LOG.info("not serving {} (not in segpipe.sql-endpoint.tables)", name);
      }
    }
    tables.forEach(lake::register);
    return tables;
  }
}
