//! The Microsoft Graph surface (`/v1.0/…`).

use std::collections::HashMap;

use aksemu_arm::{ArmRequest, Method};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method as HttpMethod, Uri};
use axum::response::Response;

use crate::AppState;
use crate::base_url;
use crate::render::{arm_response, graph_error};

pub async fn graph(
    State(state): State<AppState>,
    method: HttpMethod,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query: HashMap<String, String> = uri
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let req = ArmRequest {
        method: Method::parse(method.as_str()),
        path: uri.path().to_string(),
        query,
        if_match: None,
        if_none_match: None,
        body: body.to_vec(),
        base_url: base_url::from_headers(&headers),
    };
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    match aksemu_entra::graph::handle(&state.cloud.entra, authorization, &req).await {
        Ok(r) => arm_response(r),
        Err(e) => graph_error(&e),
    }
}
