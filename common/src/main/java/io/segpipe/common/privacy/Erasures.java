package io.segpipe.common.privacy;

import io.segpipe.common.UserError;
import io.segpipe.common.config.ConfigReader;
import io.segpipe.common.lake.Lake;
import io.segpipe.common.secret.KeyedHash;
import io.segpipe.common.secret.Secrets;
import io.segpipe.common.tables.Tables;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The customers erased by `forget`: the table {@code erasures} holds, per erased customer, the
 * HMAC-SHA256 of the customer_id keyed with the erasure key (never the id), when, the run, and the
 * rows removed per table. Ingest drops rows of these customers from every later batch, so
 * re-ingesting an old source file does not bring them back. The key comes from the environment
 * variable named by segpipe.privacy.erasure-key-env and must never change: with another key no
 * later row matches.
 */
public final class Erasures {
  public static final String KEY_ENV = "segpipe.privacy.erasure-key-env";
  public static final StructType SCHEMA = Tables.ERASURES.columns();

  private Erasures() {}

  /** The variable segpipe.privacy.erasure-key-env names, and its value where it is set. */
  public record Key(String variable, Optional<String> value) {
    @Override
    public String toString() {
      return "Key[" + variable + (value.isPresent() ? " set" : " unset") + "]";
    }

    /** The key, or an error saying which variable to set and why. */
    public String require(String why) {
      return value.orElseThrow(
          () ->
              new UserError(
                  why
                      + " needs the erasure key, and the environment variable "
                      + variable
                      + " (named by "
                      + KEY_ENV
                      + ") is not set. Set it to the key every earlier forget run used"
                      + " (a new lake: any long random secret, e.g. export "
                      + variable
                      + "=\"$(openssl rand -hex 32)\", kept"
                      + " for ever: with another key, erased customers are no longer recognised)."));
    }
  }

  public static Key key(ConfigReader r, UnaryOperator<String> environment) {
    String variable = r.string(KEY_ENV);
    if (variable.isBlank()) {
      r.problem(KEY_ENV, "is empty; name the environment variable holding the erasure key");
    }
    String value = variable.isBlank() ? null : environment.apply(variable);
    if (value != null && !value.isEmpty()) {
      Secrets.register(value);
      return new Key(variable, Optional.of(value));
    }
    return new Key(variable, Optional.empty());
  }

  /**
   * A boolean column, true where {@code customerId} belongs to an erased customer; empty when the
   * lake has erased nobody. The hashes of the erased ids are read once and travel with the tasks.
   */
  public static Optional<Column> erased(Lake lake, Key key, Column customerId) {
    if (!lake.exists(Tables.ERASURES)) {
      return Optional.empty();
    }
    Set<String> hashes = new HashSet<>();
    lake.read(Tables.ERASURES, "")
        .select("id_hmac")
        .distinct()
        .collectAsList()
        .forEach(r -> hashes.add(r.getString(0)));
    if (hashes.isEmpty()) {
      return Optional.empty();
    }
    String secret =
        key.require(
            "This lake has erased customers (table "
                + Tables.ERASURES
                + "): keeping them out of new rows");
    return Optional.of(
        functions.udf(new Matcher(secret, hashes), DataTypes.BooleanType).apply(customerId));
  }

  /** Whether an id's keyed hash is one of the erased ones; null ids are never erased. */
  private static final class Matcher implements UDF1<String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final KeyedHash hash;
    private final HashSet<String> erased;

    Matcher(String key, Set<String> erased) {
      this.hash = new KeyedHash(key);
      this.erased = new HashSet<>(erased);
    }

    @Override
    public Boolean call(String id) {
      return id != null && erased.contains(hash.call(id));
    }
  }
}
