//! # minimalloc
//!
//! A static memory allocator for hardware-accelerated machine learning: a
//! faithful, faster Rust successor of MiniMalloc (Moffitt, "MiniMalloc: A
//! Lightweight Memory Allocator for Hardware-Accelerated Machine Learning",
//! ASPLOS 2023).
//!
//! Given buffers with fixed lifespans `[lower, upper)` and sizes (and
//! optionally alignments, gaps and fixed offsets) and a capacity, it assigns
//! each buffer an offset so that buffers live at the same time never share
//! memory, or proves that no such assignment exists.
//!
//! ```
//! use minimalloc::{from_csv, validate, Outcome, Solver, SolverParams};
//!
//! let mut problem = from_csv("id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n")?;
//! problem.capacity = 12;
//! // An error is bad input or parameters; how the solve ended is an Outcome.
//! let Outcome::Solved(solution) = Solver::new(SolverParams::default()).solve(&problem)? else {
//!     panic!("the example fits");
//! };
//! assert_eq!(solution.offsets, vec![8, 8, 4, 4, 0]);
//! assert_eq!(solution.height, 12);
//! validate(&problem, &solution)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The modules are layered, each importing only those below it
//! (`ARCHITECTURE.md` has the table, `scripts/check-layers.py` checks it):
//! the model ([`problem`], [`switches`], [`params`], [`io`], [`sweep`](mod@sweep),
//! [`bounds`], [`validate`](mod@validate), [`stop`]); the cores, which know no threads
//! or clocks beyond a [`StopToken`] (the exact search and the nogood cache,
//! internal, and the packings of [`heuristics`]); the single-thread driver
//! (the reference's round robin, internal); the parallel drivers
//! ([`portfolio`], the large-instance neighbourhood search (internal), and
//! [`minimize`](mod@minimize)); and one facade, [`solver`], that alone decides which
//! driver solves a problem, for every front end (the command line, batch
//! mode, Python). Every solution passes [`validate()`] before it leaves the
//! library.
//!
//! The public API is what this page re-exports, plus the modules listed
//! under *Modules*; the search's internals are `pub(crate)`.

#![warn(missing_docs)]

// The model.
pub mod error;
pub(crate) mod interval;
pub mod params;
pub mod problem;
pub mod stop;
pub mod switches;
pub mod tunables;

pub mod bounds;
pub mod generate;
pub mod io;
pub mod render;
pub mod report;
pub(crate) mod rng;
pub(crate) mod sort;
pub mod sweep;
pub mod validate;

// The cores.
pub(crate) mod coarsen;
pub mod heuristics;
pub(crate) mod nogood;
pub(crate) mod repair;
pub(crate) mod search;
pub(crate) mod stacking;

// What a solve takes, below every driver.
pub mod options;

// The drivers.
pub(crate) mod detour;
pub(crate) mod lns;
pub mod minimize;
pub mod portfolio;
pub(crate) mod round_robin;

// The facade, and the presets it runs.
pub mod config;
pub mod solver;
pub mod spill;

pub use bounds::LowerBounds;
pub use error::{CsvError, IoError, ProblemError, SolveError};
pub use io::{from_csv, read_csv_file, to_csv, write_csv_file};
pub use minimize::{minimize, MinimizeStatus, Minimized};
pub use options::{KnownPlacement, SolveOptions, Worker};
pub use params::{Heuristic, SolverParams};
pub use problem::{Buffer, BufferIdx, Gap, Interval, Lifespan, Offset, Problem, Solution, Time, Window};
pub use report::{Driver, Event, EventKind, Outcome, Report, SolveResult, Stats, WorkerStats};
pub use solver::{solve_with, InfeasibleSubset, SolveStats, Solver};
pub use spill::{Memory, MemoryProblem, Plan, PlanOutcome};
pub use stop::StopToken;
pub use sweep::{sweep, Sweep};
pub use switches::{Switch, Switches};
pub use validate::{validate, ValidationError};

/// This library's version (`Cargo.toml`'s).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit this build was made from (12 hex digits, `-dirty` when the
/// compiled files differed from it), or `unknown`: `build.rs` says where it
/// comes from. Printed by `--version` and written beside every figure the
/// command line makes, so that a result can be traced to its build.
pub const COMMIT: &str = env!("MINIMALLOC_GIT_COMMIT");

/// `VERSION (commit COMMIT)`, as `minimalloc --version` prints it.
pub const LONG_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("MINIMALLOC_GIT_COMMIT"), ")");
