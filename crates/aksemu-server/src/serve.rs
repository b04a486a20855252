//! The accept loop: TLS handshake (with a timeout), then HTTP/1.1 or HTTP/2 via
//! hyper-util. Paths are normalised (`//` collapsed) before routing, because az
//! sends `//metadata/endpoints` when an endpoint URL ends in `/`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Uri};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::OwnedSemaphorePermit;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// A request head must arrive within this, counted from when the connection
/// is ready for one: it bounds slow headers and idle keep-alive alike.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(20);
/// A handler (reading the request body included) must produce its response
/// within this. Only producing the response is timed, not streaming its body,
/// so long-lived responses (Kubernetes watches) are not cut.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);
/// HTTP/2 keep-alive: a ping this often, and as long to answer it.
const H2_PING: Duration = Duration::from_secs(20);
/// Concurrent HTTP/2 streams per connection (kubectl's watches count).
const H2_STREAMS: u32 = 250;

fn normalise(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    if !path.contains("//") && (path.len() <= 1 || !path.ends_with('/')) {
        return None;
    }
    let collapsed = aksemu_core::resource_id::collapse_slashes(path);
    let pq = match uri.query() {
        Some(q) => format!("{collapsed}?{q}"),
        None => collapsed,
    };
    pq.parse().ok()
}

/// Maps a request before routing (the proxy's tunnels: a public hostname's
/// paths onto this server's), or answers it at once.
pub type Rewrite =
    Arc<dyn Fn(&mut Request<Incoming>) -> Result<(), Box<axum::response::Response>> + Send + Sync>;

async fn route(
    app: Router,
    mut req: Request<Incoming>,
    rewrite: Option<Rewrite>,
) -> Result<axum::response::Response, Infallible> {
    if let Some(u) = normalise(req.uri()) {
        *req.uri_mut() = u;
    }
    if let Some(r) = rewrite
        && let Err(answer) = r(&mut req)
    {
        return Ok(*answer);
    }
    match tokio::time::timeout(RESPONSE_TIMEOUT, app.oneshot(req.map(Body::new))).await {
        Ok(answer) => answer,
        Err(_) => Ok(crate::render::request_timeout()),
    }
}

/// Accepts the next connection that gets a slot; over the cap, connections are
/// closed as they come (a clean refusal, no descriptor held).
pub(crate) async fn accept(
    listener: &TcpListener,
) -> (TcpStream, SocketAddr, OwnedSemaphorePermit) {
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of descriptors, most likely: wait for some to close.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        match crate::listen::connection_slot() {
            Some(slot) => {
                let _ = tcp.set_nodelay(true);
                return (tcp, peer, slot);
            }
            None => {
                tracing::debug!(%peer, "connection refused: too many open connections");
                drop(tcp);
            }
        }
    }
}

/// Serves `app` over plain HTTP (the managed-identity endpoints, which clients
/// call over http as they do 169.254.169.254).
pub async fn serve_plain(listener: TcpListener, app: Router) {
    loop {
        let (tcp, peer, slot) = accept(&listener).await;
        let app = app.clone();
        tokio::spawn(async move {
            serve_connection(tcp, peer, app, None).await;
            drop(slot);
        });
    }
}

/// Serves `app` over TLS on `listener` until the task is dropped.
pub async fn serve_tls(listener: TcpListener, tls: Arc<rustls::ServerConfig>, app: Router) {
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let (tcp, peer, slot) = accept(&listener).await;
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            serve_connection(stream, peer, app, None).await;
            drop(slot);
        });
    }
}

/// Serves HTTP/1.1 or HTTP/2 on an accepted (and decrypted) stream.
pub(crate) async fn serve_connection<S>(
    stream: S,
    peer: SocketAddr,
    app: Router,
    rewrite: Option<Rewrite>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let svc = hyper::service::service_fn(move |req| route(app.clone(), req, rewrite.clone()));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT);
    // HTTP/2: a peer that stops answering pings is dropped, and one connection
    // may not open streams without bound.
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(H2_PING))
        .keep_alive_timeout(H2_PING)
        .max_concurrent_streams(H2_STREAMS);
    if let Err(e) = builder.serve_connection(TokioIo::new(stream), svc).await {
        tracing::debug!(%peer, error = %e, "connection ended with an error");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_double_slashes() {
        let u: Uri = "//metadata/endpoints?api-version=2022-09-01"
            .parse()
            .unwrap_or_default();
        assert_eq!(
            normalise(&u).map(|u| u.to_string()),
            Some("/metadata/endpoints?api-version=2022-09-01".to_string())
        );
        let plain: Uri = "/subscriptions".parse().unwrap_or_default();
        assert_eq!(normalise(&plain), None);
    }
}
