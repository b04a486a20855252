//! The parser: a collapsed path, its method and `api-version` → `Endpoint`, or
//! ARM's error for an unknown namespace, type or method. Segments are matched in
//! lower case; names keep the client's casing.

use aksemu_core::{ApiVersion, ArmError, ResourceId};

use super::catalogue::Catalogue;
use super::{Endpoint, RbacOp, ResourceType, RgOp};
use aksemu_core::request::Method;

const AUTHZ: &str = "/providers/microsoft.authorization/";

/// A path split into segments, as sent and in lower case.
struct Parts<'a> {
    cat: &'a Catalogue,
    method: Method,
    segs: Vec<&'a str>,
    l: Vec<String>,
    api_version: Option<&'a str>,
}

impl Parts<'_> {
    fn lower(&self) -> Vec<&str> {
        self.l.iter().map(String::as_str).collect()
    }

    fn seg(&self, i: usize) -> String {
        self.segs.get(i).copied().unwrap_or_default().to_string()
    }

    fn get_only(&self, ep: Endpoint) -> Result<Endpoint, ArmError> {
        if self.method == Method::Get {
            Ok(ep)
        } else {
            Err(method_not_allowed(self.method))
        }
    }

    fn post_only(&self, ep: Endpoint) -> Result<Endpoint, ArmError> {
        if self.method == Method::Post {
            Ok(ep)
        } else {
            Err(method_not_allowed(self.method))
        }
    }

    fn unknown_type(&self, ns: &str, type_name: &str) -> ArmError {
        match self.cat.namespace(ns) {
            None => ArmError::InvalidResourceNamespace(ns.to_string()),
            Some(n) => ArmError::InvalidResourceType {
                namespace: n.name.to_string(),
                resource_type: type_name.to_string(),
                api_version: self.api_version.unwrap_or_default().to_string(),
            },
        }
    }
}

fn method_not_allowed(m: Method) -> ArmError {
    ArmError::UnsupportedHttpMethod(m.as_str().to_string())
}

fn rg_op(method: Method) -> Result<RgOp, ArmError> {
    match method {
        Method::Put => Ok(RgOp::Put),
        Method::Get => Ok(RgOp::Get),
        Method::Head => Ok(RgOp::Head),
        Method::Patch => Ok(RgOp::Patch),
        Method::Delete => Ok(RgOp::Delete),
        m => Err(method_not_allowed(m)),
    }
}

/// Parses a collapsed path. `api_version` is checked for every ARM endpoint.
pub fn parse(
    cat: &Catalogue,
    method: Method,
    path: &str,
    api_version: Option<&str>,
) -> Result<Endpoint, ArmError> {
    let lower = path.to_ascii_lowercase();
    // Role definitions and assignments sit under any scope; the namespace's own
    // endpoints (`…/providers/Microsoft.Authorization/register`) are routed as
    // every namespace's are.
    let authz = lower.rfind(AUTHZ).filter(|pos| {
        let rest = &lower[pos + AUTHZ.len()..];
        rest.starts_with("roledefinitions") || rest.starts_with("roleassignments")
    });
    let ep = match authz {
        Some(pos) => parse_authorization(method, path, pos)?,
        None => {
            let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            let l = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
            let p = Parts {
                cat,
                method,
                segs,
                l,
                api_version,
            };
            route(&p)?
        }
    };
    ApiVersion::parse(api_version)?;
    Ok(ep)
}

fn route(p: &Parts) -> Result<Endpoint, ArmError> {
    let l = p.lower();
    match l.as_slice() {
        ["subscriptions", _, "resourcegroups", _, "providers", ..] => group_provider(p),
        ["subscriptions", _, "providers", _, ..] => subscription_provider(p),
        _ => resources(p),
    }
}

/// Subscriptions, tenants, locations, resource groups and resource listings.
fn resources(p: &Parts) -> Result<Endpoint, ArmError> {
    let sub = p.seg(1);
    match p.lower().as_slice() {
        ["subscriptions"] => p.get_only(Endpoint::ListSubscriptions),
        ["tenants"] => p.get_only(Endpoint::ListTenants),
        ["subscriptions", _] => p.get_only(Endpoint::GetSubscription { sub }),
        ["subscriptions", _, "locations"] => p.get_only(Endpoint::ListLocations { sub }),
        ["subscriptions", _, "resourcegroups"] => p.get_only(Endpoint::ListResourceGroups { sub }),
        ["subscriptions", _, "resourcegroups", _] => Ok(Endpoint::ResourceGroup {
            sub,
            name: p.seg(3),
            op: rg_op(p.method)?,
        }),
        ["subscriptions", _, "providers"] => p.get_only(Endpoint::ListProviders { sub }),
        ["subscriptions", _, "resources"] => {
            p.get_only(Endpoint::ListAllResources { sub, rg: None })
        }
        ["subscriptions", _, "resourcegroups", _, "resources"] => {
            p.get_only(Endpoint::ListAllResources {
                sub,
                rg: Some(p.seg(3)),
            })
        }
        l => Err(ArmError::InvalidResourceType {
            namespace: "Microsoft.Resources".to_string(),
            resource_type: l.last().copied().unwrap_or_default().to_string(),
            api_version: p.api_version.unwrap_or_default().to_string(),
        }),
    }
}

/// `/subscriptions/{s}/providers/{ns}/…`: the namespace itself, its
/// registration, operation records, location reads, provider actions and
/// subscription-wide listings of a type.
fn subscription_provider(p: &Parts) -> Result<Endpoint, ArmError> {
    let sub = p.seg(1);
    let ns_raw = p.seg(3);
    let known = || {
        p.cat
            .namespace(&ns_raw)
            .ok_or_else(|| ArmError::InvalidResourceNamespace(ns_raw.clone()))
    };
    match p.lower().as_slice() {
        [_, _, _, _] => p.get_only(Endpoint::GetProvider {
            sub,
            namespace: known()?,
        }),
        [_, _, _, _, verb @ ("register" | "unregister")] => {
            p.post_only(Endpoint::RegisterProvider {
                sub,
                namespace: known()?,
                register: *verb == "register",
            })
        }
        [
            _,
            _,
            _,
            _,
            "locations",
            _,
            kind @ ("operationstatuses" | "operationresults"),
            _,
        ] => p.get_only(Endpoint::OperationStatus {
            sub,
            namespace: ns_raw,
            id: p.seg(7),
            result: *kind == "operationresults",
        }),
        [_, _, _, _, "locations", _, name] => {
            let read = p
                .cat
                .location_read(&ns_raw, name)
                .ok_or_else(|| p.unknown_type(&ns_raw, &format!("locations/{name}")))?;
            p.get_only(Endpoint::LocationRead {
                read,
                sub,
                location: p.seg(5),
            })
        }
        [_, _, _, _, name] if p.method == Method::Post => {
            let action = p
                .cat
                .provider_action(&ns_raw, name)
                .ok_or_else(|| p.unknown_type(&ns_raw, name))?;
            Ok(Endpoint::ProviderAction { action, sub })
        }
        [_, _, _, _, t] => {
            let rtype = p
                .cat
                .resource_type(&ns_raw, t)
                .ok_or_else(|| p.unknown_type(&ns_raw, &p.seg(4)))?;
            p.get_only(Endpoint::ListResources {
                rtype,
                sub,
                rg: None,
            })
        }
        _ => Err(p.unknown_type(&ns_raw, &p.seg(4))),
    }
}

/// `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}[/{name}[/…]]`.
fn group_provider(p: &Parts) -> Result<Endpoint, ArmError> {
    let (sub, rg, ns, t) = (p.seg(1), p.seg(3), p.seg(5), p.seg(6));
    if p.segs.len() < 7 {
        return Err(p.unknown_type(&ns, &t));
    }
    let rtype = p
        .cat
        .resource_type(&ns, &t)
        .ok_or_else(|| p.unknown_type(&ns, &t))?;
    let name = p.seg(7);
    if matches!(p.segs.len(), 11 | 12) && p.l[8] == "providers" {
        return extension(p, rtype, sub, rg, name);
    }
    match p.segs.len() {
        7 => p.get_only(Endpoint::ListResources {
            rtype,
            sub,
            rg: Some(rg),
        }),
        8 => Ok(Endpoint::Resource {
            rtype,
            sub,
            rg,
            name,
            op: rg_op(p.method)?,
        }),
        9 if p.method == Method::Post => {
            let last = p.seg(8);
            let action = p
                .cat
                .resource_action(rtype, &last)
                .ok_or_else(|| p.unknown_type(&ns, &format!("{t}/{last}")))?;
            Ok(Endpoint::Action {
                action,
                sub,
                rg,
                name,
            })
        }
        9 | 10 => {
            let last = p.seg(8);
            let child = p
                .cat
                .child_type(rtype, &last)
                .ok_or_else(|| p.unknown_type(&ns, &format!("{t}/{last}")))?;
            child_endpoint(p, child, (sub, rg, name), 9)
        }
        _ => Err(p.unknown_type(&ns, &p.seg(p.segs.len() - 1))),
    }
}

/// An extension resource of another namespace on a resource
/// (`{resource}/providers/{ns}/{type}[/{name}]`), served as the resource's
/// child of type `providers/{ns}/{type}`.
fn extension(
    p: &Parts,
    rtype: &'static ResourceType,
    sub: String,
    rg: String,
    name: String,
) -> Result<Endpoint, ArmError> {
    let ext = format!("providers/{}/{}", p.seg(9), p.seg(10));
    let child = p
        .cat
        .child_type(rtype, &ext)
        .ok_or_else(|| p.unknown_type(&p.seg(9), &p.seg(10)))?;
    child_endpoint(p, child, (sub, rg, name), 11)
}

/// A child's list (the path ends before segment `at`) or one child (named
/// by segment `at`).
fn child_endpoint(
    p: &Parts,
    child: &'static super::ChildType,
    (sub, rg, name): (String, String, String),
    at: usize,
) -> Result<Endpoint, ArmError> {
    if p.segs.len() == at {
        return p.get_only(Endpoint::ListChildren {
            child,
            sub,
            rg,
            name,
        });
    }
    Ok(Endpoint::ChildResource {
        child,
        sub,
        rg,
        name,
        child_name: p.seg(at),
        op: rg_op(p.method)?,
    })
}

/// `{scope}/providers/Microsoft.Authorization/{roleDefinitions|roleAssignments}[/{name}]`,
/// where the scope is any ARM scope (or the root).
fn parse_authorization(method: Method, path: &str, pos: usize) -> Result<Endpoint, ArmError> {
    // `to_ascii_lowercase` keeps byte offsets, so `pos` indexes `path` too.
    let scope = match &path[..pos] {
        "" => ResourceId::root(),
        s => ResourceId::parse(s)?,
    };
    if scope.key() != "/" && scope.subscription_id().is_none() {
        return Err(ArmError::InvalidResourceId(scope.as_str().to_string()));
    }
    let rest: Vec<&str> = path[pos + AUTHZ.len()..]
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let unknown = |t: &str| ArmError::InvalidResourceType {
        namespace: "Microsoft.Authorization".into(),
        resource_type: t.to_string(),
        api_version: String::new(),
    };
    let (kind, name) = match rest.as_slice() {
        [kind] => (kind.to_ascii_lowercase(), None),
        [kind, name] => (kind.to_ascii_lowercase(), Some(name.to_string())),
        _ => return Err(unknown(rest.first().copied().unwrap_or_default())),
    };
    let op = match (method, name.is_some()) {
        (Method::Get, false) => RbacOp::List,
        (Method::Get, true) => RbacOp::Get,
        (Method::Put, true) => RbacOp::Put,
        (Method::Delete, true) => RbacOp::Delete,
        (m, _) => return Err(method_not_allowed(m)),
    };
    match kind.as_str() {
        "roledefinitions" => Ok(Endpoint::RoleDefinitions { scope, name, op }),
        "roleassignments" => Ok(Endpoint::RoleAssignments { scope, name, op }),
        other => Err(unknown(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: Option<&str> = Some("2024-11-01");

    fn cat() -> Catalogue {
        Catalogue::default()
    }

    #[test]
    fn resource_groups_any_case() {
        let e = parse(
            &cat(),
            Method::Put,
            "/subscriptions/S/resourcegroups/MyRG",
            V,
        )
        .unwrap();
        assert_eq!(
            e,
            Endpoint::ResourceGroup {
                sub: "S".into(),
                name: "MyRG".into(),
                op: RgOp::Put
            }
        );
        assert!(parse(&cat(), Method::Get, "/SUBSCRIPTIONS/S/RESOURCEGROUPS/x", V).is_ok());
    }

    #[test]
    fn api_version_required() {
        assert_eq!(
            parse(&cat(), Method::Get, "/subscriptions", None)
                .err()
                .map(|e| e.code()),
            Some("MissingApiVersionParameter")
        );
    }

    #[test]
    fn unknown_namespace_and_method() {
        assert_eq!(
            parse(&cat(), Method::Get, "/subscriptions/s/providers/Foo.Bar", V)
                .err()
                .map(|e| e.code()),
            Some("InvalidResourceNamespace")
        );
        assert_eq!(
            parse(&cat(), Method::Post, "/subscriptions/s/resourcegroups/x", V)
                .err()
                .map(|e| e.status()),
            Some(405)
        );
    }
}
