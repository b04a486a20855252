//! The web console under `/console/`: server-rendered pages over the same
//! data and authorization as ARM, for a principal signed in through a
//! one-time link (`aksemu console`) or its own credentials.

mod ask;
mod assets;
mod clock;
mod clusters;
mod decisions;
mod feed;
mod graph;
mod graph_page;
mod layout;
mod names;
mod page;
mod rows;
pub mod sessions;
mod signin;
mod view;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};

use crate::AppState;
use sessions::{COOKIE, Session};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(graph_page::show))
        .route("/console/", get(graph_page::show))
        .route("/console/signin", get(signin::with_link))
        .route(
            "/console/login",
            get(signin::form).post(signin::with_credentials),
        )
        .route("/console/signout", post(signin::signout))
        .route("/console/decisions", get(decisions::show))
        .route("/console/decisions/stream", get(decisions::stream))
        .route("/console/ask", get(ask::show))
        .route("/console/clock", get(clock::show).post(clock::advance))
        .route("/console/clusters", get(clusters::show))
        .route("/console/assets/{name}", get(assets::serve))
        .route("/aksemu/admin/console/links", post(signin::create_link))
}

/// The value of cookie `name` in the request.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The request's session, or the sign-in page.
fn session(state: &AppState, headers: &HeaderMap) -> Result<Session, Box<Response>> {
    cookie(headers, COOKIE)
        .and_then(|id| state.console.get(id))
        .ok_or_else(|| Box::new(signin::page(StatusCode::UNAUTHORIZED, None)))
}

/// A page for a refused or failed console request.
fn problem(status: StatusCode, message: &str) -> Response {
    page::bare(
        status,
        "Error",
        &format!(
            "<p class=\"error\">{}</p><p><a href=\"/console/\">Back to the console</a></p>",
            page::esc(message)
        ),
    )
}

/// Parses an `application/x-www-form-urlencoded` body.
fn form(body: &[u8]) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// A state-changing request must come from the console itself: the
/// session's CSRF token, and the browser's `Origin` (when sent) ours.
fn same_origin(headers: &HeaderMap) -> bool {
    let base = crate::base_url::from_headers(headers);
    match headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    {
        Some(origin) => origin.eq_ignore_ascii_case(&base),
        None => true,
    }
}
