//! What a load balancer's PUT checks beyond its own write: joining each public
//! IP and subnet its frontends name (`…/publicIPAddresses/join/action`,
//! `…/virtualNetworks/subnets/join/action`), as ARM's linked authorization
//! does; a caller without it gets `LinkedAuthorizationFailed`.

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use serde_json::Value;

use crate::cloud::Cloud;
use crate::providers::network::SUBNET_JOIN;

pub const PUBLIC_IP_JOIN: &str = "Microsoft.Network/publicIPAddresses/join/action";

/// The (linked action, resource id) pairs a load balancer body uses.
fn links(body: &Value) -> Vec<(&'static str, String)> {
    let frontends = body["properties"]["frontendIPConfigurations"]
        .as_array()
        .into_iter()
        .flatten();
    let mut out = Vec::new();
    for f in frontends {
        let p = &f["properties"];
        if let Some(id) = p["publicIPAddress"]["id"].as_str() {
            out.push((PUBLIC_IP_JOIN, id.to_string()));
        }
        if let Some(id) = p["subnet"]["id"].as_str() {
            out.push((SUBNET_JOIN, id.to_string()));
        }
    }
    out
}

/// Refuses a load balancer write whose caller may not join what it links.
pub fn check_links(cloud: &Cloud, auth: &Authorized, body: &[u8]) -> Result<(), ArmError> {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        // The generic PUT reports a malformed body.
        return Ok(());
    };
    for (action, raw) in links(&body) {
        let id =
            ResourceId::parse(&raw).map_err(|_| ArmError::LinkedInvalidPropertyId(raw.clone()))?;
        if !cloud.rbac.check(auth.principal(), action, &id) {
            return Err(crate::providers::linked_denied(auth, action, &raw));
        }
    }
    Ok(())
}
