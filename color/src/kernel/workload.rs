//! Benchmark workloads shared by `lookwire bench` and `cargo bench`: seeded frames and
//! LUTs, and the timing rule (best of N runs).

use super::{pages, Coding, CpuLevel, ImageDesc, Kernel, KernelError, Layout, Look, Range};
use crate::cdl::{Cdl, CdlStyle};
use crate::lut::{Domain, Lut3d};
use std::time::{Duration, Instant};

/// SplitMix64: a tiny seeded generator (the OpenColorIO comparison script uses the same).
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1] on a 2⁻²⁴ grid (both ends reachable).
    pub fn next_unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / ((1u32 << 24) - 1) as f32
    }

    /// Uniform code value in 0 ..= 2^bits − 1.
    pub fn next_code(&mut self, bits: u32) -> u32 {
        (self.next_u64() >> (64 - bits)) as u32
    }
}

/// A lattice of seeded uniform random nodes in [0, 1].
pub fn random_lut(size: usize, seed: u64) -> Lut3d {
    let mut rng = SplitMix64::new(seed);
    let data = (0..size * size * size)
        .map(|_| [rng.next_unit(), rng.next_unit(), rng.next_unit()])
        .collect();
    Lut3d::new(size, data, Domain::UNIT).expect("seeded lattice is well formed")
}

/// The CDL of the `cdl-tetra33-f32` workload (rendered in no-clamp style).
pub const BENCH_CDL: Cdl = Cdl {
    slope: [1.1, 0.95, 1.05],
    offset: [0.01, -0.02, 0.0],
    power: [1.2, 0.9, 1.1],
    sat: 1.15,
};

/// Seeds of the frames and LUTs (also in bench/ocio_bench.py).
pub const FRAME_SEED: u64 = 1;
pub const LUT_SEED: u64 = 2;

/// One benchmark workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    Tetra33F32,
    Tetra65F32,
    CdlTetra33F32,
    Tetra33U16,
    Tetra33U8Rgba,
}

impl Workload {
    pub const ALL: [Workload; 5] = [
        Workload::Tetra33F32,
        Workload::Tetra65F32,
        Workload::CdlTetra33F32,
        Workload::Tetra33U16,
        Workload::Tetra33U8Rgba,
    ];

    /// The id in `lookwire bench --json` output.
    pub fn id(self) -> &'static str {
        match self {
            Workload::Tetra33F32 => "tetra33-f32",
            Workload::Tetra65F32 => "tetra65-f32",
            Workload::CdlTetra33F32 => "cdl-tetra33-f32",
            Workload::Tetra33U16 => "tetra33-u16",
            Workload::Tetra33U8Rgba => "tetra33-u8-rgba",
        }
    }

    pub fn look(self) -> Look {
        let size = if self == Workload::Tetra65F32 { 65 } else { 33 };
        let mut look = Look::lut(random_lut(size, LUT_SEED));
        if self == Workload::CdlTetra33F32 {
            look.cdl = Some((BENCH_CDL, CdlStyle::NoClamp));
        }
        look
    }

    /// A seeded frame of `width × height` pixels for this workload, in memory advised to
    /// use huge pages (`kernel::pages`) as numpy advises the frames of bench/ocio_bench.py.
    pub fn frame(self, width: usize, height: usize) -> Frame {
        let mut rng = SplitMix64::new(FRAME_SEED);
        match self {
            Workload::Tetra33U16 => {
                let desc = ImageDesc::new(width, height, Layout::Rgb, code(16));
                let data = pages::collect(
                    desc.min_len(),
                    std::iter::repeat_with(|| rng.next_code(16) as u16),
                );
                Frame::U16(desc, data)
            }
            Workload::Tetra33U8Rgba => {
                let desc = ImageDesc::new(width, height, Layout::Rgba, code(8));
                let data = pages::collect(
                    desc.min_len(),
                    std::iter::repeat_with(|| rng.next_code(8) as u8),
                );
                Frame::U8(desc, data)
            }
            _ => {
                let desc = ImageDesc::new(width, height, Layout::Rgb, Coding::Float);
                let data =
                    pages::collect(desc.min_len(), std::iter::repeat_with(|| rng.next_unit()));
                Frame::F32(desc, data)
            }
        }
    }
}

fn code(bits: u8) -> Coding {
    Coding::Code {
        bits,
        range: Range::Full,
    }
}

impl std::fmt::Display for Workload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// A frame of one sample type. Its clones are advised to use huge pages too.
#[derive(Debug)]
pub enum Frame {
    F32(ImageDesc, Vec<f32>),
    U16(ImageDesc, Vec<u16>),
    U8(ImageDesc, Vec<u8>),
}

impl Clone for Frame {
    fn clone(&self) -> Self {
        match self {
            Frame::F32(d, s) => Frame::F32(*d, pages::collect(s.len(), s.iter().copied())),
            Frame::U16(d, s) => Frame::U16(*d, pages::collect(s.len(), s.iter().copied())),
            Frame::U8(d, s) => Frame::U8(*d, pages::collect(s.len(), s.iter().copied())),
        }
    }
}

impl Frame {
    pub fn desc(&self) -> &ImageDesc {
        match self {
            Frame::F32(d, _) | Frame::U16(d, _) | Frame::U8(d, _) => d,
        }
    }

    pub fn pixels(&self) -> usize {
        self.desc().width * self.desc().height
    }

    /// Renders `self` into `out` (a frame of the same kind), on this thread or on rayon's pool.
    pub fn render(
        &self,
        kernel: &Kernel,
        out: &mut Frame,
        parallel: bool,
    ) -> Result<(), KernelError> {
        match (self, out) {
            (Frame::F32(d, s), Frame::F32(_, o)) => run(kernel, d, s, o, parallel),
            (Frame::U16(d, s), Frame::U16(_, o)) => run(kernel, d, s, o, parallel),
            (Frame::U8(d, s), Frame::U8(_, o)) => run(kernel, d, s, o, parallel),
            _ => unreachable!("output frames are clones of their input"),
        }
    }
}

fn run<T: super::Sample>(
    kernel: &Kernel,
    desc: &ImageDesc,
    src: &[T],
    dst: &mut [T],
    parallel: bool,
) -> Result<(), KernelError> {
    if parallel {
        kernel.par_render(desc, src, dst)
    } else {
        kernel.render(desc, src, dst)
    }
}

/// One measured figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    pub workload: Workload,
    pub level: CpuLevel,
    pub threads: usize,
    pub mpx_per_s: f64,
}

/// What a figure's time is: elapsed wall time, or the CPU time of the measuring thread
/// (robust on a shared machine where other processes take turns on the cores; only
/// meaningful single-threaded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    Wall,
    ThreadCpu,
}

impl Clock {
    /// The current reading, or `None` when this platform has no thread CPU clock.
    pub fn now(self) -> Option<Duration> {
        match self {
            Clock::Wall => Some(WALL_START.get_or_init(Instant::now).elapsed()),
            Clock::ThreadCpu => thread_cpu_time(),
        }
    }
}

static WALL_START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

#[cfg(target_os = "linux")]
fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

#[cfg(not(target_os = "linux"))]
fn thread_cpu_time() -> Option<Duration> {
    None
}

/// The CPU's name ("model name" in /proc/cpuinfo), where the platform says it.
pub fn cpu_name() -> Option<String> {
    model_name(&std::fs::read_to_string("/proc/cpuinfo").ok()?)
}

/// The first "model name" of a /proc/cpuinfo text.
fn model_name(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(key, _)| key.trim() == "model name")
        .map(|(_, name)| name.trim().to_owned())
}

/// The 1, 5 and 15-minute load averages (/proc/loadavg), where the platform says them.
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Renders `frame` `runs` times at `level` and keeps the fastest run. `threads` > 1 splits
/// rows over a rayon pool of that many threads.
pub fn measure(
    workload: Workload,
    frame: &Frame,
    level: CpuLevel,
    threads: usize,
    runs: usize,
) -> Result<Measurement, KernelError> {
    measure_with(workload, frame, level, threads, runs, Clock::Wall)
}

/// [`measure`] with a choice of clock; a thread CPU clock needs `threads` = 1 and a
/// platform that has one (else the wall clock is used).
pub fn measure_with(
    workload: Workload,
    frame: &Frame,
    level: CpuLevel,
    threads: usize,
    runs: usize,
    clock: Clock,
) -> Result<Measurement, KernelError> {
    let clock = match clock {
        Clock::ThreadCpu if threads <= 1 && thread_cpu_time().is_some() => Clock::ThreadCpu,
        _ => Clock::Wall,
    };
    let kernel = Kernel::with_level(&workload.look(), level)?;
    let mut out = frame.clone();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .expect("a rayon pool can be built");
    let mut best = Duration::MAX;
    for _ in 0..runs.max(1) {
        let start = clock.now().unwrap_or_default();
        if threads > 1 {
            pool.install(|| frame.render(&kernel, &mut out, true))?;
        } else {
            frame.render(&kernel, &mut out, false)?;
        }
        best = best.min(clock.now().unwrap_or_default().saturating_sub(start));
    }
    Ok(Measurement {
        workload,
        level,
        threads,
        mpx_per_s: frame.pixels() as f64 / best.as_secs_f64().max(1e-9) / 1e6,
    })
}

/// Best-of-`runs` throughput of a plain copy of the frame (memory bandwidth, GB/s read + write).
pub fn copy_bandwidth(frame: &Frame, threads: usize, runs: usize) -> f64 {
    fn copy<T: Copy + Send + Sync>(src: &[T], dst: &mut [T], threads: usize) {
        use rayon::prelude::*;
        if threads > 1 {
            let chunk = src.len().div_ceil(threads * 8).max(1);
            dst.par_chunks_mut(chunk)
                .zip(src.par_chunks(chunk))
                .for_each(|(d, s)| d.copy_from_slice(s));
        } else {
            dst.copy_from_slice(src);
        }
    }
    let mut out = frame.clone();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .expect("a rayon pool can be built");
    let mut best = Duration::MAX;
    let mut bytes = 0;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        pool.install(|| match (frame, &mut out) {
            (Frame::F32(_, s), Frame::F32(_, o)) => copy(s, o, threads),
            (Frame::U16(_, s), Frame::U16(_, o)) => copy(s, o, threads),
            (Frame::U8(_, s), Frame::U8(_, o)) => copy(s, o, threads),
            _ => unreachable!("output frames are clones of their input"),
        });
        best = best.min(start.elapsed());
        bytes = match frame {
            Frame::F32(_, s) => s.len() * 4,
            Frame::U16(_, s) => s.len() * 2,
            Frame::U8(_, s) => s.len(),
        };
    }
    2.0 * bytes as f64 / best.as_secs_f64() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_name_is_the_first_model_name() {
        let info = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 17\n\
                    model name\t: AMD EPYC 9R14 96-Core Processor\nprocessor\t: 1\n\
                    model name\t: another\n";
        assert_eq!(
            model_name(info).as_deref(),
            Some("AMD EPYC 9R14 96-Core Processor")
        );
        assert_eq!(model_name("processor\t: 0\n"), None);
    }
}
