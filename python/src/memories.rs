//! Several memories and spilling from Python: the `Memory` class, the
//! problem over memories that `Problem.memories`, `Buffer.memories` and
//! `Buffer.cost` describe, and the solution that comes back with each
//! buffer's memory, the cost, its proven lower bound and whether it is
//! optimal (the engine's [`minimalloc::spill`]).
//!
//! A problem with no memories is the one-memory problem of upstream's API,
//! untouched: `Buffer.memories` and `Buffer.cost` are then not read.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use minimalloc::problem::{Problem, MAX_CAPACITY};
use minimalloc::spill::{validate_plan, Memory, MemoryProblem, Plan};

use crate::{verdict, PySolution, PyValidationResult};

/// A memory: a name, a capacity (`None`: unbounded) and an alignment.
#[pyclass(name = "Memory", module = "minimalloc", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyMemory {
    /// What buffers' `memories` lists and solutions call it.
    #[pyo3(get)]
    name: String,
    /// The most bytes it holds; `None` for unbounded.
    #[pyo3(get)]
    capacity: Option<i64>,
    /// Every offset in it is a multiple of this (besides the buffer's own).
    #[pyo3(get)]
    alignment: i64,
}

#[pymethods]
impl PyMemory {
    #[new]
    #[pyo3(signature = (name, capacity = None, alignment = 1))]
    fn new(name: String, capacity: Option<i64>, alignment: i64) -> Self {
        PyMemory { name, capacity, alignment }
    }

    pub(crate) fn __repr__(&self) -> String {
        let capacity = self.capacity.map_or("None".to_string(), |c| c.to_string());
        let alignment = if self.alignment == 1 { String::new() } else { format!(", alignment={}", self.alignment) };
        format!("Memory(name='{}', capacity={capacity}{alignment})", self.name)
    }
}

/// What a problem says beyond its buffers and capacity: its memories and,
/// per buffer, the memories it may use, its cost outside the first and its
/// alias. The per-buffer lists are empty or as long as the buffers.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Placement {
    pub memories: Vec<PyMemory>,
    pub choices: Vec<Vec<String>>,
    pub costs: Vec<Option<i64>>,
    pub aliases: Vec<Option<String>>,
}

impl Placement {
    /// Buffer `b`'s memory names, most preferred first (empty: any).
    pub fn choices_of(&self, b: usize) -> Vec<String> {
        self.choices.get(b).cloned().unwrap_or_default()
    }

    /// Buffer `b`'s cost outside its first choice, when given.
    pub fn cost_of(&self, b: usize) -> Option<i64> {
        self.costs.get(b).copied().flatten()
    }

    /// Buffer `b`'s alias, when given.
    pub fn alias_of(&self, b: usize) -> Option<String> {
        self.aliases.get(b).cloned().flatten()
    }

    /// The engine's problem over these memories, or a message naming the
    /// buffer whose memory does not exist; `None` when there are no
    /// memories (a one-memory problem).
    pub fn problem(&self, problem: &Problem) -> Result<Option<MemoryProblem>, String> {
        if self.memories.is_empty() {
            return Ok(None);
        }
        let memories: Vec<Memory> = self
            .memories
            .iter()
            .map(|m| Memory { alignment: m.alignment, ..Memory::new(m.name.clone(), m.capacity) })
            .collect();
        let mut choices = Vec::with_capacity(problem.buffers.len());
        for (b, buffer) in problem.buffers.iter().enumerate() {
            let indices = self
                .choices_of(b)
                .iter()
                .map(|name| {
                    memories.iter().position(|m| &m.name == name).ok_or_else(|| {
                        let known: Vec<&str> = memories.iter().map(|m| m.name.as_str()).collect();
                        format!("buffer '{}': unknown memory '{name}' (memories: {})", buffer.id, known.join(", "))
                    })
                })
                .collect::<Result<Vec<usize>, String>>()?;
            choices.push(indices);
        }
        let costs =
            problem.buffers.iter().enumerate().map(|(b, buffer)| self.cost_of(b).unwrap_or(buffer.size)).collect();
        let aliases = if self.aliases.iter().any(Option::is_some) { self.aliases.clone() } else { Vec::new() };
        Ok(Some(MemoryProblem { buffers: problem.buffers.clone(), memories, choices, costs, aliases }))
    }
}

/// What a plan adds to a solution: each buffer's memory, the heights, the
/// cost, its lower bound and whether it is optimal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub memory: Vec<String>,
    pub heights: Vec<(String, i64)>,
    pub cost: i64,
    pub lower_bound: i64,
    pub optimal: bool,
}

/// The solution of a plan: its offsets, its first memory's height as
/// `height`, and the rest as [`Planned`].
pub fn solution(mp: &MemoryProblem, plan: Plan) -> PySolution {
    let name = |m: usize| mp.memories[m].name.clone();
    let planned = Planned {
        memory: plan.memory.iter().map(|&m| name(m)).collect(),
        heights: plan.heights.iter().enumerate().map(|(m, &h)| (name(m), h)).collect(),
        cost: plan.cost,
        lower_bound: plan.lower_bound,
        optimal: plan.optimal,
    };
    PySolution { offsets: plan.offsets, height: plan.heights.first().copied().unwrap_or(0), planned: Some(planned) }
}

/// The heights of a plan as a dict, in the memories' order.
pub fn heights<'py>(py: Python<'py>, planned: &Planned) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, h) in &planned.heights {
        dict.set_item(name, h)?;
    }
    Ok(dict)
}

/// The engine's plan that a solution states, or why it states none (a
/// memory name the problem does not declare, or lists of the wrong length).
fn plan_of(mp: &MemoryProblem, offsets: &[i64], planned: &Planned) -> Result<Plan, String> {
    let index =
        |name: &str| mp.memories.iter().position(|m| m.name == name).ok_or_else(|| format!("unknown memory '{name}'"));
    let memory = planned.memory.iter().map(|n| index(n)).collect::<Result<Vec<usize>, String>>()?;
    let mut heights = vec![0; mp.memories.len()];
    for (name, h) in &planned.heights {
        heights[index(name)?] = *h;
    }
    Ok(Plan {
        memory,
        offsets: offsets.to_vec(),
        heights,
        cost: planned.cost,
        lower_bound: planned.lower_bound,
        optimal: planned.optimal,
    })
}

/// Why a solution over memories is invalid, as a sentence (`None` if it
/// is valid): the engine's own check of plans.
pub fn explain(mp: &MemoryProblem, solution: &PySolution) -> Option<String> {
    let Some(planned) = &solution.planned else {
        return Some("the problem has memories but the solution says nothing of them".into());
    };
    plan_of(mp, &solution.offsets, planned).and_then(|plan| validate_plan(mp, &plan)).err()
}

/// `validate`'s verdict on a solution over memories: GOOD when the
/// engine's check of plans accepts it (every memory, alias groups, the
/// cost); otherwise the fault in upstream's words, from the first memory
/// whose buffers fail the one-memory check at its capacity, and
/// BAD_SOLUTION for a fault no such check names (a memory a buffer may not
/// use, a group apart, a wrong cost).
pub fn validate(mp: &MemoryProblem, solution: &PySolution) -> PyValidationResult {
    let Some(planned) = &solution.planned else { return PyValidationResult::BAD_SOLUTION };
    let Ok(plan) = plan_of(mp, &solution.offsets, planned) else { return PyValidationResult::BAD_SOLUTION };
    if validate_plan(mp, &plan).is_ok() {
        return PyValidationResult::GOOD;
    }
    let parts = mp.parts(&plan).into_iter().zip(&mp.memories).zip(&plan.heights);
    for (((sub, found), memory), &height) in parts {
        let sub = Problem { capacity: memory.capacity.unwrap_or(MAX_CAPACITY), ..sub };
        let verdict = verdict(minimalloc::validate::validate(&sub, &minimalloc::Solution { height, ..found }));
        if verdict != PyValidationResult::GOOD {
            return verdict;
        }
    }
    PyValidationResult::BAD_SOLUTION
}
