//! Adapting a look to a device's limits: resampling to the device's lattice size with
//! tetrahedral interpolation, integer quantisation, and the color error that costs
//! (in 10-bit code values against the exact look).

use lookwire_color::{Domain, Interpolation, Lut3d, LutError};

use crate::device::{Capabilities, Look, SampleFormat};

/// Points per axis of the grid the color error is measured on. 23 is prime, so the
/// grid falls between the nodes of every common lattice (17, 33, 65) except at the faces.
pub const ERROR_GRID: usize = 23;

/// Why a look cannot be encoded for a device.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EncodeError {
    #[error("the device takes no 3D LUT and no CDL")]
    NothingAccepted,
    #[error("the device takes only a CDL and the look carries none")]
    NoCdl,
    #[error("sample format {0} is not supported (integer bits must be 1..=16)")]
    Format(String),
    #[error(transparent)]
    Lut(#[from] LutError),
}

/// Color error of an encoded look against the exact one, in 10-bit code values (0..1023).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ColorError {
    pub max_10bit: f64,
    pub mean_10bit: f64,
}

/// The samples of an encoded lattice, red fastest, R G B per node.
#[derive(Clone, Debug, PartialEq)]
pub enum Samples {
    F32(Vec<[f32; 3]>),
    UInt { bits: u8, data: Vec<[u16; 3]> },
}

/// A lattice in the device's size and sample format.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedLut {
    pub size: usize,
    pub domain: Domain,
    pub samples: Samples,
}

impl EncodedLut {
    /// The lattice the device will apply, back in floating point.
    pub fn to_lut3d(&self) -> Result<Lut3d, LutError> {
        let data = match &self.samples {
            Samples::F32(d) => d.clone(),
            Samples::UInt { bits, data } => {
                let scale = 1.0 / max_code(*bits);
                data.iter()
                    .map(|n| n.map(|v| (f64::from(v) * scale) as f32))
                    .collect()
            }
        };
        Lut3d::new(self.size, data, self.domain)
    }
}

/// What is sent to a device for one look.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    Lut(EncodedLut),
    Cdl(lookwire_color::Cdl, lookwire_color::CdlStyle),
}

/// A look encoded for one device, with the error its limits cost.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedLook {
    pub payload: Payload,
    pub error: ColorError,
}

fn max_code(bits: u8) -> f64 {
    ((1u32 << bits) - 1) as f64
}

/// Picks the lattice size for a look of `look_size`: the look's own size if the device takes
/// it, else the largest accepted size below it, else the smallest accepted size.
pub fn choose_size(look_size: usize, accepted: &[usize]) -> Option<usize> {
    if accepted.contains(&look_size) {
        return Some(look_size);
    }
    let below = accepted.iter().copied().filter(|&s| s < look_size).max();
    below.or_else(|| accepted.iter().copied().min())
}

/// Resamples `lut` onto a `size`³ lattice over the same domain with tetrahedral
/// interpolation ([`Lut3d::resample`], shared with `lookwire convert`).
pub fn resample(lut: &Lut3d, size: usize) -> Result<Lut3d, LutError> {
    lut.resample(size, Interpolation::Tetrahedral)
}

fn denormalize(domain: &Domain, c: usize, unit: f64) -> f64 {
    let (lo, hi) = (f64::from(domain.min[c]), f64::from(domain.max[c]));
    lo + unit * (hi - lo)
}

/// Quantises a lattice to `format` (integers clamp to 0..1 and round to nearest).
pub fn quantize(lut: &Lut3d, format: SampleFormat) -> Result<EncodedLut, EncodeError> {
    let samples = match format {
        SampleFormat::F32 => Samples::F32(lut.data().to_vec()),
        SampleFormat::UInt { bits } if (1..=16).contains(&bits) => {
            let top = max_code(bits);
            let data = lut
                .data()
                .iter()
                .map(|n| n.map(|v| (f64::from(v).clamp(0.0, 1.0) * top).round() as u16))
                .collect();
            Samples::UInt { bits, data }
        }
        other => return Err(EncodeError::Format(other.to_string())),
    };
    Ok(EncodedLut {
        size: lut.size(),
        domain: lut.domain(),
        samples,
    })
}

/// Measures how far `device` lands from `exact` over a 23³ grid spanning `exact`'s domain.
pub fn measure_error(exact: &Lut3d, device: &Lut3d) -> ColorError {
    let domain = exact.domain();
    let step = 1.0 / (ERROR_GRID - 1) as f64;
    let (mut max, mut sum) = (0.0f64, 0.0f64);
    for b in 0..ERROR_GRID {
        for g in 0..ERROR_GRID {
            for r in 0..ERROR_GRID {
                let unit = [r as f64 * step, g as f64 * step, b as f64 * step];
                let rgb = std::array::from_fn(|c| denormalize(&domain, c, unit[c]));
                let want = exact.lookup_f64(rgb, Interpolation::Tetrahedral);
                let got = device.lookup_f64(rgb, Interpolation::Tetrahedral);
                for c in 0..3 {
                    let d = (want[c] - got[c]).abs() * 1023.0;
                    max = max.max(d);
                    sum += d;
                }
            }
        }
    }
    let count = (ERROR_GRID * ERROR_GRID * ERROR_GRID * 3) as f64;
    ColorError {
        max_10bit: max,
        mean_10bit: sum / count,
    }
}

/// Encodes a look for a device: the lattice resampled and quantised to the device's limits
/// when it takes a 3D LUT (the whole look travels only that way), otherwise the look's CDL
/// when the device applies one (a camera's corrector: the camera-side part of the grade).
pub fn encode(look: &Look, caps: &Capabilities) -> Result<EncodedLook, EncodeError> {
    if !caps.takes_lut3d() {
        if !caps.cdl_native {
            return Err(EncodeError::NothingAccepted);
        }
        let cdl = look.cdl.ok_or(EncodeError::NoCdl)?;
        return Ok(EncodedLook {
            payload: Payload::Cdl(cdl, look.cdl_style),
            error: ColorError::default(),
        });
    }
    let size =
        choose_size(look.lut.size(), &caps.lut3d_sizes).ok_or(EncodeError::NothingAccepted)?;
    encode_lut(&look.lut, size, caps.sample_format)
}

/// Resamples and quantises one lattice, measuring the error against it.
pub fn encode_lut(
    exact: &Lut3d,
    size: usize,
    format: SampleFormat,
) -> Result<EncodedLook, EncodeError> {
    let resampled = resample(exact, size)?;
    let encoded = quantize(&resampled, format)?;
    let error = if size == exact.size() && format == SampleFormat::F32 {
        ColorError::default() // the very same nodes: nothing to measure
    } else {
        measure_error(exact, &encoded.to_lut3d()?)
    };
    Ok(EncodedLook {
        payload: Payload::Lut(encoded),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve_lut(size: usize) -> Lut3d {
        // A smooth, cross-channel look: what a graded camera LUT roughly looks like.
        Lut3d::from_fn(size, |[r, g, b]| {
            let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
            [
                (0.9 * r + 0.1 * y).powf(0.8),
                (0.8 * g + 0.2 * y).powf(1.1),
                (b * 0.7 + 0.3 * y).sqrt(),
            ]
        })
        .unwrap()
    }

    #[test]
    fn size_choice_prefers_exact_then_largest_below_then_smallest() {
        assert_eq!(choose_size(33, &[17, 33, 65]), Some(33));
        assert_eq!(choose_size(65, &[17, 33]), Some(33));
        assert_eq!(choose_size(9, &[17, 33]), Some(17));
        assert_eq!(choose_size(33, &[]), None);
    }

    #[test]
    fn identity_survives_resampling_exactly() {
        let lut = Lut3d::identity(65).unwrap();
        let err = encode_lut(&lut, 17, SampleFormat::F32).unwrap().error;
        assert!(err.max_10bit < 1e-3, "{err:?}");
    }

    #[test]
    fn resampled_nodes_match_the_source_lookup() {
        let lut = curve_lut(33);
        let small = resample(&lut, 17).unwrap();
        // Node (8, 3, 16) of 17³ sits at (0.5, 0.1875, 1.0) = node (16, 6, 32) of 33³.
        assert_eq!(small.node(8, 3, 16), lut.node(16, 6, 32));
    }

    #[test]
    fn integer_quantisation_rounds_to_nearest_and_clamps() {
        let lut = Lut3d::new(2, vec![[0.5, -0.2, 1.3]; 8], Domain::UNIT).unwrap();
        let enc = quantize(&lut, SampleFormat::UInt { bits: 10 }).unwrap();
        let Samples::UInt { data, .. } = enc.samples else {
            panic!("expected integers")
        };
        assert_eq!(data[0], [512, 0, 1023]); // 511.5 rounds up
    }

    #[test]
    fn ten_bit_quantisation_costs_at_most_half_a_code_at_the_nodes() {
        let lut = curve_lut(17);
        let err = encode_lut(&lut, 17, SampleFormat::UInt { bits: 10 })
            .unwrap()
            .error;
        assert!(err.max_10bit <= 0.5 + 1e-6, "{err:?}");
        assert!(err.mean_10bit > 0.05, "{err:?}");
    }

    #[test]
    fn smaller_lattices_cost_more() {
        let lut = curve_lut(65);
        let e33 = encode_lut(&lut, 33, SampleFormat::F32).unwrap().error;
        let e17 = encode_lut(&lut, 17, SampleFormat::F32).unwrap().error;
        assert!(e17.max_10bit > e33.max_10bit, "{e17:?} vs {e33:?}");
        assert!(e17.mean_10bit > e33.mean_10bit);
    }

    #[test]
    fn lut_boxes_get_the_whole_look_and_cdl_only_devices_the_cdl() {
        let mut look = Look::from_lut(curve_lut(17), "A");
        look.cdl = Some(lookwire_color::Cdl::IDENTITY);
        let mut caps = Capabilities {
            model: "t".into(),
            lut3d_sizes: vec![],
            lut1d_size: None,
            cdl_native: true,
            sample_format: SampleFormat::F32,
            slots: 1,
            sdr: true,
            hdr: false,
        };
        let enc = encode(&look, &caps).unwrap();
        assert!(matches!(enc.payload, Payload::Cdl(..)));
        caps.lut3d_sizes = vec![33];
        let enc = encode(&look, &caps).unwrap();
        assert!(matches!(
            enc.payload,
            Payload::Lut(EncodedLut { size: 33, .. })
        ));
        caps.lut3d_sizes.clear();
        look.cdl = None;
        assert_eq!(encode(&look, &caps).unwrap_err(), EncodeError::NoCdl);
        caps.cdl_native = false;
        assert_eq!(
            encode(&look, &caps).unwrap_err(),
            EncodeError::NothingAccepted
        );
    }

    #[test]
    fn bad_bit_depth_is_an_error() {
        let lut = Lut3d::identity(2).unwrap();
        let err = quantize(&lut, SampleFormat::UInt { bits: 0 }).unwrap_err();
        assert!(err.to_string().contains("0-bit"), "{err}");
    }
}
