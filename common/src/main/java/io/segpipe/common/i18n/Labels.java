package io.segpipe.common.i18n;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * Label columns beside code columns: {@code <column>_name} holds the display label, in the
 * configured locale, of the code in {@code <column>} (null where the code is null). The codes stay
 * what BI filters on; the labels are for people.
 */
public final class Labels {
  /** Columns whose codes have labels under label.&lt;column&gt; in the message files. */
  public static final List<String> CODED =
      List.of(
          "rfm_segment",
          "lifecycle_stage",
          "value_tier",
          "churn_risk",
          "clv_tier",
          "needs_segment");

  private Labels() {}

  /** The label column's name for a code column. */
  public static String nameColumn(String column) {
    return column + "_name";
  }

  /**
   * The label of {@code code}'s value: a lookup in a literal map of every code the message file has
   * for {@code column}. A code without a label (a segment map changed after the snapshot) reads as
   * the code.
   */
  public static Column label(Messages messages, String column, Column code) {
    List<Column> entries = new ArrayList<>();
    for (String c : messages.codes(column)) {
      entries.add(functions.lit(c));
      entries.add(functions.lit(messages.label(column, c)));
    }
    if (entries.isEmpty()) {
      return code;
    }
    Column map = functions.map(entries.toArray(Column[]::new));
    return functions.coalesce(functions.element_at(map, code), code);
  }
}
