package io.segpipe.audience;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segpipe.common.UserError;
import io.segpipe.common.text.Sha256;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Erasure from what export wrote outside the lake's tables: the audience sets (each set that holds
 * a forgotten customer is rewritten without the rows, its manifest's row count and checksums with
 * it, and swapped in whole) and the PostgreSQL table. Pseudonymised sets and tables are matched on
 * the pseudonyms of the ids, so they need the same salt as the export that wrote them.
 */
public final class ExportErasure {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper PRETTY = JSON.copy().enable(SerializationFeature.INDENT_OUTPUT);

  /** What was removed: rows per forgotten id (the id as given), and the sets rewritten. */
  public record Result(Map<String, Long> rowsPerId, List<String> setsRewritten, long rows) {}

  private ExportErasure() {}

  /**
   * Removes the rows of {@code ids} from every audience set under {@code root} ({@code
   * <date>/<segmentation>/<segment>/} holding a manifest.json). Every set is checked first: a
   * pseudonymised set without the salt (or of an older scheme) stops the run before any file
   * changes.
   */
  public static Result audiences(
      Configuration hadoop, String root, Set<String> ids, Optional<String> salt, String runId) {
    Path rootPath = new Path(root);
    try {
      FileSystem fs = AudienceFiles.withoutChecksumFiles(rootPath.getFileSystem(hadoop));
      List<Path> sets = new ArrayList<>();
      if (fs.exists(rootPath)) {
        for (Path date : AudienceFiles.visibleFolders(fs, rootPath)) {
          for (Path segmentation : AudienceFiles.visibleFolders(fs, date)) {
            for (Path set : AudienceFiles.visibleFolders(fs, segmentation)) {
              if (fs.exists(new Path(set, AudienceFiles.MANIFEST))) {
                sets.add(set);
              }
            }
          }
        }
      }
      Map<Path, ObjectNode> manifests = new LinkedHashMap<>();
      List<String> unmatchable = new ArrayList<>();
      for (Path set : sets) {
        ObjectNode manifest =
            (ObjectNode) JSON.readTree(fs.open(new Path(set, AudienceFiles.MANIFEST)));
        manifests.put(set, manifest);
        if (manifest.path("pseudonymised").asBoolean(false)
            && (salt.isEmpty()
                || !Pseudonyms.SCHEME.equals(manifest.path("pseudonym_scheme").asText()))) {
          unmatchable.add(set.toString());
        }
      }
      if (!unmatchable.isEmpty()) {
        throw new UserError(
            "These audience sets hold pseudonymised ids that cannot be matched to the customers to"
                + " forget without the salt of the export that wrote them (segpipe.export.pseudonymise.enabled = true and"
                + " the variable named by segpipe.export.pseudonymise.salt-env set), or were written with a scheme older"
                + " than "
                + Pseudonyms.SCHEME
                + " (then delete them or export those dates again): "
                + unmatchable
                + ". Nothing was erased from the audience files.");
      }
      Map<String, String> plain = new TreeMap<>();
      ids.forEach(id -> plain.put(id, id));
      Map<String, String> pseudonymous = new TreeMap<>();
      salt.ifPresent(s -> ids.forEach(id -> pseudonymous.put(Pseudonyms.of(s, id), id)));
      Map<String, Long> perId = new TreeMap<>();
      List<String> rewritten = new ArrayList<>();
      long rows = 0;
      for (Map.Entry<Path, ObjectNode> e : manifests.entrySet()) {
        boolean pseudonymised = e.getValue().path("pseudonymised").asBoolean(false);
        long removed =
            rewrite(
                fs, e.getKey(), e.getValue(), pseudonymised ? pseudonymous : plain, perId, runId);
        if (removed > 0) {
          rewritten.add(
              fs.makeQualified(rootPath).toUri().relativize(e.getKey().toUri()).toString());
          rows += removed;
        }
      }
      return new Result(perId, rewritten, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot erase customers from the audience sets under " + root, e);
    }
  }

  /**
   * Rewrites one set without the rows whose customer_id is a key of {@code forgotten} into a hidden
   * folder beside it and swaps it in; leaves the set alone when it holds none. The CSV and the JSON
   * lines hold the same rows in the same order, so the JSON line decides for both.
   */
  private static long rewrite(
      FileSystem fs,
      Path set,
      ObjectNode manifest,
      Map<String, String> forgotten,
      Map<String, Long> perId,
      String runId)
      throws IOException {
    String slug = set.getName();
    Path temporary = new Path(set.getParent(), "." + slug + ".erase-" + runId);
    fs.delete(temporary, true);
    fs.mkdirs(temporary);
    Map<String, Long> found = new TreeMap<>();
    long kept = 0;
    MessageDigest csvDigest = Sha256.digest();
    MessageDigest jsonDigest = Sha256.digest();
    try {
      try (Reader csvIn = reader(fs, new Path(set, slug + ".csv"));
          BufferedReader jsonIn = reader(fs, new Path(set, slug + ".jsonl"));
          Writer csvOut = AudienceFiles.writer(fs, new Path(temporary, slug + ".csv"), csvDigest);
          Writer jsonOut =
              AudienceFiles.writer(fs, new Path(temporary, slug + ".jsonl"), jsonDigest)) {
        String header = csvRecord(csvIn);
        if (header == null) {
          throw new UserError(
              "The audience file "
                  + new Path(set, slug + ".csv")
                  + " is empty (not even a header);"
                  + " the set is damaged: export its date again, then run forget again.");
        }
        csvOut.write(header);
        long line = 0;
        for (String json = jsonIn.readLine(); json != null; json = jsonIn.readLine()) {
          line++;
          String csv = csvRecord(csvIn);
          if (csv == null) {
            throw new UserError(
                "The audience set "
                    + set
                    + " is damaged: its JSON lines have more rows than its CSV"
                    + " (line "
                    + line
                    + "). Export its date again, then run forget again.");
          }
          JsonNode id = JSON.readTree(json).get(CustomerSegmentsColumns.CUSTOMER_ID);
          String customer = id == null || id.isNull() ? null : forgotten.get(id.asText());
          if (customer != null) {
            found.merge(customer, 1L, Long::sum);
          } else {
            csvOut.write(csv);
            jsonOut.write(json);
            jsonOut.write('\n');
            kept++;
          }
        }
        if (csvRecord(csvIn) != null) {
          throw new UserError(
              "The audience set "
                  + set
                  + " is damaged: its CSV has more rows than its JSON lines."
                  + " Export its date again, then run forget again.");
        }
      }
      if (found.isEmpty()) {
        return 0;
      }
      manifest.put("rows", kept);
      ObjectNode files = manifest.putObject("files");
      files.putObject(slug + ".csv").put("sha256", HexFormat.of().formatHex(csvDigest.digest()));
      files.putObject(slug + ".jsonl").put("sha256", HexFormat.of().formatHex(jsonDigest.digest()));
      try (OutputStream out = fs.create(new Path(temporary, AudienceFiles.MANIFEST), true)) {
        out.write(PRETTY.writeValueAsBytes(manifest));
        out.write('\n');
      }
      AudienceFiles.swapIn(
          fs, temporary, set, new Path(set.getParent(), "." + slug + ".old-" + runId));
      found.forEach((customer, n) -> perId.merge(customer, n, Long::sum));
      return found.values().stream().mapToLong(Long::longValue).sum();
    } finally {
      if (fs.exists(temporary)) {
        fs.delete(temporary, true);
      }
    }
  }

  private static BufferedReader reader(FileSystem fs, Path file) throws IOException {
    return new BufferedReader(
        new InputStreamReader(fs.open(file), StandardCharsets.UTF_8), 1 << 16);
  }

  /**
   * The next CSV record as it was written, line break included (a quoted field may hold line
   * breaks), or null at the end of the file.
   */
  static String csvRecord(Reader in) throws IOException {
    StringBuilder record = new StringBuilder();
    boolean quoted = false;
    for (int c = in.read(); c != -1; c = in.read()) {
      record.append((char) c);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\n' && !quoted) {
        return record.toString();
      }
    }
    return record.length() == 0 ? null : record.toString();
  }

  /**
   * Deletes the rows of {@code ids} (pseudonymised with {@code salt} where the export
   * pseudonymises) from the PostgreSQL table, in one transaction.
   *
   * @return rows deleted per forgotten id (the id as given)
   */
  public static Map<String, Long> postgres(
      ExportSettings.Postgres target, Set<String> ids, Optional<String> salt) {
    Map<String, String> keys = new TreeMap<>();
    ids.forEach(id -> keys.put(salt.map(s -> Pseudonyms.of(s, id)).orElse(id), id));
    Map<String, Long> perId = new TreeMap<>();
    PostgresExport.erase(target, keys.keySet())
        .forEach((key, n) -> perId.merge(keys.get(key), n, Long::sum));
    return perId;
  }
}
