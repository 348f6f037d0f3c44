"""Several memories and spilling through the Python API."""

from __future__ import annotations

import itertools
import random

import minimalloc as mm
import pytest


def overlapping(n: int, size: int) -> list[mm.Buffer]:
    """`n` buffers of `size` bytes, all live at once."""
    return [mm.Buffer(f"b{i}", (0, 4), size) for i in range(n)]


def test_a_problem_that_does_not_fit_spills_its_cheapest_buffer() -> None:
    buffers = overlapping(3, 4)
    buffers[1].cost = 1
    problem = mm.Problem(buffers, 8, [mm.Memory("sram", 8), mm.Memory("dram")])
    plan = mm.Solver().solve(problem, raise_on_failure=True)
    assert plan is not None
    assert plan.memories == ["sram", "dram", "sram"]
    assert (plan.cost, plan.cost_lower_bound, plan.optimal) == (1, 1, True)
    assert plan.heights == {"sram": 8, "dram": 4}
    assert plan.height == 8
    assert mm.validate(problem, plan) == mm.ValidationResult.GOOD
    assert mm.explain(problem, plan) is None


def test_preferences_and_costs_read_from_buffers() -> None:
    # b0 prefers dram: it costs nothing there, and it makes room in sram.
    buffers = overlapping(3, 4)
    buffers[0].memories = ["dram", "sram"]
    problem = mm.Problem(buffers, 0, [mm.Memory("sram", 8), mm.Memory("dram")])
    assert problem.buffers[0].memories == ["dram", "sram"]
    plan = mm.Solver().solve(problem)
    assert plan is not None
    assert plan.memories == ["dram", "sram", "sram"]
    assert plan.cost == 0 and plan.optimal


def test_a_buffer_bound_to_a_full_memory_is_proven_infeasible() -> None:
    buffers = overlapping(3, 4)
    for b in buffers:
        b.memories = ["sram"]
    problem = mm.Problem(buffers, 0, [mm.Memory("sram", 8), mm.Memory("dram")])
    assert mm.Solver().solve(problem) is None
    with pytest.raises(mm.InfeasibleError):
        mm.Solver().solve(problem, raise_on_failure=True)


def test_an_unknown_memory_names_the_buffer() -> None:
    buffers = overlapping(2, 4)
    buffers[1].memories = ["hbm"]
    problem = mm.Problem(buffers, 0, [mm.Memory("sram", 8), mm.Memory("dram")])
    with pytest.raises(mm.ProblemError, match="buffer 'b1': unknown memory 'hbm'"):
        mm.Solver().solve(problem)


def test_unsupported_layouts_and_calls_are_refused() -> None:
    problem = mm.Problem(overlapping(2, 4), 0, [mm.Memory("a", 4), mm.Memory("a")])
    with pytest.raises(mm.ProblemError, match="declared twice"):
        mm.Solver().solve(problem)
    problem.memories = [mm.Memory("sram", 4), mm.Memory("dram")]
    with pytest.raises(ValueError, match="not supported"):
        mm.Solver().minimize_capacity(problem)
    with pytest.raises(ValueError, match="not supported"):
        mm.Solver().compute_irreducible_infeasible_subset(problem)


def test_memory_values_and_one_memory_problems_unchanged() -> None:
    assert mm.Memory("sram", 8) == mm.Memory("sram", 8)
    assert repr(mm.Memory("dram")) == "Memory(name='dram', capacity=None)"
    assert hash(mm.Memory("a", 1)) == hash(mm.Memory("a", 1))
    assert repr(mm.Memory("a", 8, alignment=4)) == "Memory(name='a', capacity=8, alignment=4)"
    b = mm.Buffer("x", (0, 1), 2)
    assert (
        repr(b)
        == "Buffer(id='x', lifespan=Interval(0, 1), size=2, alignment=1, gaps=[], offset=None, hint=None)"
    )
    assert (b.memories, b.cost) == ([], None)
    problem = mm.Problem([b], 2)
    assert problem.memories == []
    solution = mm.Solver().solve(problem)
    assert solution is not None
    assert (solution.memories, solution.heights, solution.cost, solution.optimal) == (
        None,
        None,
        None,
        None,
    )
    # Made either way, equal problems compare equal.
    assert mm.from_csv("id,lower,upper,size\nx,0,1,2\n") == mm.Problem([b], 0)


def test_aliased_buffers_share_a_memory_and_an_offset() -> None:
    # b1 writes over b0 (in place); b2 lives throughout.
    buffers = [mm.Buffer("b0", (0, 2), 4, alias="x"), mm.Buffer("b1", (2, 4), 4, alias="x")]
    buffers.append(mm.Buffer("b2", (0, 4), 4))
    problem = mm.Problem(buffers, 0, [mm.Memory("sram", 8), mm.Memory("dram")])
    assert problem.buffers[1].alias == "x"
    plan = mm.Solver().solve(problem)
    assert plan is not None and plan.memories is not None
    assert (plan.memories[0], plan.offsets[0]) == (plan.memories[1], plan.offsets[1])
    assert plan.cost == 0 and plan.optimal
    # Members live at the same moment too: they share their place, and
    # validate holds the group together, not apart.
    overlapping_pair = mm.Problem(
        [mm.Buffer("in", (0, 3), 4, alias="y"), mm.Buffer("out", (2, 4), 4, alias="y")],
        0,
        [mm.Memory("sram", 4), mm.Memory("dram")],
    )
    together = mm.Solver().solve(overlapping_pair)
    assert together is not None and together.optimal
    assert mm.validate(overlapping_pair, together) == mm.ValidationResult.GOOD
    assert mm.explain(overlapping_pair, together) is None
    buffers[0].offset, buffers[1].offset = 0, 4
    problem.buffers = buffers
    with pytest.raises(mm.ProblemError, match="alias group 'x'"):
        mm.Solver().solve(problem)


def test_a_memory_aligns_every_offset_in_it() -> None:
    # Sizes 3 and 3 at once: at alignment 4 the second sits at 4, not 3.
    problem = mm.Problem(
        overlapping(2, 3), 0, [mm.Memory("sram", 8, alignment=4), mm.Memory("dram")]
    )
    plan = mm.Solver().solve(problem)
    assert plan is not None and plan.memories == ["sram", "sram"]
    assert sorted(plan.offsets) == [0, 4] and plan.heights == {"sram": 7, "dram": 0}
    with pytest.raises(mm.ProblemError, match="alignment 0"):
        mm.Solver().solve(mm.Problem(overlapping(1, 3), 0, [mm.Memory("sram", 8, alignment=0)]))


def test_to_csv_writes_the_memory_column() -> None:
    problem = mm.Problem(overlapping(3, 4), 8, [mm.Memory("sram", 8), mm.Memory("dram")])
    plan = mm.Solver().solve(problem)
    assert plan is not None
    lines = mm.to_csv(problem, plan).splitlines()
    assert lines[0] == "id,lower,upper,size,memory,offset"
    assert sorted(line.split(",")[4] for line in lines[1:]) == ["dram", "sram", "sram"]


def test_a_tampered_plan_fails_validation() -> None:
    problem = mm.Problem(overlapping(3, 4), 8, [mm.Memory("sram", 8), mm.Memory("dram")])
    plan = mm.Solver().solve(problem)
    assert plan is not None
    plan.offsets = [0] * 3  # two buffers overlap in sram, and its height is no longer 8
    assert mm.validate(problem, plan) != mm.ValidationResult.GOOD
    assert mm.explain(problem, plan) is not None


def least_cost(buffers: list[mm.Buffer], capacity: int) -> int | None:
    """Brute force: the cheapest set of buffers to move out of a memory of
    `capacity` so that the rest has a packing (every offset tried)."""
    best = None
    n = len(buffers)
    for moved in itertools.product([False, True], repeat=n):
        kept = [b for b, m in zip(buffers, moved) if not m]
        if any(m and b.memories == ["sram"] for b, m in zip(buffers, moved)):
            continue
        cost = sum(b.cost if b.cost is not None else b.size for b, m in zip(buffers, moved) if m)
        if best is not None and cost >= best:
            continue
        if fits(kept, capacity):
            best = cost
    return best


def fits(kept: list[mm.Buffer], capacity: int) -> bool:
    ranges = [range(capacity - b.size + 1) for b in kept]
    for offsets in itertools.product(*ranges):
        if all(
            not (a.lifespan.lower < b.lifespan.upper and b.lifespan.lower < a.lifespan.upper)
            or oa + a.size <= ob
            or ob + b.size <= oa
            for (a, oa), (b, ob) in itertools.combinations(zip(kept, offsets), 2)
        ):
            return True
    return False


@pytest.mark.parametrize("threads", [1, 2])
def test_least_cost_matches_brute_force(threads: int) -> None:
    rng = random.Random(7 + threads)
    for case in range(25):
        buffers = []
        for i in range(rng.randint(1, 5)):
            lower = rng.randint(0, 4)
            buffers.append(
                mm.Buffer(f"b{i}", (lower, lower + rng.randint(1, 4)), rng.randint(1, 4))
            )
            if rng.random() < 0.3:
                buffers[-1].cost = rng.randint(0, 6)
            if rng.random() < 0.2:
                buffers[-1].memories = ["sram"]
        capacity = rng.randint(2, 6)
        problem = mm.Problem(buffers, 0, [mm.Memory("sram", capacity), mm.Memory("dram")])
        solver = mm.Solver(mm.SolverParams(threads=threads))
        plan = solver.solve(problem)
        expected = least_cost(buffers, capacity)
        if expected is None:
            assert plan is None, f"case {case}: a plan where none exists"
            continue
        assert plan is not None, f"case {case}: no plan, brute force costs {expected}"
        assert plan.optimal and plan.cost == expected, (
            f"case {case}: {plan.cost} against {expected}"
        )
        assert mm.validate(problem, plan) == mm.ValidationResult.GOOD
