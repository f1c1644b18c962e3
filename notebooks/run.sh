#!/usr/bin/env bash
# Runs every notebook in notebooks/ headlessly against a lakehouse, and fails if any cell fails.
#   notebooks/run.sh [LAKEHOUSE]        default: ./lakehouse, the one `bin/anshin demo` writes
#
# Installs what it needs on first use:
#   - Jupyter, Debian's (apt-get; /usr/bin/jupyter), unless it is there;
#   - the Java kernel, io.github.padreati:rapaio-jupyter-kernel from Maven;
#   - Anshin's jar (jobs/target/anshin.jar and its lib/), built with Maven when missing or older
#     than the sources;
#   - the kernelspec "anshin-java" in notebooks/.jupyter/kernels: the kernel with Spark's JVM options
#     (each notebook adds Anshin's jar itself: %jar ../jobs/target/anshin.jar). For interactive use:
#       JUPYTER_PATH="$PWD/notebooks/.jupyter" jupyter lab notebooks/
# Executed copies go to $NOTEBOOK_OUT (default: a new temporary folder, printed at the end); the
# notebooks in the repository are not changed. ANSHIN_ACCOUNT picks the account of the customer story;
# ANSHIN_KERNEL_JAVA_OPTS adds JVM options to the kernel (e.g. -Xmx16g; the tests use C1 alone,
# -XX:TieredStopAtLevel=1, which saves CPU in a kernel that lives a minute); ANSHIN_NOTEBOOK_JOBS sets
# how many notebooks run at once (default 2).
# Exit codes: 0 every notebook ran; 1 a cell failed (the executed copy shows it); 66 no lakehouse.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAKEHOUSE="$(realpath -m "${1:-$ROOT/lakehouse}")"
KERNEL_VERSION=3.0.1
KERNEL_JAR="${ANSHIN_KERNEL_JAR:-${MAVEN_REPOSITORY:-$HOME/.m2/repository}/io/github/padreati/rapaio-jupyter-kernel/$KERNEL_VERSION/rapaio-jupyter-kernel-$KERNEL_VERSION.jar}"
JUPYTER=/usr/bin/jupyter   # Debian's; a python3 earlier on the PATH may lack nbformat
log() { echo "notebooks: $*" >&2; }

if [ ! -d "$LAKEHOUSE/customer_features/_delta_log" ]; then
  log "no lakehouse at $LAKEHOUSE (it has no customer_features table): run bin/anshin demo first, or pass its folder"
  exit 66
fi

if [ ! -x "$JUPYTER" ]; then
  log "installing Jupyter (Debian packages)"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  packages=(jupyter-nbconvert python3-nbconvert python3-nbclient python3-ipykernel jupyter-client python3-jupyter-core)
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >&2 \
    || { $sudo apt-get update -q >&2 && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >&2; }
fi

if [ ! -f "$KERNEL_JAR" ]; then
  log "fetching rapaio-jupyter-kernel $KERNEL_VERSION from Maven"
  mvn -q -B dependency:get -Dartifact="io.github.padreati:rapaio-jupyter-kernel:$KERNEL_VERSION" -Dtransitive=false >&2
fi

stale() {
  [ ! -f "$ROOT/jobs/target/anshin.jar" ] || [ ! -d "$ROOT/jobs/target/lib" ] && return 0
  [ -n "$(find "$ROOT/pom.xml" "$ROOT"/errors "$ROOT"/features "$ROOT"/models "$ROOT"/jobs \
            \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$ROOT/jobs/target/anshin.jar" -print -quit)" ]
}
if [ -z "${ANSHIN_NOTEBOOKS_NO_BUILD:-}" ] && stale; then
  log "building Anshin's jar (mvn -q -B -DskipTests -pl jobs -am package)"
  (cd "$ROOT" && mvn -q -B -DskipTests -pl jobs -am package) >&2
fi

# The kernelspec: the kernel's JVM with Spark's options.
JUPYTER_PATH="$ROOT/notebooks/.jupyter"
KERNEL_DIR="$JUPYTER_PATH/kernels/anshin-java"
mkdir -p "$KERNEL_DIR"
/usr/bin/python3 - "$KERNEL_DIR/kernel.json" "${JAVA_HOME:+$JAVA_HOME/bin/}java" "$KERNEL_JAR" "$ROOT" <<'PYTHON'
import json, os, sys
kernel_json, java, kernel_jar, root = sys.argv[1:]
options = [line.strip() for line in open(root + "/bin/jvm-options")
           if line.strip() and not line.startswith("#")]
extra = os.environ.get("ANSHIN_KERNEL_JAVA_OPTS", "").split()
json.dump({
    "argv": [java, *options, *extra, "-Danshin.home=" + root, "-jar", kernel_jar, "{connection_file}"],
    "display_name": "Anshin (Java 17, Spark)",
    "language": "java",
    "interrupt_mode": "message",
    "env": {"SPARK_LOCAL_IP": "127.0.0.1"},
}, open(kernel_json, "w"), indent=1)
PYTHON
export JUPYTER_PATH ANSHIN_LAKEHOUSE="$LAKEHOUSE"

OUT="${NOTEBOOK_OUT:-$(mktemp -d -t anshin-notebooks.XXXXXX)}"
mkdir -p "$OUT"
# execute NAME: runs one notebook from the notebooks folder (where `%load anshin.jsh` finds the setup).
# A good kernel start answers Jupyter in about 3 s, 10 s on a loaded machine; 20 s tells a hung start.
execute() {
  (cd "$ROOT/notebooks" && "$JUPYTER" nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=anshin-java \
      --ExecutePreprocessor.timeout=900 --ExecutePreprocessor.startup_timeout=20 --output-dir "$OUT" "$1" > "$OUT/${1%.ipynb}.log" 2>&1)
}
# run NAME: executes it, starting the kernel up to three times, and writes NAME.status (0 when every cell ran).
run() {
  local name="$1" started ok=0 attempt
  started=$(date +%s)
  # rapaio-jupyter-kernel 3.0.1 now and then (about one start in eight here, more when several start at
  # once) binds its sockets and never answers Jupyter's first request, or misses the heartbeat Jupyter
  # takes for its life while it starts ("died before replying").
  for attempt in 1 2 3; do
    execute "$name" && { ok=1; break; }
    grep -q -e "Kernel didn't respond" -e "Kernel died before replying" "$OUT/${name%.ipynb}.log" || break
    log "$name: the kernel did not answer at startup (attempt $attempt)"
  done
  if [ "$ok" = 1 ] && ! grep -q '"output_type": "error"' "$OUT/$name"; then
    log "$name: ran in $(( $(date +%s) - started )) s"
    echo 0 > "$OUT/${name%.ipynb}.status"
  else
    log "$name: FAILED after $(( $(date +%s) - started )) s; the end of its log ($OUT/${name%.ipynb}.log):"
    tail -30 "$OUT/${name%.ipynb}.log" >&2
    echo 1 > "$OUT/${name%.ipynb}.status"
  fi
}
# The notebooks run side by side, ANSHIN_NOTEBOOK_JOBS at a time (default 2): a kernel spends much of
# its minute starting its JVM and Spark, and on two cores two of them take about as long as one.
jobs_at_once="${ANSHIN_NOTEBOOK_JOBS:-2}"
names=()
for notebook in "$ROOT"/notebooks/*.ipynb; do
  names+=("$(basename "$notebook")")
  rm -f "$OUT/${names[-1]%.ipynb}.status"
done
for name in "${names[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_at_once" ]; do wait -n || true; done
  run "$name" &
done
wait
failed=0
for name in "${names[@]}"; do
  [ "$(cat "$OUT/${name%.ipynb}.status" 2>/dev/null)" = 0 ] || failed=1
done
log "executed notebooks in $OUT"
exit "$failed"
