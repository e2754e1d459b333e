//! One bake per look: the baked look of a camera through an output, shared by the
//! previews, scopes and compare views that show it.
//!
//! [`Looks::look`] keys each look by what it depends on: the camera (its input space,
//! working space and whole grade), the output, the camera's show look, the show's CDL
//! style and the bypass. While those are unchanged every caller gets the same
//! `Arc<Look>`; a change bakes once, for whoever asks first. The key is the content, not a
//! show version, so a trim of one camera leaves every other camera's look cached, and two
//! shows in one process (tests) cannot see each other's looks under the same ids.
//!
//! [`shared`] is the process's cache: the preview routes and the device feeder
//! (`devices::feed`) both take their looks from it, so a look shown on a monitor path and
//! in a preview is baked once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use lookwire_protocol::Look;

use crate::devices::bake::{BakeError, Baker};
use crate::show::{Bypass, Show};
use crate::sync::lock;

/// Looks kept before the cache starts over (16 cameras × 4 outputs × 4 bypass/compare uses).
const CAPACITY: usize = 256;

/// A look's identity: camera, output and bypass (`Bypass` has no `Hash`; its index does).
type LookId = (String, String, u8);

/// Baked looks by (camera, output, bypass), each with the key it was baked for.
#[derive(Debug, Default)]
pub struct Looks {
    baker: Mutex<Baker>,
    looks: Mutex<HashMap<LookId, (String, Arc<Look>)>>,
    bakes: std::sync::atomic::AtomicU64,
}

/// The process's look cache.
pub fn shared() -> &'static Looks {
    static LOOKS: OnceLock<Looks> = OnceLock::new();
    LOOKS.get_or_init(Looks::default)
}

/// Everything the look of `camera` through `output` with `bypass` depends on.
pub fn look_key(show: &Show, camera: &str, output: &str, bypass: Bypass) -> String {
    let cam = show.cameras.get(camera);
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}",
        cam,
        show.outputs.get(output),
        cam.and_then(|c| c.grade.look.as_ref())
            .and_then(|l| show.looks.get(l)),
        show.cdl_style,
        bypass
    )
}

impl Looks {
    pub fn new() -> Self {
        Self::default()
    }

    /// The look of `camera` through `output` with `bypass`: cached while its key holds,
    /// else baked (once, however many callers ask at the same time).
    pub fn look(
        &self,
        show: &Show,
        camera: &str,
        output: &str,
        bypass: Bypass,
    ) -> Result<Arc<Look>, BakeError> {
        let id = (camera.to_owned(), output.to_owned(), bypass as u8);
        let key = look_key(show, camera, output, bypass);
        if let Some(look) = self.cached(&id, &key) {
            return Ok(look);
        }
        let mut baker = lock(&self.baker);
        // Another caller may have baked it while this one waited for the baker.
        if let Some(look) = self.cached(&id, &key) {
            return Ok(look);
        }
        let look = Arc::new(baker.bake(show, camera, output, bypass)?);
        self.bakes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut looks = lock(&self.looks);
        if looks.len() >= CAPACITY {
            looks.clear();
        }
        looks.insert(id, (key, Arc::clone(&look)));
        Ok(look)
    }

    fn cached(&self, id: &LookId, key: &str) -> Option<Arc<Look>> {
        match lock(&self.looks).get(id) {
            Some((k, look)) if k == key => Some(Arc::clone(look)),
            _ => None,
        }
    }

    /// How many bakes this cache has run (for tests and benchmarks).
    pub fn bakes(&self) -> u64 {
        self.bakes.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::demo::demo_show;

    #[test]
    fn one_bake_per_key_and_a_trim_rebakes_only_its_camera() {
        let mut show = demo_show();
        let looks = Looks::new();
        let a = looks.look(&show, "a", "sdr", Bypass::None).unwrap();
        let again = looks.look(&show, "a", "sdr", Bypass::None).unwrap();
        assert!(Arc::ptr_eq(&a, &again));
        let b = looks.look(&show, "b", "sdr", Bypass::None).unwrap();
        assert_eq!(looks.bakes(), 2);
        show.cameras["a"].grade.trim.slope[0] = 1.2;
        let a2 = looks.look(&show, "a", "sdr", Bypass::None).unwrap();
        assert!(!Arc::ptr_eq(&a, &a2));
        assert!(a.lut != a2.lut, "the trim reaches the lattice");
        assert!(Arc::ptr_eq(
            &b,
            &looks.look(&show, "b", "sdr", Bypass::None).unwrap()
        ));
        assert_eq!(looks.bakes(), 3);
        // Bypass is its own look.
        let plain = looks.look(&show, "a", "sdr", Bypass::DisplayOnly).unwrap();
        assert!(plain.lut != a2.lut, "display only drops the trim");
        assert_eq!(looks.bakes(), 4);
    }

    #[test]
    fn bake_errors_pass_through_and_are_not_cached() {
        let show = demo_show();
        let looks = Looks::new();
        let err = looks.look(&show, "zz", "sdr", Bypass::None).unwrap_err();
        assert!(
            matches!(err, BakeError::Camera(ref c) if c == "zz"),
            "{err}"
        );
        assert_eq!(looks.bakes(), 0);
    }
}
