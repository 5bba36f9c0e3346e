package io.segpipe.common.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests: a new cluster in a temporary folder, listening on
 * 127.0.0.1 on a free port with password (SCRAM) authentication, stopped by its process id on
 * {@link #close()}. It uses the server binaries of Debian's postgresql package
 * (/usr/lib/postgresql/VERSION/bin). initdb and postgres refuse to run as root, so as root they run
 * as the postgres OS user through runuser. Without the binaries the tests using it are skipped,
 * except on CI (CI=true), where that is a failure: scripts/ci-install-deps installs them.
 */
public final class PostgresServer implements AutoCloseable {
  public static final String USER = "segpipe";
  private final Path folder;
  private final int port;
  private final String password;
  private final long pid;

  private PostgresServer(Path folder, int port, String password, long pid) {
    this.folder = folder;
    this.port = port;
    this.password = password;
    this.pid = pid;
  }

  public static Optional<Path> binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(
              Comparator.comparingInt(
                  b ->
                      Integer.parseInt(
                          b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
    }
  }

  public static PostgresServer start() throws Exception {
    Optional<Path> bin = binaries();
    Required.that(
        bin.isPresent(),
        "no PostgreSQL server under /usr/lib/postgresql/*/bin (run scripts/ci-install-deps,"
            + " or apt-get install -y postgresql)");
    boolean root = "root".equals(System.getProperty("user.name"));
    Path folder = TestFolders.folder("segpipe-pg");
    String password = "pw-" + Long.toHexString(System.nanoTime());
    Files.writeString(folder.resolve("password"), password, StandardCharsets.UTF_8);
    if (root) {
      run(folder, List.of("chown", "-R", "postgres:postgres", folder.toString()));
    }
    Path data = folder.resolve("data");
    run(
        folder,
        asServerUser(
            root,
            List.of(
                bin.get().resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                USER,
                "--pwfile=" + folder.resolve("password"),
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync")));
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    // -F: no fsync (a test cluster); -k: the Unix socket in the test folder, not
    // /var/run/postgresql.
    run(
        folder,
        asServerUser(
            root,
            List.of(
                bin.get().resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-l",
                folder.resolve("server.log").toString(),
                "-w",
                "-t",
                "120",
                "-o",
                "-h 127.0.0.1 -p " + port + " -k " + folder + " -F",
                "start")));
    long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    return new PostgresServer(folder, port, password, pid);
  }

  private static List<String> asServerUser(boolean root, List<String> command) {
    List<String> out = new ArrayList<>();
    if (root) {
      out.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    out.addAll(command);
    return out;
  }

  private static void run(Path folder, List<String> command)
      throws IOException, InterruptedException {
    Path log = TestFolders.file("segpipe-pg-cmd", ".log");
    Process p =
        new ProcessBuilder(command)
            .directory(folder.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " did not finish in 180 s");
    }
    String output = Files.readString(log);
    Files.deleteIfExists(log);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(command + " failed (exit " + p.exitValue() + "): " + output);
    }
  }

  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  public String password() {
    return password;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), USER, password);
  }

  /**
   * Fast shutdown (SIGINT to the postmaster), waiting for it to end; then the folder is deleted.
   */
  @Override
  public void close() throws Exception {
    Optional<ProcessHandle> server = ProcessHandle.of(pid);
    if (server.isPresent()) {
      new ProcessBuilder("kill", "-INT", String.valueOf(pid)).start().waitFor(10, TimeUnit.SECONDS);
      try {
        server.get().onExit().get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        server.get().destroyForcibly();
      }
    }
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
