//! Pictures: of a packing (LaTeX/TikZ as the reference prints it, and SVG),
//! of a suite's results (`plot`: cactus and scatter plots, heights over
//! bounds), and the page that shows a batch's report with both (`html`).

pub mod html;
pub mod latex;
pub mod plot;
pub mod svg;

pub use latex::latex;
pub use svg::svg;

/// Escapes text for XML (SVG, HTML) content and attributes.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}
