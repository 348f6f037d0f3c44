#!/usr/bin/env python3
"""The default portfolio against `--threads 1` on generated random families.

A family is a number of buffers and a lifespan width (as a share of the
horizon); each instance is solved at capacities 5-50% above its load bound
(the most live bytes at any moment). Both modes run as whole processes,
interleaved (one, then the other, for each instance and repetition), so
that the machine's drift hits both alike; the table gives the median wall
time of each and whether the default met the target: at most
1.5 x the time of `--threads 1` plus 50 ms wherever `--threads 1` solves.

    benchmarks/default-vs-one-thread.py [--bin target/release/minimalloc]
        [--timeout 10] [--reps 3] [--out DIR] [--quick]

Nothing here is timed inside a test: the figures are for the notes.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

FAMILIES = [
    # (buffers, horizon, max lifespan width): narrow, medium and wide lifespans
    (1000, 10_000, 200),
    (1000, 1_000, 300),
    (2000, 400, 400),
    (3000, 200, 100),
    (3000, 20_000, 2_000),
    (5000, 2_000, 400),
    (10_000, 100_000, 2_000),
    (10_000, 20_000, 400),
    (10_000, 50_000, 3_000),
]
SLACKS = [0.05, 0.10, 0.20, 0.50]


def load_bound(path):
    """The most bytes live at one moment (lifespans are [lower, upper))."""
    events = []
    with open(path) as f:
        header = f.readline().strip().split(",")
        lo, up, sz = header.index("lower"), header.index("upper"), header.index("size")
        for line in f:
            cols = line.strip().split(",")
            if len(cols) < len(header):
                continue
            a, b, s = int(cols[lo]), int(cols[up]), int(cols[sz])
            if a < b:
                events.append((a, s))
                events.append((b, -s))
    # Ends before starts at the same moment: [lower, upper) is half-open.
    events.sort(key=lambda e: (e[0], e[1]))
    load = peak = 0
    for _, d in events:
        load += d
        peak = max(peak, load)
    return peak


def run(cmd):
    # No `timeout=` here: with one, Python polls the child with sleeps of
    # up to 50 ms, which would show in every time; the solver's own
    # --timeout ends the run.
    start = time.perf_counter()
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return rc, time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/minimalloc")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", default="target/default-vs-one-thread")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="the first two families only")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    families = FAMILIES[:2] if args.quick else FAMILIES
    print(f"| buffers | horizon | width | slack | threads 1 (s) | default (s) | ratio | met |")
    print(f"|---:|---:|---:|---:|---:|---:|---:|---|")
    met = total = 0
    for buffers, horizon, width in families:
        path = os.path.join(args.out, f"r{buffers}-{horizon}-{width}-s{args.seed}.csv")
        subprocess.run(
            [args.bin, "generate", "random", "--out", path, "--seed", str(args.seed), "--buffers", str(buffers),
             "--horizon", str(horizon), "--max-width", str(width), "--max-size", "1000"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bound = load_bound(path)
        for slack in SLACKS:
            capacity = int(bound * (1 + slack)) + 1
            base = [args.bin, f"--input={path}", f"--capacity={capacity}", f"--timeout={args.timeout}s",
                    "--output=/dev/null", "-q"]
            one, default = [], []
            for _ in range(args.reps):
                one.append(run(base + ["--threads=1"]))
                default.append(run(base))
            t1 = statistics.median(t for _, t in one)
            td = statistics.median(t for _, t in default)
            solved1 = all(rc == 0 for rc, _ in one)
            solvedd = all(rc == 0 for rc, _ in default)
            if solved1:
                total += 1
                ok = solvedd and td <= 1.5 * t1 + 0.05
                met += ok
                verdict = "yes" if ok else "**no**"
            else:
                verdict = "(threads 1 unsolved)"
            show = lambda t, s: f"{t:.3f}" if s else f"{t:.3f} (no)"
            print(f"| {buffers} | {horizon} | {width} | {int(slack * 100)}% | {show(t1, solved1)} | "
                  f"{show(td, solvedd)} | {td / t1:.2f} | {verdict} |", flush=True)
    print(f"\nmet {met} of {total} where --threads 1 solves")
    return 0 if met == total else 1


if __name__ == "__main__":
    sys.exit(main())
