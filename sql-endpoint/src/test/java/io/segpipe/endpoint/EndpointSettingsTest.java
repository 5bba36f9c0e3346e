package io.segpipe.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.UserError;
import io.segpipe.common.cli.JobArguments;
import io.segpipe.common.config.SegpipeConfig;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The address checks, without starting anything: what would be bound is what was checked. */
class EndpointSettingsTest {
  private static EndpointSettings read(Map<String, String> environment, String... argv) {
    JobArguments arguments = JobArguments.parse("sql-endpoint", argv, SqlEndpoint.OPTIONS);
    SegpipeConfig config = SegpipeConfig.load(Optional.empty(), arguments.overrides());
    return config.section(r -> EndpointSettings.read(r, arguments, environment::get));
  }

  private static String refusal(Map<String, String> environment, String... argv) {
    return assertThrows(UserError.class, () -> read(environment, argv)).getMessage();
  }

  @Test
  void loopbackWithoutAuthenticationIsAllowed() {
    assertEquals("127.0.0.1", read(Map.of()).host());
    assertEquals("localhost", read(Map.of(), "--host", "localhost").host());
    assertEquals("127.0.0.1", read(Map.of("HIVE_SERVER2_THRIFT_BIND_HOST", "127.0.0.1")).host(),
        "the variable may name the same address");
  }

  @Test
  void anEmptyHostIsRefusedThoughJavaResolvesItToLoopback() {
    String m = refusal(Map.of(), "--conf", "segpipe.sql-endpoint.host=\"\"");
    assertTrue(m.contains("is empty") && m.contains("every interface"), m);
    m = refusal(Map.of(), "--host", "");
    assertTrue(m.contains("is empty"), m);
  }

  @Test
  void wildcardsNeedAuthentication() {
    for (String wildcard : new String[] {"0.0.0.0", "::", "0:0:0:0:0:0:0:0"}) {
      String m = refusal(Map.of(), "--host", wildcard);
      assertTrue(m.contains("Refusing to listen on " + wildcard + " without authentication"), m);
    }
  }

  @Test
  void theBindHostVariableMustAgreeWithTheCheckedHost() {
    String m = refusal(Map.of("HIVE_SERVER2_THRIFT_BIND_HOST", "0.0.0.0"));
    assertTrue(m.contains("HIVE_SERVER2_THRIFT_BIND_HOST") && m.contains("0.0.0.0") && m.contains("unset"), m);
    m = refusal(Map.of("HIVE_SERVER2_THRIFT_BIND_HOST", ""));
    assertTrue(m.contains("HIVE_SERVER2_THRIFT_BIND_HOST"), m);
  }
}
