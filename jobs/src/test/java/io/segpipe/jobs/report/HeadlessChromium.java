package io.segpipe.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segpipe.common.test.TestFolders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A headless Chromium driven over the DevTools protocol, with nothing but the JDK: the browser is
 * started with its own temporary profile, listens on 127.0.0.1 only, cannot resolve any host name,
 * and is stopped by process id (its child processes too) when closed. Every DevTools event is kept,
 * so a test can ask which requests a page made and what it logged.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration COMMAND = Duration.ofSeconds(90);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<JsonNode> events = new CopyOnWriteArrayList<>();
  private final List<EventWaiter> waiters = new CopyOnWriteArrayList<>();
  private String session;

  private record EventWaiter(Predicate<JsonNode> matches, CompletableFuture<JsonNode> found) {}

  /** The browser binary: $SEGPIPE_CHROMIUM, else the Debian package's /usr/bin/chromium. */
  static Path binary() {
    String configured = System.getenv("SEGPIPE_CHROMIUM");
    return Path.of(configured == null || configured.isBlank() ? "/usr/bin/chromium" : configured);
  }

  /** Starts the browser; {@code log} receives its standard output and error. */
  HeadlessChromium(Path log, int width, int height) throws IOException, InterruptedException {
    profile = TestFolders.folder("segpipe-chromium-profile");
    List<String> command =
        List.of(
            binary().toString(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--metrics-recording-only",
            "--mute-audio",
            // No host name resolves: the page could reach nothing beyond this machine even if it
            // tried.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "--user-data-dir=" + profile,
            "--window-size=" + width + "," + height,
            "about:blank");
    process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      URI endpoint = endpoint();
      socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .connectTimeout(STARTUP)
              .buildAsync(endpoint, new Listener())
              .get(STARTUP.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      close();
      throw new IOException("Chromium did not start its DevTools endpoint; see " + log, e);
    }
  }

  /**
   * Chromium writes its port and browser path to DevToolsActivePort in the profile once it listens.
   */
  private URI endpoint() throws IOException, InterruptedException {
    Path active = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("Chromium exited with code " + process.exitValue());
      }
      if (Files.exists(active)) {
        List<String> lines = Files.readAllLines(active);
        if (lines.size() >= 2 && !lines.get(1).isBlank()) {
          return URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
        }
      }
      Thread.sleep(100);
    }
    throw new IOException("no DevToolsActivePort after " + STARTUP.toSeconds() + " s");
  }

  /** Opens a new page and attaches to it; later commands go to that page. */
  void openPage() throws Exception {
    String target =
        send("Target.createTarget", Map.of("url", "about:blank")).path("targetId").asText();
    session =
        send("Target.attachToTarget", Map.of("targetId", target, "flatten", true))
            .path("sessionId")
            .asText();
  }

  /**
   * Sends a command (to the attached page, if any) and waits for its result; fails on a protocol
   * error.
   */
  JsonNode send(String method, Map<String, ?> params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", JSON.valueToTree(params));
    if (session != null) {
      message.put("sessionId", session);
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    socket
        .sendText(JSON.writeValueAsString(message), true)
        .get(COMMAND.toSeconds(), TimeUnit.SECONDS);
    JsonNode answer = reply.get(COMMAND.toSeconds(), TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new IllegalStateException(method + " failed: " + answer.get("error"));
    }
    return answer.path("result");
  }

  /** A future for the first event named {@code method} from now on. */
  CompletableFuture<JsonNode> next(String method) {
    CompletableFuture<JsonNode> found = new CompletableFuture<>();
    waiters.add(new EventWaiter(e -> method.equals(e.path("method").asText()), found));
    return found;
  }

  /** Every event received so far named {@code method}. */
  List<JsonNode> events(String method) {
    return events.stream().filter(e -> method.equals(e.path("method").asText())).toList();
  }

  /**
   * Evaluates a script in the page and returns its value (a string, number, or JSON-able object).
   */
  JsonNode evaluate(String expression) throws Exception {
    JsonNode result =
        send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException("script failed: " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /** Decodes a base64 "data" result (screenshot, PDF) into a file. */
  static void save(JsonNode result, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(result.path("data").asText()));
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        send("Browser.close", Map.of());
      } catch (Exception e) {
        // stopped by process id below either way
      }
      socket.abort();
    }
    // Stop the browser and its helper processes by process id: children first, then the browser.
    List<ProcessHandle> children = process.descendants().toList();
    children.forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    try (var paths = Files.walk(profile)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a profile file still held open by a dying helper; TestFolders deletes what is left when the
      // JVM exits
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /**
   * Collects the text frames of each message and routes it: replies by id, events to the list and
   * waiters.
   */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder buffer = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      buffer.append(data);
      if (last) {
        String text = buffer.toString();
        buffer.setLength(0);
        try {
          JsonNode message = JSON.readTree(text);
          if (message.has("id")) {
            CompletableFuture<JsonNode> reply = pending.remove(message.get("id").asInt());
            if (reply != null) {
              reply.complete(message);
            }
          } else {
            events.add(message);
            for (EventWaiter w : new ArrayList<>(waiters)) {
              if (w.matches().test(message)) {
                w.found().complete(message);
                waiters.remove(w);
              }
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      webSocket.request(1);
      return null;
    }
  }
}
