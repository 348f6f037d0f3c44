#!/usr/bin/env bash
# The paper's suite spilled: every instance of ../shared/benchmarks/challenging
# at 90%, 80% and 70% of capacity 1048576 with --spill --timeout=10s. Prints a
# CSV (cost, its proven lower bound, optimal or not, each memory's height,
# wall seconds) on standard output.
#
#   benchmarks/spill-suite.sh [BINARY] [SUITE_DIR]
set -euo pipefail
bin=${1:-target/release/minimalloc}
suite=${2:-../shared/benchmarks/challenging}
stats=$(mktemp); trap 'rm -f "$stats"' EXIT
echo "instance,percent,capacity,status,cost,lower_bound,optimal,fast_height,spill_height,wall_s"
for pct in 90 80 70; do
  cap=$((1048576 * pct / 100))
  for f in "$suite"/*.csv; do
    name=$(basename "$f" .csv); name=${name%%.*}
    start=$(date +%s.%N)
    "$bin" --input="$f" --capacity="$cap" --spill --timeout=10s --output=/dev/null --stats-json="$stats" -q || true
    end=$(date +%s.%N)
    python3 - "$stats" "$name" "$pct" "$cap" "$start" "$end" <<'PY'
import json, sys
path, name, pct, cap, start, end = sys.argv[1:]
s = json.load(open(path))
m = s["memories"]
print(",".join(str(v) for v in [name, pct, cap, s["status"], s["cost"], s["cost_lower_bound"], s["optimal"],
                                m[0]["height"], m[1]["height"], round(float(end) - float(start), 2)]))
PY
  done
done
