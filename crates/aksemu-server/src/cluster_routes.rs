//! Per-cluster Kubernetes API servers at `/aksemu/clusters/{resourceUID}/…`
//! (the URL kubeconfigs name): the HTTP request becomes a `KubeRequest` for
//! `aksemu_kube`, and its `KubeResponse` (whole, or streamed for watches)
//! becomes the HTTP response.

use std::convert::Infallible;

use aksemu_kube::{KubeBody, KubeRequest, KubeResponse};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use axum::response::Response;

use crate::AppState;
use crate::base_url;

/// Most of a request body read: the API answers 413 past 3 MiB, and reading
/// a little further lets a client that sent more see that answer.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = header(headers, "authorization")?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn query(uri: &Uri) -> Vec<(String, String)> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn respond(r: KubeResponse) -> Response {
    let body = match r.body {
        KubeBody::Full(b) => Body::from(b),
        KubeBody::Stream(rx) => {
            Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
                rx.recv()
                    .await
                    .map(|chunk| (Ok::<_, Infallible>(Bytes::from(chunk)), rx))
            }))
        }
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = axum::http::StatusCode::from_u16(r.status)
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&r.content_type) {
        h.insert(axum::http::header::CONTENT_TYPE, v);
    }
    for (k, v) in r.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::from_str(&v)) {
            h.append(k, v);
        }
    }
    resp
}

/// The API server's URL as the client named it: its public name through the
/// interception proxy, else its path on this server.
fn cluster_base(headers: &HeaderMap, uid: &str) -> String {
    let base = base_url::from_headers(headers);
    if base.ends_with(".azmk8s.io") {
        base
    } else {
        format!("{base}{}", aksemu_aks::credentials::api_server_path(uid))
    }
}

async fn serve(
    state: AppState,
    uid: String,
    rest: String,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b.to_vec(),
        // Past the limit: let the API answer its 413.
        Err(_) => vec![0; BODY_LIMIT],
    };
    let path = percent_encoding::percent_decode_str(&rest)
        .decode_utf8_lossy()
        .into_owned();
    let req = KubeRequest {
        method: method.as_str().to_ascii_uppercase(),
        path: format!("/{path}"),
        query: query(&uri),
        content_type: header(&headers, "content-type"),
        accept: header(&headers, "accept"),
        bearer: bearer(&headers),
        user_agent: header(&headers, "user-agent"),
        body,
        base_url: cluster_base(&headers, &uid),
    };
    respond(state.kube.handle(&uid, req).await)
}

pub async fn root(
    State(state): State<AppState>,
    Path(uid): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    serve(state, uid, String::new(), method, uri, headers, body).await
}

pub async fn path(
    State(state): State<AppState>,
    Path((uid, rest)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    serve(state, uid, rest, method, uri, headers, body).await
}
