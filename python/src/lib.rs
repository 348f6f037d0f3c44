//! Python bindings (the `minimalloc._minimalloc` extension module), built by
//! maturin (this crate, `minimalloc-python`; see `pyproject.toml`). The names and their semantics
//! follow the upstream package's API (a drop-in replacement: its own test
//! suite passes); `python/minimalloc/__init__.py` re-exports them, and the
//! sweep's value classes, the preordering comparator and the upstream
//! command line are Python code beside it.
//!
//! Two rules of the upstream model that this crate's model does not have
//! hold here: ids are only labels (they need not be unique), and a gap may
//! reach past its buffer's lifespan (only the part inside counts). Before a
//! problem reaches the library, [`model`] makes it one the library takes.
//!
//! Values are copied between Python and Rust (like the upstream bindings,
//! where `problem.buffers` returns a new list): change a buffer and assign
//! the list back. Solving releases the GIL, so other Python threads run
//! meanwhile and may call `Solver.cancel()`.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::ffi::OsString;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use pyo3::basic::CompareOp;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyCFunction, PyFloat};

use minimalloc::config::set_tunable;
use minimalloc::error::SolveError;
use minimalloc::io::{read_csv_with, ReadOptions, TimeColumns};
use minimalloc::minimize::{minimize_with, MinimizeStatus};
use minimalloc::params::{check_threads, parse_heuristics, time_limit, Heuristic, SolverParams};
use minimalloc::problem::{Buffer, Gap, Interval, Problem, Solution};
use minimalloc::stop::StopToken;
use minimalloc::sweep::Kind;
use minimalloc::switches::Switch;
use minimalloc::validate::ValidationError;
use minimalloc::{InfeasibleSubset, Outcome, PlanOutcome, SolveOptions};

mod memories;
use memories::{Placement, Planned, PyMemory};

create_exception!(minimalloc, MiniMallocError, PyException, "Base class of the solver's errors.");
create_exception!(minimalloc, InfeasibleError, MiniMallocError, "No packing fits in the capacity (proven).");
create_exception!(minimalloc, SolveTimeoutError, MiniMallocError, "The time limit passed before any solution.");
create_exception!(minimalloc, CancelledError, MiniMallocError, "Solver.cancel() stopped the solve.");
create_exception!(
    minimalloc,
    UnknownError,
    MiniMallocError,
    "No solution was found and none was ruled out (the search is not complete for this problem)."
);
create_exception!(
    minimalloc,
    InternalError,
    MiniMallocError,
    "A solution failed the independent validation: a solver bug; nothing was returned."
);
create_exception!(minimalloc, CsvError, PyValueError, "Malformed CSV; the message names the file, line and column.");
create_exception!(minimalloc, ProblemError, PyValueError, "A problem that breaks the model's rules.");
create_exception!(
    minimalloc,
    ProblemInUseError,
    PyRuntimeError,
    "A problem that a solve in another thread holds was changed: copy it to change it meanwhile."
);

/// What the upstream package's reader accepts beyond this crate's model.
const UPSTREAM_READ: ReadOptions = ReadOptions { gaps_past_lifespan: true, duplicate_ids: true, memory_columns: false };

/// How long `Solver.get_backtracks()` lets the reference's search run
/// when it has to count the backtracks itself (see [`Reference`]).
const REFERENCE_COUNT_LIMIT: Duration = Duration::from_secs(1);

/// What `Solver.get_backtracks()` reports for the latest solve: the
/// backtracks of the reference's sequential search, as upstream counts
/// them. A solve by that search (one thread) knows them; after a solve by
/// the portfolio (whose total depends on how its racing threads were
/// scheduled) or a proof by a bound (which the reference does not have),
/// the reference's search counts them on the first call. A minimization
/// reports its probes' count (upstream's is that of its own bisection).
enum Reference {
    /// The count.
    Known(u64),
    /// The problem to count on, and whether it was proven infeasible (then
    /// the count is at least 1: the root fails).
    Pending(Problem, bool),
}

/// The problem as the library's model takes it, from one held the upstream
/// package's way: each gap that reaches past its buffer's lifespan cut to
/// it (dropped when wholly outside), and ids made unique where some repeat
/// (a later duplicate `x` at index `i` becomes `x#i`; a solution's offsets
/// follow the buffers' order, so ids only show in messages). A problem
/// that needs neither is copied unchanged; faults of the model itself
/// (a reversed lifespan or gap, overlapping gaps...) are left for its
/// check to report.
fn model(p: &Problem) -> Problem {
    let mut p = p.clone();
    for b in &mut p.buffers {
        let life = b.lifespan;
        if life.lower > life.upper {
            continue;
        }
        b.gaps.retain_mut(|g| {
            let span = g.lifespan;
            if span.lower > span.upper || (span.lower >= life.lower && span.upper <= life.upper) {
                return true;
            }
            let (lower, upper) = (span.lower.max(life.lower), span.upper.min(life.upper));
            g.lifespan = Interval::new(lower, upper);
            lower < upper
        });
    }
    let all: HashSet<&str> = p.buffers.iter().map(|b| b.id.as_str()).collect();
    if all.len() < p.buffers.len() {
        let all: HashSet<String> = all.into_iter().map(str::to_string).collect();
        let mut used: HashSet<String> = HashSet::with_capacity(p.buffers.len());
        for (i, b) in p.buffers.iter_mut().enumerate() {
            if used.insert(b.id.clone()) {
                continue;
            }
            let mut id = format!("{}#{i}", b.id);
            while all.contains(&id) || used.contains(&id) {
                id.push('#');
            }
            used.insert(id.clone());
            b.id = id;
        }
    }
    p
}

/// A hash of `value` for `__hash__`.
fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// How often a thread waiting on a long call asks Python for pending
/// signals. `[default: 10 ms]` `[range: any]`: Ctrl-C is seen within it,
/// and the wait costs nothing measurable.
const SIGNAL_CHECK: Duration = Duration::from_millis(10);

/// Stack of the thread a long call runs on: a main thread's.
const CALL_STACK: usize = 8 << 20;

/// Runs `work` (a solve, a minimization...) on a thread of its own while
/// this thread, which holds the GIL only between waits, asks Python every
/// [`SIGNAL_CHECK`] for pending signals. Python runs its signal handlers on
/// the main thread only, between bytecodes, so a call that waited in Rust
/// all along would see Ctrl-C only once the solve returned, perhaps never.
/// When a handler raises (Ctrl-C's `KeyboardInterrupt`), `cancel` (the
/// caller's own flag, which the work's stop token watches) is raised, the
/// work is waited for (it stops at its next check, within milliseconds),
/// and the handler's exception is returned: the solve is cancelled, not
/// left running.
fn interruptible<T: Send>(py: Python<'_>, cancel: &AtomicBool, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    std::thread::scope(|scope| {
        let (done, finished) = crossbeam_channel::bounded::<()>(1);
        let worker = std::thread::Builder::new()
            .name("minimalloc-call".into())
            .stack_size(CALL_STACK)
            .spawn_scoped(scope, move || {
                let out = work();
                let _ = done.send(());
                out
            })
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread for the solve: {e}")))?;
        loop {
            // Done, or gone (a panic drops the sender): join either way.
            let waiting =
                py.allow_threads(|| matches!(finished.recv_timeout(SIGNAL_CHECK), Err(RecvTimeoutError::Timeout)));
            if !waiting {
                break;
            }
            if let Err(interrupt) = py.check_signals() {
                cancel.store(true, Ordering::SeqCst);
                let _ = py.allow_threads(|| worker.join());
                return Err(interrupt);
            }
        }
        py.allow_threads(|| worker.join()).map_err(|panic| std::panic::resume_unwind(panic))
    })
}

/// The exception a solve that ended without a packing raises when the
/// caller asks for one (`raise_on_failure=True`); without it the upstream
/// API answers `None`.
fn outcome_error(outcome: &Outcome) -> PyErr {
    let message = outcome.to_string();
    match outcome {
        Outcome::Infeasible { .. } => InfeasibleError::new_err(message),
        Outcome::TimeLimit => SolveTimeoutError::new_err(message),
        Outcome::Cancelled => CancelledError::new_err(message),
        Outcome::Unknown(_) | Outcome::Solved(_) => UnknownError::new_err(message),
    }
}

/// The exception for a solve that could not run (bad input or
/// parameters) or answer (a solver bug): raised however the call is made.
fn solve_error(e: SolveError) -> PyErr {
    match e {
        SolveError::Internal(_) => InternalError::new_err(e.to_string()),
        SolveError::Invalid(_) => ProblemError::new_err(e.to_string()),
        SolveError::Params(_) => PyValueError::new_err(e.to_string()),
    }
}

/// A half-open interval `[lower, upper)`: a lifespan, a window or a range of sections.
#[pyclass(name = "Interval", module = "minimalloc", frozen, eq, hash, ord)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PyInterval {
    /// First value inside.
    #[pyo3(get)]
    lower: i64,
    /// First value past it.
    #[pyo3(get)]
    upper: i64,
}

#[pymethods]
impl PyInterval {
    #[new]
    #[pyo3(signature = (lower = 0, upper = 0))]
    fn new(lower: i64, upper: i64) -> Self {
        PyInterval { lower, upper }
    }

    fn __repr__(&self) -> String {
        format!("Interval({}, {})", self.lower, self.upper)
    }
}

impl From<Interval> for PyInterval {
    fn from(i: Interval) -> Self {
        PyInterval { lower: i.lower, upper: i.upper }
    }
}

/// An `Interval`, or a `(lower, upper)` pair.
fn interval(obj: &Bound<'_, PyAny>) -> PyResult<Interval> {
    if let Ok(i) = obj.extract::<PyInterval>() {
        return Ok(Interval::new(i.lower, i.upper));
    }
    if let Ok((lower, upper)) = obj.extract::<(i64, i64)>() {
        return Ok(Interval::new(lower, upper));
    }
    Err(PyTypeError::new_err("expected an Interval or a (lower, upper) pair"))
}

/// A span of time in seconds, or infinite (the upstream package's
/// `Duration`, a wrapper of `absl::Duration`): the type of
/// `SolverParams.timeout`. Compares with other durations and with numbers
/// of seconds.
#[pyclass(name = "Duration", module = "minimalloc", frozen)]
#[derive(Clone)]
pub struct PyDuration {
    /// Seconds; `f64::INFINITY` for the infinite duration.
    seconds: f64,
}

impl PyDuration {
    /// A duration of `seconds`, under the library's rule for time limits
    /// (what a Duration is for here): 0 or more, or infinite.
    fn of(seconds: f64) -> PyResult<Self> {
        time_limit(seconds).map_err(|e| PyValueError::new_err(format!("a duration {e}")))?;
        Ok(PyDuration { seconds })
    }
}

#[pymethods]
impl PyDuration {
    #[new]
    #[pyo3(signature = (seconds = 0.0))]
    fn new(seconds: f64) -> PyResult<Self> {
        PyDuration::of(seconds)
    }

    #[staticmethod]
    fn from_seconds(seconds: f64) -> PyResult<Self> {
        PyDuration::of(seconds)
    }

    #[staticmethod]
    fn from_milliseconds(milliseconds: f64) -> PyResult<Self> {
        PyDuration::of(milliseconds / 1e3)
    }

    #[staticmethod]
    fn from_microseconds(microseconds: f64) -> PyResult<Self> {
        PyDuration::of(microseconds / 1e6)
    }

    /// The infinite duration (no time limit).
    #[staticmethod]
    fn infinite() -> Self {
        PyDuration { seconds: f64::INFINITY }
    }

    /// Seconds (`inf` for the infinite duration).
    fn to_seconds(&self) -> f64 {
        self.seconds
    }

    fn __float__(&self) -> f64 {
        self.seconds
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        if self.seconds == f64::INFINITY {
            return Ok("Duration.infinite()".to_string());
        }
        Ok(format!("Duration({} seconds)", PyFloat::new(py, self.seconds).repr()?))
    }

    fn __richcmp__(&self, py: Python<'_>, other: &Bound<'_, PyAny>, op: CompareOp) -> PyObject {
        let other = match other.extract::<PyDuration>() {
            Ok(d) => d.seconds,
            Err(_) => match other.extract::<f64>() {
                Ok(s) if !other.is_instance_of::<PyBool>() => s,
                _ => return py.NotImplemented(),
            },
        };
        let answer = match self.seconds.partial_cmp(&other) {
            Some(order) => op.matches(order),
            None => matches!(op, CompareOp::Ne),
        };
        PyBool::new(py, answer).to_owned().into_any().unbind()
    }

    /// Equal to the hash of the seconds as a float, as equality says.
    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        PyFloat::new(py, self.seconds).hash()
    }
}

/// A stretch of a buffer's lifespan where it is inactive (no window) or
/// occupies only `window` of itself.
#[pyclass(name = "Gap", module = "minimalloc", eq)]
#[derive(Clone, PartialEq)]
pub struct PyGap {
    inner: Gap,
}

#[pymethods]
impl PyGap {
    #[new]
    #[pyo3(signature = (lifespan = None, window = None))]
    fn new(lifespan: Option<&Bound<'_, PyAny>>, window: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let lifespan = lifespan.map(interval).transpose()?.unwrap_or_default();
        Ok(PyGap { inner: Gap { lifespan, window: window.map(interval).transpose()? } })
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.inner)
    }

    #[getter]
    fn lifespan(&self) -> PyInterval {
        self.inner.lifespan.into()
    }

    #[setter]
    fn set_lifespan(&mut self, v: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.lifespan = interval(v)?;
        Ok(())
    }

    #[getter]
    fn window(&self) -> Option<PyInterval> {
        self.inner.window.map(Into::into)
    }

    #[setter]
    fn set_window(&mut self, v: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.inner.window = v.map(interval).transpose()?;
        Ok(())
    }

    fn __repr__(&self) -> String {
        let w = self.inner.window.map_or("None".to_string(), |w| PyInterval::from(w).__repr__());
        format!("Gap(lifespan={}, window={w})", PyInterval::from(self.inner.lifespan).__repr__())
    }
}

/// A buffer: an id, a lifespan `[lower, upper)`, a size, an alignment,
/// gaps, and optionally a fixed offset and a hint.
#[pyclass(name = "Buffer", module = "minimalloc", eq)]
#[derive(Clone, PartialEq)]
pub struct PyBuffer {
    inner: Buffer,
    /// The memories it may live in, most preferred first (empty: any);
    /// read only when its problem has memories.
    memories: Vec<String>,
    /// What living outside its first memory costs (`None`: its size).
    cost: Option<i64>,
    /// Buffers of one alias share one memory and offset (in-place).
    alias: Option<String>,
}

#[pymethods]
impl PyBuffer {
    #[new]
    #[pyo3(signature = (id = String::new(), lifespan = None, size = 0, alignment = 1, gaps = Vec::new(), offset = None, hint = None, memories = Vec::new(), cost = None, alias = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: String,
        lifespan: Option<&Bound<'_, PyAny>>,
        size: i64,
        alignment: i64,
        gaps: Vec<PyGap>,
        offset: Option<i64>,
        hint: Option<i64>,
        memories: Vec<String>,
        cost: Option<i64>,
        alias: Option<String>,
    ) -> PyResult<Self> {
        let lifespan = lifespan.map(interval).transpose()?.unwrap_or_default();
        let gaps = gaps.into_iter().map(|g| g.inner).collect();
        Ok(PyBuffer { inner: Buffer { id, lifespan, size, alignment, gaps, offset, hint }, memories, cost, alias })
    }

    #[getter]
    fn id(&self) -> String {
        self.inner.id.clone()
    }
    #[setter]
    fn set_id(&mut self, v: String) {
        self.inner.id = v;
    }
    #[getter]
    fn lifespan(&self) -> PyInterval {
        self.inner.lifespan.into()
    }
    #[setter]
    fn set_lifespan(&mut self, v: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.lifespan = interval(v)?;
        Ok(())
    }
    #[getter]
    fn size(&self) -> i64 {
        self.inner.size
    }
    #[setter]
    fn set_size(&mut self, v: i64) {
        self.inner.size = v;
    }
    #[getter]
    fn alignment(&self) -> i64 {
        self.inner.alignment
    }
    #[setter]
    fn set_alignment(&mut self, v: i64) {
        self.inner.alignment = v;
    }
    #[getter]
    fn gaps(&self) -> Vec<PyGap> {
        self.inner.gaps.iter().map(|g| PyGap { inner: g.clone() }).collect()
    }
    #[setter]
    fn set_gaps(&mut self, v: Vec<PyGap>) {
        self.inner.gaps = v.into_iter().map(|g| g.inner).collect();
    }
    #[getter]
    fn offset(&self) -> Option<i64> {
        self.inner.offset
    }
    #[setter]
    fn set_offset(&mut self, v: Option<i64>) {
        self.inner.offset = v;
    }
    #[getter]
    fn hint(&self) -> Option<i64> {
        self.inner.hint
    }
    #[setter]
    fn set_hint(&mut self, v: Option<i64>) {
        self.inner.hint = v;
    }
    /// The memories this buffer may live in, most preferred first (empty:
    /// any, in the problem's order); read only when the problem has memories.
    #[getter]
    fn memories(&self) -> Vec<String> {
        self.memories.clone()
    }
    #[setter]
    fn set_memories(&mut self, v: Vec<String>) {
        self.memories = v;
    }
    /// What living outside its first memory costs (`None`: its size).
    #[getter]
    fn cost(&self) -> Option<i64> {
        self.cost
    }
    #[setter]
    fn set_cost(&mut self, v: Option<i64>) {
        self.cost = v;
    }
    /// Buffers of one alias share one memory and one offset (an operation
    /// that writes its result over its input); read only when the problem
    /// has memories.
    #[getter]
    fn alias(&self) -> Option<String> {
        self.alias.clone()
    }
    #[setter]
    fn set_alias(&mut self, v: Option<String>) {
        self.alias = v;
    }

    /// Size times lifespan length.
    fn area(&self) -> i128 {
        self.inner.area()
    }

    /// How far above this buffer's offset `other` must start when placed
    /// over it, or `None` if they never occupy memory at the same time.
    fn effective_size(&self, other: &PyBuffer) -> Option<i64> {
        let pair = model(&Problem::new(vec![self.inner.clone(), other.inner.clone()], 0));
        pair.buffers[0].effective_size(&pair.buffers[1])
    }

    fn __hash__(&self) -> u64 {
        hash_of(&self.inner)
    }

    fn __repr__(&self) -> String {
        let b = &self.inner;
        let gaps: Vec<String> = self.gaps().iter().map(PyGap::__repr__).collect();
        let opt = |v: Option<i64>| v.map_or("None".to_string(), |x| x.to_string());
        // Upstream's fields always; the memories' only when set.
        let mut extra = String::new();
        if !self.memories.is_empty() {
            let names: Vec<String> = self.memories.iter().map(|m| format!("'{m}'")).collect();
            extra += &format!(", memories=[{}]", names.join(", "));
        }
        if let Some(cost) = self.cost {
            extra += &format!(", cost={cost}");
        }
        if let Some(alias) = &self.alias {
            extra += &format!(", alias='{alias}'");
        }
        format!(
            "Buffer(id='{}', lifespan={}, size={}, alignment={}, gaps=[{}], offset={}, hint={}{extra})",
            b.id,
            PyInterval::from(b.lifespan).__repr__(),
            b.size,
            b.alignment,
            gaps.join(", "),
            opt(b.offset),
            opt(b.hint)
        )
    }
}

/// Buffers and the capacity they must fit in.
#[pyclass(name = "Problem", module = "minimalloc", eq)]
pub struct PyProblem {
    inner: Problem,
    /// The memories, and each buffer's memories and cost (see [`Placement`]).
    placement: Placement,
    /// Solves running on this problem now (in threads that released the
    /// GIL): while there are any, changing it raises `ProblemInUseError`.
    solving: Arc<AtomicUsize>,
}

impl PyProblem {
    fn of(inner: Problem) -> Self {
        PyProblem { inner, placement: Placement::default(), solving: Arc::default() }
    }

    /// Takes `buffers`, their memories and costs (kept only where some
    /// buffer sets them, so that equal problems compare equal however they
    /// were made).
    fn put_buffers(&mut self, buffers: Vec<PyBuffer>) {
        let any = buffers.iter().any(|b| !b.memories.is_empty() || b.cost.is_some() || b.alias.is_some());
        self.placement.choices = if any { buffers.iter().map(|b| b.memories.clone()).collect() } else { Vec::new() };
        self.placement.costs = if any { buffers.iter().map(|b| b.cost).collect() } else { Vec::new() };
        self.placement.aliases = if any { buffers.iter().map(|b| b.alias.clone()).collect() } else { Vec::new() };
        self.inner.buffers = buffers.into_iter().map(|b| b.inner).collect();
    }

    /// Refuses a change while a solve runs on this problem: the solve works
    /// on the problem as it was when it started, and a change would not be
    /// seen by it (nor could the buffers be swapped under it safely).
    fn changeable(&self) -> PyResult<()> {
        match self.solving.load(Ordering::SeqCst) {
            0 => Ok(()),
            _ => Err(ProblemInUseError::new_err(
                "this problem is being solved in another thread: copy it (copy.copy(problem)) to change it meanwhile",
            )),
        }
    }
}

/// A copy is a new problem, which no solve holds.
impl Clone for PyProblem {
    fn clone(&self) -> Self {
        PyProblem { placement: self.placement.clone(), ..PyProblem::of(self.inner.clone()) }
    }
}

impl PartialEq for PyProblem {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner && self.placement == other.placement
    }
}

/// A long call's hold on a problem: the library's copy of it, taken with
/// the Python object borrowed only that long (so other threads may read
/// it meanwhile), and the mark that refuses changes until the call ends.
struct Held {
    problem: Problem,
    /// The problem over its memories, when it declares any.
    memories: Option<minimalloc::MemoryProblem>,
    mark: Arc<AtomicUsize>,
}

impl Held {
    fn of(problem: &Bound<'_, PyProblem>) -> PyResult<Self> {
        let p = problem.try_borrow()?;
        let model = model(&p.inner);
        let memories = p.placement.problem(&model).map_err(ProblemError::new_err)?;
        if let Some(mp) = &memories {
            mp.check().map_err(|e| ProblemError::new_err(e.to_string()))?;
        }
        p.solving.fetch_add(1, Ordering::SeqCst);
        Ok(Held { problem: model, memories, mark: Arc::clone(&p.solving) })
    }

    /// Refuses what a problem over several memories does not support.
    fn one_memory(&self, what: &str) -> PyResult<()> {
        match self.memories {
            Some(_) => Err(PyValueError::new_err(format!("not supported: {what} of a problem with memories"))),
            None => Ok(()),
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.mark.fetch_sub(1, Ordering::SeqCst);
    }
}

#[pymethods]
impl PyProblem {
    #[new]
    #[pyo3(signature = (buffers = Vec::new(), capacity = 0, memories = Vec::new()))]
    fn new(buffers: Vec<PyBuffer>, capacity: i64, memories: Vec<PyMemory>) -> Self {
        let mut p = PyProblem::of(Problem::default());
        p.placement.memories = memories;
        p.put_buffers(buffers);
        p.inner.capacity = capacity;
        p
    }

    fn __copy__(&self) -> Self {
        self.clone()
    }

    fn __deepcopy__(&self, _memo: &Bound<'_, PyAny>) -> Self {
        self.clone()
    }

    /// A copy of the buffers (assign a list to change them).
    #[getter]
    fn buffers(&self) -> Vec<PyBuffer> {
        let placement = &self.placement;
        self.inner
            .buffers
            .iter()
            .enumerate()
            .map(|(b, buffer)| PyBuffer {
                inner: buffer.clone(),
                memories: placement.choices_of(b),
                cost: placement.cost_of(b),
                alias: placement.alias_of(b),
            })
            .collect()
    }
    #[setter]
    fn set_buffers(&mut self, v: Vec<PyBuffer>) -> PyResult<()> {
        self.changeable()?;
        self.put_buffers(v);
        Ok(())
    }
    /// The memories, in the order their heights are minimized after the
    /// cost (empty: one memory of `capacity`, as upstream); capacity `None`
    /// is unbounded.
    #[getter]
    fn memories(&self) -> Vec<PyMemory> {
        self.placement.memories.clone()
    }
    #[setter]
    fn set_memories(&mut self, v: Vec<PyMemory>) -> PyResult<()> {
        self.changeable()?;
        self.placement.memories = v;
        Ok(())
    }
    #[getter]
    fn capacity(&self) -> i64 {
        self.inner.capacity
    }
    #[setter]
    fn set_capacity(&mut self, v: i64) -> PyResult<()> {
        self.changeable()?;
        self.inner.capacity = v;
        Ok(())
    }

    /// Takes the fixed offsets out of the buffers as a Solution, as the
    /// upstream API does; `None` (and the problem unchanged) when a buffer
    /// has no offset.
    fn strip_solution(&mut self) -> PyResult<Option<PySolution>> {
        self.changeable()?;
        let Some(offsets) = self.inner.buffers.iter().map(|b| b.offset).collect::<Option<Vec<i64>>>() else {
            return Ok(None);
        };
        for b in &mut self.inner.buffers {
            b.offset = None;
        }
        let s = Solution::new(&self.inner, offsets);
        Ok(Some(PySolution::from(s)))
    }

    fn __len__(&self) -> usize {
        self.inner.buffers.len()
    }

    fn __hash__(&self) -> u64 {
        hash_of(&(&self.inner.buffers, self.inner.capacity))
    }

    fn __repr__(&self) -> String {
        let bufs: Vec<String> = self.buffers().iter().map(PyBuffer::__repr__).collect();
        let memories: Vec<String> = self.placement.memories.iter().map(PyMemory::__repr__).collect();
        let memories =
            if memories.is_empty() { String::new() } else { format!(", memories=[{}]", memories.join(", ")) };
        format!("Problem(buffers=[{}], capacity={}{memories})", bufs.join(", "), self.inner.capacity)
    }
}

/// One offset per buffer and the height they reach.
#[pyclass(name = "Solution", module = "minimalloc")]
#[derive(Clone)]
pub struct PySolution {
    /// `offsets[i]` is where buffer `i` starts.
    #[pyo3(get, set)]
    offsets: Vec<i64>,
    /// The largest `offset + size` (over memories: the first memory's).
    #[pyo3(get, set)]
    height: i64,
    /// What a plan over several memories adds; `None` for one memory.
    planned: Option<Planned>,
}

impl PySolution {
    fn rust(&self) -> Solution {
        Solution { offsets: self.offsets.clone(), height: self.height }
    }
}

impl From<Solution> for PySolution {
    fn from(s: Solution) -> Self {
        PySolution { offsets: s.offsets, height: s.height, planned: None }
    }
}

#[pymethods]
impl PySolution {
    #[new]
    #[pyo3(signature = (offsets = Vec::new(), height = 0))]
    fn new(offsets: Vec<i64>, height: i64) -> Self {
        PySolution { offsets, height, planned: None }
    }

    /// Over several memories, each buffer's memory by name; `None` for a
    /// one-memory solution.
    #[getter]
    fn memories(&self) -> Option<Vec<String>> {
        self.planned.as_ref().map(|p| p.memory.clone())
    }
    /// Each memory's height, by name, in the memories' order; `None` for
    /// a one-memory solution.
    #[getter]
    fn heights<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, pyo3::types::PyDict>>> {
        self.planned.as_ref().map(|p| memories::heights(py, p)).transpose()
    }
    /// The total cost of the buffers outside their first memory.
    #[getter]
    fn cost(&self) -> Option<i64> {
        self.planned.as_ref().map(|p| p.cost)
    }
    /// A proven lower bound on the least cost.
    #[getter]
    fn cost_lower_bound(&self) -> Option<i64> {
        self.planned.as_ref().map(|p| p.lower_bound)
    }
    /// Whether the cost is proven least.
    #[getter]
    fn optimal(&self) -> Option<bool> {
        self.planned.as_ref().map(|p| p.optimal)
    }

    /// `Solution(offsets=[...], height=...)`, as upstream.
    fn __repr__(&self) -> String {
        format!("{}, height={})", self.rust().to_string().trim_end_matches(')'), self.height)
    }

    /// `Solution(offsets=[...])`: what `print(solution)` shows (the seed's example).
    fn __str__(&self) -> String {
        self.rust().to_string()
    }

    /// Solutions are equal when their offsets are (as upstream).
    fn __eq__(&self, other: &PySolution) -> bool {
        self.offsets == other.offsets
    }

    /// Of the offsets only, as equality compares.
    fn __hash__(&self) -> u64 {
        hash_of(&self.offsets)
    }
}

/// The solver's settings: the technique switches, the preordering
/// heuristics, the time limit, threads, seed and determinism.
#[pyclass(name = "SolverParams", module = "minimalloc")]
#[derive(Clone)]
pub struct PySolverParams {
    inner: SolverParams,
    /// With `Solver.solve`, minimize the capacity instead of solving at it.
    #[pyo3(get, set)]
    minimize_capacity: bool,
    /// The time limit as given, in seconds (`inf`: none), so that it reads
    /// back exactly; `inner.timeout` is made from it.
    timeout_seconds: f64,
    /// Tunables set with `set_tunable`, in order: (key, value as a preset
    /// writes it), applied over the default portfolio at each solve.
    tunables: Vec<(String, String)>,
}

impl Default for PySolverParams {
    fn default() -> Self {
        PySolverParams {
            inner: SolverParams::default(),
            minimize_capacity: false,
            timeout_seconds: f64::INFINITY,
            tunables: Vec::new(),
        }
    }
}

impl PySolverParams {
    /// The options a solve runs with: the default portfolio for these
    /// parameters, with the tunables set over it (each was checked when
    /// it was set).
    fn options(&self) -> PyResult<SolveOptions> {
        let mut opts = SolveOptions::from_params(&self.inner);
        for (key, value) in &self.tunables {
            set_tunable(&mut opts, key, value).map_err(|e| PyValueError::new_err(format!("tunable {e}")))?;
        }
        Ok(opts)
    }
}

/// A tunable's value from Python, written as a preset writes it: a bool,
/// an int, a time (`"150ms"`), or a list of times (`["1s", "2s"]`).
fn tunable_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = value.downcast::<pyo3::types::PyBool>() {
        return Ok(b.is_true().to_string());
    }
    if let Ok(i) = value.extract::<i64>() {
        return Ok(i.to_string());
    }
    if let Ok(s) = value.extract::<String>() {
        return Ok(s);
    }
    if let Ok(items) = value.extract::<Vec<String>>() {
        let quoted: Vec<String> = items.iter().map(|t| format!("{:?}", t)).collect();
        return Ok(format!("[{}]", quoted.join(", ")));
    }
    Err(PyTypeError::new_err("a tunable's value is a bool, an int, a time such as '150ms', or a list of times"))
}

/// Seconds from a Duration, a number, a timedelta, or None (infinite).
fn seconds(obj: Option<&Bound<'_, PyAny>>) -> PyResult<f64> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(f64::INFINITY);
    };
    let secs = if let Ok(d) = obj.extract::<PyDuration>() {
        d.seconds
    } else if let Ok(s) = obj.extract::<f64>() {
        s
    } else if let Ok(s) = obj.call_method0("total_seconds").and_then(|t| t.extract::<f64>()) {
        s
    } else {
        return Err(PyTypeError::new_err("timeout must be a Duration, seconds (a number), a timedelta, or None"));
    };
    Ok(secs)
}

#[pymethods]
impl PySolverParams {
    #[new]
    #[pyo3(signature = (**kwargs))]
    fn new(kwargs: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<Self> {
        let mut p = PySolverParams::default();
        if let Some(kwargs) = kwargs {
            let obj = Bound::new(kwargs.py(), p.clone())?;
            for (k, v) in kwargs.iter() {
                obj.setattr(k.extract::<String>()?.as_str(), v)?;
            }
            p = obj.borrow().clone();
        }
        Ok(p)
    }

    // The technique switches are properties added at import from
    // the switch table: see `add_switch_properties`.

    /// Sets one tunable, named as docs/tunables.md lists it (`slice`,
    /// `lns.band`, `minimize.bound_share`), to a bool, an int, a time
    /// (`"150ms"`) or a list of times; raises ValueError for an unknown
    /// name or a value out of range, as a preset would.
    fn set_tunable(&mut self, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let text = tunable_text(value)?;
        let mut check = SolveOptions::from_params(&self.inner);
        set_tunable(&mut check, key, &text).map_err(|e| PyValueError::new_err(format!("tunable {e}")))?;
        self.tunables.retain(|(k, _)| k != key);
        self.tunables.push((key.to_string(), text));
        Ok(())
    }

    /// The tunables set so far, by name, as a preset would write them.
    #[getter]
    fn tunables(&self) -> std::collections::BTreeMap<String, String> {
        self.tunables.iter().cloned().collect()
    }

    /// The time limit, a Duration (`Duration.infinite()`: none); set it to
    /// a Duration, seconds, a timedelta, or None.
    #[getter]
    fn timeout(&self) -> PyDuration {
        PyDuration { seconds: self.timeout_seconds }
    }
    #[setter]
    fn set_timeout(&mut self, v: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let secs = seconds(v)?;
        // The rule every front end applies: 0 or more seconds, or none.
        self.inner.timeout = time_limit(secs).map_err(|e| PyValueError::new_err(format!("timeout {e}")))?;
        self.timeout_seconds = secs;
        Ok(())
    }

    /// Static preorderings such as ["WAT", "TAW", "TWA"].
    #[getter]
    fn preordering_heuristics(&self) -> Vec<String> {
        self.inner.preordering_heuristics.iter().map(Heuristic::to_string).collect()
    }
    #[setter]
    fn set_preordering_heuristics(&mut self, v: Vec<String>) -> PyResult<()> {
        self.inner.preordering_heuristics = parse_heuristics(&v.join(","))
            .map_err(|e| PyValueError::new_err(format!("preordering_heuristics: {e}")))?;
        Ok(())
    }

    /// Worker threads, 1 to 256: 1 runs the reference's sequential
    /// algorithm, more the parallel portfolio; None (the default) one per
    /// core.
    #[getter]
    fn threads(&self) -> Option<usize> {
        (self.inner.threads != 0).then_some(self.inner.threads)
    }
    #[setter]
    fn set_threads(&mut self, v: Option<i64>) -> PyResult<()> {
        self.inner.threads = match v {
            None => 0,
            Some(n) => check_threads(i128::from(n)).map_err(|e| PyValueError::new_err(format!("threads {e}")))?,
        };
        Ok(())
    }
    #[getter]
    fn seed(&self) -> u64 {
        self.inner.seed
    }
    #[setter]
    fn set_seed(&mut self, v: u64) {
        self.inner.seed = v;
    }
    #[getter]
    fn deterministic(&self) -> bool {
        self.inner.deterministic
    }
    #[setter]
    fn set_deterministic(&mut self, v: bool) {
        self.inner.deterministic = v;
    }

    fn __repr__(&self) -> String {
        let p = &self.inner;
        format!(
            "SolverParams(timeout={}, preordering_heuristics={:?}, threads={}, seed={}, deterministic={}, minimize_capacity={}, switches={{{}}})",
            if self.timeout_seconds == f64::INFINITY { "None".to_string() } else { format!("{:?}", self.timeout_seconds) },
            self.preordering_heuristics(),
            self.threads().map_or_else(|| "None".to_string(), |t| t.to_string()),
            p.seed,
            p.deterministic,
            self.minimize_capacity,
            p.switches.iter().map(|(s, on)| format!("{s}: {on}")).collect::<Vec<_>>().join(", ")
        )
    }
}

/// How far a capacity minimization got.
#[pyclass(name = "MinimizeStatus", module = "minimalloc", eq, eq_int, hash, frozen)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms)]
pub enum PyMinimizeStatus {
    /// The height equals the proven lower bound.
    OPTIMAL,
    /// A solution exists, but a gap to the lower bound remains.
    FEASIBLE,
    /// No solution was found in time.
    UNKNOWN,
    /// Not even the given capacity fits.
    INFEASIBLE,
}

/// The result of a capacity minimization.
#[pyclass(name = "MinimizeResult", module = "minimalloc", frozen)]
pub struct PyMinimizeResult {
    /// The best solution found, or None.
    #[pyo3(get)]
    solution: Option<PySolution>,
    /// Its height (the capacity it needs), or None.
    #[pyo3(get)]
    height: Option<i64>,
    /// A proven lower bound on the smallest capacity.
    #[pyo3(get)]
    lower_bound: i64,
    /// OPTIMAL, FEASIBLE, UNKNOWN or INFEASIBLE.
    #[pyo3(get)]
    status: PyMinimizeStatus,
    /// With no solution within a given capacity: the height of the lowest
    /// packing found above it (not an answer), or None.
    #[pyo3(get)]
    above_capacity: Option<i64>,
}

#[pymethods]
impl PyMinimizeResult {
    fn __repr__(&self) -> String {
        let status = match self.status {
            PyMinimizeStatus::OPTIMAL => "OPTIMAL",
            PyMinimizeStatus::FEASIBLE => "FEASIBLE",
            PyMinimizeStatus::UNKNOWN => "UNKNOWN",
            PyMinimizeStatus::INFEASIBLE => "INFEASIBLE",
        };
        format!("MinimizeResult(status={status}, height={:?}, lower_bound={})", self.height, self.lower_bound)
    }
}

/// Solves problems; `cancel()` from another thread stops a running solve.
#[pyclass(name = "Solver", module = "minimalloc", frozen)]
pub struct PySolver {
    params: PySolverParams,
    cancel: Arc<AtomicBool>,
    /// The latest solve's backtracks, over every worker and probe.
    backtracks: AtomicU64,
    /// The reference's count for the latest solve.
    reference: Mutex<Reference>,
}

impl PySolver {
    /// Records the latest solve of `problem`: its own backtracks, and the
    /// reference's count, known when that search ran alone and searched.
    fn record(&self, backtracks: u64, by_reference: bool, infeasible: bool, problem: Problem) {
        self.backtracks.store(backtracks, Ordering::SeqCst);
        let known = by_reference && !(infeasible && backtracks == 0);
        let reference = if known { Reference::Known(backtracks) } else { Reference::Pending(problem, infeasible) };
        *self.reference.lock().unwrap_or_else(PoisonError::into_inner) = reference;
    }

    /// A plan of the problem over memories `mp`: the least-cost assignment
    /// of buffers to memories, each memory packed (validated by the engine).
    fn plan_inner(
        &self,
        py: Python<'_>,
        mp: &minimalloc::MemoryProblem,
        raise_on_failure: bool,
    ) -> PyResult<Option<PySolution>> {
        let opts = self.params.options()?;
        self.cancel.store(false, Ordering::SeqCst);
        let flag = StopToken::from_flag(Arc::clone(&self.cancel));
        let stop = flag.child_until(opts.params.timeout.and_then(|t| Instant::now().checked_add(t)));
        let result = interruptible(py, &self.cancel, || minimalloc::spill::plan(mp, &opts, &stop))?;
        self.record(0, false, false, Problem::default());
        match result.map_err(solve_error)? {
            PlanOutcome::Planned(plan) => Ok(Some(memories::solution(mp, plan))),
            PlanOutcome::Infeasible(why) if raise_on_failure => Err(InfeasibleError::new_err(why)),
            PlanOutcome::Stopped(ended) if raise_on_failure => Err(outcome_error(&ended)),
            _ => Ok(None),
        }
    }

    /// A minimization of the problem `held`.
    fn minimize_inner(&self, py: Python<'_>, held: Held) -> PyResult<PyMinimizeResult> {
        held.one_memory("minimize_capacity")?;
        let opts = self.params.options()?;
        self.cancel.store(false, Ordering::SeqCst);
        let cancel = Arc::clone(&self.cancel);
        let result = interruptible(py, &self.cancel, || minimize_with(&held.problem, &opts, cancel, &|_| {}))?;
        let problem = held.problem.clone();
        let m = match result {
            Ok(m) => m,
            Err(e) => {
                self.record(0, true, false, problem);
                return Err(solve_error(e));
            }
        };
        let status = match m.status {
            MinimizeStatus::Optimal => PyMinimizeStatus::OPTIMAL,
            MinimizeStatus::Feasible => PyMinimizeStatus::FEASIBLE,
            MinimizeStatus::Unknown => PyMinimizeStatus::UNKNOWN,
            MinimizeStatus::Infeasible => PyMinimizeStatus::INFEASIBLE,
        };
        // Upstream's count here is that of its own bisection's solves, which
        // this minimization does not repeat: its probes' count stands in.
        self.record(m.backtracks, true, status == PyMinimizeStatus::INFEASIBLE, problem);
        Ok(PyMinimizeResult {
            height: m.solution.as_ref().map(|s| s.height),
            solution: m.solution.map(Into::into),
            lower_bound: m.lower_bound,
            status,
            above_capacity: m.above_capacity,
        })
    }
}

#[pymethods]
impl PySolver {
    #[new]
    #[pyo3(signature = (params = None))]
    fn new(params: Option<PySolverParams>) -> Self {
        PySolver {
            params: params.unwrap_or_default(),
            cancel: Arc::new(AtomicBool::new(false)),
            backtracks: AtomicU64::new(0),
            reference: Mutex::new(Reference::Known(0)),
        }
    }

    /// The settings (a copy).
    #[getter]
    fn params(&self) -> PySolverParams {
        self.params.clone()
    }

    /// Offsets for every buffer within `problem.capacity`, or `None` when
    /// there is no solution (proven infeasible, time limit, cancel, or a
    /// search that could neither find nor rule one out), as upstream. With
    /// `raise_on_failure=True` those raise InfeasibleError,
    /// SolveTimeoutError, CancelledError or UnknownError instead. A problem
    /// that breaks the model raises ProblemError either way. With
    /// `params.minimize_capacity`, the best solution of a minimization
    /// (see `minimize_capacity`).
    #[pyo3(signature = (problem, *, raise_on_failure = false))]
    fn solve(
        &self,
        py: Python<'_>,
        problem: &Bound<'_, PyProblem>,
        raise_on_failure: bool,
    ) -> PyResult<Option<PySolution>> {
        let held = Held::of(problem)?;
        if let Some(mp) = &held.memories {
            if self.params.minimize_capacity {
                held.one_memory("minimize_capacity (a plan already minimizes each memory's height after the cost)")?;
            }
            return self.plan_inner(py, mp, raise_on_failure);
        }
        if self.params.minimize_capacity {
            let m = self.minimize_inner(py, held)?;
            if m.solution.is_some() || !raise_on_failure {
                return Ok(m.solution);
            }
            return Err(match m.status {
                PyMinimizeStatus::INFEASIBLE => InfeasibleError::new_err("no packing fits in the given capacity"),
                _ => SolveTimeoutError::new_err("time limit reached with no solution"),
            });
        }
        let solver = minimalloc::Solver::with_options(self.params.options()?);
        // cancel() raises our flag, which the solve's token watches.
        self.cancel.store(false, Ordering::SeqCst);
        let stop = StopToken::from_flag(Arc::clone(&self.cancel));
        let result = interruptible(py, &self.cancel, || solver.solve_with_stop(&held.problem, &stop))?;
        let infeasible = matches!(result, Ok(Outcome::Infeasible { .. }));
        let by_reference = solver.driver() == Some(minimalloc::Driver::RoundRobin);
        self.record(solver.backtracks(), by_reference, infeasible, held.problem.clone());
        match result.map_err(solve_error)? {
            Outcome::Solved(s) => Ok(Some(s.into())),
            ended if raise_on_failure => Err(outcome_error(&ended)),
            _ => Ok(None),
        }
    }

    /// Smallest capacity that fits, with a proof when possible (the
    /// problem's capacity, if positive, is an upper bound). Reports a
    /// status instead of raising.
    fn minimize_capacity(&self, py: Python<'_>, problem: &Bound<'_, PyProblem>) -> PyResult<PyMinimizeResult> {
        self.minimize_inner(py, Held::of(problem)?)
    }

    /// Stops a solve running in another thread.
    fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Backtracks of the latest solve as upstream counts them: those of
    /// the reference's sequential search. With `threads=1` that is the
    /// solve's own search; after a solve by the portfolio, or a proof by
    /// a bound before any search, the reference's search runs on the first
    /// call to count them (for at most a second, or the time limit if
    /// shorter: the count so far), and a proof counts at least 1. After a
    /// minimization, its probes' backtracks.
    fn get_backtracks(&self, py: Python<'_>) -> PyResult<u64> {
        // Not held while counting: the GIL is released then, and another
        // thread holding it could be waiting for the lock.
        let (problem, infeasible) = match &*self.reference.lock().unwrap_or_else(PoisonError::into_inner) {
            Reference::Known(n) => return Ok(*n),
            Reference::Pending(problem, infeasible) => (problem.clone(), *infeasible),
        };
        let params = SolverParams { threads: 1, ..self.params.inner.clone() };
        let budget = params.timeout.map_or(REFERENCE_COUNT_LIMIT, |t| t.min(REFERENCE_COUNT_LIMIT));
        self.cancel.store(false, Ordering::SeqCst);
        let stop = StopToken::from_flag(Arc::clone(&self.cancel)).child_until(Instant::now().checked_add(budget));
        let n = interruptible(py, &self.cancel, || minimalloc::solver::reference_backtracks(&problem, &params, &stop))?;
        let n = if infeasible { n.max(1) } else { n };
        *self.reference.lock().unwrap_or_else(PoisonError::into_inner) = Reference::Known(n);
        Ok(n)
    }

    /// Backtracks of the latest solve itself: over every worker of the
    /// portfolio (which depends on how its threads were scheduled) and
    /// every probe of a minimization; 0 when a bound settled it.
    fn backtracks(&self) -> u64 {
        self.backtracks.load(Ordering::SeqCst)
    }

    /// A minimal set of buffer indices that is infeasible on its own (the
    /// reference's deletion filter). As upstream, every index when the
    /// whole problem fits, and `None` when a time limit or cancel stops
    /// it; with `raise_on_failure=True` those raise ValueError and the
    /// solve's error instead.
    #[pyo3(signature = (problem, *, raise_on_failure = false))]
    fn compute_irreducible_infeasible_subset(
        &self,
        py: Python<'_>,
        problem: &Bound<'_, PyProblem>,
        raise_on_failure: bool,
    ) -> PyResult<Option<Vec<usize>>> {
        let mut params = self.params.inner.clone();
        params.threads = 1;
        let solver = minimalloc::Solver::new(params);
        let held = Held::of(problem)?;
        held.one_memory("an infeasible subset")?;
        let problem = &held.problem;
        self.cancel.store(false, Ordering::SeqCst);
        let stop = StopToken::from_flag(Arc::clone(&self.cancel));
        let result =
            interruptible(py, &self.cancel, || solver.irreducible_infeasible_subset_with_stop(problem, &stop))?;
        self.record(solver.backtracks(), true, false, Problem::default());
        match result.map_err(solve_error)? {
            InfeasibleSubset::Subset(subset) => Ok(Some(subset)),
            InfeasibleSubset::Feasible if raise_on_failure => {
                Err(PyValueError::new_err("the problem is feasible: it has no infeasible subset"))
            }
            InfeasibleSubset::Feasible => Ok(Some((0..problem.buffers.len()).collect())),
            InfeasibleSubset::Undecided(ended) if raise_on_failure => Err(outcome_error(&ended)),
            InfeasibleSubset::Undecided(_) => Ok(None),
        }
    }
}

/// The verdict of `validate` (the upstream enum).
#[pyclass(name = "ValidationResult", module = "minimalloc", eq, eq_int, hash, frozen)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[allow(clippy::upper_case_acronyms, non_camel_case_types)]
pub enum PyValidationResult {
    /// A valid solution.
    GOOD,
    /// Not one offset per buffer.
    BAD_SOLUTION,
    /// A fixed buffer was moved.
    BAD_FIXED,
    /// An offset outside `[0, capacity - size]`.
    BAD_OFFSET,
    /// Two buffers share memory at some moment.
    BAD_OVERLAP,
    /// A misaligned offset.
    BAD_ALIGNMENT,
    /// A wrong height.
    BAD_HEIGHT,
}

/// Checks a solution; returns ValidationResult.GOOD or what is wrong.
#[pyfunction]
fn validate(problem: &PyProblem, solution: &PySolution) -> PyResult<PyValidationResult> {
    if let Some(mp) = problem.placement.problem(&model(&problem.inner)).map_err(ProblemError::new_err)? {
        return Ok(memories::validate(&mp, solution));
    }
    Ok(verdict(minimalloc::validate::validate(&model(&problem.inner), &solution.rust())))
}

/// The enum value of a validator's answer.
fn verdict(checked: Result<(), ValidationError>) -> PyValidationResult {
    match checked {
        Ok(()) => PyValidationResult::GOOD,
        Err(ValidationError::BadSolution { .. }) => PyValidationResult::BAD_SOLUTION,
        Err(ValidationError::BadFixed { .. }) => PyValidationResult::BAD_FIXED,
        Err(ValidationError::BadOffset { .. }) => PyValidationResult::BAD_OFFSET,
        Err(ValidationError::BadOverlap { .. }) => PyValidationResult::BAD_OVERLAP,
        Err(ValidationError::BadAlignment { .. }) => PyValidationResult::BAD_ALIGNMENT,
        Err(ValidationError::BadHeight { .. }) => PyValidationResult::BAD_HEIGHT,
    }
}

/// Why a solution is invalid, as a sentence (None if it is valid).
#[pyfunction]
fn explain(problem: &PyProblem, solution: &PySolution) -> PyResult<Option<String>> {
    if let Some(mp) = problem.placement.problem(&model(&problem.inner)).map_err(ProblemError::new_err)? {
        return Ok(memories::explain(&mp, solution));
    }
    Ok(minimalloc::validate::validate(&model(&problem.inner), &solution.rust()).err().map(|e| e.to_string()))
}

/// Reads a problem from CSV text (capacity 0), as upstream's reader takes
/// it (ids need not be unique; gaps may reach past the lifespan). `None`
/// when the text is malformed; with `raise_on_failure=True`, CsvError
/// (naming the line and column) instead.
#[pyfunction]
#[pyo3(signature = (input, *, raise_on_failure = false))]
fn from_csv(input: &str, raise_on_failure: bool) -> PyResult<Option<PyProblem>> {
    parsed(read_csv_with(input.as_bytes(), Path::new("<input>"), UPSTREAM_READ), raise_on_failure)
}

/// `from_csv` of a file: `None` (or CsvError) when it is malformed, and
/// OSError when it cannot be read either way.
#[pyfunction]
#[pyo3(signature = (path, *, raise_on_failure = false))]
fn from_csv_file(path: std::path::PathBuf, raise_on_failure: bool) -> PyResult<Option<PyProblem>> {
    let file = std::fs::File::open(&path).map_err(PyErr::from)?;
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    parsed(read_csv_with(reader, &path, UPSTREAM_READ), raise_on_failure)
}

/// What `from_csv` returns for a reading.
fn parsed(
    result: Result<minimalloc::io::Parsed, minimalloc::error::CsvError>,
    raise_on_failure: bool,
) -> PyResult<Option<PyProblem>> {
    match result {
        Ok(p) => Ok(Some(PyProblem::of(p.problem))),
        Err(e) if raise_on_failure => Err(CsvError::new_err(e.to_string())),
        Err(_) => Ok(None),
    }
}

/// The time columns `old_format` asks for.
fn time_columns(old_format: bool) -> TimeColumns {
    if old_format {
        TimeColumns::StartEnd
    } else {
        TimeColumns::LowerUpper
    }
}

/// The problem (and a solution's offsets) as CSV text; `old_format=True`
/// writes upstream's old `start,end` columns (inclusive ends).
#[pyfunction]
#[pyo3(signature = (problem, solution = None, old_format = false))]
fn to_csv(problem: &PyProblem, solution: Option<&PySolution>, old_format: bool) -> PyResult<String> {
    fits(problem, solution)?;
    if let Some((s, planned)) = solution.and_then(|s| Some((s, s.planned.as_ref()?))) {
        let mut out = Vec::new();
        plan_csv(&mut out, problem, s, planned, old_format)?;
        return String::from_utf8(out).map_err(|e| PyValueError::new_err(e.to_string()));
    }
    Ok(minimalloc::io::to_csv_as(&problem.inner, solution.map(PySolution::rust).as_ref(), time_columns(old_format)))
}

/// A plan over memories as CSV: the problem's columns, then `memory` and
/// `offset` (the command line's output with `--spill` or `--memory`).
fn plan_csv<W: std::io::Write>(
    out: W,
    problem: &PyProblem,
    solution: &PySolution,
    planned: &Planned,
    old_format: bool,
) -> PyResult<()> {
    if old_format {
        return Err(PyValueError::new_err("not supported: old_format for a solution over memories"));
    }
    let names: Vec<&str> = planned.memory.iter().map(String::as_str).collect();
    minimalloc::io::write_plan_csv(out, &problem.inner, &names, &solution.offsets)
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Refuses a solution without one offset per buffer, in the words of the
/// library's writer (and the C API's).
fn fits(problem: &PyProblem, solution: Option<&PySolution>) -> PyResult<()> {
    match solution.map(|s| s.rust().matches(&problem.inner)) {
        Some(Err(why)) => Err(PyValueError::new_err(why)),
        _ => Ok(()),
    }
}

/// Writes `to_csv` to a file, atomically.
#[pyfunction]
#[pyo3(signature = (path, problem, solution = None, old_format = false))]
fn to_csv_file(
    path: std::path::PathBuf,
    problem: &PyProblem,
    solution: Option<&PySolution>,
    old_format: bool,
) -> PyResult<()> {
    fits(problem, solution)?;
    if let Some((s, planned)) = solution.and_then(|s| Some((s, s.planned.as_ref()?))) {
        return minimalloc::io::write_file_atomic(&path, |f| {
            plan_csv(f, problem, s, planned, old_format).map_err(|e| std::io::Error::other(e.to_string()))
        })
        .map_err(|e| match e {
            minimalloc::error::IoError::File { error, .. } => PyErr::from(error),
            other => PyValueError::new_err(other.to_string()),
        });
    }
    let solution = solution.map(PySolution::rust);
    minimalloc::io::write_csv_file_as(&path, &problem.inner, solution.as_ref(), time_columns(old_format)).map_err(|e| {
        match e {
            minimalloc::error::IoError::File { error, .. } => PyErr::from(error),
            other => PyValueError::new_err(other.to_string()),
        }
    })
}

/// A section span as Python gets it: `((first, past), (window lower, upper))`.
type RawSpan = ((usize, usize), (i64, i64));
/// One buffer's sweep data: its spans and its `(buffer, effective size)` overlaps.
type RawBufferData = (Vec<RawSpan>, Vec<(usize, i64)>);
/// The sweep as plain values: sections, `(buffers, (first, past))`
/// partitions, and every buffer's data.
type RawSweep = (Vec<Vec<usize>>, Vec<(Vec<usize>, (usize, usize))>, Vec<RawBufferData>);

/// The sweep of a problem as plain values, for the Python classes of
/// `minimalloc._sweep`.
#[pyfunction]
#[pyo3(name = "_sweep_data")]
fn sweep_data(py: Python<'_>, problem: &PyProblem) -> RawSweep {
    let problem = model(&problem.inner);
    let sweep = py.allow_threads(|| minimalloc::sweep::sweep(&problem));
    let partitions =
        sweep.partitions.iter().map(|p| (p.buffers.clone(), (p.sections.lower, p.sections.upper))).collect();
    let data = sweep
        .buffer_data
        .iter()
        .map(|d| {
            let spans =
                d.spans.iter().map(|s| ((s.range.lower, s.range.upper), (s.window.lower, s.window.upper))).collect();
            (spans, d.overlaps.iter().map(|o| (o.buffer, o.effective_size)).collect())
        })
        .collect();
    (sweep.sections(), partitions, data)
}

/// A sweep point as Python gets it: buffer, time, whether it is a start,
/// window, and whether it is the buffer's first start or last end.
type RawPoint = (usize, i64, bool, (i64, i64), bool);

/// The sweep's points of a problem as plain values, for `create_points`.
#[pyfunction]
#[pyo3(name = "_points_data")]
fn points_data(problem: &PyProblem) -> Vec<RawPoint> {
    minimalloc::sweep::points(&model(&problem.inner))
        .into_iter()
        .map(|p| (p.buffer, p.time, p.kind == Kind::Left, (p.window.lower, p.window.upper), p.endpoint))
        .collect()
}

/// The command line, as `python -m minimalloc` runs it; returns the exit code.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<String>) -> i32 {
    let args: Vec<OsString> = argv.into_iter().map(OsString::from).collect();
    py.allow_threads(|| minimalloc_cli::run_with(args))
}

/// The extension module.
/// Makes each row of the switch table a property of `SolverParams`, named
/// and documented as the table says, so that no switch is spelled here.
fn add_switch_properties(py: Python<'_>) -> PyResult<()> {
    let class = py.get_type::<PySolverParams>();
    let property = py.import("builtins")?.getattr("property")?;
    for switch in Switch::ALL {
        let get = PyCFunction::new_closure(py, None, None, move |args, _| -> PyResult<bool> {
            let this: PyRef<'_, PySolverParams> = args.get_item(0)?.extract()?;
            Ok(this.inner.switches.get(switch))
        })?;
        let set = PyCFunction::new_closure(py, None, None, move |args, _| -> PyResult<()> {
            let mut this: PyRefMut<'_, PySolverParams> = args.get_item(0)?.extract()?;
            let on: bool = args.get_item(1)?.extract()?;
            this.inner.switches.set(switch, on);
            Ok(())
        })?;
        class.setattr(switch.name(), property.call1((get, set, py.None(), switch.help()))?)?;
    }
    Ok(())
}

#[pymodule]
fn _minimalloc(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyInterval>()?;
    m.add_class::<PyDuration>()?;
    m.add("Lifespan", py.get_type::<PyInterval>())?;
    m.add("Window", py.get_type::<PyInterval>())?;
    m.add("SectionRange", py.get_type::<PyInterval>())?;
    m.add_class::<PyGap>()?;
    m.add_class::<PyMemory>()?;
    m.add_class::<PyBuffer>()?;
    m.add_class::<PyProblem>()?;
    m.add_class::<PySolution>()?;
    m.add_class::<PySolverParams>()?;
    add_switch_properties(py)?;
    m.add("SWITCHES", Switch::ALL.map(Switch::name).to_vec())?;
    m.add_class::<PySolver>()?;
    m.add_class::<PyMinimizeStatus>()?;
    m.add_class::<PyMinimizeResult>()?;
    m.add_class::<PyValidationResult>()?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(from_csv, m)?)?;
    m.add_function(wrap_pyfunction!(from_csv_file, m)?)?;
    m.add_function(wrap_pyfunction!(to_csv, m)?)?;
    m.add_function(wrap_pyfunction!(to_csv_file, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_data, m)?)?;
    m.add_function(wrap_pyfunction!(points_data, m)?)?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add("MiniMallocError", py.get_type::<MiniMallocError>())?;
    m.add("InfeasibleError", py.get_type::<InfeasibleError>())?;
    m.add("SolveTimeoutError", py.get_type::<SolveTimeoutError>())?;
    m.add("CancelledError", py.get_type::<CancelledError>())?;
    m.add("UnknownError", py.get_type::<UnknownError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("CsvError", py.get_type::<CsvError>())?;
    m.add("ProblemError", py.get_type::<ProblemError>())?;
    m.add("ProblemInUseError", py.get_type::<ProblemInUseError>())?;
    m.add("__version__", minimalloc::VERSION)?;
    // The git commit of the build, as `minimalloc --version` prints it.
    m.add("__commit__", minimalloc::COMMIT)?;
    Ok(())
}
