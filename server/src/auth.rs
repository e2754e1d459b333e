//! Who may do what. On loopback every client is the local admin; on any other address
//! clients log in with a passphrase, get a token, and act within their role.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a user may do: viewers watch, operators grade, admins also manage devices and users.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Operator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Viewer, Role::Operator, Role::Admin]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// The user behind a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

impl Caller {
    /// The caller on a loopback-only server.
    pub fn local() -> Caller {
        Caller {
            name: "local".into(),
            role: Role::Admin,
        }
    }
}

/// Failed logins allowed per address per window.
const LOGIN_ATTEMPTS: u32 = 5;
const LOGIN_WINDOW: Duration = Duration::from_secs(60);
/// Tokens live for one show day.
const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Hashes a secret with argon2id and a random salt (PHC string).
pub fn hash_secret(secret: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the passphrase: {e}"))
}

/// Checks a secret against a stored argon2 hash.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[derive(Debug)]
struct Session {
    caller: Caller,
    expires: Instant,
}

/// Authentication state of a server.
#[derive(Debug)]
pub struct Auth {
    /// `None` on loopback: every client is the local admin.
    admin_hash: Option<String>,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl Auth {
    /// No login: every client is the local admin.
    pub fn open() -> Auth {
        Auth {
            admin_hash: None,
            sessions: Mutex::default(),
            failures: Mutex::default(),
        }
    }

    /// Login required; `admin_hash` is the argon2 hash of the show passphrase.
    pub fn with_passphrase(admin_hash: String) -> Auth {
        Auth {
            admin_hash: Some(admin_hash),
            ..Auth::open()
        }
    }

    pub fn required(&self) -> bool {
        self.admin_hash.is_some()
    }

    pub fn admin_hash(&self) -> Option<&str> {
        self.admin_hash.as_deref()
    }

    /// The caller holding `token`, if it is live.
    pub fn caller(&self, token: &str) -> Option<Caller> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let session = sessions.get(token)?;
        if session.expires < Instant::now() {
            sessions.remove(token);
            return None;
        }
        Some(session.caller.clone())
    }

    /// A new token for `caller`.
    pub fn issue(&self, caller: Caller) -> String {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let session = Session {
            caller,
            expires: Instant::now() + TOKEN_LIFETIME,
        };
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.insert(token.clone(), session);
        token
    }

    /// Ends every session of `name` (after the user is removed or changed).
    pub fn revoke_user(&self, name: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.retain(|_, s| s.caller.name != name);
    }

    /// Ends one session.
    pub fn revoke(&self, token: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.remove(token);
    }

    /// Seconds until `ip` may try again, or `None` when it may try now.
    pub fn locked_out(&self, ip: IpAddr) -> Option<u64> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let (count, since) = failures.get(&ip)?;
        let elapsed = since.elapsed();
        (*count >= LOGIN_ATTEMPTS && elapsed < LOGIN_WINDOW)
            .then(|| (LOGIN_WINDOW - elapsed).as_secs().max(1))
    }

    /// Counts a failed login from `ip`.
    pub fn fail(&self, ip: IpAddr) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let entry = failures.entry(ip).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= LOGIN_WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    /// Forgets failures of `ip` after a good login.
    pub fn succeed(&self, ip: IpAddr) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_never_hold_the_secret() {
        let hash = hash_secret("truck-7").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains("truck-7"));
        assert!(verify_secret("truck-7", &hash));
        assert!(!verify_secret("truck-8", &hash));
        assert!(!verify_secret("truck-7", "not a hash"));
    }

    #[test]
    fn tokens_map_to_callers_until_revoked() {
        let auth = Auth::with_passphrase(String::new());
        let caller = Caller {
            name: "vc".into(),
            role: Role::Operator,
        };
        let token = auth.issue(caller.clone());
        assert_eq!(token.len(), 64);
        assert_eq!(auth.caller(&token), Some(caller));
        assert_eq!(auth.caller("nope"), None);
        auth.revoke_user("vc");
        assert_eq!(auth.caller(&token), None);
    }

    #[test]
    fn logins_lock_out_after_five_failures() {
        let auth = Auth::open();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..4 {
            auth.fail(ip);
            assert_eq!(auth.locked_out(ip), None);
        }
        auth.fail(ip);
        assert!(auth.locked_out(ip).is_some());
        auth.succeed(ip);
        assert_eq!(auth.locked_out(ip), None);
    }
}
