"""Every public function and class of the package."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import minimalloc as mm
import pytest
from conftest import ROOT, SEED_CSV, SEED_OUT


def test_seed_readme_example() -> None:
    problem = mm.from_csv_file(ROOT / "benchmarks" / "examples" / "input.12.csv")
    problem.capacity = 12
    solution = mm.Solver().solve(problem)
    # print() shows the seed's text; repr adds the height, as upstream.
    assert str(solution) == "Solution(offsets=[8, 8, 4, 4, 0])"
    assert repr(solution) == "Solution(offsets=[8, 8, 4, 4, 0], height=12)"
    assert solution.offsets == [8, 8, 4, 4, 0]
    assert solution.height == 12


def test_csv_round_trip(seed: mm.Problem, tmp_path: Path) -> None:
    assert mm.to_csv(seed) == SEED_CSV
    solution = mm.Solver().solve(seed)
    assert mm.to_csv(seed, solution) == SEED_OUT
    out = tmp_path / "out.csv"
    mm.to_csv_file(out, seed, solution)
    assert out.read_text() == SEED_OUT
    again = mm.from_csv_file(str(out))
    assert [b.offset for b in again.buffers] == [8, 8, 4, 4, 0]
    assert again.capacity == 0


def test_model_classes() -> None:
    gap = mm.Gap(mm.Lifespan(2, 4), window=(0, 1))
    assert gap.lifespan == mm.Interval(2, 4)
    assert gap.window == mm.Window(0, 1)
    assert repr(gap) == "Gap(lifespan=Interval(2, 4), window=Interval(0, 1))"
    b = mm.Buffer("x", (0, 10), 4, alignment=2, gaps=[gap], offset=None, hint=6)
    assert b.id == "x" and b.size == 4 and b.alignment == 2 and b.hint == 6
    assert b.lifespan.lower == 0 and b.lifespan.upper == 10
    assert b.area() == 40
    assert repr(b).startswith(
        "Buffer(id='x', lifespan=Interval(0, 10), size=4, alignment=2, gaps=[Gap("
    )
    other = mm.Buffer("y", (0, 10), 3)
    assert b.effective_size(other) == 4
    assert mm.Buffer("z", (20, 30), 1).effective_size(other) is None
    b.size = 8
    b.offset = 0
    assert b.size == 8 and b.offset == 0
    problem = mm.Problem([b, other], capacity=20)
    assert len(problem) == 2
    assert problem.capacity == 20
    assert problem.buffers[0] == b
    problem.buffers = [other]
    assert len(problem.buffers) == 1
    assert mm.Interval(1, 2) < mm.Interval(1, 3)
    assert hash(mm.Interval(1, 2)) == hash(mm.Interval(1, 2))


def test_strip_solution() -> None:
    problem = mm.from_csv("id,lower,upper,size,offset\na,0,1,2,0\nb,0,1,2,2\n")
    solution = problem.strip_solution()
    assert solution.offsets == [0, 2] and solution.height == 4
    assert all(b.offset is None for b in problem.buffers)
    # A buffer without an offset: None, and nothing is taken out.
    partly = mm.Problem([mm.Buffer("a", (0, 1), 2, offset=0), mm.Buffer("b", (0, 1), 2)])
    assert partly.strip_solution() is None
    assert partly.buffers[0].offset == 0


def test_switch_properties_follow_the_table() -> None:
    # The properties are made from the library's switch table at import;
    # the type stub declares them by hand, so it must list the same names.
    own = ["point_filling", "identical_order", "failure_learning"]
    assert len(mm.SWITCHES) == 9 + len(own) and mm.SWITCHES[9:] == own
    stub = (Path(mm.__file__).parent / "_minimalloc.pyi").read_text()
    params = mm.SolverParams()
    for name in mm.SWITCHES:
        assert f"    {name}: bool" in stub, name
        prop = getattr(mm.SolverParams, name)
        assert isinstance(prop, property) and prop.__doc__, name
        assert getattr(params, name) is (name not in own)
    with pytest.raises(TypeError):
        params.canonical_only = "yes"  # type: ignore[assignment]
    assert "canonical_only: true" in repr(params)


def test_solver_params() -> None:
    params = mm.SolverParams(threads=1, timeout=5, canonical_only=False)
    assert params.threads == 1
    assert params.timeout == 5.0
    assert not params.canonical_only
    for switch in [
        "section_inference",
        "dynamic_ordering",
        "check_dominance",
        "unallocated_floor",
        "static_preordering",
        "dynamic_decomposition",
        "monotonic_floor",
        "hatless_pruning",
    ]:
        assert getattr(params, switch) is True
        setattr(params, switch, False)
        assert getattr(params, switch) is False
    assert params.preordering_heuristics == ["WAT", "TAW", "TWA"]
    params.preordering_heuristics = ["TWA", "ZLU"]
    assert params.preordering_heuristics == ["TWA", "ZLU"]
    params.timeout = datetime.timedelta(milliseconds=1500)
    assert params.timeout == 1.5
    assert params.timeout == mm.Duration(1.5) and params.timeout.to_seconds() == 1.5
    params.timeout = mm.Duration.from_milliseconds(250)
    assert float(params.timeout) == 0.25
    params.timeout = None
    assert params.timeout == mm.Duration.infinite()
    params.seed = 7
    params.deterministic = True
    params.minimize_capacity = True
    assert params.seed == 7 and params.deterministic and params.minimize_capacity
    assert "SolverParams(" in repr(params)


def test_tunables(seed: mm.Problem) -> None:
    params = mm.SolverParams(threads=2)
    assert params.tunables == {}
    params.set_tunable("slice", 64)
    params.set_tunable("stacking", False)
    params.set_tunable("lns.repair_budget", "1s")
    params.set_tunable("minimize.descent_budget", ["1s", "2s"])
    assert params.tunables == {
        "slice": "64",
        "stacking": "false",
        "lns.repair_budget": "1s",
        "minimize.descent_budget": '["1s", "2s"]',
    }
    with pytest.raises(ValueError, match="slice must be at least 1"):
        params.set_tunable("slice", 0)
    with pytest.raises(ValueError, match="unknown key 'frobs' in \\[lns\\]"):
        params.set_tunable("lns.frobs", 1)
    with pytest.raises(TypeError):
        params.set_tunable("slice", 1.5)
    assert params.tunables["slice"] == "64"
    # The solve and the minimization run with them.
    seed.capacity = 12
    assert mm.Solver(params).solve(seed) is not None
    params.minimize_capacity = True
    seed.capacity = 0
    assert mm.Solver(params).solve(seed).height == 12


@pytest.mark.parametrize("threads", [1, 2])
def test_solver_and_backtracks(threads: int) -> None:
    # The load is 4 at every moment, yet 4 does not fit: a search proves it.
    tricky = mm.from_csv(
        "id,lower,upper,size\n0,0,1,3\n1,0,3,1\n2,4,5,3\n3,2,5,1\n4,1,2,2\n5,3,4,2\n6,1,4,1\n"
    )
    tricky.capacity = 4
    solver = mm.Solver(mm.SolverParams(threads=threads))
    assert solver.solve(tricky) is None
    with pytest.raises(mm.InfeasibleError):
        solver.solve(tricky, raise_on_failure=True)
    assert solver.backtracks() > 0
    # get_backtracks() is the reference search's count, whatever the threads.
    reference = mm.Solver(mm.SolverParams(threads=1))
    assert reference.solve(tricky) is None
    assert solver.get_backtracks() == reference.get_backtracks() == reference.backtracks() > 0
    tricky.capacity = 5
    solution = solver.solve(tricky)
    assert mm.validate(tricky, solution) == mm.ValidationResult.GOOD
    # The reference's example: buffers 2, 3 and 4 alone need 6 > 4.
    problem = mm.from_csv("id,lower,upper,size\na,0,2,2\nb,0,2,2\nc,2,5,2\nd,3,6,2\ne,4,7,2\n")
    problem.capacity = 4
    assert solver.compute_irreducible_infeasible_subset(problem) == [2, 3, 4]


def test_minimize_capacity(seed: mm.Problem) -> None:
    seed.capacity = 0
    result = mm.minimize_capacity(seed)
    assert result.status == mm.MinimizeStatus.OPTIMAL
    assert result.height == 12 and result.lower_bound == 12
    assert result.solution is not None and result.solution.height == 12
    assert "OPTIMAL" in repr(result)
    params = mm.SolverParams(minimize_capacity=True)
    assert mm.Solver(params).solve(seed).height == 12
    # A capacity that cannot fit is reported, not raised.
    stuck = mm.from_csv("id,lower,upper,size,offset\na,0,1,4,0\n")
    stuck.capacity = 3
    assert mm.Solver().minimize_capacity(stuck).status == mm.MinimizeStatus.INFEASIBLE
    # Load 4, optimum 5: nothing fits 4, and what was found is told.
    tricky = mm.from_csv(
        "id,lower,upper,size\n0,0,1,3\n1,0,3,1\n2,4,5,3\n3,2,5,1\n4,1,2,2\n5,3,4,2\n6,1,4,1\n"
    )
    tricky.capacity = 4
    refuted = mm.Solver(mm.SolverParams(threads=2)).minimize_capacity(tricky)
    assert refuted.status == mm.MinimizeStatus.INFEASIBLE and refuted.solution is None
    assert refuted.above_capacity is not None and refuted.above_capacity >= 5
    assert mm.minimize_capacity(seed).above_capacity is None
    assert (
        mm.Solver(mm.SolverParams(minimize_capacity=True)).minimize_capacity(stuck).solution is None
    )
    solver = mm.Solver(mm.SolverParams(minimize_capacity=True))
    assert solver.solve(stuck) is None
    assert solver.get_backtracks() > 0  # a bound's proof counts the reference's search
    with pytest.raises(mm.InfeasibleError):
        solver.solve(stuck, raise_on_failure=True)


def test_validate_and_explain(seed: mm.Problem) -> None:
    good = mm.Solution([8, 8, 4, 4, 0], 12)
    assert mm.validate(seed, good) == mm.ValidationResult.GOOD
    assert mm.explain(seed, good) is None
    cases = {
        mm.ValidationResult.BAD_SOLUTION: mm.Solution([8, 8, 4, 4], 12),
        mm.ValidationResult.BAD_OFFSET: mm.Solution([9, 8, 4, 4, 0], 13),
        mm.ValidationResult.BAD_OVERLAP: mm.Solution([8, 8, 4, 2, 0], 12),
        mm.ValidationResult.BAD_HEIGHT: mm.Solution([8, 8, 4, 4, 0], 11),
    }
    for verdict, solution in cases.items():
        assert mm.validate(seed, solution) == verdict
        assert mm.explain(seed, solution)
    aligned = mm.from_csv("id,lower,upper,size,alignment,offset\na,0,1,2,4,\nb,0,1,2,1,4\n")
    aligned.capacity = 8
    assert mm.validate(aligned, mm.Solution([2, 4], 6)) == mm.ValidationResult.BAD_ALIGNMENT
    assert mm.validate(aligned, mm.Solution([0, 2], 4)) == mm.ValidationResult.BAD_FIXED


def test_sweep() -> None:
    problem = mm.Problem(
        [
            mm.Buffer("0", (1, 2), 1),
            mm.Buffer("1", (2, 4), 1),
            mm.Buffer("2", (0, 5), 1),
            mm.Buffer("3", (5, 9), 1),
        ]
    )
    result = mm.sweep(problem)
    assert result.sections == [{0, 2}, {1, 2}, {2}, {3}]
    assert [p.buffer_idxs for p in result.partitions] == [[2, 0, 1], [3]]
    assert result.partitions[0].section_range == mm.SectionRange(0, 3)
    spans = result.buffer_data[2].section_spans
    assert spans[0].section_range == mm.Interval(0, 3) and spans[0].window == mm.Interval(0, 1)
    assert sorted((o.buffer_idx, o.effective_size) for o in result.buffer_data[2].overlaps) == [
        (0, 1),
        (1, 1),
    ]
    assert result.calculate_cuts() == [1, 1, 0]
    points = mm.create_points(problem)
    assert len(points) == 8 and points == sorted(points)
    assert points[0] == mm.SweepPoint(2, 0, mm.SweepPointType.LEFT, mm.Window(0, 1), True)


def test_python_dash_m(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(SEED_CSV)
    out = tmp_path / "out.csv"
    run = subprocess.run(
        [sys.executable, "-m", "minimalloc", "--capacity=12", f"--input={src}", f"--output={out}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert out.read_text() == SEED_OUT
    bad = subprocess.run(
        [sys.executable, "-m", "minimalloc", "--capacity=-1", f"--input={src}"],
        capture_output=True,
        check=False,
    )
    assert bad.returncode == 2


def test_version() -> None:
    assert mm.__version__
    # The build's git commit (or "unknown" outside git), as --version prints it.
    assert mm.__commit__
