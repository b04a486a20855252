//! The interception proxy: an HTTP proxy on loopback that answers Azure's
//! public hostnames from this process, so unmodified clients with default
//! settings (`HTTPS_PROXY`/`HTTP_PROXY` pointed here) reach aksemu. A `CONNECT`
//! to a served name is terminated with a certificate for that name minted by
//! the local CA; plain HTTP is served for the metadata address only. Every
//! other name is refused with 403: the proxy never opens a connection.

pub mod certs;
pub mod hosts;
mod tunnel;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use aksemu_arm::Cloud;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, Response, StatusCode, header};
use base64::Engine;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tower::ServiceExt as _;

use certs::HostCerts;
use hosts::{IMDS_ADDRESS, SERVED, Target, classify};

/// What the proxy serves from: the HTTPS surfaces' router, the managed
/// identity router, the CA that mints certificates, and the cloud (to find a
/// cluster by its API server name).
pub struct Proxy {
    pub app: Router,
    pub imds: Router,
    pub certs: HostCerts,
    pub cloud: Arc<Cloud>,
}

/// Serves the proxy on `listener` until the task is dropped.
pub async fn serve_proxy(listener: TcpListener, proxy: Arc<Proxy>) {
    loop {
        let (tcp, peer, slot) = crate::serve::accept(&listener).await;
        let proxy = proxy.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| handle(proxy.clone(), peer, req));
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(crate::serve::HEAD_TIMEOUT)
                .serve_connection(TokioIo::new(tcp), svc)
                .with_upgrades();
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "proxy connection ended with an error");
            }
            drop(slot);
        });
    }
}

async fn handle(
    proxy: Arc<Proxy>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let host = req.uri().host().unwrap_or_default().to_string();
    if req.method() == Method::CONNECT {
        let port = req.uri().port_u16().unwrap_or(443);
        return Ok(tunnel::connect(proxy, peer, req, &host, port).await);
    }
    Ok(match classify(&host) {
        Some(Target::Imds) => imds(&proxy, req).await,
        Some(_) => refuse(
            &host,
            "is served over HTTPS only (a CONNECT through this proxy)",
        ),
        None => refuse_unknown(&host),
    })
}

/// The host an `aksemu exec --identity/--node` process runs on, from the
/// password of its proxy credentials (`http://host:<token>@…`).
fn host_token(req: &Request<Incoming>) -> Option<String> {
    let v = req
        .headers()
        .get(header::PROXY_AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, b64) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (_, token) = text.split_once(':')?;
    (!token.is_empty()).then(|| token.to_string())
}

/// `http://169.254.169.254/…`: the managed-identity endpoints of the host the
/// proxy credentials name (or of a host without identities).
async fn imds(proxy: &Proxy, mut req: Request<Incoming>) -> Response<Body> {
    let path_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let target = match host_token(&req) {
        Some(token) if path_query.starts_with("/metadata/") || path_query.starts_with("/msi/") => {
            let token: String =
                percent_encoding::utf8_percent_encode(&token, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            format!("/hosts/{token}{path_query}")
        }
        _ => path_query,
    };
    let Ok(uri) = target.parse() else {
        return plain(StatusCode::BAD_REQUEST, "invalid request target".into());
    };
    *req.uri_mut() = uri;
    req.headers_mut().remove(header::PROXY_AUTHORIZATION);
    req.headers_mut()
        .insert(header::HOST, HeaderValue::from_static(IMDS_ADDRESS));
    match proxy.imds.clone().oneshot(req.map(Body::new)).await {
        Ok(r) => r,
        Err(e) => match e {},
    }
}

fn plain(status: StatusCode, text: String) -> Response<Body> {
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

pub(crate) fn refuse(host: &str, why: &str) -> Response<Body> {
    tracing::info!(host, why, "proxy refused a request");
    plain(
        StatusCode::FORBIDDEN,
        format!("aksemu proxy: {host} {why}.\n"),
    )
}

pub(crate) fn refuse_unknown(host: &str) -> Response<Body> {
    refuse(
        host,
        &format!(
            "is not an Azure endpoint this emulator serves, and the proxy forwards nothing \
             (it serves {SERVED}). To reach {host} directly, add it to NO_PROXY \
             (export NO_PROXY=\"$NO_PROXY,{host}\"), or run the command outside `aksemu exec`"
        ),
    )
}
