"""Every kind of bad input: None from the readers by default (as upstream),
and with ``raise_on_failure=True`` a ValueError subclass with the CLI's
message; a problem that breaks the model raises ProblemError."""

from __future__ import annotations

import re
from pathlib import Path

import minimalloc as mm
import pytest
from conftest import SHARED

HEADER = "id,lower,upper,size"
# (csv text, line the message must name, a phrase it must contain)
BAD_TEXT = [
    ("", "0", "empty file"),
    ("id,lower,size\nb1,0,4\n", "1", "missing required column 'upper'"),
    ("id,lower,upper,size,size\nb1,0,3,4,4\n", "1", "duplicate column"),
    (f"{HEADER}\nb1,0,3,4\nb2,3,9\n", "3", "expected 4 fields"),
    (f"{HEADER}\nb1,0,3,4\nb2,3,9,4,7\n", "3", "expected 4 fields"),
    (f"{HEADER}\nb1,0,3,4\nb2,3,9,4.5\n", "3", "not an integer"),
    (f"{HEADER}\nb1,0,3,4\nb2,3,9,-4\n", "3", "negative size"),
    (f"{HEADER}\nb1,0,3,4\nb2,9,3,4\n", "3", "after upper"),
    (f"{HEADER},alignment\nb1,0,3,4,1\nb2,3,9,4,0\n", "3", "alignment 0"),
    (f"{HEADER},alignment\nb1,0,3,4,1\nb2,3,9,4,-8\n", "3", "alignment -8"),
    (f"{HEADER},gaps\nb1,0,10,4,\nb2,0,10,4,3-x\n", "3", "malformed gap"),
    (f"{HEADER},gaps\nb1,0,10,4,\nb2,0,10,4,2-5@0:9\n", "3", "not inside [0, 4]"),
    (f"{HEADER},gaps\nb1,0,10,4,\nb2,0,10,4,2-6 4-8\n", "3", "overlap"),
    (f"{HEADER}\nb1,0,3,4\nb2,3,9,99999999999999999999\n", "3", "does not fit in 64 bits"),
    (
        f"{HEADER},offset\nb1,0,3,4,0\nb2,3,9,9223372036854775000,9223372036854775000\n",
        "3",
        "too large",
    ),
    (f"{HEADER},offset\nb1,0,3,4,0\nb2,3,9,4,-5\n", "3", "negative fixed offset"),
    (f"{HEADER},hint\nb1,0,3,4,-1\nb2,3,9,4,abc\n", "3", "not an integer"),
]


@pytest.mark.parametrize(("text", "line", "phrase"), BAD_TEXT)
def test_bad_csv_text(text: str, line: str, phrase: str) -> None:
    assert mm.from_csv(text) is None
    with pytest.raises(mm.CsvError) as err:
        mm.from_csv(text, raise_on_failure=True)
    assert isinstance(err.value, ValueError)
    message = str(err.value)
    assert message.startswith(f"<input>:{line}"), message
    assert phrase in message, message


@pytest.mark.parametrize(("text", "line", "phrase"), BAD_TEXT)
def test_bad_csv_file_names_the_file(text: str, line: str, phrase: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    assert mm.from_csv_file(path) is None
    with pytest.raises(ValueError, match=rf"bad\.csv:{line}"):
        mm.from_csv_file(path, raise_on_failure=True)


def test_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bytes.csv"
    path.write_bytes(b"id,lower,upper,size\nb1,0,3,4\n\xff\xfe,1,2,3\n")
    with pytest.raises(mm.CsvError, match=r"bytes\.csv:3:1: column 'id': invalid UTF-8"):
        mm.from_csv_file(path, raise_on_failure=True)


# Faults of this crate's model that the upstream model (which the Python
# package follows) does not have: the command line refuses these files.
UPSTREAM_ACCEPTS = {"gap_outside_lifespan.csv", "duplicate_id.csv"}


def test_shared_bad_input_corpus() -> None:
    corpus = SHARED / "checks" / "bad-inputs"
    if not corpus.exists():
        pytest.skip("the shared bad-input corpus is not here")
    for line in (corpus / "EXPECT").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, expected_line = line.split()
        if name in UPSTREAM_ACCEPTS:
            problem = mm.from_csv_file(corpus / name, raise_on_failure=True)
            problem.capacity = 100
            assert mm.Solver().solve(problem, raise_on_failure=True) is not None
            continue
        assert mm.from_csv_file(corpus / name) is None
        with pytest.raises(ValueError) as err:
            mm.from_csv_file(corpus / name, raise_on_failure=True)
        assert name in str(err.value)
        if expected_line != "-":
            assert f":{expected_line}" in str(err.value), str(err.value)


def test_missing_file() -> None:
    with pytest.raises(FileNotFoundError):
        mm.from_csv_file("/nonexistent/input.csv")
    with pytest.raises(FileNotFoundError):
        mm.from_csv_file("/nonexistent/input.csv", raise_on_failure=True)


@pytest.mark.parametrize(
    ("buffer", "phrase"),
    [
        (mm.Buffer("a", (0, 2), -1), "negative size"),
        (mm.Buffer("a", (3, 2), 1), "after upper"),
        (mm.Buffer("a", (0, 2), 1, alignment=0), "alignment 0"),
        (mm.Buffer("a", (0, 2), 1, offset=-3), "negative fixed offset"),
        (mm.Buffer("a", (0, 2), 1, gaps=[mm.Gap((2, 1))]), "not inside the lifespan"),
        (mm.Buffer("a", (0, 4), 1, gaps=[mm.Gap((0, 3)), mm.Gap((2, 4))]), "overlap"),
        (mm.Buffer("a", (0, 4), 2, gaps=[mm.Gap((1, 2), (0, 3))]), "not inside [0, 2]"),
        (mm.Buffer("a", (0, 2), 2**62), "too large"),
    ],
)
def test_invalid_problems_raise_problem_error(buffer: mm.Buffer, phrase: str) -> None:
    problem = mm.Problem([buffer], capacity=10)
    # Bad input, not "no solution": raised however the solve is asked for.
    with pytest.raises(mm.ProblemError, match=re.escape(phrase)):
        mm.Solver().solve(problem)
    with pytest.raises(mm.ProblemError, match=re.escape(phrase)):
        mm.Solver().solve(problem, raise_on_failure=True)


def test_upstream_model_ids_are_labels_and_gaps_may_reach_past() -> None:
    # Upstream's reader and solver take both; the command line refuses them.
    problem = mm.from_csv(
        "id,lower,upper,size,gaps\na,0,10,4,8-12\na,0,10,4,\nb,10,16,4,14-19@0:2\nc,16,19,4,\n",
        raise_on_failure=True,
    )
    assert [b.id for b in problem.buffers] == ["a", "a", "b", "c"]
    assert problem.buffers[0].gaps[0].lifespan == mm.Interval(8, 12)  # kept as read
    assert mm.to_csv(problem).splitlines()[1] == "a,0,10,4,8-12"
    problem.capacity = 8
    solution = mm.Solver().solve(problem, raise_on_failure=True)
    assert mm.validate(problem, solution) == mm.ValidationResult.GOOD
    # Only the part inside the lifespan counts: b's window ends with b, so
    # c may sit where b was; the first a holds nothing from 8 on.
    assert mm.validate(problem, mm.Solution([0, 4, 0, 0], 8)) == mm.ValidationResult.GOOD
    assert problem.buffers[0].effective_size(mm.Buffer("late", (8, 10), 4)) is None


def test_infeasible_and_bad_parameters(seed: mm.Problem) -> None:
    seed.capacity = 11
    assert mm.Solver().solve(seed) is None
    with pytest.raises(mm.InfeasibleError, match="capacity 11"):
        mm.Solver().solve(seed, raise_on_failure=True)
    with pytest.raises(ValueError, match="unknown preordering key 'X'"):
        mm.SolverParams().preordering_heuristics = ["WAX"]
    with pytest.raises(TypeError):
        mm.SolverParams().timeout = "soon"  # type: ignore[assignment]
    with pytest.raises(AttributeError):
        mm.SolverParams(no_such_switch=True)
    with pytest.raises(TypeError):
        mm.Gap("not an interval")  # type: ignore[arg-type]
