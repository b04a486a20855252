//! The Clock tab: cloud time, its offset from real time, buttons that move
//! it (administrator only, with the session's CSRF token, through the admin
//! API's own function), and what is due next: role assignments becoming
//! effective or stopping, client secrets expiring, operations in flight.

use aksemu_arm::Cloud;
use aksemu_arm::collections::OPERATIONS;
use aksemu_arm::operation::Operation;
use aksemu_core::ResourceId;
use aksemu_identity::Application;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use time::format_description::well_known::Rfc3339;

use super::names::Names;
use super::page::{esc, page, secured};
use super::sessions::{Session, csrf_ok};
use super::view::{State as Due, visible_assignments};
use super::{Signed, problem};
use crate::AppState;

const STEPS: [(&str, i64); 5] = [
    ("+1 min", 60),
    ("+10 min", 600),
    ("+1 hour", 3_600),
    ("+1 day", 86_400),
    ("+30 days", 2_592_000),
];

fn at(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(aksemu_core::clock::rfc3339)
        .unwrap_or_default()
}

pub async fn show(State(state): State<AppState>, Signed { session: s, .. }: Signed) -> Response {
    let cloud = &state.cloud;
    let now = cloud.clock.now().unix_timestamp();
    let offset = cloud.virtual_clock.offset_ms() / 1000;
    let buttons: String = STEPS
        .iter()
        .map(|(label, secs)| {
            format!(
                "<form method=\"post\" action=\"/console/clock\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                 <input type=\"hidden\" name=\"advanceSeconds\" value=\"{secs}\"><button type=\"submit\" id=\"advance-{secs}\">{label}</button></form>",
                esc(&s.csrf)
            )
        })
        .collect();
    let moments = upcoming(&state, &s, now).await;
    let items: String = moments
        .iter()
        .map(|(t, what)| {
            format!(
                "<li><span class=\"time\">{}</span> <span class=\"in\">in {}</span> {what}</li>",
                esc(&at(*t)),
                esc(&human(t - now))
            )
        })
        .collect();
    let items = if items.is_empty() {
        "<li class=\"muted\">nothing scheduled</li>".to_string()
    } else {
        items
    };
    let main = format!(
        "<h1>Clock</h1><p class=\"now\">Cloud time <b id=\"clock-now\">{}</b> · real time {} · \
         <span id=\"clock-offset\">{offset} s ahead</span></p><div class=\"advance\">{buttons}</div>\
         <h2>Upcoming</h2><ol class=\"timeline\" id=\"timeline\">{items}</ol>",
        esc(&at(now)),
        esc(&aksemu_core::clock::rfc3339(time::OffsetDateTime::now_utc())),
    );
    page(&s, "clock", "Clock", &main)
}

fn human(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7_200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3_600),
        s => format!("{} days", s / 86_400),
    }
}

/// What happens next on the cloud clock, soonest first (at most 100).
async fn upcoming(state: &AppState, s: &Session, now: i64) -> Vec<(i64, String)> {
    let cloud = &state.cloud;
    let names = Names::load(cloud).await;
    let mut out = Vec::new();
    if let Ok(assignments) = visible_assignments(cloud, &s.who.principal).await {
        for a in &assignments {
            let (t, what) = match a.state {
                Due::Pending(t) => (t, "becomes effective"),
                Due::Deleted(t) => (t, "stops granting (deleted)"),
                Due::Effective => continue,
            };
            out.push((
                t,
                format!(
                    "role assignment <b>{}</b> for {} at <code>{}</code> {what}",
                    esc(&a.role),
                    esc(names.name(&a.principal)),
                    esc(&a.scope_id)
                ),
            ));
        }
    }
    let apps = cloud
        .store()
        .list(aksemu_entra::collections::APPLICATIONS, "")
        .await;
    for d in apps.unwrap_or_default() {
        let Ok(app) = serde_json::from_value::<Application>(d.body) else {
            continue;
        };
        if !s.admin && !app.app_id.eq_ignore_ascii_case(&s.who.principal.app_id) {
            continue;
        }
        for c in &app.password_credentials {
            let Some(end) = c
                .end_date_time
                .map(|t| t.unix_timestamp())
                .filter(|t| *t > now)
            else {
                continue;
            };
            out.push((
                end,
                format!(
                    "client secret {}… of <b>{}</b> expires",
                    esc(&c.hint),
                    esc(&app.display_name)
                ),
            ));
        }
    }
    out.extend(operations(cloud, s, now).await);
    out.sort_by_key(|(t, _)| *t);
    out.truncate(100);
    out
}

/// Operations in flight whose target the session may read, with the moment
/// each is due: its start plus the virtual time its kind takes
/// (`--aks-operation-time`), as the engine waits for it.
async fn operations(cloud: &Cloud, s: &Session, now: i64) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    for d in cloud.store().list(OPERATIONS, "").await.unwrap_or_default() {
        let Ok(op) = serde_json::from_value::<Operation>(d.body) else {
            continue;
        };
        let readable = ResourceId::parse(&op.target_id)
            .is_ok_and(|t| cloud.rbac.allows(&s.who.principal, &op.read_action, &t));
        if op.status != "InProgress" || !readable {
            continue;
        }
        let secs = cloud
            .registry()
            .job_of(&op.work.kind)
            .map_or(0, |j| j.duration_secs());
        let start = time::OffsetDateTime::parse(&op.start_time, &Rfc3339)
            .map_or(now, |t| t.unix_timestamp());
        let what = format!(
            "operation <b>{}</b> on <code>{}</code> (started {}) finishes",
            esc(&op.work.kind),
            esc(&op.target_id),
            esc(&op.start_time)
        );
        out.push(((start + secs).max(now), what));
    }
    out
}

/// Moves the clock: the admin API's function, as the signed-in principal.
pub async fn advance(
    State(state): State<AppState>,
    Signed { session: s, .. }: Signed,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = super::form(&body);
    if !csrf_ok(&s, f.get("csrf").map_or("", String::as_str)) || !super::same_origin(&headers) {
        return problem(
            StatusCode::FORBIDDEN,
            "the request did not come from this console (CSRF token missing or wrong)",
        );
    }
    let Some(secs) = f.get("advanceSeconds").and_then(|v| v.parse::<i64>().ok()) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "advanceSeconds must be a number of seconds",
        );
    };
    let body = json!({ "advanceSeconds": secs }).to_string();
    match aksemu_arm::admin::clock_move(&state.cloud, &s.who.principal, body.as_bytes()).await {
        Ok(_) => secured(Redirect::to("/console/clock").into_response()),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            problem(status, &e.to_string())
        }
    }
}
