//! Plots of suite results, drawn as the solver community draws them: a
//! cactus plot (instances solved against time, one line per
//! configuration), a scatter plot (one configuration's time against
//! another's, per instance, the diagonal drawn), and, for minimization,
//! each instance's height over its proven lower bound.
//!
//! Plain SVG written here (no plotting runtime to install, nothing fetched
//! when it is opened). Times use a log scale when they span two decades or
//! more, as a suite's times usually do; below a millisecond they are drawn
//! at one. Every mark carries a class and its data (`data-series`,
//! `data-instance`, `data-x`, `data-y`) so that tests, and scripts, can read
//! back what a picture shows, and a tooltip (`<title>`) for people.

use std::fmt::Write;

use super::esc;

/// One instance's run in a series.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The instance (a file name); runs of two series match by it.
    pub instance: String,
    /// Whether it was solved: a packing found at the capacity, or a
    /// minimum proven (a timed-out or merely feasible run is not).
    pub solved: bool,
    /// Wall time in seconds.
    pub seconds: f64,
    /// The packing's height, if any.
    pub height: Option<i64>,
    /// The proven lower bound, if any.
    pub lower_bound: Option<i64>,
}

/// A configuration's runs over a suite (one report).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The name in the legend.
    pub name: String,
    /// Its runs, one per instance.
    pub runs: Vec<Run>,
}

/// Times are drawn at a millisecond at least (a log scale has no zero).
const MIN_TIME: f64 = 1e-3;

/// A panel's size: every plot is one panel, and [`figures`] stacks them.
const PANEL_W: f64 = 900.0;
const PANEL_H: f64 = 500.0;

/// Line colours (colour-blind friendly, after Tableau's ten), then dash
/// patterns once colours run out.
const COLOURS: [&str; 8] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const DASHES: [&str; 3] = ["none", "7 4", "2 3"];

/// The colour and dash pattern of series `i`.
fn style(i: usize) -> (&'static str, &'static str) {
    (COLOURS[i % COLOURS.len()], DASHES[(i / COLOURS.len()) % DASHES.len()])
}

/// The short label of an instance: its file name up to the first dot
/// (`A.1048576.csv` is `A`).
fn short(instance: &str) -> &str {
    let name = instance.rsplit('/').next().unwrap_or(instance);
    name.split('.').next().filter(|s| !s.is_empty()).unwrap_or(name)
}

/// A number as a tick label: no trailing zeros, no exponent for the
/// magnitudes a plot of times or counts shows.
fn number(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if v.abs() >= 1e6 || v.abs() < 1e-4 {
        return format!("{v:e}");
    }
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// The smallest of 1, 2 and 5 times a power of ten at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| *s >= raw * (1.0 - 1e-9)).unwrap_or(10.0 * power)
}

/// One axis: its range and whether it is logarithmic.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
}

impl Axis {
    /// An axis of times (seconds) that shows every one of `values`: log when
    /// they span two decades or more (whole decades shown), else linear
    /// from zero.
    fn time(values: impl IntoIterator<Item = f64>) -> Axis {
        let (mut lo, mut hi) = (f64::INFINITY, 0f64);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            let v = v.max(MIN_TIME);
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            return Axis::linear(0.0, 1.0);
        }
        if hi / lo >= 100.0 {
            Axis { lo: 10f64.powf(lo.log10().floor()), hi: 10f64.powf(hi.log10().ceil()), log: true }
        } else {
            Axis::linear(0.0, hi)
        }
    }

    /// A linear axis from `lo` to `hi` rounded up to a tick.
    fn linear(lo: f64, hi: f64) -> Axis {
        let hi = if hi > lo { hi } else { lo + 1.0 };
        let step = nice_step((hi - lo) / 5.0);
        Axis { lo, hi: lo + ((hi - lo) / step - 1e-9).ceil() * step, log: false }
    }

    /// Where `v` lies, from 0 (at `lo`) to 1 (at `hi`).
    fn frac(&self, v: f64) -> f64 {
        let f = if self.log {
            let v = v.max(self.lo);
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        if f.is_finite() {
            f
        } else {
            0.0
        }
    }

    /// The labelled ticks: each power of ten on a log axis, else steps of
    /// 1, 2 or 5 times a power of ten.
    fn ticks(&self) -> Vec<f64> {
        if self.log {
            let (a, b) = (self.lo.log10().round() as i32, self.hi.log10().round() as i32);
            (a..=b).map(|e| 10f64.powi(e)).collect()
        } else {
            let step = nice_step((self.hi - self.lo) / 5.0);
            let n = ((self.hi - self.lo) / step + 1e-9).floor() as usize;
            (0..=n).map(|i| self.lo + i as f64 * step).collect()
        }
    }

    /// Unlabelled ticks between the powers of ten of a log axis (2 to 9
    /// times each), so that a reader can tell 2 s from 8 s.
    fn minor_ticks(&self) -> Vec<f64> {
        if !self.log {
            return Vec::new();
        }
        let mut ticks = Vec::new();
        for major in self.ticks() {
            for m in 2..10 {
                let v = major * f64::from(m);
                if v < self.hi {
                    ticks.push(v);
                }
            }
        }
        ticks
    }
}

/// The plotting area of a panel, in the document's coordinates.
#[derive(Clone, Copy, Debug)]
struct Frame {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn x(&self, axis: &Axis, v: f64) -> f64 {
        self.left + axis.frac(v) * self.width
    }

    fn y(&self, axis: &Axis, v: f64) -> f64 {
        self.top + self.height - axis.frac(v) * self.height
    }

    fn right(&self) -> f64 {
        self.left + self.width
    }

    fn bottom(&self) -> f64 {
        self.top + self.height
    }
}

/// Opens an SVG document of `height`, on a white page.
fn open_document(out: &mut String, height: f64) {
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{PANEL_W}" height="{height}" viewBox="0 0 {PANEL_W} {height}" font-family="sans-serif">"#
    );
    let _ = writeln!(out, r#"<rect x="0" y="0" width="{PANEL_W}" height="{height}" fill="white"/>"#);
}

/// The panel's title, centred above the frame.
fn write_title(out: &mut String, frame: &Frame, title: &str, subtitle: &str) {
    let x = frame.left + frame.width / 2.0;
    let _ = writeln!(
        out,
        r#"<text class="title" x="{x:.1}" y="{:.1}" font-size="16" font-weight="bold" text-anchor="middle">{}</text>"#,
        frame.top - 26.0,
        esc(title)
    );
    if !subtitle.is_empty() {
        let _ = writeln!(
            out,
            r##"<text class="subtitle" x="{x:.1}" y="{:.1}" font-size="12" fill="#555" text-anchor="middle">{}</text>"##,
            frame.top - 9.0,
            esc(subtitle)
        );
    }
}

/// The plot's frame: a light panel with a dark border.
fn write_frame(out: &mut String, frame: &Frame) {
    let _ = writeln!(
        out,
        r##"<rect class="frame" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#fbfbfb" stroke="#444"/>"##,
        frame.left, frame.top, frame.width, frame.height
    );
}

/// A grid line across the frame at height `y`.
fn grid_row(out: &mut String, frame: &Frame, y: f64, stroke: &str) {
    let _ = writeln!(
        out,
        r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{stroke}"/>"##,
        frame.left,
        frame.right()
    );
}

/// The y axis's major ticks: a grid line across the frame and a label left
/// of it.
fn write_y_ticks(out: &mut String, frame: &Frame, y_axis: &Axis) {
    for v in y_axis.ticks() {
        let y = frame.y(y_axis, v);
        grid_row(out, frame, y, "#ddd");
        let _ = writeln!(
            out,
            r##"<text class="tick" x="{:.1}" y="{y:.1}" font-size="12" fill="#333" text-anchor="end" dominant-baseline="central">{}</text>"##,
            frame.left - 6.0,
            number(v)
        );
    }
}

/// The y axis's name (already escaped), turned up, `gap` left of the frame.
fn write_y_label(out: &mut String, frame: &Frame, gap: f64, name: &str) {
    let (x, y) = (frame.left - gap, frame.top + frame.height / 2.0);
    let _ = writeln!(
        out,
        r#"<text class="axis-label" x="{x:.1}" y="{y:.1}" font-size="13" text-anchor="middle" transform="rotate(-90 {x:.1} {y:.1})">{name}</text>"#
    );
}

/// The frame, its grid lines and ticks, the tick labels and the axes'
/// names ("(log)" added to a log axis's name, so that no one reads a log
/// scale as linear).
fn write_axes(out: &mut String, frame: &Frame, (x_axis, x_name): (&Axis, &str), (y_axis, y_name): (&Axis, &str)) {
    write_frame(out, frame);
    let _ = writeln!(out, r#"<g class="x-axis">"#);
    for v in x_axis.minor_ticks() {
        let x = frame.x(x_axis, v);
        let _ = writeln!(
            out,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#eee"/>"##,
            frame.top,
            frame.bottom()
        );
    }
    for v in x_axis.ticks() {
        let x = frame.x(x_axis, v);
        let _ = writeln!(
            out,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#ddd"/>"##,
            frame.top,
            frame.bottom()
        );
        let _ = writeln!(
            out,
            r##"<text class="tick" x="{x:.1}" y="{:.1}" font-size="12" fill="#333" text-anchor="middle">{}</text>"##,
            frame.bottom() + 16.0,
            number(v)
        );
    }
    let name = if x_axis.log { format!("{x_name} (log)") } else { x_name.to_string() };
    let _ = writeln!(
        out,
        r#"<text class="axis-label" x="{:.1}" y="{:.1}" font-size="13" text-anchor="middle">{}</text>"#,
        frame.left + frame.width / 2.0,
        frame.bottom() + 38.0,
        esc(&name)
    );
    let _ = writeln!(out, "</g>");
    let _ = writeln!(out, r#"<g class="y-axis">"#);
    for v in y_axis.minor_ticks() {
        let y = frame.y(y_axis, v);
        grid_row(out, frame, y, "#eee");
    }
    write_y_ticks(out, frame, y_axis);
    let name = if y_axis.log { format!("{y_name} (log)") } else { y_name.to_string() };
    write_y_label(out, frame, 52.0, &esc(&name));
    let _ = writeln!(out, "</g>");
}

/// A legend of `(series index, text)` entries, top-left at (`x`, `y`):
/// each a short line in the series' style and a marker, then the text.
fn write_legend(out: &mut String, x: f64, y: f64, entries: &[(usize, String)]) {
    let _ = writeln!(out, r#"<g class="legend">"#);
    for (k, (i, text)) in entries.iter().enumerate() {
        let (colour, dash) = style(*i);
        let yy = y + k as f64 * 20.0;
        let _ = writeln!(
            out,
            r#"<line x1="{x:.1}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="{colour}" stroke-width="2.5" stroke-dasharray="{dash}"/>"#,
            x + 26.0
        );
        let _ = writeln!(out, r#"<circle cx="{:.1}" cy="{yy:.1}" r="3.5" fill="{colour}"/>"#, x + 13.0);
        let _ = writeln!(
            out,
            r#"<text class="legend-entry" data-series="{i}" x="{:.1}" y="{yy:.1}" font-size="12" dominant-baseline="central">{}</text>"#,
            x + 32.0,
            esc(text)
        );
    }
    let _ = writeln!(out, "</g>");
}

/// The cactus plot of `series` as one SVG document.
pub fn cactus(series: &[Series]) -> String {
    let mut out = String::new();
    open_document(&mut out, PANEL_H);
    write_cactus(&mut out, series, 0.0);
    out.push_str("</svg>\n");
    out
}

/// The scatter plot of `a`'s times (across) against `b`'s (up) as one SVG
/// document.
pub fn scatter(a: &Series, b: &Series) -> String {
    let mut out = String::new();
    open_document(&mut out, PANEL_H);
    write_scatter(&mut out, a, b, 0.0);
    out.push_str("</svg>\n");
    out
}

/// Each instance's height over its lower bound, one marker per series, as
/// one SVG document.
pub fn over_bound(series: &[Series]) -> String {
    let mut out = String::new();
    open_document(&mut out, PANEL_H);
    write_over_bound(&mut out, series, 0.0);
    out.push_str("</svg>\n");
    out
}

/// Every plot that applies to `series`, stacked in one SVG document: the
/// cactus plot always, the scatter plot for exactly two series, and the
/// height over the lower bound when `minimization` (reports of
/// `--minimize_capacity`, where the height is what is compared). The
/// `caption`'s lines go under the plots: the builds that made the numbers
/// and the one that drew them, so that a figure can be traced.
pub fn figures(series: &[Series], minimization: bool, caption: &[String]) -> String {
    let panels = 1 + usize::from(series.len() == 2) + usize::from(minimization);
    let caption_h = if caption.is_empty() { 0.0 } else { 10.0 + 16.0 * caption.len() as f64 };
    let mut out = String::new();
    open_document(&mut out, PANEL_H * panels as f64 + caption_h);
    let _ = writeln!(out, r#"<g class="caption">"#);
    for (k, line) in caption.iter().enumerate() {
        let _ = writeln!(
            out,
            r##"<text x="20" y="{:.1}" font-size="11" fill="#555">{}</text>"##,
            PANEL_H * panels as f64 + 14.0 + 16.0 * k as f64,
            esc(line)
        );
    }
    let _ = writeln!(out, "</g>");
    let mut top = 0.0;
    write_cactus(&mut out, series, top);
    if let [a, b] = series {
        top += PANEL_H;
        write_scatter(&mut out, a, b, top);
    }
    if minimization {
        top += PANEL_H;
        write_over_bound(&mut out, series, top);
    }
    out.push_str("</svg>\n");
    out
}

/// The cactus plot's panel, `top` down the document: for each series, how
/// many instances were solved by each time (a step line, a marker per
/// instance at its time), flat to the longest run's time.
fn write_cactus(out: &mut String, series: &[Series], top: f64) {
    let frame = Frame { left: 80.0, top: top + 60.0, width: 500.0, height: PANEL_H - 130.0 };
    let x_axis = Axis::time(series.iter().flat_map(|s| s.runs.iter().map(|r| r.seconds)));
    let most = series.iter().map(|s| s.runs.len()).max().unwrap_or(0);
    // Up to the suite's size (not rounded up to a tick: 11 instances should
    // not look like 15), with room above the top step.
    let y_axis = Axis { lo: 0.0, hi: (most as f64).max(1.0) * 1.05, log: false };
    let _ = writeln!(out, r#"<g class="cactus">"#);
    write_title(out, &frame, "Instances solved by time", "higher and further left is better");
    write_axes(out, &frame, (&x_axis, "time (s)"), (&y_axis, "instances solved"));
    let mut legend = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let (colour, dash) = style(i);
        let mut solved: Vec<&Run> = s.runs.iter().filter(|r| r.solved).collect();
        solved.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
        // The steps: flat until each instance's time, then one up.
        let mut points = vec![(frame.left, frame.y(&y_axis, 0.0))];
        for (k, r) in solved.iter().enumerate() {
            let x = frame.x(&x_axis, r.seconds);
            points.push((x, frame.y(&y_axis, k as f64)));
            points.push((x, frame.y(&y_axis, (k + 1) as f64)));
        }
        points.push((frame.right(), frame.y(&y_axis, solved.len() as f64)));
        let path: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = writeln!(
            out,
            r#"<polyline class="series" data-series="{}" points="{}" fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>"#,
            esc(&s.name),
            path.join(" ")
        );
        for (k, r) in solved.iter().enumerate() {
            let _ = writeln!(
                out,
                r#"<circle class="point" data-series="{}" data-instance="{}" data-x="{}" data-y="{}" cx="{:.1}" cy="{:.1}" r="3.5" fill="{colour}"><title>{}: {} solved {:.3} s</title></circle>"#,
                esc(&s.name),
                esc(&r.instance),
                r.seconds,
                k + 1,
                frame.x(&x_axis, r.seconds),
                frame.y(&y_axis, (k + 1) as f64),
                esc(&s.name),
                esc(&r.instance),
                r.seconds
            );
        }
        let total: f64 = s.runs.iter().map(|r| r.seconds).sum();
        legend.push((
            i,
            format!("{}: {}/{} solved, {} s in all", s.name, solved.len(), s.runs.len(), number(round3(total))),
        ));
    }
    write_legend(out, frame.right() + 20.0, frame.top + 10.0, &legend);
    let _ = writeln!(out, "</g>");
}

/// `v` to three decimals (a legend's total time).
fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The scatter plot's panel, `top` down the document: one point per
/// instance both series ran, at `a`'s time across and `b`'s up, on one
/// scale for both; the diagonal marks equal times, so a point below it was
/// faster with `b`. An instance one series did not solve sits in the band
/// past the axis ("not solved") as a cross.
fn write_scatter(out: &mut String, a: &Series, b: &Series, top: f64) {
    let side = PANEL_H - 160.0;
    let frame = Frame { left: 100.0, top: top + 84.0, width: side, height: side };
    let pairs: Vec<(&Run, &Run)> =
        a.runs.iter().filter_map(|ra| b.runs.iter().find(|rb| rb.instance == ra.instance).map(|rb| (ra, rb))).collect();
    let axis = Axis::time(pairs.iter().flat_map(|(ra, rb)| [ra.seconds, rb.seconds]));
    let neither = pairs.iter().filter(|(ra, rb)| !ra.solved && !rb.solved).count();
    let _ = writeln!(out, r#"<g class="scatter">"#);
    let subtitle = format!(
        "{} instances; below the diagonal {} was faster{}",
        pairs.len(),
        b.name,
        if neither > 0 { format!("; {neither} solved by neither (not drawn)") } else { String::new() }
    );
    let above = Frame { top: frame.top - UNSOLVED_BAND, ..frame };
    write_title(out, &above, &format!("Time per instance: {} vs {}", a.name, b.name), &subtitle);
    write_axes(out, &frame, (&axis, &format!("{} time (s)", a.name)), (&axis, &format!("{} time (s)", b.name)));
    if pairs.iter().any(|(ra, rb)| ra.solved != rb.solved) {
        write_unsolved_band(out, &frame);
    }
    let _ = writeln!(
        out,
        r#"<line class="diagonal" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="gray" stroke-width="1.2" stroke-dasharray="5 4"/>"#,
        frame.left,
        frame.bottom(),
        frame.right(),
        frame.top
    );
    let label = pairs.len() <= 40;
    for (ra, rb) in pairs.iter().filter(|(ra, rb)| ra.solved || rb.solved) {
        write_scatter_point(out, (&frame, &axis), (a, ra), (b, rb), label);
    }
    write_scatter_legend(out, &frame, (a, b), &pairs);
    let _ = writeln!(out, "</g>");
}

/// Width of the band past each axis of the scatter plot where the runs
/// one configuration did not solve are drawn.
const UNSOLVED_BAND: f64 = 24.0;

/// The scatter plot's bands for unsolved runs (right of the x axis' end,
/// above the y axis' top), drawn when some run is solved by one
/// configuration only.
fn write_unsolved_band(out: &mut String, frame: &Frame) {
    let band = UNSOLVED_BAND;
    let _ = writeln!(
        out,
        r##"<g class="unsolved-band" fill="#f3e0e0"><rect x="{:.1}" y="{:.1}" width="{band}" height="{:.1}"/><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{band}"/></g>"##,
        frame.right(),
        frame.top - band,
        frame.height + band,
        frame.left,
        frame.top - band,
        frame.width
    );
    let _ = writeln!(
        out,
        r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#a33" text-anchor="middle">not solved</text>"##,
        frame.right() + band / 2.0,
        frame.bottom() + 28.0
    );
}

/// One instance of the scatter plot: a dot where both configurations
/// solved it, a cross in the unsolved band where one did not; its tooltip
/// and data attributes, and its name when `label`.
fn write_scatter_point(
    out: &mut String,
    (frame, axis): (&Frame, &Axis),
    (a, ra): (&Series, &Run),
    (b, rb): (&Series, &Run),
    label: bool,
) {
    let x = if ra.solved { frame.x(axis, ra.seconds) } else { frame.right() + UNSOLVED_BAND / 2.0 };
    let y = if rb.solved { frame.y(axis, rb.seconds) } else { frame.top - UNSOLVED_BAND / 2.0 };
    let time = |r: &Run| if r.solved { format!("{:.3} s", r.seconds) } else { "not solved".into() };
    let tip = format!("{}: {} {}, {} {}", ra.instance, a.name, time(ra), b.name, time(rb));
    let value = |r: &Run| if r.solved { r.seconds.to_string() } else { "unsolved".into() };
    let data = format!(r#"data-instance="{}" data-x="{}" data-y="{}""#, esc(&ra.instance), value(ra), value(rb));
    if ra.solved && rb.solved {
        let _ = writeln!(
            out,
            r##"<circle class="point" {data} cx="{x:.1}" cy="{y:.1}" r="4.5" fill="#1f77b4" fill-opacity="0.8"><title>{}</title></circle>"##,
            esc(&tip)
        );
    } else {
        let _ = writeln!(
            out,
            r##"<path class="point unsolved" {data} d="M{:.1},{:.1}l8,8m0,-8l-8,8" stroke="#c0392b" stroke-width="2"><title>{}</title></path>"##,
            x - 4.0,
            y - 4.0,
            esc(&tip)
        );
    }
    if label {
        let _ = writeln!(
            out,
            r##"<text class="point-label" x="{:.1}" y="{:.1}" font-size="11" fill="#222">{}</text>"##,
            x + 6.0,
            y - 6.0,
            esc(short(&ra.instance))
        );
    }
}

/// The scatter plot's legend: how often each configuration was faster
/// (solving where the other did not counts), and what the marks mean.
fn write_scatter_legend(out: &mut String, frame: &Frame, (a, b): (&Series, &Series), pairs: &[(&Run, &Run)]) {
    let quicker = |x: &Run, y: &Run| x.solved && (!y.solved || x.seconds < y.seconds);
    let wins = |faster: &dyn Fn(&Run, &Run) -> bool| pairs.iter().filter(|(ra, rb)| faster(ra, rb)).count();
    let legend = [
        format!("{} faster: {}", a.name, wins(&|ra, rb| quicker(ra, rb))),
        format!("{} faster: {}", b.name, wins(&|ra, rb| quicker(rb, ra))),
    ];
    let x = frame.right() + UNSOLVED_BAND + 40.0;
    for (k, text) in legend.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<text class="legend-entry" x="{x:.1}" y="{:.1}" font-size="12">{}</text>"#,
            frame.top + 20.0 + k as f64 * 20.0,
            esc(text)
        );
    }
    let _ = writeln!(
        out,
        r##"<text x="{x:.1}" y="{:.1}" font-size="11" fill="#555">dots: both solved; crosses: one did not</text>"##,
        frame.top + 70.0
    );
}

/// The panel of heights over lower bounds, `top` down the document: one
/// column per instance (sorted by name), one marker per series at its
/// height divided by its proven lower bound; 1 means proven optimal by the
/// bound. Runs without a height or a positive bound are left out.
fn write_over_bound(out: &mut String, series: &[Series], top: f64) {
    let frame = Frame { left: 80.0, top: top + 60.0, width: 500.0, height: PANEL_H - 130.0 };
    let ratio = |r: &Run| match (r.height, r.lower_bound) {
        (Some(h), Some(l)) if l > 0 => Some(h as f64 / l as f64),
        _ => None,
    };
    let mut instances: Vec<&str> =
        series.iter().flat_map(|s| s.runs.iter().filter(|r| ratio(r).is_some()).map(|r| r.instance.as_str())).collect();
    instances.sort_unstable();
    instances.dedup();
    let worst = series.iter().flat_map(|s| s.runs.iter().filter_map(ratio)).fold(1.0, f64::max);
    // At least 1% above 1, so that a suite solved at its bounds is a flat
    // line at the bottom rather than a line at the top of a zero range.
    let y_axis = Axis::linear(1.0, worst.max(1.01));
    let _ = writeln!(out, r#"<g class="over-bound">"#);
    write_title(out, &frame, "Height over the lower bound", "1 is optimal by the bound; lower is better");
    // The axes are drawn by hand: the instances are categories, not numbers.
    write_frame(out, &frame);
    let _ = writeln!(out, r#"<g class="y-axis">"#);
    write_y_ticks(out, &frame, &y_axis);
    write_y_label(out, &frame, 55.0, "height / lower bound");
    let _ = writeln!(out, "</g>");
    let column = frame.width / instances.len().max(1) as f64;
    let _ = writeln!(out, r#"<g class="x-axis">"#);
    for (k, name) in instances.iter().enumerate() {
        let _ = writeln!(
            out,
            r##"<text class="tick" x="{:.1}" y="{:.1}" font-size="11" fill="#333" text-anchor="middle">{}</text>"##,
            frame.left + (k as f64 + 0.5) * column,
            frame.bottom() + 16.0,
            esc(short(name))
        );
    }
    let _ = writeln!(
        out,
        r#"<text class="axis-label" x="{:.1}" y="{:.1}" font-size="13" text-anchor="middle">instance</text>"#,
        frame.left + frame.width / 2.0,
        frame.bottom() + 38.0
    );
    let _ = writeln!(out, "</g>");
    let mut legend = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let (colour, _) = style(i);
        // Side by side within a column, so that equal values stay visible.
        let shift = (i as f64 + 0.5) / series.len() as f64 - 0.5;
        let mut drawn = 0;
        for r in &s.runs {
            let (Some(v), Ok(k)) = (ratio(r), instances.binary_search(&r.instance.as_str())) else { continue };
            drawn += 1;
            let cx = frame.left + (k as f64 + 0.5 + shift * 0.6) * column;
            let _ = writeln!(
                out,
                r#"<rect class="point" data-series="{}" data-instance="{}" data-y="{v}" x="{:.1}" y="{:.1}" width="8" height="8" fill="{colour}"><title>{}: {} height {} over bound {} = {:.4}</title></rect>"#,
                esc(&s.name),
                esc(&r.instance),
                cx - 4.0,
                frame.y(&y_axis, v) - 4.0,
                esc(&s.name),
                esc(&r.instance),
                r.height.unwrap_or_default(),
                r.lower_bound.unwrap_or_default(),
                v
            );
        }
        legend.push((i, format!("{}: {drawn} with a height", s.name)));
    }
    write_legend(out, frame.right() + 20.0, frame.top + 10.0, &legend);
    let _ = writeln!(out, "</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(instance: &str, solved: bool, seconds: f64) -> Run {
        Run { instance: instance.into(), solved, seconds, height: None, lower_bound: None }
    }

    fn series(name: &str, runs: Vec<Run>) -> Series {
        Series { name: name.into(), runs }
    }

    /// The elements of `svg` with `class` among their classes.
    fn marks<'a>(doc: &'a roxmltree::Document<'a>, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
        doc.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.split(' ').any(|c| c == class))).collect()
    }

    fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
        doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text().map(str::to_string)).collect()
    }

    fn num(node: &roxmltree::Node<'_, '_>, attr: &str) -> f64 {
        node.attribute(attr).unwrap().parse().unwrap()
    }

    #[test]
    fn axes_choose_log_when_times_span_decades() {
        let a = Axis::time([0.02, 3.0, 45.0]);
        assert!(a.log);
        assert_eq!((a.lo, a.hi), (0.01, 100.0));
        assert_eq!(a.ticks(), vec![0.01, 0.1, 1.0, 10.0, 100.0]);
        assert!((a.frac(1.0) - 0.5).abs() < 1e-12);
        let a = Axis::time([1.0, 3.0, 45.0]);
        assert!(!a.log, "under two decades: linear");
        assert_eq!((a.lo, a.hi), (0.0, 50.0));
        assert_eq!(a.ticks(), vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]);
        // Zero times are drawn at a millisecond.
        assert!(Axis::time([0.0, 1.0]).log);
        assert_eq!(Axis::time([]), Axis::linear(0.0, 1.0));
        assert_eq!(number(0.001), "0.001");
        assert_eq!(number(1000.0), "1000");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(short("dir/A.1048576.csv"), "A");
    }

    #[test]
    fn cactus_draws_a_step_line_and_a_point_per_solved_instance() {
        let s = [
            series("fast", vec![run("A.csv", true, 0.05), run("B.csv", true, 2.0), run("C.csv", false, 60.0)]),
            series("slow <ref>", vec![run("A.csv", true, 5.0), run("B.csv", true, 40.0), run("C.csv", true, 30.0)]),
        ];
        let text = cactus(&s);
        let doc = roxmltree::Document::parse(&text).unwrap();
        let lines = marks(&doc, "series");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].attribute("data-series"), Some("slow <ref>"), "names are escaped, and read back");
        let points = marks(&doc, "point");
        let of = |name: &str| points.iter().filter(|p| p.attribute("data-series") == Some(name)).collect::<Vec<_>>();
        assert_eq!(of("fast").len(), 2, "the unsolved C has no point");
        assert_eq!(of("slow <ref>").len(), 3);
        // Sorted by time: each point further right and higher (y down).
        let slow = of("slow <ref>");
        let ys: Vec<f64> = slow.iter().map(|p| num(p, "data-y")).collect();
        assert_eq!(ys, vec![1.0, 2.0, 3.0]);
        assert_eq!(slow[1].attribute("data-instance"), Some("C.csv"));
        for w in slow.windows(2) {
            assert!(num(w[0], "cx") < num(w[1], "cx") && num(w[0], "cy") > num(w[1], "cy"));
        }
        // The line's last point is at the right edge, at the count solved.
        let last = lines[0].attribute("points").unwrap().split(' ').next_back().unwrap().to_string();
        let y_of_two = of("fast")[1].attribute("cy").unwrap();
        assert!(last.ends_with(&format!(",{y_of_two}")), "{last} vs {y_of_two}");
        let texts = texts(&doc);
        for want in ["time (s) (log)", "instances solved", "fast: 2/3 solved, 62.05 s in all", "0.01", "100"] {
            assert!(texts.iter().any(|t| t == want), "{want} not in {texts:?}");
        }
    }

    #[test]
    fn scatter_puts_instances_at_both_times_and_draws_the_diagonal() {
        let a =
            series("default", vec![run("A.1.csv", true, 0.5), run("B.1.csv", true, 20.0), run("C.1.csv", false, 60.0)]);
        let b = series(
            "reference",
            vec![
                run("A.1.csv", true, 5.0),
                run("B.1.csv", true, 2.0),
                run("C.1.csv", false, 60.0),
                run("D.1.csv", true, 1.0),
            ],
        );
        let text = scatter(&a, &b);
        let doc = roxmltree::Document::parse(&text).unwrap();
        assert_eq!(marks(&doc, "diagonal").len(), 1);
        assert!(marks(&doc, "unsolved-band").is_empty(), "every instance solved by both or neither: no band");
        let points = marks(&doc, "point");
        assert_eq!(points.len(), 2, "C is solved by neither (not drawn), D is in one report only");
        let a_point = points.iter().find(|p| p.attribute("data-instance") == Some("A.1.csv")).unwrap();
        assert_eq!((num(a_point, "data-x"), num(a_point, "data-y")), (0.5, 5.0));
        let b_point = points.iter().find(|p| p.attribute("data-instance") == Some("B.1.csv")).unwrap();
        // A is above the diagonal (reference slower), B below it.
        let diagonal = &marks(&doc, "diagonal")[0];
        let below = |p: &roxmltree::Node<'_, '_>| {
            let (x1, y1, x2, y2) = (num(diagonal, "x1"), num(diagonal, "y1"), num(diagonal, "x2"), num(diagonal, "y2"));
            let at = y1 + (num(p, "cx") - x1) / (x2 - x1) * (y2 - y1);
            num(p, "cy") > at
        };
        assert!(!below(a_point) && below(b_point));
        let texts = texts(&doc);
        for want in
            ["A", "B", "default time (s) (log)", "reference time (s) (log)", "default faster: 1", "reference faster: 1"]
        {
            assert!(texts.iter().any(|t| t == want), "{want} not in {texts:?}");
        }
        assert!(texts.iter().any(|t| t.contains("1 solved by neither")), "{texts:?}");
        // One solved, the other not: a cross in the band.
        let c = series("x", vec![run("A.1.csv", false, 60.0)]);
        let doc_text = scatter(&a, &c);
        let doc = roxmltree::Document::parse(&doc_text).unwrap();
        let unsolved = marks(&doc, "unsolved");
        assert_eq!(unsolved.len(), 1);
        assert_eq!(unsolved[0].attribute("data-y"), Some("unsolved"));
        assert_eq!(marks(&doc, "unsolved-band").len(), 1);
    }

    #[test]
    fn figures_stack_the_plots_that_apply() {
        let mut a = series("a", vec![run("A.csv", true, 1.0)]);
        a.runs[0].height = Some(105);
        a.runs[0].lower_bound = Some(100);
        let b = series("b", vec![Run { height: Some(100), lower_bound: Some(100), ..run("A.csv", true, 2.0) }]);
        let two = figures(&[a.clone(), b.clone()], true, &["made by minimalloc 0.1.0".into()]);
        let doc = roxmltree::Document::parse(&two).unwrap();
        for class in ["cactus", "scatter", "over-bound"] {
            assert_eq!(marks(&doc, class).len(), 1, "{class}");
        }
        let ratios: Vec<f64> =
            marks(&doc, "point").iter().filter(|p| p.has_tag_name("rect")).map(|p| num(p, "data-y")).collect();
        assert_eq!(ratios, vec![1.05, 1.0]);
        assert!(texts(&doc).iter().any(|t| t == "made by minimalloc 0.1.0"));
        let three = figures(&[a.clone(), b.clone(), a], false, &[]);
        let doc = roxmltree::Document::parse(&three).unwrap();
        assert_eq!(marks(&doc, "cactus").len(), 1);
        assert!(marks(&doc, "scatter").is_empty() && marks(&doc, "over-bound").is_empty());
        assert_eq!(marks(&doc, "legend-entry").len(), 3);
    }
}
