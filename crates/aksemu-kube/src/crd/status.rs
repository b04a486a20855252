//! A CRD's status as kube-apiserver's apiextensions controllers leave it once
//! they have run: names accepted (or not, when another CRD holds them),
//! Established, and the versions ever stored.

use serde_json::{Value, json};

/// `names` with the defaults the API fills in (singular, listKind).
pub fn accepted_names(spec: &Value) -> Value {
    let mut names = spec["names"].clone();
    let kind = names["kind"].as_str().unwrap_or_default().to_string();
    if names["singular"].as_str().is_none_or(str::is_empty) {
        names["singular"] = json!(kind.to_ascii_lowercase());
    }
    if names["listKind"].as_str().is_none_or(str::is_empty) {
        names["listKind"] = json!(format!("{kind}List"));
    }
    names
}

fn condition(kind: &str, ok: bool, reason: &str, message: &str, now: &str) -> Value {
    json!({"type": kind, "status": if ok { "True" } else { "False" },
           "lastTransitionTime": now, "reason": reason, "message": message})
}

/// Sets the status of a CRD being written. `taken`: the names another CRD
/// already serves (plural or kind), which keep this one from being served.
pub fn settle(crd: &mut Value, old: Option<&Value>, taken: Option<String>, now: &str) {
    let spec = crd["spec"].clone();
    let mut stored: Vec<Value> = old
        .and_then(|o| o["status"]["storedVersions"].as_array().cloned())
        .unwrap_or_default();
    if let Some(v) = spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["storage"] == true)
        .map(|v| v["name"].clone())
        && !stored.contains(&v)
    {
        stored.push(v);
    }
    let conditions = match &taken {
        None => json!([
            condition(
                "NamesAccepted",
                true,
                "NoConflicts",
                "no conflicts found",
                now
            ),
            condition(
                "Established",
                true,
                "InitialNamesAccepted",
                "the initial names have been accepted",
                now
            ),
        ]),
        Some(msg) => json!([
            condition("NamesAccepted", false, "NameConflict", msg, now),
            condition(
                "Established",
                false,
                "NotAccepted",
                "not all names are accepted",
                now
            ),
        ]),
    };
    // A condition that did not change keeps when it last did.
    let mut conditions = conditions;
    for c in conditions.as_array_mut().into_iter().flatten() {
        let before = old
            .and_then(|o| o["status"]["conditions"].as_array())
            .and_then(|cs| {
                cs.iter()
                    .find(|p| p["type"] == c["type"] && p["status"] == c["status"])
            });
        if let Some(p) = before {
            c["lastTransitionTime"] = p["lastTransitionTime"].clone();
        }
    }
    let accepted = if taken.is_none() {
        accepted_names(&spec)
    } else {
        json!({"plural": "", "kind": ""})
    };
    crd["status"] =
        json!({"conditions": conditions, "acceptedNames": accepted, "storedVersions": stored});
}
