package io.segpipe.audience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segpipe.common.UserError;
import io.segpipe.common.test.TestFolders;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Audience sets rewritten by forget, on files written here by hand (no Spark): rows, manifests,
 * checksums.
 */
class ExportErasureTest {
  private static final String SALT = "salt-of-the-export";

  private static String hmac(String key, String value) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  /** A set of three customers; the second's city holds a comma, a quote and a line break. */
  private static Path set(Path root, String name, boolean pseudonymised, List<String> ids)
      throws Exception {
    Path folder =
        Files.createDirectories(root.resolve("2024-12-31").resolve("rfm_segment").resolve(name));
    String csv =
        "customer_id,city\n"
            + ids.get(0)
            + ",Leeds\n"
            + ids.get(1)
            + ",\"Hull, \"\"East\"\"\nRiding\"\n"
            + ids.get(2)
            + ",York\n";
    String jsonl =
        "{\"customer_id\":\""
            + ids.get(0)
            + "\",\"city\":\"Leeds\"}\n"
            + "{\"customer_id\":\""
            + ids.get(1)
            + "\",\"city\":\"Hull, \\\"East\\\"\\nRiding\"}\n"
            + "{\"customer_id\":\""
            + ids.get(2)
            + "\",\"city\":\"York\"}\n";
    Files.writeString(folder.resolve(name + ".csv"), csv);
    Files.writeString(folder.resolve(name + ".jsonl"), jsonl);
    Files.writeString(
        folder.resolve("manifest.json"),
        "{\"segmentation\":\"rfm_segment\",\"segment\":\""
            + name
            + "\",\"rows\":3,\"columns\":[\"customer_id\",\"city\"],\"pseudonymised\":"
            + pseudonymised
            + (pseudonymised ? ",\"pseudonym_scheme\":\"hmac-sha256\"" : "")
            + ",\"files\":{\""
            + name
            + ".csv\":{\"sha256\":\""
            + sha256(folder.resolve(name + ".csv"))
            + "\"},\""
            + name
            + ".jsonl\":{\"sha256\":\""
            + sha256(folder.resolve(name + ".jsonl"))
            + "\"}}}");
    return folder;
  }

  @Test
  void csvRecordsKeepQuotedLineBreaksAndEndAtTheFileEnd() throws Exception {
    StringReader in = new StringReader("a,b\n\"x\ny\",\"q\"\"\"\nlast");
    assertEquals("a,b\n", ExportErasure.csvRecord(in));
    assertEquals("\"x\ny\",\"q\"\"\"\n", ExportErasure.csvRecord(in));
    assertEquals("last", ExportErasure.csvRecord(in));
    assertEquals(null, ExportErasure.csvRecord(in));
  }

  @Test
  void removesTheRowsOfForgottenCustomersFromPlainAndPseudonymisedSets() throws Exception {
    Path root = TestFolders.folder("segpipe-erase-audiences");
    Path plain = set(root, "champions", false, List.of("C1", "C2", "C3"));
    Path pseudonymous =
        set(root, "loyal", true, List.of(hmac(SALT, "C4"), hmac(SALT, "C2"), hmac(SALT, "C5")));
    Path untouched = set(root, "lost", false, List.of("C6", "C7", "C8"));
    String untouchedManifest = Files.readString(untouched.resolve("manifest.json"));

    ExportErasure.Result result =
        ExportErasure.audiences(
            new Configuration(),
            root.toString(),
            Set.of("C2", "C5", "C9"),
            Optional.of(SALT),
            "run1");

    assertEquals(Map.of("C2", 2L, "C5", 1L), result.rowsPerId());
    assertEquals(3, result.rows());
    assertEquals(
        List.of("2024-12-31/rfm_segment/champions/", "2024-12-31/rfm_segment/loyal/"),
        result.setsRewritten().stream().map(s -> s.endsWith("/") ? s : s + "/").sorted().toList());
    assertEquals(
        "customer_id,city\nC1,Leeds\nC3,York\n", Files.readString(plain.resolve("champions.csv")));
    assertEquals(
        "{\"customer_id\":\"C1\",\"city\":\"Leeds\"}\n{\"customer_id\":\"C3\",\"city\":\"York\"}\n",
        Files.readString(plain.resolve("champions.jsonl")));
    assertEquals(
        "customer_id,city\n" + hmac(SALT, "C4") + ",Leeds\n",
        Files.readString(pseudonymous.resolve("loyal.csv")));
    for (Path folder : List.of(plain, pseudonymous)) {
      String name = folder.getFileName().toString();
      JsonNode manifest = new ObjectMapper().readTree(folder.resolve("manifest.json").toFile());
      assertEquals(folder == plain ? 2 : 1, manifest.get("rows").asLong(), name);
      assertEquals(
          "rfm_segment", manifest.get("segmentation").asText(), "the rest of the manifest is kept");
      for (String file : List.of(name + ".csv", name + ".jsonl")) {
        assertEquals(
            sha256(folder.resolve(file)),
            manifest.get("files").get(file).get("sha256").asText(),
            file);
      }
    }
    assertEquals(
        untouchedManifest,
        Files.readString(untouched.resolve("manifest.json")),
        "a set without them is left alone");
    try (var files = Files.list(plain.getParent())) {
      assertEquals(
          List.of("champions", "lost", "loyal"),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary folder is left");
    }
  }

  @Test
  void aPseudonymisedSetWithoutTheSaltStopsTheRunBeforeAnyFileChanges() throws Exception {
    Path root = TestFolders.folder("segpipe-erase-nosalt");
    Path plain = set(root, "champions", false, List.of("C1", "C2", "C3"));
    set(root, "loyal", true, List.of(hmac(SALT, "C4"), hmac(SALT, "C2"), hmac(SALT, "C5")));
    String before = Files.readString(plain.resolve("champions.csv"));
    UserError e =
        assertThrows(
            UserError.class,
            () ->
                ExportErasure.audiences(
                    new Configuration(), root.toString(), Set.of("C2"), Optional.empty(), "run1"));
    assertTrue(e.getMessage().contains("loyal") && e.getMessage().contains("salt"), e.getMessage());
    assertEquals(
        before, Files.readString(plain.resolve("champions.csv")), "nothing erased from any set");
  }
}
