//! Certified bakes of one camera for several outputs at once (a trim settles, and the
//! SDR and HDR monitors of the camera both get their exact look).

use super::{Certified, LiveBake};
use crate::cdl::{Cdl, CdlStyle};

/// The certified bakes of `bakes` for one grade, into `outs` (one per bake, resized),
/// as [`LiveBake::bake_certified_into`] makes them, with the work the bakes share done
/// once: bakes made with [`LiveBake::for_output`] from one camera lattice (same look
/// LUT, output tables over the same working space) grade and take to ACES2065-1 the
/// union of their exact nodes once. Bakes that share nothing are baked on their own.
///
/// # Panics
/// When `outs` is shorter than `bakes`.
pub fn bake_certified_group(
    bakes: &[&LiveBake],
    cdl: &Cdl,
    style: CdlStyle,
    max_codes: f32,
    outs: &mut [Vec<[f32; 3]>],
) -> Vec<Certified> {
    assert!(outs.len() >= bakes.len(), "one output lattice per bake");
    let exact: Vec<Vec<usize>> = bakes
        .iter()
        .zip(outs.iter_mut())
        .map(|(b, out)| b.table_pass(cdl, style, max_codes, out))
        .collect();
    let mut done = vec![false; bakes.len()];
    for first in 0..bakes.len() {
        if done[first] {
            continue;
        }
        let group: Vec<usize> = (first..bakes.len())
            .filter(|&k| !done[k] && (k == first || bakes[first].shares_input_with(bakes[k])))
            .collect();
        let n3 = bakes[first].size.pow(3);
        // The union of the group's exact nodes, and each node's place in it.
        let mut slot = vec![u32::MAX; n3];
        let mut union = Vec::new();
        for &k in &group {
            for &i in &exact[k] {
                if slot[i] == u32::MAX {
                    slot[i] = union.len() as u32;
                    union.push(i);
                }
            }
        }
        let aces = bakes[first].aces_of(&union, cdl, style);
        for &k in &group {
            let mine: Vec<[f64; 3]> = exact[k].iter().map(|&i| aces[slot[i] as usize]).collect();
            let values = bakes[k].render_exact(&mine);
            for (&i, v) in exact[k].iter().zip(values) {
                outs[k][i] = v;
            }
            done[k] = true;
        }
    }
    exact
        .iter()
        .map(|e| Certified {
            exact_nodes: e.len(),
        })
        .collect()
}
