//! The Decisions tab: the decision log, newest first, and a live feed
//! (server-sent events) of new decisions as rendered rows. The administrator
//! sees every decision; another principal its own, and those at scopes where
//! it may read role assignments.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use aksemu_arm::Cloud;
use aksemu_arm::explain::grant;
use aksemu_arm::rbac::decisions::Decision;
use aksemu_authz::ActionKind;
use aksemu_core::ResourceId;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;

use super::names::Names;
use super::page::{esc, page, secured};
use super::session;
use super::sessions::Session;
use crate::AppState;

const ASSIGNMENT_READ: &str = "Microsoft.Authorization/roleAssignments/read";
const SHOWN: usize = 200;

/// The filters of the page, from its query.
#[derive(Clone, Default)]
struct Filter {
    principal: String,
    action: String,
    result: String,
}

impl Filter {
    fn of(q: &HashMap<String, String>) -> Self {
        let get = |k: &str| {
            q.get(k)
                .map(|v| v.trim().to_lowercase())
                .unwrap_or_default()
        };
        Self {
            principal: get("principal"),
            action: get("action"),
            result: get("result"),
        }
    }

    fn keeps(&self, d: &Decision, names: &Names) -> bool {
        let who = self.principal.is_empty()
            || d.object_id.to_lowercase().contains(&self.principal)
            || names
                .name(&d.object_id)
                .to_lowercase()
                .contains(&self.principal);
        let action = self.action.is_empty() || d.action.to_lowercase().contains(&self.action);
        let result = match self.result.as_str() {
            "allowed" => d.allowed,
            "denied" => !d.allowed,
            _ => true,
        };
        who && action && result
    }

    fn query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("principal", &self.principal)
            .append_pair("action", &self.action)
            .append_pair("result", &self.result)
            .finish()
    }
}

/// Whether the session may see `d`.
fn visible(cloud: &Cloud, s: &Session, d: &Decision) -> bool {
    s.admin
        || d.object_id.eq_ignore_ascii_case(&s.who.principal.object_id)
        || ResourceId::parse(&d.scope)
            .is_ok_and(|scope| cloud.rbac.allows(&s.who.principal, ASSIGNMENT_READ, &scope))
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = match session(&state, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let f = Filter::of(&q);
    let names = Names::load(&state.cloud).await;
    // The feed starts after what this page shows, so nothing falls between.
    let after = state.cloud.rbac.decisions.last_seq();
    let rows: String = state
        .cloud
        .rbac
        .decisions
        .recent()
        .iter()
        .rev()
        .filter(|d| visible(&state.cloud, &s, d) && f.keeps(d, &names))
        .take(SHOWN)
        .map(|d| row(d, &names))
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

/// Server-sent events: one `decision` event per new visible decision, its
/// data a rendered row.
pub async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let s = match session(&state, &headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let f = Filter::of(&q);
    // Subscribed first, then the kept decisions after `after` replayed: a
    // decision made while the page loaded is sent once, not lost.
    let rx = state.cloud.rbac.decisions.subscribe();
    let after: u64 = q
        .get("after")
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX);
    let replay: std::collections::VecDeque<Arc<Decision>> = state
        .cloud
        .rbac
        .decisions
        .recent()
        .into_iter()
        .filter(|d| d.seq > after)
        .collect();
    let names = Names::load(&state.cloud).await;
    let ctx = Arc::new((state.cloud.clone(), s, f));
    let start = (
        rx,
        names,
        replay,
        after.min(state.cloud.rbac.decisions.last_seq()),
    );
    let events =
        futures_util::stream::unfold(start, move |(mut rx, mut names, mut replay, mut sent)| {
            let ctx = ctx.clone();
            async move {
                loop {
                    let d = match replay.pop_front() {
                        Some(d) => d,
                        None => match rx.recv().await {
                            Ok(d) if d.seq <= sent => continue,
                            Ok(d) => d,
                            Err(RecvError::Lagged(_)) => continue,
                            Err(RecvError::Closed) => return None,
                        },
                    };
                    sent = sent.max(d.seq);
                    let (cloud, s, f) = (&ctx.0, &ctx.1, &ctx.2);
                    if names.name(&d.object_id) == d.object_id {
                        // A principal made since the page opened.
                        names = Names::load(cloud).await;
                    }
                    if visible(cloud, s, &d) && f.keeps(&d, &names) {
                        let ev = Event::default()
                            .event("decision")
                            .id(d.seq.to_string())
                            .data(row(&d, &names));
                        return Some((Ok::<_, Infallible>(ev), (rx, names, replay, sent)));
                    }
                }
            }
        });
    secured(
        Sse::new(events)
            .keep_alive(KeepAlive::default())
            .into_response(),
    )
}

fn at(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(aksemu_core::clock::rfc3339)
        .unwrap_or_default()
}

/// One decision as a list item (one line, no line breaks: it is also an SSE
/// data field).
fn row(d: &Decision, names: &Names) -> String {
    let (class, verdict) = if d.allowed {
        ("allowed", "allowed")
    } else {
        ("denied", "denied")
    };
    let details = if d.allowed {
        String::new()
    } else {
        let kind = if d.data {
            ActionKind::Data
        } else {
            ActionKind::Control
        };
        let fix = grant(&names.principal(&d.object_id), &d.action, kind, &d.scope);
        format!(
            "<details open><summary>Why</summary>{}</details>",
            explanation_html(&d.explanation, fix.as_ref())
        )
    };
    let data = if d.data {
        " <span class=\"tag\">data action</span>"
    } else {
        ""
    };
    format!(
        "<li class=\"decision {class}\" data-seq=\"{seq}\"><span class=\"time\">{time}</span> \
         <span class=\"verdict\">{verdict}</span> <span class=\"caller\">{name} <span class=\"muted\">{oid}</span></span> \
         <code class=\"action\">{action}</code>{data} at <code class=\"scope\">{scope}</code>{details}</li>",
        seq = d.seq,
        time = esc(&at(d.at)),
        name = esc(names.name(&d.object_id)),
        oid = esc(&d.object_id),
        action = esc(&d.action),
        scope = esc(&d.scope),
    )
    .replace('\n', " ")
}

/// The assignments considered and why each did not grant, and the command
/// that would.
pub fn explanation_html(explanation: &[Value], fix: Option<&Value>) -> String {
    let items: String = explanation
        .iter()
        .map(|e| {
            let reason = esc(e["reason"].as_str().unwrap_or_default());
            match e["roleAssignmentId"].as_str() {
                Some(id) => format!(
                    "<li><b>{}</b> at <code>{}</code>: <span class=\"reason\">{reason}</span> <span class=\"muted\" title=\"{}\">assignment</span></li>",
                    esc(e["roleDefinitionName"].as_str().unwrap_or_default()),
                    esc(e["scope"].as_str().unwrap_or_default()),
                    esc(id)
                ),
                None => format!("<li><span class=\"reason\">{reason}</span></li>"),
            }
        })
        .collect();
    let fix = fix
        .and_then(|f| {
            Some(format!(
                "<p class=\"fix\">To grant it ({}): <code class=\"command\">{}</code></p>",
                esc(f["roleDefinitionName"].as_str()?),
                esc(f["command"].as_str()?)
            ))
        })
        .unwrap_or_default();
    format!("<ul class=\"explanation\">{items}</ul>{fix}")
}
