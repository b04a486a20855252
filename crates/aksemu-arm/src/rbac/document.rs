//! A role assignment as stored and answered (`Microsoft.Authorization/
//! roleAssignments`): the fields the code reasons about are typed, anything
//! else a document carries is kept as it was.

use aksemu_authz::role::role_guid;
use aksemu_core::{ArmError, ResourceId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const TYPE: &str = "Microsoft.Authorization/roleAssignments";

/// The id of the assignment `name` at `scope`.
pub fn assignment_id(scope: &ResourceId, name: &str) -> ResourceId {
    scope.child(&[
        "providers",
        "Microsoft.Authorization",
        "roleAssignments",
        name,
    ])
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredAssignment {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub properties: AssignmentProperties,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentProperties {
    pub role_definition_id: String,
    pub principal_id: String,
    #[serde(default)]
    pub principal_type: Option<String>,
    pub scope: String,
    #[serde(default)]
    pub condition: Option<String>,
    #[serde(default)]
    pub condition_version: Option<String>,
    #[serde(default)]
    pub created_on: Option<String>,
    #[serde(default)]
    pub updated_on: Option<String>,
    /// Absent for what aksemu or a provider assigned itself (in effect at once).
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub updated_by: Option<String>,
    #[serde(default)]
    pub delegated_managed_identity_resource_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Set on the tombstone a deletion leaves while it propagates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_on: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl StoredAssignment {
    /// An assignment named `name` at `scope`, with the given properties.
    pub fn new(scope: &ResourceId, name: &str, properties: AssignmentProperties) -> Self {
        let id = assignment_id(scope, name);
        Self {
            id: id.as_str().to_string(),
            name: name.to_string(),
            kind: TYPE.to_string(),
            properties,
            extra: Map::new(),
        }
    }

    pub fn parse(body: &Value) -> Result<Self, ArmError> {
        Self::deserialize(body).map_err(|_| ArmError::InternalServerError)
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The role definition's GUID.
    pub fn role(&self) -> String {
        role_guid(&self.properties.role_definition_id)
    }

    pub fn scope(&self) -> Result<ResourceId, ArmError> {
        ResourceId::parse(&self.properties.scope)
    }
}
