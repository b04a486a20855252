//! The Entra-style login surface: OIDC discovery, JWKS and the token endpoints,
//! per tenant (GUID or domain).

use std::collections::HashMap;

use aksemu_identity::discovery::{jwks, openid_configuration_v1, openid_configuration_v2};
use aksemu_identity::grant::EndpointVersion;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use base64::Engine as _;

use crate::AppState;
use crate::base_url;
use crate::render::{json_response, oauth_error};

fn correlation(headers: &HeaderMap) -> String {
    headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

fn cached(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=86400, private"),
    );
    resp
}

fn discovery(
    state: &AppState,
    tenant: &str,
    headers: &HeaderMap,
    doc: impl FnOnce(&str, &str) -> serde_json::Value,
) -> Response {
    let base = base_url::from_headers(headers);
    // The multi-tenant aliases MSAL starts a user's sign-in at: endpoints
    // under the alias, the issuer with Entra's `{tenantid}` placeholder.
    if ["organizations", "common"]
        .iter()
        .any(|a| tenant.eq_ignore_ascii_case(a))
    {
        let mut d = doc(&base, tenant);
        if d["issuer"].as_str().is_some_and(|i| i.ends_with("/v2.0")) {
            d["issuer"] = serde_json::json!(format!("{base}/{{tenantid}}/v2.0"));
        }
        return cached(json_response(200, &d));
    }
    match state.cloud.entra.resolve_tenant(tenant) {
        Ok(tid) => cached(json_response(200, &doc(&base, tid))),
        Err(e) => oauth_error(&e, &correlation(headers)),
    }
}

/// `/common/userrealm/{username}` (MSAL's user realm discovery before a
/// password sign-in): accounts in this tenant's domain are managed here.
pub async fn user_realm(State(s): State<AppState>, Path(username): Path<String>) -> Response {
    let entra = &s.cloud.entra;
    let domain = username
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or_default();
    let ours = domain.eq_ignore_ascii_case(&entra.tenant_domain);
    json_response(
        200,
        &serde_json::json!({
            "ver": "1.0",
            "account_type": if ours { "Managed" } else { "Unknown" },
            "domain_name": if ours { entra.tenant_domain.as_str() } else { domain },
            "cloud_instance_name": "microsoftonline.com",
            "cloud_audience_urn": "urn:federation:MicrosoftOnline",
        }),
    )
}

pub async fn openid_v2(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    discovery(&s, &tenant, &headers, |base, tid| {
        let graph = if aksemu_core::request::is_public_base(base) {
            "https://graph.microsoft.com/".to_string()
        } else {
            format!("{base}/")
        };
        openid_configuration_v2(base, tid, &graph)
    })
}

/// `/{tenant}/discovery/instance` (MSAL's instance discovery, asked of
/// `common`): where the authority's tenant discovery document is, and the
/// aliases of this authority host.
pub async fn instance_discovery(
    Path(_tenant): Path<String>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let base = base_url::from_headers(&headers);
    let host = base.trim_start_matches("https://").to_string();
    // The authority MSAL is about to use names the tenant.
    let tenant = q
        .get("authorization_endpoint")
        .and_then(|a| a.strip_prefix(&format!("{base}/")))
        .and_then(|rest| rest.split('/').next())
        .filter(|t| !t.is_empty())
        .unwrap_or("common");
    let mut aliases = vec![host.clone()];
    if host == "login.microsoftonline.com" {
        aliases.extend(
            [
                "login.windows.net",
                "login.microsoft.com",
                "sts.windows.net",
            ]
            .map(String::from),
        );
    }
    cached(json_response(
        200,
        &serde_json::json!({
            "tenant_discovery_endpoint": format!("{base}/{tenant}/v2.0/.well-known/openid-configuration"),
            "api-version": "1.1",
            "metadata": [{
                "preferred_network": host,
                "preferred_cache": host,
                "aliases": aliases,
            }],
        }),
    ))
}

pub async fn openid_v1(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    discovery(&s, &tenant, &headers, openid_configuration_v1)
}

fn keys(state: &AppState, tenant: &str, headers: &HeaderMap, issuer: Option<String>) -> Response {
    let keys: Vec<_> = state.cloud.entra.keys().iter().collect();
    match state.cloud.entra.resolve_tenant(tenant) {
        Ok(_) => cached(json_response(200, &jwks(&keys, issuer.as_deref()))),
        Err(e) => oauth_error(&e, &correlation(headers)),
    }
}

pub async fn jwks_v2(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let issuer = format!(
        "{}/{}/v2.0",
        base_url::from_headers(&headers),
        s.cloud.entra.tenant_id
    );
    keys(&s, &tenant, &headers, Some(issuer))
}

pub async fn jwks_v1(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    keys(&s, &tenant, &headers, None)
}

/// `Authorization: Basic base64(client_id:client_secret)` (client_secret_basic).
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

async fn token(
    state: AppState,
    tenant: String,
    headers: HeaderMap,
    body: Bytes,
    version: EndpointVersion,
) -> Response {
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let base = base_url::from_headers(&headers);
    match state
        .cloud
        .entra
        .issue_token(&tenant, &form, basic_auth(&headers), version, &base)
        .await
    {
        Ok(t) => json_response(200, &serde_json::to_value(t).unwrap_or_default()),
        Err(e) => oauth_error(&e, &correlation(&headers)),
    }
}

pub async fn token_v2(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    token(s, tenant, headers, body, EndpointVersion::V2).await
}

pub async fn token_v1(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    token(s, tenant, headers, body, EndpointVersion::V1).await
}
