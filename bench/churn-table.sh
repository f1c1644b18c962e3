#!/usr/bin/env bash
# `anshin churn fit` and `churn score` on a labelled table of your own, next to the floor and the alternative.
#   bench/churn-table.sh FILE ID_COLUMN LABEL_COLUMN [REPLICATE=1] [WORKDIR=/tmp/anshin-churn-table]
# Fits the default learner (gradient-boosted trees) and the alternative (logistic regression) on FILE
# (CSV, Parquet or Delta) with the same holdout, scores FILE with the first model, and prints the holdout
# metrics and the timings side by side with the floor: a model that knows only the base rate p (AUC 0.5,
# Brier p(1-p), ECE 0). REPLICATE=K (a CSV whose first column is the id) first writes K copies of the rows
# with the ids suffixed -1..-K, to time a larger table with the same signal; the copies of one customer
# then fall on both sides of the holdout, so the metrics are optimistic: use REPLICATE for the timings
# only. Not part of `mvn verify`.
# Example (IBM's Telco customer churn, 7,043 rows, the classic public churn table):
#   bench/churn-table.sh WA_Fn-UseC_-Telco-Customer-Churn.csv customerID Churn
set -euo pipefail
case "${1:-}" in
  "" | -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
FILE="$1"; ID="$2"; LABEL="$3"; REPLICATE="${4:-1}"; WORK="${5:-/tmp/anshin-churn-table}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$WORK"
DATA="$FILE"
if [ "$REPLICATE" -gt 1 ]; then
  DATA="$WORK/replicated.csv"
  # The header once, then every row K times with its id (the first field) suffixed; a byte-order mark is dropped.
  awk -v k="$REPLICATE" -F, 'BEGIN { OFS = "," } NR == 1 { sub(/^\xef\xbb\xbf/, ""); header = $0; next }
    { rows[NR] = $0 } END { print header; for (i = 1; i <= k; i++) for (r in rows) { $0 = rows[r]; $1 = $1 "-" i; print } }' \
    "$FILE" > "$DATA"
fi
ROWS=$(($(wc -l < "$DATA") - 1))
echo "anshin churn-table benchmark: $DATA ($ROWS rows), $(nproc) cores, $(date -u +%FT%TZ)"
[ "$REPLICATE" -gt 1 ] && echo "($REPLICATE copies of each row: the metrics are optimistic, the timings are the point)"

run() { # NAME ARGS...: runs bin/anshin, keeps its JSON line and its wall time
  local name="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$ROOT/bin/anshin" "$@" > "$WORK/$name.json" 2> "$WORK/$name.log" || { echo "$name failed: see $WORK/$name.log" >&2; tail -5 "$WORK/$name.log" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc)" > "$WORK/$name.seconds"
}
run gbt churn fit --data "$DATA" --id "$ID" --label "$LABEL" --model "$WORK/model-gbt"
run logistic churn fit --data "$DATA" --id "$ID" --label "$LABEL" --model "$WORK/model-logistic" --learner logistic
run score churn score --model "$WORK/model-gbt" --data "$DATA" --out "$WORK/scored"

python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
gbt, logistic = (json.load(open(f"{work}/{n}.json")) for n in ("gbt", "logistic"))
seconds = {n: float(open(f"{work}/{n}.seconds").read()) for n in ("gbt", "logistic", "score")}
p = gbt["positives"] / gbt["n"]
rows = [("holdout rows (churned)", f'{gbt["n"]} ({gbt["positives"]})', "", f'{logistic["n"]} ({logistic["positives"]})'),
        ("AUC-ROC", f'{gbt["auc_roc"]:.4f}', "0.5", f'{logistic["auc_roc"]:.4f}'),
        ("AUC-PR", f'{gbt["auc_pr"]:.4f}', f"{p:.4f}", f'{logistic["auc_pr"]:.4f}'),
        ("Brier (calibrated, cross-fitted)", f'{gbt["brier"]:.4f}', f"{p * (1 - p):.4f}", f'{logistic["brier"]:.4f}'),
        ("Brier (uncalibrated)", f'{gbt["brier_uncalibrated"]:.4f}', "", f'{logistic["brier_uncalibrated"]:.4f}'),
        ("ECE (calibrated, cross-fitted)", f'{gbt["ece"]:.4f}', "0", f'{logistic["ece"]:.4f}'),
        ("ECE (uncalibrated)", f'{gbt["ece_uncalibrated"]:.4f}', "", f'{logistic["ece_uncalibrated"]:.4f}'),
        ("fit wall time, s (JVM start included)", f'{seconds["gbt"]:.1f}', "", f'{seconds["logistic"]:.1f}'),
        ("score wall time, s (all rows, drivers)", f'{seconds["score"]:.1f}', "", "")]
print(f'{"":40} {"gbt":>14} {"floor":>10} {"logistic":>14}')
for name, a, b, c in rows:
    print(f"{name:40} {a:>14} {b:>10} {c:>14}")
PY
