//! Renderers of baked looks over pixel buffers: a scalar reference and one module per CPU level.
//!
//! One fused pass per pixel: optional per-channel 1D shaper → optional CDL (both styles)
//! → 3D LUT (tetrahedral or trilinear). Buffers are packed RGB, packed RGBA (alpha passes
//! through) or planar RGB, in f32, f16, u16 (8- to 16-bit code values, full or legal range)
//! or u8. The level is detected once ([`CpuLevel::selected`]); `LOOKWIRE_CPU` forces one;
//! how the SIMD levels read lattice nodes follows the CPU's vendor ([`NodeReads`],
//! forced with `LOOKWIRE_NODE_READS`; the live bake's ACES 2.0 hue records follow it too);
//! `LOOKWIRE_CPU_CHECK=1` renders every row with the scalar reference too and fails on a
//! difference (f32 beyond 1e-6 relative, integers beyond one code value).
//!
//! In-place rendering is [`Kernel::render_in_place`]: it takes the one buffer as `&mut`,
//! so input and output aliasing is expressed without `unsafe`.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx2_io;
#[cfg(target_arch = "x86_64")]
mod avx512;
#[cfg(target_arch = "x86_64")]
mod avx512_io;
mod check;
mod compact;
mod cpu;
mod frame;
pub(crate) mod pages;
pub mod pow;
mod prepared;
#[cfg(target_arch = "x86_64")]
mod row_pipeline;
mod rows;
mod scalar;
#[cfg(target_arch = "x86_64")]
mod simd_fused;
#[cfg(target_arch = "x86_64")]
mod simd_level;
#[cfg(target_arch = "x86_64")]
mod simd_math;
#[cfg(target_arch = "x86_64")]
mod simd_packed;
pub mod workload;

pub use cpu::{
    select, selection, CpuLevel, NodeReads, Selection, UnknownCpuLevel, ENV_CHECK, ENV_CPU,
    ENV_NODE_READS,
};
pub use frame::{CodeScale, Coding, ImageDesc, Layout, Range, Sample, Tolerance};
pub use prepared::Look;

use prepared::Prepared;
use rayon::prelude::*;
use rows::{RowMut, RowRef};

/// Why a render did not run or did not agree with the reference.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KernelError {
    #[error("row stride {stride} is shorter than a row of {row} samples")]
    Stride { stride: usize, row: usize },
    #[error("buffer of {len} samples is too small: the image needs {needed}")]
    BufferTooSmall { len: usize, needed: usize },
    #[error("{sample} samples cannot hold {coding:?}")]
    Coding {
        sample: &'static str,
        coding: Coding,
    },
    #[error("this CPU cannot run the {0} kernels")]
    Unsupported(CpuLevel),
    #[error(
        "check mode: {level} gave {got} but the scalar reference {expected} \
         at row {row}, sample {sample}"
    )]
    Mismatch {
        level: CpuLevel,
        row: usize,
        sample: usize,
        got: f64,
        expected: f64,
    },
}

/// A look prepared for rendering at one CPU level.
#[derive(Clone, Debug)]
pub struct Kernel {
    prepared: Prepared,
    level: CpuLevel,
    check: bool,
    reads: NodeReads,
}

impl Kernel {
    /// Prepares `look` for the process's selected level (and check mode, if on).
    pub fn new(look: &Look) -> Self {
        let sel = selection();
        Self {
            prepared: Prepared::new(look),
            level: sel.level,
            check: sel.check,
            reads: NodeReads::selected(),
        }
    }

    /// Prepares `look` for a given level; fails when this CPU cannot run it.
    pub fn with_level(look: &Look, level: CpuLevel) -> Result<Self, KernelError> {
        if !level.is_supported() {
            return Err(KernelError::Unsupported(level));
        }
        Ok(Self {
            prepared: Prepared::new(look),
            level,
            check: false,
            reads: NodeReads::selected(),
        })
    }

    pub fn level(&self) -> CpuLevel {
        self.level
    }

    pub fn node_reads(&self) -> NodeReads {
        self.reads
    }

    /// Sets how this kernel's SIMD levels read lattice nodes (tests and benchmarks run
    /// both; a kernel starts with [`NodeReads::selected`]).
    pub fn set_node_reads(&mut self, reads: NodeReads) {
        self.reads = reads;
    }

    /// Turns check mode on or off for this kernel.
    pub fn set_check(&mut self, check: bool) {
        self.check = check;
    }

    /// Renders `src` into `dst` on the calling thread.
    pub fn render<T: Sample>(
        &self,
        desc: &ImageDesc,
        src: &[T],
        dst: &mut [T],
    ) -> Result<(), KernelError> {
        let s = self.begin::<T>(desc, Some(src.len()), dst.len())?;
        let out = Out::new::<T>(&s, desc);
        let srcs = rows_ref(desc, src);
        let dsts = rows_mut(desc, dst);
        dsts.into_iter()
            .zip(srcs)
            .enumerate()
            .try_for_each(|(y, (mut d, r))| self.row(&out, y, Some(&r), &mut d, desc.width))
    }

    /// Renders `buf` in place on the calling thread.
    pub fn render_in_place<T: Sample>(
        &self,
        desc: &ImageDesc,
        buf: &mut [T],
    ) -> Result<(), KernelError> {
        let s = self.begin::<T>(desc, None, buf.len())?;
        let out = Out { s, stream: false };
        rows_mut(desc, buf)
            .into_iter()
            .enumerate()
            .try_for_each(|(y, mut d)| self.row(&out, y, None, &mut d, desc.width))
    }

    /// Renders `src` into `dst`, rows split across rayon's current thread pool.
    pub fn par_render<T: Sample>(
        &self,
        desc: &ImageDesc,
        src: &[T],
        dst: &mut [T],
    ) -> Result<(), KernelError> {
        let s = self.begin::<T>(desc, Some(src.len()), dst.len())?;
        let out = Out::new::<T>(&s, desc);
        let srcs = rows_ref(desc, src);
        let dsts = rows_mut(desc, dst);
        dsts.into_par_iter()
            .zip(srcs)
            .enumerate()
            .with_min_len(2)
            .try_for_each(|(y, (mut d, r))| self.row(&out, y, Some(&r), &mut d, desc.width))
    }

    /// Renders `buf` in place, rows split across rayon's current thread pool.
    pub fn par_render_in_place<T: Sample>(
        &self,
        desc: &ImageDesc,
        buf: &mut [T],
    ) -> Result<(), KernelError> {
        let s = self.begin::<T>(desc, None, buf.len())?;
        let out = Out { s, stream: false };
        rows_mut(desc, buf)
            .into_par_iter()
            .enumerate()
            .with_min_len(2)
            .try_for_each(|(y, mut d)| self.row(&out, y, None, &mut d, desc.width))
    }

    fn begin<T: Sample>(
        &self,
        desc: &ImageDesc,
        src_len: Option<usize>,
        dst_len: usize,
    ) -> Result<CodeScale, KernelError> {
        if let Some(len) = src_len {
            desc.check::<T>(len)?;
        }
        desc.check::<T>(dst_len)?;
        T::scale(desc.coding)
    }

    fn row<T: Sample>(
        &self,
        out: &Out,
        y: usize,
        src: Option<&RowRef<'_, T>>,
        dst: &mut RowMut<'_, T>,
        width: usize,
    ) -> Result<(), KernelError> {
        let s = &out.s;
        if !self.check || self.level == CpuLevel::Scalar {
            self.row_at_level(s, src, dst, width, out.stream);
            return Ok(());
        }
        let mut reference = check::OwnedRow::copy(src.unwrap_or(&dst.as_ref()), width);
        scalar::row(&self.prepared, s, None, &mut reference.as_mut(), width);
        self.row_at_level(s, src, dst, width, out.stream);
        check::compare(
            self.level,
            y,
            &dst.as_ref(),
            &reference,
            width,
            self.prepared.lut.magnitude,
        )
    }

    fn row_at_level<T: Sample>(
        &self,
        s: &CodeScale,
        src: Option<&RowRef<'_, T>>,
        dst: &mut RowMut<'_, T>,
        width: usize,
        stream: bool,
    ) {
        let p = &self.prepared;
        match self.level {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a Kernel holds Avx2 only when `is_supported` said so (`new` takes the
            // detected level, `with_level` checks), so the CPU has AVX2, FMA and F16C.
            CpuLevel::Avx2 => unsafe { avx2::row(p, s, src, dst, width, stream, self.reads) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above, for AVX-512 F/BW/VL/DQ plus the AVX2 set.
            CpuLevel::Avx512 => unsafe { avx512::row(p, s, src, dst, width, stream, self.reads) },
            _ => {
                // The scalar level writes through the cache and reads nodes one by one.
                let _ = (stream, self.reads);
                scalar::row(p, s, src, dst, width)
            }
        }
    }
}

/// How a render writes its output: the code scale, and whether the SIMD levels write the
/// destination with non-temporal (streaming) stores.
struct Out {
    s: CodeScale,
    stream: bool,
}

/// Destinations at least this large (and separate from the source) are streamed: a frame
/// this size leaves the caches before anyone reads it back, so reading its lines for
/// ownership first only adds memory traffic. Smaller outputs (previews, scopes, tiles
/// read right after) stay in the cache.
pub const STREAM_MIN_BYTES: usize = 8 << 20;

impl Out {
    fn new<T>(s: &CodeScale, desc: &ImageDesc) -> Self {
        let bytes = desc.min_len() * std::mem::size_of::<T>();
        Self {
            s: *s,
            stream: bytes >= STREAM_MIN_BYTES && desc.layout != Layout::PlanarRgb,
        }
    }
}

fn rows_ref<'a, T>(desc: &ImageDesc, buf: &'a [T]) -> Vec<RowRef<'a, T>> {
    if desc.width == 0 || desc.height == 0 {
        return Vec::new();
    }
    let (stride, plane) = (desc.stride, desc.plane_len());
    match desc.layout {
        Layout::PlanarRgb => {
            let (r, rest) = buf.split_at(plane);
            let (g, rest) = rest.split_at(plane);
            let b = &rest[..plane];
            r.chunks(stride)
                .zip(g.chunks(stride))
                .zip(b.chunks(stride))
                .map(|((r, g), b)| RowRef::Planar([r, g, b]))
                .collect()
        }
        layout => buf[..plane]
            .chunks(stride)
            .map(|row| RowRef::Packed(row, layout.samples_per_pixel()))
            .collect(),
    }
}

fn rows_mut<'a, T>(desc: &ImageDesc, buf: &'a mut [T]) -> Vec<RowMut<'a, T>> {
    if desc.width == 0 || desc.height == 0 {
        return Vec::new();
    }
    let (stride, plane) = (desc.stride, desc.plane_len());
    match desc.layout {
        Layout::PlanarRgb => {
            let (r, rest) = buf.split_at_mut(plane);
            let (g, rest) = rest.split_at_mut(plane);
            let b = &mut rest[..plane];
            r.chunks_mut(stride)
                .zip(g.chunks_mut(stride))
                .zip(b.chunks_mut(stride))
                .map(|((r, g), b)| RowMut::Planar([r, g, b]))
                .collect()
        }
        layout => buf[..plane]
            .chunks_mut(stride)
            .map(|row| RowMut::Packed(row, layout.samples_per_pixel()))
            .collect(),
    }
}
