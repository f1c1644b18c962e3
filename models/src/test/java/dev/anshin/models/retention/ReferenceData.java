package dev.anshin.models.retention;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the published reference data sets in ../shared/data for the reproduction tests. */
final class ReferenceData {

  private ReferenceData() {}

  static Path file(String name) {
    Path path =
        Path.of(System.getProperty("anshin.shared.dir", "../shared")).resolve("data").resolve(name);
    assumeTrue(Files.isReadable(path), "reference data " + path + " is absent; skipping");
    return path;
  }

  /** The rows of a comma-separated file with a header, split into fields, CRLF tolerated. */
  static List<String[]> csv(String name) {
    try {
      List<String> lines = Files.readAllLines(file(name));
      List<String[]> rows = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        String trimmed = line.strip();
        if (!trimmed.isEmpty()) {
          rows.add(trimmed.split(","));
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** sbg_survival.csv: survivors for years 0..12 of one column (regular_active, highend_active). */
  static long[] survivors(String column) {
    List<String> header;
    try {
      header = List.of(Files.readAllLines(file("sbg_survival.csv")).get(0).strip().split(","));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int index = header.indexOf(column);
    List<String[]> rows = csv("sbg_survival.csv");
    long[] survivors = new long[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      survivors[i] = Long.parseLong(rows.get(i)[index]);
    }
    return survivors;
  }

  /** One row of cdnow_customers_summary_with_transactions.csv. */
  record CdnowCustomer(long x, double recency, double age, double meanValue) {}

  static List<CdnowCustomer> cdnowCustomers() {
    List<CdnowCustomer> customers = new ArrayList<>();
    for (String[] f : csv("cdnow_customers_summary_with_transactions.csv")) {
      customers.add(
          new CdnowCustomer(
              Long.parseLong(f[1]),
              Double.parseDouble(f[2]),
              Double.parseDouble(f[3]),
              Double.parseDouble(f[4])));
    }
    return customers;
  }
}
