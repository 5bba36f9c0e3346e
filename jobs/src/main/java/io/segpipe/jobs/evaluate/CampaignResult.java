package io.segpipe.jobs.evaluate;

import io.segpipe.common.schema.Campaigns;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One campaign's measurement: the per-group sums of campaign_outcomes.sql turned into the
 * comparisons of {@link UpliftStatistics}, one campaign_results row per metric.
 */
record CampaignResult(
    EvaluateJob.Due campaign,
    long treatedCustomers,
    long controlCustomers,
    long treatedBuyers,
    long controlBuyers,
    UpliftStatistics.Comparison conversion,
    UpliftStatistics.Comparison revenue,
    UpliftStatistics.Comparison orders,
    double treatedOrderValue,
    double controlOrderValue,
    double sampleRatioP) {

  static CampaignResult of(EvaluateJob.Due d, Row treated, Row control, EvaluateSettings s) {
    long nt = treated.getLong(treated.fieldIndex("customers"));
    long nc = control.getLong(control.fieldIndex("customers"));
    long bt = treated.getLong(treated.fieldIndex("buyers"));
    long bc = control.getLong(control.fieldIndex("buyers"));
    UpliftStatistics.Comparison conversion =
        UpliftStatistics.proportions(bt, nt, bc, nc, s.confidence(), s.power());
    UpliftStatistics.Comparison revenue =
        UpliftStatistics.means(
            group(treated, "revenue"), group(control, "revenue"), s.confidence(), s.power());
    UpliftStatistics.Comparison orders =
        UpliftStatistics.means(
            group(treated, "orders"), group(control, "orders"), s.confidence(), s.power());
    return new CampaignResult(
        d,
        nt,
        nc,
        bt,
        bc,
        conversion,
        revenue,
        orders,
        perOrder(treated),
        perOrder(control),
        UpliftStatistics.sampleRatioPValue(nc, nt + nc, d.controlShare()));
  }

  private static UpliftStatistics.Group group(Row row, String value) {
    return new UpliftStatistics.Group(
        row.getLong(row.fieldIndex("customers")),
        EvaluateJob.number(row, value),
        EvaluateJob.number(row, value + "_squared"));
  }

  /** Net revenue per order of the group's buyers; NaN without orders. */
  private static double perOrder(Row row) {
    double orders = EvaluateJob.number(row, "orders");
    return orders > 0 ? EvaluateJob.number(row, "revenue") / orders : Double.NaN;
  }

  boolean sampleRatioOk(EvaluateSettings s) {
    return sampleRatioP >= s.sampleRatioAlpha();
  }

  /**
   * The campaign_results rows: conversion, revenue and orders per customer, average order value.
   */
  List<Row> rows(LocalDate asOf, Timestamp at, EvaluateSettings s) {
    UpliftStatistics.Estimate incremental = revenue.absolute();
    double[] extra = {
      incremental.value() * treatedCustomers,
      incremental.low() * treatedCustomers,
      incremental.high() * treatedCustomers
    };
    List<Row> rows = new ArrayList<>();
    rows.add(row(Campaigns.CONVERSION, conversion, asOf, at, s, extra));
    rows.add(row(Campaigns.REVENUE_PER_CUSTOMER, revenue, asOf, at, s, extra));
    rows.add(row(Campaigns.ORDERS_PER_CUSTOMER, orders, asOf, at, s, extra));
    // Revenue per order compares buyers, and who buys is changed by the campaign: described, not
    // tested.
    UpliftStatistics.Estimate none =
        new UpliftStatistics.Estimate(
            treatedOrderValue - controlOrderValue, Double.NaN, Double.NaN, Double.NaN);
    UpliftStatistics.Estimate relative =
        new UpliftStatistics.Estimate(
            treatedOrderValue / controlOrderValue - 1, Double.NaN, Double.NaN, Double.NaN);
    rows.add(
        row(
            Campaigns.AVERAGE_ORDER_VALUE,
            new UpliftStatistics.Comparison(
                treatedOrderValue, controlOrderValue, none, relative, Double.NaN),
            asOf,
            at,
            s,
            extra));
    return rows;
  }

  private Row row(
      String metric,
      UpliftStatistics.Comparison c,
      LocalDate asOf,
      Timestamp at,
      EvaluateSettings s,
      double[] incremental) {
    return RowFactory.create(
        campaign.id(),
        campaign.name(),
        metric,
        metric.equals(campaign.metric()),
        Date.valueOf(asOf),
        Date.valueOf(campaign.start()),
        Date.valueOf(campaign.end()),
        campaign.running(),
        treatedCustomers,
        controlCustomers,
        treatedBuyers,
        controlBuyers,
        orNull(c.treatedMean()),
        orNull(c.controlMean()),
        orNull(c.absolute().value()),
        orNull(c.absolute().low()),
        orNull(c.absolute().high()),
        orNull(c.absolute().pValue()),
        orNull(c.relative().value()),
        orNull(c.relative().low()),
        orNull(c.relative().high()),
        orNull(c.minimumDetectableEffect()),
        orNull(incremental[0]),
        orNull(incremental[1]),
        orNull(incremental[2]),
        sampleRatioP,
        sampleRatioOk(s),
        s.confidence(),
        s.power(),
        at);
  }

  private static Double orNull(double value) {
    return Double.isFinite(value) ? value : null;
  }

  /** For the run summary: the target metric's uplift with its interval, and the split check. */
  String line(EvaluateSettings s) {
    UpliftStatistics.Comparison target =
        switch (campaign.metric()) {
          case Campaigns.REVENUE_PER_CUSTOMER -> revenue;
          case Campaigns.ORDERS_PER_CUSTOMER -> orders;
          default -> conversion;
        };
    UpliftStatistics.Estimate e = target.absolute();
    return String.format(
        Locale.ROOT,
        "%s%s %s %.4f vs %.4f, uplift %+.4f [%.4f, %.4f] p=%.3g (%d treated, %d control)%s",
        campaign.id(),
        campaign.running() ? " (running)" : "",
        campaign.metric(),
        target.treatedMean(),
        target.controlMean(),
        e.value(),
        e.low(),
        e.high(),
        e.pValue(),
        treatedCustomers,
        controlCustomers,
        !sampleRatioOk(s)
            ? ", SAMPLE RATIO MISMATCH p=" + String.format(Locale.ROOT, "%.2g", sampleRatioP)
            : "");
  }
}
