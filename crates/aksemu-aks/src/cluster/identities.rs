//! The cluster's identities on PUT: the control plane's (system-assigned,
//! one user-assigned identity, or a service principal whose secret AKS signs in
//! with) and the kubelet's (brought on create, or AKS's own later).

use aksemu_arm::Cloud;
use aksemu_arm::providers::identity_block::{self, ASSIGN_ACTION, assignable_identity};
use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::Write;
use serde_json::{Value, json};

use super::validate::Request;
use crate::acting;
use crate::defaults::{invalid, text};
use crate::identity::{Mode, as_principal, identity_ref};

/// The control plane's identity block and principal, and the writes they need.
pub struct ControlPlane {
    pub identity: Option<Value>,
    /// (principal id, client id) of a managed identity.
    pub principal: Option<(String, String)>,
    pub writes: Vec<Write>,
}

/// The control-plane identity; a service principal's secret goes to `secrets`.
pub async fn control_plane(
    cloud: &Cloud,
    auth: &Authorized,
    r: &Request,
    secrets: &mut Value,
) -> Result<ControlPlane, ArmError> {
    match &r.mode {
        Mode::System => system_assigned(cloud, auth, r).await,
        Mode::User(raw) => {
            // Checked on every PUT, as AKS does.
            let doc = assignable_identity(cloud, auth, raw).await?;
            let p = &doc.body["properties"];
            let principal = p["principalId"].as_str().unwrap_or_default().to_string();
            let client = p["clientId"].as_str().unwrap_or_default().to_string();
            let identity = json!({
                "type": "UserAssigned",
                "userAssignedIdentities": { doc.id.clone(): {"principalId": principal, "clientId": client} },
            });
            Ok(ControlPlane {
                identity: Some(identity),
                principal: Some((principal, client)),
                writes: Vec::new(),
            })
        }
        Mode::ServicePrincipal(app_id) => {
            service_principal_secret(cloud, r, app_id, secrets).await?;
            Ok(ControlPlane {
                identity: None,
                principal: None,
                writes: Vec::new(),
            })
        }
    }
}

async fn system_assigned(
    cloud: &Cloud,
    auth: &Authorized,
    r: &Request,
) -> Result<ControlPlane, ArmError> {
    let out = identity_block::apply(
        cloud,
        auth,
        &r.target.id,
        r.old().map(|b| &b["identity"]),
        Some(&json!({"type": "SystemAssigned"})),
    )
    .await?;
    let principal = out
        .identity
        .as_ref()
        .and_then(|i| i["principalId"].as_str())
        .unwrap_or_default()
        .to_string();
    Ok(ControlPlane {
        identity: out.identity,
        principal: Some((principal, String::new())),
        writes: out.writes,
    })
}

/// A new service-principal cluster needs the secret, and AKS really signs in
/// with it before accepting it; updates keep the stored one.
async fn service_principal_secret(
    cloud: &Cloud,
    r: &Request,
    app_id: &str,
    secrets: &mut Value,
) -> Result<(), ArmError> {
    let secret = r
        .props
        .get("servicePrincipalProfile")
        .and_then(|p| text(p, "secret"));
    match (secret, &r.target.existing) {
        (Some(s), None) => {
            if s.len() > 190 {
                return Err(invalid(
                    "servicePrincipalProfile.secret",
                    "The service principal client secret is too long: the maximum length is 190 bytes.",
                ));
            }
            acting::service_principal_token(cloud, app_id, s).await?;
            secrets["servicePrincipalSecret"] = json!(s);
            Ok(())
        }
        (None, None) => Err(invalid(
            "servicePrincipalProfile.secret",
            "The secret of the service principal is required.",
        )),
        _ => Ok(()),
    }
}

/// The `identityProfile`: the kubelet identity brought on create (the control
/// plane must be allowed to assign it), kept unchanged on update.
pub async fn kubelet_profile(
    cloud: &Cloud,
    auth: &Authorized,
    r: &Request,
    control_plane: &ControlPlane,
) -> Result<Option<Value>, ArmError> {
    let requested = r
        .props
        .get("identityProfile")
        .and_then(|p| p.get("kubeletidentity"))
        .and_then(|k| text(k, "resourceId"));
    let stored = r
        .old_props()
        .map(|p| &p["identityProfile"]["kubeletidentity"])
        .filter(|s| s.is_object());
    match (requested, stored) {
        (Some(r), Some(s)) => {
            let have = s["resourceId"].as_str().unwrap_or_default();
            if !have.eq_ignore_ascii_case(r) {
                return Err(ArmError::ChangeKubeletIdentityNotAllowed(format!(
                    "Change kubelet identity from ResourceID: {have} ClientID: {} ObjectID: {} to ResourceID: {r} is not allowed.",
                    s["clientId"].as_str().unwrap_or_default(),
                    s["objectId"].as_str().unwrap_or_default(),
                )));
            }
            Ok(Some(json!({ "kubeletidentity": s })))
        }
        (Some(kubelet), None) => brought_kubelet(cloud, auth, r, kubelet, control_plane)
            .await
            .map(Some),
        (None, Some(s)) => Ok(Some(json!({ "kubeletidentity": s }))),
        (None, None) => Ok(None),
    }
}

/// A kubelet identity brought on create: only with a user-assigned control
/// plane, which must hold the assign action on it.
async fn brought_kubelet(
    cloud: &Cloud,
    auth: &Authorized,
    r: &Request,
    kubelet: &str,
    control_plane: &ControlPlane,
) -> Result<Value, ArmError> {
    let Mode::User(_) = r.mode else {
        return Err(ArmError::CustomKubeletIdentityOnlySupportedOnUserAssignedMsiCluster);
    };
    let doc = assignable_identity(cloud, auth, kubelet).await?;
    let (cp_principal, cp_client) = control_plane.principal.clone().unwrap_or_default();
    let kubelet_id = ResourceId::parse(&doc.id)?;
    let control_plane = as_principal(cloud, &cp_principal, &cp_client);
    if !cloud
        .rbac
        .allows(&control_plane, ASSIGN_ACTION, &kubelet_id)
    {
        return Err(ArmError::CustomKubeletIdentityMissingPermission {
            client_id: cp_client,
            kubelet_id: doc.id.clone(),
        });
    }
    Ok(json!({ "kubeletidentity": identity_ref(&doc.body) }))
}
