"""The trust rules seen from Python: no claim without a proof, bounded
threads, time limits that hold on the large traces."""

from __future__ import annotations

import minimalloc as mm
import pytest
from conftest import SHARED


def interleaving() -> mm.Problem:
    """a sits above b first, then below it: height 2; stacking needs 4."""
    a = mm.Buffer(
        "a", (0, 2), 2, gaps=[mm.Gap((0, 1), window=(1, 2)), mm.Gap((1, 2), window=(0, 1))]
    )
    b = mm.Buffer(
        "b", (0, 2), 2, gaps=[mm.Gap((0, 1), window=(0, 1)), mm.Gap((1, 2), window=(1, 2))]
    )
    return mm.Problem([a, b], capacity=2)


@pytest.mark.parametrize("threads", [1, 2])
def test_an_incomplete_search_is_unknown_not_infeasible(threads: int) -> None:
    params = mm.SolverParams()
    params.threads = threads
    with pytest.raises(mm.UnknownError):
        mm.Solver(params).solve(interleaving(), raise_on_failure=True)
    assert mm.Solver(params).solve(interleaving()) is None
    assert issubclass(mm.UnknownError, mm.MiniMallocError)
    assert issubclass(mm.InternalError, mm.MiniMallocError)
    assert not issubclass(mm.UnknownError, mm.InfeasibleError)


def test_threads_are_checked_as_the_command_line_checks_them() -> None:
    params = mm.SolverParams()
    assert params.threads is None  # one per core
    params.threads = 256
    for bad in (0, 257, 100000, -1):
        with pytest.raises(ValueError, match="threads must be between 1 and 256"):
            params.threads = bad
    assert params.threads == 256
    params.threads = None
    assert params.threads is None


def test_a_short_limit_on_a_large_trace_gives_an_honest_answer() -> None:
    path = SHARED / "benchmarks" / "real" / "somas_bert_base.csv"
    if not path.exists():
        pytest.skip(f"{path} not found (real traces are read from ../shared)")
    problem = mm.from_csv_file(path)
    params = mm.SolverParams()
    params.timeout = 0.05
    result = mm.Solver(params).minimize_capacity(problem)
    assert result.status != mm.MinimizeStatus.INFEASIBLE
    if result.solution is not None:
        problem.capacity = result.height
        assert mm.validate(problem, result.solution) == mm.ValidationResult.GOOD
