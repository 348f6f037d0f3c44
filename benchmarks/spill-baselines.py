#!/usr/bin/env python3
"""Two baselines for spilling, beside `--spill` (benchmarks/spill-suite.sh).

For every instance of a suite at 90%, 80% and 70% of capacity 1048576,
within 10 seconds per instance and baseline (the time `--spill` gets):

- greedy: spill the largest buffer left, then the next, until the rest
  packs at the capacity (each check a default solve with a time limit of
  one second; a check that runs out counts as "does not fit");
- threshold: spill every buffer of at least T bytes, with T found by
  bisection over the sizes for the largest that lets the rest pack, each
  check by the reference's own search (`--threads 1`, one second).

Prints a CSV: instance, percent, baseline, spilled bytes (the cost, as the
default cost is the size), buffers spilled, checks run, seconds.

    benchmarks/spill-baselines.py [BINARY] [SUITE_DIR]
"""

import csv
import os
import subprocess
import sys
import tempfile
import time

BUDGET = 10.0
CHECK = 1.0


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def fits(binary, rows, capacity, threads, tmp):
    """Whether `rows` pack at `capacity` (exit 0) within one check."""
    path = os.path.join(tmp, "kept.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "lower", "upper", "size"], extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    args = [binary, f"--input={path}", f"--capacity={capacity}", f"--timeout={CHECK}s", "--output=/dev/null", "-q"]
    if threads:
        args.append(f"--threads={threads}")
    return subprocess.run(args, stderr=subprocess.DEVNULL).returncode == 0


def greedy(binary, rows, capacity, tmp):
    start, checks = time.monotonic(), 0
    kept = sorted(rows, key=lambda r: -int(r["size"]))
    spilled = []
    while time.monotonic() - start < BUDGET:
        checks += 1
        if fits(binary, kept, capacity, None, tmp):
            return spilled, checks, time.monotonic() - start
        if not kept:
            break
        spilled.append(kept.pop(0))
    return rows, checks, time.monotonic() - start  # nothing found: all spilled


def threshold(binary, rows, capacity, tmp):
    start, checks = time.monotonic(), 0
    sizes = sorted({int(r["size"]) for r in rows})
    # Largest index i such that keeping sizes < sizes[i] fits; i = len: keep all.
    lo, hi, best = 0, len(sizes), None
    candidates = sizes + [max(sizes, default=0) + 1]
    while lo <= hi and time.monotonic() - start < BUDGET:
        mid = (lo + hi) // 2
        t = candidates[mid]
        checks += 1
        if fits(binary, [r for r in rows if int(r["size"]) < t], capacity, 1, tmp):
            best, lo = t, mid + 1
        else:
            hi = mid - 1
    if best is None:
        return rows, checks, time.monotonic() - start
    return [r for r in rows if int(r["size"]) >= best], checks, time.monotonic() - start


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/minimalloc"
    suite = sys.argv[2] if len(sys.argv) > 2 else "../shared/benchmarks/challenging"
    out = csv.writer(sys.stdout)
    out.writerow(["instance", "percent", "baseline", "spilled_bytes", "spilled_buffers", "checks", "seconds"])
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(suite)):
            if not name.endswith(".csv"):
                continue
            rows = read(os.path.join(suite, name))
            for percent in (90, 80, 70):
                capacity = 1048576 * percent // 100
                for label, method in (("greedy", greedy), ("threshold", threshold)):
                    spilled, checks, seconds = method(binary, rows, capacity, tmp)
                    cost = sum(int(r["size"]) for r in spilled)
                    out.writerow([name.split(".")[0], percent, label, cost, len(spilled), checks, round(seconds, 2)])
                    sys.stdout.flush()


if __name__ == "__main__":
    main()
