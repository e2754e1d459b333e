//! The patch picture of a match report: every patch as the reference camera shows it, the
//! camera before the match and after it, side by side, with the ΔE 2000 after the match
//! printed under each patch (white below 1, yellow below 3, red above; grey when the patch
//! was left out of the solve).
//!
//! Colours are the report's CIELAB values drawn on a Rec.709 display (BT.1886, gamma 2.4),
//! clipped to its gamut: a picture to look at, not a measurement.

use super::delta_e::{lab_to_xyz, Lab};
use super::report::{MatchReport, PatchDelta};

/// Patches per row.
pub const COLUMNS: usize = 10;
/// Width of each of the three stripes of a patch.
pub const STRIPE: usize = 24;
/// Height of a patch's swatch.
pub const SWATCH: usize = 48;
const LABEL: usize = 16;
const GAP: usize = 8;
const CELL_W: usize = 3 * STRIPE;
const CELL_H: usize = SWATCH + LABEL;
const BACKGROUND: [u8; 3] = [40, 40, 40];

/// An 8-bit RGB picture, rows top to bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Picture {
    fn new(width: usize, height: usize) -> Self {
        let rgb = BACKGROUND.repeat(width * height);
        Self { width, height, rgb }
    }

    /// The pixel at (x, y); `None` outside.
    pub fn pixel(&self, x: usize, y: usize) -> Option<[u8; 3]> {
        (x < self.width && y < self.height).then(|| {
            let i = (y * self.width + x) * 3;
            [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
        })
    }

    fn fill(&mut self, x0: usize, y0: usize, w: usize, h: usize, c: [u8; 3]) {
        for y in y0..(y0 + h).min(self.height) {
            for x in x0..(x0 + w).min(self.width) {
                let i = (y * self.width + x) * 3;
                self.rgb[i..i + 3].copy_from_slice(&c);
            }
        }
    }
}

/// Where patch `k`'s cell starts (its swatch's top-left corner).
pub fn cell_origin(k: usize) -> (usize, usize) {
    let (col, row) = (k % COLUMNS, k / COLUMNS);
    (GAP + col * (CELL_W + GAP), GAP + row * (CELL_H + GAP))
}

/// CIELAB (D65, white Y = 1) as 8-bit Rec.709 display code values.
pub fn display_code(lab: Lab) -> [u8; 3] {
    const XYZ_TO_709: [[f64; 3]; 3] = [
        [3.240_969_9, -1.537_383_2, -0.498_610_8],
        [-0.969_243_6, 1.875_967_5, 0.041_555_1],
        [0.055_630_1, -0.203_977_0, 1.056_971_5],
    ];
    let white = [0.950_455_9, 1.0, 1.089_058];
    let xyz = lab_to_xyz(lab, white);
    XYZ_TO_709.map(|row| {
        let linear: f64 = (0..3).map(|i| row[i] * xyz[i]).sum();
        let code = linear.clamp(0.0, 1.0).powf(1.0 / 2.4);
        (code * 255.0).round() as u8
    })
}

/// The patch picture of `report`.
pub fn patch_picture(report: &MatchReport) -> Picture {
    let n = report.after.patches.len();
    let rows = n.div_ceil(COLUMNS).max(1);
    let width = GAP + COLUMNS * (CELL_W + GAP);
    let height = GAP + rows * (CELL_H + GAP);
    let mut pic = Picture::new(width, height);
    for (k, (before, after)) in report
        .before
        .patches
        .iter()
        .zip(&report.after.patches)
        .enumerate()
    {
        let (x, y) = cell_origin(k);
        let stripes = [after.reference_lab, before.lab, after.lab];
        for (i, lab) in stripes.into_iter().enumerate() {
            pic.fill(x + i * STRIPE, y, STRIPE, SWATCH, display_code(lab));
        }
        draw_number(&mut pic, x + 2, y + SWATCH + 3, after);
    }
    pic
}

fn label_colour(d: &PatchDelta) -> [u8; 3] {
    match d.delta_e {
        _ if d.weight <= 0.0 => [128, 128, 128],
        e if e < 1.0 => [235, 235, 235],
        e if e < 3.0 => [240, 200, 40],
        _ => [240, 70, 60],
    }
}

/// 3×5 glyphs of `0-9 . -`, rows top to bottom, 3 bits each (high bit left).
const GLYPHS: [(char, [u8; 5]); 12] = [
    ('0', [7, 5, 5, 5, 7]),
    ('1', [2, 6, 2, 2, 7]),
    ('2', [7, 1, 7, 4, 7]),
    ('3', [7, 1, 7, 1, 7]),
    ('4', [5, 5, 7, 1, 1]),
    ('5', [7, 4, 7, 1, 7]),
    ('6', [7, 4, 7, 5, 7]),
    ('7', [7, 1, 1, 1, 1]),
    ('8', [7, 5, 7, 5, 7]),
    ('9', [7, 5, 7, 1, 7]),
    ('.', [0, 0, 0, 0, 2]),
    ('-', [0, 0, 7, 0, 0]),
];

/// Prints the patch's ΔE after the match, two pixels per glyph dot.
fn draw_number(pic: &mut Picture, x0: usize, y0: usize, d: &PatchDelta) {
    let text = format!("{:.2}", d.delta_e.min(99.99));
    let colour = label_colour(d);
    for (i, ch) in text.chars().enumerate() {
        let Some((_, rows)) = GLYPHS.iter().find(|g| g.0 == ch) else {
            continue;
        };
        for (r, bits) in rows.iter().enumerate() {
            for c in 0..3 {
                if bits & (4 >> c) != 0 {
                    pic.fill(x0 + i * 8 + c * 2, y0 + r * 2, 2, 2, colour);
                }
            }
        }
    }
}
