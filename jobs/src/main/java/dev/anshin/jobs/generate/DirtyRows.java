package dev.anshin.jobs.generate;

import dev.anshin.features.sources.SourceTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Mixes bad rows of known kinds into a source's files, each with exactly one defect, and counts
 * them for {@code truth/dirty_manifest.json}.
 *
 * <p>A bad row is made from a good row of the same file (so everything but its defect looks right)
 * and, except for {@link Kind#DUPLICATE_ID}, gets a fresh id so that it is not also a duplicate. It
 * draws from its own random generator, so the good rows are the same with or without {@code --dirty}.
 */
final class DirtyRows {

  /** The kinds of defect, named as in the manifest and in ingest's quarantine reasons. */
  enum Kind {
    MALFORMED_RECORD("malformed_record"),
    UNKNOWN_ACCOUNT("unknown_account"),
    NEGATIVE_AMOUNT("negative_amount"),
    TIMESTAMP_OUT_OF_RANGE("timestamp_out_of_range"),
    DUPLICATE_ID("duplicate_id"),
    MISSING_REQUIRED_FIELD("missing_required_field");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /** A line of output: a row of values (null = missing) or, for malformed records, raw text. */
  record Line(String[] values, String raw) {
    static Line of(String[] values) {
      return new Line(values, null);
    }
  }

  /** Days an unknown-account row needs before the export to be quarantined: the default lateness + 1. */
  static final int UNKNOWN_ACCOUNT_SETTLE_DAYS = 8;

  private final SourceFormat format;
  private final SplittableRandom random;
  private final boolean enabled;
  private final Map<Kind, Integer> written = new EnumMap<>(Kind.class);
  /** For daily sources: the kinds planned for each observed day, by day index. */
  private final List<List<Kind>> plannedByDay;
  /** Kinds planned for a day that had no good rows to copy, carried to the next file. */
  private final List<Kind> carried = new ArrayList<>();
  private int freshIds;

  DirtyRows(SourceFormat format, SplittableRandom random, boolean enabled, int files) {
    this.format = format;
    this.random = random;
    this.enabled = enabled;
    this.plannedByDay = new ArrayList<>(files);
    for (int i = 0; i < files; i++) {
      plannedByDay.add(new ArrayList<>());
    }
    if (enabled) {
      for (Kind kind : applicableKinds()) {
        int count = 3 + random.nextInt(3);
        // The pipeline holds a row of an unknown account for up to 7 days (its default lateness)
        // before it quarantines it: such rows go in files that are older than that at the export.
        int lastFile = kind == Kind.UNKNOWN_ACCOUNT ? Math.max(1, files - UNKNOWN_ACCOUNT_SETTLE_DAYS) : files;
        for (int i = 0; i < count; i++) {
          plannedByDay.get(random.nextInt(lastFile)).add(kind);
        }
      }
    }
  }

  List<Kind> applicableKinds() {
    List<Kind> kinds = new ArrayList<>();
    kinds.add(Kind.MALFORMED_RECORD);
    if (format.table() != SourceTable.ACCOUNTS) {
      kinds.add(Kind.UNKNOWN_ACCOUNT);
    }
    if (format.amountColumn() >= 0) {
      kinds.add(Kind.NEGATIVE_AMOUNT);
    }
    kinds.add(Kind.TIMESTAMP_OUT_OF_RANGE);
    kinds.add(Kind.DUPLICATE_ID);
    kinds.add(Kind.MISSING_REQUIRED_FIELD);
    return kinds;
  }

  /** The bad rows written so far, by kind (only kinds actually written). */
  Map<Kind, Integer> written() {
    return written;
  }

  int total() {
    return written.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * The lines of one file: the good rows in order, with this file's planned bad rows mixed in.
   *
   * @param fileIndex the observed day's index for daily sources, 0 for a snapshot file
   * @param fileDay the day of a daily file, null for a snapshot file
   */
  List<Line> mix(List<String[]> good, int fileIndex, LocalDate fileDay) {
    List<Line> lines = new ArrayList<>(good.size() + 8);
    for (String[] row : good) {
      lines.add(Line.of(row));
    }
    if (!enabled) {
      return lines;
    }
    List<Kind> kinds = new ArrayList<>(carried);
    carried.clear();
    kinds.addAll(plannedByDay.get(fileIndex));
    if (good.isEmpty()) {
      carried.addAll(kinds);
      return lines;
    }
    for (Kind kind : kinds) {
      int position = goodPosition(lines, random.nextInt(lines.size()));
      if (position < 0) {
        carried.add(kind);
        continue;
      }
      lines.add(position + 1, defect(kind, lines.get(position).values(), fileDay));
      written.merge(kind, 1, Integer::sum);
    }
    return lines;
  }

  /**
   * The first good line from {@code from} on (wrapping) that no bad line follows yet, so that a
   * duplicate always sits right after its original; -1 if there is none.
   */
  private int goodPosition(List<Line> lines, int from) {
    for (int step = 0; step < lines.size(); step++) {
      int position = (from + step) % lines.size();
      boolean followedByBad = position + 1 < lines.size() && isBad(lines.get(position + 1));
      if (!isBad(lines.get(position)) && !followedByBad) {
        return position;
      }
    }
    return -1;
  }

  private final List<Line> badLines = new ArrayList<>();

  private boolean isBad(Line line) {
    for (Line bad : badLines) {
      if (bad == line) {
        return true;
      }
    }
    return false;
  }

  private Line defect(Kind kind, String[] template, LocalDate fileDay) {
    String[] values = template.clone();
    Line line;
    switch (kind) {
      case DUPLICATE_ID -> line = Line.of(values);
      case MALFORMED_RECORD -> {
        freshId(values);
        line = new Line(null, format.malformed(values));
      }
      case UNKNOWN_ACCOUNT -> {
        freshId(values);
        values[format.accountColumn()] = String.format("acc-ghost-%03d", ++freshIds);
        line = Line.of(values);
      }
      case NEGATIVE_AMOUNT -> {
        freshId(values);
        String amount = values[format.amountColumn()];
        values[format.amountColumn()] = amount.startsWith("-") ? amount : "-" + amount;
        line = Line.of(values);
      }
      case TIMESTAMP_OUT_OF_RANGE -> {
        freshId(values);
        int column = format.timestampColumn();
        String original = values[column];
        if (fileDay != null && random.nextInt(3) == 0) {
          // In a daily file, a timestamp after the file's day is out of range too (an earlier one
          // is a late delivery, which the pipeline accepts).
          LocalDate other = fileDay.plusDays(2);
          values[column] = other + original.substring(10);
        } else {
          values[column] = (random.nextBoolean() ? "1970" : "2099") + original.substring(4);
        }
        line = Line.of(values);
      }
      case MISSING_REQUIRED_FIELD -> {
        freshId(values);
        List<Integer> candidates = format.blankableRequiredColumns();
        values[candidates.get(random.nextInt(candidates.size()))] = null;
        line = Line.of(values);
      }
      default -> throw new IllegalStateException("unhandled kind " + kind);
    }
    badLines.add(line);
    return line;
  }

  private void freshId(String[] values) {
    int id = format.idColumn();
    values[id] = values[id] + "-dirty" + (++freshIds);
  }
}
