package io.segpipe.modelling;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segpipe.common.UserError;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.tables.Tables;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

/**
 * The models folder: each model version at {@code <models>/<name>/<version>/} with the MLlib
 * pipeline in {@code model/}, its {@code metadata.json} (written last, so a half-written version is
 * never picked) and, for the cluster rules, {@code rules.json} ({@link ClusterRule}s: each rule's
 * conditions, SQL predicate and cluster code; rules of older models lack the conditions and have
 * the English label instead of the code). The model_runs table lists every version with its
 * metrics. Files go through Hadoop's FileSystem, so the folder may be on HDFS or S3.
 */
public final class ModelRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
  public static final String CLUSTERS = "clusters";
  public static final String CLUSTER_RULES = "cluster-rules";
  public static final String CHURN = "churn";

  static final StructType RUNS_SCHEMA = Tables.MODEL_RUNS.columns();

  /**
   * Fields are only ever added to these files (rules.json got conditions): a reader ignores the
   * ones it does not know, so a later segpipe's model is still read by this one.
   */
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** A model ready to apply, with what it is; {@code rules} is empty for models without rules. */
  public record LoadedModel(
      PipelineModel model, ModelMetadata metadata, String path, List<ClusterRule> rules) {}

  private final SparkSession spark;
  private final Lake lake;
  private final String root;

  /**
   * Pipelines loaded in this JVM, by folder and metadata: a pipeline or backfill scores every date
   * with the same version, and MLlib's load runs a dozen small Spark jobs (2 to 3 s for the three
   * models). A version saved again (same folder, new run and training time) is another key, so it
   * is read from its files. The few most recent are kept.
   */
  private static final int LOADED_KEPT = 6;

  private record LoadedKey(String dir, ModelMetadata metadata) {}

  private static final Map<LoadedKey, PipelineModel> LOADED =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<LoadedKey, PipelineModel> eldest) {
          return size() > LOADED_KEPT;
        }
      };

  /**
   * @param folder relative to the lake root, or an absolute path or URI
   */
  public ModelRegistry(SparkSession spark, Lake lake, String folder) {
    this.spark = spark;
    this.lake = lake;
    this.root = lake.folder(folder);
  }

  /** The registry the config names (segpipe.train.models): what the segment job opens. */
  public static ModelRegistry open(SparkSession spark, Lake lake, SegpipeConfig config) {
    return new ModelRegistry(spark, lake, config.section(r -> r.string("segpipe.train.models")));
  }

  public String root() {
    return root;
  }

  public String path(String name, String version) {
    return root + "/" + name + "/" + version;
  }

  /** Saves one version: the pipeline, the rules if any, then the metadata that makes it visible. */
  public String save(PipelineModel model, ModelMetadata metadata, List<ClusterRule> rules) {
    String dir = path(metadata.name(), metadata.version());
    try {
      model.write().overwrite().save(dir + "/model");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save model " + dir, e);
    }
    if (!rules.isEmpty()) {
      writeJson(dir + "/rules.json", rules);
    }
    writeJson(dir + "/metadata.json", metadata);
    return dir;
  }

  /**
   * Saves a model that is its parameters only (e.g. the lifetime value models): metadata.json holds
   * them, and writing it makes the version visible.
   */
  public String saveParameters(ModelMetadata metadata) {
    String dir = path(metadata.name(), metadata.version());
    writeJson(dir + "/metadata.json", metadata);
    return dir;
  }

  /**
   * The latest version trained on data as of {@code asOf} or before (latest as-of date, then latest
   * trained): a date is never scored with a model that learnt from later data. Empty when there is
   * none.
   */
  public Optional<ModelMetadata> latestAtOrBefore(String name, LocalDate asOf) {
    return versions(name).stream()
        .filter(m -> !LocalDate.parse(m.asOfDate()).isAfter(asOf))
        .reduce((earlier, later) -> later);
  }

  /** Appends one model_runs row per saved model, in one commit. */
  public void record(List<ModelMetadata> models) {
    List<Row> rows =
        models.stream()
            .map(
                m ->
                    RowFactory.create(
                        m.name(),
                        m.version(),
                        Date.valueOf(m.asOfDate()),
                        m.runId(),
                        Timestamp.from(Instant.parse(m.trainedAt())),
                        path(m.name(), m.version()),
                        m.features().toArray(),
                        scalaMap(stringParameters(m.parameters())),
                        scalaMap(numericMetrics(m.metrics())),
                        m.trainingRows(),
                        m.dataFrom() == null ? null : Date.valueOf(m.dataFrom()),
                        m.dataTo() == null ? null : Date.valueOf(m.dataTo())))
            .toList();
    lake.append(spark.createDataFrame(rows, RUNS_SCHEMA).coalesce(1), Tables.MODEL_RUNS);
  }

  /**
   * Loads a model to apply to {@code features}: the pinned version, or else the latest (latest
   * as-of date, then latest trained). Fails with a message saying what to do when there is none,
   * the pinned one does not exist, or it was trained on other features.
   */
  public LoadedModel load(String name, Optional<String> pinnedVersion, List<String> features) {
    List<ModelMetadata> versions = versions(name);
    if (versions.isEmpty()) {
      throw new UserError(
          "There is no "
              + name
              + " model in "
              + root
              + "/"
              + name
              + ". Train one with"
              + " `scripts/segpipe train --as-of YYYY-MM-DD` (same segpipe.lake.root and segpipe.train.models).");
    }
    ModelMetadata chosen =
        pinnedVersion
            .map(
                v ->
                    versions.stream()
                        .filter(m -> m.version().equals(v))
                        .findFirst()
                        .orElseThrow(
                            () ->
                                new UserError(
                                    "There is no version "
                                        + v
                                        + " of the "
                                        + name
                                        + " model in "
                                        + root
                                        + "/"
                                        + name
                                        + ". Versions there: "
                                        + versions.stream().map(ModelMetadata::version).toList()
                                        + ".")))
            .orElse(versions.get(versions.size() - 1));
    if (!chosen.features().equals(features)) {
      throw new UserError(
          "The "
              + name
              + " model version "
              + chosen.version()
              + " was trained on the features "
              + chosen.features()
              + " but the configuration asks for "
              + features
              + ". Retrain with `scripts/segpipe train`"
              + " under the current configuration, or pin a version trained on these features.");
    }
    String dir = path(name, chosen.version());
    List<ClusterRule> rules =
        exists(dir + "/rules.json")
            ? readJson(dir + "/rules.json", new TypeReference<List<ClusterRule>>() {})
            : List.of();
    return new LoadedModel(pipeline(dir, chosen), chosen, dir, rules);
  }

  private static PipelineModel pipeline(String dir, ModelMetadata metadata) {
    LoadedKey key = new LoadedKey(dir, metadata);
    synchronized (LOADED) {
      PipelineModel kept = LOADED.get(key);
      if (kept != null) {
        LOG.info("{} {}: loaded earlier in this process", metadata.name(), metadata.version());
        return kept;
      }
    }
    PipelineModel loaded = PipelineModel.load(dir + "/model");
    synchronized (LOADED) {
      LOADED.put(key, loaded);
    }
    return loaded;
  }

  /** Every complete version of a model, oldest first (by as-of date, then training time). */
  public List<ModelMetadata> versions(String name) {
    List<ModelMetadata> versions = new ArrayList<>();
    try {
      Path folder = new Path(root + "/" + name);
      FileSystem fs = folder.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(folder)) {
        return versions;
      }
      for (FileStatus status : fs.listStatus(folder)) {
        Path metadata = new Path(status.getPath(), "metadata.json");
        if (status.isDirectory() && fs.exists(metadata)) {
          versions.add(readJson(metadata.toString(), new TypeReference<ModelMetadata>() {}));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + "/" + name, e);
    }
    versions.sort(
        Comparator.comparing(ModelMetadata::asOfDate)
            .thenComparing(ModelMetadata::trainedAt)
            .thenComparing(ModelMetadata::version));
    return versions;
  }

  private boolean exists(String file) {
    try {
      Path path = new Path(file);
      return path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot look for " + file, e);
    }
  }

  private void writeJson(String file, Object value) {
    Path path = new Path(file);
    try (OutputStream out =
        path.getFileSystem(spark.sparkContext().hadoopConfiguration()).create(path, true)) {
      JSON.writeValue(out, value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private <T> T readJson(String file, TypeReference<T> type) {
    Path path = new Path(file);
    try (InputStream in =
        path.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(path)) {
      return JSON.readValue(in, type);
    } catch (IOException e) {
      throw new UserError(
          "Cannot read "
              + file
              + " ("
              + e.getMessage()
              + "): the model folder is damaged or was"
              + " written by an incompatible segpipe version. Retrain with `scripts/segpipe train`.",
          e);
    }
  }

  static Map<String, String> stringParameters(Map<String, Object> parameters) {
    Map<String, String> out = new LinkedHashMap<>();
    parameters.forEach((k, v) -> out.put(k, String.valueOf(sortedMaps(v))));
    return out;
  }

  /**
   * A value with every map in it (at any depth) in key order: the text of a parameter must not
   * follow a map's iteration order, which for Map.of differs from one JVM to the next.
   */
  private static Object sortedMaps(Object value) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> sorted = new TreeMap<>();
      m.forEach((k, v) -> sorted.put(String.valueOf(k), sortedMaps(v)));
      return sorted;
    }
    if (value instanceof List<?> l) {
      return l.stream().map(ModelRegistry::sortedMaps).toList();
    }
    return value;
  }

  /** Numeric metrics; a list of per-k scores becomes silhouette_k3, cost_k3, ... */
  private static Map<String, Double> numericMetrics(Map<String, Object> metrics) {
    Map<String, Double> out = new LinkedHashMap<>();
    metrics.forEach(
        (k, v) -> {
          if (v instanceof Number n) {
            out.put(k, n.doubleValue());
          } else if (v instanceof List<?> list) {
            for (Object item : list) {
              if (item instanceof KSearch.Score s) {
                out.put("silhouette_k" + s.k(), s.silhouette());
                out.put("cost_k" + s.k(), s.cost());
              }
            }
          }
        });
    return out;
  }

  // Scala's immutable Map beside java.util.Map: one of them has to be written out.
  private static <K, V>
      scala.collection.immutable.Map<K, V> scalaMap( // NOCHECKSTYLE fullyQualifiedName
      Map<K, V> map) {
    return JavaConverters.mapAsScalaMap(map)
        .toMap(scala.Predef$.MODULE$.<scala.Tuple2<K, V>>$conforms());
  }
}
