package io.segpipe.common.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void aUrlsPasswordAndSecretParametersAreMaskedAndTheRestKept() {
    assertEquals(
        "Cannot connect to jdbc:postgresql://ann:*****@db.example:5432/mkt?sslmode=require&password=*****",
        Secrets.redact(
            "Cannot connect to jdbc:postgresql://ann:s3cr%3At@db.example:5432/mkt?sslmode=require"
                + "&password=hunter22"));
    assertEquals(
        "jdbc:postgresql://127.0.0.1:5432/db?user=ann",
        Secrets.redact("jdbc:postgresql://127.0.0.1:5432/db?user=ann"));
    assertEquals(
        "--conf segpipe.export.pseudonymise.salt=***** --conf segpipe.lake.root=/lake",
        Secrets.redact(
            "--conf segpipe.export.pseudonymise.salt=abc123 --conf segpipe.lake.root=/lake"));
    assertEquals(
        "spark.hadoop.fs.s3a.access.key=***** spark.sql.shuffle.partitions=8",
        Secrets.redact("spark.hadoop.fs.s3a.access.key=AKIAXYZ spark.sql.shuffle.partitions=8"));
    assertNull(Secrets.redact(null));
  }

  @Test
  void aRegisteredValueIsMaskedWhereverItAppears() {
    Secrets.register("pg-Password-from-env-7");
    String out =
        Secrets.redact(
            "login failed for user x with pg-Password-from-env-7 (in 'pg-Password-from-env-7')");
    assertFalse(out.contains("pg-Password-from-env-7"), out);
    assertEquals("login failed for user x with ***** (in '*****')", out);
    Secrets.register("abc"); // too short to mask safely: ordinary words would vanish
    assertEquals("abc", Secrets.redact("abc"));
  }

  @Test
  void secretNamesAreRecognisedInKeysAndVariables() {
    for (String name :
        new String[] {
          "SEGPIPE_AUDIENCE_SALT",
          "segpipe.export.postgres.password",
          "api_key",
          "spark.hadoop.fs.s3a.secret.key",
          "GITHUB_TOKEN",
          "sslpassword"
        }) {
      assertTrue(Secrets.isSecretName(name), name);
    }
    for (String name :
        new String[] {
          "segpipe.lake.root",
          "spark.sql.shuffle.partitions",
          "user",
          "SEGPIPE_LAKE_ROOT",
          "segpipe.export.postgres.password-env",
          "segpipe.export.pseudonymise.salt-env"
        }) {
      assertFalse(Secrets.isSecretName(name), name);
    }
  }
}
