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
//! use minimalloc::{from_csv, validate, Solver, SolverParams};
//!
//! let mut problem = from_csv("id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n")?;
//! problem.capacity = 12;
//! let solution = Solver::new(SolverParams::default()).solve(&problem)?;
//! assert_eq!(solution.offsets, vec![8, 8, 4, 4, 0]);
//! assert_eq!(solution.height, 12);
//! validate(&problem, &solution)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Data flows one way: CSV ([`io`]) → [`Problem`] → [`bounds`] and the
//! [`sweep`] (computed once, shared read-only) → the [`search`] →
//! [`Solution`] → [`validate`].

#![warn(missing_docs)]

// Lets code shared with the binary (the command line, compiled into the
// Python extension) name this crate `minimalloc` from inside it.
extern crate self as minimalloc;

pub mod bounds;
pub mod config;
pub mod error;
pub mod generate;
pub mod heuristics;
pub mod interval;
pub mod io;
pub mod params;
pub mod portfolio;
pub mod problem;
pub mod render;
pub mod search;
pub mod sequential;
pub mod solver;
pub mod stop;
pub mod sweep;
pub mod validate;

pub use bounds::LowerBounds;
pub use error::{CsvError, IoError, ProblemError, SolveError};
pub use io::{from_csv, read_csv_file, to_csv, write_csv_file};
pub use params::{Heuristic, SolverParams};
pub use problem::{Buffer, BufferIdx, Gap, Interval, Lifespan, Offset, Problem, Solution, Time, Window};
pub use solver::{SolveStats, Solver};
pub use stop::StopToken;
pub use sweep::{sweep, Sweep};
pub use validate::{validate, ValidationError};
pub mod lns;
pub mod minimize;
pub mod nogood;
pub use minimize::{minimize, MinimizeStatus, Minimized};

// The front ends: the command line (compiled once, for the binary and for
// `python -m minimalloc`) and the Python extension.
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "python")]
mod python;
