"""The Python side of the second round of hostile testing
(``../shared/checks/trust2``): Ctrl-C stops every long call (03), a
solution of the wrong length and a negative limit are refused, and a
problem held by a solve refuses changes with a documented error (08)."""

from __future__ import annotations

import copy as copy_module
import signal
import subprocess
import sys
import textwrap
import threading
import time

import minimalloc as mm
import pytest
from conftest import HARD_CAPACITY, HARD_FILE, hard

# Solves (or minimizes) `HARD_FILE` at `HARD_CAPACITY`, where no search here
# finds a packing: a long search, so Ctrl-C comes in the middle of it.
CHILD = textwrap.dedent(
    """
    import signal, sys, time
    import minimalloc as mm
    # A shell's background job starts with SIGINT ignored, and Python then
    # installs no handler: install it, as a terminal's foreground job has.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    problem = mm.from_csv_file(sys.argv[1])
    problem.capacity = int(sys.argv[4])
    solver = mm.Solver(mm.SolverParams(threads=int(sys.argv[3]), timeout=60))
    call = {
        "solve": lambda: solver.solve(problem),
        "minimize": lambda: solver.minimize_capacity(problem),
        "iis": lambda: solver.compute_irreducible_infeasible_subset(problem),
    }[sys.argv[2]]
    print("started", flush=True)
    try:
        call()
        print("returned", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
@pytest.mark.parametrize(
    ("call", "threads"), [("solve", 1), ("solve", 2), ("minimize", 2), ("iis", 1)]
)
def test_ctrl_c_stops_a_long_call(call: str, threads: int) -> None:
    if not HARD_FILE.exists():
        pytest.skip(f"{HARD_FILE} not found")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(HARD_FILE), call, str(threads), str(HARD_CAPACITY)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "started"
    time.sleep(0.5)
    asked = time.perf_counter()
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=30)
    latency = time.perf_counter() - asked
    print(f"{call} with {threads} threads: exited {latency * 1000:.1f} ms after SIGINT")
    # It waited for the call to return (60 s) before; a bound far above
    # what is measured (tens of milliseconds, interpreter exit included).
    assert latency < 5
    assert out.strip() == "interrupted"


def test_a_problem_held_by_a_solve_refuses_changes() -> None:
    problem = hard()
    solver = mm.Solver(mm.SolverParams(threads=1))
    worker = threading.Thread(target=lambda: solver.solve(problem))
    worker.start()
    time.sleep(0.3)
    try:
        assert len(problem.buffers) > 0  # reads work meanwhile
        with pytest.raises(mm.ProblemInUseError, match="copy it"):
            problem.capacity = 5
        with pytest.raises(RuntimeError):  # ProblemInUseError is one
            problem.buffers = []
        copy = copy_module.copy(problem)
        copy.capacity = 5  # a copy is free
        assert copy.capacity == 5 and problem.capacity == HARD_CAPACITY
    finally:
        solver.cancel()
        worker.join(timeout=10)
    problem.capacity = 1048576  # free again once the solve is over
    assert problem.capacity == 1048576


def test_a_solution_of_the_wrong_length_is_refused(seed: mm.Problem) -> None:
    for call in (
        lambda: mm.to_csv(seed, mm.Solution([1])),
        lambda: mm.to_csv_file("never-written.csv", seed, mm.Solution([1, 2])),
    ):
        with pytest.raises(ValueError, match=r"the solution has \d offsets for 5 buffers"):
            call()


def test_negative_limits_are_refused() -> None:
    for make in (
        lambda: mm.SolverParams(timeout=-1),
        lambda: mm.Duration(-1),
        lambda: mm.Duration.from_milliseconds(-5),
    ):
        with pytest.raises(ValueError, match="must not be negative"):
            make()
    with pytest.raises(ValueError, match="empty preordering heuristic"):
        mm.SolverParams(preordering_heuristics=["WAT", "", "TWA"])
