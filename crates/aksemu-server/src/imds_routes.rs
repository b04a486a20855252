//! The managed-identity endpoints on the plain-HTTP loopback listener, per host:
//! `/hosts/{token}/metadata/identity/oauth2/token` (IMDS) and
//! `/hosts/{token}/msi/token` (App Service). Without a host, IMDS answers as a VM
//! without identities does.

use std::sync::Arc;

use aksemu_arm::Cloud;
use aksemu_entra::imds::{ImdsRequest, Protocol};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::get;

use crate::render::{json_response, raw_json_response};

pub fn router(cloud: Arc<Cloud>, arm_base: String) -> Router {
    Router::new()
        .route("/metadata/identity/oauth2/token", get(imds_no_host))
        .route("/hosts/{token}/metadata/identity/oauth2/token", get(imds))
        .route("/hosts/{token}/msi/token", get(app_service))
        .with_state((cloud, arm_base))
}

type St = State<(Arc<Cloud>, String)>;

async fn answer(
    state: &(Arc<Cloud>, String),
    protocol: Protocol,
    token: Option<&str>,
    uri: &Uri,
    headers: &HeaderMap,
) -> Response {
    let query: Vec<(String, String)> = uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let req = ImdsRequest {
        protocol,
        host_token: token,
        query,
        metadata_header: header("metadata"),
        identity_header: header("x-identity-header"),
        forwarded_for: headers.contains_key("x-forwarded-for"),
        base_url: &state.1,
    };
    match state.0.entra.managed_identity_token(&req).await {
        Ok(body) => raw_json_response(200, body),
        Err(e) => json_response(e.status(), &e.to_body()),
    }
}

async fn imds_no_host(State(s): St, uri: Uri, headers: HeaderMap) -> Response {
    answer(&s, Protocol::Imds, None, &uri, &headers).await
}

async fn imds(State(s): St, Path(token): Path<String>, uri: Uri, headers: HeaderMap) -> Response {
    answer(&s, Protocol::Imds, Some(&token), &uri, &headers).await
}

async fn app_service(
    State(s): St,
    Path(token): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    answer(&s, Protocol::AppService, Some(&token), &uri, &headers).await
}
