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
