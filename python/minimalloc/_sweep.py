"""The sweep's values, shaped as the upstream package's: plain, mutable,
comparable and hashable classes that users may build themselves (as the
upstream tests do) as well as get from ``sweep`` and ``create_points``.

The sweep itself runs in the Rust library; these classes only hold its
result. Where a buffer occupies memory is the library's notion (its
*pieces*), so at the edges (a gap that starts where the lifespan starts,
a buffer of size 0) the points and spans differ from the reference's C++
sweep, which miscounts there; on ordinary inputs they are the same.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from ._minimalloc import Interval, Problem, _points_data, _sweep_data


class SweepPointType(enum.IntEnum):
    """Which end of a piece a ``SweepPoint`` is; ends sort before starts."""

    RIGHT = 0
    LEFT = 1


class SweepPoint:
    """One end of a piece of a buffer (a stretch of time where it occupies
    one ``window`` of itself), as the sweep meets it."""

    __slots__ = ("buffer_idx", "endpoint", "point_type", "time_value", "window")

    def __init__(
        self,
        buffer_idx: int = 0,
        time_value: int = 0,
        point_type: SweepPointType = SweepPointType.RIGHT,
        window: Interval | None = None,
        endpoint: bool = False,
    ) -> None:
        self.buffer_idx = buffer_idx
        self.time_value = time_value
        self.point_type = point_type
        self.window = Interval() if window is None else window
        self.endpoint = endpoint

    def _key(self) -> tuple[int, int, int, Interval, bool]:
        return (self.buffer_idx, self.time_value, self.point_type, self.window, self.endpoint)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SweepPoint):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other: SweepPoint) -> bool:
        """The sweep's order: by time, ends before starts, then by buffer."""
        mine = (self.time_value, self.point_type, self.buffer_idx)
        return mine < (other.time_value, other.point_type, other.buffer_idx)

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"SweepPoint(buffer_idx={self.buffer_idx}, time_value={self.time_value}, "
            f"point_type={self.point_type.name}, window={self.window!r}, "
            f"endpoint={self.endpoint})"
        )


class SectionSpan:
    """A stretch of sections where a buffer is active, and the window of
    itself it occupies there."""

    __slots__ = ("section_range", "window")

    def __init__(
        self, section_range: Interval | None = None, window: Interval | None = None
    ) -> None:
        self.section_range = Interval() if section_range is None else section_range
        self.window = Interval() if window is None else window

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SectionSpan):
            return NotImplemented
        return (self.section_range, self.window) == (other.section_range, other.window)

    def __hash__(self) -> int:
        return hash((self.section_range, self.window))

    def __repr__(self) -> str:
        return f"SectionSpan(section_range={self.section_range!r}, window={self.window!r})"


class Partition:
    """A group of buffers that shares no time with any other group, and
    the sections it spans."""

    __slots__ = ("buffer_idxs", "section_range")

    def __init__(
        self, buffer_idxs: Sequence[int] = (), section_range: Interval | None = None
    ) -> None:
        self.buffer_idxs = list(buffer_idxs)
        self.section_range = Interval() if section_range is None else section_range

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Partition):
            return NotImplemented
        return (self.buffer_idxs, self.section_range) == (other.buffer_idxs, other.section_range)

    def __hash__(self) -> int:
        return hash((tuple(self.buffer_idxs), self.section_range))

    def __repr__(self) -> str:
        return f"Partition(buffer_idxs={self.buffer_idxs!r}, section_range={self.section_range!r})"


class Overlap:
    """Another buffer met in time, and how far above this buffer's offset
    it must start when placed over it."""

    __slots__ = ("buffer_idx", "effective_size")

    def __init__(self, buffer_idx: int = -1, effective_size: int = 0) -> None:
        self.buffer_idx = buffer_idx
        self.effective_size = effective_size

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Overlap):
            return NotImplemented
        return (self.buffer_idx, self.effective_size) == (other.buffer_idx, other.effective_size)

    def __lt__(self, other: Overlap) -> bool:
        """By buffer, then by effective size."""
        return (self.buffer_idx, self.effective_size) < (other.buffer_idx, other.effective_size)

    def __hash__(self) -> int:
        return hash((self.buffer_idx, self.effective_size))

    def __repr__(self) -> str:
        return f"Overlap(buffer_idx={self.buffer_idx}, effective_size={self.effective_size})"


class BufferData:
    """What the sweep learned about one buffer: where it is active, and the
    buffers it meets (a set)."""

    __slots__ = ("_overlaps", "section_spans")

    def __init__(
        self,
        section_spans: Sequence[SectionSpan] = (),
        overlaps: Iterable[Overlap] | None = None,
    ) -> None:
        self.section_spans = list(section_spans)
        self._overlaps: set[Overlap] = set(overlaps or ())

    @property
    def overlaps(self) -> set[Overlap]:
        """The overlaps, as a set (a copy: assign a new one to change them)."""
        return set(self._overlaps)

    @overlaps.setter
    def overlaps(self, overlaps: Iterable[Overlap]) -> None:
        self._overlaps = set(overlaps)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BufferData):
            return NotImplemented
        return self.section_spans == other.section_spans and self._overlaps == other._overlaps

    def __hash__(self) -> int:
        return hash((tuple(self.section_spans), frozenset(self._overlaps)))

    def __repr__(self) -> str:
        overlaps = ", ".join(repr(o) for o in sorted(self._overlaps))
        return f"BufferData(section_spans={self.section_spans!r}, overlaps={{{overlaps}}})"


class SweepResult:
    """The sweep's result: the sections (each a set of buffer indices), the
    partitions, and each buffer's data."""

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value, as upstream

    def __init__(
        self,
        sections: Iterable[Iterable[int]] | None = None,
        partitions: Sequence[Partition] = (),
        buffer_data: Sequence[BufferData] = (),
    ) -> None:
        self._sections: list[set[int]] = [set(s) for s in sections or ()]
        self.partitions = list(partitions)
        self.buffer_data = list(buffer_data)

    @property
    def sections(self) -> list[set[int]]:
        """The sections (a copy: assign a new list to change them)."""
        return [set(s) for s in self._sections]

    @sections.setter
    def sections(self, sections: Iterable[Iterable[int]]) -> None:
        self._sections = [set(s) for s in sections]

    def calculate_cuts(self) -> list[int]:
        """For every ``i``, the number of buffers active in both section
        ``i`` and ``i + 1`` (from their first span to their last); a zero
        means the sections on either side can be solved apart. Spans
        outside the sections are cut to them."""
        n = max(len(self._sections) - 1, 0)
        diff = [0] * (n + 1)
        for data in self.buffer_data:
            if not data.section_spans:
                continue
            lower = max(data.section_spans[0].section_range.lower, 0)
            upper = min(data.section_spans[-1].section_range.upper - 1, n)
            if lower < upper:
                diff[lower] += 1
                diff[upper] -= 1
        cuts, acc = [], 0
        for d in diff[:n]:
            acc += d
            cuts.append(acc)
        return cuts

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SweepResult):
            return NotImplemented
        return (self._sections, self.partitions, self.buffer_data) == (
            other._sections,
            other.partitions,
            other.buffer_data,
        )

    def __repr__(self) -> str:
        return (
            f"SweepResult(sections={self._sections!r}, partitions={self.partitions!r}, "
            f"buffer_data={self.buffer_data!r})"
        )


def sweep(problem: Problem) -> SweepResult:
    """Runs the sweep over a problem's buffers (the capacity is not used)."""
    sections, partitions, buffer_data = _sweep_data(problem)
    return SweepResult(
        sections,
        [Partition(buffers, Interval(*span)) for buffers, span in partitions],
        [
            BufferData(
                [SectionSpan(Interval(*r), Interval(*w)) for r, w in spans],
                [Overlap(b, e) for b, e in overlaps],
            )
            for spans, overlaps in buffer_data
        ],
    )


def create_points(problem: Problem) -> list[SweepPoint]:
    """The points the sweep passes over, in its order: both ends of every
    piece of every buffer that occupies memory."""
    return [
        SweepPoint(
            buffer,
            time,
            SweepPointType.LEFT if left else SweepPointType.RIGHT,
            Interval(*window),
            endpoint,
        )
        for buffer, time, left, window, endpoint in _points_data(problem)
    ]
