package dev.anshin.jobs.io;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
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
 * Hadoop's local file system ({@code file:}) without a child process per file.
 *
 * <p>Without Hadoop's native library, which no Maven artifact ships, {@link RawLocalFileSystem}
 * starts a process for two common calls: {@code chmod} to set the permissions of every file and
 * folder it creates (three for each Parquet file Spark writes: its partition folder, the file and
 * the file's checksum), and {@code readlink} to look at a path before a rename (four for each Delta
 * commit, which is written by renaming a temporary file). A backfill writes one file per day and
 * table, so most of its write time went to starting processes; a nightly started about 360. Here
 * permissions are set and links read through {@code java.nio}, in-process; everything else is
 * Hadoop's. {@code SparkSessions} installs this class as {@code fs.file.impl} (the FileSystem API,
 * used to write data files) and {@link Fs} as {@code fs.AbstractFileSystem.file.impl} (the
 * FileContext API, used by Delta to commit); other schemes (hdfs, s3a, abfs) are unchanged.
 */
public final class InProcessLocalFileSystem extends LocalFileSystem {
  public InProcessLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (checksum-less) layer, where Hadoop starts the processes. */
  static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path path, FsPermission permission) throws IOException {
      short bits = permission.toShort();
      if ((bits & ~0777) != 0) {
        super.setPermission(path, permission); // the sticky bit has no java.nio equivalent
        return;
      }
      try {
        Files.setPosixFilePermissions(pathToFile(path).toPath(), posix(bits));
      } catch (UnsupportedOperationException notPosix) {
        super.setPermission(path, permission);
      }
    }

    /**
     * Hadoop reads the link with a {@code readlink} process, given the path with its scheme ({@code
     * file:/...}), which no file is named, so the answer is always "not a link" and the status is the
     * path's own. A real symbolic link still gets Hadoop's answer.
     */
    @Override
    public FileStatus getFileLinkStatus(Path path) throws IOException {
      if (Files.isSymbolicLink(pathToFile(path).toPath())) {
        return super.getFileLinkStatus(path);
      }
      return getFileStatus(path);
    }
  }

  /** The same for the FileContext API, as Hadoop's {@code LocalFs} (checksums over the raw layer). */
  public static final class Fs extends ChecksumFs {
    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(new RawFs(uri, conf));
    }
  }

  /** Hadoop's {@code RawLocalFs} (package-private there) over {@link Raw}. */
  static final class RawFs extends DelegateToFileSystem {
    RawFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new Raw(), conf, FsConstants.LOCAL_FS_URI.getScheme(), false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1;
    }

    @Override
    public FsServerDefaults getServerDefaults(Path path) throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    @SuppressWarnings("deprecation")
    public FsServerDefaults getServerDefaults() throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public boolean isValidName(String src) {
      return true; // any local path, as Hadoop's RawLocalFs
    }
  }

  private static final PosixFilePermission[] BY_BIT = {
    PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
  };

  /** The nine permission bits of a mode such as 0644 as java.nio's set. */
  static Set<PosixFilePermission> posix(int mode) {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < BY_BIT.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        permissions.add(BY_BIT[bit]);
      }
    }
    return permissions;
  }
}
