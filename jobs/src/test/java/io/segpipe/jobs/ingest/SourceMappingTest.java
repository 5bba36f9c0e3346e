package io.segpipe.jobs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.segpipe.common.config.ConfigError;
import io.segpipe.common.schema.Events;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Loading source mappings (no Spark): every canonical column needs an expression but those added to
 * the events contract later, which a mapping written before them may leave out.
 */
class SourceMappingTest {
  /** A mapping of every canonical column written before discount_amount, plus {@code extra}. */
  private static SourceMapping mapping(String extra) {
    return SourceMapping.from(
        ConfigFactory.parseString(
            """
            name = shop, format = csv, event-id = id
            columns { event_ts = "when", customer_id = customer, channel = "'web'",
              event_type = "'purchase'", order_id = null, product_id = null, category = null,
              quantity = null, amount = price, currency = null, store_id = null, rating = null
              %s }
            """
                .formatted(extra)),
        "inline");
  }

  @Test
  void discountAmountIsTheOnlyOptionalColumn() {
    assertEquals(List.of("discount_amount"), Events.optionalColumns());
  }

  @Test
  void aMappingWithoutDiscountAmountLoadsAndMapsItToNull() {
    SourceMapping shop = mapping("");
    assertEquals("NULL", shop.columns().get("discount_amount"));
    assertEquals("price", shop.columns().get("amount"));
    // one expression per canonical column but the event id, in contract order
    List<String> expected =
        List.of(Events.MAPPED.fieldNames()).stream().filter(c -> !c.equals("event_id")).toList();
    assertEquals(expected, List.copyOf(shop.columns().keySet()));
  }

  @Test
  void aMappingWithADiscountExpressionKeepsIt() {
    assertEquals(
        "coalesce(markdown, 0)",
        mapping("discount_amount = \"coalesce(markdown, 0)\"").columns().get("discount_amount"));
    assertEquals("NULL", mapping("discount_amount = null").columns().get("discount_amount"));
  }

  @Test
  void theBuiltInMappingsSayWhereTheirSourcesHaveDiscounts() {
    // UCI Online Retail has none; the generator's export says what a coupon took off each line.
    assertEquals("NULL", SourceMapping.load("uci-online-retail").columns().get("discount_amount"));
    assertEquals("line_discount", SourceMapping.load("generator").columns().get("discount_amount"));
  }

  @Test
  void aRequiredColumnLeftOutIsStillAProblem() {
    ConfigError e =
        assertThrows(
            ConfigError.class,
            () ->
                SourceMapping.from(
                    ConfigFactory.parseString(
                        """
                        name = shop, format = csv, event-id = id
                        columns { event_ts = "when", customer_id = customer, channel = "'web'",
                          event_type = "'purchase'", order_id = null, product_id = null,
                          category = null, quantity = null, amount = price, currency = null,
                          store_id = null }
                        """),
                    "inline"));
    assertTrue(
        e.getMessage()
            .contains(
                "mapping inline: columns.rating: missing; every canonical column but"
                    + " discount_amount needs an expression (write null if the source has none)"),
        e.getMessage());
    assertTrue(!e.getMessage().contains("columns.discount_amount"), e.getMessage());
  }
}
