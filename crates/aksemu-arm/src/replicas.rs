//! Several servers on one PostgreSQL store: each follows what the others change
//! that it keeps in memory — the cloud clock's offset, role assignments and
//! custom role definitions — by polling small markers in `meta` (every change
//! to assignments or definitions rewrites `rbacVersion` in its own batch).

use std::sync::Arc;
use std::time::Duration;

use aksemu_store::{Cond, Write};
use serde_json::json;

use crate::cloud::Cloud;
use crate::collections::META;

pub const RBAC_VERSION: &str = "rbacVersion";

/// The write that tells other replicas the RBAC data changed.
pub fn rbac_changed() -> Write {
    Write::Put {
        coll: META,
        key: RBAC_VERSION.to_string(),
        id: RBAC_VERSION.to_string(),
        body: json!({ "version": uuid::Uuid::new_v4().to_string() }),
        cond: Cond::Any,
    }
}

/// Polls the markers every `every` and reloads what another replica changed.
pub fn follow(cloud: Arc<Cloud>, every: Duration) {
    tokio::spawn(async move {
        let mut seen = current_version(&cloud).await;
        loop {
            tokio::time::sleep(every).await;
            if let Ok(offset) = crate::admin::load_clock_offset(cloud.store.as_ref()).await
                && offset > cloud.virtual_clock.offset_ms()
            {
                cloud.virtual_clock.set_offset_ms(offset);
            }
            let now = current_version(&cloud).await;
            if now != seen {
                let reloaded = async {
                    cloud.reload_all_assignments().await?;
                    cloud.reload_custom_roles().await
                }
                .await;
                match reloaded {
                    Ok(()) => seen = now,
                    Err(e) => tracing::warn!(error = %e, "reloading RBAC data failed"),
                }
            }
        }
    });
}

async fn current_version(cloud: &Cloud) -> Option<String> {
    cloud
        .store
        .get(META, RBAC_VERSION)
        .await
        .ok()
        .flatten()
        .and_then(|d| d.body["version"].as_str().map(str::to_string))
}
