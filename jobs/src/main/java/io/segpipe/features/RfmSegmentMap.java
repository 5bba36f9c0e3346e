package io.segpipe.features;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.segpipe.common.config.ConfigReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The RFM segment map from config (scheme score-map): each segment states ranges, inclusive, on any
 * of R, F, M and FM (the mean of the F and M scores); a range left out accepts any score. It must
 * put every one of the 125 cells (R, F, M) in exactly one segment.
 */
public final class RfmSegmentMap {
  /** A segment's code: what rfm_segment holds, the same in every locale. */
  public static final Pattern CODE = SegmentCodes.CODE;

  /** The score conditions a segment may state, in the order of its config entry. */
  public static final List<String> CONDITIONS = List.of("r", "f", "m", "fm");

  /** Scores from {@code from} to {@code to}, inclusive. */
  public record Range(double from, double to) {
    boolean contains(double score) {
      return score >= from && score <= to;
    }
  }

  /**
   * One segment: its code and a range for each of R, F, M and FM (the mean of F and M), all
   * inclusive; a null range accepts any score.
   */
  public record Segment(String code, Range r, Range f, Range m, Range fm) {
    boolean contains(int rScore, int fScore, int mScore) {
      return accepts(r, rScore)
          && accepts(f, fScore)
          && accepts(m, mScore)
          && accepts(fm, (fScore + mScore) / 2.0);
    }

    private static boolean accepts(Range range, double score) {
      return range == null || range.contains(score);
    }
  }

  private final List<Segment> segments;
  private final Map<String, String> segmentOfCell;

  private RfmSegmentMap(List<Segment> segments, Map<String, String> segmentOfCell) {
    this.segments = List.copyOf(segments);
    this.segmentOfCell = Map.copyOf(segmentOfCell);
  }

  /**
   * Checks that the segments cover the 125 cells exactly once; throws IllegalArgumentException
   * naming the cells that no segment or several segments claim.
   */
  public static RfmSegmentMap of(List<Segment> segments) {
    Map<String, String> segmentOfCell = new LinkedHashMap<>();
    List<String> uncovered = new ArrayList<>();
    List<String> overlapping = new ArrayList<>();
    for (int r = 1; r <= 5; r++) {
      for (int f = 1; f <= 5; f++) {
        for (int m = 1; m <= 5; m++) {
          int rr = r, ff = f, mm = m;
          List<String> claims =
              segments.stream().filter(s -> s.contains(rr, ff, mm)).map(Segment::code).toList();
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
      problems.add(
          overlapping.size()
              + " cell(s) in more than one segment: "
              + String.join(", ", overlapping));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "the segment map must put each of the 125 RFM cells (R, F, M; FM = (F + M) / 2)"
              + " in exactly one segment: "
              + String.join("; ", problems));
    }
    return new RfmSegmentMap(segments, segmentOfCell);
  }

  /**
   * Reads {@code key} (a list of {code, and any of r, f, m, fm = [from, to]}) and checks it,
   * reporting to the reader.
   */
  public static RfmSegmentMap read(ConfigReader reader, String key) {
    List<? extends Config> entries;
    try {
      entries = reader.config().getConfigList(key);
    } catch (ConfigException e) {
      reader.problem(
          key, "expected a list of segments like { code = champions, r = [5, 5], fm = [4, 5] }");
      return null;
    }
    List<Segment> segments = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Config entry = entries.get(i);
      String where = key + "[" + i + "]";
      ConfigReader one = new ConfigReader(entry);
      String name = one.string("code");
      SegmentCodes.check(one, "code", name, "rfm_segment", "at_risk");
      Map<String, Range> ranges = new LinkedHashMap<>();
      for (String condition : CONDITIONS) {
        ranges.put(condition, entry.hasPath(condition) ? range(one, condition) : null);
      }
      one.problems().forEach(p -> reader.problems().add(where + ": " + p));
      if (one.problems().isEmpty()) {
        segments.add(
            new Segment(name, ranges.get("r"), ranges.get("f"), ranges.get("m"), ranges.get("fm")));
      }
    }
    if (segments.size() != entries.size()) {
      return null;
    }
    if (!SegmentCodes.unique(reader, key, segments.stream().map(Segment::code).toList())) {
      return null;
    }
    try {
      return of(segments);
    } catch (IllegalArgumentException e) {
      reader.problem(key, e.getMessage());
      return null;
    }
  }

  private static Range range(ConfigReader reader, String key) {
    try {
      List<Double> bounds = reader.config().getDoubleList(key);
      if (bounds.size() == 2
          && bounds.get(0) <= bounds.get(1)
          && bounds.get(0) >= 1
          && bounds.get(1) <= 5) {
        return new Range(bounds.get(0), bounds.get(1));
      }
    } catch (ConfigException e) {
      // reported below
    }
    reader.problem(
        key, "expected a range [from, to] of scores between 1 and 5, from <= to, e.g. [4, 5]");
    return null;
  }

  public List<Segment> segments() {
    return segments;
  }

  /** The segment of a cell such as "545". */
  public String segmentOf(String cell) {
    return segmentOfCell.get(cell);
  }

  /** The 125 cells and their segments. */
  public Map<String, String> segmentOfCell() {
    return segmentOfCell;
  }
}
