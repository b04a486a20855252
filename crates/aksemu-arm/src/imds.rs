//! Managed-identity token endpoints, answered in the context of a host, as on a
//! real VM: the IMDS protocol (`/metadata/identity/oauth2/token`, `Metadata: true`,
//! `client_id` / `object_id` / `msi_res_id`) and the App Service protocol
//! (`X-IDENTITY-HEADER`, `mi_res_id`). A host holds user-assigned identities; the
//! token's `xms_mirid` names the identity and `xms_az_rid` the host. Tokens are
//! cached per host, identity and resource, as the managed-identity service does.

use std::collections::HashMap;

use aksemu_core::ResourceId;
use aksemu_identity::grant::{app_token_claims, same_resource};
use aksemu_identity::{ARM_AUDIENCES, mint, secret};
use aksemu_store::{Cond, Write};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::{HOSTS, RESOURCES};

/// A host that identities are assigned to (a VM or scale set in Azure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    /// Path segment that addresses the host's endpoint.
    pub token: String,
    /// The host's ARM id (`xms_az_rid`).
    pub resource_id: String,
    /// App Service's `X-IDENTITY-HEADER` value.
    pub secret: String,
    /// Resource ids of the user-assigned identities on the host.
    pub identities: Vec<String>,
    /// The host is an ARM resource (a scale set): its identities are read from
    /// its `identity` block on every request, so changes apply at once.
    #[serde(default)]
    pub from_resource: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Imds,
    AppService,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImdsError {
    #[error("Required metadata header not specified")]
    MissingMetadataHeader,
    #[error("Required query variable '{0}' is missing")]
    MissingParameter(&'static str),
    #[error("Duplicate query parameter '{0}'")]
    DuplicateParameter(String),
    #[error("Requests with X-Forwarded-For are not allowed")]
    Forwarded,
    #[error("Identity not found")]
    IdentityNotFound,
    #[error(
        "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request"
    )]
    AmbiguousIdentity,
    #[error(
        "AADSTS500011: The resource principal named {0} was not found in the tenant named {1}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
    )]
    InvalidResource(String, String),
    #[error("The X-IDENTITY-HEADER is missing or does not match this host.")]
    BadIdentityHeader,
    #[error("An unexpected error occurred.")]
    Internal,
}

impl ImdsError {
    pub fn status(&self) -> u16 {
        match self {
            ImdsError::BadIdentityHeader => 401,
            ImdsError::Internal => 500,
            _ => 400,
        }
    }

    pub fn to_body(&self) -> Value {
        let error = match self {
            ImdsError::MissingMetadataHeader => "bad_request_102",
            ImdsError::InvalidResource(..) => "invalid_resource",
            ImdsError::BadIdentityHeader => "unauthorized",
            ImdsError::Internal => "unknown",
            _ => "invalid_request",
        };
        json!({"error": error, "error_description": self.to_string()})
    }
}

/// What the HTTP layer extracted from a token request.
pub struct ImdsRequest<'a> {
    pub protocol: Protocol,
    pub host_token: Option<&'a str>,
    /// Raw query pairs, in order (duplicates are an error).
    pub query: Vec<(String, String)>,
    pub metadata_header: Option<&'a str>,
    pub identity_header: Option<&'a str>,
    pub forwarded_for: bool,
    pub base_url: &'a str,
}

/// Tokens are handed out again until five minutes before they expire.
const REUSE_MARGIN_SECS: i64 = 300;

struct Candidate {
    /// `xms_mirid`: the identity's id, or the host's for its system-assigned identity.
    resource_id: String,
    client_id: String,
    principal_id: String,
    system: bool,
}

impl Cloud {
    async fn host(&self, token: &str) -> Result<Option<Host>, ImdsError> {
        let doc = self
            .store
            .get(HOSTS, token)
            .await
            .map_err(|_| ImdsError::Internal)?;
        Ok(doc.and_then(|d| serde_json::from_value(d.body).ok()))
    }

    /// The identities on the host now (deleted ones drop out).
    async fn candidates(&self, host: &Host) -> Result<Vec<Candidate>, ImdsError> {
        let mut out = Vec::new();
        let mut user_ids = host.identities.clone();
        if host.from_resource {
            let rid = ResourceId::parse(&host.resource_id).map_err(|_| ImdsError::Internal)?;
            let Some(doc) = self
                .store
                .get(RESOURCES, rid.key())
                .await
                .map_err(|_| ImdsError::Internal)?
            else {
                return Ok(out);
            };
            let identity = &doc.body["identity"];
            if let Some(pid) = identity["principalId"].as_str()
                && let Some((_, sp)) = self
                    .service_principal(pid)
                    .await
                    .map_err(|_| ImdsError::Internal)?
            {
                out.push(Candidate {
                    resource_id: doc.id.clone(),
                    client_id: sp.app_id,
                    principal_id: pid.to_string(),
                    system: true,
                });
            }
            user_ids = identity["userAssignedIdentities"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
        }
        for id in &user_ids {
            let Ok(rid) = ResourceId::parse(id) else {
                continue;
            };
            if let Some(d) = self
                .store
                .get(RESOURCES, rid.key())
                .await
                .map_err(|_| ImdsError::Internal)?
            {
                let p = &d.body["properties"];
                if let (Some(c), Some(pid)) = (p["clientId"].as_str(), p["principalId"].as_str()) {
                    out.push(Candidate {
                        resource_id: d.id.clone(),
                        client_id: c.to_string(),
                        principal_id: pid.to_string(),
                        system: false,
                    });
                }
            }
        }
        Ok(out)
    }

    pub async fn managed_identity_token(&self, req: &ImdsRequest<'_>) -> Result<Value, ImdsError> {
        let mut query: HashMap<&str, &str> = HashMap::new();
        for (k, v) in &req.query {
            if query.insert(k.as_str(), v.as_str()).is_some() {
                return Err(ImdsError::DuplicateParameter(k.clone()));
            }
        }
        match req.protocol {
            Protocol::Imds => {
                if req.forwarded_for {
                    return Err(ImdsError::Forwarded);
                }
                if !req
                    .metadata_header
                    .is_some_and(|m| m.eq_ignore_ascii_case("true"))
                {
                    return Err(ImdsError::MissingMetadataHeader);
                }
            }
            Protocol::AppService => {}
        }
        let host = match req.host_token {
            Some(t) => self.host(t).await?,
            None => None,
        };
        let Some(host) = host else {
            return Err(match req.protocol {
                Protocol::Imds => ImdsError::IdentityNotFound,
                Protocol::AppService => ImdsError::BadIdentityHeader,
            });
        };
        if req.protocol == Protocol::AppService
            && !req.identity_header.is_some_and(|h| {
                aws_lc_rs::constant_time::verify_slices_are_equal(
                    h.as_bytes(),
                    host.secret.as_bytes(),
                )
                .is_ok()
            })
        {
            return Err(ImdsError::BadIdentityHeader);
        }
        query
            .get("api-version")
            .ok_or(ImdsError::MissingParameter("api-version"))?;
        let resource = *query
            .get("resource")
            .ok_or(ImdsError::MissingParameter("resource"))?;
        let known = ARM_AUDIENCES.iter().any(|r| same_resource(r, resource))
            || same_resource("https://graph.microsoft.com/", resource)
            || same_resource(req.base_url, resource);
        if !known {
            return Err(ImdsError::InvalidResource(
                resource.to_string(),
                self.tenant_id.clone(),
            ));
        }
        let res_key = match req.protocol {
            Protocol::Imds => "msi_res_id",
            Protocol::AppService => "mi_res_id",
        };
        let candidates = self.candidates(&host).await?;
        let chosen = if let Some(c) = query.get("client_id") {
            candidates
                .iter()
                .find(|x| x.client_id.eq_ignore_ascii_case(c))
        } else if let Some(o) = query.get("object_id").or(query.get("principal_id")) {
            candidates
                .iter()
                .find(|x| x.principal_id.eq_ignore_ascii_case(o))
        } else if let Some(r) = query.get(res_key) {
            let r = ResourceId::parse(r).map_err(|_| ImdsError::IdentityNotFound)?;
            candidates
                .iter()
                .find(|x| ResourceId::parse(&x.resource_id).is_ok_and(|id| id == r))
        } else if let Some(system) = candidates.iter().find(|c| c.system) {
            // Without a selector, a host's system-assigned identity is the default.
            Some(system)
        } else {
            match candidates.as_slice() {
                [one] => Some(one),
                [] => None,
                _ => return Err(ImdsError::AmbiguousIdentity),
            }
        };
        let chosen = chosen.ok_or(ImdsError::IdentityNotFound)?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let cache_key = (
            host.token.clone(),
            chosen.principal_id.clone(),
            resource.to_string(),
        );
        if let Some((v, exp)) = self
            .imds_tokens
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&cache_key)
            && exp - now > REUSE_MARGIN_SECS
        {
            return Ok(shape(v, req.protocol, exp - now));
        }
        let sp = self
            .service_principal(&chosen.principal_id)
            .await
            .map_err(|_| ImdsError::Internal)?
            .map(|(_, sp)| sp)
            .ok_or(ImdsError::IdentityNotFound)?;
        let mut claims = app_token_claims(&sp, resource, now, self.token_lifetime_secs, "2");
        // System-assigned: the host names itself; user-assigned: the identity,
        // and the host it was used from.
        claims.xms_mirid = Some(chosen.resource_id.clone());
        claims.xms_az_rid = (!chosen.system).then(|| host.resource_id.clone());
        let key = self.signing_key().ok_or(ImdsError::Internal)?;
        let token = mint(key, &claims);
        let full = json!({
            "access_token": token,
            "client_id": sp.app_id,
            "expires_in": (claims.exp - now).to_string(),
            "expires_on": claims.exp.to_string(),
            "ext_expires_in": (claims.exp - now).to_string(),
            "not_before": claims.nbf.to_string(),
            "resource": resource,
            "token_type": "Bearer",
            "refresh_token": "",
        });
        self.imds_tokens
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(cache_key, (full.clone(), claims.exp));
        Ok(shape(&full, req.protocol, claims.exp - now))
    }

    /// Creates (or finds) the host holding exactly these identities.
    pub async fn ensure_host(
        &self,
        identity_ids: &[String],
        resource_group_id: &ResourceId,
    ) -> Result<Host, aksemu_core::ArmError> {
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

    /// The host with this resource id and kind, created on first use.
    async fn find_or_create_host(
        &self,
        resource_id: String,
        identities: Vec<String>,
        from_resource: bool,
    ) -> Result<Host, aksemu_core::ArmError> {
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
        self.store
            .apply(vec![Write::Put {
                coll: HOSTS,
                key: host.token.clone(),
                id: host.token.clone(),
                body: serde_json::to_value(&host)
                    .map_err(|_| aksemu_core::ArmError::InternalServerError)?,
                cond: Cond::Absent,
            }])
            .await
            .map_err(store_err)?;
        Ok(host)
    }
}

impl Cloud {
    /// Creates (or finds) the host that is the ARM resource `resource`.
    pub async fn ensure_resource_host(
        &self,
        resource: &ResourceId,
    ) -> Result<Host, aksemu_core::ArmError> {
        self.find_or_create_host(resource.as_str().to_string(), Vec::new(), true)
            .await
    }
}

/// Every value is a string; App Service clients read `expires_on`.
fn shape(full: &Value, protocol: Protocol, remaining: i64) -> Value {
    let mut v = full.clone();
    v["expires_in"] = json!(remaining.to_string());
    if protocol == Protocol::AppService
        && let Some(o) = v.as_object_mut()
    {
        o.remove("refresh_token");
        o.remove("ext_expires_in");
    }
    v
}
