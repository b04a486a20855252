//! What goes with a deleted resource or group, so nothing is left pointing at
//! it: principals the resources own, managed-identity hosts that are those
//! resources, role assignments scoped at or under them, a cluster's private
//! record and its node resource group. Role assignments scoped elsewhere that
//! name a deleted principal stay, as in Azure.

use std::collections::BTreeSet;

use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Doc, Write};

use crate::cloud::{Cloud, store_err};
use crate::collections::{CLUSTER_SECRETS, HOSTS, RESOURCES, ROLE_ASSIGNMENTS};
use crate::providers::identity_block::owned_principal_removal;
use crate::providers::role_assignments::deletes_for;

/// Writes to apply in one batch, and principals whose assignments must be
/// reloaded after it committed.
#[derive(Default)]
pub struct Effects {
    pub writes: Vec<Write>,
    pub reload: BTreeSet<String>,
}

impl Effects {
    pub fn extend(&mut self, other: Effects) {
        self.writes.extend(other.writes);
        self.reload.extend(other.reload);
    }
}

/// Role assignments scoped at `key` or below it.
async fn assignments_under(cloud: &Cloud, key: &str) -> Result<Effects, ArmError> {
    let mut r = Effects::default();
    for d in cloud
        .store
        .list(ROLE_ASSIGNMENTS, &format!("{key}/"))
        .await
        .map_err(store_err)?
    {
        if let Some(p) = d.body["properties"]["principalId"].as_str() {
            r.reload.insert(p.to_string());
        }
        r.writes.extend(deletes_for(&d)?);
    }
    Ok(r)
}

/// Hosts that are ARM resources at or under `key`.
async fn hosts_under(cloud: &Cloud, key: &str) -> Result<Vec<Write>, ArmError> {
    Ok(cloud
        .store
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
    Ok(r)
}

/// What a resource owns outside its own key range: its principals, and for a
/// cluster its private record and its node group. Boxed: a node group's
/// resources are removed through this again.
fn owned<'a>(
    cloud: &'a Cloud,
    doc: &'a Doc,
) -> std::pin::Pin<Box<dyn Future<Output = Result<Effects, ArmError>> + Send + 'a>> {
    Box::pin(async move {
        let mut r = Effects {
            writes: owned_principal_removal(cloud, &doc.body).await?,
            reload: BTreeSet::new(),
        };
        if doc.body["type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters"))
        {
            r.writes.push(Write::Delete {
                coll: CLUSTER_SECRETS,
                key: doc.key.clone(),
                cond: Cond::Any,
            });
            if let (Some(nrg), Some(sub)) = (
                doc.body["properties"]["nodeResourceGroup"].as_str(),
                ResourceId::parse(&doc.id)?.subscription_id(),
            ) {
                let group = ResourceId::resource_group(sub, nrg);
                // Only the group this cluster manages.
                if let Some(g) = cloud
                    .store
                    .get(RESOURCES, group.key())
                    .await
                    .map_err(store_err)?
                    && g.body["managedBy"]
                        .as_str()
                        .is_some_and(|m| m.eq_ignore_ascii_case(&doc.id))
                {
                    r.extend(group_removal(cloud, group.key()).await?);
                }
            }
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
        .store
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
