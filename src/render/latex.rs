//! The reference's `--print_solution`: a standalone LaTeX/TikZ picture of a
//! packing, time across and memory up, one grey rectangle per active stretch
//! of a buffer, labelled with its id, inside a frame of the capacity.
//!
//! The arithmetic is done in 32-bit floats and printed like C++ streams do
//! (six significant digits), so the text matches the reference's. Ids are
//! escaped (the reference prints them raw, which breaks on `_`, `%`, `&`...),
//! and plain ids print as the reference prints them.

use std::fmt::Write;

use crate::problem::{Problem, Solution};

/// Picture width and height in centimetres, as the reference chose them.
const WIDTH: f32 = 17.0;
const HEIGHT: f32 = 8.5;

/// The LaTeX document for `solution` of `problem`.
pub fn latex(problem: &Problem, solution: &Solution) -> String {
    let mut out = String::new();
    let _ = write_latex(&mut out, problem, solution);
    out
}

fn write_latex(os: &mut String, problem: &Problem, solution: &Solution) -> std::fmt::Result {
    writeln!(os)?;
    writeln!(os, "\\documentclass[tikz]{{standalone}}")?;
    writeln!(os, "\\usepackage{{tikz}}")?;
    writeln!(os, "\\usepackage{{pgfplots}}")?;
    writeln!(os, "\\begin{{document}}")?;
    writeln!(os, "\\begin{{tikzpicture}}")?;
    let min_time = problem.buffers.iter().map(|b| b.lifespan.lower).min().unwrap_or(i64::MAX);
    let max_time = problem.buffers.iter().map(|b| b.lifespan.upper).max().unwrap_or(0).max(0);
    let scale_x = WIDTH / max_time.wrapping_sub(min_time) as f32;
    let scale_y = HEIGHT / problem.capacity as f32;
    for (idx, b) in problem.buffers.iter().enumerate() {
        let offset = solution.offsets.get(idx).copied().unwrap_or(0);
        for i in 0..=b.gaps.len() {
            let left = if i == 0 { b.lifespan.lower } else { b.gaps[i - 1].lifespan.upper };
            let right = if i == b.gaps.len() { b.lifespan.upper } else { b.gaps[i].lifespan.lower };
            if left == right {
                continue;
            }
            let x = scale_x * (left - min_time) as f32;
            let y = scale_y * offset as f32;
            let w = scale_x * (right - left) as f32;
            let h = scale_y * b.size as f32;
            writeln!(
                os,
                "\\fill[lightgray,draw=darkgray] ({},{}) rectangle ({},{});  % height = {}, ID = {}",
                g(x),
                g(y),
                g(x + w),
                g(y + h),
                g(h),
                comment(&b.id)
            )?;
            writeln!(os, "\\node at ({},{}) {{{}}};", g(x + w / 2.0), g(y + h / 2.0), escape(&b.id))?;
        }
    }
    let w = scale_x * max_time.wrapping_sub(min_time) as f32;
    let h = scale_y * problem.capacity as f32;
    writeln!(os, "\\fill[draw=black,fill opacity=0,thick] (0,0) rectangle ({},{});", g(w), g(h))?;
    writeln!(os, "\\end{{tikzpicture}}")?;
    writeln!(os, "\\end{{document}}")
}

/// `id` as the text of a TikZ node: TeX's special characters print as
/// themselves, and line breaks (a blank line would end the paragraph inside
/// the node) become spaces.
fn escape(id: &str) -> std::borrow::Cow<'_, str> {
    let special = |c: char| matches!(c, '_' | '%' | '#' | '&' | '$' | '{' | '}' | '~' | '^' | '\\' | '<' | '>');
    if !id.chars().any(|c| special(c) || c.is_control()) {
        return id.into();
    }
    let mut out = String::with_capacity(id.len() + 8);
    for c in id.chars() {
        match c {
            '_' | '%' | '#' | '&' | '$' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '\\' => out.push_str("\\textbackslash{}"),
            // In the default OT1 font encoding `<` and `>` print as `¡` and `¿`.
            '<' => out.push_str("$<$"),
            '>' => out.push_str("$>$"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.into()
}

/// `id` in a `%` comment, which TeX skips to the end of the line: anything
/// may stay but a line break, which would end the comment and let the rest
/// of the id be read as TeX.
fn comment(id: &str) -> std::borrow::Cow<'_, str> {
    if id.chars().any(char::is_control) {
        id.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().into()
    } else {
        id.into()
    }
}

/// Formats like C++'s default stream output of a float (`%g`, precision 6).
pub(crate) fn g(x: f32) -> String {
    let x = f64::from(x);
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let sci = format!("{x:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mantissa), exp.abs())
    } else {
        let decimals = (5 - exp).max(0) as usize;
        trim(&format!("{x:.decimals$}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Buffer;

    #[test]
    fn formats_like_cpp_streams() {
        assert_eq!(g(0.0), "0");
        assert_eq!(g(17.0), "17");
        assert_eq!(g(0.708_333_3), "0.708333");
        assert_eq!(g(2.833_333_3), "2.83333");
        assert_eq!(g(123_456.7), "123457");
        assert_eq!(g(1_234_567.0), "1.23457e+06");
        assert_eq!(g(0.000_012_5), "1.25e-05");
        assert_eq!(g(8.5), "8.5");
    }

    #[test]
    fn ids_are_escaped_in_nodes_and_cannot_leave_the_comment() {
        assert_eq!(escape("b1"), "b1");
        assert_eq!(escape("b_%#2"), "b\\_\\%\\#2");
        assert_eq!(escape("<b&1>"), "$<$b\\&1$>$");
        assert_eq!(escape("$x{y}"), "\\$x\\{y\\}");
        assert_eq!(escape("a~b^c\\d"), "a\\textasciitilde{}b\\textasciicircum{}c\\textbackslash{}d");
        assert_eq!(escape("x\"y"), "x\"y");
        assert_eq!(escape("two\nlines\r"), "two lines ");
        assert_eq!(comment("b_%#2"), "b_%#2");
        assert_eq!(comment("a\n\\end{document}"), "a \\end{document}");

        let p = Problem::new(vec![Buffer::new("b_%#2", 0, 3, 4), Buffer::new("x\n\\bye", 3, 6, 4)], 8);
        let s = Solution { offsets: vec![0, 0], height: 4 };
        let text = latex(&p, &s);
        assert!(text.contains("ID = b_%#2\n"), "{text}");
        assert!(text.contains("{b\\_\\%\\#2};\n"), "{text}");
        assert!(text.contains("ID = x \\bye\n"), "{text}");
        assert!(text.contains("{x \\textbackslash{}bye};\n"), "{text}");
        // Every line is a comment-free command or ends in the picture's comment.
        for line in text.lines() {
            assert!(!line.starts_with("\\bye"), "{text}");
        }
    }

    #[test]
    fn seed_picture() {
        let p = Problem::new(vec![Buffer::new("b1", 0, 3, 4), Buffer::new("b5", 0, 21, 4)], 12);
        let s = Solution { offsets: vec![8, 0], height: 12 };
        let text = latex(&p, &s);
        assert!(text.starts_with("\n\\documentclass[tikz]{standalone}\n"));
        assert!(text.contains(
            "\\fill[lightgray,draw=darkgray] (0,5.66667) rectangle (2.42857,8.5);  % height = 2.83333, ID = b1\n"
        ));
        assert!(text.contains("\\node at (1.21429,7.08333) {b1};\n"));
        assert!(text.ends_with(
            "\\fill[draw=black,fill opacity=0,thick] (0,0) rectangle (17,8.5);\n\\end{tikzpicture}\n\\end{document}\n"
        ));
    }
}
