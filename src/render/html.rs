//! One self-contained HTML page for a batch's report: the table (sortable
//! by any column, with a few lines of inline script), the plots of
//! [`super::plot`], and each solved instance's packing picture one click
//! away (its name links to it; CSS's `:target` shows one picture at a time,
//! so the page stays short and works without script too).
//!
//! Nothing is fetched when the page is opened: the styles, the script and
//! the pictures (inline SVG) are all in the file, so it can be mailed,
//! archived beside the report, or opened on a machine with no network.

use std::fmt::Write;

use super::esc;

/// A column of the table.
#[derive(Clone, Debug)]
pub struct Column {
    /// The heading.
    pub name: String,
    /// Sorted as numbers (else as text); its cells are right-aligned.
    pub numeric: bool,
}

/// A row of the table.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// The cells, one per column; the first names the instance.
    pub cells: Vec<String>,
    /// The row's status, which colours it (`solved`, `timeout`, ...).
    pub status: String,
    /// The instance's packing picture (an SVG document), if any.
    pub picture: Option<String>,
    /// Why there is no picture, shown in its place (e.g. too large).
    pub no_picture: Option<String>,
}

/// What a report page shows.
#[derive(Clone, Debug, Default)]
pub struct Page<'a> {
    /// The page's title and heading.
    pub title: &'a str,
    /// Lines under the heading (the build, the settings, a summary).
    pub notes: Vec<String>,
    /// The table's columns.
    pub columns: Vec<Column>,
    /// The table's rows.
    pub rows: Vec<Row>,
    /// Plots (an SVG document) shown above the table.
    pub figures: Option<String>,
}

/// The styles: a readable table, status colours, and pictures shown only
/// when their link is followed.
const STYLE: &str = "
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
p.note { margin: 0.1em 0; color: #555; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #eee; cursor: pointer; user-select: none; white-space: nowrap; }
th.sorted-up::after { content: ' \\25B2'; }
th.sorted-down::after { content: ' \\25BC'; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.solved td:first-child, tr.optimal td:first-child { border-left: 4px solid #27ae60; }
tr.feasible td:first-child { border-left: 4px solid #f1c40f; }
tr.timeout td:first-child, tr.unknown td:first-child { border-left: 4px solid #e67e22; }
tr.infeasible td:first-child { border-left: 4px solid #7f8c8d; }
tr.error td:first-child, tr.internal td:first-child { border-left: 4px solid #c0392b; }
section.packing { display: none; border-top: 1px solid #ccc; margin-top: 1em; }
section.packing:target { display: block; }
section.packing svg { max-width: 100%; height: auto; }
";

/// Sorts the table when a heading is clicked: numbers by their value
/// (`data-v`; a cell without one, such as a missing height, goes last),
/// text as text; a second click reverses.
const SCRIPT: &str = "
document.querySelectorAll('table.report th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0];
    var up = !th.classList.contains('sorted-up');
    table.querySelectorAll('th').forEach(function (h) { h.classList.remove('sorted-up', 'sorted-down'); });
    th.classList.add(up ? 'sorted-up' : 'sorted-down');
    var numeric = th.dataset.numeric === '1';
    var key = function (tr) {
      var td = tr.cells[col];
      if (!numeric) { return td.textContent; }
      var v = parseFloat(td.dataset.v);
      return isNaN(v) ? Infinity : v;
    };
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      var c = numeric ? (x === y ? 0 : (x < y ? -1 : 1)) : x.localeCompare(y, undefined, {numeric: true});
      return up ? c : -c;
    });
    rows.forEach(function (tr) { body.appendChild(tr); });
  });
});
";

/// The page. A row's picture is linked from its first cell and shown when
/// the link is followed.
pub fn report_page(page: &Page<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">");
    let _ = writeln!(out, "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>", esc(page.title));
    let _ = writeln!(out, "<h1>{}</h1>", esc(page.title));
    for note in &page.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(note));
    }
    if let Some(figures) = &page.figures {
        let _ = writeln!(out, "<div class=\"figures\">\n{}</div>", strip_prolog(figures));
    }
    write_table(&mut out, page);
    let _ = writeln!(out, "<p class=\"note\">Click a heading to sort; click a name to see its packing.</p>");
    for (k, row) in page.rows.iter().enumerate() {
        let name = row.cells.first().map(String::as_str).unwrap_or_default();
        if let Some(picture) = &row.picture {
            let _ = writeln!(
                out,
                "<section class=\"packing\" id=\"packing-{k}\">\n<h2>{}</h2>\n<p><a href=\"#table\">back to the table</a></p>\n{}</section>",
                esc(name),
                strip_prolog(picture)
            );
        }
    }
    let _ = writeln!(out, "<script>{SCRIPT}</script>\n</body>\n</html>");
    out
}

/// The table, with an anchor to come back to from a picture.
fn write_table(out: &mut String, page: &Page<'_>) {
    let _ = writeln!(out, "<table class=\"report\" id=\"table\">\n<thead><tr>");
    for c in &page.columns {
        let _ = writeln!(out, "<th data-numeric=\"{}\">{}</th>", u8::from(c.numeric), esc(&c.name));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for (k, row) in page.rows.iter().enumerate() {
        let _ = write!(out, "<tr class=\"{}\">", esc(&row.status));
        for (i, cell) in row.cells.iter().enumerate() {
            let numeric = page.columns.get(i).is_some_and(|c| c.numeric);
            let text = match (i, &row.picture, &row.no_picture) {
                (0, Some(_), _) => format!("<a href=\"#packing-{k}\">{}</a>", esc(cell)),
                (0, None, Some(why)) => format!("<span title=\"{}\">{}</span>", esc(why), esc(cell)),
                _ => esc(cell),
            };
            if numeric {
                let v = cell.parse::<f64>().ok().filter(|v| v.is_finite()).map(|v| v.to_string()).unwrap_or_default();
                let _ = write!(out, "<td class=\"num\" data-v=\"{v}\">{text}</td>");
            } else {
                let _ = write!(out, "<td>{text}</td>");
            }
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody>\n</table>");
}

/// An SVG document as an element to inline in HTML: without an XML
/// declaration, should it have one.
fn strip_prolog(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_with_a_sortable_table_and_pictures_one_click_away() {
        let columns =
            vec![Column { name: "file".into(), numeric: false }, Column { name: "height".into(), numeric: true }];
        let picture = "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect class=\"buffer\"/></svg>\n".to_string();
        let rows = vec![
            Row {
                cells: vec!["a<b>.csv".into(), "12".into()],
                status: "solved".into(),
                picture: Some(picture),
                ..Row::default()
            },
            Row {
                cells: vec!["c.csv".into(), "-".into()],
                status: "timeout".into(),
                no_picture: Some("no solution".into()),
                ..Row::default()
            },
        ];
        let page = Page {
            title: "report.csv",
            notes: vec!["minimalloc 0.1.0 (commit abc)".into()],
            columns,
            rows,
            figures: Some("<svg xmlns=\"http://www.w3.org/2000/svg\"><g class=\"cactus\"/></svg>".into()),
        };
        let html = report_page(&page);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<a href=\"#packing-0\">a&lt;b&gt;.csv</a>"), "the name links to its picture");
        assert!(html.contains("<section class=\"packing\" id=\"packing-0\">"));
        assert!(!html.contains("packing-1"), "no picture, no link");
        assert!(html.contains("<td class=\"num\" data-v=\"12\">12</td>"));
        assert!(html.contains("<td class=\"num\" data-v=\"\">-</td>"), "a missing number sorts last");
        assert!(html.contains("<tr class=\"timeout\">"));
        assert!(html.contains("<g class=\"cactus\"/>"));
        assert!(html.contains("<th data-numeric=\"1\">height</th>"));
        // Self-contained: the only URL is the SVG namespace, never fetched.
        assert_eq!(html.matches("http").count(), html.matches("http://www.w3.org/2000/svg").count());
        for fetch in ["src=", "<link", "@import", "url("] {
            assert!(!html.contains(fetch), "{fetch}");
        }
    }
}
