package io.segpipe.jobs.export;

import io.segpipe.audience.CustomerSegmentsColumns;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.schema.Events;
import io.segpipe.common.tables.Tables;
import io.segpipe.identity.Profiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Marketing consent as the customers dimension says it now, not as a segment snapshot copied it: a
 * customer who opted out after a snapshot is not exported when that snapshot's date is exported
 * again. Only marketing_opt_in = true consents; false, null and a customer missing from the
 * dimension do not.
 */
final class CurrentConsent {
  private CurrentConsent() {}

  /**
   * customer_id and marketing_opt_in of every customer of the dimension; no rows when the lake has
   * none.
   */
  static Dataset<Row> of(SparkSession spark, Lake lake, Optional<Dataset<Row>> keys) {
    if (!lake.exists(Tables.CUSTOMERS)) {
      return spark
          .createDataFrame(List.of(), Events.CUSTOMERS)
          .select(CustomerSegmentsColumns.CUSTOMER_ID, CustomerSegmentsColumns.CONSENT);
    }
    // per profile (identity stitching on): consent only when every linked record gives it
    return Profiles.customers(
            lake.read(Tables.CUSTOMERS, "")
                .select(
                    functions.col(CustomerSegmentsColumns.CUSTOMER_ID),
                    functions.col("signup_date"),
                    functions.col(CustomerSegmentsColumns.CONSENT)),
            keys)
        .select(
            functions.col(CustomerSegmentsColumns.CUSTOMER_ID),
            functions.col(CustomerSegmentsColumns.CONSENT));
  }

  /**
   * {@code snapshot} with its marketing_opt_in replaced by the current one (false for a customer
   * whose dimension row says null or who is not in the dimension), in the snapshot's column order.
   */
  static Dataset<Row> applied(Dataset<Row> snapshot, Dataset<Row> current) {
    String id = CustomerSegmentsColumns.CUSTOMER_ID;
    List<String> columns = new ArrayList<>(Arrays.asList(snapshot.columns()));
    if (!columns.contains(CustomerSegmentsColumns.CONSENT)) {
      columns.add(CustomerSegmentsColumns.CONSENT);
    }
    Dataset<Row> now =
        current.select(
            functions.col(id).as("consent_customer_id"),
            functions.col(CustomerSegmentsColumns.CONSENT).as("current_opt_in"));
    return snapshot
        .join(now, snapshot.col(id).equalTo(now.col("consent_customer_id")), "left")
        .withColumn(
            CustomerSegmentsColumns.CONSENT,
            functions.coalesce(functions.col("current_opt_in"), functions.lit(false)))
        .select(columns.stream().map(functions::col).toArray(Column[]::new));
  }
}
