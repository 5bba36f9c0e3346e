package io.segpipe.jobs.generate;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * The ways --dirty-share breaks a row, each one a rule ingest must quarantine. Exact duplicates
 * (same event_id, same values) are the other kind of dirt; they are valid rows and are counted
 * apart.
 */
enum Breakage {
  UNKNOWN_CHANNEL {
    @Override
    void apply(Object[] row) {
      row[ExportShape.CHANNEL] = "fax";
    }
  },
  UNKNOWN_EVENT_TYPE {
    @Override
    void apply(Object[] row) {
      row[ExportShape.EVENT_TYPE] = "ping";
    }
  },
  NEGATIVE_AMOUNT {
    @Override
    void apply(Object[] row) {
      BigDecimal amount = (BigDecimal) row[ExportShape.LINE_AMOUNT];
      row[ExportShape.LINE_AMOUNT] =
          amount == null || amount.signum() == 0 ? new BigDecimal("-1.00") : amount.negate();
    }
  },
  MISSING_EVENT_TIME {
    @Override
    void apply(Object[] row) {
      row[ExportShape.EVENT_TIME] = null;
    }
  },
  RATING_OUT_OF_RANGE {
    @Override
    void apply(Object[] row) {
      row[ExportShape.RATING] = 9;
    }
  };

  private final String label = name().toLowerCase(Locale.ROOT);

  abstract void apply(Object[] row);

  String label() {
    return label;
  }
}
