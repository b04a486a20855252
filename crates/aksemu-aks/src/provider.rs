//! Microsoft.ContainerService as registered with the ARM engine: its namespace
//! (`names`), the handler for its endpoints, its two kinds of long-running work
//! (reconcile, delete), what a cluster owns outside its key range, and the
//! managed-identity host that is one of a cluster's nodes.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;
use aksemu_arm::effects::Effects;
use aksemu_arm::endpoint::{Endpoint, Namespace, RgOp};
use aksemu_arm::operation::Work;
use aksemu_arm::providers::cascade::group_removal;
use aksemu_arm::providers::group_doc::GroupDoc;
use aksemu_arm::providers::tracked;
use aksemu_arm::registry::{Job, Provider};
use aksemu_authz::Authorized;
use aksemu_core::request::{ArmRequest, ArmResponse, Method};
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Doc, Write, store_err};
use async_trait::async_trait;
use serde_json::Value;

use crate::names::{
    AGENT_POOLS, CLUSTER_SECRETS, CLUSTER_UIDS, DCR_ASSOCIATIONS, DELETE_CLUSTER, MANAGED_CLUSTERS,
    NAMESPACE, RECONCILE_CLUSTER, RESET_SERVICE_PRINCIPAL, ROTATE_SA_KEYS,
};
use crate::{cluster, credentials, nodes, pools, reconcile, versions};

/// The AKS provider. `operation_secs`: virtual seconds a cluster operation
/// takes (`serve --aks-operation-time`).
#[derive(Default)]
pub struct Aks {
    operation_secs: Arc<AtomicI64>,
    /// The clusters' Kubernetes side, once the server has wired it.
    pub(crate) plane: crate::PlaneSlot,
}

impl Aks {
    pub fn new(operation_secs: i64) -> Self {
        Self {
            operation_secs: Arc::new(AtomicI64::new(operation_secs)),
            plane: crate::PlaneSlot::default(),
        }
    }
}

fn plane_err(e: String) -> ArmError {
    tracing::error!(error = %e, "updating the cluster's Kubernetes objects failed");
    ArmError::InternalServerError
}

fn not_allowed(req: &ArmRequest) -> ArmError {
    ArmError::UnsupportedHttpMethod(req.method.as_str().to_string())
}

#[async_trait]
impl Provider<Cloud> for Aks {
    fn namespace(&self) -> &'static Namespace {
        &NAMESPACE
    }

    async fn handle(
        &self,
        cloud: &Arc<Cloud>,
        auth: &Authorized,
        ep: &Endpoint,
        req: &ArmRequest,
    ) -> Result<ArmResponse, ArmError> {
        match ep {
            Endpoint::Resource {
                sub, rg, name, op, ..
            } => match op {
                RgOp::Put => cluster::put(cloud, auth, sub, rg, name, req).await,
                RgOp::Get | RgOp::Head => {
                    tracked::get(cloud, auth, &MANAGED_CLUSTERS, *op == RgOp::Head).await
                }
                RgOp::Patch => cluster::patch(cloud, auth, req).await,
                RgOp::Delete => cluster::delete(cloud, auth, req).await,
            },
            Endpoint::ListResources { .. } => {
                tracked::list_of_type(cloud, auth, &MANAGED_CLUSTERS, req).await
            }
            Endpoint::ChildResource { .. } | Endpoint::ListChildren { .. } => {
                child(cloud, auth, ep, req).await
            }
            Endpoint::Action { action, .. } if *action == &RESET_SERVICE_PRINCIPAL => {
                cluster::reset_service_principal(cloud, auth, req).await
            }
            Endpoint::Action { action, .. } if *action == &ROTATE_SA_KEYS => {
                crate::oidc::rotate_keys(cloud, auth, &self.plane).await
            }
            Endpoint::Action { action, .. } => credentials::list(cloud, auth, action, req).await,
            Endpoint::LocationRead { location, .. } => versions::for_location(location),
            _ => Err(not_allowed(req)),
        }
    }

    fn jobs(&self) -> Vec<Arc<dyn Job<Cloud>>> {
        vec![
            Arc::new(Reconcile(self.operation_secs.clone(), self.plane.clone())),
            Arc::new(Delete(self.operation_secs.clone(), self.plane.clone())),
        ]
    }

    async fn owned(&self, cloud: &Cloud, doc: &Doc) -> Result<Effects, ArmError> {
        cluster_owned(cloud, doc).await
    }

    async fn host_for(
        &self,
        cloud: &Cloud,
        spec: &Value,
    ) -> Result<Option<(Doc, Option<String>)>, ArmError> {
        let Some(node) = spec.get("node").filter(|n| n.is_object()) else {
            return Ok(None);
        };
        let cluster = node["cluster"].as_str().unwrap_or_default();
        nodes::node_scale_set(cloud, cluster, node["pool"].as_str())
            .await
            .map(Some)
    }

    fn samples(&self, sub: &str, rg: &str) -> Vec<(Method, String)> {
        let c = format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters"
        );
        vec![
            (Method::Put, format!("{c}/c1")),
            (Method::Get, format!("{c}/c1/agentPools/p1")),
            (Method::Put, format!("{c}/c1/agentPools/p1")),
            (Method::Delete, format!("{c}/c1/agentPools/p1")),
            (Method::Get, format!("{c}/c1/agentPools")),
            (Method::Post, format!("{c}/c1/listClusterUserCredential")),
            (
                Method::Put,
                format!("{c}/c1/providers/Microsoft.Insights/dataCollectionRuleAssociations/a1"),
            ),
            (Method::Post, format!("{c}/c1/listClusterAdminCredential")),
            (
                Method::Get,
                format!(
                    "/subscriptions/{sub}/providers/Microsoft.ContainerService/locations/westus2/kubernetesVersions"
                ),
            ),
        ]
    }
}

/// Agent pools and upgrade profiles.
async fn child(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    ep: &Endpoint,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    match ep {
        Endpoint::ChildResource { child, .. } | Endpoint::ListChildren { child, .. }
            if *child == &DCR_ASSOCIATIONS =>
        {
            aksemu_arm::providers::insights::association(cloud, auth, ep, req).await
        }
        Endpoint::ChildResource {
            child,
            rg,
            name,
            child_name,
            op,
            ..
        } if *child == &AGENT_POOLS => match op {
            RgOp::Get | RgOp::Head => pools::get(cloud, auth, rg, name, child_name).await,
            RgOp::Put | RgOp::Patch => pools::put(cloud, auth, child_name, req).await,
            RgOp::Delete => pools::delete(cloud, auth, child_name, req).await,
        },
        Endpoint::ChildResource {
            rg,
            name,
            child_name,
            op: RgOp::Get | RgOp::Head,
            ..
        } => pools::upgrade_profile(cloud, auth, rg, name, child_name).await,
        Endpoint::ListChildren { child, .. } if *child == &AGENT_POOLS => {
            pools::list(cloud, auth).await
        }
        _ => Err(not_allowed(req)),
    }
}

/// A cluster's private record, and the node group it manages (with
/// everything in it).
async fn cluster_owned(cloud: &Cloud, doc: &Doc) -> Result<Effects, ArmError> {
    if !MANAGED_CLUSTERS.is(doc.body["type"].as_str().unwrap_or_default()) {
        return Ok(Effects::default());
    }
    let mut r = Effects::default();
    r.writes.push(Write::Delete {
        coll: CLUSTER_SECRETS,
        key: doc.key.clone(),
        cond: Cond::Any,
    });
    if let Some(uid) = doc.body["properties"]["resourceUID"].as_str() {
        r.writes.push(Write::Delete {
            coll: CLUSTER_UIDS,
            key: uid.to_string(),
            cond: Cond::Any,
        });
    }
    if let (Some(nrg), Some(sub)) = (
        doc.body["properties"]["nodeResourceGroup"].as_str(),
        ResourceId::parse(&doc.id)?.subscription_id(),
    ) {
        let group = ResourceId::resource_group(sub, nrg);
        // Only the group this cluster manages.
        if let Some(g) = cloud
            .store()
            .get(RESOURCES, group.key())
            .await
            .map_err(store_err)?
            && GroupDoc::parse(&g.body).is_ok_and(|g| g.managed_by_is(&doc.id))
        {
            r.extend(group_removal(cloud, group.key()).await?);
        }
    }
    Ok(r)
}

/// Brings a cluster's node resource group in line with its document. With
/// `previous` (an update), the cluster's own identity makes the changes, and a
/// failure puts the previous document back (marked `Failed`).
/// Its Kubernetes side (nodes) is brought in line before the operation
/// reports Succeeded.
struct Reconcile(Arc<AtomicI64>, crate::PlaneSlot);

#[async_trait]
impl Job<Cloud> for Reconcile {
    fn kind(&self) -> &'static str {
        RECONCILE_CLUSTER
    }

    fn duration_secs(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }

    async fn run(&self, cloud: &Cloud, work: &Work) -> Result<Effects, ArmError> {
        let effects = reconcile::run(cloud, &work.key, work.get("previous").is_some()).await?;
        if let Some(plane) = self.1.get() {
            let stored = effects.writes.iter().rev().find_map(|w| match w {
                Write::Put {
                    coll,
                    key,
                    id,
                    body,
                    ..
                } if *coll == RESOURCES && *key == work.key => {
                    crate::plane::describe(key, id, body)
                }
                _ => None,
            });
            if let Some(mut cluster) = stored {
                cluster.ca_pem = cloud.ca_pem.get().cloned().unwrap_or_default();
                plane.sync(&cluster).await.map_err(plane_err)?;
            }
        }
        Ok(effects)
    }

    async fn failed(&self, cloud: &Cloud, work: &Work) -> Result<Effects, ArmError> {
        reconcile::failed(cloud, &work.key, work.get("previous")).await
    }
}

/// Removes a cluster, its node resource group and what they own.
struct Delete(Arc<AtomicI64>, crate::PlaneSlot);

#[async_trait]
impl Job<Cloud> for Delete {
    fn kind(&self) -> &'static str {
        DELETE_CLUSTER
    }

    fn duration_secs(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }

    async fn run(&self, cloud: &Cloud, work: &Work) -> Result<Effects, ArmError> {
        let effects = cluster::removal(cloud, &work.key).await?;
        let doc = cloud
            .store()
            .get(RESOURCES, &work.key)
            .await
            .map_err(store_err)?;
        let uid = doc
            .as_ref()
            .and_then(|d| d.body["properties"]["resourceUID"].as_str());
        if let (Some(plane), Some(uid)) = (self.1.get(), uid) {
            plane.remove(uid).await.map_err(plane_err)?;
        }
        Ok(effects)
    }
}
