#!/usr/bin/env bash
# The nightly on a Spark standalone cluster, next to the same runs in local mode.
#   bench/cluster.sh [ACCOUNTS=60] [DAYS=213] [WORKDIR=/tmp/anshin-cluster]
#
# Starts a standalone master and one worker on this machine from the Maven jars (no Spark
# distribution: the worker's SPARK_HOME is a folder whose jars/ links to them, shared/STACK.md),
# generates a world of DAYS days, and runs through `spark-submit` (Spark's SparkSubmit class, which is
# what the spark-submit script runs) in client mode against spark://127.0.0.1:7077:
#   the backfill of every day but the last (nightly --from), then the nightly of the last day;
# then the same two runs in local mode into a second lakehouse, compares the two lakehouses table by
# table (anshin compare), stops the cluster, and prints the master URL and the timings side by side.
# The production jar's main class is dev.anshin.jobs.cli.AnshinCli; the demo jar (the same classes
# plus `generate`) is submitted here so one jar serves both. Not part of `mvn verify`.
# EXECUTOR_MEMORY (default 4g) sets spark.executor.memory; ANSHIN_JAVA_OPTS passes driver JVM options.
set -euo pipefail
ACCOUNTS="${1:-60}"
DAYS="${2:-213}"
WORK="${3:-/tmp/anshin-cluster}"
EXECUTOR_MEMORY="${EXECUTOR_MEMORY:-4g}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
START=2025-08-01
LAST=$(date -u -d "$START + $((DAYS - 1)) days" +%F)
BEFORE_LAST=$(date -u -d "$LAST - 1 day" +%F)
MASTER_PORT="${MASTER_PORT:-7077}"
MASTER="spark://127.0.0.1:$MASTER_PORT"
export SPARK_LOCAL_IP=127.0.0.1

echo "anshin cluster benchmark: $ACCOUNTS accounts, $DAYS days ($START .. $LAST), $(nproc) cores," \
  "$(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%FT%TZ)"
(cd "$ROOT" && mvn -q -B -DskipTests -pl demo -am package) >&2
JAR="$ROOT/demo/target/anshin-demo.jar"
LIB="$ROOT/demo/target/lib"
mapfile -t JVM_OPTIONS < <(grep -v -e '^#' -e '^[[:space:]]*$' "$ROOT/bin/jvm-options")
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

rm -rf "$WORK" && mkdir -p "$WORK/logs" "$WORK/spark-home/jars" "$WORK/worker"
# The executors' Spark home: an empty RELEASE file and jars/ with every dependency (Delta among them).
touch "$WORK/spark-home/RELEASE"
ln -s "$LIB"/*.jar "$WORK/spark-home/jars/"

# The master, the worker and the executors log at INFO (Anshin's own configuration keeps Spark at WARN),
# so that the worker's registration and the executors' tasks show.
cat > "$WORK/log4j2-cluster.properties" <<'LOG4J'
rootLogger.level = info
rootLogger.appenderRef.stderr.ref = stderr
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %d{yyyy-MM-dd HH:mm:ss} %p %c{1}: %m%n
LOG4J
DAEMON_OPTIONS=(-Xmx512m "-Dlog4j2.configurationFile=$WORK/log4j2-cluster.properties")

PIDS=()
stop_cluster() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_cluster EXIT

"$JAVA" "${JVM_OPTIONS[@]}" "${DAEMON_OPTIONS[@]}" -cp "$LIB/*" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$MASTER_PORT" --webui-port 0 > "$WORK/logs/master.log" 2>&1 &
PIDS+=($!)
SPARK_HOME="$WORK/spark-home" SPARK_SCALA_VERSION=2.13 \
  "$JAVA" "${JVM_OPTIONS[@]}" "${DAEMON_OPTIONS[@]}" -cp "$LIB/*" org.apache.spark.deploy.worker.Worker \
  --host 127.0.0.1 --webui-port 0 --cores "$(nproc)" --memory "$EXECUTOR_MEMORY" --work-dir "$WORK/worker" "$MASTER" \
  > "$WORK/logs/worker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 60); do
  grep -q "Registering worker" "$WORK/logs/master.log" 2>/dev/null && break
  sleep 1
done
if ! grep -q "Registering worker" "$WORK/logs/master.log"; then
  echo "the worker did not register with $MASTER in 60 s; the logs:" >&2
  tail -n 20 "$WORK/logs/master.log" "$WORK/logs/worker.log" >&2
  exit 1
fi
echo "cluster up: master $MASTER, one worker with $(nproc) cores and $EXECUTOR_MEMORY" >&2

# timed LABEL ALLOWED_EXITS COMMAND...: runs it, keeps its wall seconds in $WORK/logs/LABEL.seconds.
timed() {
  local label="$1" allowed="$2" rc=0 started
  shift 2
  started=$(date +%s.%N)
  "$@" > "$WORK/logs/$label.out" 2> "$WORK/logs/$label.err" || rc=$?
  echo "$(date +%s.%N) - $started" | bc | xargs printf "%.1f\n" > "$WORK/logs/$label.seconds"
  if [[ " $allowed " != *" $rc "* ]]; then
    echo "$label failed with exit $rc; the end of its log:" >&2
    tail -n 20 "$WORK/logs/$label.err" >&2
    exit 1
  fi
  echo "  $label: $(cat "$WORK/logs/$label.seconds") s (exit $rc)" >&2
}
submit() {
  "$JAVA" "${JVM_OPTIONS[@]}" ${ANSHIN_JAVA_OPTS:-} -cp "$LIB/*" org.apache.spark.deploy.SparkSubmit \
    --master "$MASTER" --deploy-mode client --class dev.anshin.jobs.cli.AnshinCli \
    --conf spark.executor.memory="$EXECUTOR_MEMORY" \
    --conf spark.executor.extraJavaOptions="${JVM_OPTIONS[*]} -Dlog4j2.configurationFile=$WORK/log4j2-cluster.properties" \
    "$JAR" "$@"
}
local_run() {
  "$JAVA" "${JVM_OPTIONS[@]}" ${ANSHIN_JAVA_OPTS:-} -jar "$JAR" "$@"
}

# A 30-day churn horizon, so that the world's history is long enough to train and the last night (a
# 1st) retrains and scores; the same configuration for both modes.
CONF="$WORK/anshin.conf"
cat > "$CONF" <<'HOCON'
anshin {
  spark { shuffle-partitions = 4 }
  churn { horizon-days = 30 }
  plans { add-ons = ["analytics_addon"] }
}
HOCON
SOURCES="$WORK/sources"
timed generate 0 local_run generate --out "$SOURCES" --accounts "$ACCOUNTS" --days "$DAYS" --start "$START" --seed 7
# A young world may have no model yet on its last day: the nightly then exits 65 after every other table.
timed cluster_backfill "0 65" submit nightly --from "$START" --date "$BEFORE_LAST" --lakehouse "$WORK/cluster" --sources "$SOURCES" --conf "$CONF"
timed cluster_nightly 0 submit nightly --date "$LAST" --lakehouse "$WORK/cluster" --sources "$SOURCES" --conf "$CONF"
APPS=$(grep -o 'app-[0-9]*-[0-9]*' "$WORK/logs/master.log" | sort -u | wc -l)
# The executors log at INFO: every task they ran, which the driver in client mode never runs itself.
TASKS=$(cat "$WORK"/worker/app-*/*/stderr | grep -c "Finished task" || true)
timed local_backfill "0 65" local_run nightly --from "$START" --date "$BEFORE_LAST" --lakehouse "$WORK/local" --sources "$SOURCES" --conf "$CONF"
timed local_nightly 0 local_run nightly --date "$LAST" --lakehouse "$WORK/local" --sources "$SOURCES" --conf "$CONF"
stop_cluster
trap - EXIT
timed compare 0 local_run compare "$WORK/cluster" "$WORK/local" --conf "$CONF"

seconds() { cat "$WORK/logs/$1.seconds"; }
echo
echo "master $MASTER: $APPS applications ran on it (master.log), their executors finished $TASKS tasks (worker/app-*/*/stderr)"
printf "%-34s %12s %12s %8s\n" "run" "cluster (s)" "local (s)" "ratio"
for run in backfill nightly; do
  printf "%-34s %12s %12s %8s\n" "$run" "$(seconds cluster_$run)" "$(seconds local_$run)" \
    "$(echo "scale=2; $(seconds cluster_$run) / $(seconds local_$run)" | bc)"
done
echo
echo "compare (cluster against local, every table row by row):"
cat "$WORK/logs/compare.out"
