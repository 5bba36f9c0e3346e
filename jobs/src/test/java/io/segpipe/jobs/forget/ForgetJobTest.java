package io.segpipe.jobs.forget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segpipe.common.UserError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What forget refuses before Spark starts, and which rows it matches in which table. The erasure
 * itself is tested end to end on a lake with audiences and PostgreSQL
 * (SegmentToAudienceEndToEndTest).
 */
class ForgetJobTest {
  private static final Map<String, String> KEY = Map.of("SEGPIPE_ERASURE_KEY", "k");

  private static String refusal(Map<String, String> environment, String... argv) {
    return assertThrows(UserError.class, () -> new ForgetJob(environment::get).check(argv))
        .getMessage();
  }

  @Test
  void refusesWithoutIdsKeyOrASafeRetention() {
    assertTrue(refusal(KEY).contains("--customers FILE"));
    String noKey = refusal(Map.of(), "--customers", "ids.txt");
    assertTrue(
        noKey.contains("SEGPIPE_ERASURE_KEY") && noKey.contains("segpipe.privacy.erasure-key-env"),
        noKey);
    String shortRetention =
        refusal(KEY, "--customers", "ids.txt", "--conf", "segpipe.retention.vacuum-hours=1");
    assertTrue(
        shortRetention.contains("--vacuum-now") && shortRetention.contains("168"), shortRetention);
    new ForgetJob(KEY::get)
        .check(
            "--customers", "ids.txt", "--conf", "segpipe.retention.vacuum-hours=1", "--vacuum-now");
  }

  @Test
  void matchesCustomerIdsRawRowsAndQuarantinedDimensionRows() {
    assertEquals(
        "t.customer_id = s.forget_id",
        ForgetJob.match(List.of("customer_id", "as_of_date", "rfm_segment")));
    assertNull(
        ForgetJob.match(List.of("segment", "customers", "as_of_date")),
        "an aggregate names nobody");
    String quarantine =
        ForgetJob.match(
            List.of("run_id", "mapping", "event_id", "customer_id", "raw_row", "reasons"));
    assertTrue(
        quarantine.contains("t.customer_id = s.forget_id")
            && quarantine.contains("from_json(t.raw_row")
            && quarantine.contains("t.mapping = 'customers' AND t.event_id = s.forget_id"),
        quarantine);
  }
}
