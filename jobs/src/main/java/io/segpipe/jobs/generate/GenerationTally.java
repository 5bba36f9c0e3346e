package io.segpipe.jobs.generate;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * What the executors generated, gathered with accumulators while the outputs are written, so the
 * summary costs no second pass over the data. The updates happen inside the write (a result stage),
 * where Spark counts each task once even when it is retried.
 */
final class GenerationTally implements Serializable {
  private final LongAccumulator events;
  private final LongAccumulator anonymous;
  private final LongAccumulator duplicates;
  private final LongAccumulator[] broken = new LongAccumulator[Breakage.values().length];
  private final LongAccumulator[] archetypes = new LongAccumulator[Archetype.values().length];

  GenerationTally(SparkContext spark) {
    events = spark.longAccumulator("generate: events");
    anonymous = spark.longAccumulator("generate: anonymous events");
    duplicates = spark.longAccumulator("generate: duplicate rows");
    for (Breakage b : Breakage.values()) {
      broken[b.ordinal()] = spark.longAccumulator("generate: broken rows, " + b.label());
    }
    for (Archetype a : Archetype.values()) {
      archetypes[a.ordinal()] = spark.longAccumulator("generate: customers, " + a.label());
    }
  }

  void add(EventWriter written) {
    events.add(written.rows().size());
    anonymous.add(written.anonymous());
    duplicates.add(written.duplicates());
    for (Breakage b : Breakage.values()) {
      broken[b.ordinal()].add(written.broken(b));
    }
  }

  void add(Archetype archetype) {
    archetypes[archetype.ordinal()].add(1);
  }

  long events() {
    return events.value();
  }

  long duplicates() {
    return duplicates.value();
  }

  long broken() {
    long total = 0;
    for (LongAccumulator b : broken) {
      total += b.value();
    }
    return total;
  }

  /** Counts for run_metrics.details, e.g. "broken.unknown_channel" -> "12". */
  Map<String, String> details() {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("events", String.valueOf(events()));
    details.put("anonymous_events", String.valueOf(anonymous.value()));
    details.put("duplicate_rows", String.valueOf(duplicates()));
    details.put("broken_rows", String.valueOf(broken()));
    for (Breakage b : Breakage.values()) {
      details.put("broken." + b.label(), String.valueOf(broken[b.ordinal()].value()));
    }
    for (Archetype a : Archetype.values()) {
      details.put("customers." + a.label(), String.valueOf(archetypes[a.ordinal()].value()));
    }
    return details;
  }

  String summary(long customers) {
    StringBuilder kinds = new StringBuilder();
    for (Breakage b : Breakage.values()) {
      kinds
          .append(kinds.isEmpty() ? "" : ", ")
          .append(b.label())
          .append(' ')
          .append(broken[b.ordinal()].value());
    }
    return String.format(
        "%d events (%d anonymous) for %d customers; dirty rows: %d broken (%s), %d exact duplicates",
        events(), anonymous.value(), customers, broken(), kinds, duplicates());
  }
}
