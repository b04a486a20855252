//! The ARM surface: authenticate, then hand the request to `aksemu_arm::handle`.

use std::collections::HashMap;

use aksemu_arm::{ArmRequest, Method};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method as HttpMethod, Uri};
use axum::response::Response;

use crate::AppState;
use crate::base_url;
use crate::render::{add_request_ids, arm_error, arm_response, json_response};

pub async fn metadata(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let base = base_url::from_headers(&headers);
    json_response(
        200,
        &aksemu_arm::metadata::endpoints(&base, q.get("api-version").map(String::as_str)),
    )
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub async fn arm(
    State(state): State<AppState>,
    method: HttpMethod,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let base = base_url::from_headers(&headers);
    let authority = || format!("{base}/{}", state.cloud.entra.tenant_id);
    let mut resp = match state
        .cloud
        .entra
        .authenticate(header(&headers, "authorization"))
    {
        Err(e) => arm_error(&e, &authority()),
        Ok(principal) => {
            let query: HashMap<String, String> = uri
                .query()
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default();
            let req = ArmRequest {
                method: Method::parse(method.as_str()),
                path: uri.path().to_string(),
                query,
                if_match: header(&headers, "if-match").map(str::to_string),
                if_none_match: header(&headers, "if-none-match").map(str::to_string),
                body: body.to_vec(),
                base_url: base.clone(),
            };
            match aksemu_arm::handle(&state.cloud, &principal, &req).await {
                Ok(r) => arm_response(r),
                Err(e) => arm_error(&e, &authority()),
            }
        }
    };
    add_request_ids(&mut resp, &headers);
    resp
}
