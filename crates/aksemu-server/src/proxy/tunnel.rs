//! A `CONNECT` to a served name: answer 200, take the upgraded connection,
//! terminate TLS with that name's certificate, and serve the requests inside
//! on the HTTPS router, their paths mapped onto this server's.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, Uri, header};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::json;

use super::hosts::{Target, classify};
use super::{Proxy, refuse, refuse_unknown};
use crate::serve::{HANDSHAKE_TIMEOUT, Rewrite, serve_connection};

pub(super) async fn connect(
    proxy: Arc<Proxy>,
    peer: SocketAddr,
    req: Request<Incoming>,
    host: &str,
    port: u16,
) -> Response<Body> {
    // One spelling from here on: the certificate, `Host` and returned URLs.
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.as_str();
    let Some(target) = classify(host) else {
        return refuse_unknown(host);
    };
    if port != 443 || target == Target::Imds {
        return refuse(host, &format!("is not served on port {port} over TLS"));
    }
    let prefix = match prefix(&proxy, &target).await {
        Ok(p) => p,
        Err(why) => return refuse(host, &why),
    };
    let config = match proxy.certs.config_for(host) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(host, error = %e, "no certificate for a proxied host");
            return refuse(host, "has no certificate here");
        }
    };
    // The tunnel outlives the proxy connection that asked for it: it holds a
    // connection slot of its own.
    let Some(slot) = crate::listen::connection_slot() else {
        return refuse(host, "cannot be served now: too many open connections");
    };
    let rewrite = rewrite(host.to_string(), prefix);
    let app = proxy.app.clone();
    tokio::spawn(async move {
        let _slot = slot;
        let upgraded = match hyper::upgrade::on(req).await {
            Ok(u) => u,
            Err(e) => {
                tracing::debug!(%peer, error = %e, "CONNECT upgrade failed");
                return;
            }
        };
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let accept = acceptor.accept(TokioIo::new(upgraded));
        match tokio::time::timeout(HANDSHAKE_TIMEOUT, accept).await {
            Ok(Ok(tls)) => serve_connection(tls, peer, app, Some(rewrite)).await,
            Ok(Err(e)) => tracing::debug!(%peer, error = %e, "proxied TLS handshake failed"),
            Err(_) => {}
        }
    });
    Response::new(Body::empty())
}

/// The path on this server under which a name's paths live.
async fn prefix(proxy: &Proxy, target: &Target) -> Result<Option<String>, String> {
    match target {
        Target::Issuer { region } => Ok(Some(format!("/aksemu/oidc/{region}"))),
        Target::ApiServer { fqdn } => {
            match aksemu_aks::api_server::uid_by_fqdn(&proxy.cloud, fqdn).await {
                Ok(Some(uid)) => Ok(Some(aksemu_aks::credentials::api_server_path(&uid))),
                Ok(None) => Err("names no cluster's API server".into()),
                Err(e) => Err(format!("could not be looked up ({e})")),
            }
        }
        _ => Ok(None),
    }
}

fn bad_target() -> Response<Body> {
    let mut r = Response::new(Body::from("the request target must be an absolute path"));
    *r.status_mut() = StatusCode::BAD_REQUEST;
    r
}

fn not_found(path: &str) -> Response<Body> {
    let body = json!({"error": {"code": "NotFound", "message": format!("{path} is not served on this host")}});
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// Requests in a tunnel to `host`: `Host` is the public name (HTTP/2 sends
/// only `:authority`), the path gets `prefix`, and this server's own
/// `/aksemu/` paths are not reachable under a public name.
fn rewrite(host: String, prefix: Option<String>) -> Rewrite {
    let host_value = HeaderValue::from_str(&host).ok();
    Arc::new(move |req: &mut Request<Incoming>| {
        let path = req.uri().path();
        if !path.starts_with('/') {
            return Err(Box::new(bad_target()));
        }
        if path.starts_with("/aksemu/") || path == "/aksemu" {
            return Err(Box::new(not_found(path)));
        }
        let pq = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let mapped = match &prefix {
            Some(p) => format!("{p}{pq}"),
            None => pq,
        };
        let uri: Uri = mapped
            .parse()
            .map_err(|_| not_found("the request target"))?;
        *req.uri_mut() = uri;
        if let Some(v) = &host_value {
            req.headers_mut().insert(header::HOST, v.clone());
        }
        Ok(())
    })
}
