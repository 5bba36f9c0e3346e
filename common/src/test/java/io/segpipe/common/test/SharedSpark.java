package io.segpipe.common.test;

import io.segpipe.common.spark.SparkSessions;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One local[2] SparkSession per test JVM, held in JUnit's root store and stopped when the JVM's
 * tests end. Test classes use {@code @ExtendWith(SharedSpark.class)} and take a {@code
 * SparkSession} parameter, or call {@link #session()}.
 */
public final class SharedSpark implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(SharedSpark.class);

  private static final class Holder implements ExtensionContext.Store.CloseableResource {
    final SparkSession spark;
    final Path warehouse;

    Holder() throws IOException {
      warehouse = TestFolders.folder("segpipe-test-warehouse");
      SparkSession.Builder builder =
          SparkSession.builder()
              .master("local[2]")
              .appName("segpipe tests")
              .config("spark.ui.enabled", "false")
              .config("spark.ui.showConsoleProgress", "false")
              .config("spark.sql.shuffle.partitions", "4")
              .config("spark.default.parallelism", "4")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.sql.warehouse.dir", warehouse.toUri().toString())
              .config("spark.databricks.delta.snapshotPartitions", "2")
              .config("spark.sql.adaptive.enabled", "true");
      SparkSessions.REQUIRED.forEach(builder::config);
      SparkSessions.CODE_CACHE.forEach(builder::config);
      SparkSessions.LOCAL_FILE_SYSTEM.forEach(builder::config);
      spark = builder.getOrCreate();
      spark.sparkContext().setLogLevel("WARN");
    }

    @Override
    public void close() {
      spark.stop();
    }
  }

  private static volatile Holder holder;

  @Override
  public void beforeAll(ExtensionContext context) {
    holder =
        context
            .getRoot()
            .getStore(NS)
            .getOrComputeIfAbsent(
                Holder.class,
                k -> {
                  try {
                    return new Holder();
                  } catch (IOException e) {
                    throw new IllegalStateException(e);
                  }
                },
                Holder.class);
  }

  /** The shared session; only valid inside a class extended with SharedSpark. */
  public static SparkSession session() {
    return holder.spark;
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == SparkSession.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    beforeAll(e);
    return holder.spark;
  }
}
