//! Hosts: what a managed-identity endpoint answers for. A host is either a
//! registered set of user-assigned identities or an ARM resource (a scale set)
//! whose `identity` block is read on every request, so changes apply at once.

use aksemu_core::{ArmError, IdentityBlock, ResourceId};
use aksemu_identity::secret;
use aksemu_store::{Cond, Write, store_err};

use super::{Host, ImdsError};
use crate::Entra;
use crate::collections::HOSTS;

/// An identity a host can present.
pub(super) struct Candidate {
    /// `xms_mirid`: the identity's id, or the host's for its system-assigned identity.
    pub resource_id: String,
    pub client_id: String,
    pub principal_id: String,
    pub system: bool,
}

impl Entra {
    pub(super) async fn host(&self, token: &str) -> Result<Option<Host>, ImdsError> {
        let doc = self.store.get_raw(HOSTS, token).await;
        let doc = doc.map_err(|_| ImdsError::Internal)?;
        Ok(doc.and_then(|d| serde_json::from_str(&d.body).ok()))
    }

    /// The identities on the host now (deleted ones drop out).
    pub(super) async fn candidates(&self, host: &Host) -> Result<Vec<Candidate>, ImdsError> {
        let mut out = Vec::new();
        let mut user_ids = host.identities.clone();
        if host.from_resource {
            let rid = ResourceId::parse(&host.resource_id).map_err(|_| ImdsError::Internal)?;
            let block = self.resources.identity_block(&rid).await;
            let Some((id, identity)) = block.map_err(|_| ImdsError::Internal)? else {
                return Ok(out);
            };
            let identity: IdentityBlock = serde_json::from_value(identity).unwrap_or_default();
            if let Some(system) = self.system_assigned(id, &identity).await? {
                out.push(system);
            }
            user_ids = identity
                .attached()
                .map(|a| a.resource_id.to_string())
                .collect();
        }
        for id in &user_ids {
            let Ok(rid) = ResourceId::parse(id) else {
                continue;
            };
            let found = self.resources.user_assigned(&rid).await;
            if let Some(u) = found.map_err(|_| ImdsError::Internal)? {
                out.push(Candidate {
                    resource_id: u.resource_id,
                    client_id: u.client_id,
                    principal_id: u.principal_id,
                    system: false,
                });
            }
        }
        Ok(out)
    }

    /// The resource's own (system-assigned) identity, if it has one.
    async fn system_assigned(
        &self,
        resource_id: String,
        identity: &IdentityBlock,
    ) -> Result<Option<Candidate>, ImdsError> {
        let Some(pid) = identity.principal_id.as_deref() else {
            return Ok(None);
        };
        let sp = self.service_principal(pid).await;
        Ok(sp
            .map_err(|_| ImdsError::Internal)?
            .map(|(_, sp)| Candidate {
                resource_id,
                client_id: sp.app_id,
                principal_id: pid.to_string(),
                system: true,
            }))
    }

    /// Creates (or finds) the host holding exactly these identities.
    pub async fn ensure_host(
        &self,
        identity_ids: &[String],
        resource_group_id: &ResourceId,
    ) -> Result<Host, ArmError> {
        let mut sorted: Vec<String> = identity_ids.iter().map(|i| i.to_lowercase()).collect();
        sorted.sort();
        let digest =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, sorted.join("\n").as_bytes());
        let short: String = digest.as_ref()[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let name = format!("aksemu-host-{short}");
        let resource_id = resource_group_id
            .child(&["providers", "Microsoft.Compute", "virtualMachines", &name])
            .as_str()
            .to_string();
        self.find_or_create_host(resource_id, identity_ids.to_vec(), false)
            .await
    }

    /// Creates (or finds) the host that is the ARM resource `resource`.
    pub async fn ensure_resource_host(&self, resource: &ResourceId) -> Result<Host, ArmError> {
        self.find_or_create_host(resource.as_str().to_string(), Vec::new(), true)
            .await
    }

    /// The host with this resource id and kind, created on first use.
    async fn find_or_create_host(
        &self,
        resource_id: String,
        identities: Vec<String>,
        from_resource: bool,
    ) -> Result<Host, ArmError> {
        let existing = self.store.list(HOSTS, "").await.map_err(store_err)?;
        if let Some(h) = existing
            .into_iter()
            .filter_map(|d| serde_json::from_value::<Host>(d.body).ok())
            .find(|h| {
                h.from_resource == from_resource && h.resource_id.eq_ignore_ascii_case(&resource_id)
            })
        {
            return Ok(h);
        }
        let host = Host {
            token: secret::opaque(18).to_lowercase().replace(['-', '_'], "x"),
            resource_id,
            secret: secret::opaque(24),
            identities,
            from_resource,
        };
        let body = serde_json::to_value(&host).map_err(|_| ArmError::InternalServerError)?;
        let write = Write::Put {
            coll: HOSTS,
            key: host.token.clone(),
            id: host.token.clone(),
            body,
            cond: Cond::Absent,
        };
        self.store.apply(vec![write]).await.map_err(store_err)?;
        Ok(host)
    }
}
