//! The Decisions tab: the decision log, newest first, and a live feed
//! (server-sent events) of new decisions as rendered rows. The administrator
//! sees every decision; another principal its own, and those at scopes where
//! it may read role assignments.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{KeepAlive, Sse};
use axum::response::{IntoResponse, Response};

use super::Signed;
use super::feed::Feed;
use super::names::Names;
use super::page::{esc, page, secured};
use super::rows::{Filter, Viewer, row, visible};
use crate::AppState;

const SHOWN: usize = 200;

pub async fn show(
    State(state): State<AppState>,
    Signed { session: s, .. }: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let f = Filter::of(&q);
    let names = Names::load(&state.cloud).await;
    // The feed starts after what this page shows, so nothing falls between.
    let (kept, after) = state.cloud.rbac.decisions.snapshot();
    let viewer = Viewer {
        cloud: &state.cloud,
        session: &s,
    };
    let rows: String = kept
        .iter()
        .rev()
        .filter(|d| visible(&state.cloud, &s, d) && f.keeps(d, &names))
        .take(SHOWN)
        .map(|d| row(d, &names, viewer))
        .collect();
    let sel = |v: &str| if f.result == v { " selected" } else { "" };
    let main = format!(
        "<h1>Decisions</h1><form method=\"get\" action=\"/console/decisions\" class=\"filters\">\
         <label>Principal <input name=\"principal\" id=\"filter-principal\" value=\"{}\"></label>\
         <label>Action <input name=\"action\" id=\"filter-action\" value=\"{}\"></label>\
         <label>Result <select name=\"result\" id=\"filter-result\"><option value=\"\">any</option>\
         <option value=\"allowed\"{}>allowed</option><option value=\"denied\"{}>denied</option></select></label>\
         <button type=\"submit\">Filter</button></form>\
         <p class=\"muted\" id=\"feed-state\" data-stream=\"/console/decisions/stream?after={after}&amp;{}\">live</p>\
         <ol class=\"decisions\" id=\"decisions\">{rows}</ol>",
        esc(&f.principal),
        esc(&f.action),
        sel("allowed"),
        sel("denied"),
        esc(&f.query()),
    );
    page(&s, "decisions", "Decisions", &main)
}

/// Server-sent events: every quarter second, the new decisions the session
/// may see and its filters keep, as rendered rows (see `feed`).
pub async fn stream(
    State(state): State<AppState>,
    Signed { session: s, id }: Signed,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    // A reconnecting EventSource says what it saw last; the page's `after`
    // is only where it started.
    let seen = |v: Option<&str>| v.and_then(|v| v.trim().parse::<u64>().ok());
    let last_event = seen(headers.get("last-event-id").and_then(|v| v.to_str().ok()));
    let after = match (seen(q.get("after").map(String::as_str)), last_event) {
        (Some(a), Some(l)) => a.max(l),
        (a, l) => a.or(l).unwrap_or(u64::MAX),
    };
    let open = (state.console.clone(), id);
    let feed = Feed::new(state.cloud.clone(), (s, open), Filter::of(&q), after).await;
    let events = futures_util::stream::unfold(feed, |mut feed| async move {
        let ev = feed.next().await?;
        Some((Ok::<_, std::convert::Infallible>(ev), feed))
    });
    secured(
        Sse::new(events)
            .keep_alive(KeepAlive::default())
            .into_response(),
    )
}
