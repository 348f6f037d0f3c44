"""MiniMalloc: static memory allocation for hardware-accelerated ML.

A Rust successor of MiniMalloc (Moffitt, ASPLOS 2023), built as a parallel
portfolio solver. The names follow the upstream package's API::

    import minimalloc as mm
    problem = mm.from_csv_file("benchmarks/examples/input.12.csv")
    problem.capacity = 12
    solver = mm.Solver()
    solution = solver.solve(problem)
    print(solution)  # Solution(offsets=[8, 8, 4, 4, 0])

Errors: malformed CSV raises ``CsvError`` and an invalid problem
``ProblemError`` (both subclasses of ``ValueError``, with the same file,
line and column message as the command line); a proven infeasible problem
raises ``InfeasibleError``, a time limit with no solution
``SolveTimeoutError``, ``Solver.cancel()`` ``CancelledError``, a search
that ended without a solution or a proof (windowed gaps whose packings
interleave) ``UnknownError``, and a solution that failed the library's own
validation (a solver bug: nothing is returned) ``InternalError`` (all
subclasses of ``MiniMallocError``). ``Solver.minimize_capacity`` returns a
``MinimizeResult`` with a status instead of raising.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._minimalloc import (
    Buffer,
    BufferData,
    CancelledError,
    CsvError,
    Gap,
    InfeasibleError,
    InternalError,
    Interval,
    Lifespan,
    MiniMallocError,
    MinimizeResult,
    MinimizeStatus,
    Overlap,
    Partition,
    Problem,
    SWITCHES,
    ProblemError,
    SectionRange,
    SectionSpan,
    Solution,
    Solver,
    SolverParams,
    SolveTimeoutError,
    SweepResult,
    UnknownError,
    ValidationResult,
    Window,
    __version__,
    explain,
    from_csv,
    from_csv_file,
    sweep,
    to_csv,
    to_csv_file,
    validate,
)

if TYPE_CHECKING:
    from typing import NewType

    BufferIdx = NewType("BufferIdx", int)
    Capacity = NewType("Capacity", int)
    Offset = NewType("Offset", int)
    TimeValue = NewType("TimeValue", int)
else:
    BufferIdx = int
    Capacity = int
    Offset = int
    TimeValue = int


def minimize_capacity(problem: Problem, params: SolverParams | None = None) -> MinimizeResult:
    """The smallest capacity that fits ``problem``, with a proof when possible.

    ``problem.capacity``, if positive, is an upper bound; ``params.timeout``
    limits the whole run. The result carries the best solution, its height,
    the proven lower bound and the status (OPTIMAL, FEASIBLE, UNKNOWN or
    INFEASIBLE).
    """
    return Solver(params).minimize_capacity(problem)


__all__ = [
    "Buffer",
    "BufferData",
    "BufferIdx",
    "CancelledError",
    "Capacity",
    "CsvError",
    "Gap",
    "InfeasibleError",
    "InternalError",
    "Interval",
    "Lifespan",
    "MiniMallocError",
    "MinimizeResult",
    "MinimizeStatus",
    "Offset",
    "Overlap",
    "Partition",
    "Problem",
    "ProblemError",
    "SWITCHES",
    "SectionRange",
    "SectionSpan",
    "Solution",
    "SolveTimeoutError",
    "Solver",
    "SolverParams",
    "SweepResult",
    "TimeValue",
    "UnknownError",
    "ValidationResult",
    "Window",
    "__version__",
    "explain",
    "from_csv",
    "from_csv_file",
    "minimize_capacity",
    "sweep",
    "to_csv",
    "to_csv_file",
    "validate",
]
