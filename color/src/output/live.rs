//! Live baking: a 33³ look LUT rebuilt at every grade change in well under a millisecond.
//!
//! Two dense tables are built once and reused across changes:
//! - the camera's input side: for every node of the bake lattice, the working-space value
//!   (ACEScct, or the camera code value itself in camera working mode);
//! - the output side: the display output (with the optional gamut compression and the
//!   signal range) sampled on a dense lattice over the working space, which is its own
//!   shaper: ACEScct is log-like, and for ACES 2.0 the table spans exactly the AP1 values
//!   the output does not clamp (ACEScct of 0 up to 8·r_hit), so nothing outside is lost.
//!
//! Per change only the CDL (slope/offset/power as a per-channel table, saturation exact),
//! the look LUT and one output-table lookup run per node, in f32 on the render kernels,
//! then the output's own clamp, matrix and inverse EOTF (a bit-pattern table, relative
//! accuracy ~2e-6) per node. [`crate::pipeline::Pipeline::bake`] stays the exact (f64)
//! mode for exports.
//!
//! Measured against the exact bake (color/tests/output_live.rs, 65³ tables, ARRI LogC3
//! and S-Log3 with a CDL and a look LUT): median 0.10–0.18 10-bit code values, but
//! p99.9 23–68 and max 39–260. The tail is structural: where the output clamps a
//! channel of an out-of-gamut colour to black, BT.1886 and PQ are so steep that a
//! display-light error of 1e-6 is already about three code values, and no interpolated
//! table is that exact across the gamut-compression kinks. Exports must use the exact bake.

use std::sync::{Arc, Mutex};

use super::{Encoding, GamutCompression, OutputTransform};
use crate::cdl::{Cdl, CdlStyle};
use crate::kernel::{Coding, ImageDesc, Kernel, Layout, Look as KernelLook};
use crate::lut::{Domain, Lut1d, Lut3d, LutError};
use crate::pipeline::{to_aces, Look, Op, Pipeline, WorkingSpace};
use crate::spaces::{self, InputSpace, AP0, AP1};

/// The output side of a live bake: working-space values → output code values.
#[derive(Debug, Clone)]
pub struct OutputTable {
    /// The rendering before its last clamp ([`OutputTransform::unclamped`]).
    lut: Lut3d,
    finish: Finish,
}

/// Highest display-linear value the encoding table covers (larger ones are encoded exactly).
const ENCODE_MAX: f32 = 128.0;

/// A per-channel inverse EOTF tabulated on the f32 bit pattern: one entry per 2⁻⁷
/// relative step (the top 16 bits of the float), linear in between, so the relative
/// accuracy is the same near black as near peak (as OpenColorIO's half-domain LUTs).
#[derive(Debug, Clone)]
struct EncodeTable {
    values: Vec<f32>,
}

impl EncodeTable {
    fn new(f: impl Fn(f64) -> f64) -> Self {
        let last = (ENCODE_MAX.to_bits() >> 16) as usize + 1;
        let values = (0..=last)
            .map(|i| f(f32::from_bits((i as u32) << 16) as f64) as f32)
            .collect();
        EncodeTable { values }
    }

    /// `x` must be in [0, ENCODE_MAX].
    #[inline]
    fn lookup(&self, x: f32) -> f32 {
        let bits = x.to_bits();
        let i = (bits >> 16) as usize;
        let t = (bits & 0xFFFF) as f32 * (1.0 / 65536.0);
        let (a, b) = (self.values[i], self.values[i + 1]);
        a + t * (b - a)
    }
}

/// The end of an output after its table: clamp, encoding primaries, inverse EOTF, range.
#[derive(Debug, Clone)]
struct Finish {
    clamp: [f32; 2],
    to_encoding: [[f32; 3]; 3],
    encoding: Encoding,
    table: Option<EncodeTable>,
    /// Code value of display black in the output's range.
    black: f32,
    /// The exact path for the rare values the tables do not cover.
    exact: OutputTransform,
}

impl Finish {
    fn new(output: &OutputTransform) -> Self {
        let (lo, hi) = output.output_clamp();
        let encoding = output.info().encoding;
        let display = output.display().clone();
        let range = output.range();
        // The range is folded into the table: code = black + span·encode(x).
        let table = match encoding {
            Encoding::Hlg1000 => None,
            _ => Some(EncodeTable::new(|x| {
                range.apply(display.encode_rgb([x; 3])[0])
            })),
        };
        Finish {
            clamp: [
                lo.max(f32::MIN as f64) as f32,
                hi.min(f32::MAX as f64) as f32,
            ],
            to_encoding: output.to_encoding().map(|r| r.map(|x| x as f32)),
            encoding,
            table,
            black: range.apply(0.0) as f32,
            exact: output.clone(),
        }
    }

    /// The code value (range applied) of one encoding-primaries channel.
    #[inline(always)]
    fn encode_channel(&self, table: &EncodeTable, x: f32) -> f32 {
        let a = x.abs();
        if a.is_nan() || a > ENCODE_MAX {
            let full = self.exact.display().encode_rgb([x as f64; 3])[0];
            return self.exact.range().apply(full) as f32;
        }
        let v = table.lookup(a);
        if x >= 0.0 {
            v
        } else if self.encoding == Encoding::Pq {
            // PQ mirrors negatives: range(−v) = 2·black − range(v).
            2.0 * self.black - v
        } else {
            table.values[0]
        }
    }

    #[inline(always)]
    fn apply(&self, rgb: [f32; 3]) -> [f32; 3] {
        let [lo, hi] = self.clamp;
        let (r, g, b) = (
            rgb[0].max(lo).min(hi),
            rgb[1].max(lo).min(hi),
            rgb[2].max(lo).min(hi),
        );
        let m = &self.to_encoding;
        let e0 = m[0][0] * r + m[0][1] * g + m[0][2] * b;
        let e1 = m[1][0] * r + m[1][1] * g + m[1][2] * b;
        let e2 = m[2][0] * r + m[2][1] * g + m[2][2] * b;
        match &self.table {
            Some(t) => [
                self.encode_channel(t, e0),
                self.encode_channel(t, e1),
                self.encode_channel(t, e2),
            ],
            None => {
                let full = self.exact.display().encode_rgb([e0, e1, e2].map(f64::from));
                full.map(|v| self.exact.range().apply(v) as f32)
            }
        }
    }
}

/// ACEScct of AP1 linear `x` (the ACEScct encode).
fn acescct_encode(x: f64) -> f64 {
    spaces::acescct_curve().encode(x)
}

impl OutputTable {
    /// The output sampled on a `size`³ lattice over ACEScct.
    pub fn acescct(
        output: &OutputTransform,
        gamut_compress: bool,
        size: usize,
    ) -> Result<Self, LutError> {
        // Below ACEScct of 0 every ACES 2.0 output clamps AP1 to 0; above 8·r_hit to it.
        let (lo, hi) = match output.ap1_clamp() {
            Some(upper) => (acescct_encode(0.0), acescct_encode(upper)),
            None => (0.0, acescct_encode(65504.0)),
        };
        let cct = spaces::acescct_curve();
        let to_ap0 = spaces::conversion_matrix(&AP1, &AP0, spaces::Adaptation::None);
        let gc = gamut_compress.then(GamutCompression::reference);
        Self::sample(output, size, [lo, hi], |v| {
            let lin = nalgebra::Vector3::from(v.map(|c| cct.decode(c)));
            let aces: [f64; 3] = (to_ap0 * lin).into();
            let aces = gc.as_ref().map_or(aces, |g| g.apply(aces));
            output.unclamped(aces)
        })
    }

    /// The input side and output together, sampled over the camera's code values
    /// (for looks graded in the camera's own log encoding).
    pub fn camera(
        input: &InputSpace,
        output: &OutputTransform,
        gamut_compress: bool,
        size: usize,
    ) -> Result<Self, LutError> {
        let to_aces = Pipeline::new(to_aces(input));
        let gc = gamut_compress.then(GamutCompression::reference);
        Self::sample(output, size, [0.0, 1.0], |v| {
            let aces = to_aces.apply(v);
            let aces = gc.as_ref().map_or(aces, |g| g.apply(aces));
            output.unclamped(aces)
        })
    }

    fn sample(
        output: &OutputTransform,
        size: usize,
        [lo, hi]: [f64; 2],
        f: impl Fn([f64; 3]) -> [f64; 3],
    ) -> Result<Self, LutError> {
        let unit = Lut3d::from_fn(size, |u| f(u.map(|c| lo + c * (hi - lo))))?;
        let domain = Domain::new([lo as f32; 3], [hi as f32; 3])?;
        Ok(Self {
            lut: Lut3d::new(size, unit.into_data(), domain)?,
            finish: Finish::new(output),
        })
    }

    pub fn lut(&self) -> &Lut3d {
        &self.lut
    }
}

/// Entries of the per-channel slope/offset/power table.
const SOP_TABLE: usize = 1024;

/// One channel of the CDL before saturation, in the style's clamping.
fn sop_power(cdl: &Cdl, style: CdlStyle, c: usize, x: f64) -> f64 {
    let v = x * cdl.slope[c] + cdl.offset[c];
    match style {
        CdlStyle::Asc => v.clamp(0.0, 1.0).powf(cdl.power[c]),
        CdlStyle::NoClamp if v < 0.0 => v,
        CdlStyle::NoClamp => v.powf(cdl.power[c]),
    }
}

/// One camera feeding one output, ready to be re-baked at every grade change.
#[derive(Debug)]
pub struct LiveBake {
    size: usize,
    working: WorkingSpace,
    /// Working-space value at every node of the bake lattice (red fastest), interleaved.
    nodes: Vec<f32>,
    output: Arc<OutputTable>,
    /// The output table prepared for the render kernels once.
    output_kernel: Kernel,
    /// Per-channel range of `nodes` (the CDL's per-channel table spans it).
    node_domain: Domain,
    /// The grade kernel's description: the look LUT (or the identity) after the CDL.
    grade: Mutex<KernelLook>,
    /// The lattice the CDL kernel carries: the identity (exact for it), wide domain.
    identity: Lut3d,
}

impl LiveBake {
    /// Precomputes the input side of `input` on a `size`³ lattice and takes the output table.
    pub fn new(
        input: &InputSpace,
        working: WorkingSpace,
        output: Arc<OutputTable>,
        size: usize,
    ) -> Result<Self, LutError> {
        let nodes = match working {
            WorkingSpace::Camera => Lut3d::identity(size)?.into_data(),
            WorkingSpace::AcesCct => {
                let mut ops = to_aces(input);
                ops.push(Op::Matrix(spaces::conversion_matrix(
                    &AP0,
                    &AP1,
                    spaces::Adaptation::None,
                )));
                ops.push(Op::encode(spaces::acescct_curve()));
                let p = Pipeline::new(ops);
                Lut3d::from_fn(size, |v| p.apply(v))?.into_data()
            }
        };
        // Wider than any output table's domain, narrow enough to keep f32 precision.
        let wide = Domain::new([-1.0; 3], [2.0; 3])?;
        let identity = Lut3d::new(
            2,
            Lut3d::identity(2)?
                .data()
                .iter()
                .map(|v| v.map(|c| if c > 0.5 { 2.0 } else { -1.0 }))
                .collect(),
            wide,
        )?;
        let nodes: Vec<f32> = nodes.into_iter().flatten().collect();
        let mut lo = [f32::MAX; 3];
        let mut hi = [f32::MIN; 3];
        for (i, &v) in nodes.iter().enumerate() {
            lo[i % 3] = lo[i % 3].min(v);
            hi[i % 3] = hi[i % 3].max(v);
        }
        let node_domain = Domain::new(lo, [0, 1, 2].map(|c| hi[c].max(lo[c] + 1e-3)))?;
        Ok(LiveBake {
            size,
            working,
            node_domain,
            nodes,
            output_kernel: Kernel::new(&KernelLook::lut(output.lut.clone())),
            output,
            grade: Mutex::new(KernelLook::lut(identity.clone())),
            identity,
        })
    }

    pub fn size(&self) -> usize {
        self.size
    }

    pub fn working(&self) -> WorkingSpace {
        self.working
    }

    /// Sets the look LUT applied after the CDL.
    pub fn set_look(&mut self, look: Option<&Lut3d>) {
        let lut = look.cloned().unwrap_or_else(|| self.identity.clone());
        self.grade = Mutex::new(KernelLook::lut(lut));
    }

    /// Bakes the lattice for this grade into `out` (resized to size³), red fastest.
    pub fn bake_into(&self, cdl: &Cdl, style: CdlStyle, out: &mut Vec<[f32; 3]>) {
        let n = self.size;
        let desc = ImageDesc::new(n, n * n, Layout::Rgb, Coding::Float);
        // Slope, offset and power are per channel: a 1D table over the nodes' range
        // (built per change) replaces three powers per node; saturation stays exact.
        let sop = Lut1d::from_fn(SOP_TABLE, self.node_domain, |c, x| {
            sop_power(cdl, style, c, x)
        });
        let sat_only = Cdl {
            sat: cdl.sat,
            ..Cdl::IDENTITY
        };
        // Shaper, saturation and look LUT in one kernel pass; the template keeps the
        // look LUT so that only the kernel's own copy is made per change.
        let grade = {
            let mut template = self.grade.lock().unwrap_or_else(|e| e.into_inner());
            template.shaper = sop.ok();
            template.cdl = Some((sat_only, style));
            Kernel::new(&template)
        };
        out.clear();
        out.resize(n * n * n, [0.0; 3]);
        let buf = out.as_flattened_mut();
        // The buffer matches `desc` by construction, so rendering cannot fail.
        let rendered = grade
            .render(&desc, &self.nodes, buf)
            .and_then(|()| self.output_kernel.render_in_place(&desc, buf));
        debug_assert!(rendered.is_ok());
        let finish = &self.output.finish;
        for v in out.iter_mut() {
            *v = finish.apply(*v);
        }
    }

    /// Bakes the lattice for this grade as a [`Lut3d`] on the unit domain.
    pub fn bake(&self, cdl: &Cdl, style: CdlStyle) -> Result<Lut3d, LutError> {
        let mut data = Vec::with_capacity(self.nodes.len() / 3);
        self.bake_into(cdl, style, &mut data);
        Lut3d::new(self.size, data, Domain::UNIT)
    }
}

/// The exact (f64, per node) bake of the same look, for exports and for checking live bakes.
pub fn exact_bake(look: &Look, size: usize) -> Result<Lut3d, crate::pipeline::PipelineError> {
    Ok(look.pipeline()?.bake(size)?.lut)
}
