package dev.anshin.jobs.cli;

import java.util.List;

/**
 * Commands another module adds to {@code anshin} when it is on the class path, found with {@link
 * java.util.ServiceLoader} (listed in {@code META-INF/services/dev.anshin.jobs.cli.CommandExtension}).
 * The demo module adds {@code generate}, {@code demo} and {@code evaluate} this way, so that the
 * production jar carries none of the synthetic world.
 */
public interface CommandExtension {
  /** Picocli command objects (annotated with {@code @Command}), in the order help lists them. */
  List<Object> commands();
}
