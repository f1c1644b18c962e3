#!/usr/bin/env bash
# Crash benchmark: `kill -9` at any moment followed by a rerun of the same date must leave every
# table as an uninterrupted run would.
#   bench/crash.sh TRIALS [ACCOUNTS] [DAYS]      (defaults: 20 trials, 60 accounts, 213 days)
# Generates one small dirty world whose last day D (CRASH_DATE, a 1st, so the nightly retrains the churn
# model and writes model files) is the crash date; backfills every day before D into a base lakehouse;
# runs `nightly --date D` on a copy of it uninterrupted (the clean run, T seconds with JVM start).
# Each trial copies the base, starts `nightly --date D`, kills it (JVM and children, kill -9) after a
# random time uniform in [0, T), reruns `nightly --date D`, and compares every table with the clean
# run (`anshin compare`), and the model folders' files and metrics.json with the clean run's.
# Environment: SEED (kill times; printed, random by default), CRASH_DIR (scratch folder, must be empty;
# default a new folder under ${TMPDIR:-/tmp}), KEEP=1 (keep the scratch folder), CRASH_DATE (a 1st,
# default 2026-03-01), WORLD_SEED (generator seed, default 7). Exit 0 when every rerun succeeded and left
# every table as the clean run; 1 otherwise. Not part of `mvn verify`. See docs/benchmarks.md.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
esac
TRIALS="${1:-20}"
ACCOUNTS="${2:-60}"
DAYS="${3:-213}"
for n in "$TRIALS" "$ACCOUNTS" "$DAYS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "crash.sh: TRIALS, ACCOUNTS and DAYS are positive integers, not '$n' (--help)" >&2; exit 64; }
done
(( $# <= 3 )) || { echo "usage: bench/crash.sh TRIALS [ACCOUNTS] [DAYS] (--help)" >&2; exit 64; }

CRASH_DATE="${CRASH_DATE:-2026-03-01}"
WORLD_SEED="${WORLD_SEED:-7}"
SEED="${SEED:-$(( $(od -An -N2 -tu2 /dev/urandom) % 32768 ))}"
[[ "$CRASH_DATE" == ????-??-01 ]] || { echo "crash.sh: CRASH_DATE must be the 1st of a month (a retraining day), not $CRASH_DATE" >&2; exit 64; }
START=$(date -u -d "$CRASH_DATE - $((DAYS - 1)) days" +%F)
BEFORE=$(date -u -d "$CRASH_DATE - 1 day" +%F)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ANSHIN="$ROOT/bin/anshin"

if [ -n "${CRASH_DIR:-}" ]; then
  WORK="$CRASH_DIR"
  mkdir -p "$WORK"
  [ -z "$(ls -A "$WORK")" ] || { echo "crash.sh: CRASH_DIR $WORK is not empty" >&2; exit 64; }
else
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/anshin-crash.XXXXXX")"
fi
WORK="$(cd "$WORK" && pwd)"
LOGS="$WORK/logs"
mkdir -p "$LOGS"

RUNNING=""  # the process group of the nightly run in flight, if any
cleanup() {
  local status=$?
  if [ -n "$RUNNING" ]; then
    kill -9 -- "-$RUNNING" 2>/dev/null || true
    kill -9 "$RUNNING" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    echo "scratch kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
fail() { echo "crash.sh: $1; the last lines of $2:" >&2; tail -n 20 "$2" >&2; exit 1; }

# The model settings of the end-to-end test: a 30-day churn horizon, so that some 200 days of history
# train a model, and a small one, so that the runs stay short.
CONF="$WORK/crash.conf"
cat > "$CONF" <<'EOF'
anshin {
  spark { master = "local[2]", shuffle-partitions = 4 }
  churn { horizon-days = 30, max-iterations = 15, max-depth = 3 }
}
EOF
nightly() { "$ANSHIN" nightly --conf "$CONF" --sources "$WORK/sources" "$@"; }

# Which step the log says was running at its end: the last step that started and did not finish.
step_at_end() {
  local last
  last=$(grep -E 'PipelineContext: .*: (started|succeeded in |skipped in |failed after )' "$1" | tail -n 1 || true)
  if [ -z "$last" ]; then
    echo "start (JVM, Spark)"
  elif [[ "$last" == *": started" ]]; then
    last="${last#*PipelineContext: }"
    echo "${last% ????-??-??: started}"
  else
    last="${last#*PipelineContext: }"
    last="${last%%: succeeded in *}"; last="${last%%: skipped in *}"; last="${last%%: failed after *}"
    last="${last% ????-??-??}"
    if [ "$last" = score ]; then echo "after score (run_log)"; else echo "after $last"; fi
  fi
}

# The lakehouse beyond its tables: its top-level entries, the files of the model folders (with Spark's
# part-file ids, stage ids and checksums left out) and their metrics.json. A crash and a rerun must leave
# no half-written or temporary model, no stray folder behind.
lakehouse_files() {
  (cd "$1" && ls -A | sed 's/^/entry: /'
   [ -d models ] || exit 0
   # Each training writes its own attempt folder (models/churn/<version>/<UTC time>-<id>/): named alike.
   attempt='s#/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}/#/<attempt>/#'
   find models -type f ! -name '*.crc' \
     | sed -E 's/part-([0-9]+)-[0-9a-f-]{36}/part-\1/; s#/([0-9]+_[A-Za-z]+)_[0-9a-f]{12}/#/\1/#' | sed -E "$attempt" | sort
   find models -name metrics.json | sort | while read -r f; do echo "$f: $(cat "$f")"; done | sed -E "$attempt")
}

# Seeded kill times, as fractions of T: the same SEED gives the same fractions.
RANDOM=$SEED
FRACTIONS=()
for ((i = 1; i <= TRIALS; i++)); do
  FRACTIONS+=("$(( (RANDOM * 32768 + RANDOM) % 1000000 ))")
done

T0=$(now)
echo "anshin crash benchmark: $TRIALS trials, $ACCOUNTS accounts, $DAYS days ($START .. $CRASH_DATE), crash date $CRASH_DATE, SEED=$SEED, $(nproc) cores, $(date -u +%FT%TZ)"
echo "scratch: $WORK"

s=$(now)
"$ANSHIN" generate --out "$WORK/sources" --accounts "$ACCOUNTS" --days "$DAYS" --start "$START" --horizon 30 \
  --seed "$WORLD_SEED" --dirty > "$LOGS/generate.out" 2> "$LOGS/generate.log" || fail "generate failed" "$LOGS/generate.log"
echo "generate:                              $(since "$s") s ($(du -sh "$WORK/sources" | cut -f1) of sources)"

s=$(now)
# Exit 65 is the backfill of a history that has no model yet (every other table is written).
rc=0
nightly --lakehouse "$WORK/base" --from "$START" --date "$BEFORE" > "$LOGS/base.out" 2> "$LOGS/base.log" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 65 ] || fail "the backfill failed (exit $rc)" "$LOGS/base.log"
echo "base: backfill $START .. $BEFORE: $(since "$s") s (exit $rc$([ "$rc" = 65 ] && echo ': no model yet'))"

cp -r "$WORK/base" "$WORK/clean"
s=$(now)
nightly --lakehouse "$WORK/clean" --date "$CRASH_DATE" > "$LOGS/clean.out" 2> "$LOGS/clean.log" \
  || fail "the clean run failed" "$LOGS/clean.log"
T=$(since "$s")
echo "clean: nightly $CRASH_DATE:             $T s (T)"
if ! grep -q "train model $CRASH_DATE: succeeded" "$LOGS/clean.log"; then
  echo "warning: the clean run did not train a model on $CRASH_DATE (see $LOGS/clean.log): no model files are written in the kill window; use more ACCOUNTS or DAYS" >&2
fi
lakehouse_files "$WORK/clean" > "$LOGS/clean.files"
T_MS=$(awk -v t="$T" 'BEGIN { printf "%d", t * 1000 }')

echo
printf '%5s  %13s  %-32s  %5s  %6s  %s\n' trial "killed at (s)" "step running" rerun tables "tables differing"
killed=0; same=0; differed=0; failed=0
for ((i = 1; i <= TRIALS; i++)); do
  name=$(printf 'trial-%02d' "$i")
  lake="$WORK/$name"
  rm -rf "$lake"
  cp -r "$WORK/base" "$lake"
  kill_ms=$(( FRACTIONS[i - 1] * T_MS / 1000000 ))
  kill_at=$(printf '%d.%03d' $((kill_ms / 1000)) $((kill_ms % 1000)))

  # setsid: the run is its own process group (bin/anshin execs java, so the group is the JVM and its
  # children), killed whole; the pid is killed too in case setsid has not made the group yet.
  s=$(now)
  setsid "$ANSHIN" nightly --conf "$CONF" --sources "$WORK/sources" --lakehouse "$lake" --date "$CRASH_DATE" \
    > "$LOGS/$name.killed.out" 2> "$LOGS/$name.killed.log" &
  RUNNING=$!
  sleep "$kill_at"
  killed_after=$(since "$s")
  kill -9 -- "-$RUNNING" 2>/dev/null || true
  kill -9 "$RUNNING" 2>/dev/null || true
  rc=0
  wait "$RUNNING" 2>/dev/null || rc=$?
  # Nothing of the run may survive the kill.
  for ((w = 0; w < 50; w++)); do pgrep -g "$RUNNING" > /dev/null || break; sleep 0.1; done
  if pgrep -g "$RUNNING" > /dev/null; then
    echo "crash.sh: processes of the killed run survive: $(pgrep -g "$RUNNING" | tr '\n' ' ')" >&2
    exit 1
  fi
  RUNNING=""
  if [ "$rc" = 137 ]; then
    step=$(step_at_end "$LOGS/$name.killed.log")
    killed=$((killed + 1))
    at="$killed_after"
  else
    step="finished before the kill (exit $rc)"
    at="($killed_after)"
  fi
  echo "$step" > "$LOGS/$name.step"

  rerun=0
  nightly --lakehouse "$lake" --date "$CRASH_DATE" > "$LOGS/$name.rerun.out" 2> "$LOGS/$name.rerun.log" || rerun=$?
  crc=0
  "$ANSHIN" compare --conf "$CONF" "$WORK/clean" "$lake" > "$LOGS/$name.compare.out" 2> "$LOGS/$name.compare.log" || crc=$?
  tables=$(grep -cE ' (same|DIFFERENT)$' "$LOGS/$name.compare.out" || true)
  differing=$(awk '/ DIFFERENT$/ { printf "%s%s", sep, $1; sep = "," }' "$LOGS/$name.compare.out")
  if [ "$crc" != 0 ] && [ "$crc" != 1 ]; then
    differing="compare failed (exit $crc, $LOGS/$name.compare.log)"
  elif [ "$crc" = 1 ] && [ -z "$differing" ]; then
    differing="compare exit 1, no table named"
  fi
  lakehouse_files "$lake" > "$LOGS/$name.files"
  if ! diff -q "$LOGS/clean.files" "$LOGS/$name.files" > /dev/null; then
    differing="${differing:+$differing,}files (diff logs/{clean,$name}.files)"
  fi
  if [ "$rerun" != 0 ]; then
    failed=$((failed + 1))
  fi
  if [ "$rerun" = 0 ] && [ -z "$differing" ]; then
    same=$((same + 1))
  elif [ -n "$differing" ]; then
    differed=$((differed + 1))
  fi
  printf '%5d  %13s  %-32s  %5s  %6s  %s\n' "$i" "$at" "$step" "$rerun" "$tables" "${differing:--}"
  if [ "${KEEP:-0}" != 1 ]; then
    rm -rf "$lake"
  fi
done

echo
echo "$TRIALS trials: $killed killed mid-run, $same reruns left every table as the clean run, $differed differed$([ "$failed" = 0 ] || echo ", $failed reruns failed")"
echo "total: $(since "$T0") s (T = $T s); logs in $LOGS"
[ "$differed" = 0 ] && [ "$failed" = 0 ]
