#!/usr/bin/env python3
"""Writes docs/benchmarks.md from one run on the machine at hand.

Every figure comes from this run: the release binary solves each instance
as one whole process (read, solve, validate, write), timed from outside,
with its peak memory from the kernel and its status, height and lower
bound from `--stats-json`. The suites are read from ../shared/benchmarks:

  challenging/  the paper's suite (A-K at 1048576), under the default preset
                and configs/reference.toml (the reference's sequential
                algorithm); with --reference-binary, the reference C++ too
  tight/        problems without slack, default preset, --timeout=10s
  real/         real traces, --minimize_capacity --timeout=10s

The page names the machine (CPU, cores, memory, OS), the date, the build
(`minimalloc --version`, which carries the git commit) and the exact
commands, so that a reader can rerun any line.

    cargo build --release
    benchmarks/make-benchmarks-md.py [--bin target/release/minimalloc]
        [--suites ../shared/benchmarks] [--out docs/benchmarks.md]
        [--repeats 1] [--timeout 10] [--reference-binary PATH] [--quick]

The full run takes many minutes of every core (the reference preset alone
takes several seconds an instance): run it on a quiet machine. `--quick`
solves the seed example once and prints the page to standard output
(nothing else runs; use it to check the script and the binary).
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = "benchmarks/examples/input.12.csv"


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Write docs/benchmarks.md from one run of the release binary on the machine at hand.",
        epilog="The full run takes many minutes of every core; --quick solves the seed example only.",
    )
    p.add_argument("--bin", default="target/release/minimalloc", help="the minimalloc binary (default: %(default)s)")
    p.add_argument(
        "--suites", default="../shared/benchmarks", help="folder holding challenging/, tight/ and real/ (default: %(default)s)"
    )
    p.add_argument("--out", help="where to write the page (default: docs/benchmarks.md; with --quick, standard output)")
    p.add_argument(
        "--repeats", type=int, default=1, help="runs of each challenging/ instance and mode; the median is shown (default: %(default)s)"
    )
    p.add_argument(
        "--timeout", type=float, default=10, help="seconds, tight/ and real/ (--timeout of each run; default: %(default)s)"
    )
    p.add_argument(
        "--reference-timeout",
        type=float,
        default=120,
        help="seconds, each challenging/ run (default: %(default)s)",
    )
    p.add_argument("--reference-binary", help="the reference C++ minimalloc, timed on challenging/ as well")
    p.add_argument("--quick", action="store_true", help="solve the seed example once and print the page (a check)")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    if args.timeout <= 0 or args.reference_timeout <= 0:
        p.error("time limits must be positive")
    return args


def machine():
    """One line each: CPU, cores, memory, OS."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    return [
        f"CPU: {cpu}",
        f"cores (os.cpu_count): {os.cpu_count()}",
        f"memory: {mem}",
        f"OS: {platform.system()} {platform.release()}",
        f"Python: {platform.python_version()}",
    ]


def capacity_of(path):
    """NAME.CAPACITY.csv -> CAPACITY, else None."""
    parts = path.name.split(".")
    if len(parts) >= 3 and parts[-2].isdigit():
        return int(parts[-2])
    return None


class Run:
    """One whole process: wall time, peak memory, exit code, statistics."""

    def __init__(self, argv, limit, stats_path=None):
        self.argv = argv
        with tempfile.TemporaryFile() as err:
            start = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
            # A run past its limit (the solver's own plus a margin) is killed.
            killer = threading.Timer(limit, proc.kill)
            killer.start()
            _, status, usage = os.wait4(proc.pid, 0)
            self.wall = time.perf_counter() - start
            killer.cancel()
            proc.returncode = self.rc = os.waitstatus_to_exitcode(status)
            err.seek(0)
            self.stderr = err.read().decode(errors="replace")
        # ru_maxrss is in KiB on Linux.
        self.peak_mb = usage.ru_maxrss / 1024
        self.stats = {}
        if stats_path and Path(stats_path).exists():
            try:
                self.stats = json.loads(Path(stats_path).read_text())
            except ValueError:
                pass

    @property
    def status(self):
        if self.rc < 0:
            return "killed"
        return self.stats.get("status") or {0: "solved", 1: "infeasible", 2: "error", 3: "timeout", 4: "internal"}.get(
            self.rc, f"exit {self.rc}"
        )


class Bench:
    def __init__(self, args, tmp):
        self.args = args
        self.tmp = Path(tmp)
        self.bin = str(Path(args.bin) if Path(args.bin).is_absolute() else ROOT / args.bin)
        self.commands = []  # (what, command template)

    def ours(self, path, flags, limit):
        """Runs this project's binary on one file; returns a Run."""
        out, stats = self.tmp / "out.csv", self.tmp / "stats.json"
        stats.unlink(missing_ok=True)
        cap = capacity_of(path)
        argv = [self.bin, f"--input={path}", f"--output={out}", f"--stats-json={stats}", "--validate", "-q"]
        if cap is not None and "--minimize_capacity" not in flags:
            argv.insert(1, f"--capacity={cap}")
        argv += flags
        return Run(argv, limit + 30, stats)

    def reference(self, path, limit):
        out = self.tmp / "ref.csv"
        argv = [self.args.reference_binary, f"--capacity={capacity_of(path)}", f"--input={path}", f"--output={out}"]
        return Run(argv, limit)

    def note(self, what, flags, folder):
        cmd = "minimalloc --capacity=C --input=FILE --output=OUT --stats-json=STATS --validate -q"
        if "--minimize_capacity" in flags:
            cmd = cmd.replace("--capacity=C ", "")
        if flags:
            cmd += " " + " ".join(shlex.quote(f) for f in flags)
        self.commands.append((what, f"{cmd}    # each FILE of {folder}"))


def fmt(x):
    return f"{x:.2f}" if x < 100 else f"{x:.0f}"


def challenging(b, lines):
    folder = Path(b.args.suites) / "challenging"
    files = sorted(folder.glob("*.csv"))
    if not files:
        lines += [f"*{folder}: no instances found; skipped.*", ""]
        return
    limit = b.args.reference_timeout
    modes = [
        ("default portfolio (`configs/default.toml`)", ["--config=configs/default.toml", f"--timeout={limit:g}s"]),
        ("reference's algorithm (`configs/reference.toml`)", ["--config=configs/reference.toml", f"--timeout={limit:g}s"]),
    ]
    for what, flags in modes:
        b.note(f"challenging/, {what}", flags, folder)
    rows = {what: {} for what, _ in modes}
    if b.args.reference_binary:
        rows["reference C++ (`--reference-binary`)"] = {}
        b.commands.append(("challenging/, the reference C++", f"{b.args.reference_binary} --capacity=C --input=FILE --output=OUT"))
    failed = []
    for f in files:
        name = f.name.split(".")[0]
        times = {k: [] for k in rows}
        for _ in range(b.args.repeats):  # interleaved, so that drift hits every mode alike
            for what, flags in modes:
                r = b.ours(f, flags, limit)
                times[what].append(r.wall if r.rc == 0 else None)
                if r.rc != 0:
                    failed.append(f"{name} under {what}: {r.status}")
            if b.args.reference_binary:
                r = b.reference(f, limit)
                times["reference C++ (`--reference-binary`)"].append(r.wall if r.rc == 0 else None)
        for k, ts in times.items():
            ok = [t for t in ts if t is not None]
            rows[k][name] = statistics.median(ok) if len(ok) == len(ts) else None
        shown = (f"{k.split(' (')[0]} {'-' if v is None else f'{v:.2f} s'}" for k, v in ((k, rows[k][name]) for k in rows))
        print(f"challenging {name}: " + ", ".join(shown), file=sys.stderr)
    names = [f.name.split(".")[0] for f in files]
    lines += [
        f"Each instance at its capacity ({folder}/NAME.CAPACITY.csv), whole process, seconds"
        + (f", median of {b.args.repeats} interleaved runs" if b.args.repeats > 1 else ", one run")
        + ":",
        "",
        "| | " + " | ".join(names) + " | total |",
        "|---|" + "---|" * (len(names) + 1),
    ]
    order = [k for k in rows if k.startswith("reference C++")] + [m for m, _ in modes][::-1]
    for k in order:
        vals = [rows[k][n] for n in names]
        total = sum(vals) if all(v is not None for v in vals) else None
        cells = [fmt(v) if v is not None else "-" for v in vals]
        lines.append(f"| {k} | " + " | ".join(cells) + f" | {fmt(total) if total is not None else '-'} |")
    lines.append("")
    if failed:
        lines += ["Not solved: " + "; ".join(failed) + ".", ""]


def per_file_table(b, folder_name, flags, lines, minimize):
    folder = Path(b.args.suites) / folder_name
    files = sorted(folder.glob("*.csv"))
    if not files:
        lines += [f"*{folder}: no instances found; skipped.*", ""]
        return
    b.note(f"{folder_name}/", flags, folder)
    head = "| instance | buffers | status | height | lower bound | height / bound | wall (s) | peak memory (MB) |"
    lines += [head, "|" + "---|" * (head.count(" | ") + 1)]
    solved, total = 0, 0.0
    for f in files:
        r = b.ours(f, flags, b.args.timeout)
        s = r.stats
        h, lb = s.get("height"), s.get("lower_bound")
        ratio = f"{h / lb:.6f}" if h is not None and lb else "-"
        ok = r.rc == 0
        solved += ok
        total += r.wall
        lines.append(
            f"| {f.name} | {s.get('buffers', '-')} | {r.status} | {h if h is not None else '-'} | "
            f"{lb if lb is not None else '-'} | {ratio} | {r.wall:.2f} | {r.peak_mb:.0f} |"
        )
        print(f"{folder_name} {f.name}: {r.status} {r.wall:.2f} s", file=sys.stderr)
    lines += ["", f"{solved}/{len(files)} {'with a packing' if minimize else 'solved'}, {total:.1f} s in all.", ""]


def quick(b, lines):
    flags = []
    r = b.ours(ROOT / SEED, flags, 10)
    b.commands.append(("the seed example", f"minimalloc --capacity=12 --input={SEED} --output=OUT --validate -q"))
    lines += [
        "| instance | status | height | wall (s) | peak memory (MB) |",
        "|---|---|---|---|---|",
        f"| {SEED} | {r.status} | {r.stats.get('height', '-')} | {r.wall:.3f} | {r.peak_mb:.0f} |",
        "",
    ]


def main(argv):
    args = parse_args(argv)
    binary = Path(args.bin) if Path(args.bin).is_absolute() else ROOT / args.bin
    if not binary.exists():
        sys.exit(f"{binary}: not found; build it first with `cargo build --release`")
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    started = datetime.datetime.now(datetime.timezone.utc)
    body = []
    with tempfile.TemporaryDirectory() as tmp:
        b = Bench(args, tmp)
        if args.quick:
            body += ["## The seed example (`--quick`)", ""]
            quick(b, body)
        else:
            body += ["## The paper's suite (challenging/)", ""]
            challenging(b, body)
            body += ["## Problems without slack (tight/)", ""]
            per_file_table(b, "tight", [f"--timeout={args.timeout:g}s"], body, minimize=False)
            body += ["## Real traces (real/)", ""]
            per_file_table(b, "real", ["--minimize_capacity", f"--timeout={args.timeout:g}s"], body, minimize=True)
        commands = b.commands
    took = datetime.datetime.now(datetime.timezone.utc) - started
    page = [
        "# Benchmarks",
        "",
        "Generated by `benchmarks/make-benchmarks-md.py` from one run on the machine described below;",
        "rerun it to regenerate this page (it replaces the whole file). Every figure is one whole",
        "process (read, solve, validate, write), timed from outside; status, height and lower bound",
        "come from `--stats-json`. Older figures, recorded by hand, are in [benchmarks-history.md](benchmarks-history.md);",
        "what changed when is in [CHANGELOG.md](../CHANGELOG.md), the techniques' ablations in",
        "[techniques.md](techniques.md).",
        "",
        "## The machine and the build",
        "",
        *[f"- {m}" for m in machine()],
        f"- date: {started:%Y-%m-%d %H:%M} UTC (the run took {took.total_seconds() / 60:.1f} minutes)",
        f"- build: `{version}`",
        "- generated with: `" + " ".join(["benchmarks/make-benchmarks-md.py", *map(shlex.quote, argv)]) + "`",
        "",
        "## The commands",
        "",
        "Each instance is one process of this command (`--capacity` from the file's name, NAME.CAPACITY.csv):",
        "",
        "```",
        *[f"# {what}\n{cmd}" for what, cmd in commands],
        "```",
        "",
        *body,
    ]
    text = "\n".join(page).rstrip() + "\n"
    out = args.out or (None if args.quick else str(ROOT / "docs/benchmarks.md"))
    if out is None or out == "-":
        sys.stdout.write(text)
    else:
        tmp_out = Path(out).with_suffix(".md.tmp")
        tmp_out.write_text(text)
        os.replace(tmp_out, out)
        print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
