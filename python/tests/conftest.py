"""Shared fixtures: the seed example, and the shared benchmark data when present."""

from __future__ import annotations

from pathlib import Path

import minimalloc as mm
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SEED_CSV = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n"
# A problem no search here packs, so that a solve of it runs until stopped:
# tight2/'s holes2000 (a packing of 2,000 pieces cut by guillotine cuts, 5%
# of them removed) at its capacity, where it is feasible by construction but
# neither the race nor the coarsening detour packs it within 10 s. Tests that
# interrupt a search in the middle use it (`hard()`); until 2026-12-07 they
# used the paper's D one step above its load bound, which coarsening now
# packs in milliseconds. The Rust tests' `HARD_FILE` and `HARD_CAPACITY`
# (tests/common/mod.rs) are the same.
HARD_FILE = SHARED / "benchmarks" / "tight2" / "holes2000-p5-s73.1048576.csv"
HARD_CAPACITY = 1048576
SEED_OUT = (
    "id,lower,upper,size,offset\nb1,0,3,4,8\nb2,3,9,4,8\nb3,0,9,4,4\nb4,9,21,4,4\nb5,0,21,4,0\n"
)


@pytest.fixture
def seed() -> mm.Problem:
    problem = mm.from_csv(SEED_CSV)
    problem.capacity = 12
    return problem


def challenging(name: str) -> mm.Problem:
    path = SHARED / "benchmarks" / "challenging" / f"{name}.1048576.csv"
    if not path.exists():
        pytest.skip(f"{path} not found (the challenging suite is read from ../shared)")
    problem = mm.from_csv_file(path)
    problem.capacity = 1048576
    return problem


def hard() -> mm.Problem:
    """`HARD_FILE` at `HARD_CAPACITY`: a search that runs until stopped."""
    if not HARD_FILE.exists():
        pytest.skip(f"{HARD_FILE} not found (it is read from ../shared)")
    problem = mm.from_csv_file(HARD_FILE)
    problem.capacity = HARD_CAPACITY
    return problem
