package io.segpipe.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegpipeConfigTest {
  @TempDir Path dir;

  private Path file(String text) throws IOException {
    Path f = dir.resolve("test.conf");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void defaultsLoadAndOverridesTakePrecedence() throws IOException {
    Path f = file("segpipe.lake.root = \"/from/file\"\nsegpipe.events.reporting-currency = EUR\n");
    SegpipeConfig c =
        SegpipeConfig.load(Optional.of(f.toString()), Map.of("segpipe.lake.root", "/from/cli"));
    assertEquals("/from/cli", c.lake().root());
    assertEquals("EUR", c.events().reportingCurrency());
    assertEquals(
        List.of("web", "app", "store", "social", "marketplace", "call_center"),
        c.events().channels());
    assertTrue(c.lake().catalogDatabase().isEmpty());
  }

  @Test
  void listOverrideFromCommandLine() {
    SegpipeConfig c =
        SegpipeConfig.load(Optional.empty(), Map.of("segpipe.events.channels", "[web, store]"));
    assertEquals(List.of("web", "store"), c.events().channels());
  }

  @Test
  void unknownKeyIsRefusedWithFileLineAndSuggestion() throws IOException {
    Path f = file("segpipe {\n  lake {\n    rooot = x\n  }\n}\n");
    ConfigError e =
        assertThrows(
            ConfigError.class, () -> SegpipeConfig.load(Optional.of(f.toString()), Map.of()));
    assertTrue(e.getMessage().contains("segpipe.lake.rooot"), e.getMessage());
    assertTrue(e.getMessage().contains("test.conf: 3"), e.getMessage());
    assertTrue(e.getMessage().contains("did you mean segpipe.lake.root?"), e.getMessage());
  }

  @Test
  void badValuesAreAllReportedAtOnce() throws IOException {
    Path f = file("segpipe.events.channels = []\nsegpipe.events.reporting-currency = pounds\n");
    ConfigError e =
        assertThrows(
            ConfigError.class, () -> SegpipeConfig.load(Optional.of(f.toString()), Map.of()));
    assertTrue(e.getMessage().startsWith("The configuration has 2 problems"), e.getMessage());
    assertTrue(e.getMessage().contains("segpipe.events.channels"), e.getMessage());
    assertTrue(e.getMessage().contains("'pounds' is not an ISO 4217 code"), e.getMessage());
  }

  @Test
  void wrongTypeNamesKeyAndExpectation() throws IOException {
    Path f = file("segpipe.ingest.max-quarantine-share = lots\n");
    SegpipeConfig c = SegpipeConfig.load(Optional.of(f.toString()), Map.of());
    ConfigError e =
        assertThrows(
            ConfigError.class,
            () ->
                c.section(
                    r ->
                        r.number(
                            "segpipe.ingest.max-quarantine-share",
                            v -> v >= 0 && v <= 1,
                            "a share between 0 and 1")));
    assertTrue(e.getMessage().contains("segpipe.ingest.max-quarantine-share"), e.getMessage());
    assertTrue(
        e.getMessage().contains("expected a share between 0 and 1, found 'lots'"), e.getMessage());
  }

  @Test
  void missingConfigFileSaysWhichFile() {
    UserError e =
        assertThrows(
            UserError.class,
            () -> SegpipeConfig.load(Optional.of(dir.resolve("nope.conf").toString()), Map.of()));
    assertTrue(e.getMessage().contains("nope.conf does not exist"), e.getMessage());
  }

  @Test
  void argumentsParseCommonAndJobOptions() {
    JobArguments a =
        JobArguments.parse(
            "ingest",
            new String[] {
              "--as-of", "2024-02-29", "--conf", "a.b=c=d", "--source=/x", "--config", "f.conf"
            },
            List.of(new JobArguments.Option("source", "PATH", "where")));
    assertEquals(LocalDate.of(2024, 2, 29), a.asOf().orElseThrow());
    assertEquals(Map.of("a.b", "c=d"), a.overrides());
    assertEquals("/x", a.option("source").orElseThrow());
    assertEquals("f.conf", a.configFile().orElseThrow());
    UserError bad =
        assertThrows(
            UserError.class,
            () -> JobArguments.parse("ingest", new String[] {"--as-of", "2024-13-01"}, List.of()));
    assertTrue(bad.getMessage().contains("YYYY-MM-DD"));
    UserError unknown =
        assertThrows(
            UserError.class,
            () -> JobArguments.parse("ingest", new String[] {"--sauce", "x"}, List.of()));
    assertTrue(unknown.getMessage().contains("Unknown option --sauce"));
  }
}
