//! The end of an output after its table: clamp, encoding primaries, inverse EOTF and
//! signal range, per node in f32; and a bound on how far a code value can move when the
//! rendered light is only known within an error interval.

use crate::kernel::CpuLevel;
use crate::output::fastplanes::PqCurve;
use crate::output::{Encoding, OutputTransform};

mod planes;

/// Relative size of a channel (against the node's largest) below which the live bake
/// computes the node in f64 ([`Finish::near_zero_nodes`]). At 1e-4 a channel at a few
/// 1e-4 of its node's largest reached 0.92 codes (LogC4 in camera working mode, P3-D65
/// PQ 4000, session 5's shorter power polynomials); at 3e-4 the band holds 100–190 of
/// 35 937 nodes (a LogC3 show), of which the spread test below sends 0–30 to the f64 path;
/// the worst node seen is 0.30 codes (0.20 when every node of the band went to f64).
const NEAR_ZERO: f32 = 3e-4;

/// Absolute error of a near-zero channel, relative to the node's largest, that the f64
/// fallback guards against: twice the largest seen (P3-D65 PQ 1000, Log3G10 in camera
/// working mode: 2.8 codes without the fallback, about 1.6e-7 of the largest channel).
const F32_NEAR_ZERO_ERROR: f32 = 4e-7;

/// Code change (0–1 scale) over that error above which a near-zero node goes to f64:
/// a quarter of a 10-bit code.
const NEAR_ZERO_CODES: f32 = 0.25 / 1023.0;

/// Whether a channel of `v` lies within [`NEAR_ZERO`] of its largest (and is not 0).
#[inline(always)]
fn near_zero(v: [f32; 3]) -> bool {
    let [r, g, b] = v.map(f32::abs);
    let band = NEAR_ZERO * r.max(g).max(b);
    let one = |c: f32| c < band && c != 0.0;
    one(r) | one(g) | one(b)
}

/// BT.2100 HLG for the 1000 cd/m² display: a, b/4, c + a·ln 4 (the OETF above 1/4 of
/// scene light E ∈ [0, 3] is a·ln(E − b/4) + c + a·ln 4) and the scale from display
/// light (1.0 = 100 cd/m²) to the inverse OOTF's input (3^1.2 at peak: 0.1·3^1.2).
const HLG: [f32; 4] = {
    const A: f32 = 0.178_832_77;
    const B: f32 = 0.284_668_92;
    const C: f32 = 0.559_910_7;
    // ln 4, written out: f32::ln is not const.
    [A, B / 4.0, C + A * 1.386_294_4, 0.373_719_28]
};

/// Highest display-linear value the encoding table covers (larger ones are encoded exactly).
const ENCODE_MAX: f32 = 128.0;

/// Entries of the encoding table: a power of two, so that masked indices need no
/// bounds check and the loop over nodes vectorises.
const ENCODE_ENTRIES: usize = 1 << 15;

/// A per-channel inverse EOTF tabulated on the f32 bit pattern: one entry per 2⁻⁷
/// relative step (the top 16 bits of the float), linear in between, so the relative
/// accuracy is the same near black as near peak (as OpenColorIO's half-domain LUTs).
#[derive(Debug, Clone)]
pub(super) struct EncodeTable {
    values: Box<[f32; ENCODE_ENTRIES]>,
}

impl EncodeTable {
    fn new(f: impl Fn(f64) -> f64) -> Self {
        let last = (ENCODE_MAX.to_bits() >> 16) as usize + 1;
        let mut values = Box::new([0.0f32; ENCODE_ENTRIES]);
        for (i, v) in values.iter_mut().enumerate() {
            *v = f(f32::from_bits((i.min(last) as u32) << 16) as f64) as f32;
        }
        EncodeTable { values }
    }

    /// `x` must be in [0, ENCODE_MAX] (larger values read a wrong entry, never out of bounds).
    #[inline(always)]
    fn lookup(&self, x: f32) -> f32 {
        let bits = x.to_bits();
        let i = (bits >> 16) as usize;
        let t = (bits & 0xFFFF) as f32 * (1.0 / 65536.0);
        let a = self.values[i & (ENCODE_ENTRIES - 1)];
        let b = self.values[(i + 1) & (ENCODE_ENTRIES - 1)];
        a + t * (b - a)
    }
}

/// Clamp, encoding primaries, inverse EOTF and range of one output, in f32.
#[derive(Debug, Clone)]
pub(super) struct Finish {
    clamp: [f32; 2],
    to_encoding: [[f32; 3]; 3],
    encoding: Encoding,
    table: Option<EncodeTable>,
    /// Code value of display black in the output's range.
    black: f32,
    /// For the pure gamma encodings (BT.1886, 2.6): 1/γ and the range's span, so that
    /// [`Self::apply_planes`] takes the power itself instead of the table.
    gamma: Option<[f32; 2]>,
    /// The range's span (code of 1.0 less code of 0.0).
    span: f32,
    /// PQ's inverse EOTF over planes ([`Self::apply_planes`]).
    pq: PqCurve,
    /// True when every clamped value lands within the table after the matrix, so the
    /// branch-free loop over all nodes applies.
    in_table: bool,
    /// True when the encoding primaries mix the rendering's channels (ACES 1.x: XYZ →
    /// Rec.709, and AP1 → Rec.2020 with its D60 → D65 adaptation; ACES 2.0's P3-limited
    /// Rec.2100), so a channel can come near zero there alone.
    mixes: bool,
    /// The exact output, for the rare values the tables do not cover and exact nodes.
    exact: OutputTransform,
}

impl Finish {
    pub(super) fn new(output: &OutputTransform) -> Self {
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
        let to_encoding = output.to_encoding().map(|r| r.map(|x| x as f32));
        let row_sum = to_encoding
            .iter()
            .map(|r| r.iter().map(|x| x.abs()).sum::<f32>())
            .fold(0.0, f32::max);
        let reach = (lo.abs().max(hi.abs()) as f32) * row_sum;
        let diagonal = (0..3).map(|k| to_encoding[k][k].abs()).fold(0.0, f32::max);
        let mixes =
            (0..9).any(|i| i / 3 != i % 3 && to_encoding[i / 3][i % 3].abs() > 1e-6 * diagonal);
        Finish {
            in_table: table.is_some() && reach < ENCODE_MAX * 0.99,
            mixes,
            clamp: [
                lo.max(f32::MIN as f64) as f32,
                hi.min(f32::MAX as f64) as f32,
            ],
            to_encoding,
            encoding,
            table,
            black: range.apply(0.0) as f32,
            gamma: match encoding {
                Encoding::Bt1886 => Some(1.0 / 2.4),
                Encoding::Gamma26 => Some(1.0 / 2.6),
                _ => None,
            }
            .map(|g| [g as f32, (range.apply(1.0) - range.apply(0.0)) as f32]),
            span: (range.apply(1.0) - range.apply(0.0)) as f32,
            pq: PqCurve::new(),
            exact: output.clone(),
        }
    }

    pub(super) fn exact(&self) -> &OutputTransform {
        &self.exact
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
    fn to_encoding(&self, [r, g, b]: [f32; 3]) -> [f32; 3] {
        let m = &self.to_encoding;
        [
            m[0][0] * r + m[0][1] * g + m[0][2] * b,
            m[1][0] * r + m[1][1] * g + m[1][2] * b,
            m[2][0] * r + m[2][1] * g + m[2][2] * b,
        ]
    }

    #[inline(always)]
    fn clamp(&self, x: f32) -> f32 {
        x.max(self.clamp[0]).min(self.clamp[1])
    }

    /// Unclamped rendering RGB → code values.
    #[inline(always)]
    pub(super) fn apply(&self, rgb: [f32; 3]) -> [f32; 3] {
        let [r, g, b] = rgb;
        let e = self.to_encoding([self.clamp(r), self.clamp(g), self.clamp(b)]);
        match &self.table {
            Some(t) => [
                self.encode_channel(t, e[0]),
                self.encode_channel(t, e[1]),
                self.encode_channel(t, e[2]),
            ],
            None => {
                let full = self.exact.display().encode_rgb(e.map(f64::from));
                full.map(|v| self.exact.range().apply(v) as f32)
            }
        }
    }

    /// Code values of every node of `buf` (unclamped rendering RGB), in place: a
    /// branch-free loop built for the CPU's vector level when the table covers all.
    /// `level` must be supported by this CPU.
    pub(super) fn apply_all(&self, level: CpuLevel, buf: &mut [[f32; 3]]) {
        debug_assert!(level.is_supported(), "{level} on this CPU");
        if self.encoding == Encoding::Hlg1000 {
            return self.apply_all_hlg(level, buf);
        }
        let Some(table) = self.table.as_ref().filter(|_| self.in_table) else {
            for v in buf.iter_mut() {
                *v = self.apply(*v);
            }
            return;
        };
        #[cfg(target_arch = "x86_64")]
        {
            match level {
                // SAFETY: the caller's level is supported by this CPU (checked where
                // the bake's level is set, `LiveBake::set_cpu_level`).
                CpuLevel::Avx512 => return unsafe { self.apply_all_avx512(table, buf) },
                // SAFETY: as above.
                CpuLevel::Avx2 => return unsafe { self.apply_all_avx2(table, buf) },
                CpuLevel::Scalar => {}
            }
        }
        self.apply_all_portable(table, buf);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx2,fma")]
    unsafe fn apply_all_avx512(&self, table: &EncodeTable, buf: &mut [[f32; 3]]) {
        self.apply_all_portable(table, buf);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn apply_all_avx2(&self, table: &EncodeTable, buf: &mut [[f32; 3]]) {
        self.apply_all_portable(table, buf);
    }

    #[inline(always)]
    fn apply_all_portable(&self, table: &EncodeTable, buf: &mut [[f32; 3]]) {
        for v in buf.iter_mut() {
            *v = self.apply_in_table(table, *v);
        }
    }

    /// [`Self::apply`] of a node the table covers ([`Self::chunk_table`]), branch-free.
    #[inline(always)]
    fn apply_in_table(&self, table: &EncodeTable, [r, g, b]: [f32; 3]) -> [f32; 3] {
        let pq = self.encoding == Encoding::Pq;
        let (black2, floor) = (2.0 * self.black, table.values[0]);
        let encode = |x: f32| {
            let v = table.lookup(x.abs());
            let below = if pq { black2 - v } else { floor };
            if x >= 0.0 {
                v
            } else {
                below
            }
        };
        let e = self.to_encoding([self.clamp(r), self.clamp(g), self.clamp(b)]);
        [encode(e[0]), encode(e[1]), encode(e[2])]
    }

    /// Appends to `out` the nodes of `buf` (unclamped rendering RGB from the f32 lanes)
    /// whose code values the f32 rounding could move by a noticeable part of a code: a
    /// channel within [`NEAR_ZERO`] of the node's largest channel on either side of 0 (in
    /// the rendering's RGB, or in the encoding primaries where they mix its channels),
    /// where moving every channel by [`F32_NEAR_ZERO_ERROR`] of the largest could move a
    /// code value by more than [`NEAR_ZERO_CODES`] ([`Self::code_spread`]: through the
    /// clamp, the encoding primaries and the encoding itself). There the inverse EOTF is
    /// steepest (PQ near black) and the channel comes out of a cancellation in the
    /// model's last matrix, so its absolute f32 error is a fraction of the largest
    /// channel: half a code and more at 1000 cd/m² next to 10⁻³ cd/m² (measured). Such
    /// nodes are rare (colours on the limiting gamut's boundary), and the f64 path takes
    /// them. The spread test spares the nodes whose near-zero channel is not near zero in
    /// the encoding primaries (the P3-limited Rec.2100 outputs) or whose encoding is
    /// gentle there: about half of them.
    pub(super) fn near_zero_nodes(&self, level: CpuLevel, buf: &[[f32; 3]], out: &mut Vec<usize>) {
        debug_assert!(level.is_supported(), "{level} on this CPU");
        #[cfg(target_arch = "x86_64")]
        {
            match level {
                // SAFETY: the caller's level is supported by this CPU (checked where
                // the bake's level is set, `LiveBake::set_cpu_level`).
                CpuLevel::Avx512 => return unsafe { self.near_zero_avx512(buf, out) },
                // SAFETY: as above.
                CpuLevel::Avx2 => return unsafe { self.near_zero_avx2(buf, out) },
                CpuLevel::Scalar => {}
            }
        }
        self.near_zero_body(buf, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx2,fma")]
    unsafe fn near_zero_avx512(&self, buf: &[[f32; 3]], out: &mut Vec<usize>) {
        self.near_zero_body(buf, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn near_zero_avx2(&self, buf: &[[f32; 3]], out: &mut Vec<usize>) {
        self.near_zero_body(buf, out);
    }

    /// Chunks of 64 nodes through [`Self::near_zero_chunk`].
    #[inline(always)]
    fn near_zero_body(&self, buf: &[[f32; 3]], out: &mut Vec<usize>) {
        for (k, chunk) in buf.chunks(64).enumerate() {
            self.near_zero_chunk(chunk, k * 64, out);
        }
    }

    /// [`Self::near_zero_nodes`] of up to 64 nodes whose first is node `base`: a
    /// branch-free test of every node (the loop the compiler vectorises), then the spread
    /// test of the few candidates.
    #[inline(always)]
    pub(super) fn near_zero_chunk(&self, chunk: &[[f32; 3]], base: usize, out: &mut Vec<usize>) {
        const N: usize = 64;
        let mut near = [false; N];
        self.mark_candidates(&mut near, chunk.len().min(N), |i| chunk[i]);
        if !super::planes::any_set(&near) {
            return;
        }
        let n = chunk.len().min(N);
        self.spread_test(&near[..n], |i| chunk[i], base, out);
    }

    /// [`Self::near_zero_chunk`] of the first `n` lanes of channel planes.
    #[inline(always)]
    pub(super) fn near_zero_planes<const N: usize>(
        &self,
        planes: &[[f32; N]; 3],
        n: usize,
        base: usize,
        out: &mut Vec<usize>,
    ) {
        let mut near = [false; N];
        self.mark_candidates(&mut near, N, |i| [planes[0][i], planes[1][i], planes[2][i]]);
        // Any candidate at all first.
        if !super::planes::any_set(&near) {
            return;
        }
        let node = |i: usize| [planes[0][i], planes[1][i], planes[2][i]];
        self.spread_test(&near[..n.min(N)], node, base, out);
    }

    /// Marks the first `count` nodes (node `i` read by `node`) that are candidates of the
    /// spread test ([`Self::near_zero_candidate`]) in `near`: a branch-free loop, the
    /// encoding matrix in it only where the primaries mix.
    #[inline(always)]
    fn mark_candidates<const N: usize>(
        &self,
        near: &mut [bool; N],
        count: usize,
        node: impl Fn(usize) -> [f32; 3],
    ) {
        let fill = |near: &mut [bool; N], test: fn(&Self, [f32; 3]) -> bool| {
            for (i, f) in near.iter_mut().enumerate().take(count) {
                *f = test(self, node(i));
            }
        };
        if self.mixes {
            fill(near, Self::near_zero_candidate::<true>);
        } else {
            fill(near, Self::near_zero_candidate::<false>);
        }
    }

    /// Whether node `v` is a candidate of the spread test: a channel near zero
    /// ([`NEAR_ZERO`]) in the rendering's RGB or, when the encoding primaries mix its
    /// channels, in those (ACES 1.x SDR video: a Rec.709 channel near zero out of XYZ,
    /// 2.4 codes off at a node of V-Log in camera working mode before this test).
    /// `MIXES` is [`Self::mixes`], chosen once per loop: the matrix costs the outputs
    /// whose primaries do not mix nothing.
    #[inline(always)]
    fn near_zero_candidate<const MIXES: bool>(&self, v: [f32; 3]) -> bool {
        if !MIXES {
            return near_zero(v);
        }
        let [r, g, b] = v;
        let encoded = self.to_encoding([self.clamp(r), self.clamp(g), self.clamp(b)]);
        near_zero(v) | near_zero(encoded)
    }

    /// The spread test of the candidates `near` (node `i` read by `node`); the callers
    /// skip it when there is none.
    #[inline(always)]
    fn spread_test(
        &self,
        near: &[bool],
        node: impl Fn(usize) -> [f32; 3],
        base: usize,
        out: &mut Vec<usize>,
    ) {
        for i in (0..near.len()).filter(|&i| near[i]) {
            let v = node(i);
            let m = v[0].abs().max(v[1].abs()).max(v[2].abs());
            if self.code_spread(v, [F32_NEAR_ZERO_ERROR * m; 3]) > NEAR_ZERO_CODES {
                out.push(base + i);
            }
        }
    }

    /// The encoding table when [`Self::apply_all`] is its branch-free loop over nodes
    /// ([`Self::apply_planes`]), which a pass over chunks may then run chunk by chunk.
    pub(super) fn chunk_table(&self) -> Option<&EncodeTable> {
        let hlg = self.encoding == Encoding::Hlg1000;
        self.table.as_ref().filter(|_| self.in_table && !hlg)
    }

    /// Whether a pass over chunks may run the finish chunk by chunk
    /// ([`Self::apply_planes`]): the table covers every value, or the output is HLG or
    /// a pure gamma (both computed without a table, so unbounded values too: ACES 1.x
    /// SDR video has no clamp before its BT.1886).
    pub(super) fn fuses(&self) -> bool {
        let formula = self.encoding == Encoding::Hlg1000 || self.gamma.is_some();
        self.chunk_table().is_some() || formula
    }

    /// The largest change of any code value (0–1 scale) over the box `rgb ± err` of
    /// unclamped rendering RGB: the box is clamped as the output clamps, carried into the
    /// encoding primaries (centre and radius), and its ends encoded.
    pub(super) fn code_spread(&self, rgb: [f32; 3], err: [f32; 3]) -> f32 {
        let lo = [0, 1, 2].map(|c| self.clamp(rgb[c] - err[c]));
        let hi = [0, 1, 2].map(|c| self.clamp(rgb[c] + err[c]));
        let mid = [0, 1, 2].map(|c| 0.5 * (lo[c] + hi[c]));
        let half = [0, 1, 2].map(|c| 0.5 * (hi[c] - lo[c]));
        let m = &self.to_encoding;
        let centre = self.to_encoding(mid);
        let radius = [0, 1, 2]
            .map(|k| m[k][0].abs() * half[0] + m[k][1].abs() * half[1] + m[k][2].abs() * half[2]);
        let low = [0, 1, 2].map(|k| centre[k] - radius[k]);
        let high = [0, 1, 2].map(|k| centre[k] + radius[k]);
        let (a, b) = match &self.table {
            Some(t) => (
                low.map(|c| self.encode_channel(t, c)),
                high.map(|c| self.encode_channel(t, c)),
            ),
            None => {
                let d = self.exact.display();
                (
                    d.encode_rgb(low.map(f64::from)).map(|v| v as f32),
                    d.encode_rgb(high.map(f64::from)).map(|v| v as f32),
                )
            }
        };
        // HLG's differences are in full range: never smaller than in legal range.
        (0..3).map(|k| (b[k] - a[k]).abs()).fold(0.0, f32::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::SignalRange;

    pub(super) fn samples() -> Vec<[f32; 3]> {
        let levels = [
            -0.3, -1e-6, 0.0, 1e-7, 3e-5, 0.004, 0.18, 0.9, 1.0, 7.5, 10.0, 45.0,
        ];
        let mut out = Vec::new();
        for (i, &r) in levels.iter().enumerate() {
            for (j, &g) in levels.iter().enumerate() {
                out.push([r, g, levels[(i + 2 * j) % levels.len()]]);
            }
        }
        out
    }

    /// The all-nodes loop (vectorised where the CPU allows) gives what the per-node
    /// path gives, and both stay within 1e-5 of the exact f64 output.
    #[test]
    fn apply_all_matches_per_node_and_exact() {
        let outputs = [
            ("aces2-sdr-rec709", SignalRange::Full),
            ("aces2-sdr-p3d65", SignalRange::Legal),
            ("aces2-hdr-rec2100-pq1000", SignalRange::Legal),
            ("aces2-hdr-p3d65-pq4000", SignalRange::Full),
            ("aces2-hdr-rec2100-hlg1000", SignalRange::Full),
            ("aces1-sdr-rec709", SignalRange::Full),
        ];
        for (id, range) in outputs {
            let out = OutputTransform::from_id(id).unwrap().with_range(range);
            let finish = Finish::new(&out);
            let nodes = samples();
            for level in CpuLevel::available() {
                let mut all = nodes.clone();
                finish.apply_all(level, &mut all);
                check_all(id, &out, &finish, &nodes, &all);
            }
        }
        let skipped: Vec<CpuLevel> = CpuLevel::ALL
            .into_iter()
            .filter(|l| !l.is_supported())
            .collect();
        eprintln!("skipped (not on this CPU): {skipped:?}");
    }

    fn check_all(
        id: &str,
        out: &OutputTransform,
        finish: &Finish,
        nodes: &[[f32; 3]],
        all: &[[f32; 3]],
    ) {
        {
            for (n, a) in nodes.iter().zip(all) {
                let one = finish.apply(*n);
                let exact = out.finish(n.map(f64::from));
                for c in 0..3 {
                    assert!(
                        (a[c] - one[c]).abs() <= 1e-6,
                        "{id} {n:?}: {a:?} vs {one:?}"
                    );
                    let err = (f64::from(a[c]) - exact[c]).abs();
                    assert!(err <= 1e-5, "{id} {n:?}: {a:?} vs exact {exact:?}");
                }
            }
        }
    }

    /// The batched (vectorised) finish of the exact path gives the per-value finish.
    #[test]
    fn finish_batch_matches_finish() {
        for (id, range) in [
            ("aces2-sdr-rec709", SignalRange::Full),
            ("aces2-sdr-p3d65", SignalRange::Legal),
            ("aces2-hdr-rec2100-pq1000", SignalRange::Legal),
            ("aces2-hdr-p3d65-pq4000", SignalRange::Full),
            ("aces2-hdr-rec2100-hlg1000", SignalRange::Full),
            ("aces1-hdr-rec2100-pq1000", SignalRange::Full),
        ] {
            let out = OutputTransform::from_id(id).unwrap().with_range(range);
            let values: Vec<[f64; 3]> = samples().iter().map(|v| v.map(f64::from)).collect();
            let mut batch = vec![[f64::NAN; 3]; values.len()];
            out.finish_batch(&values, &mut batch);
            for (v, b) in values.iter().zip(&batch) {
                let one = out.finish(*v);
                for c in 0..3 {
                    assert!(
                        (b[c] - one[c]).abs() <= 1e-13,
                        "{id} {v:?}: {b:?} vs {one:?}"
                    );
                }
            }
        }
    }

    /// The spread bound covers the codes of every point of the box it is asked about.
    #[test]
    fn code_spread_covers_the_box() {
        let out = OutputTransform::from_id("aces2-hdr-rec2100-pq1000").unwrap();
        let finish = Finish::new(&out);
        let (centre, err) = ([2.0f32, 0.01, 0.3], [0.05f32, 0.02, 0.01]);
        let spread = finish.code_spread(centre, err);
        let mid = finish.apply(centre);
        for corner in 0..8 {
            let p = [0, 1, 2].map(|c| {
                let sign = if corner >> c & 1 == 1 { 1.0 } else { -1.0 };
                centre[c] + sign * err[c]
            });
            let code = finish.apply(p);
            for c in 0..3 {
                assert!(
                    (code[c] - mid[c]).abs() <= spread + 1e-6,
                    "{p:?}: {code:?} vs {mid:?} spread {spread}"
                );
            }
        }
        assert!(spread > 0.0);
    }
}
