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
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};

use crate::AppState;
use aksemu_arm::Cloud;
use sessions::{COOKIE, Session, Sessions};

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

/// The request's session, checked against the directory as it is now: a
/// principal deleted or disabled since sign-in is signed out, and its groups
/// are the current ones. Without one, the sign-in page.
pub struct Signed {
    pub session: Session,
    /// The session cookie's value (the live feed ends when it is closed).
    pub id: String,
}

/// Whether the session's principal is still in the directory, enabled, with
/// the same object id; its groups are brought up to date. If not, the
/// session is closed.
pub async fn still_valid(
    (cloud, sessions): (&Cloud, &Sessions),
    id: &str,
    session: &mut Session,
) -> bool {
    let oid = session.who.principal.object_id.clone();
    match cloud.entra.find_principal(&oid).await {
        Ok(now) if now.enabled && now.principal.object_id.eq_ignore_ascii_case(&oid) => {
            session.who.principal.groups = now.principal.groups;
            true
        }
        _ => {
            sessions.close(id);
            false
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let unauthorized = || signin::page(StatusCode::UNAUTHORIZED, None);
        let id = cookie(&parts.headers, COOKIE).ok_or_else(unauthorized)?;
        let mut session = state.console.get(id).ok_or_else(unauthorized)?;
        if !still_valid((&state.cloud, &state.console), id, &mut session).await {
            return Err(unauthorized());
        }
        Ok(Signed {
            session,
            id: id.to_string(),
        })
    }
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

/// A state-changing request must come from the console itself: besides the
/// session's CSRF token, the browser's `Origin` must be ours (browsers send it
/// on every POST; a request without it is refused).
fn same_origin(headers: &HeaderMap) -> bool {
    let base = crate::base_url::from_headers(headers);
    headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|origin| origin.eq_ignore_ascii_case(&base))
}
