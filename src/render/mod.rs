//! Pictures of a packing: LaTeX/TikZ as the reference prints it.

pub mod latex;

pub use latex::latex;
