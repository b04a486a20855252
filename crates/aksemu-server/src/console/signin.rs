//! Signing in to the console: a one-time link made by the administrator
//! (`aksemu console [--as P]`), or a service principal's or user's own
//! credentials checked by the token service; either sets the session cookie.

use std::collections::HashMap;

use aksemu_core::ArmError;
use aksemu_identity::grant::EndpointVersion;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use super::page::{bare, esc, secured};
use super::sessions::{COOKIE, LINK_LIFETIME, csrf_ok};
use crate::AppState;

/// az's client id: a user signs in through it, as with `az login`.
const AZ_CLIENT: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/// The sign-in page (also what any console page shows without a session).
pub fn page(status: StatusCode, error: Option<&str>) -> Response {
    let error = error
        .map(|e| format!("<p class=\"error\" id=\"signin-error\">{}</p>", esc(e)))
        .unwrap_or_default();
    let main = format!(
        "<h1>Sign in to the aksemu console</h1>{error}\
         <p>Run <code>aksemu console</code> for a one-time sign-in link as the administrator \
         (<code>aksemu console --as &lt;principal&gt;</code> for another principal), or sign in with credentials:</p>\
         <form method=\"post\" action=\"/console/login\" class=\"signin\">\
         <fieldset><legend>Service principal</legend>\
         <label>Application (client) id <input name=\"client_id\" autocomplete=\"off\"></label>\
         <label>Client secret <input name=\"client_secret\" type=\"password\" autocomplete=\"off\"></label></fieldset>\
         <fieldset><legend>or user</legend>\
         <label>User principal name <input name=\"username\" autocomplete=\"off\"></label>\
         <label>Password <input name=\"password\" type=\"password\" autocomplete=\"off\"></label></fieldset>\
         <button type=\"submit\">Sign in</button></form>"
    );
    bare(status, "Sign in", &main)
}

pub async fn form() -> Response {
    page(StatusCode::OK, None)
}

/// A redirect to `to` setting the session cookie to `value` (with `extra`
/// attributes).
fn redirect_with_cookie(to: &str, value: &str, extra: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    let cookie = format!("{COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Strict{extra}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    secured(r)
}

/// Sets the session cookie and goes to the graph.
fn signed_in(session_id: &str) -> Response {
    redirect_with_cookie("/console/", session_id, "")
}

pub async fn with_link(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let redeemed = q.get("code").and_then(|c| state.console.redeem(c));
    match redeemed {
        Some(id) => signed_in(&id),
        None => page(
            StatusCode::UNAUTHORIZED,
            Some(
                "This sign-in link is unknown, was used already, or has expired. Run `aksemu console` for a new one.",
            ),
        ),
    }
}

pub async fn with_credentials(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !super::same_origin(&headers) {
        return page(
            StatusCode::FORBIDDEN,
            Some("sign-in from another site refused"),
        );
    }
    let f = super::form(&body);
    let field = |k: &str| {
        f.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut grant: HashMap<String, String> = HashMap::new();
    let scope = "https://management.azure.com/.default".to_string();
    grant.insert("scope".into(), scope);
    match (
        field("client_id"),
        field("client_secret"),
        field("username"),
        field("password"),
    ) {
        (Some(id), Some(secret), _, _) => {
            grant.insert("grant_type".into(), "client_credentials".into());
            grant.insert("client_id".into(), id);
            grant.insert("client_secret".into(), secret);
        }
        (_, _, Some(user), Some(password)) => {
            grant.insert("grant_type".into(), "password".into());
            grant.insert("client_id".into(), AZ_CLIENT.into());
            grant.insert("username".into(), user);
            grant.insert("password".into(), password);
        }
        _ => {
            let msg = "give a client id and secret, or a user principal name and password";
            return page(StatusCode::BAD_REQUEST, Some(msg));
        }
    }
    let cloud = &state.cloud;
    let base = crate::base_url::from_headers(&headers);
    let tenant = cloud.entra.tenant_id.clone();
    let issued = cloud
        .entra
        .issue_token(&tenant, &grant, None, EndpointVersion::V2, &base)
        .await;
    let Ok(token) = issued else {
        return page(
            StatusCode::UNAUTHORIZED,
            Some(
                "sign-in failed: wrong credentials, or the account is disabled or its secret expired",
            ),
        );
    };
    let bearer = format!("Bearer {}", token.access_token);
    let principal = match cloud.entra.authenticate(Some(&bearer)) {
        Ok(p) => p,
        Err(e) => return page(StatusCode::UNAUTHORIZED, Some(&e.to_string())),
    };
    let mut named = match cloud.entra.find_principal(&principal.object_id).await {
        Ok(n) => n,
        Err(e) => return page(StatusCode::UNAUTHORIZED, Some(&e.to_string())),
    };
    named.principal = principal;
    let admin = named
        .principal
        .object_id
        .eq_ignore_ascii_case(&cloud.entra.admin_object_id);
    signed_in(&state.console.open(named, admin))
}

/// Closes the session: only with its CSRF token, from our origin (a
/// cross-site request changes nothing, not even the cookie).
pub async fn signout(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let f = super::form(&body);
    let id = super::cookie(&headers, COOKIE);
    let session = id.and_then(|id| state.console.get(id));
    let (Some(id), Some(session)) = (id, session) else {
        return secured(Redirect::to("/console/login").into_response());
    };
    if !csrf_ok(&session, f.get("csrf").map_or("", String::as_str)) || !super::same_origin(&headers)
    {
        return super::problem(
            StatusCode::FORBIDDEN,
            "the request did not come from this console (CSRF token or origin wrong)",
        );
    }
    state.console.close(id);
    redirect_with_cookie("/console/login", "", "; Max-Age=0")
}

/// `POST /aksemu/admin/console/links {"as": principal?}` (administrator only):
/// a one-time link for the administrator or the principal named.
pub async fn create_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let base = crate::base_url::from_headers(&headers);
    let sessions = state.console.clone();
    crate::admin_routes::admin(&state, &headers, 200, |cloud, caller| async move {
        aksemu_arm::admin::admin_only(&cloud, &caller, "aksemu/admin/console/action")?;
        let body: serde_json::Value = if body.is_empty() {
            json!({})
        } else {
            serde_json::from_slice(&body)
                .map_err(|e| ArmError::InvalidRequestContent(e.to_string()))?
        };
        let who = body["as"]
            .as_str()
            .unwrap_or(&cloud.entra.admin_object_id)
            .to_string();
        let named = cloud.entra.find_principal(&who).await?;
        let admin = named
            .principal
            .object_id
            .eq_ignore_ascii_case(&cloud.entra.admin_object_id);
        let name = named.display_name.clone();
        let oid = named.principal.object_id.clone();
        let code = sessions.link(named, admin);
        Ok(json!({
            "url": format!("{base}/console/signin?code={code}"),
            "expiresInSeconds": LINK_LIFETIME.as_secs(),
            "principalName": name,
            "principalId": oid,
        }))
    })
    .await
}
