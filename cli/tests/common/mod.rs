//! What the command-line tests share: the engine's test helpers (random
//! small problems and brute-force packers, `tests/common` at the root) and
//! the command's own ([`cmd`]).

#![allow(dead_code)]

#[path = "../../../tests/common/mod.rs"]
mod engine;

pub mod cmd;

#[allow(unused_imports)]
pub use engine::*;
