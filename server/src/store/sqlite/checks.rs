//! Migration 3: each camera's latest check results (hot, dead and stuck pixels with the
//! listed pixels, noise), kept across restarts. The preview service owns their JSON shape.

use rusqlite::{params, Connection};

use crate::store::{StoreError, StoredChecks};

/// 3: one row per camera checked, its results as JSON.
pub(super) const MIGRATION: &str =
    "CREATE TABLE camera_checks (camera TEXT PRIMARY KEY, result TEXT NOT NULL);";

/// Keeps (or replaces) one camera's results.
pub(super) fn put(conn: &Connection, c: &StoredChecks) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO camera_checks (camera, result) VALUES (?1, ?2) \
         ON CONFLICT(camera) DO UPDATE SET result = excluded.result",
        params![c.camera, c.result],
    )?;
    Ok(())
}

/// Every camera's stored results, in the order first checked.
pub(super) fn all(conn: &Connection) -> Result<Vec<StoredChecks>, StoreError> {
    let mut stmt = conn.prepare("SELECT camera, result FROM camera_checks ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| {
        Ok(StoredChecks {
            camera: r.get(0)?,
            result: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::super::{SqliteStore, MIGRATIONS};
    use crate::store::{Store, StoredChecks, StoredDevice};

    fn checks(camera: &str, result: &str) -> StoredChecks {
        StoredChecks {
            camera: camera.into(),
            result: result.into(),
        }
    }

    /// A store made before migration 3 (schema 2, a device in it) opens at schema 3 with
    /// its device kept; a camera's results are replaced in place, cameras listed in the
    /// order first checked, and they read back after the store is opened again.
    #[test]
    fn a_schema_2_store_gains_camera_checks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(MIGRATIONS[1]).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.execute("INSERT INTO devices (id, config) VALUES ('box', '{}')", [])
                .unwrap();
        }
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), 3);
        let device = StoredDevice {
            id: "box".into(),
            config: "{}".into(),
        };
        assert_eq!(store.devices().unwrap(), vec![device]);
        assert!(store.camera_checks().unwrap().is_empty());
        store
            .put_camera_checks(&checks("b", r#"{"hot":1}"#))
            .unwrap();
        store
            .put_camera_checks(&checks("a", r#"{"hot":2}"#))
            .unwrap();
        store
            .put_camera_checks(&checks("b", r#"{"hot":3}"#))
            .unwrap();
        drop(store);
        let mut again = SqliteStore::open(&path).unwrap();
        assert_eq!(
            again.camera_checks().unwrap(),
            vec![checks("b", r#"{"hot":3}"#), checks("a", r#"{"hot":2}"#)]
        );
    }
}
