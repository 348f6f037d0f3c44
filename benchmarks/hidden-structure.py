#!/usr/bin/env python3
"""Whether an answer depends on how the input is laid out (issue 23).

Every instance is solved as given and as copies that hide its layout,
made by `minimalloc generate shuffle`: rows shuffled and ids renamed (one
copy per seed) and, with --mirror, time run backwards as well. The same
packings exist in every copy, so a solver whose search power comes from
the buffers themselves, not from their order, gives the same outcome on
all of them.

Two modes, each a whole process per copy with the default settings:

- `solve`: at the capacity in the file's name (NAME.CAPACITY.csv; files
  without one are skipped); a cell is "ok" (a validated packing) or the
  exit status (3: time limit).
- `minimize`: `--minimize_capacity`; a cell is the height divided by the
  capacity in the name, or by the proven lower bound where the name has
  none.

The table has a column per copy, a row per instance, and a last row with
the solved count (solve) or the worst ratio (minimize) of each column.
Rows whose outcome differs between copies are marked "differs".

    benchmarks/hidden-structure.py DIR_OR_FILE... [--mode solve|minimize]
        [--seeds 3] [--mirror] [--timeout 10] [--bin target/release/minimalloc]
        [--out target/hidden-structure]

Nothing here is timed inside a test: the figures are for the notes.
"""

import argparse
import json
import os
import re
import subprocess
import sys

NAMED_CAPACITY = re.compile(r"\.(\d+)\.csv$")


def inputs(paths):
    """The CSV files named, or found directly in the folders named, sorted."""
    found = []
    for p in paths:
        if os.path.isdir(p):
            found += [os.path.join(p, f) for f in sorted(os.listdir(p)) if f.endswith(".csv")]
        else:
            found.append(p)
    return found


def copies(args, path):
    """(label, path) of the instance and of each copy that hides its layout."""
    stem = os.path.basename(path)[: -len(".csv")]
    made = [("as given", path)]
    plans = [(f"shuffled {s}", ["--seed", str(s), "--rename"]) for s in range(1, args.seeds + 1)]
    if args.mirror:
        plans.append(("mirrored", ["--seed", "0", "--rename", "--mirror"]))
    for label, flags in plans:
        # The copy keeps the capacity in its name, so the solve mode finds it.
        m = NAMED_CAPACITY.search(path)
        suffix = f".{m.group(1)}.csv" if m else ".csv"
        out = os.path.join(args.out, f"{stem.split('.')[0]}-{label.replace(' ', '')}{suffix}")
        subprocess.run([args.bin, "generate", "shuffle", path, "--out", out] + flags, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        made.append((label, out))
    return made


def outcome(args, path):
    """One cell: what the default settings make of one copy."""
    stats = os.path.join(args.out, "stats.json")
    if os.path.exists(stats):
        os.remove(stats)
    cmd = [args.bin, f"--input={path}", f"--timeout={args.timeout}s", "--validate", "--output=/dev/null",
           f"--stats-json={stats}", "-q"]
    m = NAMED_CAPACITY.search(path)
    if args.mode == "solve":
        cmd.append(f"--capacity={m.group(1)}")
    else:
        cmd.append("--minimize_capacity")
    rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    if args.mode == "solve":
        return ("ok", 1.0) if rc == 0 else (f"exit {rc}", None)
    if rc != 0 or not os.path.exists(stats):
        return (f"exit {rc}", None)
    with open(stats) as f:
        s = json.load(f)
    base = int(m.group(1)) if m else s["lower_bound"]
    ratio = s["height"] / base
    return (f"{ratio:.6f}", ratio)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--mode", choices=["solve", "minimize"], default="solve")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--mirror", action="store_true")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--bin", default="target/release/minimalloc")
    ap.add_argument("--out", default="target/hidden-structure")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    files = inputs(args.paths)
    if args.mode == "solve":
        files = [f for f in files if NAMED_CAPACITY.search(f)]
    if not files:
        print("no instance to run", file=sys.stderr)
        return 2
    labels = None
    columns = None
    for path in files:
        made = copies(args, path)
        if labels is None:
            labels = [label for label, _ in made]
            columns = [[] for _ in labels]
            print("| instance | " + " | ".join(labels) + " | |")
            print("|---|" + "---:|" * len(labels) + "---|")
        cells = [outcome(args, p) for _, p in made]
        for col, (_, value) in zip(columns, cells):
            col.append(value)
        differs = len({text for text, _ in cells}) > 1
        name = os.path.basename(path)
        print(f"| {name} | " + " | ".join(t for t, _ in cells) + f" | {'differs' if differs else ''} |", flush=True)
    if args.mode == "solve":
        summary = [f"{sum(v is not None for v in col)} of {len(col)}" for col in columns]
    else:
        summary = [f"max {max(v for v in col if v is not None):.6f}" if any(v is not None for v in col)
                   else "none" for col in columns]
    print("| **all** | " + " | ".join(summary) + " | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
