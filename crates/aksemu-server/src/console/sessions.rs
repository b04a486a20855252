//! Console sessions: one-time sign-in links and the sessions they open, in
//! memory (a restart signs everyone out). Only hashes of the link codes and
//! session ids are kept; each session has its own CSRF token.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aksemu_entra::find::Named;
use aksemu_identity::secret;

/// How long a one-time link can be used.
pub const LINK_LIFETIME: Duration = Duration::from_secs(300);
/// How long a session lasts without being used, and at most.
const SESSION_IDLE: Duration = Duration::from_secs(3600);
const SESSION_MAX: Duration = Duration::from_secs(12 * 3600);
/// The session cookie: `__Host-` binds it to this origin, path `/`, `Secure`.
pub const COOKIE: &str = "__Host-aksemu-console";
const MAX_LINKS: usize = 1_000;
const MAX_SESSIONS: usize = 10_000;

#[derive(Clone)]
pub struct Session {
    pub who: Named,
    pub csrf: String,
    pub admin: bool,
    seen: Instant,
    made: Instant,
}

impl Session {
    fn expired(&self) -> bool {
        self.seen.elapsed() >= SESSION_IDLE || self.made.elapsed() >= SESSION_MAX
    }
}

struct Link {
    who: Named,
    admin: bool,
    made: Instant,
}

#[derive(Default)]
pub struct Sessions {
    links: Mutex<HashMap<String, Link>>,
    sessions: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// A one-time code that opens a session for `who`.
    pub fn link(&self, who: Named, admin: bool) -> String {
        let code = secret::opaque(32);
        let mut links = self.links.lock().unwrap_or_else(|p| p.into_inner());
        links.retain(|_, l| l.made.elapsed() < LINK_LIFETIME);
        if links.len() >= MAX_LINKS {
            links.clear();
        }
        let link = Link {
            who,
            admin,
            made: Instant::now(),
        };
        links.insert(secret::hash(&code), link);
        code
    }

    /// Uses up `code`: the new session's id, or `None` (unknown, used, expired).
    pub fn redeem(&self, code: &str) -> Option<String> {
        let link = self
            .links
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&secret::hash(code))
            .filter(|l| l.made.elapsed() < LINK_LIFETIME)?;
        Some(self.open(link.who, link.admin))
    }

    /// A new session for `who` (signed in with a link or credentials).
    pub fn open(&self, who: Named, admin: bool) -> String {
        let id = secret::opaque(32);
        let session = Session {
            who,
            csrf: secret::opaque(32),
            admin,
            seen: Instant::now(),
            made: Instant::now(),
        };
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, s| !s.expired());
        }
        if sessions.len() >= MAX_SESSIONS {
            // Still full of live sessions: the least recently used one goes.
            let oldest = sessions
                .iter()
                .min_by_key(|(_, s)| s.seen)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                sessions.remove(&k);
            }
        }
        sessions.insert(secret::hash(&id), session);
        id
    }

    /// The session a cookie names, if it is still open.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let key = secret::hash(id);
        let s = sessions.get_mut(&key)?;
        if s.expired() {
            sessions.remove(&key);
            return None;
        }
        s.seen = Instant::now();
        Some(s.clone())
    }

    /// Whether the session is still open, without counting this as use (a
    /// live feed alone does not keep a session from going idle).
    pub fn is_open(&self, id: &str) -> bool {
        let sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions
            .get(&secret::hash(id))
            .is_some_and(|s| !s.expired())
    }

    pub fn close(&self, id: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&secret::hash(id));
    }
}

/// Compares a submitted CSRF token with the session's without leaking where
/// they differ.
pub fn csrf_ok(session: &Session, submitted: &str) -> bool {
    let (a, b) = (session.csrf.as_bytes(), submitted.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksemu_core::{Principal, PrincipalKind};

    fn who() -> Named {
        Named {
            principal: Principal {
                object_id: "o".into(),
                app_id: "a".into(),
                tenant_id: "t".into(),
                kind: PrincipalKind::Application,
                groups: vec![],
            },
            display_name: "n".into(),
            enabled: true,
        }
    }

    #[test]
    fn a_link_opens_one_session_once() {
        let s = Sessions::default();
        let code = s.link(who(), false);
        let id = s.redeem(&code).expect("first use");
        assert!(s.redeem(&code).is_none(), "second use");
        let session = s.get(&id).expect("open");
        assert!(csrf_ok(&session, &session.csrf.clone()));
        assert!(!csrf_ok(&session, "x"));
        s.close(&id);
        assert!(s.get(&id).is_none());
        assert!(s.get("made-up").is_none());
    }
}
