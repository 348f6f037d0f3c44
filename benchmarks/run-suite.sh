#!/usr/bin/env bash
# Solves a suite under several presets and prints a markdown comparison.
#
#   benchmarks/run-suite.sh SUITE [PRESET...]     (default presets: default reference)
#
# SUITE is a folder of NAME.CAPACITY.csv files (the paper's suite is read
# from ../shared/benchmarks/challenging), or anything `minimalloc batch`
# takes; extra batch flags go in BATCH_FLAGS (e.g. "--timeout=60s").
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:?usage: benchmarks/run-suite.sh SUITE [PRESET...]}
shift
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(default reference)
cargo build --release --quiet --bin minimalloc
bin=target/release/minimalloc
out=$(mktemp -d)
for p in "${presets[@]}"; do
  # A failing file is a row in the report, not a reason to stop.
  "$bin" batch "$suite" --config "configs/$p.toml" --report "$out/$p.csv" -q ${BATCH_FLAGS:-} || true
done
reports=()
for p in "${presets[@]}"; do reports+=("$out/$p.csv"); done
"$bin" compare "${reports[@]}"
echo
echo "reports in $out"
