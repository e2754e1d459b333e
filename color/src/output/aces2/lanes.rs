//! The ACES 2.0 rendering in f32 over lanes of values, for the live bake.
//!
//! The same chain as [`Aces2Rendering::unclamped`] (OpenColorIO's CPU path is f32 too),
//! written branch-free (both sides of every condition computed, one selected) with the
//! powers, logarithms and arctangent of [`crate::output::fastmath32`], so that the loop
//! over a chunk of values vectorises (16 lanes with AVX-512, 8 with AVX2, chosen by the
//! render kernels' CPU selection; a portable build elsewhere). The per-hue tables are
//! read by index, no binary search, in two records per value: the hue's bin (a uniform
//! table: the interval's upper index if the hue is below the one knot a bin may hold,
//! that knot's hue, and the reach M at the bin's two whole degrees; [`BinRecord`]), then
//! what the cusp's lerp needs of the interval so found ([`HueRecord`]). The batches read
//! them with gathers or, where the kernels read lattice nodes with loads
//! ([`NodeReads::Loads`]: AMD, whose gathers cost over a cycle per element even from L1),
//! with one load per value and a transpose (`planes::avx512`).

use super::cam::{NL_INVERSE_LIMIT, NL_OFFSET};
use super::tables::{CuspTable, HueTable, NOMINAL};
use super::Aces2Rendering;
use crate::kernel::NodeReads;
use crate::output::fastmath32::{atan2_deg, floor_index, log2, m3, mat, pow, select, M3};
use crate::output::matrix::mul;

mod planes;

pub(crate) use planes::{batch_at, ChunkIo, LaneChain};

/// Values per chunk of [`Aces2Lanes::unclamped_batch`].
pub const CHUNK: usize = 128;
/// The hue records are padded to this power of two (indices are masked, never checked).
const TABLE: usize = 512;
/// Bins per degree tried, fewest first, until no bin holds two knots: quarter-degree
/// bins already do at every ACES 2.0 peak and gamut (the knots are about a degree apart;
/// tested over all six). Powers of two, so that a bin lies within one whole degree.
const BINS_PER_DEGREE: [usize; 4] = [4, 8, 16, 32];
const LOG10_2: f32 = std::f32::consts::LOG10_2;

#[inline(always)]
fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a + t * (b - a)
}

#[inline(always)]
fn select_i32(c: bool, a: i32, b: i32) -> i32 {
    if c {
        a
    } else {
        b
    }
}

/// The model's forward compression of a cone response, sign-preserving.
#[inline(always)]
fn compress_fwd<const F: bool>(v: f32) -> f32 {
    let f = pow::<F>(v.abs(), 0.42);
    (f / (NL_OFFSET as f32 + f)).copysign(v)
}

/// Its inverse, the response clamped at the model's limit, sign-preserving.
#[inline(always)]
fn compress_inv<const F: bool>(v: f32) -> f32 {
    let ra = v.abs().min(NL_INVERSE_LIMIT as f32);
    pow::<F>(NL_OFFSET as f32 * ra / (1.0 - ra), 1.0 / 0.42).copysign(v)
}

/// The model's forward compression of a non-negative cone response.
#[inline(always)]
fn compress_fwd_pos<const F: bool>(v: f32) -> f32 {
    let f = pow::<F>(v, 0.42);
    f / (NL_OFFSET as f32 + f)
}

/// OCIO's `toe`, branch-free.
#[inline(always)]
fn toe<const F: bool>(x: f32, limit: f32, k1_in: f32, k2_in: f32) -> f32 {
    let k2 = k2_in.max(0.001);
    let k1 = (k1_in * k1_in + k2 * k2).sqrt();
    let k3 = (limit + k1) / (limit + k2);
    let minus_b = k3 * x - k1;
    let minus_ac = k2 * k3 * x;
    let toed = 0.5 * (minus_b + (minus_b * minus_b + 4.0 * minus_ac).sqrt());
    select(x > limit, x, toed)
}

/// Where the compression line through (J, M) crosses the J axis, given the reciprocals
/// of the focus J and the slope gain. Both roots share one square root and one
/// division: the side (below or above the focus) is selected first.
#[inline(always)]
fn solve_j_intersect<const F: bool>(
    j: f32,
    m: f32,
    [focus_j, inv_focus_j]: [f32; 2],
    max_j: f32,
    inv_gain: f32,
) -> f32 {
    let m_scaled = m * inv_gain;
    let a = m_scaled * inv_focus_j;
    let below = j < focus_j;
    let b_lo = 1.0 - m_scaled;
    let b_hi = -(1.0 + m_scaled + max_j * a);
    let c_hi = max_j * m_scaled + j;
    let disc = select(
        below,
        b_lo * b_lo + 4.0 * a * j,
        b_hi * b_hi - 4.0 * a * c_hi,
    );
    let root = disc.sqrt();
    let num = select(below, 2.0 * j, -2.0 * c_hi);
    num / select(below, b_lo + root, b_hi - root)
}

#[inline(always)]
fn smin_scaled<const F: bool>(a: f32, b: f32, scale_reference: f32) -> f32 {
    let s = 0.12 * scale_reference;
    let h = (s - (a - b).abs()).max(0.0) / s;
    a.min(b) - h * h * h * s / 6.0
}

/// OCIO's `remap_M`, with its three divisions folded into two: with r, g the reach and
/// gamut offsets from the threshold and d = m − threshold, the compressed M is
/// threshold + d·s/(s + d), s = r·g/(r − g).
#[inline(always)]
fn remap_m<const F: bool>(m: f32, gamut_m: f32, reach_m: f32) -> f32 {
    let proportion = (gamut_m / reach_m).max(0.75);
    let threshold = proportion * gamut_m;
    let (r, g) = (reach_m - threshold, gamut_m - threshold);
    let d = m - threshold;
    let compressed = threshold + d * r * g / (r * g + d * (r - g));
    select(m <= threshold || proportion >= 1.0, m, compressed)
}

/// What the cusp's lerp reads of the hue interval whose upper knot is at index `hi`
/// (lower knot `lo` = `hi` − 1): the lower knot's hue, 1/(its width), the cusp J, cusp M
/// and upper hull 1/γ at `lo`, and their steps to `hi` (in f32, as the lerp took them).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct HueRecord([f32; 8]);

/// A hue bin's record: the upper index of the hue interval holding the bin's start, the
/// hue of the one knot the bin may hold (above it the interval is the next one), and the
/// reach M at the two whole degrees around the bin (the bins split degrees).
#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
struct BinRecord {
    hi: u32,
    knot: f32,
    reach: [f32; 2],
}

// The transposes in `planes::avx512` read records by these sizes.
const _: () = assert!(size_of::<HueRecord>() == 32 && align_of::<HueRecord>() == 32);
const _: () = assert!(size_of::<BinRecord>() == 16 && align_of::<BinRecord>() == 16);

impl HueRecord {
    /// Cusp J, cusp M and the upper hull 1/γ at hue `h` of this interval.
    #[inline(always)]
    fn cusp(self, h: f32) -> [f32; 3] {
        let r = self.0;
        let t = (h - r[0]) * r[1];
        [r[2] + t * r[5], r[3] + t * r[6], r[4] + t * r[7]]
    }
}

/// One ACES 2.0 rendering's constants and per-hue tables in f32.
#[derive(Debug, Clone)]
pub struct Aces2Lanes {
    to_ap1: M3,
    upper: f32,
    ap1_to_cone: M3,
    cone_to_aab: M3,
    cz: f32,
    inv_cz: f32,
    /// (100/limit_j_max)^(1/cz): A → (J/limit_j_max)^(1/cz) for J = 100·A^cz.
    a_to_nj: f32,
    a_w_j: f32,
    f_l_n: f32,
    tone: [f32; 4],
    limit_j_max: f32,
    model_gamma_inv: f32,
    chroma: [f32; 4],
    mid_j: f32,
    focus_dist: f32,
    lower_hull_gamma_inv: f32,
    /// By the interval's upper index ([`Self::hue_interval`]).
    records: Box<[HueRecord; TABLE]>,
    /// By ⌊h·bins_per_degree⌋, the last for every hue beyond (h = 360 and up).
    bins: Box<[BinRecord]>,
    bins_per_degree: f32,
    /// OpenColorIO's search window around 1 + ⌊h⌋ ([`Self::hue_interval`]).
    search_range: [i32; 2],
    aab_to_cone: M3,
    cone_to_rgb: M3,
    /// How [`Self::chunks`] reads the hue records at AVX-512.
    reads: NodeReads,
}

/// The fewest bins per degree of [`BINS_PER_DEGREE`] with at most one knot of `hues` in
/// any bin, and the bins ([`BinRecord`]) with the reach M of `reach` (by whole degree,
/// padded).
///
/// # Panics
/// If two knots lie closer than the finest bin (1/32°): the renderings' knots are about
/// a degree apart.
fn hue_bins(hues: &HueTable, reach: &[f32; TABLE]) -> (f32, Box<[BinRecord]>) {
    let knots = &hues.0[..=NOMINAL + 1];
    let fits = |per_degree: usize| {
        (0..per_degree * 360).all(|b| {
            let (lo, hi) = (
                b as f64 / per_degree as f64,
                (b + 1) as f64 / per_degree as f64,
            );
            knots.iter().filter(|&&h| h >= lo && h < hi).count() <= 1
        })
    };
    let per_degree = BINS_PER_DEGREE
        .into_iter()
        .find(|&p| fits(p))
        .expect("ACES 2.0 hue knots closer than 1/32 degree");
    // One bin past 360° (h = 360 after f32 rounding), read by every hue beyond.
    let bins = (0..=per_degree * 360)
        .map(|b| {
            let start = b as f64 / per_degree as f64;
            let hi = (1..=NOMINAL + 1)
                .find(|&k| knots[k] >= start)
                .unwrap_or(NOMINAL + 1);
            // ⌊h⌋ of every hue in the bin, as the reach's lerp clamps it.
            let k = (b / per_degree).min(NOMINAL);
            BinRecord {
                hi: hi as u32,
                knot: knots[hi] as f32,
                reach: [reach[(k + 1) & (TABLE - 1)], reach[(k + 2) & (TABLE - 1)]],
            }
        })
        .collect();
    (per_degree as f32, bins)
}

fn padded(values: impl Iterator<Item = f64>) -> Box<[f32; TABLE]> {
    let mut t = Box::new([0.0f32; TABLE]);
    for (o, v) in t.iter_mut().zip(values) {
        *o = v as f32;
    }
    t
}

/// The [`HueRecord`] of every upper index (index 0, below every interval, and the
/// padding read zeros).
fn hue_records(
    hues: &[f32; TABLE],
    inv_dh: &[f32; TABLE],
    cusps: &CuspTable,
) -> Box<[HueRecord; TABLE]> {
    let columns = [0, 1, 2].map(|k| padded(cusps.iter().map(|e| e[k])));
    let mut records = Box::new([HueRecord::default(); TABLE]);
    for (hi, rec) in records.iter_mut().enumerate() {
        let lo = hi.wrapping_sub(1) & (TABLE - 1);
        let [j, m, g] = [0, 1, 2].map(|k| [columns[k][lo], columns[k][hi] - columns[k][lo]]);
        rec.0 = [hues[lo], inv_dh[hi], j[0], m[0], g[0], j[1], m[1], g[1]];
    }
    records
}

impl Aces2Lanes {
    pub fn new(r: &Aces2Rendering) -> Self {
        let hues = &r.gamut.hues.0;
        let inv_dh = (0..hues.len()).map(|k| {
            let d = if k == 0 { 1.0 } else { hues[k] - hues[k - 1] };
            if d > 0.0 {
                1.0 / d
            } else {
                0.0
            }
        });
        let (bins_per_degree, bins) = hue_bins(&r.gamut.hues, &padded(r.reach_m.iter().copied()));
        let records = hue_records(
            &padded(hues.iter().copied()),
            &padded(inv_dh),
            &r.gamut.cusps,
        );
        let ts = &r.tonescale;
        let ch = &r.chroma;
        Aces2Lanes {
            to_ap1: m3(&r.ap0_to_ap1),
            upper: r.forward_limit() as f32,
            ap1_to_cone: m3(&mul(&r.p_in.rgb_to_cone, &r.ap1_to_ap0)),
            cone_to_aab: m3(&r.p_in.cone_to_aab),
            cz: r.p_in.cz as f32,
            inv_cz: r.p_out.inv_cz as f32,
            a_to_nj: (100.0 / r.limit_j_max).powf(1.0 / r.p_in.cz) as f32,
            a_w_j: r.p_in.a_w_j as f32,
            f_l_n: r.p_in.f_l_n as f32,
            tone: [ts.m_2, ts.s_2, ts.g, ts.t_1].map(|x| x as f32),
            limit_j_max: r.limit_j_max as f32,
            model_gamma_inv: r.model_gamma_inv as f32,
            chroma: [ch.sat, ch.sat_thr, ch.compr, ch.scale].map(|x| x as f32),
            mid_j: r.gamut.mid_j as f32,
            focus_dist: r.gamut.focus_dist as f32,
            lower_hull_gamma_inv: r.gamut.lower_hull_gamma_inv as f32,
            records,
            bins,
            bins_per_degree,
            search_range: r.gamut.search_range.map(|x| x as i32),
            aab_to_cone: m3(&r.p_out.aab_to_cone),
            cone_to_rgb: m3(&r.p_out.cone_to_rgb),
            reads: NodeReads::selected(),
        }
    }

    /// Sets how the batches read the hue records at AVX-512 (tests run both; the
    /// lanes start with [`NodeReads::selected`]). Both give the same bits.
    pub fn set_node_reads(&mut self, reads: NodeReads) {
        self.reads = reads;
    }

    /// The tonescale's first half, of a response `a > 0`: the tonemapped display
    /// luminance before its toe, f = m_2·(y/(y + s_2))^g.
    #[inline(always)]
    fn tonescale_f<const F: bool>(&self, a: f32) -> f32 {
        let [m_2, s_2, g, _] = self.tone;
        // y·f_l_n (the model's scale cancels out of y/(y + s_2) with s_2·f_l_n).
        let ra = (self.a_w_j * a).min(NL_INVERSE_LIMIT as f32);
        let y = pow::<F>(NL_OFFSET as f32 * ra / (1.0 - ra), 1.0 / 0.42) * (1.0 / self.f_l_n);
        m_2 * pow::<F>(y / (y + s_2), g)
    }

    /// Its second half: the tonemapped achromatic response of f (J_ts = 100·A_ts^cz).
    #[inline(always)]
    fn tonescale_a<const F: bool>(&self, f: f32) -> f32 {
        let t_1 = self.tone[3];
        let display = (f * f / (f + t_1)).max(0.0) * 100.0;
        compress_fwd_pos::<F>(display * self.f_l_n) * (1.0 / self.a_w_j)
    }

    /// The hue-dependent normalisation of M (3rd-order Fourier fit).
    #[inline(always)]
    fn m_norm<const F: bool>(&self, c: f32, s: f32) -> f32 {
        let cos2 = 2.0 * c * c - 1.0;
        let sin2 = 2.0 * c * s;
        let cos3 = 4.0 * c * c * c - 3.0 * c;
        let sin3 = 3.0 * s - 4.0 * s * s * s;
        let m = 11.34072 * c + 16.46899 * cos2 + 7.88380 * cos3 + 14.66441 * s - 6.37224 * sin2
            + 9.19364 * sin3
            + 77.12896;
        m * self.chroma[3]
    }

    /// Chroma compression of M after the tonescale moved J to `j_ts`. Its two powers
    /// (J_ts/J_max)^(1/cz) and (J_ts/J)^(1/cz) are ratios of achromatic responses, since
    /// J = 100·A^cz: `a_ts·a_to_nj` and `a_ts/a`.
    #[inline(always)]
    fn chroma_compress<const F: bool>(
        &self,
        [a, a_ts]: [f32; 2],
        m: f32,
        j_ts: f32,
        m_norm: f32,
        reach_max_m: f32,
    ) -> f32 {
        let [sat, sat_thr, compr, _] = self.chroma;
        let nj = j_ts * (1.0 / self.limit_j_max);
        let snj = (1.0 - nj).max(0.0);
        let inv_norm = 1.0 / m_norm;
        let limit = a_ts * self.a_to_nj * reach_max_m * inv_norm;
        let mc = m * (a_ts / a) * inv_norm;
        let mc = limit
            - toe::<F>(
                limit - mc,
                limit - 0.001,
                snj * sat,
                (nj * nj + sat_thr).sqrt(),
            );
        let mc = toe::<F>(mc, limit, nj * compr, snj);
        select(m == 0.0, 0.0, mc * m_norm)
    }

    /// Index of the upper end of the hue interval holding `h` ∈ [0, 360], as OpenColorIO
    /// finds it: its binary search looks only within `search_range` of 1 + ⌊h⌋, so a hue
    /// near a knot outside that window gets an interval next to its own (P3-D65
    /// 2000 cd/m²: h = 359.0, below the knot 359.003, gets 359.003..360). The f64 path
    /// does as OpenColorIO does; the lanes clamp the true interval (bin and knot) into
    /// the same window (before session 6 they kept the true one, which the test checked
    /// only at 100 cd/m² Rec.709 and 1000 cd/m² P3-D65).
    #[inline(always)]
    fn hue_interval(&self, h: f32) -> usize {
        let bin = self.bins[self.bin_index(h)];
        self.interval_in(h, bin.hi, bin.knot)
    }

    /// The index of hue `h`'s [`BinRecord`] (in bounds whatever `h` is).
    #[inline(always)]
    fn bin_index(&self, h: f32) -> usize {
        floor_index(h * self.bins_per_degree).min(self.bins.len() - 1)
    }

    /// [`Self::hue_interval`] given the upper index and knot of `h`'s bin.
    #[inline(always)]
    fn interval_in(&self, h: f32, bin_hi: u32, knot: f32) -> usize {
        let hi = bin_hi as usize + usize::from(h > knot);
        let i = 1 + floor_index(h).min(NOMINAL) as i32;
        let [below, above] = self.search_range;
        let (lo, top) = ((i + below).max(0), (i + above).min(NOMINAL as i32 + 1));
        // Its first probe is i itself (the window's lower end is an answer when the
        // window starts there), and a window of one interval is not searched.
        let floor = lo + i32::from(i > lo);
        let found = select_i32(top <= lo + 1, top, (hi as i32).max(floor).min(top));
        (found.max(1) as usize) & (TABLE - 1)
    }

    /// Cusp J, cusp M and the upper hull 1/γ at hue `h`.
    #[inline(always)]
    fn cusp_at(&self, h: f32) -> [f32; 3] {
        self.records[self.hue_interval(h)].cusp(h)
    }

    /// Gamut compression of (J, M) at hue `h` (reach M given): (J, M) out.
    #[inline(always)]
    fn gamut_compress<const F: bool>(&self, j: f32, m: f32, h: f32, reach_max_m: f32) -> [f32; 2] {
        let line = self.gamut_line::<F>(j, m, self.cusp_at(h));
        self.gamut_hull::<F>(j, m, reach_max_m, line)
    }

    /// The gamut compression's first half: the compression line through (J, M) given
    /// the cusp at the hue ([`Self::cusp_at`]): [cusp J, cusp M, upper hull 1/γ, focus
    /// J, the line's J-axis crossing, its slope, the cusp's J-axis crossing].
    #[inline(always)]
    fn gamut_line<const F: bool>(&self, j: f32, m: f32, cusp: [f32; 3]) -> [f32; 7] {
        let ljm = self.limit_j_max;
        let [cj, cm, gamma_top_inv] = cusp;
        let focus_j = lerp(cj, self.mid_j, (1.3 - cj * (1.0 / ljm)).min(1.0));
        let focus = [focus_j, 1.0 / focus_j];
        let threshold = lerp(cj, ljm, 0.3);
        let gain = ljm * self.focus_dist;
        let adj = LOG10_2 * log2::<F>((ljm - threshold) / (ljm - j).max(0.0001));
        let inv_gain = 1.0 / select(j > threshold, gain * (adj * adj + 1.0), gain);
        let j_src = solve_j_intersect::<F>(j, m, focus, ljm, inv_gain);
        let scaler = select(j_src < focus_j, j_src, ljm - j_src);
        let slope = scaler * (j_src - focus_j) * focus[1] * inv_gain;
        let j_cusp = solve_j_intersect::<F>(cj, cm, focus, ljm, inv_gain);
        [cj, cm, gamma_top_inv, focus_j, j_src, slope, j_cusp]
    }

    /// The gamut compression's second half: (J, M) compressed along the line towards
    /// the gamut hull, given the reach M at the hue and [`Self::gamut_line`]'s values.
    #[inline(always)]
    fn gamut_hull<const F: bool>(
        &self,
        j: f32,
        m: f32,
        reach_max_m: f32,
        line: [f32; 7],
    ) -> [f32; 2] {
        let [lower, upper, reach] = self.hull_bases(line);
        let gamma = [self.lower_hull_gamma_inv, line[2], self.model_gamma_inv];
        let powered = [0, 1, 2].map(|k| pow::<F>([lower, upper, reach][k], gamma[k]));
        self.gamut_hull_from::<F>(j, m, reach_max_m, line, powered)
    }

    /// The bases of the hull's three powers (lower hull, upper hull, reach), each the
    /// line's J-axis crossing over a reference J; their exponents are the lower hull's
    /// 1/γ, the upper's at the hue (`line[2]`) and the model's.
    #[inline(always)]
    fn hull_bases(&self, [_, _, _, _, j_src, _, j_cusp]: [f32; 7]) -> [f32; 3] {
        let ljm = self.limit_j_max;
        [j_src / j_cusp, (ljm - j_src) / (ljm - j_cusp), j_src / ljm]
    }

    /// [`Self::gamut_hull`] given its three powers ([`Self::hull_bases`]).
    #[inline(always)]
    fn gamut_hull_from<const F: bool>(
        &self,
        j: f32,
        m: f32,
        reach_max_m: f32,
        [cj, cm, _, _, j_src, slope, j_cusp]: [f32; 7],
        [lower, upper, reach]: [f32; 3],
    ) -> [f32; 2] {
        let ljm = self.limit_j_max;
        // M where the line meets J = j_max·(M/m_max)^(1/γ) (scaled by j_ref).
        let boundary = |powered: f32, slope: f32, [j_max, m_max, j_ref]: [f32; 3]| {
            j_ref * powered * m_max / (j_max - slope * m_max)
        };
        let lower = boundary(lower, slope, [cj, cm, j_cusp]);
        let upper = boundary(upper, -slope, [ljm - cj, cm, ljm - j_cusp]);
        let gamut_m = smin_scaled::<F>(lower, upper, cm);
        let reach_m = boundary(reach, slope, [ljm, reach_max_m, ljm]);
        let m_out = remap_m::<F>(m, gamut_m, reach_m);
        let flat = m <= 0.0 || j > ljm || gamut_m <= 0.0;
        let j_out = select(flat, j, j_src + m_out * slope);
        let m_out = select(flat, 0.0, m_out);
        [select(j <= 0.0, 0.0, j_out), select(j <= 0.0, 0.0, m_out)]
    }

    /// ACES2065-1 → the model's achromatic response and opponent pair (A, a, b).
    #[inline(always)]
    fn front<const F: bool>(&self, aces: [f32; 3]) -> [f32; 3] {
        let [r, g, b] = mat::<F>(&self.to_ap1, aces);
        let clamp = |c: f32| c.max(0.0).min(self.upper);
        let [r, g, b] = mat::<F>(&self.ap1_to_cone, [clamp(r), clamp(g), clamp(b)]);
        let cone = [
            compress_fwd::<F>(r),
            compress_fwd::<F>(g),
            compress_fwd::<F>(b),
        ];
        mat::<F>(&self.cone_to_aab, cone)
    }

    /// The tonemapped response and J of an achromatic response (0 when not above 0).
    #[inline(always)]
    fn tone<const F: bool>(&self, a_resp: f32) -> [f32; 2] {
        self.tone_of_f::<F>(a_resp, self.tonescale_f::<F>(a_resp))
    }

    /// [`Self::tone`] from the tonescale's first half `f` ([`Self::tonescale_f`]).
    #[inline(always)]
    fn tone_of_f<const F: bool>(&self, a_resp: f32, f: f32) -> [f32; 2] {
        let lit = a_resp > 0.0;
        let a_ts = select(lit, self.tonescale_a::<F>(f), 0.0);
        [a_ts, 100.0 * pow::<F>(a_ts, self.cz)]
    }

    /// The hue (degrees) of (A, a, b); 0 unless A > 0.
    #[inline(always)]
    fn hue(&self, [a_resp, a, b]: [f32; 3]) -> f32 {
        select(a_resp > 0.0, atan2_deg(b, a), 0.0)
    }

    /// Hue (degrees), its cosine and sine, M after the chroma compression and the
    /// reach M at the hue, from (A, a, b), the tonemapped (A, J), the hue and the reach
    /// M at the whole degrees around it (its [`BinRecord`]'s).
    #[inline(always)]
    fn chroma<const F: bool>(
        &self,
        [a_resp, a, b]: [f32; 3],
        [a_ts, j_ts]: [f32; 2],
        h: f32,
        reach: [f32; 2],
    ) -> [f32; 5] {
        let lit = a_resp > 0.0;
        let m = select(lit, (a * a + b * b).sqrt(), 0.0);
        let inv_m = 1.0 / select(m > 0.0, m, 1.0);
        let cos_h = select(m > 0.0, a * inv_m, 1.0);
        let sin_h = select(m > 0.0, b * inv_m, 0.0);
        let base = h.max(0.0).min(NOMINAL as f32).floor();
        let reach_max_m = lerp(reach[0], reach[1], h - base);
        let m_norm = self.m_norm::<F>(cos_h, sin_h);
        let m_c = self.chroma_compress::<F>([a_resp, a_ts], m, j_ts, m_norm, reach_max_m);
        [m_c, h, cos_h, sin_h, reach_max_m]
    }

    /// (J, M) and the hue's cosine and sine → limiting RGB before the last clamp.
    #[inline(always)]
    fn back<const F: bool>(&self, [j_out, m_out]: [f32; 2], [cos_h, sin_h]: [f32; 2]) -> [f32; 3] {
        let aab = [
            pow::<F>(j_out * 0.01, self.inv_cz),
            m_out * cos_h,
            m_out * sin_h,
        ];
        let [r, g, b] = mat::<F>(&self.aab_to_cone, aab);
        let cone = [
            compress_inv::<F>(r),
            compress_inv::<F>(g),
            compress_inv::<F>(b),
        ];
        mat::<F>(&self.cone_to_rgb, cone)
    }

    /// ACES2065-1 → limiting RGB before the last clamp (1.0 = 100 cd/m²), one value.
    #[inline(always)]
    pub fn unclamped<const F: bool>(&self, aces: [f32; 3]) -> [f32; 3] {
        let aab = self.front::<F>(aces);
        let [a_ts, j_ts] = self.tone::<F>(aab[0]);
        let h = self.hue(aab);
        let reach = self.bins[self.bin_index(h)].reach;
        let [m_c, h, cos_h, sin_h, reach] = self.chroma::<F>(aab, [a_ts, j_ts], h, reach);
        let jm = self.gamut_compress::<F>(j_ts, m_c, h, reach);
        self.back::<F>(jm, [cos_h, sin_h])
    }
}

#[cfg(test)]
mod tests;
