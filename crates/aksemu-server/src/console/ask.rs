//! The Ask tab: "can principal P do action A at scope S?", answered by the
//! gate's evaluator with its explanation. A principal may ask about itself,
//! or about anyone at a scope where it may read role assignments.

use std::collections::HashMap;

use aksemu_arm::explain::{Question, answer};
use aksemu_core::ResourceId;
use axum::extract::{Query, State};
use axum::response::Response;
use serde_json::Value;

use super::Signed;
use super::page::{esc, page};
use super::rows::{Viewer, explanation_html};
use super::sessions::Session;
use crate::AppState;

const ASSIGNMENT_READ: &str = "Microsoft.Authorization/roleAssignments/read";

pub async fn show(
    State(state): State<AppState>,
    Signed { session: s, .. }: Signed,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let (who, action, scope) = (get("principal"), get("action"), get("scope"));
    let data = q.get("data").is_some_and(|v| v == "on");
    let result = if who.is_empty() || action.is_empty() || scope.is_empty() {
        String::new()
    } else {
        match ask(&state, &s, (&who, &action, &scope, data)).await {
            Ok(v) => render(&v),
            Err(e) => format!("<p class=\"error\" id=\"ask-error\">{}</p>", esc(&e)),
        }
    };
    let checked = if data { " checked" } else { "" };
    let main = format!(
        "<h1>Ask</h1><form method=\"get\" action=\"/console/ask\" class=\"ask\">\
         <label>Principal <input name=\"principal\" id=\"ask-principal\" value=\"{}\" placeholder=\"object id, app id, name or identity resource id\"></label>\
         <label>Action <input name=\"action\" id=\"ask-action\" value=\"{}\" placeholder=\"Microsoft.Network/loadBalancers/write\"></label>\
         <label>Scope <input name=\"scope\" id=\"ask-scope\" value=\"{}\" placeholder=\"/subscriptions/…/resourceGroups/…\"></label>\
         <label class=\"inline\"><input type=\"checkbox\" name=\"data\"{checked}> data action</label>\
         <button type=\"submit\" id=\"ask-submit\">Ask</button></form>{result}\
         <p class=\"muted\">Also on the command line: <code>aksemu explain --principal P --action A --scope S</code></p>",
        esc(&who),
        esc(&action),
        esc(&scope)
    );
    page(&s, "ask", "Ask", &main)
}

/// The evaluator's answer about `who`. Without `roleAssignments/read` at the
/// scope a principal may ask only about itself, and learns nothing about
/// the directory from a refusal.
async fn ask(
    state: &AppState,
    asker: &Session,
    (who, action, scope, data): (&str, &str, &str, bool),
) -> Result<Value, String> {
    let cloud = &state.cloud;
    let scope = ResourceId::parse(scope).map_err(|e| e.to_string())?;
    let me = &asker.who;
    let named = if asker.admin || cloud.rbac.allows(&me.principal, ASSIGNMENT_READ, &scope) {
        cloud
            .entra
            .find_principal(who)
            .await
            .map_err(|e| e.to_string())?
    } else if [
        &me.principal.object_id,
        &me.principal.app_id,
        &me.display_name,
    ]
    .iter()
    .any(|mine| !mine.is_empty() && mine.eq_ignore_ascii_case(who))
    {
        me.clone()
    } else {
        return Err(format!(
            "you may ask about yourself, or about others where you may read role assignments ({ASSIGNMENT_READ} at {scope})"
        ));
    };
    let q = Question {
        principal: &named.principal,
        action,
        scope: &scope,
        data,
    };
    let mut v = answer(cloud, &q);
    let viewer = Viewer {
        cloud,
        session: asker,
    };
    let shown = viewer.explanation(
        &named.principal.object_id,
        v["explanation"].as_array().map_or(&[][..], Vec::as_slice),
    );
    v["explanation"] = Value::from(shown);
    v["principalName"] = Value::from(named.display_name);
    Ok(v)
}

fn render(v: &Value) -> String {
    let allowed = v["allowed"] == true;
    let (class, verdict) = if allowed {
        ("allowed", "Allowed")
    } else {
        ("denied", "Denied")
    };
    let s = |k: &str| esc(v[k].as_str().unwrap_or_default());
    format!(
        "<section class=\"answer {class}\" id=\"ask-answer\"><h2>{verdict}</h2>\
         <p><b>{}</b> <span class=\"muted\">{}</span> · <code>{}</code> at <code>{}</code></p>{}</section>",
        s("principalName"),
        s("principalId"),
        s("action"),
        s("scope"),
        explanation_html(
            v["explanation"].as_array().map_or(&[][..], Vec::as_slice),
            v.get("grant")
        )
    )
}
