//! Where every patch of the built-in chart sits.
//!
//! The layout is defined on a 1920×1080 grid and held normalised (0–1 across the
//! chart's width and height), so it scales exactly to UHD (×2) and maps onto any
//! picture of the chart through its four corners. Table at HD (pixels, top-left
//! corner and size; UHD doubles every number):
//!
//! | group | patches | first patch | size | pitch |
//! |---|---|---|---|---|
//! | ColorChecker 24 | 6 × 4, chart order row by row | (80, 80) | 130 | 150 |
//! | skin | 4, a column | (1000, 80) | 130 | 150 down |
//! | emissive LEDs | 4, a column | (1150, 80) | 130 | 150 down |
//! | specular 1×, 2×, 4×, 8×, 16× diffuse white | 5, a column | (1300, 80) | 100 | 116 down |
//! | 18 % grey card | 1 | (1450, 80) | 390 × 340 | |
//! | black trap (0 %) | 1 | (1450, 460) | 390 × 200 | |
//! | grey steps 0.18·2^k, k = −8 … +2 | 11, a row | (80, 700) | 130 | 160 across |
//! | continuous grey ramp, log2 −8 … +6 stops about 18 % | (not sampled) | (80, 870) | 1760 × 130 | |
//!
//! The surround is a neutral 6 % reflector.

use super::scene::{self, PatchGroup};
use serde::Serialize;

/// The grid the layout is defined on.
pub const BASE_WIDTH: f64 = 1920.0;
pub const BASE_HEIGHT: f64 = 1080.0;

/// The continuous ramp's rectangle on the base grid (x, y, width, height).
pub const RAMP_RECT: [f64; 4] = [80.0, 870.0, 1760.0, 130.0];
/// Stops about 18 % grey at the ramp's left and right ends.
pub const RAMP_STOPS: (f64, f64) = (-8.0, 6.0);

/// One patch: its identity, what it shows and where it is (normalised to the chart).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Patch {
    /// Short stable id (`cc01` … `cc24`, `skin1`, `led-blue`, `spec-4x`, `grey-m2`, `grey-p0`, …).
    pub id: String,
    pub name: String,
    pub group: PatchGroup,
    /// Left, top, right, bottom as fractions of the chart's width and height.
    pub rect: [f64; 4],
    /// Scene CIE XYZ under D65 (perfect white Y = 1).
    pub xyz: [f64; 3],
}

impl Patch {
    /// Centre in normalised chart coordinates.
    pub fn centre(&self) -> [f64; 2] {
        let [l, t, r, b] = self.rect;
        [(l + r) / 2.0, (t + b) / 2.0]
    }

    /// The rectangle in pixels for a chart `width` × `height` filling the picture.
    pub fn pixel_rect(&self, width: usize, height: usize) -> [f64; 4] {
        let [l, t, r, b] = self.rect;
        let (w, h) = (width as f64, height as f64);
        [l * w, t * h, r * w, b * h]
    }
}

fn rect(x: f64, y: f64, w: f64, h: f64) -> [f64; 4] {
    [
        x / BASE_WIDTH,
        y / BASE_HEIGHT,
        (x + w) / BASE_WIDTH,
        (y + h) / BASE_HEIGHT,
    ]
}

fn patch(id: String, name: &str, group: PatchGroup, r: [f64; 4], xyz: [f64; 3]) -> Patch {
    Patch {
        id,
        name: name.to_owned(),
        group,
        rect: r,
        xyz,
    }
}

fn checker_patches(out: &mut Vec<Patch>) {
    for (i, (name, xyz)) in scene::COLORCHECKER24.iter().enumerate() {
        let (col, row) = ((i % 6) as f64, (i / 6) as f64);
        let r = rect(80.0 + 150.0 * col, 80.0 + 150.0 * row, 130.0, 130.0);
        let group = scene::checker_group(i);
        out.push(patch(format!("cc{:02}", i + 1), name, group, r, *xyz));
    }
}

fn column_patches(out: &mut Vec<Patch>) {
    for (i, (name, xyz)) in scene::SKIN.iter().enumerate() {
        let r = rect(1000.0, 80.0 + 150.0 * i as f64, 130.0, 130.0);
        out.push(patch(
            format!("skin{}", i + 1),
            name,
            PatchGroup::Skin,
            r,
            *xyz,
        ));
    }
    for (i, (name, xyz)) in scene::EMISSIVE.iter().enumerate() {
        let r = rect(1150.0, 80.0 + 150.0 * i as f64, 130.0, 130.0);
        let id = scene::EMISSIVE_IDS[i].to_owned();
        out.push(patch(id, name, PatchGroup::Emissive, r, *xyz));
    }
    for (i, level) in scene::SPECULAR_LEVELS.iter().enumerate() {
        let r = rect(1300.0, 80.0 + 116.0 * i as f64, 100.0, 100.0);
        let name = format!("specular {level}× diffuse white");
        let xyz = scene::neutral(f64::from(*level));
        out.push(patch(
            format!("spec-{level}x"),
            &name,
            PatchGroup::Specular,
            r,
            xyz,
        ));
    }
    let grey = rect(1450.0, 80.0, 390.0, 340.0);
    let card = "18 % grey card";
    out.push(patch(
        "grey18".into(),
        card,
        PatchGroup::Neutral,
        grey,
        scene::neutral(0.18),
    ));
    let black = rect(1450.0, 460.0, 390.0, 200.0);
    out.push(patch(
        "black".into(),
        "black trap (0 %)",
        PatchGroup::Black,
        black,
        [0.0; 3],
    ));
}

fn grey_steps(out: &mut Vec<Patch>) {
    for (i, k) in scene::GREY_STEP_STOPS.enumerate() {
        let r = rect(80.0 + 160.0 * i as f64, 700.0, 130.0, 130.0);
        let name = format!("grey step 18 %·2^{k}");
        let id = if k < 0 {
            format!("grey-m{}", -k)
        } else {
            format!("grey-p{k}")
        };
        out.push(patch(
            id,
            &name,
            PatchGroup::Neutral,
            r,
            scene::neutral(0.18 * 2f64.powi(k)),
        ));
    }
}

/// Every sampled patch of the built-in chart, in a fixed order.
pub fn patches() -> Vec<Patch> {
    let mut out = Vec::with_capacity(50);
    checker_patches(&mut out);
    column_patches(&mut out);
    grey_steps(&mut out);
    out
}
