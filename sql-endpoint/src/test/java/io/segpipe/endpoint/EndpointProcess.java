package io.segpipe.endpoint;

import io.segpipe.common.test.Scripts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * scripts/sql-endpoint started as its own process on a free loopback port, without authentication
 * or TLS; returned once it listens, and ended by its process id on {@link #close()}.
 */
final class EndpointProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int port;

  private EndpointProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  static EndpointProcess start(Path log, Map<String, String> environment, String... args)
      throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--port", String.valueOf(port)));
    Process process = Scripts.start(log, environment, "sql-endpoint", all.toArray(String[]::new));
    EndpointProcess endpoint = new EndpointProcess(process, log, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (!Files.readString(log).contains("listening on jdbc:hive2://")) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        endpoint.close();
        throw new AssertionError("the endpoint did not start:\n" + Scripts.tail(log));
      }
      Thread.sleep(500);
    }
    return endpoint;
  }

  int port() {
    return port;
  }

  /** A connection to database segpipe as any user (no authentication). */
  Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:hive2://127.0.0.1:" + port + "/segpipe", "anyone", "");
  }

  String log() throws IOException {
    return Files.readString(log);
  }

  /** Ends the endpoint by its process id (the script execs spark-submit, which execs java). */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    ProcessHandle handle = process.toHandle();
    handle.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      handle.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
