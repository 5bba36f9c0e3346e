package io.segpipe.jobs.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.delta.tables.DeltaTable;
import io.segpipe.common.i18n.Labels;
import io.segpipe.common.i18n.Messages;
import io.segpipe.common.lake.Lake;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Moves a lake written before codes to codes, in place: every column holding an RFM segment name or
 * an English cluster label gets the code (Delta UPDATE, one commit per table, partitions kept),
 * customer_segments gains the label columns filled in the locale, campaigns' audiences name codes
 * (their definition hash recomputed), and audience sets move to folders named by codes. Values that
 * are codes already are left alone, so a second run changes nothing.
 */
final class LakeMigration {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper PRETTY = JSON.copy().enable(SerializationFeature.INDENT_OUTPUT);

  private final SparkSession spark;
  private final Lake lake;
  private final Messages messages;
  private final Map<String, String> rfm;
  private final UnaryOperator<String> clusterCode;
  private final UnaryOperator<String> clusterName;
  private final Map<String, String> changes = new LinkedHashMap<>();

  /**
   * @param rfm RFM segment names to codes (the built-in English labels and the config's own)
   * @param clusterCode the code of a cluster label (codes map to themselves)
   * @param clusterName the label, in the locale, of a cluster code
   */
  LakeMigration(
      SparkSession spark,
      Lake lake,
      Messages messages,
      Map<String, String> rfm,
      UnaryOperator<String> clusterCode,
      UnaryOperator<String> clusterName) {
    this.spark = spark;
    this.lake = lake;
    this.messages = messages;
    this.rfm = Map.copyOf(rfm);
    this.clusterCode = clusterCode;
    this.clusterName = clusterName;
  }

  /** What was changed, by table or folder: rows updated, sets moved. */
  Map<String, String> changes() {
    return changes;
  }

  void tables() {
    update("customer_features", Map.of("rfm_segment", rfm));
    customerSegments();
    Map<String, String> clusters = clusterMapping("segment_rules", "cluster_label");
    update("segment_rules", Map.of("cluster_label", clusters));
    for (String[] t :
        new String[][] {
          {"segment_profiles", "segment"},
          {"segment_transitions", "from_segment"},
          {"segment_transitions", "to_segment"}
        }) {
      if (lake.exists(t[0])) {
        Map<String, String> clusterValues = clusterMapping(t[0], t[1], "segmentation = 'cluster'");
        updateWhere(t[0], t[1], "segmentation = 'rfm_segment'", rfm);
        updateWhere(t[0], t[1], "segmentation = 'cluster'", clusterValues);
      }
    }
  }

  /** The cluster values of a column that are not codes, to their codes. */
  private Map<String, String> clusterMapping(String table, String column, String... where) {
    Map<String, String> out = new TreeMap<>();
    if (!lake.exists(table)) {
      return out;
    }
    var rows = lake.read(table, "");
    for (String w : where) {
      rows = rows.where(w);
    }
    rows.select(column)
        .distinct()
        .collectAsList()
        .forEach(
            r -> {
              if (!r.isNullAt(0)) {
                String value = r.getString(0);
                String code = clusterCode.apply(value);
                if (!code.equals(value)) {
                  out.put(value, code);
                }
              }
            });
    return out;
  }

  private void update(String table, Map<String, Map<String, String>> columns) {
    columns.forEach((column, mapping) -> updateWhere(table, column, "true", mapping));
  }

  /** UPDATE table SET column = code WHERE condition AND column IN (old values), one commit. */
  private void updateWhere(
      String table, String column, String condition, Map<String, String> mapping) {
    if (!lake.exists(table) || mapping.isEmpty()) {
      return;
    }
    Column old = functions.col(column);
    Column in = old.isin(mapping.keySet().toArray());
    Column where = functions.expr(condition).and(in);
    long rows = lake.read(table, "").where(where).count();
    if (rows == 0) {
      return;
    }
    DeltaTable.forPath(spark, lake.path(table)).update(where, Map.of(column, mapped(old, mapping)));
    changes.merge(
        table + "." + column,
        String.valueOf(rows),
        (a, b) -> String.valueOf(Long.parseLong(a) + Long.parseLong(b)));
  }

  private static Column mapped(Column column, Map<String, String> mapping) {
    List<Column> entries = new ArrayList<>();
    mapping.forEach(
        (k, v) -> {
          entries.add(functions.lit(k));
          entries.add(functions.lit(v));
        });
    return functions.coalesce(
        functions.element_at(functions.map(entries.toArray(Column[]::new)), column), column);
  }

  /**
   * Codes in rfm_segment and cluster_label, and the label columns added and filled, in one UPDATE.
   */
  private void customerSegments() {
    String table = "customer_segments";
    if (!lake.exists(table)) {
      return;
    }
    Set<String> present = new HashSet<>(Arrays.asList(lake.read(table, "").columns()));
    // code columns a snapshot this old does not have yet (needs_segment) get no label column here:
    // reading the table gives them, and their labels, as nulls
    List<String> coded = Labels.CODED.stream().filter(present::contains).toList();
    List<String> names = new ArrayList<>();
    coded.forEach(c -> names.add(Labels.nameColumn(c)));
    names.add("cluster_name");
    List<String> missing = names.stream().filter(n -> !present.contains(n)).toList();
    if (!missing.isEmpty()) {
      spark.sql(
          "ALTER TABLE delta.`"
              + lake.path(table)
              + "` ADD COLUMNS ("
              + String.join(", ", missing.stream().map(n -> n + " STRING").toList())
              + ")");
      changes.put(table + ".columns_added", String.join(",", missing));
    }
    // One pass over the distinct labels gives both the codes of old labels and every label's name.
    Map<String, String> clusters = new TreeMap<>();
    Map<String, String> clusterNames = new TreeMap<>();
    lake.read(table, "")
        .select("cluster_label")
        .distinct()
        .collectAsList()
        .forEach(
            r -> {
              if (!r.isNullAt(0)) {
                String label = r.getString(0);
                String code = clusterCode.apply(label);
                if (!code.equals(label)) {
                  clusters.put(label, code);
                }
                clusterNames.put(label, clusterName.apply(code));
              }
            });
    Column rfmCode = mapped(functions.col("rfm_segment"), rfm);
    Column clusterCodeColumn = mapped(functions.col("cluster_label"), clusters);
    Map<String, Column> set = new LinkedHashMap<>();
    set.put("rfm_segment", rfmCode);
    set.put("cluster_label", clusterCodeColumn);
    for (String column : coded) {
      Column code = column.equals("rfm_segment") ? rfmCode : functions.col(column);
      set.put(Labels.nameColumn(column), Labels.label(messages, column, code));
    }
    set.put(
        "cluster_name",
        clusterNames.isEmpty()
            ? functions.lit(null).cast("string")
            : mapped(functions.col("cluster_label"), clusterNames));
    Column where =
        functions
            .col("rfm_segment")
            .isin(rfm.keySet().toArray())
            .or(functions.col("lifecycle_stage_name").isNull());
    if (!clusters.isEmpty()) {
      where = where.or(functions.col("cluster_label").isin(clusters.keySet().toArray()));
    }
    long rows = lake.read(table, "").where(where).count();
    if (rows > 0) {
      DeltaTable.forPath(spark, lake.path(table)).update(where, set);
      changes.put(table + ".rows", String.valueOf(rows));
    }
  }

  /**
   * Campaigns whose audience names a segment by its old name: the audience text and the
   * definition's SHA-256 (which the export compares) are recomputed as the campaign, written today,
   * would give them.
   */
  void campaigns(CampaignHash hash) {
    String table = "campaigns";
    if (!lake.exists(table)) {
      return;
    }
    for (Row r : lake.read(table, "").collectAsList()) {
      String audience = r.getString(r.fieldIndex("audience"));
      int eq = audience.indexOf(" = ");
      if (audience.startsWith("where: ") || eq < 0) {
        continue;
      }
      String segmentation = audience.substring(0, eq);
      String segment = audience.substring(eq + 3);
      String code = ConfigMigration.codeOf(segmentation, segment, rfm, clusterCode);
      if (code.equals(segment)) {
        continue;
      }
      String id = r.getString(r.fieldIndex("campaign_id"));
      String described = segmentation + " = " + code;
      String sha = hash.of(r, described);
      DeltaTable.forPath(spark, lake.path(table))
          .update(
              functions.col("campaign_id").equalTo(id),
              Map.of(
                  "audience", functions.lit(described), "definition_sha256", functions.lit(sha)));
      changes.put(table + "." + id, audience + " -> " + described);
    }
  }

  /** How a campaign's definition hash is computed from its row, with another audience text. */
  interface CampaignHash {
    String of(Row campaign, String audience);
  }

  /**
   * Moves each audience set under {@code root}/&lt;date&gt;/&lt;segmentation&gt;/ whose folder is
   * not its segment's code to the folder named by the code: its files renamed, its manifest's
   * segment and file names updated (the checksums stay: the files' bytes do not change).
   */
  void audienceFolders(Configuration hadoop, String root) {
    Path top = new Path(root);
    try {
      FileSystem fs = top.getFileSystem(hadoop);
      if (fs instanceof LocalFileSystem local) {
        fs = local.getRawFileSystem();
      }
      if (!fs.exists(top)) {
        return;
      }
      int moved = 0;
      for (Path date : folders(fs, top)) {
        for (Path segmentation : folders(fs, date)) {
          if (segmentation.getName().equals("campaign")) {
            continue;
          }
          for (Path set : folders(fs, segmentation)) {
            moved += moveSet(fs, set, segmentation.getName()) ? 1 : 0;
          }
        }
      }
      if (moved > 0) {
        changes.put("audience_sets_moved", String.valueOf(moved));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot move the audience sets under " + root + " to folders named by codes", e);
    }
  }

  private boolean moveSet(FileSystem fs, Path set, String segmentation) throws IOException {
    Path manifestPath = new Path(set, "manifest.json");
    if (!fs.exists(manifestPath)) {
      return false;
    }
    ObjectNode manifest;
    try (InputStream in = fs.open(manifestPath)) {
      manifest = (ObjectNode) JSON.readTree(in);
    }
    String segment = manifest.get("segment").asText();
    String code = ConfigMigration.codeOf(segmentation, segment, rfm, clusterCode);
    String old = set.getName();
    if (old.equals(code) && segment.equals(code)) {
      return false;
    }
    Path target = new Path(set.getParent(), code);
    if (fs.exists(target)) {
      throw new IOException(
          "both " + set + " and " + target + " exist; remove the older set by hand and run again");
    }
    JsonNode original = manifest.get("files");
    ObjectNode files = JSON.createObjectNode();
    if (original != null) {
      Iterator<Map.Entry<String, JsonNode>> it = original.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> f = it.next();
        String name =
            f.getKey().startsWith(old + ".")
                ? code + f.getKey().substring(old.length())
                : f.getKey();
        files.set(name, f.getValue());
        if (!name.equals(f.getKey())
            && !fs.rename(new Path(set, f.getKey()), new Path(set, name))) {
          throw new IOException("cannot rename " + new Path(set, f.getKey()) + " to " + name);
        }
      }
    }
    manifest.set("files", files);
    manifest.put("segment", code);
    if (messages.has("label." + segmentation + "." + code)) {
      manifest.put("segment_name", messages.label(segmentation, code));
    }
    try (OutputStream out = fs.create(manifestPath, true)) {
      out.write(PRETTY.writeValueAsBytes(manifest));
      out.write('\n');
    }
    if (!fs.rename(set, target)) {
      throw new IOException("cannot rename " + set + " to " + target);
    }
    return true;
  }

  private static List<Path> folders(FileSystem fs, Path parent) throws IOException {
    return Arrays.stream(fs.listStatus(parent))
        .filter(FileStatus::isDirectory)
        .map(FileStatus::getPath)
        .filter(p -> !p.getName().startsWith("."))
        .sorted()
        .toList();
  }
}
