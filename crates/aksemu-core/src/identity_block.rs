//! The `identity` block of an ARM resource (`SystemAssigned`, `UserAssigned`,
//! both, or `None`), as ARM stores and answers it: the principal of the
//! resource's own identity and the user-assigned identities attached, by
//! resource id. Unknown fields are kept.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityBlock {
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The system-assigned identity's principal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// Attached user-assigned identities, by resource id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_assigned_identities: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One attached user-assigned identity.
#[derive(Debug, Clone, PartialEq)]
pub struct Attached<'a> {
    pub resource_id: &'a str,
    pub principal_id: Option<&'a str>,
    pub client_id: Option<&'a str>,
}

impl IdentityBlock {
    /// The block of a resource document (`None` when it has none).
    pub fn of(resource: &Value) -> Option<Self> {
        let v = resource.get("identity").filter(|v| v.is_object())?;
        Self::deserialize(v).ok()
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    pub fn attached(&self) -> impl Iterator<Item = Attached<'_>> {
        self.user_assigned_identities
            .iter()
            .flatten()
            .map(|(id, v)| Attached {
                resource_id: id,
                principal_id: v.get("principalId").and_then(Value::as_str),
                client_id: v.get("clientId").and_then(Value::as_str),
            })
    }

    /// The principal that acts for the resource: its own identity's, else the
    /// first attached identity's.
    pub fn acting_principal(&self) -> Option<&str> {
        self.principal_id
            .as_deref()
            .or_else(|| self.attached().find_map(|a| a.principal_id))
    }
}
