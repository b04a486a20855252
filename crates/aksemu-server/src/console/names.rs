//! Display names of principals, for pages that show object ids.

use std::collections::HashMap;

use aksemu_arm::Cloud;
use aksemu_core::{ArmError, Principal, PrincipalKind};

/// Object id → (display name, kind), read once per page.
pub struct Names(HashMap<String, (String, PrincipalKind)>);

impl Names {
    /// The directory's names; none if it cannot be read (ids are shown).
    pub async fn load(cloud: &Cloud) -> Self {
        Self::try_load(cloud)
            .await
            .unwrap_or_else(|_| Self(HashMap::new()))
    }

    pub async fn try_load(cloud: &Cloud) -> Result<Self, ArmError> {
        let mut m = HashMap::new();
        for sp in cloud.entra.service_principals().await? {
            let kind = if sp.service_principal_type == "ManagedIdentity" {
                PrincipalKind::ManagedIdentity
            } else {
                PrincipalKind::Application
            };
            m.insert(sp.id.to_lowercase(), (sp.display_name, kind));
        }
        for u in cloud.entra.users().await? {
            m.insert(u.id.to_lowercase(), (u.display_name, PrincipalKind::User));
        }
        Ok(Self(m))
    }

    /// What the directory says `object_id` is, if it knows it.
    pub fn kind(&self, object_id: &str) -> Option<PrincipalKind> {
        self.0.get(&object_id.to_lowercase()).map(|(_, k)| *k)
    }

    pub fn name<'a>(&'a self, object_id: &'a str) -> &'a str {
        self.0
            .get(&object_id.to_lowercase())
            .map_or(object_id, |(n, _)| n.as_str())
    }

    /// A principal to name in an `az role assignment create` command.
    pub fn principal(&self, object_id: &str) -> Principal {
        let kind = self.kind(object_id).unwrap_or(PrincipalKind::Application);
        Principal {
            object_id: object_id.to_string(),
            app_id: String::new(),
            tenant_id: String::new(),
            kind,
            groups: Vec::new(),
        }
    }
}
