package io.segpipe.common.lake;

import io.segpipe.common.UserError;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.delta.DeltaConcurrentModificationException;

/**
 * Failures that come from the storage or from another run rather than from segpipe, told in words:
 * what happened, which file, what to do. An executor's failure reaches the driver wrapped (often
 * only as text, from another JVM), so these look at every message in the chain of causes.
 */
public final class StorageFailures {
  /**
   * What the operating system or Hadoop says when a file or folder may not be created or written.
   */
  private static final Pattern NO_ACCESS =
      Pattern.compile(
          "Permission denied|Operation not permitted"
              + "|Read-only file system|AccessDeniedException|Mkdirs failed to create|Not a directory"
              + "|ParentNotDirectoryException|is not a directory|No space left on device|DELTA_CANNOT_CREATE_LOG_PATH");

  private StorageFailures() {}

  /**
   * A user-fixable explanation of {@code failure} when it is storage refusing access (read-only
   * folder, permissions, a file where a folder should be, a full disk), or empty. Another run
   * committing to the same Delta table first is explained where every commit is made, in {@link
   * Lake}, which names the table.
   */
  public static Optional<UserError> explain(Exception failure, String lakeRoot) {
    return line(failure, NO_ACCESS)
        .map(
            line ->
                new UserError(
                    "The storage refused a read or write: "
                        + line
                        + ". Check that the user running segpipe ("
                        + System.getProperty("user.name")
                        + ") may create and write"
                        + " files under the lake "
                        + lakeRoot
                        + " (segpipe.lake.root) and read the inputs: the folder may be"
                        + " read-only, owned by another user, on a full disk, or a file may stand where a table folder should be."
                        + " A table this run did not finish writing keeps its previous version.",
                    failure));
  }

  /** The Delta conflict in the chain of causes, if another transaction won the commit. */
  public static Optional<DeltaConcurrentModificationException> concurrentModification(
      Throwable failure) {
    return causes(failure).stream()
        .filter(DeltaConcurrentModificationException.class::isInstance)
        .map(DeltaConcurrentModificationException.class::cast)
        .findFirst();
  }

  /** The first line of any message in the chain of causes that matches {@code pattern}, trimmed. */
  public static Optional<String> line(Throwable failure, Pattern pattern) {
    for (Throwable t : causes(failure)) {
      String message = t.getMessage();
      if (message == null) {
        continue;
      }
      for (String line : message.split("\n")) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          // "Job aborted ... : java.io.FileNotFoundException: /x (Permission denied)" -> "/x
          // (Permission denied)"
          int cause = line.substring(0, m.start()).lastIndexOf("Exception: ");
          String trimmed =
              (cause < 0 ? line : line.substring(cause + "Exception: ".length())).strip();
          return Optional.of(trimmed.length() > 400 ? trimmed.substring(0, 400) + " ..." : trimmed);
        }
      }
    }
    return Optional.empty();
  }

  /** {@code failure} and its causes, outermost first, each once (a cause chain may loop). */
  public static List<Throwable> causes(Throwable failure) {
    Set<Throwable> seen = new LinkedHashSet<>();
    Throwable t = failure;
    while (t != null && seen.add(t)) {
      t = t.getCause();
    }
    return List.copyOf(seen);
  }
}
