package io.segpipe.jobs.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.tables.DeltaTable;
import io.segpipe.audience.ExportSettings;
import io.segpipe.campaign.Campaign;
import io.segpipe.common.config.SegpipeConfig;
import io.segpipe.common.config.SegpipeConfig.LakeSettings;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.test.JobRun;
import io.segpipe.common.test.SharedSpark;
import io.segpipe.common.test.TestFolders;
import io.segpipe.jobs.export.ExportJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * migrate-codes on a config, a campaign file and a lake as segpipe wrote them before codes: English
 * segment names, English cluster labels, audience folders named by slugs, a campaign split on "At
 * Risk".
 */
@ExtendWith(SharedSpark.class)
class MigrateCodesJobTest {
  private static final LocalDate AS_OF = LocalDate.parse("2024-03-31");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OLD_CONFIG =
      """
      # production settings
      segpipe {
        lake.root = "%s"
        features.rfm.segments = [
          { name = "Champions",    r = [5, 5], fm = [1, 5] }
          { name = "At Risk",      r = [3, 4], fm = [1, 5] }
          { name = "Big Spenders", r = [1, 2], fm = [1, 5] }
        ]
        report {
          # the report in Chinese
          locale = "zh-CN"
          segments = [
            { name = "Champions", description = "Bought recently, buy often and spend the most."
              action = "Reward them: early access to new products, loyalty perks; ask for reviews." }
            { name = "At Risk", description = "Spent well and often, but a long time ago.", action = "Call them." }
            { name = "Big Spenders", description = "Spend a lot, rarely.", action = "Invite to the VIP evening." }
          ]
        }
        export.audiences.segments {
          rfm_segment = [Champions, "At Risk", "Big Spenders"]
          cluster_label = ["high value, frequent, recent"]
          lifecycle_stage = [at_risk]
        }
      }
      """;
  private static final String OLD_CAMPAIGNS =
      """
      campaigns = [
        { id = winback, name = "Win back", snapshot-date = "2024-03-31",
          audience { segmentation = rfm_segment, segment = "At Risk" }, start-date = "2024-04-01", window-days = 30 }
      ]
      """;

  @Test
  void aConfigACampaignFileAndALakeFromBeforeCodesMoveToCodesOnceAndStayThere(SparkSession spark)
      throws Exception {
    Path root = TestFolders.folder("segpipe-migrate-lake");
    Lake lake = new Lake(spark, new LakeSettings(root.toString(), ""));
    oldLake(spark, lake, root);
    Path config = root.resolve("production.conf");
    Files.writeString(config, OLD_CONFIG.formatted(root), StandardCharsets.UTF_8);
    Path campaigns = root.resolve("campaigns.conf");
    Files.writeString(campaigns, OLD_CAMPAIGNS, StandardCharsets.UTF_8);
    String oldCampaignSha =
        Campaign.definitionSha256(
            "winback",
            AS_OF,
            "rfm_segment = At Risk",
            LocalDate.parse("2024-04-01"),
            30,
            0.1,
            "conversion");
    assertEquals(oldCampaignSha, lake.read("campaigns", "").first().getAs("definition_sha256"));

    // Before: the old config is refused, naming what replaced its keys.
    String refused =
        JobRun.of(
                () ->
                    new ExportJob()
                        .execute("--config", config.toString(), "--as-of", AS_OF.toString()))
            .err();
    assertTrue(
        refused.contains("segpipe.report.locale") && refused.contains("replaced by segpipe.locale"),
        refused);

    assertEquals(
        0,
        new MigrateCodesJob()
            .execute("--config", config.toString(), "--campaigns", campaigns.toString()));

    // The config: codes, the locale moved, the user's own texts kept as message overrides, comments
    // kept.
    assertEquals(
        OLD_CONFIG.formatted(root), Files.readString(root.resolve("production.conf.before-codes")));
    String migrated = Files.readString(config);
    assertTrue(migrated.contains("# production settings"), migrated);
    SegpipeConfig loaded = SegpipeConfig.load(Optional.of(config.toString()), Map.of());
    assertEquals("zh-CN", loaded.messages().tag());
    assertEquals(
        List.of("champions", "at_risk", "big_spenders"),
        loaded.raw().getConfigList("segpipe.features.rfm.segments").stream()
            .map(c -> c.getString("code"))
            .toList());
    assertEquals("Big Spenders", loaded.messages().label("rfm_segment", "big_spenders"));
    assertEquals("Call them.", loaded.messages().text("rfm.at_risk.action"));
    assertEquals(
        "流失风险客户",
        loaded.messages().label("rfm_segment", "at_risk"),
        "built-in texts stay built in");
    assertFalse(
        loaded.raw().hasPath("segpipe.messages.rfm.champions"),
        "texts equal to the built-in are not copied");
    assertEquals(
        List.of("champions", "at_risk", "big_spenders"),
        loaded.raw().getStringList("segpipe.export.audiences.segments.rfm_segment"));
    assertEquals(
        List.of("high_value-frequent-recent"),
        loaded.raw().getStringList("segpipe.export.audiences.segments.cluster_label"));
    ExportSettings export =
        loaded.section(
            r ->
                ExportSettings.read(
                    r, AS_OF, k -> null, Optional.of(campaigns.toString()), loaded.messages()));
    Campaign campaign = export.campaigns().get(0);
    assertEquals("rfm_segment = at_risk", campaign.audience().describe());

    // The lake: codes everywhere, labels filled in zh-CN, the campaign's hash what the migrated
    // file gives.
    assertEquals(
        Map.of("Champions", "champions", "At Risk", "at_risk"),
        pairs(lake, "customer_features", "name", "rfm_segment"));
    List<Row> segments = lake.read("customer_segments", "").orderBy("customer_id").collectAsList();
    assertEquals(
        List.of("champions", "at_risk", "big_spenders", "champions"),
        segments.stream().map(r -> r.<String>getAs("rfm_segment")).toList());
    assertEquals(
        List.of("冠军客户", "流失风险客户", "Big Spenders", "冠军客户"),
        segments.stream().map(r -> r.<String>getAs("rfm_segment_name")).toList());
    assertEquals("high_value-frequent-recent", segments.get(0).getAs("cluster_label"));
    assertEquals("有流失风险", segments.get(1).getAs("lifecycle_stage_name"));
    assertEquals("高价值", segments.get(0).getAs("value_tier_name"));
    assertTrue(
        segments.get(0).<String>getAs("cluster_name").contains("高"), segments.get(0).toString());
    assertEquals(
        List.of("big_spenders", "champions", "lost"),
        lake
            .read("segment_profiles", "")
            .where("segmentation = 'rfm_segment'")
            .select("segment")
            .collectAsList()
            .stream()
            .map(r -> r.getString(0))
            .sorted()
            .toList());
    assertEquals(
        "high_value-frequent-recent",
        lake.read("segment_profiles", "")
            .where("segmentation = 'cluster'")
            .first()
            .getAs("segment"));
    assertEquals(
        "at_risk>champions,champions>(gone)",
        lake.read("segment_transitions", "").orderBy("from_segment").collectAsList().stream()
            .map(r -> r.getAs("from_segment") + ">" + r.getAs("to_segment"))
            .collect(Collectors.joining(",")));
    Row campaignRow = lake.read("campaigns", "").first();
    assertEquals("rfm_segment = at_risk", campaignRow.getAs("audience"));
    assertEquals(
        campaign.definitionSha256(),
        campaignRow.getAs("definition_sha256"),
        "the export of the migrated campaign file finds the campaign it split before");
    assertEquals(1, lake.read("campaigns", "").count());

    // Audience sets: folders and files named by code, checksums unchanged, manifest says the code.
    Path set =
        root.resolve("audiences")
            .resolve(AS_OF.toString())
            .resolve("rfm_segment")
            .resolve("at_risk");
    assertFalse(Files.exists(set.resolveSibling("at-risk")));
    JsonNode manifest = JSON.readTree(set.resolve("manifest.json").toFile());
    assertEquals("at_risk", manifest.get("segment").asText());
    assertEquals("流失风险客户", manifest.get("segment_name").asText());
    assertEquals(
        "customer_id,rfm_segment\nC002,At Risk\n", Files.readString(set.resolve("at_risk.csv")));
    assertEquals(
        sha256(set.resolve("at_risk.csv")),
        manifest.get("files").get("at_risk.csv").get("sha256").asText());

    // Again: nothing changes, in the files or the lake (but the run's own line in run_metrics).
    Map<String, Long> versions = versions(spark, lake);
    String configNow = Files.readString(config);
    assertEquals(
        0,
        new MigrateCodesJob()
            .execute("--config", config.toString(), "--campaigns", campaigns.toString()));
    assertEquals(configNow, Files.readString(config));
    assertEquals(versions, versions(spark, lake));
    assertTrue(Files.exists(set.resolve("at_risk.csv")));
  }

  /**
   * The tables and one audience set as segpipe wrote them before codes (only the columns migrated).
   */
  private static void oldLake(SparkSession spark, Lake lake, Path root) throws Exception {
    Date date = Date.valueOf(AS_OF);
    StructType features =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("name", DataTypes.StringType)
            .add("rfm_segment", DataTypes.StringType)
            .add("as_of_date", DataTypes.DateType);
    lake.replacePartition(
        spark.createDataFrame(
            List.of(
                RowFactory.create("C001", "Champions", "Champions", date),
                RowFactory.create("C002", "At Risk", "At Risk", date)),
            features),
        "customer_features",
        "as_of_date",
        AS_OF);
    StructType segments =
        new StructType()
            .add("customer_id", DataTypes.StringType)
            .add("rfm_segment", DataTypes.StringType)
            .add("lifecycle_stage", DataTypes.StringType)
            .add("value_tier", DataTypes.StringType)
            .add("cluster_label", DataTypes.StringType)
            .add("churn_risk", DataTypes.StringType)
            .add("clv_tier", DataTypes.StringType)
            .add("as_of_date", DataTypes.DateType);
    lake.replacePartition(
        spark.createDataFrame(
            List.of(
                RowFactory.create(
                    "C001",
                    "Champions",
                    "active",
                    "high",
                    "high value, frequent, recent",
                    "low",
                    "high",
                    date),
                RowFactory.create(
                    "C002", "At Risk", "at_risk", "mid", "lapsed", "high", null, date),
                RowFactory.create(
                    "C003", "Big Spenders", "lapsed", "high", "lapsed", "medium", "mid", date),
                RowFactory.create(
                    "C004",
                    "champions",
                    "new",
                    "low",
                    "high value, frequent, recent",
                    "low",
                    "low",
                    date)),
            segments),
        "customer_segments",
        "as_of_date",
        AS_OF);
    StructType profiles =
        new StructType()
            .add("segmentation", DataTypes.StringType)
            .add("segment", DataTypes.StringType)
            .add("customers", DataTypes.LongType)
            .add("as_of_date", DataTypes.DateType);
    lake.replacePartition(
        spark.createDataFrame(
            List.of(
                RowFactory.create("rfm_segment", "Champions", 2L, date),
                RowFactory.create("rfm_segment", "Big Spenders", 1L, date),
                RowFactory.create("rfm_segment", "Lost", 1L, date),
                RowFactory.create("cluster", "high value, frequent, recent", 2L, date),
                RowFactory.create("lifecycle_stage", "at_risk", 1L, date)),
            profiles),
        "segment_profiles",
        "as_of_date",
        AS_OF);
    StructType transitions =
        new StructType()
            .add("segmentation", DataTypes.StringType)
            .add("from_segment", DataTypes.StringType)
            .add("to_segment", DataTypes.StringType)
            .add("as_of_date", DataTypes.DateType);
    lake.replacePartition(
        spark.createDataFrame(
            List.of(
                RowFactory.create("rfm_segment", "At Risk", "Champions", date),
                RowFactory.create("rfm_segment", "Champions", "(gone)", date)),
            transitions),
        "segment_transitions",
        "as_of_date",
        AS_OF);
    StructType campaigns =
        new StructType()
            .add("campaign_id", DataTypes.StringType)
            .add("snapshot_date", DataTypes.DateType)
            .add("audience", DataTypes.StringType)
            .add("start_date", DataTypes.DateType)
            .add("window_days", DataTypes.IntegerType)
            .add("control_share", DataTypes.DoubleType)
            .add("metric", DataTypes.StringType)
            .add("definition_sha256", DataTypes.StringType)
            .add("assigned_at", DataTypes.TimestampType);
    lake.overwrite(
        spark.createDataFrame(
            List.<Row>of(
                RowFactory.create(
                    "winback",
                    date,
                    "rfm_segment = At Risk",
                    Date.valueOf("2024-04-01"),
                    30,
                    0.1,
                    "conversion",
                    Campaign.definitionSha256(
                        "winback",
                        AS_OF,
                        "rfm_segment = At Risk",
                        LocalDate.parse("2024-04-01"),
                        30,
                        0.1,
                        "conversion"),
                    Timestamp.valueOf("2024-04-01 06:00:00"))),
            campaigns),
        "campaigns");
    Path set =
        Files.createDirectories(
            root.resolve("audiences")
                .resolve(AS_OF.toString())
                .resolve("rfm_segment")
                .resolve("at-risk"));
    Files.writeString(set.resolve("at-risk.csv"), "customer_id,rfm_segment\nC002,At Risk\n");
    Files.writeString(
        set.resolve("manifest.json"),
        "{\"segmentation\": \"rfm_segment\", \"segment\": \"At Risk\","
            + " \"rows\": 1, \"files\": {\"at-risk.csv\": {\"sha256\": \""
            + sha256(set.resolve("at-risk.csv"))
            + "\"}}}");
  }

  private static Map<String, String> pairs(Lake lake, String table, String from, String to) {
    Map<String, String> out = new TreeMap<>();
    lake.read(table, "").collectAsList().forEach(r -> out.put(r.getAs(from), r.getAs(to)));
    return out;
  }

  private static Map<String, Long> versions(SparkSession spark, Lake lake) {
    Map<String, Long> out = new TreeMap<>();
    for (String table : lake.tables()) {
      if (table.equals("run_metrics")) {
        continue;
      }
      out.put(table, DeltaTable.forPath(spark, lake.path(table)).history(1).first().getLong(0));
    }
    return out;
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
