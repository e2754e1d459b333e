//! The look report as PDF (pdf-writer): one landscape A4 page per camera with its setup,
//! its grade (one ASC CDL), stills before and after the grade from the server's previews,
//! and the timecode of each grade change. Text is Helvetica (a base font every reader
//! has), so it is kept to printable ASCII.

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

use crate::post::export::text::{asc_sop, number, style_text};
use crate::post::grades::GradeTimeline;
use crate::post::report::wrap;
use crate::post::show_log::post_grade;
use crate::preview::routes::CameraChecks;
use crate::preview::{self, Previews};
use crate::show::{Camera, Grade, Show};

/// Width of the stills in pixels.
pub const STILL_WIDTH: usize = 640;
/// Grade changes listed per camera before "… more".
const MAX_CHANGES: usize = 16;
/// The longest line left of the checks column (x 36 to 431 at 10 pt); longer ones wrap.
const LINE_CHARS: usize = 70;
/// Text lines above the stills, at most.
const MAX_LINES: usize = 10;
/// Landscape A4 in points.
const PAGE: (f32, f32) = (842.0, 595.0);

/// A JPEG still and its size.
#[derive(Clone, Debug)]
pub struct Still {
    pub jpeg: Vec<u8>,
    pub width: usize,
    pub height: usize,
    pub caption: String,
}

/// One camera's page.
#[derive(Clone, Debug, Default)]
pub struct CameraPage {
    pub title: String,
    pub lines: Vec<String>,
    pub stills: Vec<Still>,
    pub changes: Vec<String>,
    /// The camera checks done (hot, dead, stuck pixels, noise), a line each.
    pub checks: Vec<String>,
}

/// Printable ASCII only (Helvetica's standard encoding), other characters as `?`.
fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c,
            '→' => '>',
            '×' => 'x',
            'Δ' => 'd',
            '·' => '-',
            _ => '?',
        })
        .collect()
}

/// The camera's stills: the chart without any grade, and with its grade, through its
/// first SDR output. `None` when the camera has no output to render through.
pub fn stills(show: &Show, camera: &str, previews: &Previews) -> Option<Vec<Still>> {
    let target = preview::target(show, camera, None, false).ok()?;
    let mut bare = show.clone();
    bare.cameras.get_mut(camera)?.grade = Grade::with_look(None);
    let mut out = Vec::new();
    for (s, caption) in [
        (&bare, "before: no grade"),
        (show, "after: the camera's grade"),
    ] {
        let jpeg = previews.jpeg(s, &target, STILL_WIDTH).ok()?;
        out.push(Still {
            jpeg: jpeg.bytes.to_vec(),
            width: jpeg.width,
            height: jpeg.height,
            caption: format!("{caption} ({} output)", target.rendered),
        });
    }
    Some(out)
}

/// Every camera's page of `show`, its stills rendered by `previews` (the server's, so a
/// still uploaded for a camera is what its page shows).
pub fn camera_pages(show: &Show, timeline: &GradeTimeline, previews: &Previews) -> Vec<CameraPage> {
    let checks = previews.camera_checks(show);
    show.cameras
        .iter()
        .map(|(id, cam)| {
            let grade = match post_grade(show, id, &cam.grade) {
                Ok(g) => format!(
                    "grade: ASC_SOP {} ASC_SAT {} ({}, working space {})",
                    asc_sop(&g.cdl),
                    number(g.cdl.sat),
                    style_text(g.style),
                    g.working_space
                ),
                Err(e) => format!("grade: {e}"),
            };
            let mut changes: Vec<String> = timeline
                .events(id)
                .iter()
                .map(|e| {
                    format!(
                        "{}  ASC_SOP {}  ASC_SAT {}",
                        e.at,
                        asc_sop(&e.grade.cdl),
                        number(e.grade.cdl.sat)
                    )
                })
                .collect();
            if changes.len() > MAX_CHANGES {
                let more = changes.len() - MAX_CHANGES;
                changes.truncate(MAX_CHANGES);
                changes.push(format!("... {more} more (see report.html)"));
            }
            CameraPage {
                title: format!("{} ({id})", cam.label),
                lines: vec![
                    format!("{} {}; input {}", cam.make, cam.model, cam.input_space),
                    format!(
                        "outputs: {}; look: {}",
                        cam.outputs.join(", "),
                        cam.grade.look.as_deref().unwrap_or("none")
                    ),
                    grade,
                    recorded_line(cam),
                    timecode_line(show, cam),
                ],
                stills: stills(show, id, previews).unwrap_or_default(),
                changes,
                checks: check_lines(&checks, id),
            }
        })
        .collect()
}

/// What records the camera.
fn recorded_line(camera: &Camera) -> String {
    let recorders: Vec<String> = camera.recorders.iter().map(|r| r.describe()).collect();
    match recorders.is_empty() {
        true => "recorded: not stated".to_owned(),
        false => format!("recorded: {}", recorders.join("; ")),
    }
}

/// Where the camera's timecode comes from (its own source, else the show's).
fn timecode_line(show: &Show, camera: &Camera) -> String {
    let timecode = match (&camera.timecode_source, &show.timecode_source) {
        (Some(own), _) => own.describe(),
        (None, Some(tc)) => format!("{} (the show's)", tc.describe()),
        (None, None) => "not stated".to_owned(),
    };
    format!("timecode: {timecode}")
}

/// The report lines of `camera`'s checks (none when it was never checked).
fn check_lines(checks: &[CameraChecks], camera: &str) -> Vec<String> {
    checks
        .iter()
        .find(|c| c.camera == camera)
        .map(CameraChecks::report_lines)
        .unwrap_or_default()
}

fn text(content: &mut Content, font: Name<'_>, size: f32, x: f32, y: f32, s: &str) {
    content.begin_text();
    content.set_font(font, size);
    content.next_line(x, y);
    content.show(Str(ascii(s).as_bytes()));
    content.end_text();
}

/// A page's lines wrapped to [`LINE_CHARS`], at most [`MAX_LINES`] (the last then says
/// where the rest is).
fn page_lines(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = lines.iter().flat_map(|l| wrap(l, LINE_CHARS)).collect();
    if out.len() > MAX_LINES {
        out.truncate(MAX_LINES - 1);
        out.push("... more in report.html".into());
    }
    out
}

/// The stills' top edge: below `lines` lines of text starting at y 518.
fn stills_top(lines: usize) -> f32 {
    512.0 - 14.0 * lines as f32
}

/// A still's width and height on the page: 375 pt wide at most, short enough that its
/// caption (12 pt below) stays above the grade changes' heading at y 225.
fn still_size(top: f32, still: &Still) -> (f32, f32) {
    let aspect = still.height.max(1) as f32 / still.width.max(1) as f32;
    let w = 375.0f32.min((top - 252.0) / aspect);
    (w, w * aspect)
}

/// The page of a report with no camera (a PDF needs at least one page).
fn no_camera_page() -> CameraPage {
    CameraPage {
        title: "No camera exported".into(),
        lines: vec!["This package holds no camera, so there is no look to report.".into()],
        ..CameraPage::default()
    }
}

/// The report: `title` on every page, one page per camera (one page saying so when there
/// is none).
pub fn look_report_pdf(title: &str, pages: &[CameraPage]) -> Vec<u8> {
    let placeholder = [no_camera_page()];
    let pages = if pages.is_empty() {
        &placeholder[..]
    } else {
        pages
    };
    let mut pdf = Pdf::new();
    let (catalog, tree, font) = (Ref::new(1), Ref::new(2), Ref::new(3));
    let font_name = Name(b"F1");
    let mut next = 4;
    let mut alloc = || {
        next += 1;
        Ref::new(next - 1)
    };
    let page_ids: Vec<Ref> = pages.iter().map(|_| alloc()).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    for (page, &page_id) in pages.iter().zip(&page_ids) {
        let content_id = alloc();
        let images: Vec<Ref> = page.stills.iter().map(|_| alloc()).collect();
        let names: Vec<String> = (0..images.len()).map(|i| format!("Im{i}")).collect();
        let mut p = pdf.page(page_id);
        p.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1))
            .parent(tree)
            .contents(content_id);
        let mut resources = p.resources();
        resources.fonts().pair(font_name, font);
        let mut xobjects = resources.x_objects();
        for (name, id) in names.iter().zip(&images) {
            xobjects.pair(Name(name.as_bytes()), *id);
        }
        xobjects.finish();
        resources.finish();
        p.finish();
        let mut c = Content::new();
        text(&mut c, font_name, 10.0, 36.0, 565.0, title);
        text(&mut c, font_name, 18.0, 36.0, 540.0, &page.title);
        let lines = page_lines(&page.lines);
        for (i, line) in lines.iter().enumerate() {
            text(&mut c, font_name, 10.0, 36.0, 518.0 - 14.0 * i as f32, line);
        }
        // Checks in the right column, above the stills (at most four lines).
        for (i, line) in page.checks.iter().enumerate() {
            text(&mut c, font_name, 8.0, 431.0, 518.0 - 11.0 * i as f32, line);
        }
        let top = stills_top(lines.len());
        for (i, (still, id)) in page.stills.iter().zip(&images).enumerate() {
            let (w, h) = still_size(top, still);
            let x = 36.0 + i as f32 * (w + 20.0);
            let mut image = pdf.image_xobject(*id, &still.jpeg);
            image.filter(Filter::DctDecode);
            image.width(still.width as i32).height(still.height as i32);
            image.color_space().device_rgb();
            image.bits_per_component(8);
            image.finish();
            c.save_state();
            c.transform([w, 0.0, 0.0, h, x, top - h]);
            c.x_object(Name(names[i].as_bytes()));
            c.restore_state();
            text(&mut c, font_name, 9.0, x, top - h - 12.0, &still.caption);
        }
        if !page.changes.is_empty() {
            let heading = "Grade changes (show timecode):";
            text(&mut c, font_name, 11.0, 36.0, 225.0, heading);
        }
        for (i, line) in page.changes.iter().enumerate() {
            text(&mut c, font_name, 8.0, 36.0, 211.0 - 11.0 * i as f32, line);
        }
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post::show_log::timeline_from_log;
    use crate::show::demo::demo_show;

    #[test]
    fn a_cameras_checks_are_on_its_page_and_in_the_html_report() {
        let checks = vec![CameraChecks {
            camera: "b".into(),
            hot: Some(2),
            hot_pixels: Vec::new(),
            dead: Some(0),
            ..CameraChecks::default()
        }];
        let lines = check_lines(&checks, "b");
        assert_eq!(lines, checks[0].report_lines());
        assert!(
            lines.iter().any(|l| l.starts_with("Hot pixels")),
            "{lines:?}"
        );
        assert!(
            check_lines(&checks, "a").is_empty(),
            "camera a was never checked"
        );
        let page = CameraPage {
            title: "CAM B (b)".into(),
            checks: lines.clone(),
            ..CameraPage::default()
        };
        let pdf = look_report_pdf("report", std::slice::from_ref(&page));
        let text = String::from_utf8_lossy(&pdf);
        for line in &lines {
            assert!(
                text.contains(&format!("({})", ascii(line))),
                "{line} in the PDF"
            );
        }
        let html = crate::post::report::camera_section(&page);
        assert!(html.contains("Camera checks"), "{html}");
        assert!(html.contains(&lines[0]), "{html}");
    }

    #[test]
    fn the_pdf_has_a_page_per_camera_with_two_stills_and_the_grade() {
        let mut show = demo_show();
        show.cameras.retain(|id, _| id == "a" || id == "b");
        let timeline = timeline_from_log(&show, &[]).unwrap();
        let pages = camera_pages(&show, &timeline, &Previews::new());
        assert_eq!(pages.len(), 2);
        for p in &pages {
            assert_eq!(p.stills.len(), 2, "{}", p.title);
            // Before and after differ: the grade (the demo's look) changes the picture.
            assert_ne!(p.stills[0].jpeg, p.stills[1].jpeg);
            assert!(p.stills.iter().all(|s| s.jpeg.starts_with(&[0xff, 0xd8])));
            assert!(p.lines[2].contains("ASC_SOP (1.06"), "{:?}", p.lines);
            assert_eq!(p.changes.len(), 1, "{:?}", p.changes);
        }
        let bytes = look_report_pdf("lookwire look report 2024-05-01", &pages);
        let text = String::from_utf8_lossy(&bytes);
        assert!(bytes.starts_with(b"%PDF-") && text.trim_end().ends_with("%%EOF"));
        assert_eq!(
            text.matches("/Type /Page\n").count() + text.matches("/Type /Page ").count(),
            2,
            "two pages"
        );
        assert_eq!(text.matches("/DCTDecode").count(), 4);
        assert!(text.contains("CAM A (a)") && text.contains("CAM B (b)"));
        assert_eq!(ascii("ΔE → 1×"), "dE > 1x");
    }

    #[test]
    fn each_page_states_what_records_the_camera_and_its_timecode() {
        let mut show = demo_show();
        show.cameras.retain(|id, _| id == "e" || id == "f");
        let timeline = timeline_from_log(&show, &[]).unwrap();
        let pages = camera_pages(&show, &timeline, &Previews::new());
        let (e, f) = (&pages[0].lines, &pages[1].lines);
        assert_eq!(
            e[3], "recorded: internal · Blackmagic RAW 5:1 · Media Module",
            "{e:?}"
        );
        assert_eq!(e[4], "timecode: internal rec-run · synced in post");
        assert_eq!(
            f[3],
            "recorded: internal · Cinema RAW Light · CFexpress B card; external Atomos \
             Shogun · ProRes 422 HQ · SDI 1, backup"
        );
        assert_eq!(
            f[4],
            "timecode: jam-sync from Ambient Lockit ACL 204 · jammed at call and after lunch \
             (the show's)"
        );
        let html = crate::post::report::camera_section(&pages[1]);
        assert!(
            html.contains("external Atomos Shogun · ProRes 422 HQ"),
            "{html}"
        );
        // In the PDF: wrapped within the left column, every word there, in order.
        let wrapped = page_lines(f);
        assert!(wrapped.iter().all(|l| l.chars().count() <= LINE_CHARS));
        let words = |lines: &[String]| -> Vec<String> {
            let text = lines.join(" ");
            text.split_whitespace()
                .filter(|w| *w != "·")
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(words(&wrapped), words(f));
        let bytes = look_report_pdf("t", &pages[1..]);
        let text = String::from_utf8_lossy(&bytes);
        for line in &wrapped {
            assert!(text.contains(&format!("({})", ascii(line))), "{line}");
        }
        assert!(
            text.contains("(recorded: internal - Cinema RAW Light"),
            "· as -"
        );
        // A camera with no recorder and a show without a timecode source say so.
        show.timecode_source = None;
        show.cameras["f"].recorders.clear();
        let pages = camera_pages(&show, &timeline, &Previews::new());
        assert_eq!(
            pages[1].lines[3..],
            ["recorded: not stated", "timecode: not stated"]
        );
    }

    #[test]
    fn many_lines_keep_the_stills_between_the_text_and_the_grade_changes() {
        let long = vec!["word ".repeat(400)];
        let lines = page_lines(&long);
        assert_eq!(lines.len(), MAX_LINES);
        assert_eq!(lines[MAX_LINES - 1], "... more in report.html");
        for (width, height) in [(640, 360), (640, 480), (640, 640)] {
            let still = Still {
                jpeg: Vec::new(),
                width,
                height,
                caption: String::new(),
            };
            for n in 1..=MAX_LINES {
                let top = stills_top(n);
                let (w, h) = still_size(top, &still);
                let last_line = 518.0 - 14.0 * (n - 1) as f32;
                assert!(top < last_line - 4.0, "{n} lines");
                assert!(w > 100.0 && w <= 375.0, "{width}x{height}, {n} lines: {w}");
                // The caption's baseline 12 pt below the still, above the heading at 225.
                assert!(top - h - 12.0 >= 236.0, "{width}x{height}, {n} lines");
            }
        }
    }

    /// The page tree's `/Count` and its `/Kids` references.
    fn page_tree(text: &str) -> (usize, usize) {
        let count = text.split("/Count ").nth(1).and_then(|t| {
            t.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse::<usize>()
                .ok()
        });
        let kids = text.split("/Kids [").nth(1).map(|t| {
            let list = &t[..t.find(']').unwrap_or(0)];
            list.matches(" R").count()
        });
        (count.expect("/Count"), kids.expect("/Kids"))
    }

    #[test]
    fn a_report_with_no_camera_is_a_valid_one_page_pdf() {
        let bytes = look_report_pdf("lookwire look report 2024-05-01", &[]);
        let text = String::from_utf8_lossy(&bytes);
        // A page tree with /Count 1 and no kids (the old output) is invalid PDF.
        assert_eq!(page_tree(&text), (1, 1));
        assert_eq!(
            text.matches("/Type /Page\n").count() + text.matches("/Type /Page ").count(),
            1
        );
        assert!(text.contains("No camera exported"));
        let two = look_report_pdf("t", &[no_camera_page(), no_camera_page()]);
        assert_eq!(page_tree(&String::from_utf8_lossy(&two)), (2, 2));
    }
}
