//! The look report (HTML): per camera every grade change with its timecode, CDL values,
//! style, working space and look; the clips and the grade each got; and the workflow
//! drawing of the show (SVG) drawn from its configuration: cameras (make, log encoding,
//! gamut), the devices carrying their picture, the outputs (SDR/HDR, display transform,
//! range), and routers, tally sources and control surfaces.

use super::export::text::{asc_sop, number, style_text};
use super::grades::{GradeTimeline, MatchReport};
use super::pdf::CameraPage;
use super::xml::escape;
use crate::show::{Show, SignalRange};

const BOX_W: usize = 320;
/// Height of a box with one detail line; each further line adds [`LINE`].
const BOX_H: usize = 44;
const LINE: usize = 15;
/// Space between rows.
const GAP: usize = 16;
/// Where the first row starts (below the timecode line and the column headings).
const TOP: usize = 60;
const COLUMNS: [usize; 3] = [20, 380, 740];
/// The longest detail line a box holds (11 px sans-serif in [`BOX_W`]); longer ones wrap.
const LINE_CHARS: usize = 52;

/// One box of the drawing: a title and its detail lines (wrapped to fit).
struct Cell {
    title: String,
    lines: Vec<String>,
}

impl Cell {
    fn new(title: &str, details: &[String]) -> Cell {
        Cell {
            title: title.to_owned(),
            lines: details.iter().flat_map(|d| wrap(d, LINE_CHARS)).collect(),
        }
    }

    fn height(&self) -> usize {
        BOX_H + LINE * self.lines.len().saturating_sub(1)
    }
}

/// Splits a line at ` · ` or spaces (a word longer than a line anywhere) into lines of at
/// most `max` characters.
pub(crate) fn wrap(line: &str, max: usize) -> Vec<String> {
    let len = |s: &str| s.chars().count();
    let mut out = Vec::new();
    let mut current = String::new();
    for part in line.split(" · ") {
        let sep = if current.is_empty() { "" } else { " · " };
        if len(&current) + len(sep) + len(part) <= max {
            current.push_str(sep);
            current.push_str(part);
            continue;
        }
        if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if len(part) <= max {
            current.push_str(part);
            continue;
        }
        for word in part.split(' ') {
            if !current.is_empty() && len(&current) + 1 + len(word) > max {
                out.push(std::mem::take(&mut current));
            } else if !current.is_empty() {
                current.push(' ');
            }
            let mut rest: Vec<char> = word.chars().collect();
            while rest.len() > max {
                out.push(rest.drain(..max).collect());
            }
            current.extend(rest);
        }
    }
    out.push(current);
    out
}

/// Where a drawn box is: x, y and height.
type Place = (usize, usize, usize);

fn svg_box(out: &mut String, (x, y, _): Place, cell: &Cell) {
    out.push_str(&format!(
        "  <rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{}\" rx=\"6\" fill=\"#f4f4f4\" stroke=\"#333\"/>\n  <text x=\"{}\" y=\"{}\" font-size=\"13\" font-weight=\"bold\">{}</text>\n",
        cell.height(),
        x + 8,
        y + 18,
        escape(&cell.title),
    ));
    for (i, line) in cell.lines.iter().enumerate() {
        out.push_str(&format!(
            "  <text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>\n",
            x + 8,
            y + 35 + LINE * i,
            escape(line)
        ));
    }
}

fn svg_line(out: &mut String, from: Place, to: Place) {
    out.push_str(&format!(
        "  <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#666\" marker-end=\"url(#arrow)\"/>\n",
        from.0 + BOX_W,
        from.1 + from.2 / 2,
        to.0,
        to.1 + to.2 / 2
    ));
}

/// A configured device as the drawing shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DrawnDevice {
    pub id: String,
    /// The driver (`lwlb`, `file-sink`, `videohub`, `tsl`, …).
    pub kind: String,
    /// The camera and output whose look it carries (look devices).
    pub camera: Option<String>,
    pub output: Option<String>,
}

impl DrawnDevice {
    fn takes_looks(&self) -> bool {
        self.camera.is_some()
    }

    fn role(&self) -> &'static str {
        match self.kind.as_str() {
            "videohub" => "router",
            "tsl" => "tally source",
            "tangent" | "osc-surface" => "control surface",
            _ => "device",
        }
    }
}

/// The devices column: every look device, configured or named by a camera, in id order.
fn look_devices(show: &Show, devices: &[DrawnDevice]) -> Vec<DrawnDevice> {
    let mut all: Vec<DrawnDevice> = devices
        .iter()
        .filter(|d| d.takes_looks())
        .cloned()
        .collect();
    for (id, camera) in &show.cameras {
        for device in &camera.devices {
            if !all.iter().any(|d| &d.id == device) {
                all.push(DrawnDevice {
                    id: device.clone(),
                    kind: "LUT box".into(),
                    camera: Some(id.clone()),
                    output: None,
                });
            }
        }
    }
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

/// A camera's lines: make, model, log encoding and gamut; each recorder; its timecode
/// source (the show's when it has none of its own).
fn camera_details(show: &Show, camera: &crate::show::Camera) -> Vec<String> {
    let mut lines = vec![camera_detail(camera)];
    lines.extend(
        camera
            .recorders
            .iter()
            .map(|r| format!("Rec: {}", r.describe())),
    );
    match (&camera.timecode_source, &show.timecode_source) {
        (Some(own), _) => lines.push(format!("TC: {}", own.describe())),
        (None, Some(show_tc)) => lines.push(format!("TC: the show's ({})", show_tc.mode.text())),
        (None, None) => {}
    }
    lines
}

fn camera_detail(camera: &crate::show::Camera) -> String {
    let space = lookwire_color::spaces::lookup(&camera.input_space).map_or_else(
        |_| camera.input_space.clone(),
        |s| format!("{} · {}", s.curve_name, s.gamut.name),
    );
    format!("{} {} · {space}", camera.make, camera.model)
        .trim()
        .to_owned()
}

fn output_detail(output: &crate::show::Output) -> String {
    let range = match output.range {
        SignalRange::Legal => "legal range",
        SignalRange::Full => "full range",
    };
    match &output.display {
        Some(d) => {
            let dynamic = if d.contains("hdr") { "HDR" } else { "SDR" };
            format!("{dynamic} · {d} · {range}")
        }
        None => format!("show LUT · {range}"),
    }
}

/// The show's signal flow as SVG, drawn from its configuration: cameras (make, log
/// encoding, gamut) → the devices carrying their look (driver, output) → the outputs
/// (SDR/HDR, display transform, range); routers, tally sources and control surfaces below.
pub fn workflow_svg(show: &Show, devices: &[DrawnDevice]) -> String {
    let looks = look_devices(show, devices);
    let others: Vec<&DrawnDevice> = devices.iter().filter(|d| !d.takes_looks()).collect();
    let grid = drawing_grid(show, &looks, &others);
    let mut tops = Vec::with_capacity(grid.len());
    let mut y = TOP;
    for row in &grid {
        tops.push(y);
        y += row
            .iter()
            .flatten()
            .map(Cell::height)
            .max()
            .unwrap_or(BOX_H)
            + GAP;
    }
    let place = |col: usize, row: usize| -> Place {
        let height = grid[row][col].as_ref().map_or(BOX_H, Cell::height);
        (COLUMNS[col], tops[row], height)
    };
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\">\n  <defs><marker id=\"arrow\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#666\"/></marker></defs>\n",
        COLUMNS[2] + BOX_W + 20,
        y + 4
    );
    let timecode = show
        .timecode_source
        .as_ref()
        .map_or("not stated".to_owned(), |tc| tc.describe());
    out.push_str(&format!(
        "  <text x=\"{}\" y=\"20\" font-size=\"13\">{}</text>\n",
        COLUMNS[0],
        escape(&format!("Timecode: {timecode}"))
    ));
    for (i, heading) in ["Cameras", "LUT boxes / devices", "Outputs (monitors)"]
        .iter()
        .enumerate()
    {
        out.push_str(&format!(
            "  <text x=\"{}\" y=\"44\" font-size=\"14\">{heading}</text>\n",
            COLUMNS[i]
        ));
    }
    for (row, cells) in grid.iter().enumerate() {
        for (col, cell) in cells.iter().enumerate() {
            if let Some(cell) = cell {
                svg_box(&mut out, place(col, row), cell);
            }
        }
    }
    for (row, (id, camera)) in show.cameras.iter().enumerate() {
        let mine: Vec<usize> = looks
            .iter()
            .enumerate()
            .filter(|(_, d)| d.camera.as_deref() == Some(id) || camera.devices.contains(&d.id))
            .map(|(i, _)| i)
            .collect();
        for &d in &mine {
            svg_line(&mut out, place(0, row), place(1, d));
        }
        for output in &camera.outputs {
            let Some(o) = show.outputs.get_index_of(output) else {
                continue;
            };
            let through = mine
                .iter()
                .find(|&&d| looks[d].output.as_deref().is_none_or(|x| x == output));
            let from = through.map_or(place(0, row), |&d| place(1, d));
            svg_line(&mut out, from, place(2, o));
        }
    }
    out.push_str("</svg>\n");
    out
}

/// The drawing's boxes by row and column: cameras, look devices and outputs side by side,
/// then routers, tally sources and control surfaces three to a row.
fn drawing_grid(
    show: &Show,
    looks: &[DrawnDevice],
    others: &[&DrawnDevice],
) -> Vec<[Option<Cell>; 3]> {
    let rows = show
        .cameras
        .len()
        .max(looks.len())
        .max(show.outputs.len())
        .max(1);
    let mut grid: Vec<[Option<Cell>; 3]> = (0..rows + others.len().div_ceil(3))
        .map(|_| [None, None, None])
        .collect();
    for (row, camera) in show.cameras.values().enumerate() {
        grid[row][0] = Some(Cell::new(&camera.label, &camera_details(show, camera)));
    }
    for (row, device) in looks.iter().enumerate() {
        let detail = match &device.output {
            Some(o) => format!("{} · look for output {o}", device.kind),
            None => format!("{} · receives the baked look", device.kind),
        };
        grid[row][1] = Some(Cell::new(&device.id, &[detail]));
    }
    for (row, output) in show.outputs.values().enumerate() {
        grid[row][2] = Some(Cell::new(&output.name, &[output_detail(output)]));
    }
    for (i, device) in others.iter().enumerate() {
        let detail = format!("{} · {}", device.role(), device.kind);
        grid[rows + i / 3][i % 3] = Some(Cell::new(&device.id, &[detail]));
    }
    grid
}

/// The HTML look report.
pub fn look_report(
    title: &str,
    timeline: &GradeTimeline,
    report: &MatchReport,
    workflow: Option<&str>,
    cameras: &[CameraPage],
) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title>\n<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin-bottom:2em}}td,th{{border:1px solid #999;padding:3px 8px;font-size:13px}}th{{background:#eee}}</style></head><body>\n<h1>{0}</h1>\n<p>Match rule: {1}. Generated by lookwire {2}.</p>\n",
        escape(title),
        escape(&report.rule.to_string()),
        env!("CARGO_PKG_VERSION")
    );
    if let Some(svg) = workflow {
        out.push_str("<h2>Workflow</h2>\n");
        out.push_str(svg);
    }
    for page in cameras {
        out.push_str(&camera_section(page));
    }
    for (camera, events) in timeline.cameras() {
        out.push_str(&format!("<h2>Camera {}</h2>\n<table><tr><th>Timecode</th><th>ASC_SOP</th><th>ASC_SAT</th><th>CDL style</th><th>Working space</th><th>Look</th></tr>\n", escape(camera)));
        for e in events {
            let g = &e.grade;
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                e.at,
                asc_sop(&g.cdl),
                number(g.cdl.sat),
                style_text(g.style),
                escape(&g.working_space),
                escape(g.look.as_deref().unwrap_or(""))
            ));
        }
        out.push_str("</table>\n");
    }
    out.push_str("<h2>Clips</h2>\n<table><tr><th>Camera</th><th>Clip</th><th>Source file</th><th>Start</th><th>End</th><th>Grade</th><th>Review</th></tr>\n");
    for m in &report.matches {
        let c = &m.clip;
        let grade = m
            .grade
            .as_ref()
            .map_or("none".to_owned(), |g| g.source.clone());
        let review = match (&m.grade, m.changes_during) {
            (None, _) => "no grade".to_owned(),
            (_, 0) => String::new(),
            (_, n) => format!("{n} change(s) during the clip"),
        };
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&c.camera),
            escape(&c.name),
            escape(&c.source_file),
            c.start,
            c.end,
            escape(&grade),
            review
        ));
    }
    out.push_str("</table>\n</body></html>\n");
    out
}

/// A camera's setup, grade and stills before and after the grade (JPEG, inline), as on its
/// PDF page.
pub(crate) fn camera_section(page: &CameraPage) -> String {
    use base64::Engine;
    let mut out = format!("<h2>{}</h2>\n", escape(&page.title));
    for line in &page.lines {
        out.push_str(&format!("<p>{}</p>\n", escape(line)));
    }
    if !page.checks.is_empty() {
        out.push_str("<h3>Camera checks</h3>\n");
        for line in &page.checks {
            out.push_str(&format!("<p>{}</p>\n", escape(line)));
        }
    }
    for still in &page.stills {
        out.push_str(&format!(
            "<figure style=\"display:inline-block;margin:0 1em 1em 0\"><img width=\"{}\" height=\"{}\" alt=\"{2}\" src=\"data:image/jpeg;base64,{3}\"><figcaption>{2}</figcaption></figure>\n",
            still.width,
            still.height,
            escape(&still.caption),
            base64::engine::general_purpose::STANDARD.encode(&still.jpeg)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post::xml;

    #[test]
    fn the_workflow_drawing_follows_the_show_configuration() {
        let mut show = crate::show::demo::demo_show();
        let first = show.cameras.keys().next().unwrap().clone();
        show.cameras[&first].devices = vec!["lutbox-1".into()];
        let configured = |id: &str, kind: &str, camera: Option<&str>| DrawnDevice {
            id: id.into(),
            kind: kind.into(),
            camera: camera.map(Into::into),
            output: camera.map(|_| "hdr".into()),
        };
        let devices = [
            configured("box-b", "lwlb", Some("b")),
            configured("hub", "videohub", None),
            configured("tally", "tsl", None),
        ];
        let svg = workflow_svg(&show, &devices);
        let root = xml::parse(&svg).unwrap();
        assert_eq!(root.name, "svg");
        let texts: Vec<&str> = root
            .children_named("text")
            .map(|t| t.text.as_str())
            .collect();
        for camera in show.cameras.values() {
            assert!(
                texts.contains(&camera.label.as_str()),
                "{} missing",
                camera.label
            );
            // Make, log encoding and gamut (a long line wraps).
            let space = lookwire_color::spaces::lookup(&camera.input_space).unwrap();
            let lines = box_of(&svg, &camera.label).join(" ");
            let want = [camera.make.as_str(), &space.curve_name, space.gamut.name];
            assert!(want.iter().all(|w| lines.contains(*w)), "{lines}");
        }
        for want in [
            "lutbox-1",
            "box-b",
            "lwlb · look for output hdr",
            "router · videohub",
            "tally source · tsl",
            "HDR PQ 1000 nits",
        ] {
            assert!(texts.contains(&want), "{want} missing: {texts:?}");
        }
        assert!(texts
            .iter()
            .any(|t| t.starts_with("SDR · aces2-sdr-rec709 · legal range")));
        assert!(texts.iter().any(|t| t.starts_with("HDR · aces2-hdr")));
        // Every camera feeds both outputs; the first through its LUT box, b's HDR through
        // its box: one more line each.
        let lines = root.children_named("line").count();
        assert_eq!(lines, show.cameras.len() * 2 + 2);
    }

    /// A `<text>` as (x, y, text).
    type Text = (f64, f64, String);

    /// Each `<rect>` of a drawing as (x, y, width, height), and each `<text>`.
    fn layout(svg: &str) -> (Vec<[f64; 4]>, Vec<Text>) {
        let root = xml::parse(svg).unwrap();
        let num = |e: &xml::Element, a: &str| e.attr(a).unwrap().parse::<f64>().unwrap();
        let rects = root
            .children_named("rect")
            .map(|r| [num(r, "x"), num(r, "y"), num(r, "width"), num(r, "height")])
            .collect();
        let texts = root
            .children_named("text")
            .map(|t| (num(t, "x"), num(t, "y"), t.text.clone()))
            .collect();
        (rects, texts)
    }

    /// Each box's texts, title first; checks that every text below the headings is in one
    /// box, no longer than a box holds, that boxes do not overlap and each is as tall as
    /// its lines.
    fn boxes(svg: &str) -> Vec<Vec<String>> {
        let (rects, texts) = layout(svg);
        let inside = |r: &[f64; 4], t: &(f64, f64, String)| {
            t.0 > r[0] && t.0 < r[0] + r[2] && t.1 > r[1] && t.1 < r[1] + r[3]
        };
        for t in texts.iter().filter(|t| t.1 > TOP as f64) {
            assert!(t.2.chars().count() <= LINE_CHARS, "{}", t.2);
            let n = rects.iter().filter(|r| inside(r, t)).count();
            assert_eq!(n, 1, "{t:?} in {n} boxes");
        }
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                let apart = a[0] + a[2] <= b[0]
                    || b[0] + b[2] <= a[0]
                    || a[1] + a[3] <= b[1]
                    || b[1] + b[3] <= a[1];
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        rects
            .iter()
            .map(|r| {
                let lines: Vec<String> = texts
                    .iter()
                    .filter(|t| inside(r, t))
                    .map(|t| t.2.clone())
                    .collect();
                let height = BOX_H + LINE * (lines.len() - 2);
                assert_eq!(r[3], height as f64, "{lines:?}");
                lines
            })
            .collect()
    }

    /// The lines of the box titled `title`.
    fn box_of(svg: &str, title: &str) -> Vec<String> {
        let all = boxes(svg);
        all.into_iter().find(|b| b[0] == title).expect(title)
    }

    #[test]
    fn the_drawing_shows_each_cameras_recorders_and_timecode_source() {
        let show = crate::show::demo::demo_show();
        let svg = workflow_svg(&show, &[]);
        let (_, texts) = layout(&svg);
        assert_eq!(
            texts[0].2,
            "Timecode: jam-sync from Ambient Lockit ACL 204 · jammed at call and after lunch"
        );
        let a = box_of(&svg, "CAM A");
        assert_eq!(
            a[2..],
            [
                "Rec: internal · X-OCN ST · AXS card",
                "TC: the show's (jam-sync)"
            ]
        );
        let e = box_of(&svg, "CAM E");
        assert_eq!(e.last().unwrap(), "TC: internal rec-run · synced in post");
        let f = box_of(&svg, "CAM F");
        for want in [
            "Rec: internal · Cinema RAW Light · CFexpress B card",
            "Rec: external Atomos Shogun · ProRes 422 HQ",
            "SDI 1, backup",
            "TC: the show's (jam-sync)",
        ] {
            assert!(f.contains(&want.to_owned()), "{want}: {f:?}");
        }
        // Five cameras follow the show's timecode, CAM E its own.
        let show_tc = texts
            .iter()
            .filter(|t| t.2 == "TC: the show's (jam-sync)")
            .count();
        assert_eq!(show_tc, 5);
    }

    #[test]
    fn a_show_without_recorders_or_timecode_source_says_it_is_not_stated() {
        let mut show = crate::show::demo::demo_show();
        show.timecode_source = None;
        for camera in show.cameras.values_mut() {
            camera.recorders.clear();
            camera.timecode_source = None;
        }
        let svg = workflow_svg(&show, &[]);
        let (_, texts) = layout(&svg);
        assert_eq!(texts[0].2, "Timecode: not stated");
        for lines in boxes(&svg) {
            assert!(!lines
                .iter()
                .any(|t| t.starts_with("Rec:") || t.starts_with("TC:")));
        }
        // A camera's own source with no show source is still drawn.
        show.cameras["c"].timecode_source = show_tc_free_run();
        let c = box_of(&workflow_svg(&show, &[]), "CAM C");
        assert_eq!(c.last().unwrap(), "TC: internal free-run");
    }

    fn show_tc_free_run() -> Option<crate::show::TimecodeSource> {
        Some(crate::show::TimecodeSource {
            mode: crate::show::TimecodeMode::FreeRun,
            master: String::new(),
            genlock: String::new(),
            label: String::new(),
        })
    }

    #[test]
    fn long_lines_wrap_at_separators_then_spaces_then_anywhere() {
        assert_eq!(wrap("short · line", 48), ["short · line"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("aaaa · bbbb · cccc", 11), ["aaaa · bbbb", "cccc"]);
        assert_eq!(wrap("one two three", 8), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("x · abcdefghij", 4), ["x", "abcd", "efgh", "ij"]);
        assert_eq!(wrap("é · ü", 5), ["é · ü"], "characters, not bytes");
    }
}
