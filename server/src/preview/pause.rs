//! A point heavy work (resampling a still, computing a check) passes just before it
//! starts, with no lock held. In service nothing waits there. Tests park work at it to
//! show that other requests are served meanwhile: were a lock held across the work, they
//! would wait for it.

use std::sync::{Arc, Mutex};

use crate::sync::lock;

type Hook = Arc<dyn Fn(&str) + Send + Sync>;

/// Called with the name of the work about to start (`"resample"`, `"check"`, `"render"`).
#[derive(Default)]
pub struct Pause(Mutex<Option<Hook>>);

impl Pause {
    /// Passes the point: runs the hook, if a test set one.
    pub fn at(&self, work: &str) {
        let hook = lock(&self.0).clone();
        if let Some(hook) = hook {
            hook(work);
        }
    }

    /// Runs `hook` each time work passes the point.
    #[cfg(test)]
    pub fn set(&self, hook: impl Fn(&str) + Send + Sync + 'static) {
        *lock(&self.0) = Some(Arc::new(hook));
    }
}

impl std::fmt::Debug for Pause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pause")
    }
}
