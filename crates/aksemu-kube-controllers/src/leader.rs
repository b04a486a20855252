//! One process runs the workload plane of a store: servers sharing a
//! PostgreSQL store hold a lease row (holder, expiry), renewed every few
//! seconds with a compare-and-swap on its etag; a holder that stops renewing
//! is replaced once the lease expires.

use std::sync::Arc;
use std::time::Duration;

use aksemu_store::{Cond, Store, Write};
use serde_json::json;

const LEASES: &str = "kubeControllerLease";
const KEY: &str = "leader";
/// How long a lease lasts without renewal.
const TTL_SECS: i64 = 15;
/// How often the holder renews (and others try).
pub const RENEW: Duration = Duration::from_secs(5);

pub struct Leader {
    store: Arc<dyn Store>,
    me: String,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl Leader {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            me: uuid::Uuid::new_v4().to_string(),
        }
    }

    /// Takes or renews the lease; whether this process holds it now.
    pub async fn hold(&self) -> bool {
        let current = match self.store.get(LEASES, KEY).await {
            Ok(c) => c,
            Err(_) => return false,
        };
        let cond = match &current {
            None => Cond::Absent,
            Some(d)
                if d.body["holder"] == self.me.as_str()
                    || d.body["expires"].as_i64().unwrap_or(0) < now() =>
            {
                Cond::Etag(d.etag.clone())
            }
            Some(_) => return false,
        };
        let write = Write::Put {
            coll: LEASES,
            key: KEY.into(),
            id: KEY.into(),
            body: json!({"holder": self.me, "expires": now() + TTL_SECS}),
            cond,
        };
        self.store.apply(vec![write]).await.is_ok()
    }
}
