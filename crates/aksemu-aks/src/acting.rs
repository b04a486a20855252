//! A cluster acting as itself. After creation, AKS changes the node resource
//! group with the cluster's own identity, and so does aksemu: it obtains a token
//! the way AKS would (a service principal signs in with the cluster's stored
//! secret at the token endpoint; a managed identity's token is minted as the
//! managed-identity endpoint mints it), authenticates it like any caller's, and
//! puts every change of the node-group batch through the authorisation gate.
//! An expired secret, a missing role or an assignment that has not propagated
//! yet fails the operation with Azure's error.

use std::collections::HashMap;

use aksemu_core::IdentityBlock;
use aksemu_core::{ArmError, Principal, ResourceId};
use aksemu_identity::OAuthError;
use aksemu_identity::grant::{EndpointVersion, app_token_claims};
use aksemu_identity::mint;
use aksemu_store::{Doc, Write};
use serde_json::Value;
use time::OffsetDateTime;

use crate::identity::invalid_credentials;
use crate::names::CLUSTER_SECRETS;
use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;
use aksemu_arm::endpoint;
use aksemu_arm::gate::authorize;
use aksemu_core::request::Method;
use aksemu_store::store_err;

const ARM: &str = "https://management.azure.com/";
pub use aksemu_arm::providers::network::SUBNET_JOIN;

/// How a failed sign-in of the cluster's service principal is reported.
/// (It is given the tenant the secret was tried at.)
pub type OnBadSecret = fn(&OAuthError, &str) -> ArmError;

/// The cluster's identity as an authenticated caller (a bad service-principal
/// secret is AKS's "credentials in ServicePrincipalProfile were invalid").
pub async fn sign_in(cloud: &Cloud, cluster: &Doc) -> Result<Principal, ArmError> {
    sign_in_reporting(cloud, cluster, |e, _| invalid_credentials(e)).await
}

/// `sign_in`, with a bad service-principal secret reported by `on_bad_secret`
/// (a component in the cluster prints the credential's own error instead).
pub async fn sign_in_reporting(
    cloud: &Cloud,
    cluster: &Doc,
    on_bad_secret: OnBadSecret,
) -> Result<Principal, ArmError> {
    let token = cluster_token(cloud, cluster, ARM, on_bad_secret).await?;
    cloud.entra.authenticate(Some(&format!("Bearer {token}")))
}

/// A token for `audience` as the cluster identity: its service principal
/// signs in with the stored secret, a managed identity's token is minted as
/// the managed-identity endpoint mints it.
pub async fn cluster_token(
    cloud: &Cloud,
    cluster: &Doc,
    audience: &str,
    on_bad_secret: OnBadSecret,
) -> Result<String, ArmError> {
    match cluster.body["properties"]["servicePrincipalProfile"]["clientId"].as_str() {
        Some(app) if !app.eq_ignore_ascii_case("msi") => {
            let secret = cloud
                .store()
                .get(CLUSTER_SECRETS, &cluster.key)
                .await
                .map_err(store_err)?
                .and_then(|d| {
                    d.body["servicePrincipalSecret"]
                        .as_str()
                        .map(str::to_string)
                })
                .unwrap_or_default();
            client_credentials(cloud, app, &secret, audience)
                .await
                .map_err(|e| on_bad_secret(&e, &cloud.entra.tenant_id))
        }
        _ => managed_identity_token(cloud, cluster, audience).await,
    }
}

/// Signs a service principal in at the token endpoint (client credentials for
/// ARM), as AKS does with a cluster's credential; a failure is AKS's
/// "credentials in ServicePrincipalProfile were invalid" with the AADSTS detail.
pub async fn service_principal_token(
    cloud: &Cloud,
    app_id: &str,
    secret: &str,
) -> Result<String, ArmError> {
    client_credentials(cloud, app_id, secret, ARM)
        .await
        .map_err(|e| invalid_credentials(&e))
}

/// The client-credentials grant for `resource`, at the token endpoint.
async fn client_credentials(
    cloud: &Cloud,
    app_id: &str,
    secret: &str,
    resource: &str,
) -> Result<String, OAuthError> {
    let form: HashMap<String, String> = [
        ("grant_type", "client_credentials"),
        ("client_id", app_id),
        ("client_secret", secret),
        ("resource", resource),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Ok(cloud
        .entra
        .issue_token(
            &cloud.entra.tenant_id,
            &form,
            None,
            EndpointVersion::V1,
            ARM,
        )
        .await?
        .access_token)
}

async fn managed_identity_token(
    cloud: &Cloud,
    cluster: &Doc,
    audience: &str,
) -> Result<String, ArmError> {
    let identity = IdentityBlock::of(&cluster.body).ok_or(ArmError::InternalServerError)?;
    // The system-assigned identity names the cluster; a user-assigned one, itself.
    let (principal, mirid) = match identity.principal_id.as_deref() {
        Some(p) => (p.to_string(), cluster.id.clone()),
        None => identity
            .attached()
            .find_map(|a| Some((a.principal_id?.to_string(), a.resource_id.to_string())))
            .ok_or(ArmError::InternalServerError)?,
    };
    identity_token(cloud, &principal, mirid, audience).await
}

/// The kubelet identity (`identityProfile.kubeletidentity`) as an
/// authenticated ARM caller: what the nodes' cloud calls sign in as.
pub async fn kubelet_sign_in(
    cloud: &Cloud,
    cluster: &Doc,
    on_bad_secret: OnBadSecret,
) -> Result<Principal, ArmError> {
    let token = kubelet_token(cloud, cluster, ARM, on_bad_secret).await?;
    cloud.entra.authenticate(Some(&format!("Bearer {token}")))
}

/// A token for `audience` as the kubelet identity (a service-principal
/// cluster's nodes use the service principal).
pub async fn kubelet_token(
    cloud: &Cloud,
    cluster: &Doc,
    audience: &str,
    on_bad_secret: OnBadSecret,
) -> Result<String, ArmError> {
    let kubelet = &cluster.body["properties"]["identityProfile"]["kubeletidentity"];
    match (kubelet["objectId"].as_str(), kubelet["resourceId"].as_str()) {
        (Some(principal), Some(mirid)) => {
            identity_token(cloud, principal, mirid.to_string(), audience).await
        }
        _ => cluster_token(cloud, cluster, audience, on_bad_secret).await,
    }
}

/// A managed identity's token, minted as the managed-identity endpoint mints it.
async fn identity_token(
    cloud: &Cloud,
    principal: &str,
    mirid: String,
    audience: &str,
) -> Result<String, ArmError> {
    let (_, sp) = cloud
        .entra
        .service_principal(principal)
        .await?
        .ok_or_else(|| {
            ArmError::BadRequest(format!(
                "The cluster identity '{principal}' does not exist in the directory any more."
            ))
        })?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let mut claims = app_token_claims(&sp, audience, now, cloud.entra.token_lifetime_secs, "2");
    claims.xms_mirid = Some(mirid);
    let key = cloud
        .entra
        .signing_key()
        .ok_or(ArmError::InternalServerError)?;
    Ok(mint(key, &claims))
}

/// Authorises, as `principal`, every node-group resource write in `writes`, and
/// `subnets/join/action` on each subnet a written scale set joins.
pub async fn authorize_writes(
    cloud: &Cloud,
    principal: &Principal,
    group: &ResourceId,
    writes: &[Write],
) -> Result<(), ArmError> {
    let prefix = group.descendant_prefix();
    for w in writes {
        let (method, id, body) = match w {
            Write::Put { coll, id, body, .. } if *coll == RESOURCES => {
                (Method::Put, id.clone(), Some(body))
            }
            Write::Delete { coll, key, .. } if *coll == RESOURCES => {
                (Method::Delete, key.clone(), None)
            }
            _ => continue,
        };
        let rid = ResourceId::parse(&id)?;
        if !rid.key().starts_with(&prefix) {
            continue;
        }
        let ep = endpoint::parse(
            cloud.registry().catalogue(),
            method,
            rid.as_str(),
            Some("2024-11-01"),
        )?;
        authorize(cloud, principal, &ep).await?;
        for subnet in body.map(joined_subnets).unwrap_or_default() {
            let s = ResourceId::parse(&subnet)?;
            if !s.key().starts_with(&prefix) {
                cloud.rbac.require(principal, SUBNET_JOIN, &s)?;
            }
        }
    }
    Ok(())
}

fn joined_subnets(vmss: &Value) -> Vec<String> {
    vmss["properties"]["virtualMachineProfile"]["networkProfile"]["networkInterfaceConfigurations"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|nic| {
            nic["properties"]["ipConfigurations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|ip| {
                    ip["properties"]["subnet"]["id"]
                        .as_str()
                        .map(str::to_string)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}
