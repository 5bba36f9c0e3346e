package io.segpipe.audience;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segpipe.common.text.Sha256;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One audience set: {@code <slug>.csv}, {@code <slug>.jsonl} and {@code manifest.json} in {@code
 * <root>/<as_of_date>/<segmentation>/<slug>/}. Each file is one file (not a Spark part-file
 * folder), streamed from the executors a partition at a time in the order of the given rows, so the
 * driver never holds the audience and the same rows give the same bytes. The set is written to a
 * hidden temporary folder beside its place and swapped in only when complete.
 */
public final class AudienceFiles {
  public static final String MANIFEST = "manifest.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
  private static final ObjectMapper PRETTY = JSON.copy().enable(SerializationFeature.INDENT_OUTPUT);

  /** What was written, as the manifest says it. */
  public record Written(
      String segmentation, String segment, String folder, long rows, Map<String, String> sha256) {}

  private AudienceFiles() {}

  /**
   * The folder name of a segment: its code as it is (codes are lower-case ASCII letters, digits and
   * _); anything else (a cluster label, say) lower case, apostrophes dropped, other runs as "-".
   */
  public static String slug(String segment) {
    return segment
        .toLowerCase(Locale.ROOT)
        .replace("'", "")
        .replaceAll("[^a-z0-9_]+", "-")
        .replaceAll("^-+|-+$", "");
  }

  /**
   * Writes the set for one segment and swaps it in, replacing the previous set of that segment.
   *
   * @param rows the audience, its columns exactly {@code columns}, already in file order
   */
  public static Written write(
      Configuration hadoop,
      String root,
      LocalDate asOf,
      String segmentation,
      String segment,
      Dataset<Row> rows,
      List<String> columns,
      boolean pseudonymised,
      String runId) {
    return write(
        hadoop,
        root,
        asOf,
        segmentation,
        segment,
        rows,
        columns,
        pseudonymised,
        false,
        runId,
        Map.of());
  }

  /**
   * As {@link #write(Configuration, String, LocalDate, String, String, Dataset, List, boolean,
   * String)}, with {@code extra} fields in the manifest after the segment's (a campaign's id and
   * group, for instance).
   *
   * @param bom start the CSV with the UTF-8 byte-order mark, which Excel needs to read UTF-8
   *     (Chinese) text
   */
  public static Written write(
      Configuration hadoop,
      String root,
      LocalDate asOf,
      String segmentation,
      String segment,
      Dataset<Row> rows,
      List<String> columns,
      boolean pseudonymised,
      boolean bom,
      String runId,
      Map<String, Object> extra) {
    String slug = slug(segment);
    Path parent = new Path(root + "/" + asOf + "/" + segmentation);
    Path target = new Path(parent, slug);
    Path temporary = new Path(parent, "." + slug + ".tmp-" + runId);
    try {
      FileSystem fs = withoutChecksumFiles(target.getFileSystem(hadoop));
      try {
        fs.mkdirs(temporary);
        Map<String, String> sha256 = new LinkedHashMap<>();
        long rowCount =
            writeRows(fs, temporary, slug, rows.toLocalIterator(), columns, bom, sha256);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("segmentation", segmentation);
        manifest.put("segment", segment);
        manifest.putAll(extra);
        manifest.put("as_of_date", asOf.toString());
        manifest.put("rows", rowCount);
        manifest.put("columns", columns);
        manifest.put("csv_byte_order_mark", bom);
        manifest.put("pseudonymised", pseudonymised);
        if (pseudonymised) {
          manifest.put("pseudonym_scheme", Pseudonyms.SCHEME);
        }
        manifest.put(
            "consent",
            "only customers whose "
                + CustomerSegmentsColumns.CONSENT
                + " is true in the customers"
                + " dimension when the set was written");
        manifest.put("order", "sorted by " + CustomerSegmentsColumns.CUSTOMER_ID);
        Map<String, Object> files = new LinkedHashMap<>();
        sha256.forEach((name, digest) -> files.put(name, Map.of("sha256", digest)));
        manifest.put("files", files);
        try (OutputStream out = fs.create(new Path(temporary, MANIFEST), true)) {
          out.write(PRETTY.writeValueAsBytes(manifest));
          out.write('\n');
        }
        swapIn(fs, temporary, target, new Path(parent, "." + slug + ".old-" + runId));
        return new Written(segmentation, segment, target.toString(), rowCount, sha256);
      } finally {
        if (fs.exists(temporary)) {
          fs.delete(temporary, true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the audience " + segmentation + "/" + segment + " at " + target, e);
    }
  }

  /**
   * Removes the sets under {@code <root>/<asOf>/} that this run did not write: segments or
   * segmentations taken out of segpipe.export.audiences.segments since an earlier export of the
   * same date. Only folders holding a manifest (sets segpipe wrote) are removed, and a segmentation
   * folder left empty; anything else there, and hidden folders, are left alone.
   *
   * @param configured the segments per segmentation whose sets this run wrote
   * @return the sets removed, as {@code segmentation/slug}, sorted
   */
  public static List<String> removeOthers(
      Configuration hadoop, String root, LocalDate asOf, Map<String, List<String>> configured) {
    Set<String> kept = new HashSet<>();
    configured.forEach(
        (segmentation, segments) -> segments.forEach(s -> kept.add(segmentation + "/" + slug(s))));
    Path date = new Path(root + "/" + asOf);
    try {
      FileSystem fs = withoutChecksumFiles(date.getFileSystem(hadoop));
      List<String> removed = new ArrayList<>();
      if (!fs.exists(date)) {
        return removed;
      }
      for (Path segmentation : visibleFolders(fs, date)) {
        for (Path set : visibleFolders(fs, segmentation)) {
          String name = segmentation.getName() + "/" + set.getName();
          if (!kept.contains(name) && fs.exists(new Path(set, MANIFEST))) {
            fs.delete(set, true);
            removed.add(name);
          }
        }
        if (fs.listStatus(segmentation).length == 0) {
          fs.delete(segmentation, false);
        }
      }
      Collections.sort(removed);
      return removed;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot remove the audience sets of "
              + asOf
              + " that are no longer configured"
              + " from "
              + date,
          e);
    }
  }

  static List<Path> visibleFolders(FileSystem fs, Path parent) throws IOException {
    return Arrays.stream(fs.listStatus(parent))
        .filter(FileStatus::isDirectory)
        .map(FileStatus::getPath)
        .filter(p -> !p.getName().startsWith("."))
        .sorted()
        .toList();
  }

  /**
   * Hadoop's local file system writes a hidden .crc file beside each file; marketing tools want
   * none.
   */
  static FileSystem withoutChecksumFiles(FileSystem fs) {
    return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
  }

  /** The UTF-8 byte-order mark, as the one character it decodes to. */
  static final char BOM = '\uFEFF';

  private static long writeRows(
      FileSystem fs,
      Path folder,
      String slug,
      Iterator<Row> rows,
      List<String> columns,
      boolean bom,
      Map<String, String> sha256)
      throws IOException {
    MessageDigest csvDigest = Sha256.digest();
    MessageDigest jsonDigest = Sha256.digest();
    long count = 0;
    try (Writer csv = writer(fs, new Path(folder, slug + ".csv"), csvDigest);
        Writer json = writer(fs, new Path(folder, slug + ".jsonl"), jsonDigest)) {
      if (bom) {
        csv.write(BOM);
      }
      csv.write(String.join(",", columns.stream().map(AudienceFiles::csvField).toList()));
      csv.write('\n');
      while (rows.hasNext()) {
        Row row = rows.next();
        Map<String, Object> object = new LinkedHashMap<>();
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
          Object value = plain(row.get(i));
          object.put(columns.get(i), value);
          if (i > 0) {
            line.append(',');
          }
          line.append(
              value == null
                  ? ""
                  : csvField(value instanceof BigDecimal d ? d.toPlainString() : value.toString()));
        }
        csv.write(line.append('\n').toString());
        json.write(JSON.writeValueAsString(object));
        json.write('\n');
        count++;
      }
    }
    sha256.put(slug + ".csv", HexFormat.of().formatHex(csvDigest.digest()));
    sha256.put(slug + ".jsonl", HexFormat.of().formatHex(jsonDigest.digest()));
    return count;
  }

  /** Dates as ISO text; everything else as Spark returns it (strings, numbers, booleans). */
  private static Object plain(Object value) {
    return value instanceof Date || value instanceof LocalDate ? value.toString() : value;
  }

  /** RFC 4180: quoted when it holds a comma, quote, line break or edge space; quotes doubled. */
  static String csvField(String value) {
    boolean quote =
        value.contains(",")
            || value.contains("\"")
            || value.contains("\n")
            || value.contains("\r")
            || (!value.isEmpty()
                && (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' '));
    return quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
  }

  static Writer writer(FileSystem fs, Path path, MessageDigest digest) throws IOException {
    return new BufferedWriter(
        new OutputStreamWriter(
            new DigestOutputStream(fs.create(path, true), digest), StandardCharsets.UTF_8),
        1 << 16);
  }

  /**
   * The previous set is moved aside, the new one renamed into its place, then the old one deleted;
   * if the second rename fails the previous set is put back. Renames of folders are atomic on HDFS
   * and local disks; on object stores (s3a) they are copies, and a reader may see the place empty
   * for a moment.
   */
  static void swapIn(FileSystem fs, Path temporary, Path target, Path old) throws IOException {
    boolean hadPrevious = fs.exists(target);
    if (hadPrevious && !fs.rename(target, old)) {
      throw new IOException("cannot move the previous set " + target + " aside to " + old);
    }
    if (!fs.rename(temporary, target)) {
      if (hadPrevious) {
        fs.rename(old, target);
      }
      throw new IOException("cannot rename " + temporary + " to " + target);
    }
    if (hadPrevious) {
      fs.delete(old, true);
    }
  }
}
