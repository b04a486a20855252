//! The scheme and authority the client used to reach us, for absolute URLs we
//! hand back (discovery documents, LRO polling URLs, cloud metadata).

use axum::http::HeaderMap;

pub fn from_headers(headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("https://{host}")
}

/// Sets `Host` from the request URI's authority when the request has none
/// (HTTP/2 sends `:authority` instead), so `from_headers` keeps the port.
pub async fn host_from_authority(
    mut req: axum::http::Request<axum::body::Body>,
) -> axum::http::Request<axum::body::Body> {
    if req.headers().get(axum::http::header::HOST).is_none()
        && let Some(v) = req
            .uri()
            .authority()
            .and_then(|a| axum::http::HeaderValue::from_str(a.as_str()).ok())
    {
        req.headers_mut().insert(axum::http::header::HOST, v);
    }
    req
}
