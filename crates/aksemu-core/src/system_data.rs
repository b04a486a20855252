//! ARM `systemData`: who created and last modified a resource, and when.

use serde::{Deserialize, Serialize};

use crate::Principal;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemData {
    pub created_by: String,
    pub created_by_type: String,
    pub created_at: String,
    pub last_modified_by: String,
    pub last_modified_by_type: String,
    pub last_modified_at: String,
}

impl SystemData {
    pub fn created(by: &Principal, at: &str) -> Self {
        Self {
            created_by: by.app_id.clone(),
            created_by_type: by.kind.created_by_type().to_string(),
            created_at: at.to_string(),
            last_modified_by: by.app_id.clone(),
            last_modified_by_type: by.kind.created_by_type().to_string(),
            last_modified_at: at.to_string(),
        }
    }

    pub fn modified(mut self, by: &Principal, at: &str) -> Self {
        self.last_modified_by = by.app_id.clone();
        self.last_modified_by_type = by.kind.created_by_type().to_string();
        self.last_modified_at = at.to_string();
        self
    }
}
