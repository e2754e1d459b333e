//! CPU levels: detected once, forced with `LOOKWIRE_CPU`, checked with `LOOKWIRE_CPU_CHECK`.

use std::fmt;
use std::sync::OnceLock;

/// An instruction-set level the kernels have a renderer for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CpuLevel {
    /// Portable Rust, the reference every other level is checked against.
    Scalar,
    /// x86_64 AVX2 + FMA + F16C.
    Avx2,
    /// x86_64 AVX-512 F/BW/VL/DQ (plus the AVX2 set); the live bake's f32 lanes use DQ.
    Avx512,
}

/// The environment variable that forces a level.
pub const ENV_CPU: &str = "LOOKWIRE_CPU";
/// The environment variable that turns on check mode (`1`): every block is also
/// rendered by the scalar reference and compared.
pub const ENV_CHECK: &str = "LOOKWIRE_CPU_CHECK";

impl CpuLevel {
    /// Every level, lowest first.
    pub const ALL: [CpuLevel; 3] = [CpuLevel::Scalar, CpuLevel::Avx2, CpuLevel::Avx512];

    pub fn as_str(self) -> &'static str {
        match self {
            CpuLevel::Scalar => "scalar",
            CpuLevel::Avx2 => "avx2",
            CpuLevel::Avx512 => "avx512",
        }
    }

    /// True when the running CPU (and this build's target) can run the level.
    pub fn is_supported(self) -> bool {
        match self {
            CpuLevel::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            CpuLevel::Avx2 => {
                is_x86_feature_detected!("avx2")
                    && is_x86_feature_detected!("fma")
                    && is_x86_feature_detected!("f16c")
            }
            #[cfg(target_arch = "x86_64")]
            CpuLevel::Avx512 => {
                CpuLevel::Avx2.is_supported()
                    && is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx512bw")
                    && is_x86_feature_detected!("avx512vl")
                    && is_x86_feature_detected!("avx512dq")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The levels this CPU can run, lowest first.
    pub fn available() -> Vec<CpuLevel> {
        Self::ALL.into_iter().filter(|l| l.is_supported()).collect()
    }

    /// The highest level this CPU can run.
    pub fn best() -> CpuLevel {
        Self::ALL
            .into_iter()
            .rev()
            .find(|l| l.is_supported())
            .unwrap_or(CpuLevel::Scalar)
    }

    /// The level chosen once per process: the best one, or the one `LOOKWIRE_CPU` forces.
    pub fn selected() -> CpuLevel {
        selection().level
    }
}

impl fmt::Display for CpuLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `LOOKWIRE_CPU` value that names no level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown CPU level {0:?}: expected one of scalar, avx2, avx512")]
pub struct UnknownCpuLevel(pub String);

impl std::str::FromStr for CpuLevel {
    type Err = UnknownCpuLevel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "scalar" => Ok(CpuLevel::Scalar),
            "avx2" => Ok(CpuLevel::Avx2),
            "avx512" => Ok(CpuLevel::Avx512),
            _ => Err(UnknownCpuLevel(s.to_owned())),
        }
    }
}

/// The process-wide choice of level, made once from the CPU and the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    pub level: CpuLevel,
    /// Check mode: render with `level` and with the scalar reference, compare.
    pub check: bool,
    /// Why the level differs from what the environment asked for, if it does.
    pub note: Option<String>,
}

/// The selection for this process (read from the environment on first use).
pub fn selection() -> &'static Selection {
    static SELECTION: OnceLock<Selection> = OnceLock::new();
    SELECTION.get_or_init(|| {
        let cpu = std::env::var(ENV_CPU).ok();
        let check = std::env::var(ENV_CHECK).ok();
        select(cpu.as_deref(), check.as_deref(), CpuLevel::best())
    })
}

/// Chooses a level from the environment values and the best level the CPU has.
pub fn select(cpu: Option<&str>, check: Option<&str>, best: CpuLevel) -> Selection {
    let check = matches!(check.map(str::trim), Some("1" | "true" | "yes"));
    let (level, note) = match cpu.filter(|s| !s.trim().is_empty()) {
        None => (best, None),
        Some(value) => match value.parse::<CpuLevel>() {
            Err(err) => (best, Some(format!("{ENV_CPU}: {err}; using {best}"))),
            Ok(level) if level > best => (
                best,
                Some(format!(
                    "{ENV_CPU}={level}: this CPU does not have {level}; using {best}"
                )),
            ),
            Ok(level) => (level, None),
        },
    };
    Selection { level, check, note }
}

/// The environment variable that forces how the SIMD levels read f32 lattice nodes, and
/// how the live bake's ACES 2.0 lanes read their hue records at AVX-512 (`gathers` or
/// `loads`, see [`NodeReads`]).
pub const ENV_NODE_READS: &str = "LOOKWIRE_NODE_READS";

/// How the SIMD levels read an f32 lattice's nodes for tetrahedral interpolation, chosen
/// once per process from the CPU's vendor ([`NodeReads::selected`]). For f32 outputs both
/// give the same bits; u16 outputs read the packed 16-bit lattice with gathers and the f32
/// one with loads, so they may differ by one code (both within one code of the scalar
/// reference). They differ in speed by microarchitecture (bench/README.md). The live
/// bake's ACES 2.0 lanes read their per-hue records the same way at AVX-512 (one load
/// per value and a transpose, or gathers; the same bits either way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeReads {
    /// Hardware gathers (three per vertex and vector: R and G as one 64-bit element, B);
    /// at AVX-512, packed f32 RGB rows out of place with lattices under 2 MiB take the
    /// fused row loop; u16 outputs read the packed 64-bit lattice. Intel, where the
    /// kernels were tuned with them.
    Gathers,
    /// One 16-byte load per node, the nodes transposed to planes; the pipelined row loop
    /// at every level, the paired node order from 256 KiB, the f32 lattice for u16 outputs
    /// too. AMD: Zen 4 gathers cost ~1.4 cycles per element even from L1, and this path
    /// renders tetra33-f32 +35-45 %, tetra65-f32 +40 %, tetra33-u16 +10 % against them.
    Loads,
}

impl NodeReads {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeReads::Gathers => "gathers",
            NodeReads::Loads => "loads",
        }
    }

    /// The reads this CPU's vendor renders faster with: [`NodeReads::Loads`] on AMD (and
    /// Hygon, the same cores), [`NodeReads::Gathers`] elsewhere.
    pub fn for_cpu() -> NodeReads {
        #[cfg(target_arch = "x86_64")]
        {
            let id = std::arch::x86_64::__cpuid(0);
            let mut vendor = [0u8; 12];
            for (chunk, reg) in vendor.chunks_exact_mut(4).zip([id.ebx, id.edx, id.ecx]) {
                chunk.copy_from_slice(&reg.to_le_bytes());
            }
            if &vendor == b"AuthenticAMD" || &vendor == b"HygonGenuine" {
                return NodeReads::Loads;
            }
        }
        NodeReads::Gathers
    }

    /// The reads of this process: [`NodeReads::for_cpu`], or what `LOOKWIRE_NODE_READS`
    /// names (an unknown value is ignored, with a line on stderr saying so).
    pub fn selected() -> NodeReads {
        static READS: OnceLock<NodeReads> = OnceLock::new();
        *READS.get_or_init(|| {
            let Ok(forced) = std::env::var(ENV_NODE_READS) else {
                return NodeReads::for_cpu();
            };
            forced.parse().unwrap_or_else(|_| {
                let reads = NodeReads::for_cpu();
                eprintln!(
                    "lookwire: {ENV_NODE_READS}={forced:?} is not gathers or loads; using {reads}"
                );
                reads
            })
        })
    }
}

impl fmt::Display for NodeReads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for NodeReads {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gathers" => Ok(NodeReads::Gathers),
            "loads" => Ok(NodeReads::Loads),
            _ => Err(format!(
                "unknown node reads {s:?}: expected gathers or loads"
            )),
        }
    }
}
