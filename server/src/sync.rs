//! Small locking helpers shared by the server's modules.

use std::sync::{Mutex, MutexGuard};

/// Locks `m`, taking the data even when another thread panicked while holding it.
///
/// Callers keep each critical section to a whole update (a map insert, a finished bake), so a
/// panic cannot leave the data half changed and refusing it would only take the server down.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
