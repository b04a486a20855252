//! A registry's own endpoints, for requests addressed to `<name>.azurecr.io`
//! (the `Host` a client names; reaching this listener under that name is the
//! zero-configuration issue's part): the `/v2/` challenge, the token service
//! (`/oauth2/exchange`, `/oauth2/token`) and manifests (pull by an access
//! token granting pull, push by one granting push). Layers are accepted and
//! not kept: no container runs here.

use std::collections::HashMap;

use aksemu_arm::providers::registry_auth::{self, RegistryError};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::AppState;

/// The registry host a request names, if it names one.
fn registry_host(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let name = host
        .rsplit_once(':')
        .map_or(host, |(h, _)| h)
        .to_ascii_lowercase();
    [".azurecr.io", ".azurecr.cn", ".azurecr.us"]
        .iter()
        .any(|s| name.ends_with(s))
        .then_some(name)
}

/// Sends requests for a registry host to the registry, the rest on.
pub async fn by_host(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match registry_host(req.headers()) {
        Some(host) => registry(&state, &host, req).await,
        None => next.run(req).await,
    }
}

fn error(e: &RegistryError, host: &str) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNAUTHORIZED);
    let mut r = (status, axum::Json(e.body())).into_response();
    if e.status == 401 {
        challenge(&mut r, host);
    }
    r
}

fn challenge(r: &mut Response, host: &str) {
    let v = format!("Bearer realm=\"https://{host}/oauth2/token\",service=\"{host}\"");
    if let Ok(v) = header::HeaderValue::from_str(&v) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
}

fn unauthorized() -> RegistryError {
    RegistryError {
        status: 401,
        code: "UNAUTHORIZED",
        message:
            "authentication required, visit https://aka.ms/acr/authorization for more information."
                .into(),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The refresh token of `Authorization: Basic <user>:<refresh token>`.
fn basic_password(headers: &HeaderMap) -> Option<String> {
    let raw = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(raw).ok()?).ok()?;
    decoded.split_once(':').map(|(_, p)| p.to_string())
}

async fn registry(state: &AppState, host: &str, req: Request) -> Response {
    let cloud = &state.cloud;
    let Ok(Some(reg)) = registry_auth::find(cloud, host).await else {
        let e = RegistryError {
            status: 404,
            code: "NAME_UNKNOWN",
            message: format!("registry {host} not found"),
        };
        return error(&e, host);
    };
    let (parts, body) = req.into_parts();
    let query: HashMap<String, String> = parts
        .uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let body = axum::body::to_bytes(body, 4 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let answer = match (&parts.method, path.as_str()) {
        (_, "/v2/") | (_, "/v2") => match bearer(&parts.headers) {
            Some(t) => registry_auth::access_token(cloud, &reg, t)
                .map(|_| (StatusCode::OK, axum::Json(serde_json::json!({}))).into_response()),
            None => Err(unauthorized()),
        },
        (&Method::POST, "/oauth2/exchange") => exchange(state, host, &body),
        (_, "/oauth2/token") => token(state, &reg, &parts.headers, &query, &body),
        (m, p) if p.starts_with("/v2/") => v2(state, &reg, m, p, &parts.headers, &body).await,
        _ => Err(RegistryError {
            status: 404,
            code: "NOT_FOUND",
            message: "not found".into(),
        }),
    };
    answer.unwrap_or_else(|e| error(&e, host))
}

fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn exchange(state: &AppState, host: &str, body: &Bytes) -> Result<Response, RegistryError> {
    let f = form(body);
    if f.get("grant_type").map(String::as_str) != Some("access_token") {
        return Err(RegistryError {
            status: 400,
            code: "UNSUPPORTED",
            message: "grant_type must be access_token".into(),
        });
    }
    let service = f.get("service").map_or(host, String::as_str);
    let aad = f.get("access_token").ok_or_else(unauthorized)?;
    let refresh = registry_auth::exchange(&state.cloud, service, aad)?;
    Ok(axum::Json(serde_json::json!({"refresh_token": refresh})).into_response())
}

fn token(
    state: &AppState,
    reg: &aksemu_store::Doc,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    body: &Bytes,
) -> Result<Response, RegistryError> {
    let f = form(body);
    let scope = f
        .get("scope")
        .or_else(|| query.get("scope"))
        .cloned()
        .unwrap_or_default();
    let refresh = f
        .get("refresh_token")
        .cloned()
        .or_else(|| basic_password(headers))
        .ok_or_else(unauthorized)?;
    let access = registry_auth::token(&state.cloud, reg, &refresh, &scope)?;
    Ok(axum::Json(serde_json::json!({"access_token": access})).into_response())
}

/// `/v2/<repo>/manifests/<ref>`; blob uploads are accepted and dropped.
async fn v2(
    state: &AppState,
    reg: &aksemu_store::Doc,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, RegistryError> {
    let access = bearer(headers).ok_or_else(unauthorized)?;
    let rest = &path["/v2/".len()..];
    if let Some((repo, reference)) = rest.rsplit_once("/manifests/") {
        return manifest(state, reg, method, access, (repo, reference), headers, body).await;
    }
    if let Some((repo, _)) = rest.split_once("/blobs/") {
        let action = if method == Method::GET || method == Method::HEAD {
            "pull"
        } else {
            "push"
        };
        registry_auth::grants(&state.cloud, reg, access, repo, action)?;
        return Ok(match *method {
            Method::POST => accepted_upload(repo),
            Method::PUT => StatusCode::CREATED.into_response(),
            Method::PATCH => StatusCode::ACCEPTED.into_response(),
            _ => StatusCode::NOT_FOUND.into_response(),
        });
    }
    Err(RegistryError {
        status: 404,
        code: "NOT_FOUND",
        message: "not found".into(),
    })
}

fn accepted_upload(repo: &str) -> Response {
    let location = format!("/v2/{repo}/blobs/uploads/{}", uuid::Uuid::new_v4());
    Response::builder()
        .status(StatusCode::ACCEPTED)
        .header(header::LOCATION, location)
        .body(Body::empty())
        .unwrap_or_default()
}

async fn manifest(
    state: &AppState,
    reg: &aksemu_store::Doc,
    method: &Method,
    access: &str,
    (repo, reference): (&str, &str),
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, RegistryError> {
    if *method == Method::PUT {
        let media = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/vnd.oci.image.manifest.v1+json");
        let digest =
            registry_auth::push_manifest(&state.cloud, reg, access, repo, reference, body, media)
                .await?;
        return Ok(Response::builder()
            .status(StatusCode::CREATED)
            .header("Docker-Content-Digest", digest.as_str())
            .header(header::LOCATION, format!("/v2/{repo}/manifests/{digest}"))
            .body(Body::empty())
            .unwrap_or_default());
    }
    let found = registry_auth::manifest(&state.cloud, reg, access, repo, reference).await?;
    let Some(m) = found else {
        return Err(RegistryError {
            status: 404,
            code: "MANIFEST_UNKNOWN",
            message: format!("manifest tagged by \"{reference}\" is not found"),
        });
    };
    let digest = m["digest"].as_str().unwrap_or_default().to_string();
    let media = m["mediaType"]
        .as_str()
        .unwrap_or("application/vnd.oci.image.manifest.v1+json")
        .to_string();
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Docker-Content-Digest", digest)
        .header(header::CONTENT_TYPE, media)
        .body(Body::empty())
        .unwrap_or_default())
}
