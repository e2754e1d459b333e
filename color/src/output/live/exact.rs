//! The exact (f64) values of a live bake's nodes, for the nodes the certified bake cannot
//! take from the output table: graded and taken to ACES2065-1 value by value, then the
//! output in vectorised batches, on rayon's pool.

use rayon::prelude::*;

use super::table::EXACT_BATCH;
use super::LiveBake;
use crate::cdl::{Cdl, CdlStyle};
use crate::lut::Interpolation;

impl LiveBake {
    /// Node `i`'s working-space value after the CDL, the look CDL and the look LUT
    /// (exact, f64).
    fn graded(&self, i: usize, cdl: &Cdl, style: CdlStyle) -> [f64; 3] {
        let w = cdl.apply(self.nodes_f64[i], style);
        let w = self.look_cdl.map_or(w, |l| l.apply(w, style));
        match &self.look {
            Some(l) => l.lookup_f64(w, Interpolation::Tetrahedral),
            None => w,
        }
    }

    /// ACES2065-1 of nodes `idx` after the grade: what the bakes of one camera for
    /// several outputs share ([`super::bake_certified_group`]).
    pub(super) fn aces_of(&self, idx: &[usize], cdl: &Cdl, style: CdlStyle) -> Vec<[f64; 3]> {
        let mut out = vec![[0.0f64; 3]; idx.len()];
        out.par_chunks_mut(EXACT_BATCH)
            .zip(idx.par_chunks(EXACT_BATCH))
            .for_each(|(out, ids)| {
                for (a, &i) in out.iter_mut().zip(ids) {
                    *a = self.output.to_aces(self.graded(i, cdl, style));
                }
            });
        out
    }

    /// The output's exact code values of ACES2065-1 values.
    pub(super) fn render_exact(&self, aces: &[[f64; 3]]) -> Vec<[f32; 3]> {
        let mut out = vec![[0.0f32; 3]; aces.len()];
        let exact = self.output.finish.exact();
        out.par_chunks_mut(EXACT_BATCH)
            .zip(aces.par_chunks(EXACT_BATCH))
            .for_each(|(out, aces)| {
                let mut rendered = [[0.0f64; 3]; EXACT_BATCH];
                let mut codes = [[0.0f64; 3]; EXACT_BATCH];
                let n = aces.len();
                self.output.exact_aces(aces, &mut rendered[..n]);
                exact.finish_batch(&rendered[..n], &mut codes[..n]);
                for (o, c) in out.iter_mut().zip(&codes[..n]) {
                    *o = c.map(|x| x as f32);
                }
            });
        out
    }

    /// The exact output code values of nodes `idx` (CDL, look LUT, output, all f64).
    pub(super) fn exact_nodes(&self, idx: &[usize], cdl: &Cdl, style: CdlStyle) -> Vec<[f32; 3]> {
        self.render_exact(&self.aces_of(idx, cdl, style))
    }

    /// [`Self::exact_nodes`] on the calling thread (for the live bake's few nodes: no
    /// hand-over to the pool, whose latency would dwarf them).
    pub(super) fn exact_nodes_here(
        &self,
        idx: &[usize],
        cdl: &Cdl,
        style: CdlStyle,
    ) -> Vec<[f32; 3]> {
        let exact = self.output.finish.exact();
        let mut out = Vec::with_capacity(idx.len());
        let mut rendered = [[0.0f64; 3]; EXACT_BATCH];
        let mut codes = [[0.0f64; 3]; EXACT_BATCH];
        for ids in idx.chunks(EXACT_BATCH) {
            let aces: Vec<[f64; 3]> = ids
                .iter()
                .map(|&i| self.output.to_aces(self.graded(i, cdl, style)))
                .collect();
            let n = aces.len();
            self.output.exact_aces(&aces, &mut rendered[..n]);
            exact.finish_batch(&rendered[..n], &mut codes[..n]);
            out.extend(codes[..n].iter().map(|c| c.map(|x| x as f32)));
        }
        out
    }

    /// True when `other`'s exact nodes start from the same ACES2065-1 values as this
    /// bake's: the same camera lattice, look LUT and working-space-to-ACES function.
    pub(super) fn shares_input_with(&self, other: &LiveBake) -> bool {
        std::sync::Arc::ptr_eq(&self.nodes_f64, &other.nodes_f64)
            && self.look == other.look
            && self.look_cdl == other.look_cdl
            && self.output.source.is_some()
            && self.output.source == other.output.source
    }
}
