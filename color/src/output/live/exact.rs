//! The exact (f64) values of a live bake's nodes, for the nodes the certified bake cannot
//! take from the output table: grade value by value, then the output in vectorised
//! batches on rayon's pool.

use rayon::prelude::*;

use super::table::EXACT_BATCH;
use super::LiveBake;
use crate::cdl::{Cdl, CdlStyle};
use crate::lut::Interpolation;

impl LiveBake {
    /// Node `i`'s working-space value after the CDL and the look LUT (exact, f64).
    fn graded(&self, i: usize, cdl: &Cdl, style: CdlStyle) -> [f64; 3] {
        let w = cdl.apply(self.nodes_f64[i], style);
        match &self.look {
            Some(l) => l.lookup_f64(w, Interpolation::Tetrahedral),
            None => w,
        }
    }

    /// The exact output code values of nodes `idx` (CDL, look LUT, output, all f64).
    pub(super) fn exact_nodes(&self, idx: &[usize], cdl: &Cdl, style: CdlStyle) -> Vec<[f32; 3]> {
        let mut out = vec![[0.0f32; 3]; idx.len()];
        let exact = self.output.finish.exact();
        out.par_chunks_mut(EXACT_BATCH)
            .zip(idx.par_chunks(EXACT_BATCH))
            .for_each(|(out, ids)| {
                let mut aces = [[0.0f64; 3]; EXACT_BATCH];
                let mut rendered = [[0.0f64; 3]; EXACT_BATCH];
                for (a, &i) in aces.iter_mut().zip(ids) {
                    *a = self.output.to_aces(self.graded(i, cdl, style));
                }
                let n = ids.len();
                self.output.exact_aces(&aces[..n], &mut rendered[..n]);
                for (o, r) in out.iter_mut().zip(&rendered[..n]) {
                    *o = exact.finish(*r).map(|x| x as f32);
                }
            });
        out
    }
}
