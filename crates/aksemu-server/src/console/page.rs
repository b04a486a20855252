//! The console's HTML shell and the headers every console response carries:
//! a strict Content-Security-Policy (scripts and styles from our own assets
//! only, nothing inline), no framing, no referrer to other sites (sign-in codes
//! live in URLs),
//! no caching.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::sessions::Session;

pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Sets the console's security headers on any response.
pub fn secured(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Not `no-referrer`: with it browsers send `Origin: null`, and the
    // origin check of state-changing requests needs the real one.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub fn html(status: StatusCode, body: String) -> Response {
    secured(
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
    )
}

const TABS: [(&str, &str, &str); 5] = [
    ("graph", "/console/", "Graph"),
    ("decisions", "/console/decisions", "Decisions"),
    ("ask", "/console/ask", "Ask"),
    ("clock", "/console/clock", "Clock"),
    ("clusters", "/console/clusters", "Clusters"),
];

/// A full page: navigation, who is signed in, and `main`.
pub fn page(session: &Session, tab: &str, title: &str, main: &str) -> Response {
    let nav: String = TABS
        .iter()
        .map(|(id, href, label)| {
            let current = if *id == tab { " class=\"current\"" } else { "" };
            format!("<a href=\"{href}\"{current} id=\"tab-{id}\">{label}</a>")
        })
        .collect();
    let who = format!(
        "{} <span class=\"muted\">{}</span>",
        esc(&session.who.display_name),
        esc(&session.who.principal.object_id)
    );
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} · aksemu console</title>\
         <link rel=\"stylesheet\" href=\"/console/assets/console.css\">\
         <script src=\"/console/assets/console.js\" defer></script></head>\
         <body data-tab=\"{tab}\"><header><span class=\"brand\">aksemu</span><nav>{nav}</nav>\
         <form method=\"post\" action=\"/console/signout\" class=\"who\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\"><span id=\"who\">{who}</span>\
         <button type=\"submit\">Sign out</button></form></header><main>{main}</main></body></html>",
        title = esc(title),
        csrf = esc(&session.csrf),
    );
    html(StatusCode::OK, body)
}

/// A page for someone not signed in (or a refused request).
pub fn bare(status: StatusCode, title: &str, main: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{t} · aksemu console</title>\
         <link rel=\"stylesheet\" href=\"/console/assets/console.css\"></head>\
         <body><header><span class=\"brand\">aksemu</span></header><main>{main}</main></body></html>",
        t = esc(title)
    );
    html(status, body)
}
