//! Finding a principal by what a person types: an object id, an application
//! (client) id, a user principal name, a managed identity's resource id, or a
//! display name (unique in the tenant).

use aksemu_core::{ArmError, Principal, PrincipalKind};
use aksemu_identity::ServicePrincipal;
use aksemu_store::store_err;

use crate::Entra;
use crate::collections::SERVICE_PRINCIPALS;

/// A principal of the directory, with the name a person knows it by.
#[derive(Debug, Clone)]
pub struct Named {
    pub principal: Principal,
    pub display_name: String,
    /// The account may sign in (`accountEnabled`).
    pub enabled: bool,
}

impl Entra {
    /// Every service principal of the tenant (applications and managed identities).
    pub async fn service_principals(&self) -> Result<Vec<ServicePrincipal>, ArmError> {
        let docs = self
            .store
            .list(SERVICE_PRINCIPALS, "")
            .await
            .map_err(store_err)?;
        Ok(docs
            .into_iter()
            .filter_map(|d| serde_json::from_value::<ServicePrincipal>(d.body).ok())
            .filter(|sp| sp.tenant_id.eq_ignore_ascii_case(&self.tenant_id))
            .collect())
    }

    /// The principal `needle` names, with its groups, or a clear error.
    pub async fn find_principal(&self, needle: &str) -> Result<Named, ArmError> {
        let needle = needle.trim();
        let found = match self.by_id(needle).await? {
            Some(n) => n,
            None => self.by_name(needle).await?,
        };
        let groups = self.member_group_ids(&found.principal.object_id).await?;
        Ok(Named {
            principal: Principal {
                groups,
                ..found.principal
            },
            ..found
        })
    }

    async fn by_id(&self, needle: &str) -> Result<Option<Named>, ArmError> {
        if let Some((_, u)) = self.user(needle).await? {
            return Ok(Some(self.named_user(
                u.id,
                u.display_name,
                u.account_enabled,
            )));
        }
        if let Some((_, sp)) = self.service_principal(needle).await? {
            return Ok(Some(self.named_sp(sp)));
        }
        let by_app = self
            .service_principal_by_app_id(&self.tenant_id, needle)
            .await?;
        Ok(by_app.map(|(_, sp)| self.named_sp(sp)))
    }

    /// A managed identity's resource id or a unique display name.
    async fn by_name(&self, needle: &str) -> Result<Named, ArmError> {
        let mut hits: Vec<Named> = Vec::new();
        for sp in self.service_principals().await? {
            let by_resource = needle.starts_with('/')
                && sp
                    .service_principal_names
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(needle));
            if by_resource || sp.display_name.eq_ignore_ascii_case(needle) {
                hits.push(self.named_sp(sp));
            }
        }
        for u in self.users().await? {
            if u.display_name.eq_ignore_ascii_case(needle) {
                hits.push(self.named_user(u.id, u.display_name, u.account_enabled));
            }
        }
        match hits.len() {
            1 => Ok(hits.remove(0)),
            0 => Err(ArmError::InvalidRequestContent(format!(
                "no principal '{needle}' in the directory (give an object id, an application id, a user principal name, a managed identity's resource id or a display name)"
            ))),
            n => Err(ArmError::InvalidRequestContent(format!(
                "{n} principals are named '{needle}': give an object id instead ({})",
                hits.iter()
                    .map(|h| h.principal.object_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    fn named_sp(&self, sp: ServicePrincipal) -> Named {
        let kind = if sp.service_principal_type == "ManagedIdentity" {
            PrincipalKind::ManagedIdentity
        } else {
            PrincipalKind::Application
        };
        Named {
            principal: Principal {
                object_id: sp.id.to_lowercase(),
                app_id: sp.app_id,
                tenant_id: self.tenant_id.clone(),
                kind,
                groups: Vec::new(),
            },
            display_name: sp.display_name,
            enabled: sp.account_enabled,
        }
    }

    fn named_user(&self, id: String, display_name: String, enabled: bool) -> Named {
        Named {
            principal: Principal {
                object_id: id.to_lowercase(),
                app_id: String::new(),
                tenant_id: self.tenant_id.clone(),
                kind: PrincipalKind::User,
                groups: Vec::new(),
            },
            display_name,
            enabled,
        }
    }
}
