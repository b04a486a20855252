//! The token request itself: check the protocol's headers, find the host and
//! the identity the request selects, and answer from the cache or mint a token.

use std::collections::HashMap;
use std::sync::Arc;

use aksemu_core::ResourceId;
use aksemu_identity::grant::{app_token_claims, same_resource};
use aksemu_identity::{ARM_AUDIENCES, mint};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::cache::Rendered;
use super::hosts::Candidate;
use super::{Host, ImdsError, ImdsRequest, Protocol};
use crate::Entra;

/// Tokens are handed out again until five minutes before they expire.
const REUSE_MARGIN_SECS: i64 = 300;

type Query<'a> = HashMap<&'a str, &'a str>;

/// The query as a map; a repeated parameter is an error.
fn unique_query<'a>(req: &'a ImdsRequest<'_>) -> Result<Query<'a>, ImdsError> {
    let mut query = HashMap::new();
    for (k, v) in &req.query {
        if query.insert(k.as_str(), v.as_str()).is_some() {
            return Err(ImdsError::DuplicateParameter(k.clone()));
        }
    }
    Ok(query)
}

/// IMDS refuses proxied requests and needs `Metadata: true`.
fn check_imds_headers(req: &ImdsRequest<'_>) -> Result<(), ImdsError> {
    if req.protocol != Protocol::Imds {
        return Ok(());
    }
    if req.forwarded_for {
        return Err(ImdsError::Forwarded);
    }
    match req.metadata_header {
        Some(m) if m.eq_ignore_ascii_case("true") => Ok(()),
        _ => Err(ImdsError::MissingMetadataHeader),
    }
}

/// The resource the token is for: ARM, Graph or this server.
fn requested_resource<'a>(
    query: &Query<'a>,
    req: &ImdsRequest<'_>,
    tenant_id: &str,
) -> Result<&'a str, ImdsError> {
    query
        .get("api-version")
        .ok_or(ImdsError::MissingParameter("api-version"))?;
    let resource = *query
        .get("resource")
        .ok_or(ImdsError::MissingParameter("resource"))?;
    // The resources the token service knows (ARM, Graph, registries, the AKS
    // server application), and this server's own URL.
    let known = ARM_AUDIENCES
        .iter()
        .chain(crate::token_service::OTHER_RESOURCES)
        .any(|r| same_resource(r, resource))
        || same_resource(req.base_url, resource);
    if !known {
        return Err(ImdsError::InvalidResource(
            resource.to_string(),
            tenant_id.to_string(),
        ));
    }
    Ok(resource)
}

/// The identity the request selects (client id, object id or resource id), or
/// the host's default: its system-assigned identity, else its only one.
fn choose<'c>(
    candidates: &'c [Candidate],
    query: &Query<'_>,
    protocol: Protocol,
) -> Result<&'c Candidate, ImdsError> {
    let res_key = match protocol {
        Protocol::Imds => "msi_res_id",
        Protocol::AppService => "mi_res_id",
    };
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
        Some(system)
    } else {
        match candidates {
            [one] => Some(one),
            [] => None,
            _ => return Err(ImdsError::AmbiguousIdentity),
        }
    };
    chosen.ok_or(ImdsError::IdentityNotFound)
}

impl Entra {
    /// Answers a managed-identity token request in the context of its host,
    /// with the answer's JSON text.
    pub async fn managed_identity_token(&self, req: &ImdsRequest<'_>) -> Result<String, ImdsError> {
        let query = unique_query(req)?;
        check_imds_headers(req)?;
        let host = self.authenticated_host(req).await?;
        let resource = requested_resource(&query, req, &self.tenant_id)?;
        let candidates = self.candidates(&host).await?;
        let chosen = choose(&candidates, &query, req.protocol)?;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let key = (
            host.token.clone(),
            chosen.principal_id.clone(),
            resource.to_string(),
        );
        if let Some(t) = self.imds_tokens.get(&key)
            && t.expires_on - now > REUSE_MARGIN_SECS
        {
            return Ok(t.body(req.protocol, t.expires_on - now));
        }
        let (full, exp) = self.mint_for(&host, chosen, resource, now).await?;
        let rendered = Arc::new(Rendered::new(&full, exp));
        self.imds_tokens.put(key, rendered.clone());
        Ok(rendered.body(req.protocol, exp - now))
    }

    /// The request's host; App Service requests must also present its secret.
    async fn authenticated_host(&self, req: &ImdsRequest<'_>) -> Result<Host, ImdsError> {
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
        let secret_matches = |h: &str| {
            aws_lc_rs::constant_time::verify_slices_are_equal(h.as_bytes(), host.secret.as_bytes())
                .is_ok()
        };
        if req.protocol == Protocol::AppService && !req.identity_header.is_some_and(secret_matches)
        {
            return Err(ImdsError::BadIdentityHeader);
        }
        Ok(host)
    }

    /// A new token for the chosen identity, and its expiry.
    async fn mint_for(
        &self,
        host: &Host,
        chosen: &Candidate,
        resource: &str,
        now: i64,
    ) -> Result<(Value, i64), ImdsError> {
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
        Ok((full, claims.exp))
    }
}
