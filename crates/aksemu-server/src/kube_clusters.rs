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
                entra: v.entra.map(|e| aksemu_kube::EntraAuth {
                    admin_groups: e.admin_groups,
                    azure_rbac: e.azure_rbac,
                }),
                resource_id: v.resource_id,
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

/// The AKS server application: what Entra-integrated clusters' tokens are for.
const AKS_SERVER_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

/// Entra tokens for the AKS server application, verified by the token
/// service's keys (signature, issuer, tenant, audience, lifetime).
struct EntraForClusters(Arc<Cloud>);

#[async_trait]
impl aksemu_kube::EntraTokens for EntraForClusters {
    async fn verify(&self, token: &str) -> Result<aksemu_kube::EntraCaller, String> {
        let entra = &self.0.entra;
        let auds = [AKS_SERVER_APP, "spn:6dae42f8-4368-4678-94ff-3960e28e3630"];
        let principal = entra
            .authenticate_for(Some(&format!("Bearer {token}")), &auds)
            .map_err(|e| e.to_string())?;
        // Verified above: the payload is read for the claims Principal omits.
        let claims = aksemu_identity::jwt::unverified(token);
        let user = principal.kind == aksemu_core::PrincipalKind::User;
        let overage = claims.get("_claim_names").is_some();
        let groups = match (overage, user) {
            (false, _) => principal.groups.clone(),
            (true, true) => entra
                .member_group_ids(&principal.object_id)
                .await
                .map_err(|e| e.to_string())?,
            (true, false) => {
                return Err("service principal with group membership exceeding 200 is not supported. See https://learn.microsoft.com/en-us/azure/aks/kubelogin-authentication#kubelogin-authentication-in-aks-limitations".into());
            }
        };
        let username = match claims["upn"].as_str() {
            Some(upn) if user => upn.to_string(),
            _ => principal.object_id.clone(),
        };
        Ok(aksemu_kube::EntraCaller {
            username,
            object_id: principal.object_id,
            groups,
        })
    }
}

/// Azure RBAC data-action decisions through ARM's gate (the same evaluator,
/// propagation windows and cloud clock as every ARM request).
struct AzureRbacForClusters(Arc<Cloud>);

#[async_trait]
impl aksemu_kube::AzureRbac for AzureRbacForClusters {
    async fn allows(&self, object_id: &str, groups: &[String], action: &str, scope: &str) -> bool {
        let Ok(scope) = aksemu_core::ResourceId::parse(scope) else {
            return false;
        };
        let principal = aksemu_core::Principal {
            object_id: object_id.to_string(),
            app_id: String::new(),
            tenant_id: self.0.entra.tenant_id.clone(),
            kind: aksemu_core::PrincipalKind::User,
            groups: groups.to_vec(),
        };
        aksemu_arm::gate::authorize_data(&self.0, &principal, action, &scope).is_ok()
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
    kube.set_entra_tokens(Arc::new(EntraForClusters(cloud.clone())));
    kube.set_azure_rbac(Arc::new(AzureRbacForClusters(cloud.clone())));
    kube
}
