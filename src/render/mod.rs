//! Pictures of a packing: LaTeX/TikZ as the reference prints it, and SVG.

pub mod latex;
pub mod svg;

pub use latex::latex;
pub use svg::svg;
