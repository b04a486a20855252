//! A decision as the console shows it (a list item with, for a denial, the
//! explanation and the command that would grant it), who may see it, and
//! the page's filters.

use std::collections::HashMap;

use aksemu_arm::Cloud;
use aksemu_arm::explain::grant;
use aksemu_arm::rbac::decisions::Decision;
use aksemu_authz::ActionKind;
use aksemu_core::ResourceId;
use serde_json::Value;

use super::names::Names;
use super::page::esc;
use super::sessions::Session;

const ASSIGNMENT_READ: &str = "Microsoft.Authorization/roleAssignments/read";

/// The filters of the page, from its query.
#[derive(Clone, Default)]
pub struct Filter {
    pub principal: String,
    pub action: String,
    pub result: String,
}

impl Filter {
    pub fn of(q: &HashMap<String, String>) -> Self {
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

    pub fn keeps(&self, d: &Decision, names: &Names) -> bool {
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

    pub fn query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("principal", &self.principal)
            .append_pair("action", &self.action)
            .append_pair("result", &self.result)
            .finish()
    }
}

/// Who is looking, for what an explanation may show them.
#[derive(Clone, Copy)]
pub struct Viewer<'a> {
    pub cloud: &'a Cloud,
    pub session: &'a Session,
}

impl Viewer<'_> {
    /// The explanation entries the viewer may see: all of them for the
    /// administrator or the principal itself; otherwise only assignments at
    /// scopes where the viewer may read role assignments (as ARM would list
    /// them to it).
    pub fn explanation(&self, principal_id: &str, explanation: &[Value]) -> Vec<Value> {
        let me = &self.session.who.principal;
        if self.session.admin || me.object_id.eq_ignore_ascii_case(principal_id) {
            return explanation.to_vec();
        }
        explanation
            .iter()
            .filter(|e| match e["scope"].as_str() {
                Some(scope) => ResourceId::parse(scope)
                    .is_ok_and(|s| self.cloud.rbac.allows(me, ASSIGNMENT_READ, &s)),
                // A count of the rest would tell how many it cannot read.
                None => e.get("roleAssignmentId").is_none() && e.get("more").is_none(),
            })
            .cloned()
            .collect()
    }
}

/// Whether the session may see `d`.
pub fn visible(cloud: &Cloud, s: &Session, d: &Decision) -> bool {
    s.admin
        || d.object_id.eq_ignore_ascii_case(&s.who.principal.object_id)
        || ResourceId::parse(&d.scope)
            .is_ok_and(|scope| cloud.rbac.allows(&s.who.principal, ASSIGNMENT_READ, &scope))
}

fn at(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(aksemu_core::clock::rfc3339)
        .unwrap_or_default()
}

/// One decision as a list item (one line, no line breaks: it is also an SSE
/// data field).
pub fn row(d: &Decision, names: &Names, viewer: Viewer<'_>) -> String {
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
            explanation_html(
                &viewer.explanation(&d.object_id, &d.explanation),
                fix.as_ref()
            )
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
