//! The graph tab: what the signed-in principal may read, as one SVG.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::view::{State as Assignment, gather};
use super::{Signed, graph, page, problem};
use crate::AppState;

pub async fn show(State(state): State<AppState>, Signed { session: s, .. }: Signed) -> Response {
    let v = match gather(&state.cloud, &s.who.principal).await {
        Ok(v) => v,
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let (svg, hidden) = graph::render(&v);
    let count = |f: fn(&Assignment) -> bool| v.assignments.iter().filter(|a| f(&a.state)).count();
    let pending = count(|s| matches!(s, Assignment::Pending(_)));
    let deleted = count(|s| matches!(s, Assignment::Deleted(_)));
    let hidden = if hidden > 0 {
        format!(" · {hidden} at scopes not shown")
    } else {
        String::new()
    };
    let main = format!(
        "<section class=\"summary\" id=\"graph-summary\"><span>{} clusters</span><span>{} principals</span>\
         <span>{} role assignments ({pending} not yet effective, {deleted} deleted){hidden}</span></section>\
         <p class=\"legend\"><span class=\"lg e-effective\">effective</span><span class=\"lg e-pending\">not yet effective</span>\
         <span class=\"lg e-deleted\">deleted</span><span class=\"lg e-owns\">owned by a cluster</span>\
         <span class=\"muted\">Select a cluster to highlight what it owns and what its identities can reach.</span></p>\
         <div class=\"graph\">{svg}</div>",
        v.clusters.len(),
        v.principals.len(),
        v.assignments.len(),
    );
    page::page(&s, "graph", "Graph", &main)
}
