package dev.anshin.demo;

import dev.anshin.demo.generate.GenerateCommand;
import dev.anshin.jobs.cli.CommandExtension;
import java.util.List;

/** Adds the synthetic world's commands to {@code anshin} when this module is on the class path. */
public final class DemoCommands implements CommandExtension {
  @Override
  public List<Object> commands() {
    return List.of(new DemoCommand(), new GenerateCommand(), new EvaluateCommand());
  }
}
