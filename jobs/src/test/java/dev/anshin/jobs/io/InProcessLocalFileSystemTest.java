package dev.anshin.jobs.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.local.LocalFs;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process local file system leaves exactly the files, folders and permissions Hadoop's own
 * leaves, through both APIs Spark and Delta write with: the same calls run against Hadoop's {@code
 * LocalFileSystem} and {@code LocalFs} in one folder and against ours in another, and the trees are
 * compared. (That ours starts no process is measured, not tested: see docs/benchmarks.md.)
 */
class InProcessLocalFileSystemTest {
  @TempDir java.nio.file.Path scratch;

  @Test
  void permissionBitsMapToJavaNioAsTheirOctalDigitsSay() {
    assertThat(InProcessLocalFileSystem.posix(0754)).isEqualTo(PosixFilePermissions.fromString("rwxr-xr--"));
    assertThat(InProcessLocalFileSystem.posix(0640)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
    assertThat(InProcessLocalFileSystem.posix(0001)).isEqualTo(PosixFilePermissions.fromString("--------x"));
    assertThat(InProcessLocalFileSystem.posix(0)).isEmpty();
  }

  @Test
  void writesTheSameTreeAsHadoopsLocalFileSystem() throws IOException {
    Configuration hadoops = new Configuration(false);
    hadoops.set("fs.file.impl", LocalFileSystem.class.getName());
    hadoops.set("fs.AbstractFileSystem.file.impl", LocalFs.class.getName());
    hadoops.setBoolean("fs.file.impl.disable.cache", true);
    Configuration ours = new Configuration(hadoops);
    ours.set("fs.file.impl", InProcessLocalFileSystem.class.getName());
    ours.set("fs.AbstractFileSystem.file.impl", InProcessLocalFileSystem.Fs.class.getName());

    java.nio.file.Path expected = scratch.resolve("hadoop");
    java.nio.file.Path actual = scratch.resolve("ours");
    writeLikeSparkAndDelta(hadoops, expected);
    writeLikeSparkAndDelta(ours, actual);

    assertThat(FileSystem.get(actual.toUri(), ours)).isInstanceOf(InProcessLocalFileSystem.class);
    assertThat(tree(actual)).isEqualTo(tree(expected)).containsKeys(
        "table/day=2025-01-01/part-0.parquet", "table/day=2025-01-01/.part-0.parquet.crc",
        "table/_delta_log/00000.json", "table/_delta_log/.00000.json.crc", "private/secret.txt");
    // Permissions asked for explicitly were set, not only the defaults.
    assertThat(tree(actual).get("private")).startsWith("rwxr-x---");
    assertThat(tree(actual).get("private/secret.txt")).startsWith("rw-------");
  }

  @Test
  void looksAtLinksAndFilesAsHadoopsLocalFileSystemDoes() throws IOException {
    Configuration hadoops = new Configuration(false);
    hadoops.set("fs.file.impl", LocalFileSystem.class.getName());
    hadoops.setBoolean("fs.file.impl.disable.cache", true);
    Configuration ours = new Configuration(hadoops);
    ours.set("fs.file.impl", InProcessLocalFileSystem.class.getName());
    java.nio.file.Path target = Files.writeString(scratch.resolve("target.txt"), "x");
    java.nio.file.Path link = Files.createSymbolicLink(scratch.resolve("link.txt"), target);
    FileSystem theirs = FileSystem.get(scratch.toUri(), hadoops);
    FileSystem mine = FileSystem.get(scratch.toUri(), ours);

    // Hadoop reads a link only by a path without its scheme: with file:/ it answers "not a link".
    for (Path path : new Path[] {new Path(link.toString()), new Path(link.toUri()), new Path(target.toString()), new Path(target.toUri())}) {
      assertThat(described(mine.getFileLinkStatus(path))).as(path.toString()).isEqualTo(described(theirs.getFileLinkStatus(path)));
    }
    assertThat(mine.getFileLinkStatus(new Path(link.toString())).isSymlink()).isTrue();
    assertThat(mine.getFileLinkStatus(new Path(target.toUri())).getLen()).isEqualTo(1);
  }

  private static String described(FileStatus status) throws IOException {
    return status.getPath() + " symlink=" + status.isSymlink() + (status.isSymlink() ? " -> " + status.getSymlink() : "")
        + " dir=" + status.isDirectory() + " len=" + status.getLen();
  }

  /** What a partitioned Parquet write (FileSystem API) and a Delta commit (FileContext API) do. */
  private static void writeLikeSparkAndDelta(Configuration conf, java.nio.file.Path root) throws IOException {
    FileSystem fs = FileSystem.get(root.toUri(), conf);
    Path table = new Path(root.toUri().toString(), "table");
    try (OutputStream out = fs.create(new Path(table, "day=2025-01-01/part-0.parquet"))) {
      out.write("rows".getBytes(StandardCharsets.UTF_8));
    }
    fs.mkdirs(new Path(root.toUri().toString(), "private"), new FsPermission((short) 0750));
    Path secret = new Path(root.toUri().toString(), "private/secret.txt");
    try (OutputStream out = fs.create(secret, new FsPermission((short) 0640), true, 4096, (short) 1, 1 << 20, null)) {
      out.write("s".getBytes(StandardCharsets.UTF_8));
    }
    fs.setPermission(secret, new FsPermission((short) 0600));

    // Delta's HDFSLogStore: write a temporary file, then rename it over the version's name.
    FileContext context = FileContext.getFileContext(root.toUri(), conf);
    Path log = new Path(table, "_delta_log");
    context.mkdir(log, FsPermission.getDirDefault(), true);
    Path temporary = new Path(log, ".00000.json.tmp");
    try (OutputStream out = context.create(temporary, EnumSet.of(CreateFlag.CREATE), Options.CreateOpts.createParent())) {
      out.write("{\"commitInfo\":{}}".getBytes(StandardCharsets.UTF_8));
    }
    context.rename(temporary, new Path(log, "00000.json"), Options.Rename.NONE);
  }

  /** Every file and folder under root: its relative path to its permissions and size. */
  private static Map<String, String> tree(java.nio.file.Path root) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    try (Stream<java.nio.file.Path> paths = Files.walk(root)) {
      for (java.nio.file.Path path : paths.filter(p -> !p.equals(root)).toList()) {
        entries.put(root.relativize(path).toString(),
            PosixFilePermissions.toString(Files.getPosixFilePermissions(path))
                + (Files.isDirectory(path) ? " dir" : " " + Files.size(path)));
      }
    }
    return entries;
  }
}
