"""MiniMalloc: static memory allocation for hardware-accelerated ML.

A Rust successor of MiniMalloc (Moffitt, ASPLOS 2023), built as a parallel
portfolio solver, and a drop-in replacement for the upstream MiniMalloc
Python package: the same names with the same semantics (the upstream
package's own test suite passes against this one)::

    import minimalloc as mm
    problem = mm.from_csv_file("benchmarks/examples/input.12.csv")
    problem.capacity = 12
    solver = mm.Solver()
    solution = solver.solve(problem)
    print(solution)  # Solution(offsets=[8, 8, 4, 4, 0])

``repr(solution)`` adds the height, as upstream:
``Solution(offsets=[8, 8, 4, 4, 0], height=12)``.

Failures, upstream's way (the default): ``Solver.solve`` returns ``None``
when there is no solution (proven infeasible, the time limit passed, or
``Solver.cancel()`` stopped it), ``from_csv`` and ``from_csv_file`` return
``None`` for malformed CSV, ``Problem.strip_solution`` returns ``None`` when
a buffer has no fixed offset, and ``Solver.get_backtracks()`` counts the
latest solve's backtracks (where a bound proves infeasibility before any
search, the count of the reference's search to the same proof).

Failures, this package's way: pass ``raise_on_failure=True`` to
``Solver.solve``, ``Solver.compute_irreducible_infeasible_subset``,
``from_csv`` or ``from_csv_file`` and they raise typed exceptions instead:
``InfeasibleError`` (proven), ``SolveTimeoutError``, ``CancelledError``,
``UnknownError`` (a search that ended without a solution or a proof:
windowed gaps whose packings interleave), all subclasses of
``MiniMallocError``, and ``CsvError`` (a ``ValueError`` naming the file,
line and column). Either way a problem that breaks the model (negative
size, overlapping gaps...) raises ``ProblemError`` (a ``ValueError``), and a
solution that failed the library's own validation (a solver bug: nothing is
returned) ``InternalError``. A solve works on the problem as it was when it
started: changing a problem while a solve in another thread holds it raises
``ProblemInUseError`` (a ``RuntimeError``; copy it with ``copy.copy`` to
change it meanwhile). Every long call (``solve``, ``minimize_capacity``,
``get_backtracks``, ``compute_irreducible_infeasible_subset``) stops at
Ctrl-C: it cancels the solve and raises ``KeyboardInterrupt``. ``Solver.minimize_capacity`` (and the function
``minimize_capacity``) returns a ``MinimizeResult`` with a status
(``OPTIMAL``, ``FEASIBLE``, ``UNKNOWN``, ``INFEASIBLE``) instead of raising.

As in upstream's model, ids are only labels (they need not be unique) and
a gap may reach past its buffer's lifespan (only the part inside counts).

Beyond upstream: ``SolverParams`` has ``threads`` (0: one per core; 1: the
reference's sequential algorithm), ``seed``, ``deterministic`` and three
technique switches of this project's, ``point_filling``,
``identical_order`` and ``failure_learning`` (off by default); the switches' names
are ``SWITCHES``; ``explain(problem, solution)`` says why a solution is
invalid; ``timeout`` also takes a ``datetime.timedelta``; solving releases
the GIL. ``minimalloc.cli`` is upstream's command-line module;
``python -m minimalloc`` is the Rust command line, with its richer flags
and exit codes (0 solved, 1 proven infeasible, 2 bad usage or input, 3 no
answer in time or unknown, 4 internal error; see its ``--help``).

Several memories and spilling (beyond upstream): give ``Problem`` a list of
``Memory(name, capacity)`` (capacity ``None``: unbounded), and optionally each ``Buffer`` the ``memories`` it may
live in (most preferred first; empty: any) and a ``cost`` for living
outside its first choice (default: its size). ``Solver.solve`` then returns
the least-cost plan: ``Solution.memories`` names each buffer's memory,
``heights`` gives each memory's height, ``cost``, ``cost_lower_bound``
(proven) and ``optimal`` say how good it is; ``None`` (or ``InfeasibleError``
and the rest with ``raise_on_failure=True``) as for one memory. ``validate``,
``explain`` and ``to_csv`` (a ``memory`` column) take such solutions::

    problem.memories = [mm.Memory("sram", 8), mm.Memory("dram")]
    plan = mm.Solver().solve(problem)
    print(plan.memories, plan.cost, plan.optimal)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._minimalloc import (
    SWITCHES,
    Buffer,
    CancelledError,
    CsvError,
    Duration,
    Gap,
    InfeasibleError,
    InternalError,
    Interval,
    Lifespan,
    Memory,
    MiniMallocError,
    MinimizeResult,
    MinimizeStatus,
    Problem,
    ProblemError,
    ProblemInUseError,
    SectionRange,
    Solution,
    Solver,
    SolverParams,
    SolveTimeoutError,
    UnknownError,
    ValidationResult,
    Window,
    __commit__,
    __version__,
    explain,
    from_csv,
    from_csv_file,
    to_csv,
    to_csv_file,
    validate,
)
from ._preorder import PreorderData, PreorderingComparator
from ._sweep import (
    BufferData,
    Overlap,
    Partition,
    SectionSpan,
    SweepPoint,
    SweepPointType,
    SweepResult,
    create_points,
    sweep,
)

if TYPE_CHECKING:
    from typing import NewType

    BufferIdx = NewType("BufferIdx", int)
    Capacity = NewType("Capacity", int)
    Offset = NewType("Offset", int)
    TimeValue = NewType("TimeValue", int)
    Area = NewType("Area", int)
    SectionIdx = NewType("SectionIdx", int)
    CutCount = NewType("CutCount", int)
else:
    BufferIdx = int
    Capacity = int
    Offset = int
    TimeValue = int
    Area = int
    SectionIdx = int
    CutCount = int


def minimize_capacity(problem: Problem, params: SolverParams | None = None) -> MinimizeResult:
    """The smallest capacity that fits ``problem``, with a proof when possible.

    ``problem.capacity``, if positive, is an upper bound; ``params.timeout``
    limits the whole run. The result carries the best solution, its height,
    the proven lower bound and the status (OPTIMAL, FEASIBLE, UNKNOWN or
    INFEASIBLE).
    """
    return Solver(params).minimize_capacity(problem)


__all__ = [
    "SWITCHES",
    "Area",
    "Buffer",
    "BufferData",
    "BufferIdx",
    "CancelledError",
    "Capacity",
    "CsvError",
    "CutCount",
    "Duration",
    "Gap",
    "InfeasibleError",
    "InternalError",
    "Interval",
    "Lifespan",
    "Memory",
    "MiniMallocError",
    "MinimizeResult",
    "MinimizeStatus",
    "Offset",
    "Overlap",
    "Partition",
    "PreorderData",
    "PreorderingComparator",
    "Problem",
    "ProblemError",
    "ProblemInUseError",
    "SectionIdx",
    "SectionRange",
    "SectionSpan",
    "Solution",
    "SolveTimeoutError",
    "Solver",
    "SolverParams",
    "SweepPoint",
    "SweepPointType",
    "SweepResult",
    "TimeValue",
    "UnknownError",
    "ValidationResult",
    "Window",
    "__commit__",
    "__version__",
    "create_points",
    "explain",
    "from_csv",
    "from_csv_file",
    "minimize_capacity",
    "sweep",
    "to_csv",
    "to_csv_file",
    "validate",
]
