"""The upstream package's API as this package gives it: the names upstream
has and this crate's model does not, and upstream's semantics of the
shared ones. (The upstream suite itself runs from ../shared, with
../shared/checks/upstream-python.sh.)"""

from __future__ import annotations

import math
from pathlib import Path

import minimalloc as mm
import pytest
from conftest import SEED_CSV, SEED_OUT
from minimalloc import cli


def test_duration() -> None:
    assert mm.Duration().to_seconds() == 0.0
    assert mm.Duration(2.5) == mm.Duration.from_seconds(2.5) == 2.5
    assert mm.Duration.from_milliseconds(1500) == mm.Duration.from_microseconds(1.5e6)
    assert mm.Duration(1) < mm.Duration(2) <= 2 < mm.Duration.infinite()
    assert mm.Duration.infinite().to_seconds() == math.inf
    assert repr(mm.Duration(3.5)) == "Duration(3.5 seconds)"
    assert repr(mm.Duration.infinite()) == "Duration.infinite()"
    assert hash(mm.Duration(2)) == hash(2.0)
    assert len({mm.Duration(1), mm.Duration(1.0)}) == 1
    assert mm.Duration(1) != "1"
    with pytest.raises(ValueError, match="NaN"):
        mm.Duration(math.nan)
    with pytest.raises(TypeError):
        mm.Duration(1) < "2"  # noqa: B015 - the comparison is the test


def test_a_past_time_limit_is_a_timeout_not_an_error(seed: mm.Problem) -> None:
    # A negative limit is refused, in the words of the command line's
    # --timeout and the C API; zero is a limit that has already passed.
    with pytest.raises(ValueError, match="timeout must not be negative, got -1"):
        mm.SolverParams(timeout=-1)
    with pytest.raises(ValueError, match="a duration must not be negative"):
        mm.Duration(-1)
    params = mm.SolverParams(timeout=0)
    assert params.timeout == 0.0
    solver = mm.Solver(params)
    # Either the seed solves before the first look at the clock, or the
    # limit has passed: no error either way.
    solution = solver.solve(seed)
    assert solution is None or solution.offsets == [8, 8, 4, 4, 0]


def test_hashes_follow_equality() -> None:
    gap = mm.Gap(mm.Interval(1, 2), mm.Interval(0, 1))
    assert mm.Gap() == mm.Gap(mm.Interval(0, 0))
    assert hash(gap) == hash(mm.Gap((1, 2), (0, 1)))
    a = mm.Buffer("a", (0, 3), 4, gaps=[gap])
    assert len({a, mm.Buffer("a", (0, 3), 4, gaps=[gap]), mm.Buffer("b", (0, 3), 4)}) == 2
    # Solutions are equal when their offsets are, so their hash is of those.
    assert mm.Solution([1, 2], 3) == mm.Solution([1, 2], 9)
    assert hash(mm.Solution([1, 2], 3)) == hash(mm.Solution([1, 2], 9))
    assert len({mm.Problem([a], 4), mm.Problem([a], 4), mm.Problem([a], 5)}) == 2


def test_old_csv_format_round_trips(tmp_path: Path) -> None:
    problem = mm.Problem(
        [
            mm.Buffer("x", (5, 10), 15),
            mm.Buffer(
                "y", (6, 12), 18, alignment=2, gaps=[mm.Gap((7, 8)), mm.Gap((9, 10), (1, 17))]
            ),
        ]
    )
    old = mm.to_csv(problem, old_format=True)
    assert old.splitlines() == [
        "id,start,end,size,alignment,gaps",
        "x,5,9,15,1,",
        "y,6,11,18,2,7-7 9-9@1:17",
    ]
    assert mm.from_csv(old) == problem
    path = tmp_path / "old.csv"
    mm.to_csv_file(path, problem, mm.Solution([0, 16]), old_format=True)
    again = mm.from_csv_file(path, raise_on_failure=True)
    assert [b.offset for b in again.buffers] == [0, 16]
    assert [b.lifespan for b in again.buffers] == [b.lifespan for b in problem.buffers]


def test_iis_as_upstream(seed: mm.Problem) -> None:
    solver = mm.Solver()
    # The whole problem fits: upstream's deletion filter keeps every buffer.
    assert solver.compute_irreducible_infeasible_subset(seed) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="feasible"):
        solver.compute_irreducible_infeasible_subset(seed, raise_on_failure=True)
    seed.capacity = 8
    # The load bound proves it (12 bytes live at time 0): the filter starts
    # from the buffers live then, so the subset may differ from upstream's
    # ([1, 2, 4]); it is irreducible and infeasible all the same.
    subset = solver.compute_irreducible_infeasible_subset(seed, raise_on_failure=True)
    assert subset == [0, 2, 4]

    def part(keep: list[int]) -> mm.Problem:
        return mm.Problem([seed.buffers[i] for i in keep], capacity=8)

    assert solver.solve(part(subset)) is None
    for i in subset:
        assert solver.solve(part([j for j in subset if j != i])) is not None


def test_backtracks_of_a_proof_by_a_bound() -> None:
    # The load bound proves this at once; the reference's search backtracks 3 times.
    problem = mm.Problem([mm.Buffer("a", (0, 2), 2), mm.Buffer("b", (0, 2), 2)], capacity=3)
    params = mm.SolverParams(preordering_heuristics=["TWA"])
    for name in mm.SWITCHES:
        setattr(params, name, False)
    feasible = []
    for threads in (1, 2):
        params.threads = threads
        solver = mm.Solver(params)
        assert solver.solve(problem) is None
        assert solver.backtracks() == 0  # what the solve itself did
        assert solver.get_backtracks() == 3  # what the reference counts
        assert solver.get_backtracks() == 3  # counted once
        problem.capacity = 4
        assert solver.solve(problem) is not None
        feasible.append(solver.get_backtracks())
        problem.capacity = 3
    assert feasible[0] == feasible[1]
    params.minimize_capacity = True
    solver = mm.Solver(params)
    assert solver.solve(problem) is None
    assert solver.get_backtracks() == 3


def test_sweep_values() -> None:
    span = mm.SectionSpan(mm.SectionRange(0, 2), mm.Window(0, 4))
    data = mm.BufferData([span], [mm.Overlap(1, 4), mm.Overlap(1, 4)])
    assert data.overlaps == {mm.Overlap(1, 4)}
    assert data == mm.BufferData(section_spans=[span], overlaps={mm.Overlap(1, 4)})
    assert mm.Overlap() == mm.Overlap(-1, 0) and mm.Overlap(0, 9) < mm.Overlap(1, 0)
    assert "Overlap(buffer_idx=1, effective_size=4)" in repr(data)
    part = mm.Partition([0, 1], mm.SectionRange(0, 2))
    assert hash(part) == hash(mm.Partition([0, 1], mm.SectionRange(0, 2)))
    other = mm.BufferData([mm.SectionSpan(mm.SectionRange(1, 3), mm.Window(0, 1))])
    result = mm.SweepResult([[0], [0, 1], [1]], [part], [data, other])
    assert result.sections == [{0}, {0, 1}, {1}]
    assert result.calculate_cuts() == [1, 1]
    result.sections = [[0]]
    assert result.calculate_cuts() == []
    problem = mm.Problem([mm.Buffer("a", (0, 2), 4), mm.Buffer("b", (1, 3), 1)])
    swept = mm.sweep(problem)
    assert swept == mm.SweepResult(
        [{0, 1}, {1}],
        [mm.Partition([0, 1], mm.SectionRange(0, 2))],
        [
            mm.BufferData(
                [mm.SectionSpan(mm.SectionRange(0, 1), mm.Window(0, 4))], [mm.Overlap(1, 4)]
            ),
            mm.BufferData(
                [mm.SectionSpan(mm.SectionRange(0, 2), mm.Window(0, 1))], [mm.Overlap(0, 1)]
            ),
        ],
    )
    point = mm.SweepPoint(0, 5, mm.SweepPointType.LEFT, mm.Window(0, 1))
    assert not point.endpoint and mm.SweepPointType.RIGHT < mm.SweepPointType.LEFT
    assert mm.SweepPoint(1, 5, mm.SweepPointType.RIGHT, mm.Window(0, 1)) < point
    assert "point_type=LEFT" in repr(point)


def test_preordering_comparator() -> None:
    def data(area: int, total: int, width: int, idx: int) -> mm.PreorderData:
        return mm.PreorderData(area=area, total=total, width=width, buffer_idx=idx)

    twa = mm.PreorderingComparator("TWA")
    assert twa(data(0, 4, 1, 0), data(1, 3, 2, 0))  # larger total first
    assert twa(data(2, 3, 2, 0), data(1, 3, 2, 0))  # then width, then area
    assert twa(data(1, 3, 2, 0), data(1, 3, 2, 1))  # then the lower index
    # Letters that are no key are skipped, as upstream does.
    assert mm.PreorderingComparator("x?")(data(0, 0, 0, 0), data(9, 9, 9, 1))
    assert mm.PreorderData() is not mm.PreorderData()


def write_seed(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(SEED_CSV)
    return path


def test_cli_solves_and_writes_into_new_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_seed(tmp_path)
    out = tmp_path / "new" / "dir" / "out.csv"
    argv = ["--input", str(src), "--output", str(out), "--capacity", "12", "--validate"]
    assert cli.main([*argv, "--timeout", ""]) == 0
    err = capsys.readouterr().err
    assert "Elapsed time:" in err and "PASS" in err
    assert out.read_text() == SEED_OUT
    assert cli.main([*argv, "--timeout", "2m", "--threads", "1", "--no-point-filling"]) == 0


def test_cli_minimizes_without_a_capacity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_seed(tmp_path)
    out = tmp_path / "out.csv"
    assert (
        cli.main(["--input", str(src), "--output", str(out), "--minimize-capacity", "--validate"])
        == 0
    )
    assert "PASS" in capsys.readouterr().err
    offsets = [int(line.split(",")[-1]) for line in out.read_text().splitlines()[1:]]
    sizes = [4] * 5
    assert max(o + s for o, s in zip(offsets, sizes)) == 12


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("id,lower\nb1,0\n", ["--capacity", "12"], "Error reading input file"),
        (SEED_CSV, ["--capacity", "11"], "Error: Solver failed!"),
        (SEED_CSV, [], "Error: --capacity must be > 0"),
        (SEED_CSV, ["--capacity", "12", "--timeout", "soon"], "Error: Invalid duration"),
        (
            SEED_CSV,
            ["--capacity", "12", "--preordering-heuristics", "WAX"],
            "Error: preordering_heuristics: unknown preordering key 'X'",
        ),
    ],
)
def test_cli_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, args: list[str], message: str
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(text)
    out = tmp_path / "out.csv"
    assert cli.main(["--input", str(src), "--output", str(out), *args]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_cli_missing_input_and_bad_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    assert cli.main(["--input", str(tmp_path / "nope.csv"), "--output", str(out)]) == 1
    assert "Error reading input file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--input", "x.csv"])
    assert exit_info.value.code == 2
