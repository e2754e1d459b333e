//! False color, overlays and compare views: on the demo chart's real pixels, through the
//! routes where a parameter is involved.

use super::*;
use crate::preview::picture::{Against, Compare, CompareMode, View};
use crate::preview::views::{self, SAFE_AREAS};
use crate::show::Snapshot;

/// Centre of patch `id` in a `w`×`h` picture.
fn centre(id: &str, w: usize, h: usize) -> (usize, usize) {
    let p = patches().into_iter().find(|p| p.id == id).unwrap();
    let [cx, cy] = p.centre();
    ((cx * w as f64) as usize, (cy * h as f64) as usize)
}

fn px(g: &Graded, x: usize, y: usize) -> [f32; 3] {
    let i = (y * g.width + x) * 3;
    [g.rgb[i], g.rgb[i + 1], g.rgb[i + 2]]
}

fn transform(show: &Show, output: &str) -> OutputTransform {
    OutputTransform::from_id(show.outputs[output].display.as_deref().unwrap()).unwrap()
}

/// Zones ascend and do not overlap; 18 % grey sits in the green one and one stop over in
/// the pink one, as OpenColorIO's 18 % grey code (GREY_709) says.
#[test]
fn zones_are_ordered_around_18_percent_grey() {
    let show = demo_show();
    let zones = views::zones(&transform(&show, "sdr"));
    for pair in zones.windows(2) {
        assert!(pair[0].ire[1] <= pair[1].ire[0], "{pair:?}");
    }
    let grey = f64::from(GREY_709) * 100.0;
    let green = zones
        .iter()
        .find(|z| z.name.starts_with("18% grey"))
        .unwrap();
    assert!(green.ire[0] < grey && grey < green.ire[1], "{green:?}");
    let band = green.ire[1] - green.ire[0];
    assert!(
        (4.0..15.0).contains(&band),
        "⅔ stop is a narrow band: {green:?}"
    );
    let pink = zones.iter().find(|z| z.name.starts_with("skin")).unwrap();
    assert!(pink.ire[0] > green.ire[1] && pink.stops == Some([2.0 / 3.0, 4.0 / 3.0]));
}

/// The identity-graded chart in false color: the 18 % card is green, one stop over is
/// pink, the brightest specular (16× diffuse white) reaches the near-clip or clip zone
/// while diffuse white stays below it (ACES 2.0 SDR rolls highlights off), eight stops
/// under is blue or purple.
#[test]
fn false_color_paints_the_charts_exposures() {
    let mut show = demo_show();
    show.cameras["a"].grade.look = None;
    let previews = Previews::new();
    let t = target(&show, "a", Some("sdr"), false).unwrap();
    let pic = Picture {
        view: View::FalseColor,
        ..Picture::default()
    };
    let g = previews.picture(&show, &t, 960, &pic).unwrap();
    let zones = views::zones(&transform(&show, "sdr"));
    let color_of = |id: &str| {
        let (x, y) = centre(id, g.width, g.height);
        px(&g, x, y)
    };
    let zone = |prefix: &str| {
        zones
            .iter()
            .find(|z| z.name.starts_with(prefix))
            .unwrap()
            .color
    };
    assert_eq!(color_of("grey18"), zone("18% grey"));
    assert_eq!(color_of("grey-p1"), zone("skin"));
    let top = color_of("spec-16x");
    assert!(
        top == zone("near clip") || top == zone("white clip"),
        "{top:?}"
    );
    let white = color_of("spec-1x");
    assert!(
        white != zone("near clip") && white != zone("white clip"),
        "{white:?}"
    );
    let deep = color_of("grey-m8");
    assert!(
        deep == zone("4+ stops") || deep == zone("black clip"),
        "{deep:?}"
    );
    // Outside every zone a pixel shows its own luma in grey.
    let mid = color_of("grey-m2");
    assert!(
        mid[0] == mid[1] && mid[1] == mid[2] && mid[0] > 0.05,
        "{mid:?}"
    );
}

#[test]
fn clip_marks_stripe_clipped_and_crushed_pixels_only() {
    let mut g = Graded {
        width: 16,
        height: 16,
        // Rows 0..4 clip red, rows 4..8 crush, the rest is mid grey.
        rgb: (0..16 * 16)
            .flat_map(|i| match i / 64 {
                0 => [1.0, 0.5, 0.5],
                1 => [0.0; 3],
                _ => [0.4; 3],
            })
            .collect(),
        output: "sdr".into(),
    };
    let before = g.clone();
    views::mark_clipped(&mut g);
    let (mut red, mut blue) = (0, 0);
    for (a, b) in before.rgb.chunks_exact(3).zip(g.rgb.chunks_exact(3)) {
        match (a[0], a[1]) {
            (1.0, _) if b == [1.0, 0.0, 0.0] => red += 1,
            (0.0, _) if b == [0.0, 0.3, 1.0] => blue += 1,
            _ => assert_eq!(a, b, "an unclipped pixel changed"),
        }
    }
    // Half of each clipped run is striped.
    assert!(
        (30..=36).contains(&red) && (30..=36).contains(&blue),
        "{red} {blue}"
    );
}

/// Blue LED light lies outside Rec.709 (the seed's warning); the greys and the 18 % card
/// do not.
#[test]
fn gamut_mask_finds_the_led_patches() {
    let show = demo_show();
    let previews = Previews::new();
    let t = target(&show, "a", Some("sdr"), false).unwrap();
    let (w, h) = (960, 540);
    let mask = previews.gamut_mask(&show, &t, w).unwrap();
    let at = |id: &str| {
        let (x, y) = centre(id, w, h);
        mask[y * w + x]
    };
    assert!(at("led-blue"), "blue LED");
    for id in ["grey18", "grey-p1", "grey-m3", "black"] {
        assert!(!at(id), "{id}");
    }
    let share = mask.iter().filter(|&&m| m).count() as f64 / mask.len() as f64;
    assert!(share < 0.2, "most of the chart is inside Rec.709: {share}");
}

#[test]
fn safe_areas_and_cross_are_drawn_where_they_belong() {
    let (w, h) = (960, 540);
    let mut g = Graded {
        width: w,
        height: h,
        rgb: vec![0.2; w * h * 3],
        output: "sdr".into(),
    };
    views::draw_safe_areas(&mut g);
    views::draw_centre_cross(&mut g);
    let action_x = (w as f64 * (1.0 - SAFE_AREAS[0]) / 2.0).round() as usize;
    let title_y = (h as f64 * (1.0 - SAFE_AREAS[1]) / 2.0).round() as usize;
    assert_eq!(px(&g, action_x, h / 3), [1.0; 3]);
    assert_eq!(px(&g, w / 4, title_y), [1.0, 0.9, 0.0]);
    assert_eq!(px(&g, w / 2, h / 2), [1.0; 3], "cross centre");
    assert_eq!(px(&g, w / 2 + 10, h / 2), [1.0; 3], "cross arm");
    assert_eq!(px(&g, w / 2 + 10, h / 2 + 10), [0.2; 3]);
    assert_eq!(px(&g, 5, 5), [0.2; 3], "outside the areas");
}

/// A wipe against the log picture: left of the boundary the graded picture, right of it
/// the camera's own signal; a split shows both whole at half width.
#[test]
fn wipe_and_split_against_the_log_picture() {
    let show = demo_show();
    let previews = Previews::new();
    let t = target(&show, "a", Some("sdr"), false).unwrap();
    let graded = previews.graded(&show, &t, 960).unwrap();
    let log = previews.log(&show, "a", 960).unwrap();
    let compare = |mode, position| Picture {
        compare: Some(Compare {
            mode,
            against: Against::Log,
            position,
        }),
        ..Picture::default()
    };
    let g = previews
        .picture(&show, &t, 960, &compare(CompareMode::Wipe, 0.25))
        .unwrap();
    let (gx, gy) = centre("grey18", 960, 540); // right of 25 %
    let (bx, by) = centre("grey-m8", 960, 540); // left of 25 %
    assert!(bx < 230 && gx > 250);
    assert_eq!(px(&g, gx, gy), px(&log, gx, gy));
    assert_eq!(px(&g, bx, by), px(&graded, bx, by));
    assert_ne!(px(&log, gx, gy), px(&graded, gx, gy));
    assert_eq!(px(&g, 239, 100), [1.0; 3], "the boundary line");

    let s = previews
        .picture(&show, &t, 960, &compare(CompareMode::Split, 0.5))
        .unwrap();
    assert_eq!((s.width, s.height), (960, 540));
    assert_eq!(px(&s, 10, 10), [0.0; 3], "letterbox");
    let half_graded = previews.graded(&show, &t, 480).unwrap();
    let half_log = previews.log(&show, "a", 480).unwrap();
    let (x, y) = centre("grey18", 480, 270);
    assert_eq!(px(&s, x, y + 135), px(&half_graded, x, y));
    assert_eq!(px(&s, 480 + x, y + 135), px(&half_log, x, y));
}

/// A snapshot with a warm trim against the current grade: the right side of the wipe is
/// the snapshot's, and changes when the snapshot's grade is the current one.
#[test]
fn compare_with_a_snapshot_and_another_camera() {
    let mut show = demo_show();
    let mut grade = show.cameras["a"].grade.clone();
    grade.trim.slope = [1.3, 1.0, 0.7];
    show.snapshots.insert(
        "warm".into(),
        Snapshot {
            id: "warm".into(),
            camera: "a".into(),
            name: "warm".into(),
            grade,
            timecode: "00:00:00:00".into(),
            wall_ms: 0,
        },
    );
    let previews = Previews::new();
    let t = target(&show, "a", Some("sdr"), false).unwrap();
    let wipe = |against| Picture {
        compare: Some(Compare {
            mode: CompareMode::Wipe,
            against,
            position: 0.0,
        }),
        ..Picture::default()
    };
    let g = previews
        .picture(&show, &t, 960, &wipe(Against::Snapshot("warm".into())))
        .unwrap();
    let now = previews.graded(&show, &t, 960).unwrap();
    let (x, y) = centre("grey18", 960, 540);
    let (a, b) = (px(&now, x, y), px(&g, x, y));
    assert!(b[0] > a[0] + 0.03 && b[2] < a[2] - 0.03, "{a:?} → {b:?}");
    // The same snapshot as the picture itself: identical sides.
    let from_snap = Picture {
        snapshot: Some("warm".into()),
        ..Picture::default()
    };
    let s = previews.picture(&show, &t, 960, &from_snap).unwrap();
    assert_eq!(px(&s, x, y), b);
    // Another camera through the same output.
    let other = previews
        .picture(&show, &t, 960, &wipe(Against::Camera("b".into())))
        .unwrap();
    let tb = target(&show, "b", Some("sdr"), false).unwrap();
    let b_now = previews.graded(&show, &tb, 960).unwrap();
    assert_eq!(px(&other, x, y), px(&b_now, x, y));
}

/// Two snapshots of a camera split side by side, and two cameras split side by side:
/// each half is that grade's (or camera's) own picture at half width.
#[test]
fn split_between_two_snapshots_and_between_two_cameras() {
    let mut show = demo_show();
    for (id, slope) in [("warm", [1.3, 1.0, 0.7]), ("cool", [0.7, 1.0, 1.3])] {
        let mut grade = show.cameras["a"].grade.clone();
        grade.trim.slope = slope;
        let snap = Snapshot {
            id: id.into(),
            camera: "a".into(),
            name: id.into(),
            grade,
            timecode: "00:00:00:00".into(),
            wall_ms: 0,
        };
        show.snapshots.insert(id.into(), snap);
    }
    let previews = Previews::new();
    let t = target(&show, "a", Some("sdr"), false).unwrap();
    let split = |snapshot: Option<&str>, against| Picture {
        snapshot: snapshot.map(str::to_owned),
        compare: Some(Compare {
            mode: CompareMode::Split,
            against,
            position: 0.5,
        }),
        ..Picture::default()
    };
    let alone = |snapshot: &str| Picture {
        snapshot: Some(snapshot.into()),
        ..Picture::default()
    };
    let (x, y) = centre("grey18", 480, 270);
    let pair = previews
        .picture(
            &show,
            &t,
            960,
            &split(Some("warm"), Against::Snapshot("cool".into())),
        )
        .unwrap();
    let warm = previews.picture(&show, &t, 480, &alone("warm")).unwrap();
    let cool = previews.picture(&show, &t, 480, &alone("cool")).unwrap();
    assert_eq!(px(&pair, x, y + 135), px(&warm, x, y));
    assert_eq!(px(&pair, 480 + x, y + 135), px(&cool, x, y));
    let (w, c) = (px(&warm, x, y), px(&cool, x, y));
    assert!(w[0] > c[0] + 0.05 && w[2] < c[2] - 0.05, "{w:?} vs {c:?}");

    let cameras = previews
        .picture(&show, &t, 960, &split(None, Against::Camera("c".into())))
        .unwrap();
    let a = previews.graded(&show, &t, 480).unwrap();
    let tc = target(&show, "c", Some("sdr"), false).unwrap();
    let c = previews.graded(&show, &tc, 480).unwrap();
    assert_eq!(px(&cameras, x, y + 135), px(&a, x, y));
    assert_eq!(px(&cameras, 480 + x, y + 135), px(&c, x, y));
    let (bx, by) = centre("cc02", 480, 270);
    assert_ne!(
        px(&a, bx, by),
        px(&c, bx, by),
        "the cameras differ unmatched"
    );
}

/// Overlays go through the route; every malformed parameter is a 400 naming it.
#[tokio::test]
async fn picture_parameters_through_the_route() {
    let s = server();
    let uri = "/api/v1/cameras/a/preview.jpg?width=320&view=false-color&overlay=safe,cross,clip,gamut&compare=split&against=camera:b";
    let (res, jpeg) = call(&s.app, "GET", uri, None).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&jpeg)
    );
    assert_eq!(decode(&jpeg).1, 320);
    for (query, param) in [
        ("view=neon", "view"),
        ("overlay=safe,zebra", "overlay"),
        ("compare=fade", "compare"),
        ("against=log", "compare"),
        ("compare=wipe&against=lens:1", "against"),
        ("compare=wipe&position=1.5", "position"),
        ("snapshot=nope", "/snapshots/nope"),
    ] {
        let uri = format!("/api/v1/cameras/a/preview.jpg?{query}");
        let (res, bytes) = call(&s.app, "GET", &uri, None).await;
        assert!(res.status().is_client_error(), "{query}");
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["error"]["path"], param, "{query}");
    }
}

/// The legend: zone shares of the chart add up to at most 1 and the 18 % card's area is
/// in the green zone.
#[tokio::test]
async fn false_color_legend_counts_the_picture() {
    let s = server();
    set_grade(&s.app, "a", json!({"look": null})).await;
    let (res, bytes) = call(&s.app, "GET", "/api/v1/cameras/a/false-color", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["output"], "sdr");
    let zones = v["zones"].as_array().unwrap();
    let total: f64 = zones.iter().map(|z| z["share"].as_f64().unwrap()).sum();
    assert!(total <= 1.0 + 1e-9);
    let green = zones
        .iter()
        .find(|z| z["name"].as_str().unwrap().starts_with("18%"))
        .unwrap();
    // The grey card is 390×340 of 1920×1080: 6.4 % of the frame.
    assert!(green["share"].as_f64().unwrap() > 0.05, "{green}");
    assert!(green["ire"][0].as_f64().unwrap() > 30.0);
}

/// The false-color legend through the route: every bound a number, or `null` for the
/// open ends (black clip below, white clip above), as the OpenAPI schema says.
#[tokio::test]
async fn false_color_legend_gives_open_bounds_as_null() {
    let s = server();
    let (res, bytes) = call(&s.app, "GET", "/api/v1/cameras/b/false-color", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    let zones = body["zones"].as_array().unwrap();
    let bounds: Vec<&Value> = zones
        .iter()
        .flat_map(|z| z["ire"].as_array().unwrap())
        .collect();
    assert_eq!(bounds.len(), 2 * zones.len());
    assert_eq!(
        bounds.first(),
        Some(&&Value::Null),
        "black clip has no lower bound"
    );
    assert_eq!(
        bounds.last(),
        Some(&&Value::Null),
        "white clip has no upper bound"
    );
    let inner = &bounds[1..bounds.len() - 1];
    assert!(inner.iter().all(|b| b.is_f64()), "{inner:?}");
}
