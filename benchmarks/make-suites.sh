#!/usr/bin/env bash
# Writes the generated suites (all seeded, so they can be rebuilt exactly):
#   random/    random lifespans and sizes (capacity: none; use --minimize_capacity)
#   perfect/   tight perfect packings (NAME.CAPACITY.csv: the optimum is the capacity)
#   concat/    the paper's instances back to back in time (from ../shared, if present)
#
#   benchmarks/make-suites.sh [OUT_DIR]     (default: target/suites)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/suites}
cargo build --release --quiet --bin minimalloc
bin=target/release/minimalloc
mkdir -p "$out/random" "$out/perfect" "$out/concat"
for seed in $(seq 1 10); do
  "$bin" generate random --seed "$seed" --buffers 200 --horizon 1000 --max-width 120 --max-size 4096 --out "$out/random/r$seed.csv" 2>/dev/null
  "$bin" generate perfect --seed "$seed" --buffers 150 --capacity 1048576 --horizon 1000 --out "$out/perfect/p$seed.1048576.csv" 2>/dev/null
done
shared=../shared/benchmarks/challenging
if [ -d "$shared" ]; then
  c() { for n in "$@"; do printf '%s ' "$shared/$n.1048576.csv"; done; }
  "$bin" generate concat --out "$out/concat/AB.1048576.csv" $(c A B) 2>/dev/null
  "$bin" generate concat --out "$out/concat/CK.1048576.csv" $(c C K) 2>/dev/null
  "$bin" generate concat --out "$out/concat/GH.1048576.csv" $(c G H) 2>/dev/null
  "$bin" generate concat --out "$out/concat/ABCD.1048576.csv" $(c A B C D) 2>/dev/null
  "$bin" generate concat --out "$out/concat/ALL.1048576.csv" $(c A B C D E F G H I J K) 2>/dev/null
  for k in 1 4 16 64; do
    "$bin" generate concat --out "$out/concat/K$k.1048576.csv" $(for i in $(seq "$k"); do c K; done) 2>/dev/null
  done
else
  echo "$shared not found: no concatenated suites"
fi
echo "suites in $out"
