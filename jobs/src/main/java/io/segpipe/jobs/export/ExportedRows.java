package io.segpipe.jobs.export;

import io.segpipe.audience.CustomerSegmentsColumns;
import io.segpipe.common.secret.KeyedHash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * The rows an export may hand out: consenting customers only, the configured columns, ids
 * pseudonymised if asked.
 */
final class ExportedRows {
  private ExportedRows() {}

  /**
   * Customers whose marketing_opt_in is true (false and null are left out), with {@code columns},
   * then any of {@code alsoKeep} not among them (to choose audiences by), then as_of_date.
   */
  static Dataset<Row> of(
      Dataset<Row> snapshot,
      List<String> columns,
      Collection<String> alsoKeep,
      Optional<String> salt) {
    List<String> kept = new ArrayList<>(columns);
    alsoKeep.stream().filter(c -> !kept.contains(c)).forEach(kept::add);
    if (Arrays.asList(snapshot.columns()).contains(CustomerSegmentsColumns.PARTITION)) {
      kept.add(CustomerSegmentsColumns.PARTITION);
    }
    Column[] select =
        kept.stream()
            .map(
                c ->
                    c.equals(CustomerSegmentsColumns.CUSTOMER_ID) && salt.isPresent()
                        ? functions
                            .udf(new KeyedHash(salt.get()), DataTypes.StringType)
                            .apply(functions.col(c))
                            .as(c)
                        : functions.col(c))
            .toArray(Column[]::new);
    return snapshot
        .where(functions.col(CustomerSegmentsColumns.CONSENT).equalTo(true))
        .select(select);
  }

  /**
   * The ids (pseudonymised when asked) of the customers who consent now, from {@code consent}
   * (customer_id and marketing_opt_in of the customers dimension): every customer whose rows may
   * stay in a target.
   */
  static Dataset<Row> consentingIds(Dataset<Row> consent, Optional<String> salt) {
    return of(consent, List.of(CustomerSegmentsColumns.CUSTOMER_ID), List.of(), salt)
        .select(CustomerSegmentsColumns.CUSTOMER_ID);
  }
}
