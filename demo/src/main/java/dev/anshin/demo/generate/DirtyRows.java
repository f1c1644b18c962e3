package dev.anshin.demo.generate;

import dev.anshin.features.sources.SourceTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;

/**
 * Mixes bad rows of known kinds into a source's files, each with exactly one defect, and counts
 * them for {@code truth/dirty_manifest.json}.
 *
 * <p>A bad row is made from a good row of the same file (so everything but its defect looks right)
 * and, except for {@link Kind#DUPLICATE_ID}, gets a fresh id so that it is not also a duplicate. It
 * draws from its own random generator, so the good rows are the same with or without {@code --dirty}.
 */
final class DirtyRows {
  /** A too_late row's event time lies this many days before its file's day. */
  static final int TOO_LATE_DAYS = 30;
  /**
   * The pipeline holds rows that name an account it does not know yet for 7 days by default (the
   * account's CRM row may come late) and quarantines them only then; so an unknown_account row goes
   * only into files at least 8 days before the last observed day, where a run on the last day has
   * quarantined it.
   */
  static final int UNKNOWN_ACCOUNT_MIN_DAYS_BEFORE_END = 8;

  /** The kinds of defect, named as in the manifest and in ingest's quarantine reasons. */
  enum Kind {
    MALFORMED_RECORD("malformed_record"),
    UNKNOWN_ACCOUNT("unknown_account"),
    NEGATIVE_AMOUNT("negative_amount"),
    /** A ticket whose first reply is a day before it was created. */
    NEGATIVE_DURATION("negative_duration"),
    TIMESTAMP_OUT_OF_RANGE("timestamp_out_of_range"),
    DUPLICATE_ID("duplicate_id"),
    MISSING_REQUIRED_FIELD("missing_required_field"),
    /** An event far older than its file's day: later than any lateness the pipeline accepts. */
    TOO_LATE("too_late");

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

  private final SourceFormat format;
  private final SplittableRandom random;
  private final boolean enabled;
  private final int days;
  private final Map<Kind, Integer> written = new EnumMap<>(Kind.class);
  /** The kinds planned for each observed day's file, by day index. */
  private final List<List<Kind>> plannedByDay;
  /** Kinds planned for a file that could not take them (no good rows yet), carried to the next. */
  private final List<Kind> carried = new ArrayList<>();
  private int freshIds;

  /**
   * Plans three to five bad rows of each applicable kind over the source's {@code days} daily files,
   * on days where the kind may go, at most one per good row of the day ({@code goodRows} gives the
   * count of a day's good rows; a large number where it is not known in advance).
   */
  DirtyRows(
      SourceFormat format, SplittableRandom random, boolean enabled, int days, IntUnaryOperator goodRows) {
    this.format = format;
    this.random = random;
    this.enabled = enabled;
    this.days = days;
    this.plannedByDay = new ArrayList<>(days);
    for (int i = 0; i < days; i++) {
      plannedByDay.add(new ArrayList<>());
    }
    if (enabled) {
      for (Kind kind : applicableKinds()) {
        List<Integer> candidates = new ArrayList<>();
        for (int day = firstDay(kind); day <= lastDay(kind); day++) {
          candidates.add(day);
        }
        int count = 3 + random.nextInt(3);
        for (int i = 0; i < count && !candidates.isEmpty(); ) {
          int pick = random.nextInt(candidates.size());
          int day = candidates.get(pick);
          // Each bad row sits right after a good row of its own, so a day takes one per good row.
          if (plannedByDay.get(day).size() < goodRows.applyAsInt(day)) {
            plannedByDay.get(day).add(kind);
            i++;
          } else {
            candidates.remove(pick);
          }
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
    if (format.table() == SourceTable.TICKETS) {
      kinds.add(Kind.NEGATIVE_DURATION);
    }
    kinds.add(Kind.TIMESTAMP_OUT_OF_RANGE);
    kinds.add(Kind.DUPLICATE_ID);
    kinds.add(Kind.MISSING_REQUIRED_FIELD);
    if (format.table().kind() == SourceTable.Kind.EVENT) {
      // Ingest holds every immutable event to the allowed lateness.
      kinds.add(Kind.TOO_LATE);
    }
    return kinds;
  }

  /** The first day index whose file may hold the kind. */
  private int firstDay(Kind kind) {
    return kind == Kind.TOO_LATE ? TOO_LATE_DAYS : 0;
  }

  /** The last day index whose file may hold the kind. */
  private int lastDay(Kind kind) {
    return kind == Kind.UNKNOWN_ACCOUNT ? days - 1 - UNKNOWN_ACCOUNT_MIN_DAYS_BEFORE_END : days - 1;
  }

  /** The bad rows written so far, by kind (only kinds actually written). */
  Map<Kind, Integer> written() {
    return written;
  }

  /**
   * The lines of one file: the good rows in order, with this file's planned bad rows mixed in.
   *
   * @param fileIndex the observed day's index (0 = the start)
   * @param fileDay the observed day
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
    for (Kind kind : kinds) {
      if (fileIndex > lastDay(kind)) {
        // Carried past the last file that may hold it: not written, so not in the manifest.
        continue;
      }
      boolean fits = fileIndex >= firstDay(kind) && !lines.isEmpty();
      int position = fits ? goodPosition(lines, random.nextInt(lines.size())) : -1;
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
    if (kind != Kind.DUPLICATE_ID) {
      // A fresh id, so that the row is not also a duplicate.
      freshId(values);
    }
    Line line =
        switch (kind) {
          case DUPLICATE_ID -> Line.of(values);
          case MALFORMED_RECORD -> new Line(null, format.malformed(values));
          case UNKNOWN_ACCOUNT -> {
            values[format.accountColumn()] = String.format("acc-ghost-%03d", ++freshIds);
            yield Line.of(values);
          }
          case NEGATIVE_AMOUNT -> {
            String amount = values[format.amountColumn()];
            values[format.amountColumn()] = amount.startsWith("-") ? amount : "-" + amount;
            yield Line.of(values);
          }
          case NEGATIVE_DURATION -> {
            String created = values[format.timestampColumn()];
            values[format.column("first_reply_at")] =
                LocalDate.parse(created.substring(0, 10)).minusDays(1) + created.substring(10);
            yield Line.of(values);
          }
          case TIMESTAMP_OUT_OF_RANGE -> {
            int column = format.timestampColumn();
            String original = values[column];
            if (!format.csv() && random.nextInt(3) == 0) {
              // An event or a ticket dated after its file's day cannot have happened yet. (An
              // earlier day is no longer out of range: late events and changes of old tickets are real.)
              values[column] = fileDay.plusDays(2) + original.substring(10);
            } else {
              values[column] = otherYear(original, random.nextBoolean() ? "1970" : "2099");
            }
            yield Line.of(values);
          }
          case TOO_LATE -> {
            int column = format.timestampColumn();
            values[column] = fileDay.minusDays(TOO_LATE_DAYS) + values[column].substring(10);
            yield Line.of(values);
          }
          case MISSING_REQUIRED_FIELD -> {
            List<Integer> candidates = format.blankableRequiredColumns();
            values[candidates.get(random.nextInt(candidates.size()))] = null;
            yield Line.of(values);
          }
        };
    badLines.add(line);
    return line;
  }

  /** The timestamp or date moved to {@code year}; 29 February becomes the 28th (neither year is leap). */
  static String otherYear(String original, String year) {
    String moved = year + original.substring(4);
    return moved.startsWith("-02-29", 4) ? year + "-02-28" + moved.substring(10) : moved;
  }

  private void freshId(String[] values) {
    int id = format.idColumn();
    values[id] = values[id] + "-dirty" + (++freshIds);
  }
}
