//! The live bake benchmark, shared by `lookwire bench --live`, the `live_cpu` example and
//! the `live_bake` divan bench: one camera's 33³ lattice (ARRI LogC3 → ACEScct → a trim
//! that moves at every bake → a 33³ look LUT → a display output), baked with
//! [`LiveBake::bake_live_into`]. The product's target: a median under [`TARGET_MS`] on one
//! core, so that four cameras trimmed at 60 changes a second, each feeding SDR and HDR,
//! are followed.

use std::sync::Arc;
use std::time::Duration;

use super::{LiveBake, OutputTable};
use crate::cdl::{Cdl, CdlStyle};
use crate::kernel::workload::Clock;
use crate::kernel::{CpuLevel, KernelError};
use crate::lut::{Lut3d, LutError};
use crate::output::OutputTransform;
use crate::pipeline::WorkingSpace;
use crate::spaces::{self, SpaceError};

/// Nodes per side of the baked lattice (and of the look LUT).
pub const SIZE: usize = 33;
/// The camera's input space id.
pub const CAMERA: &str = "arri-logc3-awg3";
/// The working space the trim is applied in.
pub const WORKING: WorkingSpace = WorkingSpace::AcesCct;
/// Nodes per side of the output table ([`OutputTable::acescct`]).
pub const OUTPUT_TABLE_SIZE: usize = 65;
/// The live bake's target: the median bake of one camera for one output, in ms, on one core.
pub const TARGET_MS: f64 = 1.0;

/// The trim of bake `step`: it moves at every bake, as a VC's hands do (and repeats
/// after 100 bakes).
pub fn trim(step: u32) -> Cdl {
    let t = f64::from(step % 100) * 1e-3;
    Cdl {
        slope: [1.05 + t, 1.0, 0.95],
        offset: [0.01, -t * 0.1, 0.0],
        power: [0.95, 1.0 + t, 1.05],
        sat: 1.1,
    }
}

/// What follows the trim in the benchmark's look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchLook {
    /// A 33³ look LUT ([`look_lut`]) on the render kernels: the benchmark's figure.
    Lut,
    /// A look CDL ([`look_cdl`]) in the trim's f32 pass, as the server's show looks are.
    Cdl,
    /// The trim alone.
    None,
}

impl BenchLook {
    pub const ALL: [BenchLook; 3] = [BenchLook::Lut, BenchLook::Cdl, BenchLook::None];

    pub fn as_str(self) -> &'static str {
        match self {
            BenchLook::Lut => "lut",
            BenchLook::Cdl => "cdl",
            BenchLook::None => "none",
        }
    }
}

/// The look LUT: a gentle warm shift, 33³.
pub fn look_lut() -> Lut3d {
    Lut3d::from_fn(SIZE, |[r, g, b]| [r * 0.98 + 0.01, g, b * 1.02 - 0.01])
        .expect("a 33³ lattice of finite values is well formed")
}

/// The look as a CDL (a show look's).
pub fn look_cdl() -> Cdl {
    Cdl::from_sop_sat([1.06, 1.0, 0.95, 0.005, 0.0, -0.01, 1.1, 1.1, 1.12], 1.1)
        .expect("the look CDL's values are in range")
}

/// Why the benchmark's bake could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum LiveBenchError {
    #[error("unknown output {0:?}: not a display output id")]
    UnknownOutput(String),
    #[error(transparent)]
    Space(#[from] SpaceError),
    #[error(transparent)]
    Lut(#[from] LutError),
}

/// The output table of display output `output` (an id of
/// [`crate::output::display_output_ids`]), for [`live_bake`].
pub fn output_table(output: &str) -> Result<Arc<OutputTable>, LiveBenchError> {
    let out = OutputTransform::from_id(output)
        .ok_or_else(|| LiveBenchError::UnknownOutput(output.to_owned()))?;
    Ok(Arc::new(OutputTable::acescct(
        &out,
        false,
        OUTPUT_TABLE_SIZE,
    )?))
}

/// The benchmark's camera feeding `output` ([`output_table`]) with `look`, at the
/// process's CPU level.
pub fn live_bake(output: Arc<OutputTable>, look: BenchLook) -> Result<LiveBake, LiveBenchError> {
    let camera = spaces::lookup(CAMERA)?;
    let mut live = LiveBake::new(&camera, WORKING, output, SIZE)?;
    match look {
        BenchLook::Lut => live.set_look(Some(&look_lut())),
        BenchLook::Cdl => live.set_look_cdl(Some(look_cdl())),
        BenchLook::None => {}
    }
    Ok(live)
}

/// The figures of [`time_live`], per bake.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LiveTiming {
    pub level: CpuLevel,
    /// The clock the figures were read from (wall time where the platform has no thread
    /// CPU clock).
    pub clock: Clock,
    pub bakes: usize,
    pub best_ms: f64,
    pub median_ms: f64,
    /// The 10th percentile: it moves less between runs than the best on a shared machine.
    pub p10_ms: f64,
    /// The most nodes one timed bake computed in f64 (the nodes the f32 lanes cannot take).
    pub f64_nodes: usize,
}

impl LiveTiming {
    /// True when the median bake meets [`TARGET_MS`].
    pub fn meets_target(&self) -> bool {
        self.median_ms < TARGET_MS
    }
}

/// Times `bakes` live bakes (at least one) of `live` at `level` on the calling thread, a
/// new [`trim`] each, after one untimed bake; leaves `live` at `level`. Fails when this
/// CPU cannot run `level`.
pub fn time_live(
    live: &mut LiveBake,
    level: CpuLevel,
    bakes: usize,
    clock: Clock,
) -> Result<LiveTiming, KernelError> {
    live.set_cpu_level(level)?;
    let clock = match clock.now() {
        Some(_) => clock,
        None => Clock::Wall,
    };
    let mut out = Vec::with_capacity(live.size().pow(3));
    live.bake_live_into(&trim(0), CdlStyle::Asc, &mut out);
    let mut f64_nodes = 0;
    let mut times: Vec<f64> = (1..=bakes.max(1))
        .map(|step| {
            let cdl = trim(step as u32);
            let start = clock.now().unwrap_or_default();
            f64_nodes = f64_nodes.max(live.bake_live_into(&cdl, CdlStyle::Asc, &mut out));
            let end = clock.now().unwrap_or_default();
            ms(end.saturating_sub(start))
        })
        .collect();
    times.sort_by(f64::total_cmp);
    Ok(LiveTiming {
        level,
        clock,
        bakes: times.len(),
        best_ms: times[0],
        median_ms: times[times.len() / 2],
        p10_ms: times[times.len() / 10],
        f64_nodes,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trim_moves_at_every_bake() {
        for step in 0..200 {
            assert_ne!(trim(step), trim(step + 1), "step {step}");
        }
        assert_eq!(trim(3), trim(103));
    }

    #[test]
    fn an_unknown_output_is_named() {
        let err = output_table("aces2-sdr-rec7090").unwrap_err();
        assert!(err.to_string().contains("\"aces2-sdr-rec7090\""), "{err}");
    }

    #[test]
    fn timing_orders_its_figures_and_counts_its_bakes() {
        let table = output_table("aces2-sdr-rec709").unwrap();
        let mut live = live_bake(table, BenchLook::Lut).unwrap();
        let level = CpuLevel::Scalar;
        let t = time_live(&mut live, level, 11, Clock::Wall).unwrap();
        assert_eq!((t.level, t.bakes, t.clock), (level, 11, Clock::Wall));
        assert_eq!(live.cpu_level(), level);
        assert!(0.0 < t.best_ms && t.best_ms <= t.p10_ms && t.p10_ms <= t.median_ms);
        let zero = time_live(&mut live, level, 0, Clock::Wall).unwrap();
        assert_eq!(zero.bakes, 1);
    }
}
