#!/usr/bin/env bash
# Nightly benchmark: what one nightly run costs, next to its floor and to the alternative.
#   bench/nightly.sh [ACCOUNTS=2000] [DAYS=365] [TRAFFIC_SCALE=1] [WORKDIR=/tmp/anshin-nightly]
#
# Generates a world of DAYS days that ends on 2026-01-01 (a 1st: that night retrains the model, so
# "with training" is a real retraining night), backfills it as the nightly would, and measures, each
# as its own process (JVM and Spark start included, as a scheduler runs it):
#   - the nightly of day 30 and of the last day, without training (and the last day with it);
#   - the same days as separate commands, one scheduler task each (ingest, features, analytics[, score]);
#   - the floor: one Spark pass that reads every raw file of the last day (bench-floor);
#   - DuckDB computing the per-account daily rollup from the last day's files (bench-duckdb-rollup),
#     against Anshin's rollup step;
# then prints the figures side by side with their ratios, and each step's seconds from run_log.
# Each measured run starts from a copy of the lakehouse as it stood before that day, so every run is
# a first run of its day. TRAFFIC_SCALE multiplies every account's events and requests per day.
# SEED (default 1) picks the world; ANSHIN_JAVA_OPTS passes JVM options (e.g. -Xmx16g).
# Not part of `mvn verify`.
set -euo pipefail
ACCOUNTS="${1:-2000}"
DAYS="${2:-365}"
SCALE="${3:-1}"
WORK="${4:-/tmp/anshin-nightly}"
SEED="${SEED:-1}"
LAST=2026-01-01
if [ "$DAYS" -lt 31 ]; then
  echo "DAYS must be at least 31 (day 30 is measured against the last day)" >&2
  exit 64
fi
START=$(date -u -d "$LAST - $((DAYS - 1)) days" +%F)
DAY30=$(date -u -d "$START + 29 days" +%F)
DAY29=$(date -u -d "$START + 28 days" +%F)
BEFORE_LAST=$(date -u -d "$LAST - 1 day" +%F)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

echo "anshin nightly benchmark: $ACCOUNTS accounts, $DAYS days ($START .. $LAST), traffic x$SCALE, seed $SEED," \
  "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%FT%TZ)"
(cd "$ROOT" && mvn -q -B -o -Pbench -pl bench -am -DskipTests package) >&2
export ANSHIN_JAR="$ROOT/bench/target/anshin-bench.jar"
ANSHIN="$ROOT/bin/anshin"
rm -rf "$WORK" && mkdir -p "$WORK/logs"
SOURCES="$WORK/sources"

# measure LABEL ALLOWED_EXITS COMMAND...: runs the command as its own process and keeps its wall
# seconds and peak resident memory in $WORK/logs/LABEL.time ("seconds kilobytes").
measure() {
  local label="$1" allowed="$2" rc=0
  shift 2
  /usr/bin/time -f "%e %M" -o "$WORK/logs/$label.time" "$@" > "$WORK/logs/$label.out" 2> "$WORK/logs/$label.err" || rc=$?
  if [[ " $allowed " != *" $rc "* ]]; then
    echo "$label failed with exit $rc (allowed: $allowed); the end of its log:" >&2
    tail -20 "$WORK/logs/$label.err" >&2
    exit 1
  fi
  echo "  $label: $(seconds "$label") s, peak $(memory_mb "$label") MB (exit $rc)" >&2
}
# GNU time puts "Command exited with non-zero status N" before its figures.
seconds() { tail -1 "$WORK/logs/$1.time" | awk '{print $1}'; }
memory_mb() { tail -1 "$WORK/logs/$1.time" | awk '{printf "%d", $2 / 1024}'; }
copy_lakehouse() { rm -rf "$2" && cp -a --reflink=auto "$1" "$2"; }
ratio() { echo "scale=2; $1 / $2" | bc; }
# Exit 65 is a run with no model to score with yet (all else written): expected before the first model.
lakehouse_args() { echo --lakehouse "$1" --sources "$SOURCES"; }

echo "generating and backfilling (not measured against anything; kept in $WORK/logs):" >&2
measure generate 0 "$ANSHIN" generate --out "$SOURCES" --accounts "$ACCOUNTS" --days "$DAYS" --start "$START" \
  --seed "$SEED" --traffic-scale "$SCALE"
measure backfill_to_day29 "0 65" "$ANSHIN" nightly --from "$START" --date "$DAY29" $(lakehouse_args "$WORK/base")

echo "day 30 ($DAY30):" >&2
copy_lakehouse "$WORK/base" "$WORK/day30"
measure nightly_day30 "0 65" "$ANSHIN" nightly --date "$DAY30" --skip-train $(lakehouse_args "$WORK/day30")
copy_lakehouse "$WORK/base" "$WORK/day30_steps"
for step in ingest features analytics; do
  measure "${step}_day30" 0 "$ANSHIN" "$step" --date "$DAY30" $(lakehouse_args "$WORK/day30_steps")
done

echo "backfilling $DAY30 .. $BEFORE_LAST:" >&2
measure backfill_to_last "0 65" "$ANSHIN" nightly --from "$DAY30" --date "$BEFORE_LAST" $(lakehouse_args "$WORK/base")

echo "the last day ($LAST):" >&2
# A world too short to train (under about 300 days) has no model to score with: exit 65, all else written.
LAST_EXITS=0
if grep -q "status 65" "$WORK/logs/backfill_to_last.time"; then LAST_EXITS="0 65"; fi
copy_lakehouse "$WORK/base" "$WORK/last"
measure nightly_last "$LAST_EXITS" "$ANSHIN" nightly --date "$LAST" --skip-train $(lakehouse_args "$WORK/last")
copy_lakehouse "$WORK/base" "$WORK/last_train"
measure nightly_last_train "$LAST_EXITS" "$ANSHIN" nightly --date "$LAST" $(lakehouse_args "$WORK/last_train")
copy_lakehouse "$WORK/base" "$WORK/last_steps"
for step in ingest features analytics score; do
  measure "${step}_last" "$LAST_EXITS" "$ANSHIN" "$step" --date "$LAST" $(lakehouse_args "$WORK/last_steps")
done
measure floor 0 "$ANSHIN" bench-floor --date "$LAST" $(lakehouse_args "$WORK/last")
measure duckdb 0 "$ANSHIN" bench-duckdb-rollup --date "$LAST" --out "$WORK/duckdb_rollup.parquet" \
  $(lakehouse_args "$WORK/last")

# Figures from the runs' own records.
json_field() { sed -n 's/.*"'"$2"'":\([0-9.]*\).*/\1/p' "$WORK/logs/$1.out" | tail -1; }
sql() { "$ANSHIN" sql --format csv --limit 1000 $(lakehouse_args "$1") "$2" 2>/dev/null | tail -n +2; }
step_seconds() { sql "$1" "SELECT round(seconds, 1) FROM run_log WHERE run_date = DATE'$2' AND step = '$3'"; }
floor_lines=$(json_field floor lines)
floor_bytes=$(json_field floor bytes)
floor_pass=$(json_field floor seconds)
duck_query=$(json_field duckdb seconds)
duck_rows=$(json_field duckdb rollup_rows)
rollup_last=$(step_seconds "$WORK/last" "$LAST" "rollup account_daily")
rollup_rows=$(sql "$WORK/last" "SELECT count(*) FROM account_daily WHERE delivered_on = DATE'$LAST'")
ingest_last=$(step_seconds "$WORK/last" "$LAST" "ingest")
separate_day30=$(echo "$(seconds ingest_day30) + $(seconds features_day30) + $(seconds analytics_day30)" | bc)
separate_last=$(echo "$(seconds ingest_last) + $(seconds features_last) + $(seconds analytics_last)" | bc)
backfill=$(echo "$(seconds backfill_to_day29) + $(seconds backfill_to_last)" | bc)
# Cost per active account: the world grows between day 30 and the last day, so the raw ratio mixes
# growth with history; per active account (customer_features rows of the day) it does not.
active() { sql "$1" "SELECT count(*) FROM customer_features WHERE as_of_date = DATE'$2'"; }
active_day30=$(active "$WORK/day30" "$DAY30")
active_last=$(active "$WORK/last" "$LAST")
per_account() { echo "scale=2; 1000 * $1 / $2" | bc; }

echo
echo "anshin nightly benchmark: $ACCOUNTS accounts, $DAYS days ($START .. $LAST), traffic x$SCALE, seed $SEED, $(nproc) cores"
echo "raw files of $LAST: $floor_lines lines, $(echo "scale=1; $floor_bytes / 1048576" | bc) MB"
printf '%-58s %10s %10s %8s\n' "measured (each its own process)" "seconds" "peak MB" "ratio"
row() { printf '%-58s %10s %10s %8s\n' "$1" "$2" "$3" "$4"; }
row "floor: one Spark pass over the day's raw files" "$(seconds floor)" "$(memory_mb floor)" "1.00"
row "  (of which the pass itself, session start excluded)" "$floor_pass" "" ""
row "nightly $LAST, no training" "$(seconds nightly_last)" "$(memory_mb nightly_last)" \
  "$(ratio "$(seconds nightly_last)" "$(seconds floor)")"
row "nightly $LAST, retraining" "$(seconds nightly_last_train)" "$(memory_mb nightly_last_train)" \
  "$(ratio "$(seconds nightly_last_train)" "$(seconds floor)")"
echo
row "nightly day 30 ($DAY30), no training" "$(seconds nightly_day30)" "$(memory_mb nightly_day30)" "1.00"
row "nightly day $DAYS ($LAST), no training" "$(seconds nightly_last)" "" \
  "$(ratio "$(seconds nightly_last)" "$(seconds nightly_day30)")"
row "  per 1,000 active accounts, day 30 ($active_day30 active)" "$(per_account "$(seconds nightly_day30)" "$active_day30")" "" "1.00"
row "  per 1,000 active accounts, day $DAYS ($active_last active)" "$(per_account "$(seconds nightly_last)" "$active_last")" "" \
  "$(ratio "$(per_account "$(seconds nightly_last)" "$active_last")" "$(per_account "$(seconds nightly_day30)" "$active_day30")")"
row "separate commands day 30: ingest + features + analytics" "$separate_day30" "" "1.00"
row "separate commands day $DAYS: ingest + features + analytics" "$separate_last" "" "$(ratio "$separate_last" "$separate_day30")"
row "  (and score day $DAYS)" "$(seconds score_last)" "" ""
echo
row "DuckDB rollup of the day's usage and requests ($duck_rows rows)" "$duck_query" "$(memory_mb duckdb)" "1.00"
row "  (the DuckDB process, JVM start included)" "$(seconds duckdb)" "" ""
row "Anshin's rollup step account_daily ($rollup_rows rows)" "$rollup_last" "" "$(ratio "$rollup_last" "$duck_query")"
row "Anshin's ingest of the day (every source) + rollups" "$ingest_last" "" "$(ratio "$ingest_last" "$duck_query")"
echo
row "backfill $START .. $BEFORE_LAST (two runs)" "$backfill" "" ""
echo
echo "Steps of the nightly $LAST (no training), from run_log:"
"$ANSHIN" sql $(lakehouse_args "$WORK/last") --limit 100 \
  "SELECT step, round(seconds, 1) AS seconds, rows_written, rows_rejected FROM run_log WHERE run_date = DATE'$LAST' ORDER BY started_at" 2>/dev/null
echo "Steps of the backfill to $BEFORE_LAST, with rows written per second:"
"$ANSHIN" sql $(lakehouse_args "$WORK/base") --limit 100 \
  "SELECT step, round(seconds, 1) AS seconds, rows_written, CAST(rows_written / greatest(seconds, 0.1) AS BIGINT) AS rows_per_second FROM run_log WHERE run_date = DATE'$BEFORE_LAST' ORDER BY started_at" 2>/dev/null
