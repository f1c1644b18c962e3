package dev.anshin.jobs.cli;

import dev.anshin.jobs.config.AnshinConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every pipeline step takes, so the same commands serve the demo, tests and production. */
public final class PipelineOptions {
  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "Configuration file (HOCON). Default: conf/anshin.conf of the installation if present, else built-in defaults.")
  Path conf;

  @Option(names = "--lakehouse", paramLabel = "DIR", description = "Lakehouse folder; overrides anshin.lakehouse.")
  Path lakehouse;

  @Option(names = "--sources", paramLabel = "DIR", description = "Folder of the source exports; overrides anshin.sources.dir.")
  Path sources;

  public Path lakehouse() {
    return lakehouse;
  }

  public Path sources() {
    return sources;
  }

  /** Sets the folders when the command line left them out (the demo's defaults). */
  public void defaultLocations(Path lakehouseFolder, Path sourcesFolder) {
    if (lakehouse == null) {
      lakehouse = lakehouseFolder;
    }
    if (sources == null) {
      sources = sourcesFolder;
    }
  }

  public AnshinConfig load() {
    Path file = conf;
    if (file == null) {
      String home = System.getProperty("anshin.home");
      Path candidate = home == null ? null : Path.of(home, "conf", "anshin.conf");
      if (candidate != null && Files.isReadable(candidate)) {
        file = candidate;
      }
    }
    return AnshinConfig.load(file).withLocations(lakehouse, sources);
  }
}
