"""Type stubs for the Rust extension module."""

import datetime
import os
from collections.abc import Sequence
from typing import ClassVar, TypeAlias

__version__: str
# The nine technique switches' names, each a bool property of SolverParams.
SWITCHES: list[str]

IntervalLike: TypeAlias = Interval | tuple[int, int]
Seconds: TypeAlias = float | int | datetime.timedelta | None

class MiniMallocError(Exception): ...
class InfeasibleError(MiniMallocError): ...
class SolveTimeoutError(MiniMallocError): ...
class CancelledError(MiniMallocError): ...
class UnknownError(MiniMallocError): ...
class InternalError(MiniMallocError): ...
class CsvError(ValueError): ...
class ProblemError(ValueError): ...

class Interval:
    """A half-open interval [lower, upper)."""

    lower: int
    upper: int
    def __init__(self, lower: int = 0, upper: int = 0) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __lt__(self, other: Interval) -> bool: ...
    def __le__(self, other: Interval) -> bool: ...
    def __gt__(self, other: Interval) -> bool: ...
    def __ge__(self, other: Interval) -> bool: ...
    def __hash__(self) -> int: ...

Lifespan = Interval
Window = Interval
SectionRange = Interval

class Gap:
    """Part of a lifespan where a buffer is inactive, or occupies only `window`."""

    lifespan: Interval
    window: Interval | None
    def __init__(self, lifespan: IntervalLike, window: IntervalLike | None = None) -> None: ...

class Buffer:
    id: str
    lifespan: Interval
    size: int
    alignment: int
    gaps: list[Gap]
    offset: int | None
    hint: int | None
    def __init__(
        self,
        id: str = "",
        lifespan: IntervalLike | None = None,
        size: int = 0,
        alignment: int = 1,
        gaps: Sequence[Gap] = (),
        offset: int | None = None,
        hint: int | None = None,
    ) -> None: ...
    def area(self) -> int: ...
    def effective_size(self, other: Buffer) -> int | None: ...

class Problem:
    buffers: list[Buffer]
    capacity: int
    def __init__(self, buffers: Sequence[Buffer] = (), capacity: int = 0) -> None: ...
    def strip_solution(self) -> Solution: ...
    def __len__(self) -> int: ...

class Solution:
    offsets: list[int]
    height: int
    def __init__(self, offsets: Sequence[int] = (), height: int = 0) -> None: ...

class SolverParams:
    @property
    def timeout(self) -> float | None: ...
    @timeout.setter
    def timeout(self, value: Seconds) -> None: ...
    canonical_only: bool
    section_inference: bool
    dynamic_ordering: bool
    check_dominance: bool
    unallocated_floor: bool
    static_preordering: bool
    dynamic_decomposition: bool
    monotonic_floor: bool
    hatless_pruning: bool
    point_filling: bool
    preordering_heuristics: list[str]
    minimize_capacity: bool
    threads: int
    seed: int
    deterministic: bool
    def __init__(self, **kwargs: object) -> None: ...

class MinimizeStatus:
    OPTIMAL: ClassVar[MinimizeStatus]
    FEASIBLE: ClassVar[MinimizeStatus]
    UNKNOWN: ClassVar[MinimizeStatus]
    INFEASIBLE: ClassVar[MinimizeStatus]

class MinimizeResult:
    solution: Solution | None
    height: int | None
    lower_bound: int
    status: MinimizeStatus

class Solver:
    params: SolverParams
    def __init__(self, params: SolverParams | None = None) -> None: ...
    def solve(self, problem: Problem) -> Solution: ...
    def minimize_capacity(self, problem: Problem) -> MinimizeResult: ...
    def cancel(self) -> None: ...
    def get_backtracks(self) -> int: ...
    def backtracks(self) -> int: ...
    def compute_irreducible_infeasible_subset(self, problem: Problem) -> list[int]: ...

class ValidationResult:
    GOOD: ClassVar[ValidationResult]
    BAD_SOLUTION: ClassVar[ValidationResult]
    BAD_FIXED: ClassVar[ValidationResult]
    BAD_OFFSET: ClassVar[ValidationResult]
    BAD_OVERLAP: ClassVar[ValidationResult]
    BAD_ALIGNMENT: ClassVar[ValidationResult]
    BAD_HEIGHT: ClassVar[ValidationResult]

class SectionSpan:
    section_range: Interval
    window: Interval

class Overlap:
    buffer_idx: int
    effective_size: int

class Partition:
    buffer_idxs: list[int]
    section_range: Interval

class BufferData:
    section_spans: list[SectionSpan]
    overlaps: list[Overlap]

class SweepResult:
    sections: list[set[int]]
    partitions: list[Partition]
    buffer_data: list[BufferData]
    def calculate_cuts(self) -> list[int]: ...

def validate(problem: Problem, solution: Solution) -> ValidationResult: ...
def explain(problem: Problem, solution: Solution) -> str | None: ...
def from_csv(input: str) -> Problem: ...
def from_csv_file(path: str | os.PathLike[str]) -> Problem: ...
def to_csv(problem: Problem, solution: Solution | None = None) -> str: ...
def to_csv_file(
    path: str | os.PathLike[str], problem: Problem, solution: Solution | None = None
) -> None: ...
def sweep(problem: Problem) -> SweepResult: ...
def main(argv: list[str]) -> int: ...
