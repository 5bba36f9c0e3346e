package io.segpipe.common.lake;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FsConstants;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.local.LocalConfigKeys;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system (file:// paths, with its .crc checksum files) without a process per
 * file. Without Hadoop's native library, which Spark's Maven jars do not carry, Hadoop 3.3 sets the
 * permissions of every file and directory it creates by running {@code chmod}, and looks for
 * symbolic links by running {@code readlink}: a fork and exec of the JVM for each. Writing the
 * sample's events, one file in each of 731 date folders, spent most of its 10 s doing that. This
 * file system sets the same permissions through Java's own file API, and checks for a link the same
 * way; everything else is Hadoop's.
 *
 * <p>{@link Fs} is the same for Hadoop's other file API (FileContext), through which Delta commits
 * its log. segpipe's local sessions use both for file:// ({@code SparkSessions.settingsFor}); a
 * platform that sets {@code spark.hadoop.fs.file.impl} keeps its own.
 */
public class NioLocalFileSystem extends LocalFileSystem {
  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (unchecksummed) side: permissions and link checks without a child process. */
  public static class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      File file = pathToFile(p);
      try {
        Files.setPosixFilePermissions(file.toPath(), posix(permission));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: Hadoop's way
        super.setPermission(p, permission);
      }
    }

    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
      if (Files.isSymbolicLink(pathToFile(f).toPath())) {
        return super.getFileLinkStatus(f);
      }
      // not a link: what Hadoop returns for a plain file or folder (or its FileNotFoundException)
      return getFileStatus(f);
    }
  }

  /** file:// for FileContext, checksummed as Hadoop's LocalFs is, over {@link Raw}. */
  public static class Fs extends ChecksumFs {
    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(new RawFs(uri, conf));
    }
  }

  /** {@link Raw} for FileContext, as Hadoop's RawLocalFs is for its own raw file system. */
  static class RawFs extends DelegateToFileSystem {
    RawFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new Raw(), conf, FsConstants.LOCAL_FS_URI.getScheme(), false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1; // file:/// has no port
    }

    @Override
    public FsServerDefaults getServerDefaults(Path f) throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    @SuppressWarnings("deprecation")
    public FsServerDefaults getServerDefaults() throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public boolean isValidName(String src) {
      return true; // any local path name
    }
  }

  /** The POSIX permissions of {@code permission} (its sticky bit aside). */
  static Set<PosixFilePermission> posix(FsPermission permission) {
    return PosixFilePermissions.fromString(
        permission.getUserAction().SYMBOL
            + permission.getGroupAction().SYMBOL
            + permission.getOtherAction().SYMBOL);
  }
}
