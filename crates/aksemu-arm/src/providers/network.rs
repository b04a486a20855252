//! Microsoft.Network, as far as AKS goes: virtual networks with their subnets
//! (enough for `az network vnet create --subnet-name` and a cluster's
//! `--vnet-subnet-id`), load balancers, public IPs and NSGs. Subnets live in
//! their network's document and are also served as its child resource.

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Write};
use async_trait::async_trait;
use serde_json::{Value, json};
use std::sync::Arc;

use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use crate::conditional::quote;
use crate::endpoint::{ChildType, Endpoint, Namespace, ResourceType, RgOp};
use crate::providers::json_object;
use crate::providers::tracked::{not_found, parent_resource, write_err};
use crate::providers::{load_balancers, public_ips};
use crate::registry::Provider;
use aksemu_core::request::{ArmRequest, ArmResponse, Method};

const fn network_type(
    type_name: &'static str,
    read: &'static str,
    write: &'static str,
    delete: &'static str,
) -> ResourceType {
    ResourceType {
        namespace: "Microsoft.Network",
        type_name,
        read,
        write,
        delete,
        accepts_identity: false,
    }
}

pub const VIRTUAL_NETWORKS: ResourceType = network_type(
    "virtualNetworks",
    "Microsoft.Network/virtualNetworks/read",
    "Microsoft.Network/virtualNetworks/write",
    "Microsoft.Network/virtualNetworks/delete",
);
pub const LOAD_BALANCERS: ResourceType = network_type(
    "loadBalancers",
    "Microsoft.Network/loadBalancers/read",
    "Microsoft.Network/loadBalancers/write",
    "Microsoft.Network/loadBalancers/delete",
);
pub const PUBLIC_IP_ADDRESSES: ResourceType = network_type(
    "publicIPAddresses",
    "Microsoft.Network/publicIPAddresses/read",
    "Microsoft.Network/publicIPAddresses/write",
    "Microsoft.Network/publicIPAddresses/delete",
);
pub const NETWORK_SECURITY_GROUPS: ResourceType = network_type(
    "networkSecurityGroups",
    "Microsoft.Network/networkSecurityGroups/read",
    "Microsoft.Network/networkSecurityGroups/write",
    "Microsoft.Network/networkSecurityGroups/delete",
);
pub const SUBNETS: ChildType = ChildType {
    parent: &VIRTUAL_NETWORKS,
    type_name: "subnets",
    read: "Microsoft.Network/virtualNetworks/subnets/read",
    write: "Microsoft.Network/virtualNetworks/subnets/write",
    delete: "Microsoft.Network/virtualNetworks/subnets/delete",
};
/// Joining a subnet (a scale set's NIC in it) needs this on the subnet.
pub const SUBNET_JOIN: &str = "Microsoft.Network/virtualNetworks/subnets/join/action";

pub const NAMESPACE: Namespace = Namespace {
    name: "Microsoft.Network",
    register: "Microsoft.Network/register/action",
    unregister: "Microsoft.Network/unregister/action",
    listed_types: &[
        "virtualNetworks",
        "virtualNetworks/subnets",
        "loadBalancers",
        "publicIPAddresses",
        "networkSecurityGroups",
        "locations",
        "locations/operations",
    ],
    types: &[
        &VIRTUAL_NETWORKS,
        &LOAD_BALANCERS,
        &PUBLIC_IP_ADDRESSES,
        &NETWORK_SECURITY_GROUPS,
    ],
    children: &[&SUBNETS],
    actions: &[],
    location_reads: &[],
    provider_actions: &[],
};

/// Microsoft.Network: virtual networks fill their subnets' ids, and subnets
/// are served as the network's children.
pub struct Network;

#[async_trait]
impl Provider<Cloud> for Network {
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
        use crate::providers::generic;
        match ep {
            Endpoint::ChildResource {
                rg,
                name,
                child_name,
                op,
                ..
            } => match op {
                RgOp::Get | RgOp::Head => get_subnet(cloud, auth, rg, name, child_name).await,
                RgOp::Put | RgOp::Patch => {
                    write_subnet(cloud, auth, rg, name, child_name, req, false).await
                }
                RgOp::Delete => write_subnet(cloud, auth, rg, name, child_name, req, true).await,
            },
            Endpoint::ListChildren { rg, name, .. } => list_subnets(cloud, auth, rg, name).await,
            Endpoint::Resource { rtype, .. } if *rtype == &VIRTUAL_NETWORKS => {
                generic::handle(cloud, auth, ep, req, shape_vnet).await
            }
            Endpoint::Resource { rtype, .. } if *rtype == &PUBLIC_IP_ADDRESSES => {
                generic::handle(cloud, auth, ep, req, public_ips::shape).await
            }
            Endpoint::Resource {
                rtype,
                op: RgOp::Put | RgOp::Patch,
                ..
            } if *rtype == &LOAD_BALANCERS => {
                load_balancers::check_links(cloud, auth, &req.body)?;
                generic::handle(cloud, auth, ep, req, generic::keep).await
            }
            _ => generic::handle(cloud, auth, ep, req, generic::keep).await,
        }
    }

    fn samples(&self, sub: &str, rg: &str) -> Vec<(Method, String)> {
        let v = format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/v1"
        );
        vec![
            (Method::Put, v.clone()),
            (Method::Get, format!("{v}/subnets/s1")),
            (Method::Get, format!("{v}/subnets")),
        ]
    }
}

pub const SUBNET_TYPE: &str = "Microsoft.Network/virtualNetworks/subnets";

fn subnet_body(vnet: &ResourceId, s: &Value) -> Result<Value, ArmError> {
    let name = s["name"]
        .as_str()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ArmError::InvalidRequestContent("Each subnet needs a 'name'.".into()))?;
    let mut props = s
        .get("properties")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    props["provisioningState"] = json!("Succeeded");
    Ok(json!({
        "id": format!("{}/subnets/{name}", vnet.as_str()),
        "name": name,
        "type": SUBNET_TYPE,
        "etag": format!("W/\"{}\"", uuid::Uuid::new_v4()),
        "properties": props,
    }))
}

/// Fills a network's read-only parts: each subnet's id, type and state.
pub fn shape_vnet(id: &ResourceId, body: &mut Value) -> Result<(), ArmError> {
    let subnets = body["properties"]["subnets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let shaped = subnets
        .iter()
        .map(|s| subnet_body(id, s))
        .collect::<Result<Vec<_>, _>>()?;
    body["properties"]["subnets"] = Value::Array(shaped);
    body["etag"] = json!(format!("W/\"{}\"", uuid::Uuid::new_v4()));
    Ok(())
}

fn find<'a>(vnet: &'a Value, name: &str) -> Option<&'a Value> {
    vnet["properties"]["subnets"].as_array()?.iter().find(|s| {
        s["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

fn subnet_not_found(vnet: &str, name: &str, rg: &str) -> ArmError {
    ArmError::ResourceNotFound {
        resource_type: SUBNET_TYPE.to_string(),
        name: format!("{vnet}/{name}"),
        group: rg.to_string(),
    }
}

async fn load_vnet(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    vnet: &str,
) -> Result<aksemu_store::Doc, ArmError> {
    cloud
        .store()
        .get(RESOURCES, parent_resource(auth.scope())?.key())
        .await
        .map_err(store_err)?
        .ok_or_else(|| not_found(&VIRTUAL_NETWORKS, vnet, rg))
}

pub async fn list_subnets(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    vnet: &str,
) -> Result<ArmResponse, ArmError> {
    let doc = load_vnet(cloud, auth, rg, vnet).await?;
    let value = doc.body["properties"]["subnets"].clone();
    Ok(ArmResponse::json(
        200,
        json!({ "value": if value.is_array() { value } else { json!([]) } }),
    ))
}

pub async fn get_subnet(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    vnet: &str,
    name: &str,
) -> Result<ArmResponse, ArmError> {
    let doc = load_vnet(cloud, auth, rg, vnet).await?;
    find(&doc.body, name)
        .map(|s| ArmResponse::json(200, s.clone()))
        .ok_or_else(|| subnet_not_found(vnet, name, rg))
}

/// PUT or DELETE of one subnet: a write of the network's document.
pub async fn write_subnet(
    cloud: &Cloud,
    auth: &Authorized,
    rg: &str,
    vnet: &str,
    name: &str,
    req: &ArmRequest,
    delete: bool,
) -> Result<ArmResponse, ArmError> {
    let doc = load_vnet(cloud, auth, rg, vnet).await?;
    let id = ResourceId::parse(&doc.id)?;
    let existed = find(&doc.body, name).is_some();
    let mut subnets: Vec<Value> = doc.body["properties"]["subnets"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|s| {
            !s["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .collect();
    let rendered = if delete {
        if !existed {
            return Ok(ArmResponse::empty(204));
        }
        None
    } else {
        let body = json_object(&req.body)?;
        let mut s = Value::Object(body);
        s["name"] = json!(name);
        let shaped = subnet_body(&id, &s)?;
        subnets.push(shaped.clone());
        Some(shaped)
    };
    let mut b = doc.body.clone();
    b["properties"]["subnets"] = Value::Array(subnets);
    cloud
        .commit(vec![Write::Put {
            coll: RESOURCES,
            key: doc.key.clone(),
            id: doc.id.clone(),
            body: b,
            cond: Cond::Etag(doc.etag.clone()),
        }])
        .await
        .map_err(write_err)?;
    Ok(match rendered {
        None => ArmResponse::empty(200),
        Some(s) => {
            let etag = s["etag"].as_str().unwrap_or_default().to_string();
            ArmResponse::json(if existed { 200 } else { 201 }, s).header("ETag", quote(&etag))
        }
    })
}
