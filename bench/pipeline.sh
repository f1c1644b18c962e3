#!/usr/bin/env bash
# Pipeline benchmark: the cost of a backfill over the history and of one incremental nightly run.
#   bench/pipeline.sh [ACCOUNTS=400] [DAYS=365] [WORKDIR=/tmp/anshin-bench]
# Generates a synthetic world, backfills every day but the last with `nightly --from`, then runs the
# last day as a real nightly would (ingest that day's files only, features, analytics, score), and
# prints each step's seconds from the run_log table. Not part of `mvn verify`.
set -euo pipefail
ACCOUNTS="${1:-400}"
DAYS="${2:-365}"
WORK="${3:-/tmp/anshin-bench}"
START=2025-01-01
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ANSHIN="$ROOT/bin/anshin"
LAST=$(date -u -d "$START + $((DAYS - 1)) days" +%F)
BEFORE_LAST=$(date -u -d "$LAST - 1 day" +%F)
rm -rf "$WORK" && mkdir -p "$WORK"
common=(--lakehouse "$WORK/lakehouse" --sources "$WORK/sources")

seconds() { local s=$(date +%s.%N); "$@" > "$WORK/last.out" 2> "$WORK/last.err" || { cat "$WORK/last.err" >&2; exit 1; }; echo "$(date +%s.%N) - $s" | bc; }

echo "anshin pipeline benchmark: $ACCOUNTS accounts, $DAYS days, $(nproc) cores, $(date -u +%FT%TZ)"
t=$(seconds "$ANSHIN" generate --out "$WORK/sources" --accounts "$ACCOUNTS" --days "$DAYS" --seed 1)
echo "generate:                         ${t} s ($(du -sh "$WORK/sources" | cut -f1) of sources)"
t=$(seconds "$ANSHIN" nightly --from "$START" --date "$BEFORE_LAST" "${common[@]}")
echo "backfill $START .. $BEFORE_LAST:  ${t} s (ingest, features, analytics, train, score)"
t=$(seconds "$ANSHIN" nightly --date "$LAST" --skip-train "${common[@]}")
echo "nightly $LAST (no training):     ${t} s (JVM and Spark start included)"
echo
echo "Steps of the backfill ($BEFORE_LAST) and of the nightly run ($LAST), from run_log:"
"$ANSHIN" sql "${common[@]}" --limit 60 \
  "SELECT run_date, step, round(seconds, 1) AS seconds, rows_written, rows_rejected FROM run_log ORDER BY run_date, started_at" 2>/dev/null
