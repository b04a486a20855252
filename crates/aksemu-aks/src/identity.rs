//! The identity rules of AKS clusters: a system- or user-assigned control
//! plane (exactly one user-assigned identity, which the caller must be allowed to
//! assign) or a service principal, a brought kubelet identity, and "managed
//! identity can only be chosen at creation".

use aksemu_core::IdentityBlock;
use aksemu_core::{ArmError, Principal, PrincipalKind};
use serde_json::{Map, Value, json};

use crate::defaults::{invalid, text};
use aksemu_arm::cloud::Cloud;

/// AKS's answer when the cluster's service principal cannot sign in.
pub fn invalid_credentials(e: &aksemu_identity::OAuthError) -> ArmError {
    ArmError::BadRequest(format!(
        "The credentials in ServicePrincipalProfile were invalid. Please see https://aka.ms/aks-sp-help for more details. (Details: adal: Refresh request failed. Status Code = '{}'. Response body: {{\"error\":\"{}\",\"error_description\":{}}})",
        e.status(),
        e.error(),
        serde_json::Value::String(e.to_string()),
    ))
}

/// How the control plane authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    System,
    /// The one user-assigned identity's resource id, as requested.
    User(String),
    /// A service principal's appId.
    ServicePrincipal(String),
}

pub fn requested_mode(body: &Map<String, Value>, props: &Value) -> Result<Option<Mode>, ArmError> {
    let sp = props
        .get("servicePrincipalProfile")
        .and_then(|p| text(p, "clientId"))
        .filter(|c| !c.eq_ignore_ascii_case("msi"));
    let identity = body.get("identity").filter(|i| !i.is_null());
    let kind = identity
        .and_then(|i| text(i, "type"))
        .map(str::to_ascii_lowercase);
    match kind.as_deref() {
        Some("systemassigned") => Ok(Some(Mode::System)),
        Some("userassigned") => {
            let ids = identity
                .and_then(|i| i.get("userAssignedIdentities"))
                .and_then(Value::as_object);
            match ids.map(|m| m.keys().collect::<Vec<_>>()).as_deref() {
                Some([one]) => Ok(Some(Mode::User(one.to_string()))),
                _ => Err(invalid(
                    "identity.userAssignedIdentities",
                    "The user assigned identity for the cluster must be exactly one: only one user assigned identity is supported. Please see https://aka.ms/aks/identity",
                )),
            }
        }
        Some("none") | None => Ok(sp.map(|c| Mode::ServicePrincipal(c.to_string()))),
        Some(_) => Err(ArmError::InvalidIdentityType(
            identity
                .and_then(|i| text(i, "type"))
                .unwrap_or_default()
                .to_string(),
        )),
    }
}

pub fn stored_mode(doc: &Value) -> Mode {
    let identity = IdentityBlock::of(doc).unwrap_or_default();
    match identity.kind.as_str() {
        "SystemAssigned" => Mode::System,
        "UserAssigned" => Mode::User(
            identity
                .attached()
                .next()
                .map(|a| a.resource_id.to_string())
                .unwrap_or_default(),
        ),
        _ => Mode::ServicePrincipal(
            doc["properties"]["servicePrincipalProfile"]["clientId"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
    }
}

/// The identity rules for an update.
pub fn check_mode_change(old: &Mode, new: Option<&Mode>) -> Result<(), ArmError> {
    match (old, new) {
        (_, None) => Ok(()),
        (Mode::ServicePrincipal(_), Some(Mode::System | Mode::User(_))) => Err(ArmError::BadRequest(
            "Migrating the cluster to MSI cluster is not allowed: managed identity can only be enabled when the cluster is created. Please see https://aka.ms/aks/managed-identity".into(),
        )),
        (Mode::System | Mode::User(_), Some(Mode::ServicePrincipal(_))) => Err(ArmError::BadRequest(
            "Updating service principal profile is not allowed on MSI cluster.".into(),
        )),
        (Mode::ServicePrincipal(a), Some(Mode::ServicePrincipal(b))) if !a.eq_ignore_ascii_case(b) => {
            Err(ArmError::BadRequest(
                "The service principal of a cluster can only be changed with resetServicePrincipalProfile (az aks update-credentials --reset-service-principal).".into(),
            ))
        }
        (Mode::System, Some(Mode::User(_))) | (Mode::User(_), Some(Mode::System)) => Err(ArmError::BadRequest(
            "Changing the type of the cluster identity is not supported by aksemu; create the cluster with the identity it needs.".into(),
        )),
        (Mode::User(a), Some(Mode::User(b))) if !a.eq_ignore_ascii_case(b) => Err(ArmError::BadRequest(
            "Changing the user-assigned identity of the cluster is not supported by aksemu.".into(),
        )),
        _ => Ok(()),
    }
}

/// How clusters name a user-assigned identity (kubelet, add-ons): its id,
/// clientId and principal (objectId), from its document's body.
pub fn identity_ref(uami: &Value) -> Value {
    json!({
        "resourceId": uami["id"],
        "clientId": uami["properties"]["clientId"],
        "objectId": uami["properties"]["principalId"],
    })
}

/// A principal as the authorisation evaluator sees it, for checks made on the
/// cluster identity's behalf.
pub fn as_principal(cloud: &Cloud, object_id: &str, app_id: &str) -> Principal {
    Principal {
        object_id: object_id.to_string(),
        app_id: app_id.to_string(),
        tenant_id: cloud.entra.tenant_id.clone(),
        kind: PrincipalKind::ManagedIdentity,
        groups: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_can_only_be_chosen_at_creation() {
        let sp = Mode::ServicePrincipal("a".into());
        assert_eq!(
            check_mode_change(&sp, Some(&Mode::System))
                .unwrap_err()
                .code(),
            "BadRequest"
        );
        assert_eq!(
            check_mode_change(&Mode::System, Some(&sp))
                .unwrap_err()
                .code(),
            "BadRequest"
        );
        assert!(check_mode_change(&Mode::System, None).is_ok());
        assert!(check_mode_change(&Mode::System, Some(&Mode::System)).is_ok());
    }
}
