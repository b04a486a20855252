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
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

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

async fn route(
    app: Router,
    mut req: Request<Incoming>,
) -> Result<axum::response::Response, Infallible> {
    if let Some(u) = normalise(req.uri()) {
        *req.uri_mut() = u;
    }
    app.oneshot(req.map(Body::new)).await
}

/// Serves `app` over plain HTTP (the managed-identity endpoints, which clients
/// call over http as they do 169.254.169.254).
pub async fn serve_plain(listener: TcpListener, app: Router) {
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move { serve_connection(tcp, peer, app).await });
    }
}

/// Serves `app` over TLS on `listener` until the task is dropped.
pub async fn serve_tls(listener: TcpListener, tls: Arc<rustls::ServerConfig>, app: Router) {
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
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
            serve_connection(stream, peer, app).await;
        });
    }
}

async fn serve_connection<S>(stream: S, peer: SocketAddr, app: Router)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let svc = hyper::service::service_fn(move |req| route(app.clone(), req));
    if let Err(e) = auto::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), svc)
        .await
    {
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
