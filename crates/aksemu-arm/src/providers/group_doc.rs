//! A resource group as stored and answered: the fields the code reasons about
//! typed (location, `managedBy`, tags, provisioning state), anything else a
//! document carries kept as it was.

use aksemu_core::{ArmError, ResourceId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const TYPE: &str = "Microsoft.Resources/resourceGroups";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupDoc {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub location: String,
    /// The resource that owns the group (an AKS cluster for its node group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Value>,
    #[serde(default)]
    pub properties: GroupProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_data: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupProperties {
    pub provisioning_state: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for GroupProperties {
    fn default() -> Self {
        Self {
            provisioning_state: "Succeeded".to_string(),
            extra: Map::new(),
        }
    }
}

impl GroupDoc {
    /// A provisioned group at `id` (its name casing is the id's).
    pub fn new(id: &ResourceId, location: &str) -> Self {
        Self {
            id: id.as_str().to_string(),
            name: id.resource_group_name().unwrap_or_default().to_string(),
            kind: TYPE.to_string(),
            location: location.to_string(),
            managed_by: None,
            tags: None,
            properties: GroupProperties::default(),
            system_data: None,
            extra: Map::new(),
        }
    }

    pub fn parse(body: &Value) -> Result<Self, ArmError> {
        Self::deserialize(body).map_err(|_| ArmError::InternalServerError)
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    pub fn is_deleting(&self) -> bool {
        self.properties.provisioning_state == "Deleting"
    }

    /// Whether `owner` (a resource id, any case) manages the group.
    pub fn managed_by_is(&self, owner: &str) -> bool {
        self.managed_by
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case(owner))
    }
}
