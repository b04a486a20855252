//! aksemu's administration API on the HTTPS port, authenticated like ARM.

use std::sync::Arc;

use aksemu_arm::Cloud;
use aksemu_core::{ArmError, Principal};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use crate::AppState;
use crate::base_url;
use crate::render::{arm_error, json_response};

/// Authenticates as ARM does, runs `op`, renders its result or error.
pub(crate) async fn admin<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    status: u16,
    op: F,
) -> Response
where
    F: FnOnce(Arc<Cloud>, Principal) -> Fut,
    Fut: std::future::Future<Output = Result<Value, ArmError>>,
{
    let authority = format!(
        "{}/{}",
        base_url::from_headers(headers),
        state.cloud.entra.tenant_id
    );
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    let result = match state.cloud.entra.authenticate(auth) {
        Ok(p) => op(state.cloud.clone(), p).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => json_response(status, &v),
        Err(e) => arm_error(&e, &authority),
    }
}

pub async fn create_host(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    admin(&state, &headers, 201, |cloud, p| async move {
        aksemu_arm::admin::create_host(&cloud, &p, &body).await
    })
    .await
}

/// `aksemu env --pod`: a pod's identity for a process on this machine.
pub async fn pod_shell(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let base = base_url::from_headers(&headers);
    let (kube, files) = (state.kube.clone(), state.files.clone());
    admin(&state, &headers, 200, |cloud, p| async move {
        aksemu_arm::admin::admin_only(&cloud, &p, "aksemu/pods/identity/action")?;
        crate::pod_shell::register(&kube, &files, &body, &base).await
    })
    .await
}

pub async fn clock_show(State(state): State<AppState>, headers: HeaderMap) -> Response {
    admin(&state, &headers, 200, |cloud, p| async move {
        aksemu_arm::admin::clock_show(&cloud, &p)
    })
    .await
}

pub async fn clock_move(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    admin(&state, &headers, 200, |cloud, p| async move {
        aksemu_arm::admin::clock_move(&cloud, &p, &body).await
    })
    .await
}

/// `aksemu explain`: the evaluator's answer about any principal.
pub async fn explain(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    admin(&state, &headers, 200, |cloud, p| async move {
        aksemu_arm::explain::admin_explain(&cloud, &p, &body).await
    })
    .await
}
