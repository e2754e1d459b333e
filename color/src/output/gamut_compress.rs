//! ACES 1.3 Reference Gamut Compression (OpenColorIO's
//! `ACES-LMT - ACES 1.3 Reference Gamut Compression`, fixed function `ACES_GamutComp13`):
//! in AP1, each channel's distance from the achromatic axis (the max channel) is
//! compressed past a threshold so that colours out of AP1 (blue LED light, saturated
//! highlights) come back inside before the output transform.

use super::matrix::{mul_vec, Mat3, Primaries, F3};

/// The reference gamut compression, ACES2065-1 in and out.
#[derive(Debug, Clone)]
pub struct GamutCompression {
    ap0_to_ap1: Mat3,
    ap1_to_ap0: Mat3,
    threshold: F3,
    scale: F3,
    power: f64,
}

impl Default for GamutCompression {
    fn default() -> Self {
        Self::reference()
    }
}

impl GamutCompression {
    /// The ACES 1.3 reference parameters: limits (cyan, magenta, yellow) 1.147, 1.264,
    /// 1.312, thresholds 0.815, 0.803, 0.880, power 1.2.
    pub fn reference() -> Self {
        let limit: F3 = [1.147, 1.264, 1.312];
        let threshold: F3 = [0.815, 0.803, 0.88];
        let power: f64 = 1.2;
        // Scale so that a distance of `limit` lands exactly on 1.0 (the gamut boundary).
        let scale = [0, 1, 2].map(|i| {
            let (lim, thr) = (limit[i], threshold[i]);
            (lim - thr) / (((1.0 - thr) / (lim - thr)).powf(-power) - 1.0).powf(1.0 / power)
        });
        GamutCompression {
            ap0_to_ap1: Primaries::AP0.to_primaries(&Primaries::AP1),
            ap1_to_ap0: Primaries::AP1.to_primaries(&Primaries::AP0),
            threshold,
            scale,
            power,
        }
    }

    /// Per-channel thresholds and scales, and the power (for the f32 live path).
    pub(crate) fn parameters(&self) -> (F3, F3, f64) {
        (self.threshold, self.scale, self.power)
    }

    fn compress(&self, dist: f64, i: usize) -> f64 {
        let (thr, scale) = (self.threshold[i], self.scale[i]);
        let nd = (dist - thr) / scale;
        thr + scale * nd / (1.0 + nd.powf(self.power)).powf(1.0 / self.power)
    }

    /// Compresses AP1 RGB (linear).
    pub fn apply_ap1(&self, rgb: F3) -> F3 {
        let ach = rgb[0].max(rgb[1]).max(rgb[2]);
        if ach == 0.0 {
            return [0.0; 3];
        }
        [0, 1, 2].map(|i| {
            let dist = (ach - rgb[i]) / ach.abs();
            if dist < self.threshold[i] {
                rgb[i]
            } else {
                ach - self.compress(dist, i) * ach.abs()
            }
        })
    }

    /// Compresses ACES2065-1.
    pub fn apply(&self, aces2065_1: F3) -> F3 {
        mul_vec(
            &self.ap1_to_ap0,
            self.apply_ap1(mul_vec(&self.ap0_to_ap1, aces2065_1)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_colours_inside_the_threshold_alone_and_pulls_limits_to_the_boundary() {
        let gc = GamutCompression::reference();
        assert_eq!(gc.apply_ap1([0.5, 0.4, 0.3]), [0.5, 0.4, 0.3]);
        // A red channel at distance `limit` (1.147 below achromatic) lands on 0 (distance 1).
        let out = gc.apply_ap1([1.0 - 1.147, 1.0, 1.0]);
        assert!(out[0].abs() < 1e-12, "{out:?}");
        assert_eq!(gc.apply_ap1([0.0; 3]), [0.0; 3]);
    }
}
