//! The first step of a cluster PUT: the request checked against what is stored
//! (name, then what every tracked resource checks, then the identity mode).

use aksemu_arm::Cloud;
use aksemu_arm::providers::put_target::{PutTarget, put_target};
use aksemu_authz::Authorized;
use aksemu_core::ArmError;
use aksemu_core::request::ArmRequest;
use serde_json::{Map, Value};

use crate::defaults::invalid;
use crate::identity::{Mode, check_mode_change, requested_mode, stored_mode};
use crate::lifecycle::require_idle;
use crate::names::MANAGED_CLUSTERS;

/// A cluster PUT that passed validation: what the client asked for, beside
/// what is stored.
pub struct Request {
    pub sub: String,
    pub rg: String,
    pub name: String,
    /// `properties`, `{}` when absent.
    pub props: Value,
    pub mode: Mode,
    /// The body, location, tags, stored document, precondition and id.
    pub target: PutTarget,
}

impl Request {
    /// The stored cluster's properties, on an update.
    pub fn old_props(&self) -> Option<&Value> {
        self.target.old().map(|b| &b["properties"])
    }

    pub fn old(&self) -> Option<&Value> {
        self.target.old()
    }
}

fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    match b {
        [] => false,
        [one] => alnum(one),
        [first, mid @ .., last] => {
            b.len() <= 63
                && alnum(first)
                && alnum(last)
                && mid
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
        }
    }
}

fn check_name(name: &str) -> Result<(), ArmError> {
    if valid_name(name) {
        return Ok(());
    }
    Err(invalid(
        "name",
        format!(
            "The value of parameter 'name' is invalid: '{name}'. The name can contain only letters, numbers, underscores and hyphens, must start and end with a letter or number, and be 1 to 63 characters long. Please see https://aka.ms/aks-naming-rules"
        ),
    ))
}

fn properties(body: &Map<String, Value>) -> Result<Value, ArmError> {
    match body.get("properties") {
        Some(p) if p.is_object() => Ok(p.clone()),
        None | Some(Value::Null) => Ok(Value::Object(Map::new())),
        Some(_) => Err(invalid("properties", "properties must be an object.")),
    }
}

/// Validates a cluster PUT at `auth`'s scope: an update must be idle and keep
/// its location and identity mode.
pub async fn validate(
    cloud: &Cloud,
    auth: &Authorized,
    (sub, rg, name): (&str, &str, &str),
    req: &ArmRequest,
) -> Result<Request, ArmError> {
    check_name(name)?;
    let target = put_target(cloud, auth, &MANAGED_CLUSTERS, req, require_idle).await?;
    let props = properties(&target.body)?;
    let requested = requested_mode(&target.body, &props)?;
    let mode = match target.old() {
        Some(old) => {
            let m = stored_mode(old);
            check_mode_change(&m, requested.as_ref())?;
            m
        }
        None => requested.unwrap_or(Mode::System),
    };
    Ok(Request {
        sub: sub.to_string(),
        rg: rg.to_string(),
        name: name.to_string(),
        props,
        mode,
        target,
    })
}

#[cfg(test)]
mod tests {
    use super::valid_name;

    #[test]
    fn names() {
        assert!(valid_name("MyManagedCluster"));
        assert!(valid_name("a"));
        assert!(!valid_name("-a"));
        assert!(!valid_name(&"a".repeat(64)));
    }
}
