//! The live bake's exact output in f32 lanes: working-space value → ACES2065-1 (the
//! working space's decode and matrix, the optional reference gamut compression) → the
//! ACES 2.0 or ACES 1.x rendering ([`Aces2Lanes`], [`Aces1Lanes`]), per node, vectorised
//! like the render kernels.
//!
//! The decode is the curve's own formula for log curves of OpenColorIO's camera and
//! affine forms (ACEScct, LogC3/4, S-Log3, V-Log, Log3G10, …); other curves (Canon Log
//! 2/3, Apple Log, BT.709, HLG, ACEScc) read a dense table over [`TABLE_DOMAIN`] (linear
//! between 2¹⁴ entries; tested against the curve). Nodes whose value lies outside the
//! table, or that are not finite, are flagged for the f64 path, and so are ACES values
//! beyond what the rendering's lanes take ([`Aces1Lanes::INPUT_LIMIT`]; the ACES 2.0 lanes
//! clamp every value).

// The SIMD levels exist on x86_64 only; elsewhere their items and names go unused.
#![cfg_attr(not(target_arch = "x86_64"), allow(unused_imports))]

use super::finish::Finish;
use super::grade::GradeLanes;
use super::planes::{self, AVX2, AVX512, PORTABLE};
use crate::kernel::CpuLevel;
use crate::output::aces1::Aces1Lanes;
use crate::output::aces2::{Aces2Lanes, ChunkIo, LaneChain};
use crate::output::fastmath32::{floor_index, m3, mat, pow, select, M3, PORTABLE_FMA};
use crate::output::fastplanes;
use crate::output::matrix::Primaries;
use crate::output::{GamutCompression, OutputTransform};
use crate::spaces::{Curve, InputSpace};

use crate::output::aces2::LANES_CHUNK as CHUNK;

/// Code values the decode table covers.
const TABLE_DOMAIN: [f32; 2] = [-0.5, 2.0];
const TABLE_ENTRIES: usize = 1 << 14;

/// The decode of a log curve: `(2^((y − log_offset)·exp2_slope) − lin_offset)·inv_lin_slope`
/// from `log_break` up, the straight toe `(y − linear_offset)·inv_linear_slope` below.
#[derive(Debug, Clone, Copy)]
struct LogDecode {
    exp2_slope: f32,
    log_offset: f32,
    lin_offset: f32,
    inv_lin_slope: f32,
    linear_offset: f32,
    inv_linear_slope: f32,
    log_break: f32,
}

impl LogDecode {
    /// Every code `y` of `planes` to its linear value, flagging the nodes the f64 path
    /// must take; the 2^x over whole planes ([`fastplanes::exp2`]).
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn planes<const F: bool, const L: u8>(
        &self,
        planes: &mut [[f32; CHUNK]; 3],
        flags: &mut [bool; CHUNK],
    ) {
        // The constants in locals: read through `self` inside the loops, LLVM loaded
        // them with a masked gather per vector (a conditional load of one address).
        let LogDecode {
            exp2_slope,
            log_offset,
            lin_offset,
            inv_lin_slope,
            linear_offset,
            inv_linear_slope,
            log_break,
        } = *self;
        let mut e2 = [0.0f32; CHUNK];
        for p in planes.iter_mut() {
            for ((e, &y), f) in e2.iter_mut().zip(p.iter()).zip(flags.iter_mut()) {
                *e = (y - log_offset) * exp2_slope;
                let below = y < log_break;
                // exp2 saturates at 2¹²⁷: such codes are far outside any grade.
                *f |= e.abs().partial_cmp(&120.0) != Some(std::cmp::Ordering::Less) && !below;
            }
            // SAFETY: the caller's level.
            unsafe { fastplanes::exp2::<F, L, CHUNK>(&mut e2) };
            for (y, &e) in p.iter_mut().zip(&e2) {
                let log = (e - lin_offset) * inv_lin_slope;
                let toe = (*y - linear_offset) * inv_linear_slope;
                *y = select(*y < log_break, toe, log);
            }
        }
    }
}

/// A dense table of a decode over [`TABLE_DOMAIN`], linear in between; for curves whose
/// decode clamps the code ([`Curve::code_domain`]: Canon Log 2/3, Apple Log, ACEScc) over
/// the part of it inside that domain, so that the clamp's kinks are the table's ends (a
/// cell across a kink was 1e-4 off next to it: Canon Log 3 at code 1) and codes beyond
/// them read the end.
#[derive(Debug, Clone)]
struct TableDecode {
    /// The code of the first entry, and entries per code value.
    start: f32,
    scale: f32,
    /// Whether the decode is flat below the first entry and above the last.
    flat: [bool; 2],
    values: Box<[f32; TABLE_ENTRIES + 1]>,
}

impl TableDecode {
    fn new(curve: &Curve) -> Self {
        let (code_lo, code_hi) = curve.code_domain();
        let [table_lo, table_hi] = TABLE_DOMAIN.map(f64::from);
        let (lo, hi) = (code_lo.max(table_lo), code_hi.min(table_hi));
        let step = (hi - lo) / TABLE_ENTRIES as f64;
        let mut values = Box::new([0.0f32; TABLE_ENTRIES + 1]);
        for (i, v) in values.iter_mut().enumerate() {
            *v = curve.decode(lo + step * i as f64) as f32;
        }
        TableDecode {
            start: lo as f32,
            scale: (TABLE_ENTRIES as f64 / (hi - lo)) as f32,
            flat: [code_lo >= table_lo, code_hi <= table_hi],
            values,
        }
    }

    #[inline(always)]
    fn apply(&self, y: f32) -> (f32, bool) {
        let end = TABLE_ENTRIES as f32;
        let u = (y - self.start) * self.scale;
        let inside = (u >= 0.0 || self.flat[0]) && (u <= end || self.flat[1]) && !y.is_nan();
        let u = if inside { u.max(0.0).min(end) } else { 0.0 };
        let i = floor_index(u).min(TABLE_ENTRIES - 1);
        let t = u - i as f32;
        let (a, b) = (self.values[i], self.values[i + 1]);
        (a + t * (b - a), !inside)
    }
}

/// A working space's code value → linear, per channel, in f32.
#[derive(Debug, Clone)]
enum Decode {
    Linear,
    Log(LogDecode),
    Table(TableDecode),
}

impl Decode {
    fn new(curve: &Curve) -> Self {
        match curve {
            Curve::Linear => Decode::Linear,
            Curve::LogCamera(c) => Decode::Log(LogDecode {
                exp2_slope: (c.base.log2() / c.log_slope) as f32,
                log_offset: c.log_offset as f32,
                lin_offset: c.lin_offset as f32,
                inv_lin_slope: (1.0 / c.lin_slope) as f32,
                linear_offset: c.linear_offset as f32,
                inv_linear_slope: (1.0 / c.linear_slope) as f32,
                log_break: c.log_break as f32,
            }),
            Curve::LogAffine(c) => Decode::Log(LogDecode {
                exp2_slope: (c.base.log2() / c.log_slope) as f32,
                log_offset: c.log_offset as f32,
                lin_offset: c.lin_offset as f32,
                inv_lin_slope: (1.0 / c.lin_slope) as f32,
                linear_offset: 0.0,
                inv_linear_slope: 0.0,
                log_break: f32::NEG_INFINITY,
            }),
            other => Decode::Table(TableDecode::new(other)),
        }
    }
}

/// Every value of `planes` through `decode`, flagging what the f64 path must take.
#[inline(always)]
fn decode_planes(
    planes: &mut [[f32; CHUNK]; 3],
    flags: &mut [bool; CHUNK],
    decode: impl Fn(f32) -> (f32, bool),
) {
    for p in planes.iter_mut() {
        for (v, f) in p.iter_mut().zip(flags.iter_mut()) {
            let (lin, out) = decode(*v);
            *v = lin;
            *f |= out;
        }
    }
}

/// The reference gamut compression in f32 (AP1 side), branch-free.
#[derive(Debug, Clone, Copy)]
struct GamutCompress32 {
    to_ap1: M3,
    to_ap0: M3,
    threshold: [f32; 3],
    scale: [f32; 3],
    power: f32,
}

impl GamutCompress32 {
    fn new(gc: &GamutCompression) -> Self {
        let (threshold, scale, power) = gc.parameters();
        GamutCompress32 {
            to_ap1: m3(&Primaries::AP0.to_primaries(&Primaries::AP1)),
            to_ap0: m3(&Primaries::AP1.to_primaries(&Primaries::AP0)),
            threshold: threshold.map(|x| x as f32),
            scale: scale.map(|x| x as f32),
            power: power as f32,
        }
    }

    #[inline(always)]
    fn apply<const F: bool>(&self, aces: [f32; 3]) -> [f32; 3] {
        let rgb = mat::<F>(&self.to_ap1, aces);
        let ach = rgb[0].max(rgb[1]).max(rgb[2]);
        let abs = ach.abs();
        let channel = |i: usize| {
            let (thr, scale) = (self.threshold[i], self.scale[i]);
            let dist = (ach - rgb[i]) / abs;
            let nd = (dist - thr) / scale;
            let root = pow::<F>(1.0 + pow::<F>(nd, self.power), 1.0 / self.power);
            let compressed = ach - (thr + scale * nd / root) * abs;
            select(ach == 0.0, 0.0, select(dist < thr, rgb[i], compressed))
        };
        mat::<F>(&self.to_ap0, [channel(0), channel(1), channel(2)])
    }
}

/// An output's rendering in f32 lanes: ACES2065-1 → its RGB before the last clamp.
#[derive(Debug, Clone)]
pub(super) enum Rendering {
    Aces2(Box<Aces2Lanes>),
    Aces1(Box<Aces1Lanes>),
}

impl Rendering {
    /// The lanes of `output`'s rendering (every output's has them today).
    pub(super) fn of(output: &OutputTransform) -> Option<Self> {
        let aces1 = || {
            output
                .aces1()
                .map(|r| Rendering::Aces1(Box::new(Aces1Lanes::new(r))))
        };
        let aces2 = output
            .aces2()
            .map(|r| Rendering::Aces2(Box::new(Aces2Lanes::new(r))));
        aces2.or_else(aces1)
    }

    /// Largest ACES2065-1 magnitude the lanes take; larger values go to the f64 path.
    fn input_limit(&self) -> f32 {
        match self {
            // The ACES 2.0 lanes clamp AP1 to the rendering's range first.
            Rendering::Aces2(_) => f32::INFINITY,
            Rendering::Aces1(_) => Aces1Lanes::INPUT_LIMIT,
        }
    }
}

/// Working-space value → the output's rendering RGB before its last clamp, in f32.
#[derive(Debug, Clone)]
pub struct ExactLanes {
    decode: Decode,
    to_ap0: M3,
    clamp_negative: bool,
    gamut_compress: Option<GamutCompress32>,
    /// Flags nodes whose ACES values reach this magnitude for the f64 path.
    input_limit: f32,
    rendering: Rendering,
}

impl ExactLanes {
    /// For a table over ACEScct.
    pub(super) fn acescct(rendering: Rendering, gamut_compress: bool) -> Self {
        ExactLanes {
            decode: Decode::new(&crate::spaces::acescct_curve()),
            to_ap0: m3(&Primaries::AP1.to_primaries(&Primaries::AP0)),
            clamp_negative: false,
            gamut_compress: gamut_compress
                .then(|| GamutCompress32::new(&GamutCompression::reference())),
            input_limit: rendering.input_limit(),
            rendering,
        }
    }

    /// For a table over a camera's code values.
    pub(super) fn camera(input: &InputSpace, rendering: Rendering, gamut_compress: bool) -> Self {
        let to_aces = input.to_aces();
        let to_ap0 = [0, 1, 2].map(|r| [0, 1, 2].map(|c| to_aces[(r, c)] as f32));
        ExactLanes {
            decode: Decode::new(&input.curve),
            to_ap0,
            clamp_negative: input.clamps_negative_aces(),
            gamut_compress: gamut_compress
                .then(|| GamutCompress32::new(&GamutCompression::reference())),
            input_limit: rendering.input_limit(),
            rendering,
        }
    }

    /// The output's rendering RGB before its last clamp of every working-space value
    /// into `buf`: the values of `buf` itself, or of `graded`'s nodes through its CDLs
    /// (the same length as `buf`). The indices of nodes the f64 path must take (outside
    /// the decode table, not finite, beyond the rendering's input limit) are appended to
    /// `fallback`.
    /// `level` must be supported by this CPU ([`CpuLevel::is_supported`]).
    pub(super) fn render(
        &self,
        level: CpuLevel,
        graded: Option<(&[[f32; 3]], &GradeLanes)>,
        finish: Option<&Finish>,
        buf: &mut [[f32; 3]],
        fallback: &mut Vec<usize>,
    ) {
        debug_assert!(level.is_supported(), "{level} on this CPU");
        #[cfg(target_arch = "x86_64")]
        {
            match level {
                // SAFETY: the caller's level is supported by this CPU (checked where
                // the bake's level is set, `LiveBake::set_cpu_level`).
                CpuLevel::Avx512 => {
                    return unsafe { self.render_avx512(graded, finish, buf, fallback) }
                }
                // SAFETY: as above.
                CpuLevel::Avx2 => {
                    return unsafe { self.render_avx2(graded, finish, buf, fallback) }
                }
                CpuLevel::Scalar => {}
            }
        }
        // SAFETY: the portable level runs everywhere.
        unsafe { self.render_body::<PORTABLE_FMA, PORTABLE>(graded, finish, buf, fallback) };
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    unsafe fn render_avx512(
        &self,
        graded: Option<(&[[f32; 3]], &GradeLanes)>,
        finish: Option<&Finish>,
        buf: &mut [[f32; 3]],
        fallback: &mut Vec<usize>,
    ) {
        // SAFETY: this function runs where the CPU has AVX-512.
        unsafe { self.render_body::<true, AVX512>(graded, finish, buf, fallback) };
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn render_avx2(
        &self,
        graded: Option<(&[[f32; 3]], &GradeLanes)>,
        finish: Option<&Finish>,
        buf: &mut [[f32; 3]],
        fallback: &mut Vec<usize>,
    ) {
        // SAFETY: this function runs where the CPU has AVX2.
        unsafe { self.render_body::<true, AVX2>(graded, finish, buf, fallback) };
    }

    /// # Safety
    /// The CPU must support vector level `L` ([`planes`]).
    #[inline(always)]
    unsafe fn render_body<const F: bool, const L: u8>(
        &self,
        graded: Option<(&[[f32; 3]], &GradeLanes)>,
        finish: Option<&Finish>,
        buf: &mut [[f32; 3]],
        fallback: &mut Vec<usize>,
    ) {
        let io = RenderIo::<F, L> {
            lanes: self,
            graded,
            finish,
            count: buf.len(),
            buf,
            fallback,
            flags: [false; CHUNK],
        };
        let count = io.count.div_ceil(CHUNK);
        match &self.rendering {
            // SAFETY: the caller's level.
            Rendering::Aces2(r) => unsafe { r.chunks::<F, L>(count, io) },
            // SAFETY: the caller's level.
            Rendering::Aces1(r) => unsafe { r.chunks::<F, L>(count, io) },
        }
    }

    /// Working-space planes → ACES2065-1 planes, in place, one loop per stage.
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn to_aces<const F: bool, const L: u8>(
        &self,
        planes: &mut [[f32; CHUNK]; 3],
        flags: &mut [bool; CHUNK],
    ) {
        flags.fill(false);
        match &self.decode {
            Decode::Linear => {}
            // SAFETY: the caller's level.
            Decode::Log(d) => unsafe { d.planes::<F, L>(planes, flags) },
            Decode::Table(d) => decode_planes(planes, flags, |y| d.apply(y)),
        }
        for i in 0..CHUNK {
            let v = [planes[0][i], planes[1][i], planes[2][i]];
            let aces = mat::<F>(&self.to_ap0, v);
            // Tested before the floor, which would turn a NaN (∞ − ∞ in the matrix) into 0.
            // The limit leaves room for the gamut compression after it (at most ×2).
            let within = |x: f32| x.abs() < self.input_limit;
            flags[i] |= !(v[0].is_finite() && v[1].is_finite() && v[2].is_finite())
                | !(within(aces[0]) && within(aces[1]) && within(aces[2]));
            let floor = if self.clamp_negative { 0.0 } else { f32::MIN };
            let aces = [aces[0].max(floor), aces[1].max(floor), aces[2].max(floor)];
            for c in 0..3 {
                planes[c][i] = aces[c];
            }
        }
        // A copy in locals, as `LogDecode::planes` takes its constants.
        if let Some(gc) = self.gamut_compress {
            let [r, g, b] = planes;
            for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
                [*r, *g, *b] = gc.apply::<F>([*r, *g, *b]);
            }
        }
    }
}

/// [`ExactLanes::render`]'s chunks in and out at level `L`: made only by
/// [`ExactLanes::render_body`], whose caller guarantees that the CPU supports `L`.
struct RenderIo<'a, const F: bool, const L: u8> {
    lanes: &'a ExactLanes,
    graded: Option<(&'a [[f32; 3]], &'a GradeLanes)>,
    finish: Option<&'a Finish>,
    count: usize,
    buf: &'a mut [[f32; 3]],
    fallback: &'a mut Vec<usize>,
    flags: [bool; CHUNK],
}

impl<const F: bool, const L: u8> RenderIo<'_, F, L> {
    /// The nodes of chunk `k`.
    fn range(&self, k: usize) -> std::ops::Range<usize> {
        k * CHUNK..self.count.min((k + 1) * CHUNK)
    }
}

impl<const F: bool, const L: u8> ChunkIo for RenderIo<'_, F, L> {
    /// Chunk `k`'s nodes (graded by the CDLs, if any) decoded to ACES2065-1; the nodes
    /// the f64 path must take go to `fallback`.
    #[inline(always)]
    fn load(&mut self, k: usize, planes: &mut [[f32; CHUNK]; 3]) {
        let range = self.range(k);
        let n = range.len();
        let src = match self.graded {
            Some((nodes, _)) => &nodes[range],
            None => &self.buf[range],
        };
        // SAFETY: level L is supported (see the struct).
        unsafe { planes::load::<L, CHUNK>(src, planes) };
        for p in planes.iter_mut() {
            p[n..].fill(0.0);
        }
        if let Some((_, grade)) = self.graded {
            // SAFETY: as above.
            unsafe { grade.planes::<F, L, CHUNK>(planes) };
        }
        let flags = &mut self.flags;
        // SAFETY: as above.
        unsafe { self.lanes.to_aces::<F, L>(planes, flags) };
        // Any flag at all first: the filter is a scalar loop over the chunk (~1 % of the
        // bake when run on every chunk).
        if planes::any_set(flags) {
            let flagged = (0..n).filter(|&i| flags[i]);
            self.fallback.extend(flagged.map(|i| k * CHUNK + i));
        }
    }

    /// Chunk `k`'s rendering RGB through the finish (if fused) into its nodes.
    #[inline(always)]
    fn store(&mut self, k: usize, out: &mut [[f32; CHUNK]; 3]) {
        let range = self.range(k);
        if let Some(finish) = self.finish {
            finish.near_zero_planes(out, range.len(), k * CHUNK, self.fallback);
            // SAFETY: level L is supported (see the struct).
            unsafe { finish.apply_planes::<F, L, CHUNK>(out) };
        }
        // SAFETY: as above.
        unsafe { planes::store::<L, CHUNK>(out, &mut self.buf[range]) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ACES values beyond the ACES 1.x lanes' input limit go to the f64 path, at every
    /// level; the ACES 2.0 lanes (which clamp) take them; other nodes render finite.
    #[test]
    fn values_beyond_the_aces1_input_limit_are_flagged() {
        let space = crate::spaces::lookup("arri-logc3-awg3").unwrap();
        // LogC3 code 6 decodes to about 1e22, past 2⁶⁰ but within the decode's range.
        let nodes = [[0.4f32; 3], [6.0, 0.4, 0.4], [0.6, 0.3, 0.2]];
        for (id, flagged) in [("aces1-sdr-rec709", vec![1]), ("aces2-sdr-rec709", vec![])] {
            let out = OutputTransform::from_id(id).unwrap();
            let lanes = ExactLanes::camera(&space, Rendering::of(&out).unwrap(), false);
            for level in CpuLevel::available() {
                let (mut buf, mut fallback) = (nodes.to_vec(), Vec::new());
                lanes.render(level, None, None, &mut buf, &mut fallback);
                assert_eq!(fallback, flagged, "{id} {level}");
                assert!(
                    buf[0].iter().chain(&buf[2]).all(|x| x.is_finite()),
                    "{buf:?}"
                );
            }
        }
    }

    /// The decode table of every registered space that reads one is within 3e-6 relative
    /// of the curve (plus 0.5) over and beyond its table, the clamped curves' kinks
    /// included; codes beyond the table where the curve is not flat are flagged.
    #[test]
    fn decode_tables_follow_their_curves() {
        let mut tables = 0;
        for space in crate::spaces::all() {
            let Decode::Table(table) = Decode::new(&space.curve) else {
                continue;
            };
            tables += 1;
            let (code_lo, code_hi) = space.curve.code_domain();
            let mut worst = 0.0f64;
            for i in 0..=300_000 {
                let y = -0.6 + i as f64 * (2.7 / 300_000.0);
                let (got, flagged) = table.apply(y as f32);
                let beyond = !(f64::from(TABLE_DOMAIN[0])..=f64::from(TABLE_DOMAIN[1]))
                    .contains(&(y as f32 as f64));
                let flat = y as f32 as f64 <= code_lo || y as f32 as f64 >= code_hi;
                assert_eq!(flagged, beyond && !flat, "{} at {y}", space.id);
                if flagged {
                    continue;
                }
                let want = space.curve.decode(f64::from(y as f32));
                // Apple Log's toe is a square root of the code: its first cells (linear
                // −0.0564 to −0.0561, below black) are off by up to 4e-4.
                if matches!(space.curve, Curve::AppleLog) && y < 0.002 {
                    assert!(
                        (f64::from(got) - want).abs() <= 5e-4,
                        "{y}: {got} vs {want}"
                    );
                    continue;
                }
                // BT.709's two segments meet with a jump of 5.6e-5 at code 0.081, which
                // the table's cell there smooths over.
                if matches!(space.curve, Curve::Bt709) && (y - 0.081).abs() < 2e-4 {
                    assert!(
                        (f64::from(got) - want).abs() <= 6e-5,
                        "{y}: {got} vs {want}"
                    );
                    continue;
                }
                let e = (f64::from(got) - want).abs() / (want.abs() + 0.5);
                worst = worst.max(e);
                assert!(e <= 3e-6, "{} at {y}: {got} vs {want}", space.id);
            }
            eprintln!("{}: worst {worst:e}", space.id);
            assert!(table.apply(f32::NAN).1);
        }
        assert!(tables >= 4, "{tables} spaces with a decode table");
    }
}
