package io.segpipe.jobs.ingest;

import io.segpipe.common.UserError;
import io.segpipe.common.lake.StorageFailures;
import java.io.File;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * What can be wrong with the files of a source as a whole: none there, or one that cannot be read.
 */
final class SourceFiles {
  /** How Spark and Parquet say a file could not be read (a corrupt, truncated or foreign file). */
  private static final Pattern UNREADABLE =
      Pattern.compile(
          "is not a Parquet file|Could not read footer"
              + "|CANNOT_READ_FILE_FOOTER|FAILED_READ_FILE|Encountered error while reading file|can not read class"
              + "|Unexpected end of input");

  private static final Pattern PATH = Pattern.compile("(?:file:)?/[^\\s'\"\\[\\]()]+");

  private SourceFiles() {}

  /**
   * Whether {@code path} is a file, or a folder with a data file in it or below it (not _ or .
   * files).
   */
  static boolean holdsData(FileSystem fs, Path path) throws IOException {
    if (fs.getFileStatus(path).isFile()) {
      return true;
    }
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(path, true);
    while (files.hasNext()) {
      String name = files.next().getPath().getName();
      if (!name.startsWith("_") && !name.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /**
   * A message naming the file when {@code failure} is a source file Spark could not read, or empty.
   * The file is the first path in the chain of causes under the source folder.
   */
  static Optional<UserError> unreadable(Exception failure, String source, String format) {
    Optional<String> reason = StorageFailures.line(failure, UNREADABLE);
    if (reason.isEmpty()) {
      return Optional.empty();
    }
    String file = fileUnder(failure, source).orElse("(a file of the source; see the reason)");
    return Optional.of(
        new UserError(
            "Source file "
                + file
                + " cannot be read as "
                + format
                + ": "
                + reason.get()
                + ". Nothing was ingested: events was not changed. Replace that file with a good copy (or remove it) and"
                + " run ingest again; to skip unreadable files on purpose, pass --spark-conf"
                + " spark.sql.files.ignoreCorruptFiles=true.",
            failure));
  }

  private static Optional<String> fileUnder(Throwable failure, String source) {
    String folder = source.contains("://") ? source : new File(source).getAbsolutePath();
    for (Throwable t : StorageFailures.causes(failure)) {
      Matcher m = PATH.matcher(String.valueOf(t.getMessage()));
      while (m.find()) {
        String path = m.group().replaceFirst("^file:/*", "/").replaceAll("[.:,;]+$", "");
        if (path.startsWith(folder) && !path.equals(folder)) {
          return Optional.of(path);
        }
      }
    }
    return Optional.empty();
  }
}
