//! An SVG picture of a packing: time runs left to right, memory bottom to
//! top, each buffer is a rectangle per stretch it occupies (a gap leaves a
//! hole, a window a thinner band), labelled with its id where there is room
//! and with a tooltip everywhere. Dashed lines mark the capacity and, when
//! given, the lower bound. A plan over several memories is one panel per
//! memory, one above the other, on one time axis ([`svg_memories`]).

use std::fmt::Write;

use super::esc;
use crate::problem::{Buffer, Problem, Solution};

const PLOT_W: f64 = 1000.0;
const PLOT_H: f64 = 560.0;
const LEFT: f64 = 90.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 50.0;
const RIGHT: f64 = 250.0;

/// A stable, distinct pastel colour for a buffer id.
fn colour(id: &str) -> String {
    let mut h: u32 = 2166136261;
    for b in id.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(16777619);
    }
    format!("hsl({}, 55%, 72%)", h % 360)
}

/// Where times and memory offsets land on the picture.
struct Scale {
    /// The earliest start and the latest end (at least one past it).
    t0: i64,
    t1: i64,
    /// The highest memory shown.
    top: i64,
}

/// The earliest start and the latest end of `buffers` (`(0, 1)` for none).
fn time_span<'a>(buffers: impl Iterator<Item = &'a Buffer> + Clone) -> (i64, i64) {
    let t0 = buffers.clone().map(|b| b.lifespan.lower).min().unwrap_or(0);
    (t0, buffers.map(|b| b.lifespan.upper).max().unwrap_or(1).max(t0 + 1))
}

impl Scale {
    /// The scale that shows every buffer over `(t0, t1)`, the capacity, the
    /// height and the bound.
    fn of(problem: &Problem, solution: &Solution, lower_bound: Option<i64>, (t0, t1): (i64, i64)) -> Scale {
        let top = problem.capacity.max(solution.height).max(lower_bound.unwrap_or(0)).max(1);
        Scale { t0, t1, top }
    }

    /// The horizontal position of time `t`.
    fn x(&self, t: i64) -> f64 {
        LEFT + (t - self.t0) as f64 / (self.t1 - self.t0) as f64 * PLOT_W
    }

    /// The vertical position of offset `m` (memory grows upwards).
    fn y(&self, m: i64) -> f64 {
        TOP + PLOT_H - m as f64 / self.top as f64 * PLOT_H
    }
}

/// The SVG document for `solution` of `problem`; `lower_bound` adds a line.
pub fn svg(problem: &Problem, solution: &Solution, lower_bound: Option<i64>) -> String {
    document(problem, solution, lower_bound, time_span(problem.buffers.iter()))
}

/// One memory of a plan: its name, its buffers as a problem (capacity 0
/// when unbounded) and their packing.
pub struct Panel<'a> {
    /// What the plan calls the memory.
    pub name: &'a str,
    /// Its buffers, at its capacity.
    pub problem: &'a Problem,
    /// Their offsets and its height.
    pub solution: &'a Solution,
}

/// The SVG document of a plan over several memories: a titled panel per
/// memory, one above the other, every panel over the same time range so
/// that a moment lines up across them.
pub fn svg_memories(panels: &[Panel<'_>]) -> String {
    let span = time_span(panels.iter().flat_map(|p| p.problem.buffers.iter()));
    let (w, h) = (LEFT + PLOT_W + RIGHT, TOP + PLOT_H + BOTTOM);
    let total = (h + TITLE) * panels.len() as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{total}" viewBox="0 0 {w} {total}" font-family="sans-serif">"#
    );
    let _ = writeln!(out, r#"<rect x="0" y="0" width="{w}" height="{total}" fill="white"/>"#);
    for (i, p) in panels.iter().enumerate() {
        let y = (h + TITLE) * i as f64;
        let capacity =
            if p.problem.capacity > 0 { format!("capacity {}", p.problem.capacity) } else { "unbounded".into() };
        let _ = writeln!(out, r#"<g class="memory" data-name="{}">"#, esc(p.name));
        let _ = writeln!(
            out,
            r##"<text class="memory-title" x="{LEFT}" y="{:.2}" font-size="15" fill="#222">{}: {capacity}, height {}, {} buffers</text>"##,
            y + TITLE - 6.0,
            esc(p.name),
            p.solution.height,
            p.problem.buffers.len()
        );
        // A nested document per panel, moved down into place.
        let inner = document(p.problem, p.solution, None, span);
        let _ = write!(out, "{}", inner.replacen("<svg ", &format!(r#"<svg x="0" y="{:.2}" "#, y + TITLE), 1));
        let _ = writeln!(out, "</g>");
    }
    let _ = writeln!(out, "</svg>");
    out
}

/// Room above each panel of [`svg_memories`] for its title.
const TITLE: f64 = 28.0;

/// The SVG document for `solution` of `problem` over the time range `span`.
fn document(problem: &Problem, solution: &Solution, lower_bound: Option<i64>, span: (i64, i64)) -> String {
    let scale = Scale::of(problem, solution, lower_bound, span);
    let mut out = String::new();
    write_frame(&mut out);
    write_buffers(&mut out, &scale, problem, solution);
    write_marks(&mut out, &scale, problem, solution, lower_bound);
    write_axes(&mut out, &scale);
    let _ = writeln!(out, "</svg>");
    out
}

/// Opens the document: the white page and the grey plot area.
fn write_frame(out: &mut String) {
    let (w, h) = (LEFT + PLOT_W + RIGHT, TOP + PLOT_H + BOTTOM);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif">"#
    );
    let _ = writeln!(out, r#"<rect x="0" y="0" width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        out,
        r##"<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="#f7f7f7" stroke="#444"/>"##
    );
}

/// The group of every placed buffer's rectangles and labels.
fn write_buffers(out: &mut String, scale: &Scale, problem: &Problem, solution: &Solution) {
    let _ = writeln!(out, r#"<g class="buffers">"#);
    for (i, b) in problem.buffers.iter().enumerate() {
        let Some(&offset) = solution.offsets.get(i) else { continue };
        if let Some(largest) = write_pieces(out, scale, b, offset) {
            write_label(out, b, largest);
        }
    }
    let _ = writeln!(out, "</g>");
}

/// A rectangle `(x0, x1, y0, y1)` on the picture.
type Rect = (f64, f64, f64, f64);

/// One rectangle per piece of buffer `b` at `offset`, each with a tooltip;
/// returns the largest of them (where the label goes), if any.
fn write_pieces(out: &mut String, scale: &Scale, b: &Buffer, offset: i64) -> Option<Rect> {
    let fill = colour(&b.id);
    let mut largest: Option<Rect> = None;
    for p in b.pieces() {
        let (x0, x1) = (scale.x(p.time.lower), scale.x(p.time.upper));
        let (y1, y0) = (scale.y(offset + p.window.lower), scale.y(offset + p.window.upper));
        let _ = writeln!(
            out,
            r##"<rect class="buffer" data-id="{id}" x="{x0:.2}" y="{y0:.2}" width="{:.2}" height="{:.2}" fill="{fill}" stroke="#333" stroke-width="0.5"><title>{id}: [{}, {}) size {} at offset {offset}</title></rect>"##,
            x1 - x0,
            y1 - y0,
            b.lifespan.lower,
            b.lifespan.upper,
            b.size,
            id = esc(&b.id),
        );
        if largest.is_none_or(|(a0, a1, b0, b1)| (x1 - x0) * (y1 - y0) > (a1 - a0) * (b1 - b0)) {
            largest = Some((x0, x1, y0, y1));
        }
    }
    largest
}

/// The id of `b` centred in `rect`, where it fits legibly.
fn write_label(out: &mut String, b: &Buffer, (x0, x1, y0, y1): Rect) {
    let font = ((y1 - y0) * 0.6).min(14.0);
    let width_needed = font * 0.6 * b.id.chars().count() as f64;
    if font >= 6.0 && x1 - x0 >= width_needed {
        let _ = writeln!(
            out,
            r#"<text class="label" x="{:.2}" y="{:.2}" font-size="{font:.1}" text-anchor="middle" dominant-baseline="central">{}</text>"#,
            (x0 + x1) / 2.0,
            (y0 + y1) / 2.0,
            esc(&b.id)
        );
    }
}

/// A dashed line: its value, colour, label and class.
type Mark<'a> = (i64, &'a str, &'a str, &'a str);

/// Dashed lines across the plot for the capacity, the lower bound and the
/// height, and their labels.
fn write_marks(out: &mut String, scale: &Scale, problem: &Problem, solution: &Solution, lower_bound: Option<i64>) {
    let mut marks: Vec<Mark<'_>> = Vec::new();
    if problem.capacity > 0 {
        marks.push((problem.capacity, "#c0392b", "capacity", "capacity"));
    }
    if let Some(lb) = lower_bound {
        marks.push((lb, "#2e86c1", "lower bound", "lower-bound"));
    }
    marks.push((solution.height, "#27ae60", "height", "height"));
    for &(value, colour, _, class) in &marks {
        let yy = scale.y(value);
        let _ = writeln!(
            out,
            r#"<line class="{class}" x1="{LEFT}" y1="{yy:.2}" x2="{:.2}" y2="{yy:.2}" stroke="{colour}" stroke-width="1.5" stroke-dasharray="6 4"/>"#,
            LEFT + PLOT_W
        );
    }
    write_mark_labels(out, scale, &mut marks);
}

/// The marks' labels to the right of the plot, one per distinct value
/// ("capacity = height 12" when they coincide), highest first.
fn write_mark_labels(out: &mut String, scale: &Scale, marks: &mut [Mark<'_>]) {
    let mut labels: Vec<(i64, &str, String)> = Vec::new();
    marks.sort_by_key(|m| std::cmp::Reverse(m.0));
    for &(value, colour, label, _) in marks.iter() {
        match labels.last_mut() {
            Some((v, _, text)) if *v == value => *text = format!("{text} = {label}"),
            _ => labels.push((value, colour, label.to_string())),
        }
    }
    // Pushed apart where values lie too close for the text to be read.
    let mut last_y = f64::NEG_INFINITY;
    for (value, colour, text) in labels {
        let yy = scale.y(value).max(last_y + 14.0);
        last_y = yy;
        let _ = writeln!(
            out,
            r#"<text class="mark" x="{:.2}" y="{yy:.2}" font-size="12" fill="{colour}" dominant-baseline="central">{text} {value}</text>"#,
            LEFT + PLOT_W + 6.0
        );
    }
}

/// The axes' labels: the first and last times, the zero offset, and the
/// names of the axes.
fn write_axes(out: &mut String, scale: &Scale) {
    let Scale { t0, t1, .. } = *scale;
    let _ = writeln!(
        out,
        r##"<text x="{LEFT}" y="{:.2}" font-size="12" fill="#444">t = {t0}</text>"##,
        TOP + PLOT_H + 18.0
    );
    let _ = writeln!(
        out,
        r##"<text x="{:.2}" y="{:.2}" font-size="12" fill="#444" text-anchor="end">t = {t1}</text>"##,
        LEFT + PLOT_W,
        TOP + PLOT_H + 18.0
    );
    let _ = writeln!(
        out,
        r##"<text x="{:.2}" y="{:.2}" font-size="13" fill="#444" text-anchor="middle">time</text>"##,
        LEFT + PLOT_W / 2.0,
        TOP + PLOT_H + 38.0
    );
    let _ = writeln!(
        out,
        r##"<text x="{:.2}" y="{:.2}" font-size="12" fill="#444" text-anchor="end">0</text>"##,
        LEFT - 6.0,
        TOP + PLOT_H
    );
    let _ = writeln!(
        out,
        r##"<text x="20" y="{:.2}" font-size="13" fill="#444" transform="rotate(-90 20 {:.2})" text-anchor="middle">memory</text>"##,
        TOP + PLOT_H / 2.0,
        TOP + PLOT_H / 2.0
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Buffer, Gap, Interval};

    #[test]
    fn one_rectangle_per_piece_labels_and_lines() {
        let mut a = Buffer::new("a<1>", 0, 10, 4);
        a.gaps = vec![Gap { lifespan: Interval::new(4, 6), window: None }];
        let b = Buffer::new("b", 0, 10, 4);
        let p = Problem::new(vec![a, b], 8);
        let s = Solution { offsets: vec![0, 4], height: 8 };
        let text = svg(&p, &s, Some(8));
        assert!(text.starts_with("<svg"));
        assert_eq!(text.matches(r#"class="buffer""#).count(), 3, "a has two pieces around its gap");
        assert!(text.contains("a&lt;1&gt;"), "ids are escaped");
        assert!(text.contains(r#"class="capacity""#));
        assert!(text.contains(r#"class="lower-bound""#));
        assert!(text.contains(">capacity = lower bound = height 8</text>"), "equal marks share one label");
        assert!(text.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn a_panel_per_memory_on_one_time_axis() {
        let fast = Problem::new(vec![Buffer::new("a", 0, 10, 4)], 8);
        let slow = Problem::new(vec![Buffer::new("b", 5, 20, 4), Buffer::new("c", 5, 20, 2)], 0);
        let (sf, ss) = (Solution { offsets: vec![0], height: 4 }, Solution { offsets: vec![0, 4], height: 6 });
        let text = svg_memories(&[
            Panel { name: "fast", problem: &fast, solution: &sf },
            Panel { name: "slow<1>", problem: &slow, solution: &ss },
        ]);
        assert_eq!(text.matches(r#"class="memory""#).count(), 2);
        assert_eq!(text.matches(r#"class="buffer""#).count(), 3);
        assert!(text.contains("fast: capacity 8, height 4, 1 buffers"));
        assert!(text.contains("slow&lt;1&gt;: unbounded, height 6, 2 buffers"));
        // Both panels span t = 0 to 20, and only the bounded one has a capacity line.
        assert_eq!(text.matches(">t = 20</text>").count(), 2);
        assert_eq!(text.matches(r#"class="capacity""#).count(), 1);
        assert_eq!(text.matches("<svg").count(), 3);
        assert_eq!(text.matches("</svg>").count(), 3);
    }
}
