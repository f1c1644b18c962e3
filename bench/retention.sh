#!/usr/bin/env bash
# Retention benchmark (not part of `mvn verify`): N synthetic BG/NBD customers (default 1,000,000),
# seeded; prints the generation, RFM aggregation, fit and scoring times.
# Usage: bench/retention.sh [CUSTOMERS] [SEED] [WORK_DIR]
set -euo pipefail
ANSHIN_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$ANSHIN_HOME" && mvn -q -B -DskipTests -pl jobs -am package) >&2
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx${BENCH_HEAP:-6g} \
  -XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED \
  -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true \
  -cp "$ANSHIN_HOME/jobs/target/anshin.jar" dev.anshin.jobs.bench.RetentionBenchmark "$@"
