package dev.anshin.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real browser for tests of HTML output: Debian's headless {@code chromium} (installed by
 * {@code .ci/run}). {@link #inspect} loads a page at a given window size and reports what rendered:
 * how many images decoded, load errors, and whether the page fits the window's width.
 *
 * <p>Where no chromium is installed the test is skipped with a message, except in CI, where a
 * missing browser fails it ({@link SystemPackages}).
 */
public final class HeadlessBrowser {
  private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");

  /** Appended to a copy of the page: records what rendered on the body once everything loaded. */
  private static final String PROBE = """
      <script>
      window.__probeErrors = [];
      window.addEventListener('error', e => window.__probeErrors.push(e.message
          || ((e.target && e.target.tagName) + ' ' + ((e.target && (e.target.src || e.target.href)) || '').slice(0, 80))), true);
      window.addEventListener('load', () => {
        const images = Array.from(document.images);
        const body = document.body;
        body.setAttribute('data-probe-images', images.length);
        body.setAttribute('data-probe-rendered', images.filter(i => i.complete && i.naturalWidth > 0).length);
        body.setAttribute('data-probe-scroll-width', document.documentElement.scrollWidth);
        body.setAttribute('data-probe-viewport-width', window.innerWidth);
        body.setAttribute('data-probe-errors', window.__probeErrors.join(' | '));
        body.setAttribute('data-probe-done', 'yes');
      });
      </script>
      """;

  private final Path binary;

  private HeadlessBrowser(Path binary) {
    this.binary = binary;
  }

  /** The installed browser; skips the test without one (fails it in CI), see {@link SystemPackages}. */
  public static HeadlessBrowser require() {
    return new HeadlessBrowser(SystemPackages.require(CANDIDATES, "apt-get install -y chromium"));
  }

  /** What a page showed once loaded: its images, errors, widths, and the DOM as rendered. */
  public record Inspection(int images, int imagesRendered, int scrollWidth, int viewportWidth, String errors, String dom) {
    /** The text of every element with {@code data-metric="name"}, by name. */
    public Map<String, String> metrics() {
      Map<String, String> metrics = new LinkedHashMap<>();
      Matcher m = Pattern.compile("data-metric=\"([^\"]+)\">([^<]*)<").matcher(dom);
      while (m.find()) {
        metrics.put(m.group(1), m.group(2));
      }
      return metrics;
    }

    /** The rows of the table with {@code data-table="name"}, each as its cells' text (tags removed). */
    public List<List<String>> table(String name) {
      Matcher table = Pattern.compile("<table[^>]*data-table=\"" + Pattern.quote(name) + "\"[^>]*>(.*?)</table>", Pattern.DOTALL).matcher(dom);
      List<List<String>> rows = new ArrayList<>();
      if (!table.find()) {
        return rows;
      }
      Matcher row = Pattern.compile("<tr>(.*?)</tr>", Pattern.DOTALL).matcher(table.group(1));
      while (row.find()) {
        List<String> cells = new ArrayList<>();
        Matcher cell = Pattern.compile("<t([dh])[^>]*>(.*?)</t\\1>", Pattern.DOTALL).matcher(row.group(1));
        while (cell.find()) {
          cells.add(cell.group(2).replaceAll("<[^>]+>", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
              .replace("&quot;", "\"").replace("&#39;", "'").replaceAll("\\s+", " ").trim());
        }
        rows.add(cells);
      }
      return rows;
    }
  }

  /** Loads {@code page} (a copy with a probe script) in a window of the given size. */
  public Inspection inspect(Path page, int width, int height) throws IOException, InterruptedException {
    String html = Files.readString(page, StandardCharsets.UTF_8);
    Path probed = page.resolveSibling(".probe-" + page.getFileName());
    Files.writeString(probed, html.replace("</head>", PROBE + "</head>"), StandardCharsets.UTF_8);
    try {
      String dom = run(List.of("--window-size=" + width + "," + height, "--virtual-time-budget=10000", "--dump-dom",
          probed.toUri().toString()));
      Matcher body = Pattern.compile("<body([^>]*)>").matcher(dom);
      if (!body.find() || !body.group(1).contains("data-probe-done")) {
        throw new AssertionError("the page did not finish loading in chromium:\n" + dom.substring(0, Math.min(dom.length(), 2000)));
      }
      String attributes = body.group(1);
      return new Inspection(intAttribute(attributes, "images"), intAttribute(attributes, "rendered"),
          intAttribute(attributes, "scroll-width"), intAttribute(attributes, "viewport-width"), attribute(attributes, "errors"), dom);
    } finally {
      Files.deleteIfExists(probed);
    }
  }

  /** A PNG of the page as a reader sees it, for a person to look at. */
  public void screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
    run(List.of("--window-size=" + width + "," + height, "--hide-scrollbars", "--screenshot=" + png.toAbsolutePath(), page.toUri().toString()));
  }

  private String run(List<String> arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory("chromium-profile")));
    command.addAll(arguments);
    Path errors = Files.createTempFile("chromium", ".log");
    Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chromium did not finish in 120 s: " + command);
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("chromium exited " + process.exitValue() + ": " + Files.readString(errors));
    }
    return out;
  }

  private static int intAttribute(String attributes, String name) {
    return Integer.parseInt(attribute(attributes, name));
  }

  private static String attribute(String attributes, String name) {
    Matcher m = Pattern.compile("data-probe-" + name + "=\"([^\"]*)\"").matcher(attributes);
    if (!m.find()) {
      throw new AssertionError("no data-probe-" + name + " on the page's body: " + attributes);
    }
    return m.group(1);
  }
}
