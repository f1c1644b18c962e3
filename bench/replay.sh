#!/usr/bin/env bash
# Replay benchmark: nightly runs one date at a time against one backfill of the same days.
#   bench/replay.sh [ACCOUNTS=400] [DAYS=365] [NIGHTS=7] [WORKDIR=/tmp/anshin-replay]
# Generates a world delivered day by day, then builds two lakehouses from the same files:
#   backfill: one `nightly --from START --date LAST`;
#   replay:   a backfill up to the day before the last NIGHTS days, then one `nightly --date D` per
#             night, each in its own JVM as an Airflow task would run it;
# and compares every table row by row (`anshin compare`). Then it reruns an older date in the replay
# and compares again: a rerun must change no other date's rows. Not part of `mvn verify`.
set -euo pipefail
ACCOUNTS="${1:-400}"
DAYS="${2:-365}"
NIGHTS="${3:-7}"
WORK="${4:-/tmp/anshin-replay}"
START=2025-01-01
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ANSHIN="$ROOT/bin/anshin"
LAST=$(date -u -d "$START + $((DAYS - 1)) days" +%F)
FIRST_NIGHT=$(date -u -d "$LAST - $((NIGHTS - 1)) days" +%F)
BEFORE=$(date -u -d "$FIRST_NIGHT - 1 day" +%F)
OLDER=$(date -u -d "$LAST - $((NIGHTS + 10)) days" +%F)
rm -rf "$WORK" && mkdir -p "$WORK"

# seconds COMMAND...: its wall seconds. Exit 65 is what a nightly returns before the history can train
# its first model (a small or short world): every other table is written, so the comparison still
# holds, and the exit is noted; any other failure stops the benchmark.
seconds() {
  local started rc=0
  started=$(date +%s.%N)
  "$@" > "$WORK/last.out" 2> "$WORK/last.err" || rc=$?
  if [ "$rc" = 65 ]; then
    echo "  (exit 65, no model yet: $(tail -n 1 "$WORK/last.err" | cut -c1-150)...)" >&2
  elif [ "$rc" != 0 ]; then
    cat "$WORK/last.err" >&2
    exit 1
  fi
  echo "$(date +%s.%N) - $started" | bc
}
run() { "$ANSHIN" nightly --sources "$WORK/sources" "$@"; }

echo "anshin replay benchmark: $ACCOUNTS accounts, $DAYS days ($START .. $LAST), $NIGHTS nights, $(nproc) cores, $(date -u +%FT%TZ)"
t=$(seconds "$ANSHIN" generate --out "$WORK/sources" --accounts "$ACCOUNTS" --days "$DAYS" --seed 1)
echo "generate:                               ${t} s ($(du -sh "$WORK/sources" | cut -f1) of sources)"
t=$(seconds run --lakehouse "$WORK/backfill" --from "$START" --date "$LAST")
echo "backfill $START .. $LAST:         ${t} s"
t=$(seconds run --lakehouse "$WORK/replay" --from "$START" --date "$BEFORE")
echo "replay: backfill $START .. $BEFORE: ${t} s"
for ((i = 0; i < NIGHTS; i++)); do
  night=$(date -u -d "$FIRST_NIGHT + $i days" +%F)
  t=$(seconds run --lakehouse "$WORK/replay" --date "$night")
  echo "replay: nightly $night:                ${t} s"
done
echo
echo "Every table, backfill against replay:"
status=0
"$ANSHIN" compare "$WORK/backfill" "$WORK/replay" 2>/dev/null || status=$?
t=$(seconds run --lakehouse "$WORK/replay" --date "$OLDER")
echo
echo "After rerunning $OLDER in the replay (${t} s):"
"$ANSHIN" compare "$WORK/backfill" "$WORK/replay" 2>/dev/null || status=$?
exit $status
