package io.segpipe.features;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.segpipe.common.config.ConfigReader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * How rfm_segment is assigned (segpipe.features.rfm.scheme). score-map: the cell of the R, F and M
 * scores through the configured {@link RfmSegmentMap}. cn-8: the eight classes of the Chinese RFM
 * model, from whether the raw recency_days, frequency and monetary of a purchaser are high or low
 * against the snapshot's threshold over purchasers (its mean, or its median): F and M are high
 * strictly above it, R (recent) is high when recency_days is strictly below it.
 */
public final class RfmSchemes {
  public static final String SCHEME_KEY = "segpipe.features.rfm.scheme";
  public static final String SEGMENTS_KEY = "segpipe.features.rfm.segments";
  public static final String THRESHOLD_KEY = "segpipe.features.rfm.cn-8.threshold";

  public static final String SCORE_MAP = "score-map";
  public static final String CN8 = "cn-8";
  public static final List<String> SCHEMES = List.of(SCORE_MAP, CN8);
  public static final String MEAN = "mean";
  public static final String MEDIAN = "median";
  public static final List<String> THRESHOLDS = List.of(MEAN, MEDIAN);

  /** One cn-8 class: its code and whether R (recent), F and M are high. */
  public record Cn8Class(String code, boolean recent, boolean frequent, boolean spending) {
    /** The key rfm_scores.sql builds for a purchaser: h or l for R, F and M, e.g. "hlh". */
    public String key() {
      return key(recent, frequent, spending);
    }

    static String key(boolean recent, boolean frequent, boolean spending) {
      return (recent ? "h" : "l") + (frequent ? "h" : "l") + (spending ? "h" : "l");
    }
  }

  /**
   * The eight classes, in the order the report lists them; each of the 8 high/low patterns once.
   */
  public static final List<Cn8Class> CN8_CLASSES =
      List.of(
          new Cn8Class("important_value", true, true, true),
          new Cn8Class("important_develop", true, false, true),
          new Cn8Class("important_keep", false, true, true),
          new Cn8Class("important_win_back", false, false, true),
          new Cn8Class("general_value", true, true, false),
          new Cn8Class("general_develop", true, false, false),
          new Cn8Class("general_keep", false, true, false),
          new Cn8Class("general_win_back", false, false, false));

  /** segment_key (an RFM cell, or a cn-8 high/low key) onto the segment's code. */
  static final StructType KEYS_SCHEMA =
      new StructType()
          .add("segment_key", DataTypes.StringType, false)
          .add("rfm_segment", DataTypes.StringType, false);

  private RfmSchemes() {}

  /** The cn-8 class of a purchaser with R, F and M high or low. */
  public static String cn8Code(boolean recent, boolean frequent, boolean spending) {
    String key = Cn8Class.key(recent, frequent, spending);
    return CN8_CLASSES.stream().filter(c -> c.key().equals(key)).findFirst().orElseThrow().code();
  }

  /**
   * The configured scheme: {@code name} score-map (with its checked {@code map}) or cn-8 (with
   * {@code threshold} mean or median; map null).
   */
  public record Scheme(String name, String threshold, RfmSegmentMap map) {
    public static Scheme cn8(String threshold) {
      return new Scheme(CN8, threshold, null);
    }

    public boolean cn8() {
      return CN8.equals(name);
    }

    /** The codes rfm_segment can hold, in the scheme's order. */
    public List<String> codes() {
      return cn8()
          ? CN8_CLASSES.stream().map(Cn8Class::code).toList()
          : map.segments().stream().map(RfmSegmentMap.Segment::code).toList();
    }

    /**
     * The cn-8 threshold of one measure: its mean or its median over purchasers. Null under
     * score-map.
     */
    public Double threshold(RfmScores.Boundaries measure) {
      return !cn8() ? null : MEDIAN.equals(threshold) ? measure.median() : measure.mean();
    }

    public String describe() {
      return cn8() ? CN8 + " (high or low against the " + threshold + ")" : SCORE_MAP;
    }

    /** The small table rfm_scores.sql joins on: segment_key onto rfm_segment. */
    Dataset<Row> keys(SparkSession spark) {
      List<Row> rows = new ArrayList<>();
      if (cn8()) {
        CN8_CLASSES.forEach(c -> rows.add(RowFactory.create(c.key(), c.code())));
      } else {
        map.segmentOfCell().forEach((cell, code) -> rows.add(RowFactory.create(cell, code)));
      }
      return spark.createDataFrame(rows, KEYS_SCHEMA);
    }
  }

  /**
   * Reads and checks segpipe.features.rfm: the scheme, cn-8's threshold, and the segment map when
   * it is used.
   */
  public static Scheme read(ConfigReader reader) {
    String name = reader.string(SCHEME_KEY);
    if (!name.isEmpty() && !SCHEMES.contains(name)) {
      reader.problem(SCHEME_KEY, "'" + name + "' is not a scheme; choose from " + SCHEMES);
    }
    String threshold = reader.string(THRESHOLD_KEY);
    if (!threshold.isEmpty() && !THRESHOLDS.contains(threshold)) {
      reader.problem(
          THRESHOLD_KEY, "'" + threshold + "' is not a threshold; choose from " + THRESHOLDS);
    }
    if (CN8.equals(name)) {
      return new Scheme(CN8, threshold, null);
    }
    RfmSegmentMap map = RfmSegmentMap.read(reader, SEGMENTS_KEY);
    return map == null ? null : new Scheme(SCORE_MAP, threshold, map);
  }

  /**
   * The codes rfm_segment can hold under the configured scheme, in the scheme's order: cn-8's
   * eight, or the codes of segpipe.features.rfm.segments as written (the features job checks that
   * map). For the jobs that check configured codes or list the segments (export, report). An
   * unknown scheme is reported on {@code reader} and gives no codes; a segment list that cannot be
   * read throws {@link ConfigException}.
   */
  public static List<String> codes(ConfigReader reader) {
    Config config = reader.config();
    String name =
        config.hasPath(SCHEME_KEY)
            ? String.valueOf(config.getValue(SCHEME_KEY).unwrapped())
            : SCORE_MAP;
    if (CN8.equals(name)) {
      return Scheme.cn8(MEAN).codes();
    }
    if (!SCORE_MAP.equals(name)) {
      reader.problem(SCHEME_KEY, "'" + name + "' is not a scheme; choose from " + SCHEMES);
      return List.of();
    }
    Set<String> codes = new LinkedHashSet<>();
    for (Config segment : config.getConfigList(SEGMENTS_KEY)) {
      codes.add(segment.getString("code"));
    }
    return List.copyOf(codes);
  }
}
