//! Live baking: a 33³ look LUT rebuilt at every grade change.
//!
//! [`LiveBake::bake_live_into`], the live bake: per change the CDL and the look CDL
//! ([`LiveBake::set_look_cdl`], exact) in f32 lanes, the look LUT (if any) on the render
//! kernels, then per node the working space's decode and the exact output transform in f32
//! lanes ([`crate::output::aces2::Aces2Lanes`]: the ACES 2.0 chain written branch-free, 16
//! lanes with AVX-512, 8 with AVX2, the kernels' CPU selection; HLG's encoding too; the
//! ACES 1.x RRT and ODTs likewise, [`crate::output::aces1::Aces1Lanes`]), then
//! the output's clamp, matrix and encoding (BT.1886, gamma 2.6, PQ and HLG computed over
//! planes with `output::fastplanes`; a table for the rest). Without a look LUT the CDLs run
//! in the same pass as the output. Nodes the f32 path cannot be trusted with are computed
//! in f64 on the calling thread: codes outside the camera decode's table, non-finite
//! values, and nodes with a channel within 3e-4 of the node's largest where 4e-7 of that
//! largest could move a code by a quarter code (`finish`: PQ near black, where the channel
//! comes out of a cancellation; 0–30 of 35 937 nodes of a LogC3 show; more for grades far
//! outside any camera's range, whose working values decode past f32). Against the f64 exact
//! bake (color/tests/output_live.rs, every ACES 2.0 id, both working modes, the six demo
//! cameras, look LUT or look CDL, at every vector level the CPU has
//! ([`LiveBake::set_cpu_level`]: AVX-512, AVX2 and portable; the tests print the levels
//! they skip)): max 0.001–0.29 codes, p99.9 ≤ 0.015. Not every grade: the exact output
//! itself jumps tens of codes within 1e-6 of some nodes (BMD Film Gen5 in camera mode,
//! extreme CDL, PQ 4000: 57 codes), where the f32 path may land on the other side; the
//! server's devices therefore get [`LiveBake::bake_exact`] once a grade settles. The
//! ACES 1.x outputs are tested the same way (both ids, both working modes, moderate and
//! extreme CDLs, full and legal range, every level): under one code, max and p99.9, where
//! their table bake was 14–113 codes off at p99.9 and up to 434 at most.
//!
//! The lanes run stage by stage over chunks of 128 nodes (CDLs, decode, front, two
//! halves of the tonescale, the hue and its bin's record, chroma, the hue interval's
//! record, two halves of the gamut compression, back, then the near-zero test and the
//! encoding): one stage's vectors are independent, so their long
//! chains of powers, divisions and gathers overlap; the whole chain per vector in one
//! loop (~1200 instructions) ran at about 1.2 instructions per cycle.
//!
//! Figures (Xeon, Emerald Rapids, AVX-512 and AVX2, 2 vCPUs shared by 3 builders;
//! `live_cpu` example, thread CPU time, 300 bakes per output, 33³ LogC3 lattice, session 6,
//! A/B against session 5's code run just before): AVX-512 at load 1.2, look CDL (the
//! server's show looks) best 1.05–1.15 ms per bake (was 1.41–1.56), median 1.18–1.28 (was
//! 1.59–1.69); look as a 33³ LUT best 1.25–1.39 ms (was 1.65–1.79), median 1.41–1.50 (was
//! 1.85–1.96); ACES 1.x (the table bake) 0.53–0.91 ms. AVX2 (LOOKWIRE_CPU=avx2) at load 4:
//! 2.35–2.52 ms (was 2.95–3.10) with a look CDL, 2.48–2.64 (was 3.11–3.28) with a look LUT.
//! The 1 ms is not reached. By perf samples (cpu-clock) of the output pass of a
//! look-CDL bake (~90 % of it, before the hue step and the near-zero fusion): the two CDLs
//! 15 %, decode and front 8 %, tonescale 12 %, chroma 11 %, the gamut compression's cusp
//! and line 16 % (10 gathers and 9 divisions or roots per vector: the slowest per
//! instruction), its hull and remap 11 %, back 10 %, near-zero test and encoding 7 %. Tried
//! and not kept (A/B, same load): divisions as a bit-pattern reciprocal and three Newton
//! steps at the 17 sites with a divisor bounded away from 0 (1.48 → 1.53 ms median: the
//! divider is not the bound), chunks of 128 nodes (no change), the chroma stage in two
//! loops (within noise, ±1 %).
//!
//! Session 7 (same machine, `live_cpu`, thread CPU time, A/B alternated against session 6's
//! last code; load 4.7–5.0 while two other helpers built): the powers of the front,
//! tonescale, hull, back, the CDLs, the log decode's exp2 and the PQ, gamma and HLG
//! encodings run over whole planes (`output::fastplanes`: at AVX-512 in intrinsics, ~19
//! instructions a power where LLVM's scalar-style code took ~32); nodes move into planes
//! and back with vector shuffles (`live::planes`: single-float moves stalled each plane
//! load on store forwarding); the look LUT renders the lattice as one row; chunks of 128
//! nodes; HLG's finish in the output pass. Look as a 33³ LUT, AVX-512, all eleven ACES 2.0
//! ids: best 0.91–1.07 ms (was 1.32–1.47), median 0.98–1.18 ms (was 1.42–1.56) per 33³; the
//! lead's quiet baseline of the old code (load 1.0) was best 1.25–1.35 / median 1.43–1.53,
//! so on a quiet machine about 0.9–0.97 best and 1.0–1.1 median. The 1 ms median is not yet
//! met for the PQ and HLG outputs (two powers per channel in their encoding). Look CDL (the
//! server's show looks): best 0.90–0.99 ms (was 1.17–1.31), median 0.94–1.02 (was
//! 1.24–1.34). AVX2, look LUT: best 1.94–2.13 ms (was 2.41–2.58), median 2.02–2.33 (was
//! 2.45–2.64). By output with no look (`LIVE_CPU_LOOK=none`) 0.81–0.87 ms: the look LUT (a
//! kernel pass, 2.5 ns a node) and the CDLs' pass before it cost 0.06–0.12 ms. Tried and
//! not kept: the look LUT tetrahedral in the lanes (12 gathers per 16 nodes; no faster than
//! the kernel pass plus the CDL pass: 0.94–0.99 vs 0.94–0.99 ms best), the tonescale as a
//! dense 1D table (2⁻¹⁰ steps by bit pattern, 4 gathers from 512 KiB: 0.83–0.91 vs
//! 0.81–0.83 ms, slower than its 4 powers), the AP1 → AP0 → AP1 matrices folded into one
//! (within noise), chunks of 256 (slower), the look LUT rendered out of place from a graded
//! buffer (the kernels' fused out-of-place loop: 0.98–1.03 vs 0.91–0.93 ms best, slower),
//! the gamut line's log₂ over a plane (its loop split in two around it: 3–7 % slower).
//! Lower polynomial degrees measured, not taken: exp2 degree 4 is 5.2e-6 relative (degree
//! 5: 2.4e-7); the 32-cell log2 at degree 3 is 4.0e-8 (taken: one multiply-add fewer, same
//! accuracy class). The AVX2 level keeps the compiler-vectorised powers: without
//! `vgetexpps`/`vscalefps`/16-entry `vpermps` an intrinsic power has about as many
//! instructions as LLVM's (~30).
//!
//! Session 8 (same machine, `live_cpu`, thread CPU time, each change A/B'd against the
//! code before it, the two builds alternated output by output, 8 pairs of 500 bakes,
//! medians over the runs; load 1.3–3.4 with two other helpers building): the PQ
//! encoding at AVX-512 is a piecewise polynomial in log₂ of the light
//! (`fastplanes::pq`: one log₂ and five `vpermt2ps` lookups where the formula took two
//! powers and a division; within 1.1e-7 of f64), the per-chunk stage planes of the
//! ACES 2.0 lanes are made once per batch (`Aces2Lanes::chunks`), and each chunk's f64
//! flags and near-zero candidates are tested by one vectorised OR before their scalar
//! filters. Look as a 33³ LUT, AVX-512, all eleven ACES 2.0 ids at load 3.0: best
//! 0.90–1.01 ms, median 0.98–1.06, p10 0.96–1.02 (session 7's code at load 2–4:
//! best 0.95–1.10, median 1.03–1.15); SDR Rec.709 0.90/0.98, Rec.2100 PQ 0.93–0.96/
//! 1.01–1.02, P3-D65 PQ 0.95–1.01/1.03–1.06, HLG 0.93/1.01. AVX2: SDR 1.82/1.92, PQ 1000
//! 2.04/2.12, HLG 1.97/2.05 (PQ keeps the formula there: the polynomial's five gathers
//! were 5 % slower). Under 1 ms median at load 3 for SDR, not yet for PQ and HLG;
//! the sibling hyperthread decides the rest: one bake in 500 ran in 0.80 ms. The
//! median's excess over the best is the machine, not the bake: no allocation or page
//! fault per bake (the lattice buffers are reused; page-fault handling is 0.16 % of
//! the samples, start-up included), the dense tables are gone from the live path (the
//! hue tables touch ~10 KiB), and the working set (nodes, graded lattice, look LUT:
//! 1.3 MB) stays in L2 unless the sibling hyperthread evicts it; huge pages were
//! therefore not tried (the kernels measured none for 33³ lattices). Tried and not
//! kept (A/B, same method): the fastplanes powers inlined into the stage loops instead
//! of called per plane (within ±2 %), 1/focus J with 1/gain and the two J-axis
//! crossings with one division each (+0.5–2 %: the divider is not the bound), the
//! stage planes as one struct passed in (the vectoriser could no longer tell them from
//! the hue tables: gather loops scalar, 4× slower) or the chunk I/O as closures
//! (compiled out of line without the vector level: scalar `fmaf`, 2× slower). Chunk
//! sizes again without the per-chunk zeroing: 64 values +7–11 %, 256 +3–7 % against 128.
//! PQ's signs mirrored inside `fastplanes::pq` instead of kept in an array beside the
//! planes: within noise (median of runs' medians +0.2–1 %, the control likewise).
//! The cusp and reach tables as 64-bit pairs of neighbours (one gather per lerp instead
//! of two, written portably): +17 % (LLVM split the loops into 8-lane halves around
//! `vpgatherqq`); explicit 64-bit gathers at AVX-512 are left to try (session 10 took
//! records and loads instead, below).
//!
//! Session 10 (AMD EPYC, Zen 4, AVX-512, 2 vCPUs at load 1–1.5; `live_cpu`, look as a
//! 33³ LUT, the old and new builds alternated, 3 runs of 200 bakes per output): every
//! ACES 2.0 id best 0.77–0.86 ms (was 0.93–1.01), median of the runs' medians
//! 0.81–0.91 (was 0.95–1.08); ACES 1.x 0.58 / 0.63 best (was 0.64 / 0.70). AVX2
//! (LOOKWIRE_CPU=avx2): SDR Rec.709 1.51, PQ 1000 1.70 ms best (was 1.64 / 1.83). What
//! it took, found by the samples just after each gather (Zen 4's gathers cost ~1.3
//! cycles per element, even from L1, and stall what needs them):
//! - The log decode read its constants through `self` inside a conditional, and LLVM
//!   loaded each with a masked gather of one address: 16 per chunk, ~6 % of the output
//!   pass. Locals and a `select` now; the reference gamut compression likewise.
//! - The per-hue tables are two records per value (`aces2::lanes`): the hue's bin
//!   (interval index, its one knot, the reach M at the bin's two whole degrees) and the
//!   interval's cusp data, read on AMD (the kernels' [`crate::kernel::NodeReads`]) with
//!   one load per value and a transpose instead of twelve gathers per vector: −12 %
//!   with the cusp records, −5 % more with the bins. On Intel the gathers stay (same
//!   count as before, now into planes; not measured there: its gathers cost less).
//!
//! The margin is thin where the host is busy: on the same CPU the next day (3 alternated
//! runs of 200 bakes, load 1.0) every ACES 2.0 id had a best of 0.84–0.92 ms and a
//! median of the runs' medians of 0.90–1.00 (PQ 4000 at 1.000), the old build 1.08–1.32.
//! `lookwire bench --live` times the same bake from the shipped binary.
//!
//! The ACES 1.x lanes (AMD EPYC, Zen 4, AVX-512, 2 vCPUs at load 2.1–2.3; `live_cpu`,
//! look as a 33³ LUT, 200 bakes, alternated with the table bake they replace): SDR
//! Rec.709 best 0.72 ms, median 0.77–0.97; HDR PQ 1000 best 0.78, median 0.82–1.32 (13
//! nodes of 35 937 to f64 near black, ~0.06 ms); their table bake 0.68 / 0.73 and 0.48 /
//! 0.50–0.54. AVX2: 1.34 / 1.46 and 1.37 / 1.49 ms. What it took: the tone curves' piece
//! count vectorised across lanes (LLVM vectorised a per-value loop over knots across the
//! knots, with a horizontal sum per value: 4.0 ms), their coefficients read at AVX-512 by
//! `vpermps`/`vpermt2ps` from registers (the compiler gathered them with 64-bit indices,
//! 8 lanes a gather: 0.98 ms), and BT.1886 fused into the output's pass for unclamped
//! renderings (ACES 1.x SDR video has no clamp, so its table finish did not fuse).
//!
//! The older bakes stay for what they still do. Two dense tables are built once and
//! reused across changes:
//! - the camera's input side: for every node of the bake lattice, the working-space value
//!   (ACEScct, or the camera code value itself in camera working mode);
//! - the output side ([`OutputTable`]): the display output (with the optional gamut
//!   compression and the signal range) sampled on a dense lattice over the working space,
//!   built in parallel, with a per-cell bound of its interpolation error.
//!
//! Two bakes use them:
//! - [`LiveBake::bake_into`], the table bake (the certified bake's first pass, and what
//!   the live bake of an output without f32 lanes would be): per change the CDLs in f32
//!   lanes, the look LUT and one output-table lookup on the render kernels, then the output's clamp, matrix and
//!   inverse EOTF (a bit-pattern table, relative accuracy ~2e-6).
//! - [`LiveBake::bake_certified_into`], the certified bake: the same, and each node whose
//!   code values could move more than a given bound (the cell's error bound, widened,
//!   carried through clamp, matrix and inverse EOTF) computed with the exact f64 transform.
//!   color/tests/output_live.rs checks the bound (under one 10-bit code, max and
//!   p99.9) for every output id. The exact nodes run in batches
//!   ([`crate::output::OutputTransform::unclamped_batch`]: the ACES 2.0 chain's power-heavy
//!   stages vectorised with AVX-512/AVX2, within 1e-12 of the scalar path).
//!   [`bake_certified_group`] bakes one camera for several outputs and grades the input
//!   side once; [`LiveBake::bake_settled`] adds the fast bake's error per look
//!   ([`LiveError`]) measured through the certified bake, without an exact bake.
//!
//! How far the per-cell bound is justified (measured, session 3, 33³ LogC3 lattice
//! with a warm CDL and look LUT): it is empirical, not a proof. The cell bound is the
//! larger of the interpolation error at the cell's centre and a quarter of the largest
//! second difference at its corners; the certified bake widens it 4× and adds the f32
//! path's error. With a 65³ table a node's true table error reached 6.1× the
//! unwidened bound (SDR), and only 59 % (SDR) / 65 % (PQ 1000) of nodes are truly
//! within half a code, so even a perfect bound would compute 35–41 % exactly; the
//! widened bound certifies none (0.1 % at 1×). With 129³ tables 94–96 % are truly
//! within half a code but the bound certifies 0.1–0.7 % (4×), 20–29 % (1×). A tighter
//! bound therefore cannot make the certified bake much cheaper at the table sizes
//! devices use; the exact path's speed decides it. Once a bake certified next to no
//! node the next ones skip the table pass (re-checking every 16 bakes).
//!
//! Where the fast bake's error comes from (measured with 65³ tables, 33³ graded camera
//! lattices, session 2): not only near black. ACES 2.0 has creases (the gamut
//! compressor's hull and threshold, the white limit near peak, the AP1 clamp), and
//! interpolation error across a crease falls only linearly with the table step. Cells
//! with a crease are everywhere a graded camera lattice lands (saturated and bright
//! colours); after the steep inverse EOTFs (BT.1886 near black, PQ near zero where one
//! code is ~3e-9 of display light) the median cell of a 65³ table is already off by
//! 0.2–0.7 codes, p99 by 12–78. Sizes: the cell error falls 4× per doubling in smooth
//! cells (33³ 0.88, 65³ 0.22, 129³ 0.055 codes at the median) but the crease tail
//! stays: with the worst 5 % of nodes computed exactly, max is still 9–130 codes.
//! [`crate::pipeline::Pipeline::bake`] stays the exact (f64) mode for exports.
//!
//! Figures (Xeon, Emerald Rapids, AVX-512, 2 vCPUs at load 7–8; `certified_cpu`
//! example, process CPU time, best of 5, session 3): the fast bake of 33³ through a
//! 65³ table 0.64–0.75 ms on one core (HLG 2.8 ms: its encoding is not tabulated). The
//! certified bake computes 100 % of nodes exactly with 65³ tables: ACES 2.0 outputs
//! 16.2–17.9 ms of CPU per bake (0.46–0.50 µs per node; session 2's code on the same
//! machine and load: 35.7–38.7 ms), ACES 1.x 12.3–13.6 ms (19.9–21.3 ms). SDR and PQ
//! 1000 of one camera as one group 29.5 ms (alone 16.2 + 17.6); all 13 outputs 157 ms
//! (alone 219 ms). Wall time on 2 threads is half the CPU time on idle cores; on this
//! loaded machine it was no better than on one. 65³ output tables build in 0.24–0.50 s.

pub mod bench;
mod error;
mod exact;
mod finish;
mod grade;
mod group;
mod lanes;
mod planes;
mod table;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::cdl::{Cdl, CdlStyle};
use crate::kernel::{Coding, CpuLevel, ImageDesc, Kernel, KernelError, Layout, Look as KernelLook};
use crate::lut::{Domain, Lut3d, LutError};
use crate::pipeline::{to_aces, Look, Op, Pipeline, WorkingSpace};
use crate::spaces::{self, InputSpace, AP0, AP1};

pub use error::{live_error, LiveError, Settled};
use grade::GradeLanes;
pub use group::bake_certified_group;
use lanes::ExactLanes;
pub use table::OutputTable;

/// Makes `out` hold `len` nodes (their values are about to be overwritten).
fn reuse(out: &mut Vec<[f32; 3]>, len: usize) {
    if out.len() != len {
        out.clear();
        out.resize(len, [0.0; 3]);
    }
}

/// How far the certified bake widens each cell's measured error bound.
const CELL_ERROR_SAFETY: f32 = 4.0;
/// Relative error of the f32 path (CDL, look LUT, table lookup) in rendering RGB.
const F32_PATH_ERROR: f32 = 2e-6;

/// When a certified bake computed at least this share of its nodes exactly (in 1/1024),
/// the next ones of the same bake skip the table pass and compute every node exactly
/// (the table pass then only costs: 65³ ACES 2.0 tables certify about no node of a
/// graded camera lattice), re-checking with a table pass every [`RECHECK_EVERY`] bakes.
const SKIP_TABLE_FROM: u32 = 1004;
const RECHECK_EVERY: u32 = 16;

/// The widened error bound of a table value `v` (rendering RGB) in a cell with bound `e`.
#[inline]
fn node_error(v: [f32; 3], e: [f32; 3]) -> [f32; 3] {
    let floor = F32_PATH_ERROR * (1.0 + v.iter().fold(0.0f32, |m, c| m.max(c.abs())));
    e.map(|x| x * CELL_ERROR_SAFETY + floor)
}

/// A LUT on the render kernels at `level`: the process's selection (with its check
/// mode) or, for a level set on a bake, that level (already checked as supported).
fn kernel_at(level: CpuLevel, lut: &Lut3d) -> Kernel {
    let look = KernelLook::lut(lut.clone());
    if level == CpuLevel::selected() {
        return Kernel::new(&look);
    }
    Kernel::with_level(&look, level).unwrap_or_else(|_| Kernel::new(&look))
}

/// One camera feeding one output, ready to be re-baked at every grade change.
#[derive(Debug)]
pub struct LiveBake {
    size: usize,
    working: WorkingSpace,
    /// Working-space value at every node of the bake lattice (red fastest); shared by
    /// the bakes of one camera for other outputs ([`Self::for_output`]).
    nodes: Arc<[[f32; 3]]>,
    /// The same values in f64, for the nodes computed exactly.
    nodes_f64: Arc<[[f64; 3]]>,
    output: Arc<OutputTable>,
    /// The output table prepared for the render kernels once.
    output_kernel: Kernel,
    /// The look LUT on the render kernels, after the CDLs.
    look_kernel: Option<Kernel>,
    /// The look LUT itself, for the nodes computed exactly.
    look: Option<Lut3d>,
    /// A CDL after the per-change one (a show look's), in the same style, before the
    /// look LUT: applied exactly, not sampled into a lattice.
    look_cdl: Option<Cdl>,
    /// Share of nodes (1/1024) the last checked certified bake computed exactly, and
    /// certified bakes since that check (see [`SKIP_TABLE_FROM`]).
    exact_share: AtomicU32,
    since_check: AtomicU32,
    /// The vector level of the f32 lanes and the render kernels: the process's
    /// selection unless [`Self::set_cpu_level`] chose another (tests run every level).
    level: CpuLevel,
}

/// What a certified bake did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Certified {
    /// Nodes whose table bound was too wide, computed with the exact f64 transform.
    pub exact_nodes: usize,
}

impl LiveBake {
    /// Precomputes the input side of `input` on a `size`³ lattice and takes the output table.
    pub fn new(
        input: &InputSpace,
        working: WorkingSpace,
        output: Arc<OutputTable>,
        size: usize,
    ) -> Result<Self, LutError> {
        let nodes_f64 = input_side(input, working, size)?;
        let nodes: Arc<[[f32; 3]]> = nodes_f64.iter().map(|v| v.map(|x| x as f32)).collect();
        Ok(LiveBake {
            size,
            working,
            nodes,
            nodes_f64: nodes_f64.into(),
            output_kernel: Kernel::new(&KernelLook::lut(output.lut.clone())),
            output,
            look_kernel: None,
            look: None,
            look_cdl: None,
            exact_share: AtomicU32::new(0),
            since_check: AtomicU32::new(0),
            level: CpuLevel::selected(),
        })
    }

    /// The same camera lattice (and look LUT) feeding another output: the input side is
    /// shared, not recomputed, and [`bake_certified_group`] computes what the exact nodes
    /// of such bakes share once.
    pub fn for_output(&self, output: Arc<OutputTable>) -> LiveBake {
        LiveBake {
            size: self.size,
            working: self.working,
            nodes: Arc::clone(&self.nodes),
            nodes_f64: Arc::clone(&self.nodes_f64),
            output_kernel: kernel_at(self.level, &output.lut),
            output,
            look_kernel: self.look_kernel.clone(),
            look: self.look.clone(),
            look_cdl: self.look_cdl,
            exact_share: AtomicU32::new(0),
            since_check: AtomicU32::new(0),
            level: self.level,
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    pub fn working(&self) -> WorkingSpace {
        self.working
    }

    /// The vector level the bakes run at.
    pub fn cpu_level(&self) -> CpuLevel {
        self.level
    }

    /// Runs the bakes' f32 lanes and render kernels at `level` instead of the process's
    /// selection (tests check every level the CPU has); fails when this CPU cannot run it.
    pub fn set_cpu_level(&mut self, level: CpuLevel) -> Result<(), KernelError> {
        if !level.is_supported() {
            return Err(KernelError::Unsupported(level));
        }
        self.level = level;
        self.output_kernel = kernel_at(level, &self.output.lut);
        self.look_kernel = self.look.as_ref().map(|l| kernel_at(level, l));
        Ok(())
    }

    /// Sets the look LUT applied after the CDL.
    pub fn set_look(&mut self, look: Option<&Lut3d>) {
        self.look_kernel = look.map(|l| kernel_at(self.level, l));
        self.look = look.cloned();
    }

    /// Sets a CDL applied after each bake's CDL (in its style) and before the look LUT,
    /// exactly (a show look's CDL; a lattice of it would cost codes between its nodes).
    pub fn set_look_cdl(&mut self, cdl: Option<Cdl>) {
        self.look_cdl = cdl.filter(|c| !c.is_identity());
    }

    /// The CDLs of a bake: `cdl`, then the look CDL.
    fn grade(&self, cdl: &Cdl, style: CdlStyle) -> GradeLanes {
        GradeLanes::new(std::iter::once(cdl).chain(&self.look_cdl), style)
    }

    /// Every node's working value after the grade into `out` (size³ nodes): the CDLs
    /// in f32 lanes, then the look LUT (if any) on the render kernels.
    fn render_grade(&self, cdl: &Cdl, style: CdlStyle, out: &mut [[f32; 3]]) {
        self.grade(cdl, style)
            .apply_all(self.level, &self.nodes, out);
        if let Some(look) = &self.look_kernel {
            // The buffer matches `desc` by construction, so rendering cannot fail.
            let rendered = look.render_in_place(&self.desc(), out.as_flattened_mut());
            debug_assert!(rendered.is_ok());
        }
    }

    /// The lattice as one row of size³ pixels for the render kernels: rows of size
    /// pixels cost a row's set-up and a vector tail per 33 pixels.
    fn desc(&self) -> ImageDesc {
        ImageDesc::new(self.size.pow(3), 1, Layout::Rgb, Coding::Float)
    }

    /// The fast bake: the lattice for this grade into `out` (resized to size³), red
    /// fastest, the output through its table. Median error is a fraction of a 10-bit
    /// code, but its tail is not bounded (see the module docs);
    /// [`Self::bake_certified_into`] is.
    pub fn bake_into(&self, cdl: &Cdl, style: CdlStyle, out: &mut Vec<[f32; 3]>) {
        reuse(out, self.size.pow(3));
        self.render_grade(cdl, style, out);
        // The buffer matches `desc` by construction, so rendering cannot fail.
        let rendered = self
            .output_kernel
            .render_in_place(&self.desc(), out.as_flattened_mut());
        debug_assert!(rendered.is_ok());
        self.output.finish.apply_all(self.level, out);
    }

    /// True when [`Self::bake_live_into`] runs the exact output per node (the ACES 2.0 and
    /// 1.x outputs: every output today); otherwise it is the table bake [`Self::bake_into`].
    pub fn has_exact_live(&self) -> bool {
        self.output.lanes.is_some()
    }

    /// The live bake: the CDLs in f32 lanes and the look LUT on the render kernels, then
    /// per node the working space's decode and the exact output transform in f32 lanes
    /// (AVX-512, AVX2 or portable), then the output's clamp, matrix and encoding. Within
    /// one 10-bit code of the exact (f64) bake, max and p99.9 (tested for every id, ACES
    /// 2.0 and 1.x, in color/tests/output_live.rs); nodes the f32 path cannot take (codes
    /// outside the camera decode's table, non-finite values, ACES values beyond the ACES
    /// 1.x lanes' input limit) are computed with the f64 path. Outputs without the f32
    /// path would get [`Self::bake_into`]. Returns the number of nodes computed in f64.
    pub fn bake_live_into(&self, cdl: &Cdl, style: CdlStyle, out: &mut Vec<[f32; 3]>) -> usize {
        match &self.output.lanes {
            Some(lanes) => self.bake_lanes(lanes, cdl, style, out),
            None => {
                self.bake_into(cdl, style, out);
                0
            }
        }
    }

    /// [`Self::bake_live_into`] as a [`Lut3d`] on the unit domain.
    pub fn bake_live(&self, cdl: &Cdl, style: CdlStyle) -> Result<Lut3d, LutError> {
        let mut data = Vec::with_capacity(self.nodes.len());
        self.bake_live_into(cdl, style, &mut data);
        Lut3d::new(self.size, data, Domain::UNIT)
    }

    fn bake_lanes(
        &self,
        lanes: &ExactLanes,
        cdl: &Cdl,
        style: CdlStyle,
        out: &mut Vec<[f32; 3]>,
    ) -> usize {
        reuse(out, self.size.pow(3));
        let grade = self.grade(cdl, style);
        let mut fallback = Vec::new();
        // The finish in the same pass, chunk by chunk, where its loop allows.
        let finish = &self.output.finish;
        let fused = finish.fuses().then_some(finish);
        match &self.look_kernel {
            // The CDLs in the same pass as the output.
            None => {
                let graded = Some((&self.nodes[..], &grade));
                lanes.render(self.level, graded, fused, out, &mut fallback);
            }
            Some(_) => {
                self.render_grade(cdl, style, out);
                lanes.render(self.level, None, fused, out, &mut fallback);
            }
        }
        if fused.is_none() {
            finish.near_zero_nodes(self.level, out, &mut fallback);
            finish.apply_all(self.level, out);
        }
        if !fallback.is_empty() {
            fallback.sort_unstable();
            fallback.dedup();
            let values = self.exact_nodes_here(&fallback, cdl, style);
            for (&i, v) in fallback.iter().zip(values) {
                out[i] = v;
            }
        }
        fallback.len()
    }

    /// The certified bake: like [`Self::bake_into`], and every node
    /// whose code values could stray more than `max_codes` 10-bit code values from the
    /// exact bake (by the table's per-cell error bound carried through the output's
    /// clamp, matrix and inverse EOTF) computed with the exact f64 transform instead, on
    /// rayon's pool. For ACES 2.0 most nodes of a graded camera lattice need the exact
    /// transform, so this is for when a trim stops, not for every change.
    pub fn bake_certified_into(
        &self,
        cdl: &Cdl,
        style: CdlStyle,
        max_codes: f32,
        out: &mut Vec<[f32; 3]>,
    ) -> Certified {
        let exact = self.table_pass(cdl, style, max_codes, out);
        let values = self.exact_nodes(&exact, cdl, style);
        for (&i, v) in exact.iter().zip(values) {
            out[i] = v;
        }
        Certified {
            exact_nodes: exact.len(),
        }
    }

    /// The exact bake of this grade: every node through the f64 transform (CDLs, look
    /// LUT, output), on rayon's pool; what the certified bake becomes when no node is
    /// taken from the table. For ACES 2.0 outputs the certified step once a grade
    /// settles: the f32 live bake is within a fraction of a code almost everywhere, but
    /// the exact output itself jumps tens of codes within 1e-6 of some nodes
    /// (color/tests/output_live.rs), where the live bake may land on the other side.
    pub fn bake_exact(&self, cdl: &Cdl, style: CdlStyle) -> Result<(Lut3d, Certified), LutError> {
        let all: Vec<usize> = (0..self.nodes.len()).collect();
        let data = self.exact_nodes(&all, cdl, style);
        let report = Certified {
            exact_nodes: all.len(),
        };
        Ok((Lut3d::new(self.size, data, Domain::UNIT)?, report))
    }

    /// The certified bake's table pass: every node through the tables into `out`, and
    /// the nodes whose bound is too wide for `max_codes` (to be computed exactly).
    fn table_pass(
        &self,
        cdl: &Cdl,
        style: CdlStyle,
        max_codes: f32,
        out: &mut Vec<[f32; 3]>,
    ) -> Vec<usize> {
        let n3 = self.size.pow(3);
        reuse(out, n3);
        let skip = self.exact_share.load(Ordering::Relaxed) >= SKIP_TABLE_FROM;
        if skip && self.since_check.fetch_add(1, Ordering::Relaxed) + 1 < RECHECK_EVERY {
            return (0..n3).collect();
        }
        self.since_check.store(0, Ordering::Relaxed);
        let mut work = vec![[0.0f32; 3]; n3];
        self.render_grade(cdl, style, &mut work);
        // The buffers match by construction, so rendering cannot fail.
        let rendered =
            self.output_kernel
                .render(&self.desc(), work.as_flattened(), out.as_flattened_mut());
        debug_assert!(rendered.is_ok());
        let table = &self.output;
        let limit = max_codes / 1023.0;
        let mut exact = Vec::new();
        for (i, (v, w)) in out.iter_mut().zip(&work).enumerate() {
            let err = node_error(*v, table.cell_error[table.cell(*w)]);
            if table.covers(*w) && table.finish.code_spread(*v, err) <= limit {
                *v = table.finish.apply(*v);
            } else {
                exact.push(i);
            }
        }
        let share = (exact.len() * 1024 / n3.max(1)) as u32;
        self.exact_share.store(share, Ordering::Relaxed);
        exact
    }

    /// Bakes the lattice for this grade as a [`Lut3d`] on the unit domain (fast bake).
    pub fn bake(&self, cdl: &Cdl, style: CdlStyle) -> Result<Lut3d, LutError> {
        let mut data = Vec::with_capacity(self.nodes.len());
        self.bake_into(cdl, style, &mut data);
        Lut3d::new(self.size, data, Domain::UNIT)
    }

    /// Bakes the lattice for this grade as a [`Lut3d`] within `max_codes` 10-bit code
    /// values of the exact bake (certified bake).
    pub fn bake_certified(
        &self,
        cdl: &Cdl,
        style: CdlStyle,
        max_codes: f32,
    ) -> Result<(Lut3d, Certified), LutError> {
        let mut data = Vec::with_capacity(self.nodes.len());
        let report = self.bake_certified_into(cdl, style, max_codes, &mut data);
        Ok((Lut3d::new(self.size, data, Domain::UNIT)?, report))
    }
}

/// The working-space value at every node of the `size`³ camera lattice, in f64.
fn input_side(
    input: &InputSpace,
    working: WorkingSpace,
    size: usize,
) -> Result<Vec<[f64; 3]>, LutError> {
    let n = size.max(2);
    let unit = |i: usize| [i % n, (i / n) % n, i / (n * n)].map(|k| k as f64 / (n - 1) as f64);
    // Checks the size as every lattice does.
    Lut3d::identity(size)?;
    Ok(match working {
        WorkingSpace::Camera => (0..n * n * n).map(unit).collect(),
        WorkingSpace::AcesCct => {
            let mut ops = to_aces(input);
            ops.push(Op::Matrix(spaces::conversion_matrix(
                &AP0,
                &AP1,
                spaces::Adaptation::None,
            )));
            ops.push(Op::encode(spaces::acescct_curve()));
            let p = Pipeline::new(ops);
            (0..n * n * n).map(|i| p.apply(unit(i))).collect()
        }
    })
}

/// The exact (f64, per node) bake of the same look, for exports and for checking live bakes.
pub fn exact_bake(look: &Look, size: usize) -> Result<Lut3d, crate::pipeline::PipelineError> {
    Ok(look.pipeline()?.bake(size)?.lut)
}
