//! The ARM surface: authenticate, then hand the request to `aksemu_arm::handle`.

use std::collections::HashMap;

use aksemu_arm::{ArmRequest, Method};
use aksemu_core::ArmError;
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

/// The path with each segment percent-decoded, as ARM reads names
/// (`resourceGroups/caf%C3%A9` is the group `café`). A segment that decodes to
/// something holding `/`, or to `.` or `..`, would name another scope than the
/// one written: refused.
fn decoded_path(raw: &str) -> Result<String, ArmError> {
    let invalid = || ArmError::InvalidResourceId(raw.to_string());
    let mut out = String::with_capacity(raw.len());
    for (i, seg) in raw.split('/').enumerate() {
        let d = percent_encoding::percent_decode_str(seg)
            .decode_utf8()
            .map_err(|_| invalid())?;
        if d.contains('/') || d == "." || d == ".." {
            return Err(invalid());
        }
        if i > 0 {
            out.push('/');
        }
        out.push_str(&d);
    }
    Ok(out)
}

/// A request that carries a body must say it is JSON, as ARM requires (a POST
/// without a body, like az's `listClusterUserCredential`, needs no type).
fn check_content_type(headers: &HeaderMap, body: &[u8]) -> Result<(), ArmError> {
    if body.is_empty() {
        return Ok(());
    }
    let given = header(headers, "content-type");
    let essence = given
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => Ok(()),
        Some(t) if t.starts_with("application/") && t.ends_with("+json") => Ok(()),
        _ => Err(ArmError::UnsupportedMediaType(
            given.unwrap_or("<null>").to_string(),
        )),
    }
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
    let caller = state
        .cloud
        .entra
        .authenticate(header(&headers, "authorization"))
        .and_then(|p| check_content_type(&headers, &body).map(|()| p))
        .and_then(|p| decoded_path(uri.path()).map(|path| (p, path)));
    let mut resp = match caller {
        Err(e) => arm_error(&e, &authority()),
        Ok((principal, path)) => {
            let query: HashMap<String, String> = uri
                .query()
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default();
            let req = ArmRequest {
                method: Method::parse(method.as_str()),
                path,
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
