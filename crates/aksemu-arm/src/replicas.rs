//! Several servers on one PostgreSQL store: each follows what the others change
//! that it keeps in memory — the cloud clock's offset, role assignments and
//! custom role definitions — by polling small markers in `meta` (every change
//! to assignments or definitions rewrites `rbacVersion` in its own batch).

use std::sync::Arc;
use std::time::Duration;

use crate::cloud::Cloud;
use crate::collections::META;
use crate::rbac::RBAC_VERSION;

/// Polls the markers every `every` and reloads what another replica changed.
pub fn follow(cloud: Arc<Cloud>, every: Duration) {
    tokio::spawn(async move {
        let mut seen = current_version(&cloud).await;
        loop {
            tokio::time::sleep(every).await;
            if let Ok(offset) = crate::admin::load_clock_offset(cloud.store()).await
                && offset > cloud.virtual_clock.offset_ms()
            {
                cloud.virtual_clock.set_offset_ms(offset);
            }
            let now = current_version(&cloud).await;
            if now != seen {
                let reloaded = async {
                    cloud.rbac.reload_all_assignments().await?;
                    cloud.rbac.reload_custom_roles().await
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
        .store()
        .get(META, RBAC_VERSION)
        .await
        .ok()
        .flatten()
        .and_then(|d| d.body["version"].as_str().map(str::to_string))
}
