//! The Microsoft Graph subset at `/v1.0`: applications (with password
//! credentials), service principals, and `directoryObjects/getByIds`, as the az
//! CLI and Azure SDKs use them. Graph tokens carry the Graph audience.
//!
//! Every request passes Graph's gate (`authorize`): reads are open to every
//! principal of the tenant; changes need the directory administrator (the
//! bootstrap service principal), as Application.ReadWrite.All would in Entra ID.

mod applications;
pub mod error;
mod federated_credentials;
mod groups;
pub mod render;
mod service_principals;
mod users;

use aksemu_authz::{Authorized, Decider, Requirement};
use aksemu_core::Clock;
use serde_json::Value;

pub use error::GraphError;

use crate::Entra;
use aksemu_core::request::{ArmRequest, ArmResponse, Method};

/// Audiences Graph accepts: our Graph resource (this server's own base URL,
/// as the cloud metadata publishes it, under any loopback name) and Microsoft
/// Graph's own. Not the `Host` a request names: an ARM token sent with
/// `Host: management.core.windows.net` must not pass as a Graph token.
fn audiences(entra: &Entra) -> Vec<String> {
    let mut auds = vec![
        "https://graph.microsoft.com/".to_string(),
        "https://graph.microsoft.com".to_string(),
    ];
    for url in entra.own_urls() {
        auds.push(format!("{url}/"));
        auds.push(url);
    }
    auds
}

pub(crate) fn body_object(req: &ArmRequest) -> Result<serde_json::Map<String, Value>, GraphError> {
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(GraphError::BadRequest(
            "the request body must be a JSON object".into(),
        )),
        Err(e) => Err(GraphError::BadRequest(e.to_string())),
    }
}

pub(crate) fn filter_of(
    req: &ArmRequest,
) -> Result<Option<aksemu_core::odata::Filter>, GraphError> {
    req.query
        .get("$filter")
        .map(|f| {
            aksemu_core::odata::parse(f).ok_or_else(|| GraphError::UnsupportedQuery(f.clone()))
        })
        .transpose()
}

/// Reads are `Application.Read.All` / `Directory.Read.All` for any member of
/// the tenant; writes `Application.ReadWrite.All` for the administrator.
const READ: &str = "Application.Read.All";
const READ_DIRECTORY: &str = "Directory.Read.All";
const WRITE: &str = "Application.ReadWrite.All";

/// What a Graph request needs, by method and (lower-case) path.
fn requirement(segs: &[&str], m: Method) -> Requirement<'static> {
    match (segs, m) {
        (["directoryobjects", "getbyids"], _)
        | ([_, _, "getmembergroups" | "checkmembergroups"], _) => Requirement::TenantMember {
            action: READ_DIRECTORY,
        },
        (_, Method::Get | Method::Head) => Requirement::TenantMember { action: READ },
        _ => Requirement::Administrator { action: WRITE },
    }
}

/// Graph's gate: authenticates the token for Graph's audiences, then asks the
/// one decision for what the request needs. Handlers take the `Authorized`.
fn authorize(
    entra: &Entra,
    authorization: Option<&str>,
    req: &ArmRequest,
    segs: &[&str],
) -> Result<Authorized, GraphError> {
    let auds = audiences(entra);
    let auds: Vec<&str> = auds.iter().map(String::as_str).collect();
    let caller = match authorization {
        None => return Err(GraphError::MissingToken),
        Some(h) => entra
            .authenticate_for(Some(h), &auds)
            .map_err(|_| GraphError::InvalidToken)?,
    };
    let decider = Decider {
        tenant_id: &entra.tenant_id,
        administrator: &entra.admin_object_id,
        index: None,
        now: entra.clock.now().unix_timestamp(),
    };
    aksemu_authz::authorize(&caller, requirement(segs, req.method), &decider)
        .map_err(|_| GraphError::Forbidden)
}

pub async fn handle(
    entra: &Entra,
    authorization: Option<&str>,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let segs: Vec<&str> = req
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .skip(1)
        .collect();
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    let auth = authorize(entra, authorization, req, &l)?;
    route(entra, &auth, req, &segs, &l).await
}

async fn route(
    entra: &Entra,
    auth: &Authorized,
    req: &ArmRequest,
    segs: &[&str],
    l: &[&str],
) -> Result<ArmResponse, GraphError> {
    match (l, req.method) {
        (["applications"], Method::Get) => applications::list(entra, auth, req).await,
        (["applications"], Method::Post) => applications::create(entra, auth, req).await,
        (["applications", _], Method::Get) => applications::get(entra, auth, segs[1], req).await,
        (["applications", _], Method::Patch) => {
            applications::update(entra, auth, segs[1], req).await
        }
        (["applications", _], Method::Delete) => applications::delete(entra, auth, segs[1]).await,
        (["applications", _, "addpassword"], Method::Post) => {
            applications::add_password(entra, auth, segs[1], req).await
        }
        (["applications", _, "removepassword"], Method::Post) => {
            applications::remove_password(entra, auth, segs[1], req).await
        }
        (["applications", _, "federatedidentitycredentials"], Method::Get) => {
            federated_credentials::list(entra, auth, segs[1], req).await
        }
        (["applications", _, "federatedidentitycredentials"], Method::Post) => {
            federated_credentials::create(entra, auth, segs[1], req).await
        }
        (["applications", _, "federatedidentitycredentials", _], Method::Get) => {
            federated_credentials::get(entra, auth, segs[1], segs[3], req).await
        }
        (["applications", _, "federatedidentitycredentials", _], Method::Delete) => {
            federated_credentials::delete(entra, auth, segs[1], segs[3]).await
        }
        (["serviceprincipals"], Method::Get) => service_principals::list(entra, auth, req).await,
        (["serviceprincipals"], Method::Post) => service_principals::create(entra, auth, req).await,
        (["serviceprincipals", _], Method::Get) => {
            service_principals::get(entra, auth, segs[1], req).await
        }
        (["serviceprincipals", _], Method::Delete) => {
            service_principals::delete(entra, auth, segs[1]).await
        }
        (["directoryobjects", "getbyids"], Method::Post) => {
            service_principals::get_by_ids(entra, auth, req).await
        }
        _ => people(entra, auth, req, segs, l).await,
    }
}

/// Users, groups, memberships and `/me`.
async fn people(
    entra: &Entra,
    auth: &Authorized,
    req: &ArmRequest,
    segs: &[&str],
    l: &[&str],
) -> Result<ArmResponse, GraphError> {
    match (l, req.method) {
        (["me"], Method::Get) => users::me(entra, auth, req).await,
        (["users"], Method::Get) => users::list(entra, auth, req).await,
        (["users"], Method::Post) => users::create(entra, auth, req).await,
        (["users", _], Method::Get) => users::get(entra, auth, segs[1], req).await,
        (["users", _], Method::Patch) => users::update(entra, auth, segs[1], req).await,
        (["users", _], Method::Delete) => users::delete(entra, auth, segs[1]).await,
        (
            [
                "users" | "directoryobjects" | "groups" | "serviceprincipals",
                _,
                "getmembergroups",
            ],
            Method::Post,
        ) => users::member_groups(entra, auth, segs[1]).await,
        (
            [
                "users" | "directoryobjects" | "groups" | "serviceprincipals",
                _,
                "checkmembergroups",
            ],
            Method::Post,
        ) => groups::check_member_groups(entra, auth, segs[1], req).await,
        (["groups"], Method::Get) => groups::list(entra, auth, req).await,
        (["groups"], Method::Post) => groups::create(entra, auth, req).await,
        (["groups", _], Method::Get) => groups::get(entra, auth, segs[1], req).await,
        (["groups", _], Method::Delete) => groups::delete(entra, auth, segs[1]).await,
        (["groups", _, "members"], Method::Get) => groups::members(entra, auth, segs[1], req).await,
        (["groups", _, "members", "$ref"], Method::Post) => {
            groups::add_member(entra, auth, segs[1], req).await
        }
        (["groups", _, "members", _, "$ref"], Method::Delete) => {
            groups::remove_member(entra, auth, segs[1], segs[3]).await
        }
        _ => Err(GraphError::UnknownSegment(
            segs.last().copied().unwrap_or_default().to_string(),
        )),
    }
}

/// One request per Graph endpoint and whether it writes (the enforcement walk).
pub fn samples() -> Vec<(Method, &'static str, bool)> {
    vec![
        (Method::Get, "/v1.0/applications", false),
        (Method::Post, "/v1.0/applications", true),
        (
            Method::Get,
            "/v1.0/applications/00000000-0000-0000-0000-0000000000ab",
            false,
        ),
        (
            Method::Patch,
            "/v1.0/applications/00000000-0000-0000-0000-0000000000ab",
            true,
        ),
        (
            Method::Delete,
            "/v1.0/applications/00000000-0000-0000-0000-0000000000ab",
            true,
        ),
        (
            Method::Post,
            "/v1.0/applications/00000000-0000-0000-0000-0000000000ab/addPassword",
            true,
        ),
        (
            Method::Post,
            "/v1.0/applications/00000000-0000-0000-0000-0000000000ab/removePassword",
            true,
        ),
        (
            Method::Post,
            "/v1.0/applications/00000000-0000-0000-0000-0000000000ab/federatedIdentityCredentials",
            true,
        ),
        (
            Method::Get,
            "/v1.0/applications/00000000-0000-0000-0000-0000000000ab/federatedIdentityCredentials",
            false,
        ),
        (Method::Get, "/v1.0/servicePrincipals", false),
        (Method::Post, "/v1.0/servicePrincipals", true),
        (
            Method::Get,
            "/v1.0/servicePrincipals/00000000-0000-0000-0000-0000000000ab",
            false,
        ),
        (
            Method::Delete,
            "/v1.0/servicePrincipals/00000000-0000-0000-0000-0000000000ab",
            true,
        ),
        (Method::Post, "/v1.0/directoryObjects/getByIds", false),
        (Method::Get, "/v1.0/users", false),
        (Method::Get, "/v1.0/groups", false),
        (
            Method::Get,
            "/v1.0/users/00000000-0000-0000-0000-0000000000ab",
            false,
        ),
        (Method::Post, "/v1.0/users", true),
        (
            Method::Delete,
            "/v1.0/users/00000000-0000-0000-0000-0000000000ab",
            true,
        ),
        (Method::Post, "/v1.0/groups", true),
        (
            Method::Post,
            "/v1.0/groups/00000000-0000-0000-0000-0000000000ab/members/$ref",
            true,
        ),
        (
            Method::Post,
            "/v1.0/directoryObjects/00000000-0000-0000-0000-0000000000ab/checkMemberGroups",
            false,
        ),
    ]
}

/// A collection answer: the rendered objects the request's `$filter` keeps.
pub(crate) fn filtered_list(
    req: &ArmRequest,
    entity_set: &str,
    rendered: impl Iterator<Item = Value>,
) -> Result<ArmResponse, GraphError> {
    let filter = filter_of(req)?;
    let value: Vec<Value> = rendered
        .filter(|v| filter.as_ref().is_none_or(|f| f.matches(v)))
        .collect();
    Ok(ok(render::list(&req.base_url, entity_set, value)))
}

pub(crate) fn no_content() -> ArmResponse {
    ArmResponse::empty(204)
}

pub(crate) fn created(v: Value) -> ArmResponse {
    ArmResponse::json(201, v)
}

pub(crate) fn ok(v: Value) -> ArmResponse {
    ArmResponse::json(200, v)
}
