package io.segpipe.common.lake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local file system without chmod processes leaves the same files, with the same permissions,
 * as Hadoop's own; Hadoop's own (run on the same paths) is the second computation.
 */
class NioLocalFileSystemTest {
  @TempDir java.nio.file.Path dir;

  private static FileSystem open(FileSystem fs) throws IOException {
    fs.initialize(URI.create("file:///"), new Configuration());
    return fs;
  }

  private static String permissions(java.nio.file.Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static void write(FileSystem fs, Path p, FsPermission permission, String text)
      throws IOException {
    try (FSDataOutputStream out = fs.create(p, permission, true, 4096, (short) 1, 1 << 20, null)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void filesAndFoldersGetTheSamePermissionsAndChecksumsAsWithHadoopsOwn() throws IOException {
    try (FileSystem hadoop = open(new LocalFileSystem());
        FileSystem nio = open(new NioLocalFileSystem())) {
      for (String mode : List.of("644", "600", "755", "640", "777", "700", "444")) {
        FsPermission permission = new FsPermission(mode);
        Path a = new Path(dir.toUri().toString(), "hadoop-" + mode + "/d=1/part.parquet");
        Path b = new Path(dir.toUri().toString(), "nio-" + mode + "/d=1/part.parquet");
        write(hadoop, a, permission, "rows " + mode);
        write(nio, b, permission, "rows " + mode);
        java.nio.file.Path fa = dir.resolve("hadoop-" + mode + "/d=1/part.parquet");
        java.nio.file.Path fb = dir.resolve("nio-" + mode + "/d=1/part.parquet");
        assertEquals(permissions(fa), permissions(fb), "file " + mode);
        assertEquals(permissions(fa.getParent()), permissions(fb.getParent()), "folder " + mode);
        java.nio.file.Path crcA = fa.resolveSibling(".part.parquet.crc");
        java.nio.file.Path crcB = fb.resolveSibling(".part.parquet.crc");
        assertTrue(Files.exists(crcB), "a checksum file beside the data");
        assertEquals(permissions(crcA), permissions(crcB), "checksum " + mode);
        assertArrayEquals(Files.readAllBytes(crcA), Files.readAllBytes(crcB));
        assertEquals("rows " + mode, Files.readString(fb));
        hadoop.mkdirs(new Path(dir.toUri().toString(), "made-hadoop-" + mode), permission);
        nio.mkdirs(new Path(dir.toUri().toString(), "made-nio-" + mode), permission);
        assertEquals(
            permissions(dir.resolve("made-hadoop-" + mode)),
            permissions(dir.resolve("made-nio-" + mode)),
            "mkdirs " + mode);
      }
      Path changed = new Path(dir.toUri().toString(), "nio-644/d=1/part.parquet");
      nio.setPermission(changed, new FsPermission("640"));
      assertEquals("rw-r-----", permissions(dir.resolve("nio-644/d=1/part.parquet")));
    }
  }

  @Test
  void linkStatusIsHadoopsForFilesFoldersLinksAndMissingPaths() throws IOException {
    Files.writeString(dir.resolve("file.json"), "{}");
    Files.createDirectory(dir.resolve("folder"));
    Files.createSymbolicLink(dir.resolve("link.json"), dir.resolve("file.json"));
    try (FileSystem hadoop = open(new LocalFileSystem());
        FileSystem nio = open(new NioLocalFileSystem())) {
      for (String name : List.of("file.json", "folder", "link.json")) {
        Path p = new Path(dir.toUri().toString(), name);
        FileStatus expected = hadoop.getFileLinkStatus(p);
        FileStatus actual = nio.getFileLinkStatus(p);
        assertEquals(expected.getPath(), actual.getPath(), name);
        assertEquals(expected.isDirectory(), actual.isDirectory(), name);
        assertEquals(expected.isSymlink(), actual.isSymlink(), name);
        assertEquals(expected.getLen(), actual.getLen(), name);
        if (expected.isSymlink()) {
          assertEquals(expected.getSymlink(), actual.getSymlink());
        }
      }
      Path missing = new Path(dir.toUri().toString(), "missing.json");
      assertThrows(FileNotFoundException.class, () -> nio.getFileLinkStatus(missing));
    }
  }

  @Test
  void fileContextCreatesAndRenamesAsDeltaCommitsDo() throws IOException {
    Configuration conf = new Configuration();
    conf.set("fs.AbstractFileSystem.file.impl", NioLocalFileSystem.Fs.class.getName());
    FileContext fc = FileContext.getFileContext(URI.create("file:///"), conf);
    assertTrue(fc.getDefaultFileSystem() instanceof NioLocalFileSystem.Fs);
    Path log = new Path(dir.toUri().toString(), "_delta_log");
    fc.mkdir(log, FsPermission.getDirDefault(), true);
    Path temp = new Path(log, ".00000.json.tmp");
    try (FSDataOutputStream out =
        fc.create(temp, EnumSet.of(CreateFlag.CREATE), Options.CreateOpts.createParent())) {
      out.write("{\"commitInfo\":{}}".getBytes(StandardCharsets.UTF_8));
    }
    Path commit = new Path(log, "00000.json");
    fc.rename(temp, commit, Options.Rename.NONE);
    assertEquals("{\"commitInfo\":{}}", Files.readString(dir.resolve("_delta_log/00000.json")));
    assertTrue(Files.exists(dir.resolve("_delta_log/.00000.json.crc")), "the checksum moved along");
    assertFalse(Files.exists(dir.resolve("_delta_log/.00000.json.tmp")));
    // a second writer of the same version loses: the commit is not replaced
    Path other = new Path(log, ".00000.json.other.tmp");
    try (FSDataOutputStream out =
        fc.create(other, EnumSet.of(CreateFlag.CREATE), Options.CreateOpts.createParent())) {
      out.write("{}".getBytes(StandardCharsets.UTF_8));
    }
    assertThrows(
        FileAlreadyExistsException.class, () -> fc.rename(other, commit, Options.Rename.NONE));
    assertEquals("{\"commitInfo\":{}}", Files.readString(dir.resolve("_delta_log/00000.json")));
  }
}
