#!/usr/bin/env bash
# The real traces spilled: each trace of ../shared/benchmarks/real at 90% of
# its max-load lower bound with --spill --timeout=10s. Prints a CSV (the
# bound, the capacity, the cost, its proven lower bound, optimal or not,
# wall seconds) on standard output.
#
#   benchmarks/spill-real.sh [BINARY] [TRACES_DIR]
set -euo pipefail
bin=${1:-target/release/minimalloc}
traces=${2:-../shared/benchmarks/real}
stats=$(mktemp); trap 'rm -f "$stats"' EXIT
echo "trace,load_bound,capacity,status,cost,lower_bound,optimal,wall_s"
for f in "$traces"/*.csv; do
  name=$(basename "$f" .csv)
  # The bounds come first in a minimization's statistics, whatever its time.
  "$bin" --input="$f" --minimize_capacity --timeout=1s --output=/dev/null --stats-json="$stats" -q || true
  bound=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['lower_bound'])" "$stats")
  cap=$((bound * 9 / 10))
  start=$(date +%s.%N)
  "$bin" --input="$f" --capacity="$cap" --spill --timeout=10s --output=/dev/null --stats-json="$stats" -q || true
  end=$(date +%s.%N)
  python3 - "$stats" "$name" "$bound" "$cap" "$start" "$end" <<'PY'
import json, sys
path, name, bound, cap, start, end = sys.argv[1:]
s = json.load(open(path))
print(",".join(str(v) for v in [name, bound, cap, s["status"], s["cost"], s["cost_lower_bound"], s["optimal"],
                                round(float(end) - float(start), 2)]))
PY
done
