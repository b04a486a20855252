//! Per-request timings, off unless asked for (`RUST_LOG=…,aksemu::timing=debug`):
//! method, path, status and the microseconds aksemu spent producing the
//! response, so a walkthrough driven by a real client can be split into client
//! time and aksemu time (`benches/aks_walkthrough.sh`).

use std::time::Instant;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

pub const TARGET: &str = "aksemu::timing";

/// Whether the log wants timings (decided once, when the router is built).
pub fn enabled() -> bool {
    tracing::enabled!(target: TARGET, tracing::Level::DEBUG)
}

pub async fn record(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    tracing::debug!(
        target: TARGET,
        %method,
        %path,
        status = resp.status().as_u16(),
        micros = start.elapsed().as_micros() as u64,
        "request"
    );
    resp
}
