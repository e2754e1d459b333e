//! A look turned into kernel-friendly tables, once per look.

use super::compact::Compact;
use super::pages::PageBuf;
use super::pow::pow;
use crate::cdl::{Cdl, CdlF32, CdlStyle, LUMA_REC709};
use crate::lut::{Interpolation, Lut1d, Lut3d};
use std::sync::OnceLock;

/// What the kernels apply per pixel, in this order: shaper → CDL → 3D LUT.
#[derive(Clone, Debug)]
pub struct Look {
    /// Per-channel 1D table in front of everything (e.g. a log shaper).
    pub shaper: Option<Lut1d>,
    /// A CDL and the clamp style it renders in.
    pub cdl: Option<(Cdl, CdlStyle)>,
    /// The baked look.
    pub lut: Lut3d,
    pub interpolation: Interpolation,
}

impl Look {
    /// Just a 3D LUT, tetrahedral.
    pub fn lut(lut: Lut3d) -> Self {
        Self {
            shaper: None,
            cdl: None,
            lut,
            interpolation: Interpolation::Tetrahedral,
        }
    }
}

/// Index arithmetic shared by every level: `u = clamp((x − min)·scale, 0, top)` with
/// NaN → 0, cell `i = min(trunc(u), last)`, fraction `u − i`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Axis {
    pub min: f32,
    pub scale: f32,
    pub top: f32,
    pub last: i32,
}

impl Axis {
    fn new(min: f32, max: f32, nodes: usize) -> Self {
        let top = (nodes - 1) as f32;
        Self {
            min,
            scale: top / (max - min),
            top,
            last: nodes as i32 - 2,
        }
    }

    /// The cell and the fraction within it (the scalar definition).
    #[inline(always)]
    pub fn locate(&self, x: f32) -> (usize, f32) {
        let u = (x - self.min) * self.scale;
        let u = if u.is_nan() {
            0.0
        } else {
            u.max(0.0).min(self.top)
        };
        let i = (u as i32).min(self.last);
        (i as usize, u - i as f32)
    }
}

/// A shaper as three flat tables.
#[derive(Clone, Debug)]
pub(crate) struct ShaperTable {
    pub tables: [Vec<f32>; 3],
    pub axes: [Axis; 3],
}

/// The CDL in f32 and its style.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CdlTable {
    pub cdl: CdlF32,
    pub style: CdlStyle,
    /// False when every power is 1 (the pow is skipped).
    pub has_power: bool,
    /// False when the saturation is 1 (the saturation step is skipped).
    pub has_sat: bool,
}

impl CdlTable {
    /// The scalar reference of the kernels' CDL: [`CdlF32::apply`]'s steps with the
    /// kernels' power ([`super::pow::pow`]), which every level reproduces bit for bit.
    ///
    /// Written without closures (`array::map`), which the compiler may leave out of line:
    /// inlined whole, the scalar kernel's FMA build compiles the power with `vfmadd`.
    #[inline(always)]
    pub fn apply(&self, [r, g, b]: [f32; 3]) -> [f32; 3] {
        let v = [self.channel(r, 0), self.channel(g, 1), self.channel(b, 2)];
        let [r, g, b] = if self.has_sat {
            let luma = LUMA[0] * v[0] + LUMA[1] * v[1] + LUMA[2] * v[2];
            let sat = |x: f32| luma + self.cdl.sat * (x - luma);
            [sat(v[0]), sat(v[1]), sat(v[2])]
        } else {
            v
        };
        match self.style {
            CdlStyle::Asc => [clamp_unit(r), clamp_unit(g), clamp_unit(b)],
            CdlStyle::NoClamp => [r, g, b],
        }
    }

    /// Slope, offset and power of channel `c` (with the style's clamp).
    #[inline(always)]
    fn channel(&self, x: f32, c: usize) -> f32 {
        let k = &self.cdl;
        let x = x * k.slope[c] + k.offset[c];
        let x = if x.is_nan() { 0.0 } else { x };
        match self.style {
            CdlStyle::Asc => {
                let x = x.clamp(0.0, 1.0);
                if self.has_power {
                    pow(x, k.power[c])
                } else {
                    x
                }
            }
            CdlStyle::NoClamp if self.has_power && x >= 0.0 => pow(x, k.power[c]),
            CdlStyle::NoClamp => x,
        }
    }
}

/// Clamp to [0, 1] with NaN → 0.
#[inline(always)]
fn clamp_unit(x: f32) -> f32 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

/// Rec.709 luma weights in f32, as the CDL's saturation uses them.
pub(crate) const LUMA: [f32; 3] = [
    LUMA_REC709[0] as f32,
    LUMA_REC709[1] as f32,
    LUMA_REC709[2] as f32,
];

/// f32 lattices this large or larger are read in paired order ([`LutTable::paired`]) by
/// the SIMD levels' tetrahedra: tetra65-f32 (3.2 MiB) +5 % at AVX-512, ±0 at AVX2; a 33³
/// lattice (421 KiB, in L2) gains nothing at AVX-512 and loses 2-5 % at AVX2 to the
/// per-lane G stride (A/B, thread CPU time, load 4.8).
pub(crate) const PAIRED_MIN_BYTES: usize = 1 << 20;

/// [`PAIRED_MIN_BYTES`] for [`super::NodeReads::Loads`]: with loads the paired order pays
/// on a 33³ lattice (421 KiB) too: tetra33-f32 AVX-512 median 246 → 262 Mpx/s, AVX2 242 →
/// 246 (Zen 4, A/B, thread CPU time, load 7.6). Smaller lattices were not measured.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) const PAIRED_MIN_BYTES_LOADS: usize = 256 << 10;

// The plain-order tetrahedra compute a sample's offset (3·node, below the lattice's f32
// count, PAIRED_MIN_BYTES / 4) in f32, exact only below 2^24.
const _: () = assert!(PAIRED_MIN_BYTES / 4 <= 1 << 24);

/// f32 lattices smaller than this take the fused row loop at the levels that have one
/// (`simd_fused.rs`), in either node order: it pays on lattices in L2 (tetra33-f32 AVX-512
/// +6-8 %; 45³-53³, paired order, +4-10 %) and costs on larger ones, whose L2 misses bound
/// the render (57³ −1-2 %, tetra65-f32 −2-3 %: A/B, thread CPU time, bench/README.md).
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) const FUSED_MAX_BYTES: usize = 2 << 20;

/// The lattice as flat RGB triples (node `(r, g, b)` at `3·(r + N·(g + N·b))`).
#[derive(Clone, Debug)]
pub(crate) struct LutTable {
    /// The nodes, then one 0.0: a 16-byte read at any node stays inside
    /// ([`super::NodeReads::Loads`]).
    pub nodes: Vec<f32>,
    pub size: usize,
    pub axes: [Axis; 3],
    pub interpolation: Interpolation,
    /// Largest |node|: the scale of the f32 rounding error of the output.
    pub magnitude: f32,
}

impl LutTable {
    /// Strides of the R, G, B axes in nodes.
    pub fn strides(&self) -> [usize; 3] {
        [1, self.size, self.size * self.size]
    }

    /// Node `(r, g, b)`'s place in the paired order ([`LutTable::paired`]).
    pub fn paired_index(&self, r: usize, g: usize, b: usize) -> usize {
        let n = self.size;
        2 * r + (g & 1) + 2 * n * (g >> 1) + 2 * n * n.div_ceil(2) * b
    }

    /// The lattice in paired order for the SIMD levels' f32 tetrahedra: G rows 2j and
    /// 2j + 1 interleaved node by node, so the four nodes of a cell face at an even G
    /// are 48 consecutive bytes. A tetrahedron's four vertices then touch 3.25 cache
    /// lines on average instead of 3.56 (simulated over random cells, 33³ and 65³),
    /// in 3 % more memory (a G row of padding when the size is odd).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub fn paired(&self) -> PageBuf<f32> {
        let n = self.size;
        // One more sample: [`LutTable::nodes`]'s padding.
        let mut out = PageBuf::zeroed(3 * self.paired_index(0, 0, n) + 1);
        for b in 0..n {
            for g in 0..n {
                for r in 0..n {
                    let (at, from) = (3 * self.paired_index(r, g, b), 3 * (r + n * (g + n * b)));
                    out[at..at + 3].copy_from_slice(&self.nodes[from..from + 3]);
                }
            }
        }
        out
    }
}

/// Everything a level needs to render one look.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub shaper: Option<ShaperTable>,
    pub cdl: Option<CdlTable>,
    pub lut: LutTable,
    /// The lattice packed for u8 and u16 outputs, made on first use (x86_64 levels).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub compact32: OnceLock<Option<Compact<u32>>>,
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub compact64: OnceLock<Option<Compact<u64>>>,
    /// [`LutTable::paired`], made on first use (x86_64 levels).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub paired: OnceLock<PageBuf<f32>>,
}

impl Prepared {
    pub fn new(look: &Look) -> Self {
        let shaper = look.shaper.as_ref().map(|s| {
            let d = s.domain();
            ShaperTable {
                tables: [0, 1, 2].map(|c| s.data().iter().map(|v| v[c]).collect()),
                axes: [0, 1, 2].map(|c| Axis::new(d.min[c], d.max[c], s.size())),
            }
        });
        let cdl = look.cdl.map(|(cdl, style)| CdlTable {
            cdl: CdlF32::new(&cdl),
            style,
            has_power: cdl.power != [1.0; 3],
            has_sat: cdl.sat != 1.0,
        });
        let lut = &look.lut;
        let d = lut.domain();
        let mut nodes: Vec<f32> = lut.data().iter().flatten().copied().collect();
        let magnitude = nodes.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        nodes.push(0.0);
        Self {
            shaper,
            cdl,
            lut: LutTable {
                nodes,
                size: lut.size(),
                axes: [0, 1, 2].map(|c| Axis::new(d.min[c], d.max[c], lut.size())),
                interpolation: look.interpolation,
                magnitude,
            },
            compact32: OnceLock::new(),
            compact64: OnceLock::new(),
            paired: OnceLock::new(),
        }
    }
}
