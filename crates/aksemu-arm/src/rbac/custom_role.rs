//! A custom role definition as stored (collection `roleDefinitions`).

use aksemu_authz::{Permission, RoleDefinition};
use aksemu_core::ResourceId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomRole {
    pub name: String,
    pub role_name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
    pub assignable_scopes: Vec<String>,
    pub created_on: String,
    pub updated_on: String,
    pub created_by: String,
    pub updated_by: String,
}

impl CustomRole {
    /// The assignable scopes as ids (any that do not parse are left out; the
    /// write that stored them checked every one).
    pub fn scopes(&self) -> Vec<ResourceId> {
        self.assignable_scopes
            .iter()
            .filter_map(|a| ResourceId::parse(a).ok())
            .collect()
    }

    pub fn definition(&self) -> RoleDefinition {
        RoleDefinition {
            name: self.name.to_lowercase(),
            role_name: self.role_name.clone(),
            description: self.description.clone(),
            built_in: false,
            permissions: self.permissions.clone(),
            assignable_scopes: self.assignable_scopes.clone(),
        }
    }
}
