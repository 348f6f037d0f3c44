"""``minimalloc.cli``: the upstream package's command line, on this package.

``main(argv)`` takes the upstream flags (``--input``, ``--output``,
``--capacity``, ``--validate``, ``--timeout``, ``--minimize-capacity``,
``--preordering-heuristics``, and ``--X``/``--no-X`` for every technique
switch), prints what upstream prints to ``sys.stderr`` (``Elapsed time:``,
``PASS``/``FAIL``, ``Error...``), creates missing folders for ``--output``
and returns upstream's exit codes: 0, or 1 for any failure (argparse's 2
for bad flags). ``--threads`` is this package's own. ``python -m
minimalloc`` is the Rust command line instead, with its richer flags and
exit codes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ._minimalloc import (
    SWITCHES,
    CsvError,
    MiniMallocError,
    Solver,
    SolverParams,
    ValidationResult,
    from_csv_file,
    to_csv_file,
    validate,
)


def _parse_duration(duration_str: str) -> float | None:
    """Seconds from ``10``, ``2.5s``, ``5m``, ``1h``; ``None`` (no limit)
    for ``""``, ``inf``, ``infinite`` or ``infinity``."""
    text = duration_str.strip().lower()
    if text in ("", "inf", "infinite", "infinity"):
        return None
    try:
        return float(text)
    except ValueError:
        pass
    for suffix, multiplier in (("s", 1), ("m", 60), ("h", 3600)):
        if text.endswith(suffix):
            try:
                return float(text[: -len(suffix)]) * multiplier
            except ValueError:
                pass
    raise ValueError(f"Invalid duration format: {duration_str}")


def _parse_args(arg_list: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="MiniMalloc: State-of-the-art static memory allocation solver"
    )
    parser.add_argument("--input", type=str, required=True, help="The path to the input CSV file")
    parser.add_argument("--output", type=str, required=True, help="The path to the output CSV file")
    parser.add_argument("--capacity", type=int, default=0, help="The maximum memory capacity")
    parser.add_argument("--validate", action="store_true", help="Validates the solver's output")
    parser.add_argument(
        "--timeout",
        type=str,
        default="",
        help="The time limit for the solver (e.g., '10s', '5m', '1h', 'inf')",
    )
    defaults = SolverParams()
    for name in SWITCHES:
        flag = name.replace("_", "-")
        on = bool(getattr(defaults, name))
        doc = (getattr(SolverParams, name).__doc__ or name).strip()
        parser.add_argument(
            f"--{flag}",
            dest=name,
            action="store_true",
            default=on,
            help=f"{doc} (default: {on})",
        )
        parser.add_argument(f"--no-{flag}", dest=name, action="store_false", help=f"Disable {name}")
    parser.add_argument(
        "--minimize-capacity",
        action="store_true",
        help="Find the minimum capacity needed for the allocation",
    )
    parser.add_argument(
        "--preordering-heuristics",
        type=str,
        default="WAT,TAW,TWA",
        help="Static preordering heuristics to attempt (comma-separated)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=defaults.threads,
        help="Worker threads: 1 runs the reference's sequential algorithm, 0 one per core "
        f"(default: {defaults.threads})",
    )
    return parser.parse_args(arg_list)


def _error(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def _run_solver(args: argparse.Namespace) -> int:
    """The solve the flags ask for; returns the exit code."""
    try:
        problem = from_csv_file(args.input, raise_on_failure=True)
    except CsvError as e:
        return _error(f"Error reading input file: {e}")
    except OSError as e:
        return _error(f"Error reading input file: {args.input}: {e.strerror or e}")

    try:
        params = SolverParams()
        params.timeout = _parse_duration(args.timeout)
        for name in SWITCHES:
            setattr(params, name, getattr(args, name))
        params.minimize_capacity = args.minimize_capacity
        params.preordering_heuristics = [
            h.strip() for h in args.preordering_heuristics.split(",") if h.strip()
        ]
        params.threads = args.threads
    except (ValueError, OverflowError) as e:
        return _error(f"Error: {e}")

    if args.capacity > 0:
        problem.capacity = args.capacity
    elif not args.minimize_capacity:
        return _error("Error: --capacity must be > 0 unless --minimize-capacity is set")
    # With --minimize-capacity and no capacity, 0: no upper bound.

    start_time = time.time()
    solver = Solver(params)
    try:
        solution = solver.solve(problem, raise_on_failure=True)
    except MiniMallocError as e:
        return _error(f"Error: Solver failed! ({e})")
    except ValueError as e:
        return _error(f"Error: {e}")
    end_time = time.time()
    print(f"Elapsed time: {end_time - start_time:.3f}s", file=sys.stderr)

    if args.minimize_capacity and args.capacity <= 0:
        problem.capacity = solution.height
    if args.validate:
        result = validate(problem, solution)
        print("PASS" if result == ValidationResult.GOOD else "FAIL", file=sys.stderr)
        if result != ValidationResult.GOOD:
            return 1

    try:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        to_csv_file(args.output, problem, solution)
    except OSError as e:
        return _error(f"Error writing output file: {args.output}: {e.strerror or e}")
    return 0


def main(arg_list: list[str] | None = None) -> int:
    """Runs the command line on ``arg_list`` (``sys.argv[1:]`` when None)
    and returns its exit code."""
    return _run_solver(_parse_args(arg_list))


if __name__ == "__main__":
    sys.exit(main())
