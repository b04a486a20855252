//! Microsoft.ContainerRegistry/registries, enough for `az acr create/show` and
//! a cluster's `--attach-acr`: the login server and state Azure fills, and the
//! subscription-wide name check (registry names are global in Azure; here they
//! are unique within the emulated cloud).

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use async_trait::async_trait;
use serde_json::{Value, json};
use std::sync::Arc;

use crate::cloud::Cloud;
use crate::endpoint::{Endpoint, Namespace, ProviderAction, ResourceAction, ResourceType};
use crate::providers::json_object;
use crate::registry::Provider;
use aksemu_core::request::{ArmRequest, ArmResponse, Method};

pub const CONTAINER_REGISTRIES: ResourceType = ResourceType {
    namespace: "Microsoft.ContainerRegistry",
    type_name: "registries",
    read: "Microsoft.ContainerRegistry/registries/read",
    write: "Microsoft.ContainerRegistry/registries/write",
    delete: "Microsoft.ContainerRegistry/registries/delete",
    accepts_identity: true,
};

/// Published as a read, though it is a POST.
pub const CHECK_NAME: ProviderAction = ProviderAction {
    namespace: "Microsoft.ContainerRegistry",
    name: "checkNameAvailability",
    action: "Microsoft.ContainerRegistry/checkNameAvailability/read",
};

/// `az acr import`: a tag copied into the registry.
pub const IMPORT_IMAGE: ResourceAction = ResourceAction {
    rtype: &CONTAINER_REGISTRIES,
    name: "importImage",
    action: "Microsoft.ContainerRegistry/registries/importImage/action",
};

pub const NAMESPACE: Namespace = Namespace {
    name: "Microsoft.ContainerRegistry",
    register: "Microsoft.ContainerRegistry/register/action",
    unregister: "Microsoft.ContainerRegistry/unregister/action",
    listed_types: &["registries", "locations", "locations/operationResults"],
    types: &[&CONTAINER_REGISTRIES],
    children: &[],
    actions: &[&IMPORT_IMAGE],
    location_reads: &[],
    provider_actions: &[&CHECK_NAME],
};

/// Microsoft.ContainerRegistry: registries get their login server; names are
/// checked subscription-wide.
pub struct Registries;

#[async_trait]
impl Provider<Cloud> for Registries {
    fn namespace(&self) -> &'static Namespace {
        &NAMESPACE
    }

    async fn handle(
        &self,
        cloud: &Arc<Cloud>,
        auth: &Authorized,
        ep: &Endpoint,
        req: &ArmRequest,
    ) -> Result<ArmResponse, ArmError> {
        match ep {
            Endpoint::ProviderAction { .. } => check_name(cloud, auth, req).await,
            Endpoint::Resource {
                name,
                op: crate::endpoint::RgOp::Put,
                ..
            } => {
                // Names are global (they are the login server's host).
                if let Some(other) = named(cloud, name).await?
                    && other.key != auth.scope().key()
                {
                    return Err(ArmError::OperationNotAllowed(format!(
                        "The registry DNS name {}.azurecr.io is already in use.",
                        name.to_lowercase()
                    )));
                }
                crate::providers::generic::handle(cloud, auth, ep, req, shape).await
            }
            Endpoint::Resource {
                op: crate::endpoint::RgOp::Delete,
                ..
            } => {
                let tags = tags_removal(auth.scope().key());
                crate::providers::tracked::delete_with(cloud, auth, req, tags).await
            }
            Endpoint::Action { .. } => {
                crate::providers::registry_import::import(cloud, auth, req).await
            }
            _ => crate::providers::generic::handle(cloud, auth, ep, req, shape).await,
        }
    }

    async fn owned(
        &self,
        _cloud: &Cloud,
        doc: &aksemu_store::Doc,
    ) -> Result<crate::effects::Effects, ArmError> {
        Ok(crate::effects::Effects {
            writes: tags_removal(&doc.key),
        })
    }

    fn samples(&self, sub: &str, rg: &str) -> Vec<(Method, String)> {
        vec![
            (
                Method::Post,
                format!(
                    "/subscriptions/{sub}/providers/Microsoft.ContainerRegistry/checkNameAvailability"
                ),
            ),
            (
                Method::Put,
                format!(
                    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/registries/r1"
                ),
            ),
            (
                Method::Post,
                format!(
                    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/registries/r1/importImage"
                ),
            ),
        ]
    }
}

pub const TYPE: &str = "Microsoft.ContainerRegistry/registries";

/// A registry's tags go with it (a registry made again under the name starts empty).
fn tags_removal(registry_key: &str) -> Vec<aksemu_store::Write> {
    vec![aksemu_store::Write::DeletePrefix {
        coll: crate::providers::registry_import::TAGS,
        prefix: format!("{registry_key}/"),
    }]
}

fn valid_name(name: &str) -> bool {
    (5..=50).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

pub fn shape(id: &ResourceId, body: &mut Value) -> Result<(), ArmError> {
    let name = id.segments().last().copied().unwrap_or_default();
    if !valid_name(name) {
        return Err(ArmError::InvalidParameter {
            target: "name".into(),
            message: format!(
                "The specified resource name '{name}' is invalid: registry names may contain only alpha numeric characters and must be between 5 and 50 characters."
            ),
        });
    }
    let p = &mut body["properties"];
    p["loginServer"] = json!(format!("{}.azurecr.io", name.to_lowercase()));
    if p["adminUserEnabled"].is_null() {
        p["adminUserEnabled"] = json!(false);
    }
    if p["creationDate"].is_null() {
        p["creationDate"] = json!(
            time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        );
    }
    if let Some(o) = p.as_object_mut() {
        o.remove("resourceGuid");
    }
    if body["sku"].is_null() {
        body["sku"] = json!({"name": "Basic", "tier": "Basic"});
    } else if body["sku"]["tier"].is_null() {
        body["sku"]["tier"] = body["sku"]["name"].clone();
    }
    Ok(())
}

/// The registry called `name` (names are unique in the emulated cloud).
pub async fn named(cloud: &Cloud, name: &str) -> Result<Option<aksemu_store::Doc>, ArmError> {
    crate::providers::tracked::find_anywhere(cloud, &CONTAINER_REGISTRIES, |b| {
        b["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
    .await
}

/// `{"name": …, "type": "Microsoft.ContainerRegistry/registries"}` →
/// `{nameAvailable, reason, message}`.
pub async fn check_name(
    cloud: &Cloud,
    _auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let body = json_object(&req.body)?;
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if !valid_name(name) {
        return Ok(ArmResponse::json(
            200,
            json!({"nameAvailable": false, "reason": "Invalid", "message": "The specified resource name is invalid: registry names may contain only alpha numeric characters and must be between 5 and 50 characters."}),
        ));
    }
    let taken = named(cloud, name).await?.is_some();
    Ok(ArmResponse::json(
        200,
        if taken {
            json!({"nameAvailable": false, "reason": "AlreadyExists", "message": format!("The registry {name} is already in use.")})
        } else {
            json!({"nameAvailable": true})
        },
    ))
}
