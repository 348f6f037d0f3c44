"""Static preordering, as the upstream package exposes it: the attributes a
heuristic sorts buffers by, and the comparator of a heuristic such as
``"TWA"``. The solver's own preordering runs in the Rust library, with the
same keys; these are for users who sort buffers themselves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(eq=False)
class PreorderData:
    """One buffer's attributes for preordering (compared by identity, as
    upstream)."""

    area: int = 0
    """Size times lifespan length."""
    lower: int = 0
    """Lifespan start."""
    overlaps: int = 0
    """The number of buffers it overlaps."""
    sections: int = 0
    """The number of sections it spans."""
    size: int = 0
    """Its size."""
    total: int = 0
    """The largest total of any of its sections."""
    upper: int = 0
    """Lifespan end."""
    width: int = 0
    """Lifespan length."""
    buffer_idx: int = 0
    """Its index in the problem's buffers."""


_KEYS: dict[str, Callable[[PreorderData], int]] = {
    "A": lambda d: d.area,
    "C": lambda d: d.sections,
    "L": lambda d: d.lower,
    "O": lambda d: d.overlaps,
    "T": lambda d: d.total,
    "U": lambda d: d.upper,
    "W": lambda d: d.width,
    "Z": lambda d: d.size,
}


class PreorderingComparator:
    """Whether one buffer comes before another under a heuristic: its keys
    (A area, C sections, L lower, O overlaps, T total, U upper, W width,
    Z size) compared in turn, each larger first, then the lower buffer
    index. Other characters are skipped, as upstream does."""

    def __init__(self, heuristic: str) -> None:
        self.heuristic = heuristic

    def __call__(self, lhs: PreorderData, rhs: PreorderData) -> bool:
        for c in self.heuristic:
            key = _KEYS.get(c)
            if key is not None and key(lhs) != key(rhs):
                return key(lhs) > key(rhs)
        return lhs.buffer_idx < rhs.buffer_idx

    def __repr__(self) -> str:
        return f"PreorderingComparator({self.heuristic!r})"
