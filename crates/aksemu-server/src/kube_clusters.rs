//! Wires a cluster's Kubernetes API to its managed-cluster record: the
//! `Clusters` the Kubernetes crate asks, answered from the AKS provider's view
//! (so neither crate depends on the other), and the `ClusterPlane` slot the
//! provider drives nodes through.

use std::sync::Arc;

use aksemu_arm::Cloud;
use aksemu_kube::{ClusterInfo, Clusters, KubeApi, StaticRole};
use async_trait::async_trait;

struct FromAks(Arc<Cloud>, aksemu_aks::api_server::Views);

#[async_trait]
impl Clusters for FromAks {
    async fn cluster(&self, uid: &str) -> Result<Option<ClusterInfo>, String> {
        let view = self.1.view(&self.0, uid).await.map_err(|e| e.to_string())?;
        Ok(view.map(|v| {
            let mut static_tokens: Vec<(String, StaticRole)> = v
                .admin_tokens
                .into_iter()
                .map(|t| (t, StaticRole::Admin))
                .collect();
            static_tokens.extend(v.monitoring_token.map(|t| (t, StaticRole::Monitoring)));
            ClusterInfo {
                uid: v.uid,
                kubernetes_version: v.kubernetes_version,
                static_tokens,
                oidc_issuer: v.oidc_issuer,
                service_cidr: v.service_cidr,
                workload_identity: v.workload_identity,
                tenant_id: v.tenant_id,
            }
        }))
    }
}

/// The clusters' OIDC issuers, for Entra's federated token exchange.
struct Issuers(Arc<KubeApi>);

#[async_trait]
impl aksemu_entra::resources::FederatedIssuers for Issuers {
    async fn keys(&self, issuer: &str) -> Option<Vec<Arc<aksemu_identity::SigningKey>>> {
        self.0.issuer_keys(issuer).await.ok().flatten()
    }
}

/// The Kubernetes API over `store`, reading clusters from `cloud`, and
/// plugged into the AKS provider's slot and Entra's federated issuers.
pub fn wire(
    cloud: &Arc<Cloud>,
    store: Arc<dyn aksemu_store::Store>,
    clock: Arc<dyn aksemu_core::Clock>,
    slot: &aksemu_aks::PlaneSlot,
) -> Arc<KubeApi> {
    let kube = KubeApi::new(
        store,
        clock,
        Arc::new(FromAks(cloud.clone(), Default::default())),
    );
    let _ = slot.set(aksemu_kube::plane::as_plane(&kube));
    cloud.entra.set_issuers(Arc::new(Issuers(kube.clone())));
    kube
}
