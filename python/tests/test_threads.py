"""The GIL is released while solving: cancellation from another thread, a
time limit, and two solves at once."""

from __future__ import annotations

import threading
import time

import minimalloc as mm
import pytest
from conftest import challenging, hard


def test_cancel_from_another_thread() -> None:
    problem = hard()  # a long search
    solver = mm.Solver(mm.SolverParams(threads=1))
    errors: list[BaseException] = []

    def run() -> None:
        try:
            solver.solve(problem, raise_on_failure=True)
        except BaseException as e:  # noqa: BLE001 - handed to the main thread
            errors.append(e)

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.3)
    asked = time.perf_counter()
    solver.cancel()
    worker.join(timeout=10)
    latency = time.perf_counter() - asked
    print(f"cancel latency {latency * 1000:.1f} ms")
    assert not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], mm.CancelledError)


def test_time_limit_raises() -> None:
    problem = hard()
    solver = mm.Solver(mm.SolverParams(threads=2, timeout=0.2))
    with pytest.raises(mm.SolveTimeoutError):
        solver.solve(problem, raise_on_failure=True)
    assert solver.solve(problem) is None


def test_a_solve_releases_the_gil() -> None:
    # While one thread solves, another runs Python: with the GIL held for
    # the whole solve it could not run at all until the solve ended. No
    # clock is compared; the count differs by orders of magnitude.
    problem = challenging("A")
    params = mm.SolverParams(threads=1)  # the reference's algorithm: long enough
    results: list[mm.Solution | None] = []
    worker = threading.Thread(target=lambda: results.append(mm.Solver(params).solve(problem)))
    worker.start()
    spins = 0
    while worker.is_alive():
        spins += 1
    worker.join()
    assert results and results[0] is not None
    assert spins > 10_000, spins
