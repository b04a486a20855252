//! What goes with a deleted resource or group, so nothing is left pointing at
//! it: principals the resources own, managed-identity hosts that are those
//! resources, role assignments scoped at or under them, and whatever the
//! resource's provider says it owns elsewhere (`Provider::owned`: a cluster's
//! private record and node resource group). Role assignments scoped elsewhere
//! that name a deleted principal stay, as in Azure.

use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Doc, Write};

use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::{RESOURCES, ROLE_ASSIGNMENTS};
pub use crate::effects::Effects;
use crate::providers::identity_block::owned_principal_removal;
use crate::providers::role_assignments::deletes_for;
use aksemu_entra::collections::HOSTS;

/// Role assignments scoped at `key` or below it.
async fn assignments_under(cloud: &Cloud, key: &str) -> Result<Effects, ArmError> {
    let mut r = Effects::default();
    for d in cloud
        .store()
        .list(ROLE_ASSIGNMENTS, &format!("{key}/"))
        .await
        .map_err(store_err)?
    {
        r.writes.extend(deletes_for(&d)?);
    }
    Ok(r)
}

/// Hosts that are ARM resources at or under `key`.
async fn hosts_under(cloud: &Cloud, key: &str) -> Result<Vec<Write>, ArmError> {
    Ok(cloud
        .store()
        .list(HOSTS, "")
        .await
        .map_err(store_err)?
        .into_iter()
        .filter(|h| {
            h.body["fromResource"] == true
                && h.body["resourceId"].as_str().is_some_and(|id| {
                    let k = ResourceId::parse(id).map(|r| r.key().to_string());
                    k.is_ok_and(|k| k == key || k.starts_with(&format!("{key}/")))
                })
        })
        .map(|h| Write::Delete {
            coll: HOSTS,
            key: h.key,
            cond: Cond::Any,
        })
        .collect())
}

/// Everything that goes with one resource document (not the document itself):
/// what it owns, and the assignments and hosts at or under it.
pub async fn resource_removal(cloud: &Cloud, doc: &Doc) -> Result<Effects, ArmError> {
    let mut r = owned(cloud, doc).await?;
    r.extend(assignments_under(cloud, &doc.key).await?);
    r.writes.extend(hosts_under(cloud, &doc.key).await?);
    // Extension resources on it (a cluster's data-collection rule associations).
    r.writes.push(Write::DeletePrefix {
        coll: RESOURCES,
        prefix: format!("{}/", doc.key),
    });
    Ok(r)
}

/// What a resource owns outside its own key range: its principals, and what
/// its provider says. Boxed: a provider may remove a group through
/// `group_removal`, which comes back here.
pub fn owned<'a>(
    cloud: &'a Cloud,
    doc: &'a Doc,
) -> std::pin::Pin<Box<dyn Future<Output = Result<Effects, ArmError>> + Send + 'a>> {
    Box::pin(async move {
        let mut r = Effects {
            writes: owned_principal_removal(cloud, &doc.body).await?,
        };
        let provider = doc.body["type"]
            .as_str()
            .and_then(|t| cloud.registry().provider_of_type(t));
        if let Some(p) = provider {
            r.extend(p.owned(cloud, doc).await?);
        }
        Ok(r)
    })
}

/// A group and everything in it: what each resource owns, then the assignments
/// and hosts at or under the group in one scan each.
pub async fn group_removal(cloud: &Cloud, key: &str) -> Result<Effects, ArmError> {
    let prefix = format!("{key}/");
    let mut r = Effects::default();
    for d in cloud
        .store()
        .list(RESOURCES, &prefix)
        .await
        .map_err(store_err)?
    {
        r.extend(owned(cloud, &d).await?);
    }
    r.extend(assignments_under(cloud, key).await?);
    r.writes.extend(hosts_under(cloud, key).await?);
    r.writes.push(Write::DeletePrefix {
        coll: RESOURCES,
        prefix,
    });
    r.writes.push(Write::Delete {
        coll: RESOURCES,
        key: key.to_string(),
        cond: Cond::Any,
    });
    Ok(r)
}
