#!/usr/bin/env bash
# Retention benchmark (not part of `mvn verify`): N synthetic BG/NBD customers (default 1,000,000),
# seeded; prints the generation, RFM aggregation, fit and scoring times.
# Usage: bench/retention.sh [CUSTOMERS] [SEED] [WORK_DIR]
set -euo pipefail
ANSHIN_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$ANSHIN_HOME" && mvn -q -B -DskipTests -pl jobs -am package) >&2
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
mapfile -t JVM_OPTIONS < <(grep -v -e '^#' -e '^[[:space:]]*$' "$ANSHIN_HOME/bin/jvm-options")
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx${BENCH_HEAP:-6g} "${JVM_OPTIONS[@]}" \
  -cp "$ANSHIN_HOME/jobs/target/anshin.jar" dev.anshin.jobs.bench.RetentionBenchmark "$@"
