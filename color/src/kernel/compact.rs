//! Compact lattices for integer outputs: every node's three channels packed in one 32-bit
//! word (u8 outputs: 11, 11 and 10 bits) or one 64-bit word (u16 outputs: 21 bits each), so
//! the SIMD levels fetch a vertex with one gathered element per pixel instead of two (an
//! f32 RGB node is 12 bytes: one 64-bit and one 32-bit element). The gathers are most of
//! a render's time; the unpacking is a few shifts and masks.
//!
//! A channel is stored as `q = round((v − lo)/step)`, `step = (hi − lo)/(2^bits − 1)` over
//! its nodes' range, and read back as `lo + step·q` after the blend (the weights sum to
//! 1). The rounding moves an interpolated value by at most `step/2`; a compact lattice is
//! used only where that is at most a quarter of the output's code value
//! ([`Compact::fits`]), so a render stays within one code of the scalar reference.

// Only the x86_64 SIMD levels read packed lattices.
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]

use super::frame::{CodeScale, Sample};
use super::prepared::{LutTable, Prepared};
use crate::lut::Interpolation;

/// Bits per channel (R, G, B) of the 32-bit packing.
pub(crate) const BITS32: [u32; 3] = [11, 11, 10];
/// Bits per channel of the 64-bit packing: R in the low word's bits 0..21, G in the high
/// word's bits 0..21, B's low 11 bits in the low word's bits 21..32 and its high 10 bits
/// in the high word's.
pub(crate) const BITS64: u32 = 21;

/// One packed lattice and how to read its channels back.
#[derive(Clone, Debug)]
pub(crate) struct Compact<W> {
    pub nodes: Vec<W>,
    pub lo: [f32; 3],
    pub step: [f32; 3],
}

impl<W> Compact<W> {
    /// True when the packing's rounding stays within a quarter of an output code value
    /// (`enc_mul` code values per unit).
    pub fn fits(&self, enc_mul: f32) -> bool {
        self.step.iter().all(|s| s * enc_mul <= 0.5)
    }
}

/// The lattice a SIMD level's tetrahedral blend reads for one render.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Lattice<'a> {
    /// The f32 nodes ([`LutTable::nodes`]).
    F32,
    Packed32(&'a Compact<u32>),
    Packed64(&'a Compact<u64>),
}

impl<'a> Lattice<'a> {
    /// The packed lattice for u8 outputs (32-bit) or u16 outputs (64-bit) when it keeps
    /// the render within a quarter code of the f32 lattice; else the f32 nodes.
    pub fn choose<T: Sample>(p: &'a Prepared, s: &CodeScale) -> Self {
        if p.lut.interpolation != Interpolation::Tetrahedral {
            return Lattice::F32;
        }
        let probe: &[T] = &[];
        if T::as_u8s(probe).is_some() {
            let c = p.compact32.get_or_init(|| Compact::pack32(&p.lut));
            if let Some(c) = c.as_ref().filter(|c| c.fits(s.enc_mul)) {
                return Lattice::Packed32(c);
            }
        } else if T::as_u16s(probe).is_some() {
            let c = p.compact64.get_or_init(|| Compact::pack64(&p.lut));
            if let Some(c) = c.as_ref().filter(|c| c.fits(s.enc_mul)) {
                return Lattice::Packed64(c);
            }
        }
        Lattice::F32
    }
}

/// Per channel: the nodes' smallest value and the step of `bits` bits over their range;
/// `None` when a node is not finite.
fn ranges(lut: &LutTable, bits: [u32; 3]) -> Option<([f32; 3], [f32; 3])> {
    let mut lo = [f32::INFINITY; 3];
    let mut hi = [f32::NEG_INFINITY; 3];
    for node in lut.nodes.chunks_exact(3) {
        for c in 0..3 {
            if !node[c].is_finite() {
                return None;
            }
            lo[c] = lo[c].min(node[c]);
            hi[c] = hi[c].max(node[c]);
        }
    }
    let step = std::array::from_fn(|c| (hi[c] - lo[c]) / ((1u64 << bits[c]) - 1) as f32);
    Some((lo, step))
}

/// `v` as a code of the channel's packing.
fn quantise(v: f32, lo: f32, step: f32, bits: u32) -> u64 {
    if step == 0.0 {
        return 0;
    }
    let q = ((v - lo) / step).round_ties_even();
    q.clamp(0.0, ((1u64 << bits) - 1) as f32) as u64
}

impl Compact<u32> {
    pub fn pack32(lut: &LutTable) -> Option<Self> {
        let (lo, step) = ranges(lut, BITS32)?;
        let nodes = lut
            .nodes
            .chunks_exact(3)
            .map(|n| {
                let q: [u64; 3] =
                    std::array::from_fn(|c| quantise(n[c], lo[c], step[c], BITS32[c]));
                (q[0] | q[1] << 11 | q[2] << 22) as u32
            })
            .collect();
        Some(Self { nodes, lo, step })
    }
}

impl Compact<u64> {
    pub fn pack64(lut: &LutTable) -> Option<Self> {
        let (lo, step) = ranges(lut, [BITS64; 3])?;
        let nodes = lut
            .nodes
            .chunks_exact(3)
            .map(|n| {
                let q: [u64; 3] = std::array::from_fn(|c| quantise(n[c], lo[c], step[c], BITS64));
                let low = q[0] | (q[2] & 0x7FF) << 21;
                let high = q[1] | (q[2] >> 11) << 21;
                low | high << 32
            })
            .collect();
        Some(Self { nodes, lo, step })
    }
}

/// The channels of a 64-bit node, as the SIMD levels unpack them.
#[cfg(test)]
fn unpack64(w: u64) -> [u64; 3] {
    let (low, high) = (w & 0xFFFF_FFFF, w >> 32);
    let mask = (1 << BITS64) - 1;
    [low & mask, high & mask, low >> 21 | (high >> 21) << 11]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::prepared::Prepared;
    use crate::kernel::workload::random_lut;
    use crate::kernel::Look;

    fn table(scale: f32) -> LutTable {
        let mut look = Look::lut(random_lut(5, 7));
        let data = look
            .lut
            .data()
            .iter()
            .map(|n| n.map(|v| v * scale - 0.25))
            .collect();
        look.lut = crate::lut::Lut3d::new(5, data, crate::lut::Domain::UNIT).unwrap();
        Prepared::new(&look).lut
    }

    #[test]
    fn packed_nodes_read_back_within_half_a_step_and_f32_rounding() {
        let t = table(1.5);
        let c32 = Compact::pack32(&t).unwrap();
        let c64 = Compact::pack64(&t).unwrap();
        for (i, n) in t.nodes.chunks_exact(3).enumerate() {
            let w = c32.nodes[i];
            let q32 = [w & 0x7FF, w >> 11 & 0x7FF, w >> 22];
            let q64 = unpack64(c64.nodes[i]);
            for c in 0..3 {
                // The read-back's own f32 roundings (a few ulp of the value).
                let f32_error = 4.0 * f32::EPSILON * n[c].abs().max(1.0);
                let back32 = c32.lo[c] + c32.step[c] * q32[c] as f32;
                let back64 = c64.lo[c] + c64.step[c] * q64[c] as f32;
                assert!(
                    (back32 - n[c]).abs() <= c32.step[c] * 0.5 + f32_error,
                    "{i} {c}"
                );
                assert!(
                    (back64 - n[c]).abs() <= c64.step[c] * 0.5 + f32_error,
                    "{i} {c}"
                );
            }
        }
    }

    #[test]
    fn a_packing_fits_only_outputs_it_keeps_within_a_quarter_code() {
        let narrow = table(1.0);
        assert!(Compact::pack32(&narrow).unwrap().fits(255.0));
        assert!(Compact::pack64(&narrow).unwrap().fits(65535.0));
        assert!(!Compact::pack32(&narrow).unwrap().fits(65535.0));
        let wide = table(40.0);
        assert!(!Compact::pack32(&wide).unwrap().fits(255.0));
        assert!(!Compact::pack64(&wide).unwrap().fits(65535.0));
        let mut nan = table(1.0);
        nan.nodes[4] = f32::NAN;
        assert!(Compact::pack32(&nan).is_none());
    }

    #[test]
    fn integer_outputs_take_the_packing_that_fits_and_others_the_f32_nodes() {
        use crate::kernel::{Coding, Range};
        let scale = |bits| {
            let coding = Coding::Code {
                bits,
                range: Range::Full,
            };
            (u8::scale(coding).ok(), u16::scale(coding).unwrap())
        };
        let (s8, _) = scale(8);
        let (_, s16) = scale(16);
        let s8 = s8.unwrap();
        let unit = Prepared::new(&Look::lut(random_lut(9, 3)));
        assert!(matches!(
            Lattice::choose::<u8>(&unit, &s8),
            Lattice::Packed32(_)
        ));
        assert!(matches!(
            Lattice::choose::<u16>(&unit, &s16),
            Lattice::Packed64(_)
        ));
        assert!(matches!(
            Lattice::choose::<f32>(&unit, &CodeScale::FLOAT),
            Lattice::F32
        ));
        let mut wide = Look::lut(random_lut(9, 3));
        let data = wide
            .lut
            .data()
            .iter()
            .map(|n| n.map(|v| v * 40.0))
            .collect();
        wide.lut = crate::lut::Lut3d::new(9, data, crate::lut::Domain::UNIT).unwrap();
        let wide = Prepared::new(&wide);
        assert!(matches!(Lattice::choose::<u8>(&wide, &s8), Lattice::F32));
        assert!(matches!(Lattice::choose::<u16>(&wide, &s16), Lattice::F32));
        let trilinear = Prepared::new(&Look {
            interpolation: Interpolation::Trilinear,
            ..Look::lut(random_lut(9, 3))
        });
        assert!(matches!(
            Lattice::choose::<u8>(&trilinear, &s8),
            Lattice::F32
        ));
    }
}
