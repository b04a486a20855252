//! aksemu's administration API on the HTTPS port, authenticated like ARM.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::AppState;
use crate::base_url;
use crate::render::{arm_error, json_response};

pub async fn create_host(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authority = format!(
        "{}/{}",
        base_url::from_headers(&headers),
        state.cloud.tenant_id
    );
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    let result = match state.cloud.authenticate(auth) {
        Ok(p) => aksemu_arm::admin::create_host(&state.cloud, &p, &body).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => json_response(201, &v),
        Err(e) => arm_error(&e, &authority),
    }
}
