package io.segpipe.jobs.features;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.segpipe.common.config.ConfigReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The RFM segment map from config: each segment a range of R and a range of FM (the mean of the F and
 * M scores), inclusive. It must put every one of the 125 cells (R, F, M) in exactly one segment.
 */
public final class RfmSegmentMap {
  /** One segment: R between rFrom and rTo, FM between fmFrom and fmTo, all inclusive. */
  public record Segment(String name, double rFrom, double rTo, double fmFrom, double fmTo) {
    boolean contains(int r, int f, int m) {
      double fm = (f + m) / 2.0;
      return r >= rFrom && r <= rTo && fm >= fmFrom && fm <= fmTo;
    }
  }

  public static final StructType CELLS_SCHEMA = new StructType()
      .add("rfm_cell", DataTypes.StringType, false)
      .add("rfm_segment", DataTypes.StringType, false);

  private final List<Segment> segments;
  private final Map<String, String> segmentOfCell;

  private RfmSegmentMap(List<Segment> segments, Map<String, String> segmentOfCell) {
    this.segments = List.copyOf(segments);
    this.segmentOfCell = Map.copyOf(segmentOfCell);
  }

  /**
   * Checks that the segments cover the 125 cells exactly once; throws IllegalArgumentException naming
   * the cells that no segment or several segments claim.
   */
  public static RfmSegmentMap of(List<Segment> segments) {
    Map<String, String> segmentOfCell = new LinkedHashMap<>();
    List<String> uncovered = new ArrayList<>();
    List<String> overlapping = new ArrayList<>();
    for (int r = 1; r <= 5; r++) {
      for (int f = 1; f <= 5; f++) {
        for (int m = 1; m <= 5; m++) {
          int rr = r, ff = f, mm = m;
          List<String> claims = segments.stream().filter(s -> s.contains(rr, ff, mm)).map(Segment::name).toList();
          String cell = "" + r + f + m;
          if (claims.isEmpty()) {
            uncovered.add(cell);
          } else if (claims.size() > 1) {
            overlapping.add(cell + " (" + String.join(", ", claims) + ")");
          } else {
            segmentOfCell.put(cell, claims.get(0));
          }
        }
      }
    }
    List<String> problems = new ArrayList<>();
    if (!uncovered.isEmpty()) {
      problems.add(uncovered.size() + " cell(s) in no segment: " + String.join(", ", uncovered));
    }
    if (!overlapping.isEmpty()) {
      problems.add(overlapping.size() + " cell(s) in more than one segment: " + String.join(", ", overlapping));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("the segment map must put each of the 125 RFM cells (R, F, M; FM = (F + M) / 2)"
          + " in exactly one segment: " + String.join("; ", problems));
    }
    return new RfmSegmentMap(segments, segmentOfCell);
  }

  /** Reads {@code key} (a list of {name, r = [from, to], fm = [from, to]}) and checks it, reporting to the reader. */
  public static RfmSegmentMap read(ConfigReader reader, String key) {
    List<? extends Config> entries;
    try {
      entries = reader.config().getConfigList(key);
    } catch (ConfigException e) {
      reader.problem(key, "expected a list of segments like { name = \"Champions\", r = [5, 5], fm = [4, 5] }");
      return null;
    }
    List<Segment> segments = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Config entry = entries.get(i);
      String where = key + "[" + i + "]";
      ConfigReader one = new ConfigReader(entry);
      String name = one.string("name");
      double[] r = range(one, "r");
      double[] fm = range(one, "fm");
      one.problems().forEach(p -> reader.problems().add(where + ": " + p));
      if (one.problems().isEmpty()) {
        segments.add(new Segment(name, r[0], r[1], fm[0], fm[1]));
      }
    }
    if (segments.size() != entries.size()) {
      return null;
    }
    List<String> duplicates = segments.stream().collect(Collectors.groupingBy(Segment::name, Collectors.counting()))
        .entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    if (!duplicates.isEmpty()) {
      reader.problem(key, "segment names must be unique; repeated: " + String.join(", ", duplicates));
      return null;
    }
    try {
      return of(segments);
    } catch (IllegalArgumentException e) {
      reader.problem(key, e.getMessage());
      return null;
    }
  }

  private static double[] range(ConfigReader reader, String key) {
    try {
      List<Double> bounds = reader.config().getDoubleList(key);
      if (bounds.size() == 2 && bounds.get(0) <= bounds.get(1) && bounds.get(0) >= 1 && bounds.get(1) <= 5) {
        return new double[] {bounds.get(0), bounds.get(1)};
      }
    } catch (ConfigException e) {
      // reported below
    }
    reader.problem(key, "expected a range [from, to] of scores between 1 and 5, from <= to, e.g. [4, 5]");
    return new double[] {0, 0};
  }

  public List<Segment> segments() {
    return segments;
  }

  /** The segment of a cell such as "545". */
  public String segmentOf(String cell) {
    return segmentOfCell.get(cell);
  }

  /** The 125 cells and their segments, as a small DataFrame to join scores with. */
  public Dataset<Row> cells(SparkSession spark) {
    List<Row> rows = segmentOfCell.entrySet().stream().map(e -> RowFactory.create(e.getKey(), e.getValue())).toList();
    return spark.createDataFrame(rows, CELLS_SCHEMA);
  }
}
