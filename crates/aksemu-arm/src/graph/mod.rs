//! The Microsoft Graph subset at `/v1.0`: applications (with password
//! credentials), service principals, and `directoryObjects/getByIds`, as the az
//! CLI and Azure SDKs use them. Graph tokens carry the Graph audience.
//!
//! Reads are open to every principal of the tenant; changes need the directory
//! administrator (the bootstrap service principal), as Application.ReadWrite.All
//! would in Entra ID.

mod applications;
pub mod error;
pub mod render;
mod service_principals;

use aksemu_core::Principal;
use serde_json::Value;

pub use error::GraphError;

use crate::cloud::Cloud;
use crate::request::{ArmRequest, ArmResponse, Method};

/// Audiences Graph accepts: our Graph resource (the server's base URL, as the
/// cloud metadata publishes it) and Microsoft Graph's own.
fn audiences(base_url: &str) -> Vec<String> {
    vec![
        format!("{base_url}/"),
        base_url.to_string(),
        "https://graph.microsoft.com/".to_string(),
        "https://graph.microsoft.com".to_string(),
    ]
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

pub(crate) fn require_writer(cloud: &Cloud, caller: &Principal) -> Result<(), GraphError> {
    if caller
        .object_id
        .eq_ignore_ascii_case(&cloud.admin_object_id)
    {
        Ok(())
    } else {
        Err(GraphError::Forbidden)
    }
}

pub(crate) fn filter_of(req: &ArmRequest) -> Result<Option<crate::odata::Filter>, GraphError> {
    req.query
        .get("$filter")
        .map(|f| crate::odata::parse(f).ok_or_else(|| GraphError::UnsupportedQuery(f.clone())))
        .transpose()
}

pub async fn handle(
    cloud: &Cloud,
    authorization: Option<&str>,
    req: &ArmRequest,
) -> Result<ArmResponse, GraphError> {
    let auds = audiences(&req.base_url);
    let auds: Vec<&str> = auds.iter().map(String::as_str).collect();
    let caller = match authorization {
        None => return Err(GraphError::MissingToken),
        Some(h) => cloud
            .authenticate_for(Some(h), &auds)
            .map_err(|_| GraphError::InvalidToken)?,
    };
    let segs: Vec<&str> = req
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .skip(1)
        .collect();
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    let m = req.method;
    match (l.as_slice(), m) {
        (["applications"], Method::Get) => applications::list(cloud, req).await,
        (["applications"], Method::Post) => applications::create(cloud, &caller, req).await,
        (["applications", _], Method::Get) => applications::get(cloud, segs[1], req).await,
        (["applications", _], Method::Patch) => {
            applications::update(cloud, &caller, segs[1], req).await
        }
        (["applications", _], Method::Delete) => {
            applications::delete(cloud, &caller, segs[1]).await
        }
        (["applications", _, "addpassword"], Method::Post) => {
            applications::add_password(cloud, &caller, segs[1], req).await
        }
        (["applications", _, "removepassword"], Method::Post) => {
            applications::remove_password(cloud, &caller, segs[1], req).await
        }
        (["serviceprincipals"], Method::Get) => service_principals::list(cloud, req).await,
        (["serviceprincipals"], Method::Post) => {
            service_principals::create(cloud, &caller, req).await
        }
        (["serviceprincipals", _], Method::Get) => {
            service_principals::get(cloud, segs[1], req).await
        }
        (["serviceprincipals", _], Method::Delete) => {
            service_principals::delete(cloud, &caller, segs[1]).await
        }
        (["directoryobjects", "getbyids"], Method::Post) => {
            service_principals::get_by_ids(cloud, req).await
        }
        (["users"], Method::Get) | (["groups"], Method::Get) => {
            filter_of(req)?;
            Ok(ArmResponse::json(
                200,
                render::list(&req.base_url, l[0], vec![]),
            ))
        }
        _ => Err(GraphError::UnknownSegment(
            segs.last().copied().unwrap_or_default().to_string(),
        )),
    }
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
