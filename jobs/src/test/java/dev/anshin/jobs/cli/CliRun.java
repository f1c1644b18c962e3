package dev.anshin.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Exit code, standard output and standard error of one in-process `anshin` run, for the CLI tests. */
record CliRun(int exitCode, String out, String err) {

  String lastLine() {
    List<String> lines = out.strip().lines().toList();
    return lines.get(lines.size() - 1);
  }

  /** A number of the JSON object on the last line of the output. */
  double number(String key) {
    Matcher matcher = Pattern.compile("\"" + key + "\":(-?[0-9.eE+-]+)").matcher(lastLine());
    assertThat(matcher.find()).as("key %s in %s", key, lastLine()).isTrue();
    return Double.parseDouble(matcher.group(1));
  }

  /**
   * Runs `anshin ARGS --conf retention-test.conf` (the shared test session's Spark settings, which the
   * command's getOrCreate reuses), or `anshin ARGS` when the last is --help.
   */
  static synchronized CliRun of(String... args) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      String[] withConf = new String[args.length + 2];
      System.arraycopy(args, 0, withConf, 0, args.length);
      withConf[args.length] = "--conf";
      withConf[args.length + 1] = testConf();
      int code = AnshinCli.run(args.length > 0 && args[args.length - 1].equals("--help") ? args : withConf);
      return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }

  private static String testConf() {
    try {
      return Path.of(CliRun.class.getResource("/retention-test.conf").toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
