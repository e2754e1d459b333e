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

const BOX_W: usize = 280;
const BOX_H: usize = 44;
const ROW: usize = 60;
const COLUMNS: [usize; 3] = [20, 360, 700];

fn svg_box(out: &mut String, x: usize, y: usize, title: &str, detail: &str) {
    out.push_str(&format!(
        "  <rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\" fill=\"#f4f4f4\" stroke=\"#333\"/>\n  <text x=\"{}\" y=\"{}\" font-size=\"13\" font-weight=\"bold\">{}</text>\n  <text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>\n",
        x + 8,
        y + 18,
        escape(title),
        x + 8,
        y + 35,
        escape(detail)
    ));
}

fn svg_line(out: &mut String, from: (usize, usize), to: (usize, usize)) {
    out.push_str(&format!(
        "  <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#666\" marker-end=\"url(#arrow)\"/>\n",
        from.0 + BOX_W,
        from.1 + BOX_H / 2,
        to.0,
        to.1 + BOX_H / 2
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
    let rows = show
        .cameras
        .len()
        .max(looks.len())
        .max(show.outputs.len())
        .max(1);
    let height = 50 + (rows + others.len().div_ceil(3)) * ROW;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" font-family=\"sans-serif\">\n  <defs><marker id=\"arrow\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#666\"/></marker></defs>\n",
        COLUMNS[2] + BOX_W + 20
    );
    for (i, heading) in ["Cameras", "LUT boxes / devices", "Outputs (monitors)"]
        .iter()
        .enumerate()
    {
        out.push_str(&format!(
            "  <text x=\"{}\" y=\"24\" font-size=\"14\">{heading}</text>\n",
            COLUMNS[i]
        ));
    }
    let at = |col: usize, row: usize| (COLUMNS[col], 40 + row * ROW);
    for (row, (id, camera)) in show.cameras.iter().enumerate() {
        let (x, y) = at(0, row);
        svg_box(&mut out, x, y, &camera.label, &camera_detail(camera));
        let mine: Vec<usize> = looks
            .iter()
            .enumerate()
            .filter(|(_, d)| d.camera.as_deref() == Some(id) || camera.devices.contains(&d.id))
            .map(|(i, _)| i)
            .collect();
        for &d in &mine {
            svg_line(&mut out, at(0, row), at(1, d));
        }
        for output in &camera.outputs {
            let Some(o) = show.outputs.get_index_of(output) else {
                continue;
            };
            let through = mine
                .iter()
                .find(|&&d| looks[d].output.as_deref().is_none_or(|x| x == output));
            let from = through.map_or(at(0, row), |&d| at(1, d));
            svg_line(&mut out, from, at(2, o));
        }
    }
    for (row, device) in looks.iter().enumerate() {
        let (x, y) = at(1, row);
        let detail = match &device.output {
            Some(o) => format!("{} · look for output {o}", device.kind),
            None => format!("{} · receives the baked look", device.kind),
        };
        svg_box(&mut out, x, y, &device.id, &detail);
    }
    for (row, output) in show.outputs.values().enumerate() {
        let (x, y) = at(2, row);
        svg_box(&mut out, x, y, &output.name, &output_detail(output));
    }
    for (i, device) in others.iter().enumerate() {
        let (x, y) = at(i % 3, rows + i / 3);
        svg_box(
            &mut out,
            x,
            y,
            &device.id,
            &format!("{} · {}", device.role(), device.kind),
        );
    }
    out.push_str("</svg>\n");
    out
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
            // Make, log encoding and gamut.
            let space = lookwire_color::spaces::lookup(&camera.input_space).unwrap();
            let detail = format!("{} · {}", space.curve_name, space.gamut.name);
            assert!(
                texts
                    .iter()
                    .any(|t| t.contains(&camera.make) && t.contains(&detail)),
                "{detail}"
            );
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
}
