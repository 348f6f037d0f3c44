"""The GIL is released while solving: cancellation from another thread, a
time limit, and two solves at once."""

from __future__ import annotations

import threading
import time

import minimalloc as mm
import pytest
from conftest import challenging


def test_cancel_from_another_thread() -> None:
    problem = challenging("D")
    problem.capacity = 1015808  # above the load bound, below any known packing: a long search
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
    problem = challenging("D")
    problem.capacity = 1015808
    solver = mm.Solver(mm.SolverParams(threads=2, timeout=0.2))
    with pytest.raises(mm.SolveTimeoutError):
        solver.solve(problem, raise_on_failure=True)
    assert solver.solve(problem) is None


def test_two_solves_at_once_take_about_the_time_of_one() -> None:
    problem = challenging("A")
    params = mm.SolverParams(threads=1)  # one core each: the reference's algorithm

    def solve() -> mm.Solution:
        return mm.Solver(params).solve(problem)

    start = time.perf_counter()
    one = solve()
    single = time.perf_counter() - start
    results: list[mm.Solution] = []
    threads = [threading.Thread(target=lambda: results.append(solve())) for _ in range(2)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    double = time.perf_counter() - start
    print(f"one solve {single:.3f} s, two at once {double:.3f} s, ratio {double / single:.2f}")
    assert results == [one, one]
    # Held GIL would make this about 2.0; nothing here should come close.
    assert double < 1.7 * single
