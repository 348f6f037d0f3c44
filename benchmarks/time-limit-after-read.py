#!/usr/bin/env python3
"""How long after reading its input a run with `--timeout=T` ends.

The time limit counts from the moment the input has been read, and the run
must end within T + 50 ms of it, whatever the input's size. This generates
random inputs of 200 thousand and a million rows (seeded), runs each mode
(solve, `--threads 1`, `--minimize_capacity`) at several limits as a whole
process, and prints the read time (from the `-v` line) and the time from
the read to the process's exit.

    benchmarks/time-limit-after-read.py [--bin target/release/minimalloc]
        [--out target/time-limit] [--reps 3] [--rows 200000,1000000]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

LIMITS = ["1ms", "50ms", "1s"]
MODES = [("solve", []), ("threads 1", ["--threads=1"]), ("minimize", ["--minimize_capacity"])]
LIMIT_S = {"1ms": 0.001, "50ms": 0.05, "1s": 1.0}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/minimalloc")
    ap.add_argument("--out", default="target/time-limit")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rows", default="200000,1000000")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print("| rows | mode | limit | read (s) | after the read (s) | over the limit (ms) | exit |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    worst = 0.0
    for rows in (int(r) for r in args.rows.split(",")):
        path = os.path.join(args.out, f"r{rows}.csv")
        if not os.path.exists(path):
            subprocess.run([args.bin, "generate", "random", "--out", path, "--buffers", str(rows),
                            "--horizon", str(rows * 10), "--max-width", "2000", "--seed", "7"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name, flags in MODES:
            capacity = [] if "--minimize_capacity" in flags else ["--capacity=10000000"]
            for limit in LIMITS:
                reads, afters, codes = [], [], set()
                for _ in range(args.reps):
                    cmd = [args.bin, f"--input={path}", f"--timeout={limit}", "-v", "--output=/dev/null"]
                    start = time.perf_counter()
                    proc = subprocess.run(cmd + capacity + flags, capture_output=True, text=True)
                    wall = time.perf_counter() - start
                    m = re.search(r"\] read .* in ([0-9.]+)s", proc.stderr)
                    if not m:
                        print(proc.stderr, file=sys.stderr)
                        return 2
                    read = float(m.group(1))
                    reads.append(read)
                    afters.append(wall - read)
                    codes.add(proc.returncode)
                read, after = statistics.median(reads), statistics.median(afters)
                over = (after - LIMIT_S[limit]) * 1000
                worst = max(worst, over)
                code = ",".join(str(c) for c in sorted(codes))
                print(f"| {rows} | {name} | {limit} | {read:.3f} | {after:.3f} | {over:.0f} | {code} |", flush=True)
    print(f"\nworst overrun past the limit: {worst:.0f} ms (medians of {args.reps})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
