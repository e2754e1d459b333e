//! What a picture shows on top of the grade: false color for exposure, overlays (safe
//! areas, centre cross, clipped and out-of-gamut pixels) and the compare compositions
//! (wipe and split). Everything works on [`Graded`] frames (full-range display code values),
//! before 8-bit conversion.

use lookwire_color::output::{Encoding, OutputTransform, SignalRange};
use serde::Serialize;
use utoipa::ToSchema;

use super::Graded;

/// Code values at or above this are clipped (half an 8-bit code below the top).
pub const CLIP_HIGH: f32 = 1.0 - 0.5 / 255.0;
/// Code values at or below this are crushed.
pub const CLIP_LOW: f32 = 0.5 / 255.0;
/// Action-safe and title-safe areas (SMPTE RP 2046-1: 93 % and 90 % of each side).
pub const SAFE_AREAS: [f64; 2] = [0.93, 0.90];

/// One false-color zone: pixels whose luma lies in `ire` are painted `color`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Zone {
    pub name: String,
    /// sRGB-ish display colour the zone is painted with (0..1).
    pub color: [f32; 3],
    /// Luma range in IRE (0 = black code, 100 = peak code of the output), lower bound
    /// included, upper excluded; `null` where the zone is open (black clip has no lower
    /// bound, white clip no upper one).
    #[serde(serialize_with = "open_bounds")]
    #[schema(value_type = Vec<Option<f64>>, min_items = 2, max_items = 2)]
    pub ire: [f64; 2],
    /// The same range as scene exposure in stops from 18 % grey, when it is one.
    pub stops: Option<[f64; 2]>,
}

/// An infinite bound as `null`: JSON has no infinity.
fn open_bounds<S: serde::Serializer>(ire: &[f64; 2], s: S) -> Result<S::Ok, S::Error> {
    ire.map(|x| x.is_finite().then_some(x)).serialize(s)
}

/// IRE where a neutral scene `stops` from 18 % grey lands through `t` (full range).
fn ire_of_stops(t: &OutputTransform, stops: f64) -> f64 {
    let full = t.clone().with_range(SignalRange::Full);
    full.apply([0.18 * stops.exp2(); 3])[1] * 100.0
}

/// The false-color zones of an SDR output, from black clip to white clip: each exposure
/// zone is placed where the output transform puts that exposure of a neutral scene.
pub fn zones(t: &OutputTransform) -> Vec<Zone> {
    let ire = |s: f64| ire_of_stops(t, s);
    let third = 1.0 / 3.0;
    let exposure = |name: &str, color: [f32; 3], lo: f64, hi: f64| Zone {
        name: format!("{name} ({:.0}–{:.0} IRE)", ire(lo), ire(hi)),
        color,
        ire: [ire(lo), ire(hi)],
        stops: Some([lo, hi]),
    };
    let fixed = |name: &str, color: [f32; 3], lo: f64, hi: f64| Zone {
        name: name.into(),
        color,
        ire: [lo, hi],
        stops: None,
    };
    vec![
        fixed(
            "black clip (below 2 IRE)",
            [0.5, 0.0, 0.6],
            f64::NEG_INFINITY,
            2.0,
        ),
        Zone {
            ire: [2.0, ire(-4.0).max(2.0)],
            ..exposure("4+ stops under 18% grey", [0.0, 0.35, 1.0], -20.0, -4.0)
        },
        exposure("18% grey ±⅓ stop", [0.1, 0.75, 0.1], -third, third),
        exposure(
            "skin, +1 stop ±⅓",
            [1.0, 0.55, 0.7],
            2.0 * third,
            4.0 * third,
        ),
        fixed("near clip (97–99 IRE)", [1.0, 0.9, 0.0], 97.0, 99.0),
        fixed(
            "white clip (99 IRE and above)",
            [1.0, 0.0, 0.0],
            99.0,
            f64::INFINITY,
        ),
    ]
}

/// Whether false color applies: SDR display encodings only (pictures of HDR outputs are
/// rendered through the camera's SDR output anyway).
pub fn has_zones(t: &OutputTransform) -> bool {
    matches!(t.info().encoding, Encoding::Bt1886 | Encoding::Gamma26)
}

/// Table size of the luma → zone lookup.
const ZONE_STEPS: usize = 1024;

/// Paints each pixel its zone's colour, or its own luma in grey outside every zone.
pub fn false_color(g: &mut Graded, zones: &[Zone], weights: [f32; 3]) {
    let table: Vec<Option<[f32; 3]>> = (0..ZONE_STEPS)
        .map(|i| {
            let ire = (i as f64 + 0.5) * 100.0 / ZONE_STEPS as f64;
            zones
                .iter()
                .find(|z| z.ire[0] <= ire && ire < z.ire[1])
                .map(|z| z.color)
        })
        .collect();
    for px in g.rgb.chunks_exact_mut(3) {
        let y = weights[0] * px[0] + weights[1] * px[1] + weights[2] * px[2];
        let i = ((y * ZONE_STEPS as f32) as usize).min(ZONE_STEPS - 1);
        let paint = match table[i] {
            _ if y.is_nan() => [0.0; 3],
            Some(c) => c,
            None => [y; 3],
        };
        px.copy_from_slice(&paint);
    }
}

/// Share of pixels in each zone (same order as `zones`).
pub fn zone_shares(g: &Graded, zones: &[Zone], weights: [f32; 3]) -> Vec<f64> {
    let mut counts = vec![0usize; zones.len()];
    for px in g.rgb.chunks_exact(3) {
        let y = f64::from(weights[0] * px[0] + weights[1] * px[1] + weights[2] * px[2]) * 100.0;
        if let Some(k) = zones.iter().position(|z| z.ire[0] <= y && y < z.ire[1]) {
            counts[k] += 1;
        }
    }
    let n = (g.rgb.len() / 3).max(1) as f64;
    counts.into_iter().map(|c| c as f64 / n).collect()
}

/// Diagonal stripes 4 pixels wide: `true` on every other stripe.
fn stripe(x: usize, y: usize, flip: bool) -> bool {
    let d = if flip { x + y } else { x + 10_000 - y % 10_000 };
    (d / 4) % 2 == 0
}

/// Stripes clipped pixels red (any channel at the top) and crushed ones blue (every
/// channel at black), on the picture as graded.
pub fn mark_clipped(g: &mut Graded) {
    let w = g.width;
    for (i, px) in g.rgb.chunks_exact_mut(3).enumerate() {
        let (x, y) = (i % w, i / w);
        if !stripe(x, y, true) {
            continue;
        }
        if px.iter().any(|&v| v >= CLIP_HIGH) {
            px.copy_from_slice(&[1.0, 0.0, 0.0]);
        } else if px.iter().all(|&v| v <= CLIP_LOW) {
            px.copy_from_slice(&[0.0, 0.3, 1.0]);
        }
    }
}

/// Stripes (the other diagonal, magenta) the pixels `mask` marks out of gamut.
pub fn mark_out_of_gamut(g: &mut Graded, mask: &[bool]) {
    let w = g.width;
    for (i, (px, &out)) in g.rgb.chunks_exact_mut(3).zip(mask).enumerate() {
        if out && stripe(i % w, i / w, false) {
            px.copy_from_slice(&[1.0, 0.0, 1.0]);
        }
    }
}

fn put(g: &mut Graded, x: usize, y: usize, rgb: [f32; 3]) {
    if x < g.width && y < g.height {
        let i = (y * g.width + x) * 3;
        g.rgb[i..i + 3].copy_from_slice(&rgb);
    }
}

/// Line thickness for a picture `width` wide: 1 pixel up to 960, then 2.
fn thickness(width: usize) -> usize {
    if width > 960 {
        2
    } else {
        1
    }
}

/// Outlines of the action-safe (white) and title-safe (yellow) areas.
pub fn draw_safe_areas(g: &mut Graded) {
    let colors = [[1.0, 1.0, 1.0], [1.0, 0.9, 0.0]];
    let t = thickness(g.width);
    for (share, color) in SAFE_AREAS.into_iter().zip(colors) {
        let (w, h) = (g.width as f64, g.height as f64);
        let x0 = (w * (1.0 - share) / 2.0).round() as usize;
        let y0 = (h * (1.0 - share) / 2.0).round() as usize;
        let (x1, y1) = (g.width - 1 - x0, g.height - 1 - y0);
        for k in 0..t {
            for x in x0..=x1 {
                put(g, x, y0 + k, color);
                put(g, x, y1 - k, color);
            }
            for y in y0..=y1 {
                put(g, x0 + k, y, color);
                put(g, x1 - k, y, color);
            }
        }
    }
}

/// A white cross at the centre, 4 % of the width across.
pub fn draw_centre_cross(g: &mut Graded) {
    let (cx, cy) = (g.width / 2, g.height / 2);
    let arm = (g.width / 50).max(3);
    let t = thickness(g.width);
    for d in 0..=2 * arm {
        for k in 0..t {
            put(g, (cx + d).saturating_sub(arm), cy + k, [1.0; 3]);
            put(g, cx + k, (cy + d).saturating_sub(arm), [1.0; 3]);
        }
    }
}

/// `a` left of `position` (0..1 of the width) and `b` right of it, with a white line on
/// the boundary. Both must have the same size.
pub fn wipe(a: &Graded, b: &Graded, position: f64) -> Graded {
    let edge = ((a.width as f64 * position).round() as usize).min(a.width);
    let mut out = a.clone();
    for y in 0..a.height {
        let row = y * a.width * 3;
        out.rgb[row + edge * 3..row + a.width * 3]
            .copy_from_slice(&b.rgb[row + edge * 3..row + b.width * 3]);
    }
    let t = thickness(a.width);
    for y in 0..a.height {
        for k in 0..t {
            put(&mut out, (edge + k).saturating_sub(t / 2 + 1), y, [1.0; 3]);
        }
    }
    out
}

/// `a` and `b` side by side on a black frame twice as wide as each and as high as the
/// pair's picture would be at that width (they sit in its middle).
pub fn split(a: &Graded, b: &Graded) -> Graded {
    let (w, h) = (a.width + b.width, (a.height.max(b.height)) * 2);
    let mut out = Graded {
        width: w,
        height: h,
        rgb: vec![0.0; w * h * 3],
        output: a.output.clone(),
    };
    for (pic, x0) in [(a, 0), (b, a.width)] {
        let y0 = (h - pic.height) / 2;
        for y in 0..pic.height {
            let dst = ((y0 + y) * w + x0) * 3;
            let src = y * pic.width * 3;
            out.rgb[dst..dst + pic.width * 3].copy_from_slice(&pic.rgb[src..src + pic.width * 3]);
        }
    }
    out
}
