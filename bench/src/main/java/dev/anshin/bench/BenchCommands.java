package dev.anshin.bench;

import dev.anshin.jobs.cli.CommandExtension;
import java.util.List;

/** Adds the benchmark's yardsticks to {@code anshin} when this module is on the class path. */
public final class BenchCommands implements CommandExtension {
  @Override
  public List<Object> commands() {
    return List.of(new FloorCommand(), new DuckDbRollupCommand());
  }
}
