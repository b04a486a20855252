//! Errors and ARM responses to HTTP: status, JSON body, and the ARM headers.

use aksemu_arm::ArmResponse;
use aksemu_core::ArmError;
use aksemu_identity::OAuthError;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

pub fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// A body that is JSON text already.
pub fn raw_json_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

pub fn arm_response(resp: ArmResponse) -> Response {
    let mut out = match (&resp.body, resp.raw_body) {
        (Some(b), _) => json_response(resp.status, b),
        (None, Some(text)) => raw_json_response(resp.status, text),
        (None, None) => StatusCode::from_u16(resp.status)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
    };
    for (name, value) in resp.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::from_str(&value)) {
            out.headers_mut().insert(n, v);
        }
    }
    out
}

/// The ARM error envelope; 401s also carry `WWW-Authenticate` naming our authority.
pub fn arm_error(err: &ArmError, authority: &str) -> Response {
    let mut resp = json_response(err.status(), &err.to_body());
    if err.is_authentication() {
        let challenge = format!(
            "Bearer authorization_uri=\"{authority}\", error=\"invalid_token\", error_description=\"{}\"",
            err.to_string().replace('"', "'")
        );
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
    }
    resp
}

pub fn oauth_error(err: &OAuthError, correlation_id: &str) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let now = aksemu_core::clock::rfc3339(time::OffsetDateTime::now_utc());
    json_response(err.status(), &err.to_body(&trace_id, correlation_id, &now))
}

/// Adds `x-ms-request-id` and the correlation id (the client's, or a new one).
pub fn add_request_ids(resp: &mut Response, request_headers: &HeaderMap) {
    let request_id = uuid::Uuid::new_v4().to_string();
    let correlation = request_headers
        .get("x-ms-correlation-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| request_id.clone());
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-ms-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&correlation) {
        h.insert("x-ms-correlation-request-id", v);
    }
    if let Some(client) = request_headers.get("x-ms-client-request-id") {
        h.insert("x-ms-client-request-id", client.clone());
    }
}

/// Graph's error body; `request-id` echoes in `innerError` as Graph does.
pub fn graph_error(err: &aksemu_entra::graph::GraphError) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let now = aksemu_core::clock::rfc3339(time::OffsetDateTime::now_utc());
    let mut resp = json_response(err.status(), &err.to_body(&request_id, &now));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("request-id", v);
    }
    resp
}

/// 408 for a request whose body (or handling) did not finish in time.
pub fn request_timeout() -> Response {
    let body = serde_json::json!({"error": {"code": "RequestTimeout", "message": "The request did not complete in time."}});
    json_response(408, &body)
}
