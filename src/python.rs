//! Python bindings (the `minimalloc._minimalloc` extension module), built by
//! maturin with the `python` cargo feature. The names follow the upstream
//! package's API; `python/minimalloc/__init__.py` re-exports them.
//!
//! Values are copied between Python and Rust (like the upstream bindings,
//! where `problem.buffers` returns a new list): change a buffer and assign
//! the list back. Solving releases the GIL, so other Python threads run
//! meanwhile and may call `Solver.cancel()`.

use std::ffi::OsString;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PySet};

use crate::error::SolveError;
use crate::minimize::{minimize_with, MinimizeStatus};
use crate::params::{parse_heuristics, Heuristic, SolverParams, MAX_THREADS};
use crate::portfolio::PortfolioOptions;
use crate::problem::{Buffer, Gap, Interval, Problem, Solution};
use crate::stop::StopToken;
use crate::switches::Switch;
use crate::validate::ValidationError;

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

fn solve_error(e: SolveError) -> PyErr {
    match e {
        SolveError::Infeasible { .. } => InfeasibleError::new_err(e.to_string()),
        SolveError::Timeout => SolveTimeoutError::new_err(e.to_string()),
        SolveError::Cancelled => CancelledError::new_err(e.to_string()),
        SolveError::Unknown(_) => UnknownError::new_err(e.to_string()),
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
    #[pyo3(signature = (lifespan, window = None))]
    fn new(lifespan: &Bound<'_, PyAny>, window: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(PyGap { inner: Gap { lifespan: interval(lifespan)?, window: window.map(interval).transpose()? } })
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
}

#[pymethods]
impl PyBuffer {
    #[new]
    #[pyo3(signature = (id = String::new(), lifespan = None, size = 0, alignment = 1, gaps = Vec::new(), offset = None, hint = None))]
    fn new(
        id: String,
        lifespan: Option<&Bound<'_, PyAny>>,
        size: i64,
        alignment: i64,
        gaps: Vec<PyGap>,
        offset: Option<i64>,
        hint: Option<i64>,
    ) -> PyResult<Self> {
        let lifespan = lifespan.map(interval).transpose()?.unwrap_or_default();
        let gaps = gaps.into_iter().map(|g| g.inner).collect();
        Ok(PyBuffer { inner: Buffer { id, lifespan, size, alignment, gaps, offset, hint } })
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

    /// Size times lifespan length.
    fn area(&self) -> i128 {
        self.inner.area()
    }

    /// How far above this buffer's offset `other` must start when placed
    /// over it, or `None` if they never occupy memory at the same time.
    fn effective_size(&self, other: &PyBuffer) -> Option<i64> {
        self.inner.effective_size(&other.inner)
    }

    fn __repr__(&self) -> String {
        let b = &self.inner;
        let gaps: Vec<String> = self.gaps().iter().map(PyGap::__repr__).collect();
        let opt = |v: Option<i64>| v.map_or("None".to_string(), |x| x.to_string());
        format!(
            "Buffer(id='{}', lifespan={}, size={}, alignment={}, gaps=[{}], offset={}, hint={})",
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
#[derive(Clone, PartialEq)]
pub struct PyProblem {
    inner: Problem,
}

#[pymethods]
impl PyProblem {
    #[new]
    #[pyo3(signature = (buffers = Vec::new(), capacity = 0))]
    fn new(buffers: Vec<PyBuffer>, capacity: i64) -> Self {
        PyProblem { inner: Problem::new(buffers.into_iter().map(|b| b.inner).collect(), capacity) }
    }

    /// A copy of the buffers (assign a list to change them).
    #[getter]
    fn buffers(&self) -> Vec<PyBuffer> {
        self.inner.buffers.iter().map(|b| PyBuffer { inner: b.clone() }).collect()
    }
    #[setter]
    fn set_buffers(&mut self, v: Vec<PyBuffer>) {
        self.inner.buffers = v.into_iter().map(|b| b.inner).collect();
    }
    #[getter]
    fn capacity(&self) -> i64 {
        self.inner.capacity
    }
    #[setter]
    fn set_capacity(&mut self, v: i64) {
        self.inner.capacity = v;
    }

    /// Takes the fixed offsets out of the buffers as a Solution (every
    /// buffer must have one), as the upstream API does.
    fn strip_solution(&mut self) -> PyResult<PySolution> {
        let offsets: Option<Vec<i64>> = self.inner.buffers.iter().map(|b| b.offset).collect();
        let offsets = offsets.ok_or_else(|| PyValueError::new_err("a buffer has no offset"))?;
        for b in &mut self.inner.buffers {
            b.offset = None;
        }
        let s = Solution::new(&self.inner, offsets);
        Ok(PySolution { offsets: s.offsets, height: s.height })
    }

    fn __len__(&self) -> usize {
        self.inner.buffers.len()
    }

    fn __repr__(&self) -> String {
        let bufs: Vec<String> = self.buffers().iter().map(PyBuffer::__repr__).collect();
        format!("Problem(buffers=[{}], capacity={})", bufs.join(", "), self.inner.capacity)
    }
}

/// One offset per buffer and the height they reach.
#[pyclass(name = "Solution", module = "minimalloc")]
#[derive(Clone)]
pub struct PySolution {
    /// `offsets[i]` is where buffer `i` starts.
    #[pyo3(get, set)]
    offsets: Vec<i64>,
    /// The largest `offset + size`.
    #[pyo3(get, set)]
    height: i64,
}

impl PySolution {
    fn rust(&self) -> Solution {
        Solution { offsets: self.offsets.clone(), height: self.height }
    }
}

impl From<Solution> for PySolution {
    fn from(s: Solution) -> Self {
        PySolution { offsets: s.offsets, height: s.height }
    }
}

#[pymethods]
impl PySolution {
    #[new]
    #[pyo3(signature = (offsets = Vec::new(), height = 0))]
    fn new(offsets: Vec<i64>, height: i64) -> Self {
        PySolution { offsets, height }
    }

    fn __repr__(&self) -> String {
        self.rust().to_string()
    }

    /// Solutions are equal when their offsets are (as upstream).
    fn __eq__(&self, other: &PySolution) -> bool {
        self.offsets == other.offsets
    }
}

/// The solver's settings: the nine technique switches, the preordering
/// heuristics, the time limit, threads, seed and determinism.
#[pyclass(name = "SolverParams", module = "minimalloc")]
#[derive(Clone)]
pub struct PySolverParams {
    inner: SolverParams,
    /// With `Solver.solve`, minimize the capacity instead of solving at it.
    #[pyo3(get, set)]
    minimize_capacity: bool,
}

/// Seconds as a Duration, from a float, an int, a timedelta or None.
fn duration(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Duration>> {
    let Some(obj) = obj else { return Ok(None) };
    if obj.is_none() {
        return Ok(None);
    }
    let secs = if let Ok(s) = obj.extract::<f64>() {
        s
    } else if let Ok(s) = obj.call_method0("total_seconds").and_then(|t| t.extract::<f64>()) {
        s
    } else {
        return Err(PyTypeError::new_err("timeout must be seconds (a number), a timedelta, or None"));
    };
    if secs.is_infinite() && secs > 0.0 {
        return Ok(None);
    }
    Duration::try_from_secs_f64(secs).map(Some).map_err(|_| PyValueError::new_err(format!("invalid timeout {secs}")))
}

#[pymethods]
impl PySolverParams {
    #[new]
    #[pyo3(signature = (**kwargs))]
    fn new(kwargs: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<Self> {
        let mut p = PySolverParams { inner: SolverParams::default(), minimize_capacity: false };
        if let Some(kwargs) = kwargs {
            let obj = Bound::new(kwargs.py(), p.clone())?;
            for (k, v) in kwargs.iter() {
                obj.setattr(k.extract::<String>()?.as_str(), v)?;
            }
            p = obj.borrow().clone();
        }
        Ok(p)
    }

    // The nine technique switches are properties added at import from
    // the switch table: see `add_switch_properties`.

    /// Seconds (None: no limit).
    #[getter]
    fn timeout(&self) -> Option<f64> {
        self.inner.timeout.map(|d| d.as_secs_f64())
    }
    #[setter]
    fn set_timeout(&mut self, v: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.inner.timeout = duration(v)?;
        Ok(())
    }

    /// Static preorderings such as ["WAT", "TAW", "TWA"].
    #[getter]
    fn preordering_heuristics(&self) -> Vec<String> {
        self.inner.preordering_heuristics.iter().map(Heuristic::to_string).collect()
    }
    #[setter]
    fn set_preordering_heuristics(&mut self, v: Vec<String>) -> PyResult<()> {
        self.inner.preordering_heuristics = parse_heuristics(&v.join(",")).map_err(PyValueError::new_err)?;
        Ok(())
    }

    /// Worker threads: 1 runs the reference's sequential algorithm, 0 one per core.
    #[getter]
    fn threads(&self) -> usize {
        self.inner.threads
    }
    #[setter]
    fn set_threads(&mut self, v: usize) -> PyResult<()> {
        if v > MAX_THREADS {
            return Err(PyValueError::new_err(format!("threads must be at most {MAX_THREADS}, got {v}")));
        }
        self.inner.threads = v;
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
            "SolverParams(timeout={:?}, preordering_heuristics={:?}, threads={}, seed={}, deterministic={}, minimize_capacity={}, switches={{{}}})",
            p.timeout.map(|d| d.as_secs_f64()),
            self.preordering_heuristics(),
            p.threads,
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
    backtracks: AtomicU64,
}

impl PySolver {
    fn minimize_inner(&self, py: Python<'_>, problem: &PyProblem) -> PyResult<PyMinimizeResult> {
        let opts = PortfolioOptions::from_params(&self.params.inner);
        let problem = problem.inner.clone();
        self.cancel.store(false, Ordering::SeqCst);
        let cancel = Arc::clone(&self.cancel);
        let m = py.allow_threads(|| minimize_with(&problem, &opts, cancel, &|_| {})).map_err(solve_error)?;
        let status = match m.status {
            MinimizeStatus::Optimal => PyMinimizeStatus::OPTIMAL,
            MinimizeStatus::Feasible => PyMinimizeStatus::FEASIBLE,
            MinimizeStatus::Unknown => PyMinimizeStatus::UNKNOWN,
            MinimizeStatus::Infeasible => PyMinimizeStatus::INFEASIBLE,
        };
        Ok(PyMinimizeResult {
            height: m.solution.as_ref().map(|s| s.height),
            solution: m.solution.map(Into::into),
            lower_bound: m.lower_bound,
            status,
        })
    }
}

#[pymethods]
impl PySolver {
    #[new]
    #[pyo3(signature = (params = None))]
    fn new(params: Option<PySolverParams>) -> Self {
        let params = params.unwrap_or(PySolverParams { inner: SolverParams::default(), minimize_capacity: false });
        PySolver { params, cancel: Arc::new(AtomicBool::new(false)), backtracks: AtomicU64::new(0) }
    }

    /// The settings (a copy).
    #[getter]
    fn params(&self) -> PySolverParams {
        self.params.clone()
    }

    /// Offsets for every buffer within `problem.capacity`. Raises
    /// InfeasibleError, SolveTimeoutError or CancelledError when there is
    /// no solution. With `params.minimize_capacity`, returns the best
    /// solution of a minimization instead (see `minimize_capacity`).
    fn solve(&self, py: Python<'_>, problem: &PyProblem) -> PyResult<PySolution> {
        if self.params.minimize_capacity {
            let m = self.minimize_inner(py, problem)?;
            return m.solution.ok_or_else(|| match m.status {
                PyMinimizeStatus::INFEASIBLE => InfeasibleError::new_err("no packing fits in the given capacity"),
                _ => SolveTimeoutError::new_err("time limit reached with no solution"),
            });
        }
        let solver = crate::Solver::new(self.params.inner.clone());
        let problem = problem.inner.clone();
        // cancel() raises our flag, which the solve's token watches.
        self.cancel.store(false, Ordering::SeqCst);
        let stop = StopToken::from_flag(Arc::clone(&self.cancel));
        let result = py.allow_threads(|| solver.solve_with_stop(&problem, &stop));
        self.backtracks.store(solver.backtracks(), Ordering::SeqCst);
        result.map(Into::into).map_err(solve_error)
    }

    /// Smallest capacity that fits, with a proof when possible (the
    /// problem's capacity, if positive, is an upper bound).
    fn minimize_capacity(&self, py: Python<'_>, problem: &PyProblem) -> PyResult<PyMinimizeResult> {
        self.minimize_inner(py, problem)
    }

    /// Stops a solve running in another thread.
    fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Backtracks of the latest solve.
    #[pyo3(name = "get_backtracks")]
    fn backtracks_of_latest(&self) -> u64 {
        self.backtracks.load(Ordering::SeqCst)
    }

    /// Backtracks of the latest solve.
    fn backtracks(&self) -> u64 {
        self.backtracks.load(Ordering::SeqCst)
    }

    /// A minimal set of buffer indices that is infeasible on its own.
    fn compute_irreducible_infeasible_subset(&self, py: Python<'_>, problem: &PyProblem) -> PyResult<Vec<usize>> {
        let mut params = self.params.inner.clone();
        params.threads = 1;
        let solver = crate::Solver::new(params);
        let problem = problem.inner.clone();
        py.allow_threads(|| solver.irreducible_infeasible_subset(&problem)).map_err(solve_error)
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
fn validate(problem: &PyProblem, solution: &PySolution) -> PyValidationResult {
    match crate::validate::validate(&problem.inner, &solution.rust()) {
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
fn explain(problem: &PyProblem, solution: &PySolution) -> Option<String> {
    crate::validate::validate(&problem.inner, &solution.rust()).err().map(|e| e.to_string())
}

/// Reads a problem from CSV text (capacity 0). Raises CsvError.
#[pyfunction]
fn from_csv(input: &str) -> PyResult<PyProblem> {
    crate::io::from_csv(input).map(|inner| PyProblem { inner }).map_err(|e| CsvError::new_err(e.to_string()))
}

/// Reads a problem from a CSV file (capacity 0). Raises CsvError, or
/// OSError when the file cannot be read.
#[pyfunction]
fn from_csv_file(path: std::path::PathBuf) -> PyResult<PyProblem> {
    match crate::io::read_csv_file(&path) {
        Ok(parsed) => Ok(PyProblem { inner: parsed.problem }),
        Err(crate::error::IoError::Csv(e)) => Err(CsvError::new_err(e.to_string())),
        Err(crate::error::IoError::File { error, .. }) => Err(PyErr::from(error)),
    }
}

/// The problem (and a solution's offsets) as CSV text.
#[pyfunction]
#[pyo3(signature = (problem, solution = None))]
fn to_csv(problem: &PyProblem, solution: Option<&PySolution>) -> String {
    crate::io::to_csv(&problem.inner, solution.map(PySolution::rust).as_ref())
}

/// Writes the problem (and a solution's offsets) to a CSV file, atomically.
#[pyfunction]
#[pyo3(signature = (path, problem, solution = None))]
fn to_csv_file(path: std::path::PathBuf, problem: &PyProblem, solution: Option<&PySolution>) -> PyResult<()> {
    crate::io::write_csv_file(&path, &problem.inner, solution.map(PySolution::rust).as_ref()).map_err(|e| match e {
        crate::error::IoError::File { error, .. } => PyErr::from(error),
        other => PyValueError::new_err(other.to_string()),
    })
}

/// A buffer's active stretch of sections and the window it occupies there.
#[pyclass(name = "SectionSpan", module = "minimalloc", frozen)]
#[derive(Clone)]
pub struct PySectionSpan {
    #[pyo3(get)]
    section_range: PyInterval,
    #[pyo3(get)]
    window: PyInterval,
}

/// Another buffer met, with the effective size between them.
#[pyclass(name = "Overlap", module = "minimalloc", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyOverlap {
    #[pyo3(get)]
    buffer_idx: usize,
    #[pyo3(get)]
    effective_size: i64,
}

/// An independent group of buffers and the sections it spans.
#[pyclass(name = "Partition", module = "minimalloc", frozen)]
#[derive(Clone)]
pub struct PyPartition {
    #[pyo3(get)]
    buffer_idxs: Vec<usize>,
    #[pyo3(get)]
    section_range: PyInterval,
}

/// What the sweep learned about one buffer.
#[pyclass(name = "BufferData", module = "minimalloc", frozen)]
#[derive(Clone)]
pub struct PyBufferData {
    #[pyo3(get)]
    section_spans: Vec<PySectionSpan>,
    #[pyo3(get)]
    overlaps: Vec<PyOverlap>,
}

/// The sweep's result: sections, partitions, per-buffer data.
#[pyclass(name = "SweepResult", module = "minimalloc", frozen)]
pub struct PySweepResult {
    inner: crate::Sweep,
}

#[pymethods]
impl PySweepResult {
    /// Each section as a set of buffer indices.
    #[getter]
    fn sections<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PySet>>> {
        self.inner.sections().into_iter().map(|s| PySet::new(py, &s)).collect()
    }

    #[getter]
    fn partitions(&self) -> Vec<PyPartition> {
        self.inner
            .partitions
            .iter()
            .map(|p| PyPartition {
                buffer_idxs: p.buffers.clone(),
                section_range: PyInterval { lower: p.sections.lower as i64, upper: p.sections.upper as i64 },
            })
            .collect()
    }

    #[getter]
    fn buffer_data(&self) -> Vec<PyBufferData> {
        self.inner
            .buffer_data
            .iter()
            .map(|d| PyBufferData {
                section_spans: d
                    .spans
                    .iter()
                    .map(|s| PySectionSpan {
                        section_range: PyInterval { lower: s.range.lower as i64, upper: s.range.upper as i64 },
                        window: s.window.into(),
                    })
                    .collect(),
                overlaps: d
                    .overlaps
                    .iter()
                    .map(|o| PyOverlap { buffer_idx: o.buffer, effective_size: o.effective_size })
                    .collect(),
            })
            .collect()
    }

    /// Buffers active in both section i and i + 1, for every i.
    fn calculate_cuts(&self) -> Vec<u32> {
        self.inner.cuts()
    }
}

/// Runs the sweep over a problem's buffers.
#[pyfunction]
fn sweep(problem: &PyProblem) -> PySweepResult {
    PySweepResult { inner: crate::sweep::sweep(&problem.inner) }
}

/// The command line, as `python -m minimalloc` runs it; returns the exit code.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<String>) -> i32 {
    let args: Vec<OsString> = argv.into_iter().map(OsString::from).collect();
    py.allow_threads(|| crate::cli::run_with(args))
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
    m.add("Lifespan", py.get_type::<PyInterval>())?;
    m.add("Window", py.get_type::<PyInterval>())?;
    m.add("SectionRange", py.get_type::<PyInterval>())?;
    m.add_class::<PyGap>()?;
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
    m.add_class::<PySectionSpan>()?;
    m.add_class::<PyOverlap>()?;
    m.add_class::<PyPartition>()?;
    m.add_class::<PyBufferData>()?;
    m.add_class::<PySweepResult>()?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(from_csv, m)?)?;
    m.add_function(wrap_pyfunction!(from_csv_file, m)?)?;
    m.add_function(wrap_pyfunction!(to_csv, m)?)?;
    m.add_function(wrap_pyfunction!(to_csv_file, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add("MiniMallocError", py.get_type::<MiniMallocError>())?;
    m.add("InfeasibleError", py.get_type::<InfeasibleError>())?;
    m.add("SolveTimeoutError", py.get_type::<SolveTimeoutError>())?;
    m.add("CancelledError", py.get_type::<CancelledError>())?;
    m.add("UnknownError", py.get_type::<UnknownError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    m.add("CsvError", py.get_type::<CsvError>())?;
    m.add("ProblemError", py.get_type::<ProblemError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
