//! Several memories, spilling and in-place buffers: a problem may declare
//! memories (`mm_problem_add_memory`); then each buffer may say which it may
//! live in (`mm_problem_set_memories`), what living outside the first costs
//! (`mm_problem_set_cost`) and which buffers it shares one place with
//! (`mm_problem_set_alias`). A solve of such a problem returns a plan: the
//! least-cost assignment of buffers to memories, each memory packed, read
//! back with `mm_solution_memory`, `mm_solution_memory_height` and
//! `mm_solution_plan`. A problem without memories is the one-memory
//! problem, untouched.

use std::ffi::{c_char, CString};

use minimalloc::spill::{validate_plan, Memory, MemoryProblem, Plan};
use minimalloc::Problem;

use crate::problem::MmProblem;
use crate::solution::MmSolution;
use crate::status::{borrow, borrow_mut, guard, guard_value, put, utf8, Error, MmStatus};

/// The capacity `mm_problem_add_memory` takes for an unbounded memory.
pub const MM_UNBOUNDED: i64 = -1;

/// What a problem says of memories: the memories in order and, per buffer
/// (each list empty or as long as the buffers), the memories it may use,
/// its cost outside the first and its alias.
#[derive(Clone, Debug, Default)]
pub(crate) struct Memories {
    memories: Vec<Memory>,
    choices: Vec<Vec<String>>,
    costs: Vec<Option<i64>>,
    aliases: Vec<Option<String>>,
}

/// Entry `index` of a per-buffer list, which grows to `count` on first use.
fn slot<T: Clone + Default>(list: &mut Vec<T>, count: usize, index: usize) -> &mut T {
    if list.len() < count {
        list.resize(count, T::default());
    }
    &mut list[index]
}

impl Memories {
    /// Whether any memory is declared.
    pub(crate) fn any(&self) -> bool {
        !self.memories.is_empty()
    }

    /// The engine's problem over these memories (`None` with none), or
    /// MM_INVALID_INPUT naming a buffer whose memory is not declared, or a
    /// layout or alias group the engine refuses.
    pub(crate) fn problem(&self, problem: &Problem) -> Result<Option<MemoryProblem>, Error> {
        if !self.any() {
            return Ok(None);
        }
        let mut choices = Vec::with_capacity(problem.buffers.len());
        for (b, buffer) in problem.buffers.iter().enumerate() {
            let names = self.choices.get(b).map(Vec::as_slice).unwrap_or_default();
            let indices = names.iter().map(|name| {
                self.memories.iter().position(|m| &m.name == name).ok_or_else(|| {
                    let id = &buffer.id;
                    Error::Input(format!("buffer {b} ('{id}'): memory '{name}' is not declared"))
                })
            });
            choices.push(indices.collect::<Result<Vec<usize>, Error>>()?);
        }
        let costs = problem.buffers.iter().enumerate();
        let mp = MemoryProblem {
            buffers: problem.buffers.clone(),
            memories: self.memories.clone(),
            choices,
            costs: costs.map(|(b, buffer)| self.costs.get(b).copied().flatten().unwrap_or(buffer.size)).collect(),
            aliases: (0..problem.buffers.len()).map(|b| self.aliases.get(b).cloned().flatten()).collect(),
        };
        mp.check().map_err(|e| Error::Input(e.to_string()))?;
        Ok(Some(mp))
    }
}

/// What a plan adds to a solution: each buffer's memory, the memories'
/// names (as C strings, for `mm_solution_memory`) and heights, the cost,
/// its lower bound and whether it is optimal.
#[derive(Clone, Debug)]
pub(crate) struct PlanInfo {
    pub(crate) plan: Plan,
    names: Vec<CString>,
}

impl PlanInfo {
    pub(crate) fn new(mp: &MemoryProblem, plan: Plan) -> Self {
        let names = mp.memories.iter().map(|m| CString::new(m.name.replace('\0', "")).unwrap_or_default()).collect();
        PlanInfo { plan, names }
    }
}

/// Checks `solution` against the problem over memories `mp`: a plan, and
/// one the engine's validation of plans accepts.
pub(crate) fn validate(mp: &MemoryProblem, solution: &MmSolution) -> Result<(), Error> {
    let Some(info) = &solution.plan else {
        return Err(Error::Plan("the problem has memories, but the solution is not a plan over them".into()));
    };
    validate_plan(mp, &info.plan).map_err(Error::Plan)
}

/// Declares a memory after those already declared: `name` (not empty,
/// without `|`, unique) and `capacity` in bytes, or MM_UNBOUNDED.
/// Any number may be bounded, in any order (see docs/memories.md).
/// MM_INVALID_ARGUMENT for a bad name or capacity.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_add_memory(
    problem: *mut MmProblem,
    name: *const c_char,
    capacity: i64,
) -> MmStatus {
    guard(|| {
        let problem = unsafe { borrow_mut(problem, "problem") }?;
        let name = unsafe { utf8(name, "name") }?;
        if name.is_empty() || name.contains('|') || problem.memories.memories.iter().any(|m| m.name == name) {
            return Err(Error::Argument(format!("memory name '{name}': empty, with a '|', or declared twice")));
        }
        let capacity = match capacity {
            MM_UNBOUNDED => None,
            c if c >= 0 => Some(c),
            c => return Err(Error::Argument(format!("memory '{name}': capacity {c} (bytes, or MM_UNBOUNDED)"))),
        };
        problem.memories.memories.push(Memory::new(name, capacity));
        Ok(())
    })
}

/// Makes every offset in memory `memory` (in the order declared) a
/// multiple of `alignment` (at least 1), besides each buffer's own.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_set_memory_alignment(
    problem: *mut MmProblem,
    memory: usize,
    alignment: i64,
) -> MmStatus {
    guard(|| {
        let problem = unsafe { borrow_mut(problem, "problem") }?;
        let count = problem.memories.memories.len();
        let Some(m) = problem.memories.memories.get_mut(memory) else {
            return Err(Error::Argument(format!("memory index {memory} is out of range (the problem has {count})")));
        };
        if alignment < 1 {
            return Err(Error::Argument(format!("memory '{}': alignment {alignment} (at least 1)", m.name)));
        }
        m.alignment = alignment;
        Ok(())
    })
}

/// How many memories the problem declares (0 if `problem` is NULL).
#[no_mangle]
pub unsafe extern "C" fn mm_problem_memory_count(problem: *const MmProblem) -> usize {
    guard_value(0, || unsafe { problem.as_ref() }.map_or(0, |p| p.memories.memories.len()))
}

/// The memories buffer `index` may live in, most preferred first, as names
/// separated by `|` ("sram|dram"); "" means any, in the problem's order.
/// The names are checked against the declared memories when solving.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_set_memories(
    problem: *mut MmProblem,
    index: usize,
    names: *const c_char,
) -> MmStatus {
    guard(|| {
        let problem = unsafe { borrow_mut(problem, "problem") }?;
        let names = unsafe { utf8(names, "names") }?;
        let count = problem.check_index(index)?;
        let list: Vec<String> = names.split('|').map(|n| n.trim().to_string()).collect();
        let list = if names.trim().is_empty() { Vec::new() } else { list };
        if list.iter().any(String::is_empty) {
            return Err(Error::Argument(format!("memories '{names}': an empty name")));
        }
        *slot(&mut problem.memories.choices, count, index) = list;
        Ok(())
    })
}

/// What placing buffer `index` anywhere but its first memory costs (at
/// least 0; by default its size).
#[no_mangle]
pub unsafe extern "C" fn mm_problem_set_cost(problem: *mut MmProblem, index: usize, cost: i64) -> MmStatus {
    guard(|| {
        let problem = unsafe { borrow_mut(problem, "problem") }?;
        let count = problem.check_index(index)?;
        if cost < 0 {
            return Err(Error::Argument(format!("cost {cost} is negative")));
        }
        *slot(&mut problem.memories.costs, count, index) = Some(cost);
        Ok(())
    })
}

/// Puts buffer `index` in the alias group `alias`: buffers of one alias
/// share one memory and one offset (an operation writing its result over
/// its input). NULL or "" takes it out of any group.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_set_alias(problem: *mut MmProblem, index: usize, alias: *const c_char) -> MmStatus {
    guard(|| {
        let problem = unsafe { borrow_mut(problem, "problem") }?;
        let alias = if alias.is_null() { "" } else { unsafe { utf8(alias, "alias") }? };
        let count = problem.check_index(index)?;
        *slot(&mut problem.memories.aliases, count, index) = Some(alias.to_string()).filter(|a| !a.is_empty());
        Ok(())
    })
}

/// The name of the memory buffer `index` was placed in, owned by the
/// solution and valid until it is freed; NULL when the solution is not a
/// plan over memories, the index is out of range, or `solution` is NULL.
#[no_mangle]
pub unsafe extern "C" fn mm_solution_memory(solution: *const MmSolution, index: usize) -> *const c_char {
    guard_value(std::ptr::null(), || {
        let info = unsafe { solution.as_ref() }.and_then(|s| s.plan.as_ref());
        info.and_then(|i| Some(i.names[*i.plan.memory.get(index)?].as_ptr())).unwrap_or(std::ptr::null())
    })
}

/// The height of the plan's memory `memory` (in the order declared); -1
/// when the solution is not a plan, the index is out of range, or
/// `solution` is NULL.
#[no_mangle]
pub unsafe extern "C" fn mm_solution_memory_height(solution: *const MmSolution, memory: usize) -> i64 {
    guard_value(-1, || {
        let info = unsafe { solution.as_ref() }.and_then(|s| s.plan.as_ref());
        info.and_then(|i| i.plan.heights.get(memory).copied()).unwrap_or(-1)
    })
}

/// A plan's cost (the buffers outside their first memory), a proven lower
/// bound on the least cost, and whether the cost is that least; each output
/// that is not NULL gets its value. MM_INVALID_ARGUMENT when the solution is
/// not a plan over memories.
#[no_mangle]
pub unsafe extern "C" fn mm_solution_plan(
    solution: *const MmSolution,
    cost: *mut i64,
    lower_bound: *mut i64,
    optimal: *mut bool,
) -> MmStatus {
    guard(|| {
        let solution = unsafe { borrow(solution, "solution") }?;
        let Some(info) = &solution.plan else {
            return Err(Error::Argument("the solution is not a plan over memories".into()));
        };
        let p = &info.plan;
        for (out, value) in [(cost, p.cost), (lower_bound, p.lower_bound)] {
            if !out.is_null() {
                unsafe { put(out, value) };
            }
        }
        if !optimal.is_null() {
            unsafe { put(optimal, p.optimal) };
        }
        Ok(())
    })
}
