//! aksemu's own administration API (not part of Azure): used by the `aksemu` CLI,
//! authenticated as ARM is, and open to the bootstrap administrator only.

use aksemu_authz::{Authorized, Requirement, authorize};
use aksemu_core::IdentityBlock;
use aksemu_core::{ArmError, Principal, ResourceId};
use serde_json::{Value, json};

use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use aksemu_entra::imds::Host;

/// The admin API's gate: the one decision, for the administrator only.
pub fn admin_only(cloud: &Cloud, caller: &Principal, action: &str) -> Result<Authorized, ArmError> {
    let now = cloud.clock.now().unix_timestamp();
    let decider = cloud.decider(None, now);
    let result = authorize(caller, Requirement::Administrator { action }, &decider);
    let outcome = crate::rbac::decisions::Outcome {
        principal: caller,
        action,
        scope: "/",
        data: false,
        at: now,
    };
    cloud.rbac.decisions.record(outcome, result.as_ref().err());
    result
}

/// A user-assigned identity named by resource id or clientId.
async fn resolve_identity(cloud: &Cloud, name: &str) -> Result<Value, ArmError> {
    let not_found =
        || ArmError::InvalidRequestContent(format!("no user-assigned identity '{name}'"));
    let resource_id = if name.starts_with('/') {
        ResourceId::parse(name)?
    } else {
        let (_, sp) = cloud
            .entra
            .service_principal_by_app_id(&cloud.entra.tenant_id, name)
            .await?
            .filter(|(_, sp)| sp.service_principal_type == "ManagedIdentity")
            .ok_or_else(not_found)?;
        ResourceId::parse(sp.service_principal_names.get(1).ok_or_else(not_found)?)?
    };
    let doc = cloud
        .store()
        .get(RESOURCES, resource_id.key())
        .await
        .map_err(store_err)?
        .filter(|d| d.body["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities")
        .ok_or_else(not_found)?;
    Ok(doc.body)
}

/// `POST /aksemu/admin/hosts {"identities": [id or clientId, …]}`: a host holding
/// those identities, for `aksemu env --identity`; or `{"resource": id}`: the host
/// that is that resource (a scale set), for `aksemu env --host`.
pub async fn create_host(
    cloud: &Cloud,
    caller: &Principal,
    body: &[u8],
) -> Result<Value, ArmError> {
    admin_only(cloud, caller, "aksemu/admin/hosts/write")?;
    let body: Value =
        serde_json::from_slice(body).map_err(|e| ArmError::InvalidRequestContent(e.to_string()))?;
    if let Some(raw) = body["resource"].as_str() {
        let id = ResourceId::parse(raw)?;
        let doc = cloud
            .store()
            .get(RESOURCES, id.key())
            .await
            .map_err(store_err)?
            .filter(|d| d.body["identity"].is_object())
            .ok_or_else(|| {
                ArmError::InvalidRequestContent(format!("no resource with an identity at '{raw}'"))
            })?;
        return resource_host(cloud, &doc, None).await;
    }
    // A host in a provider's terms (a cluster's node).
    for provider in cloud.registry().providers() {
        if let Some((doc, default_client)) = provider.host_for(cloud, &body).await? {
            return resource_host(cloud, &doc, default_client).await;
        }
    }
    let names: Vec<&str> = body["identities"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if names.is_empty() {
        return Err(ArmError::InvalidRequestContent(
            "'identities' must name at least one identity".into(),
        ));
    }
    let mut identities = Vec::new();
    for n in names {
        identities.push(resolve_identity(cloud, n).await?);
    }
    let ids: Vec<String> = identities
        .iter()
        .filter_map(|i| i["id"].as_str().map(str::to_string))
        .collect();
    let first = ResourceId::parse(ids.first().map(String::as_str).unwrap_or("/"))?;
    let group = match (first.subscription_id(), first.resource_group_name()) {
        (Some(s), Some(g)) => ResourceId::resource_group(s, g),
        _ => ResourceId::subscription(&cloud.subscription_id),
    };
    let host: Host = cloud.entra.ensure_host(&ids, &group).await?;
    Ok(json!({
        "token": host.token,
        "secret": host.secret,
        "resourceId": host.resource_id,
        "identities": identities.iter().map(|i| json!({
            "id": i["id"], "clientId": i["properties"]["clientId"], "principalId": i["properties"]["principalId"],
        })).collect::<Vec<_>>(),
    }))
}

/// The host that is `doc` (a resource with an identity block). `default_client`
/// names the identity a process on it uses when it does not say (a node's
/// kubelet identity).
async fn resource_host(
    cloud: &Cloud,
    doc: &aksemu_store::Doc,
    default_client: Option<String>,
) -> Result<Value, ArmError> {
    let host = cloud
        .entra
        .ensure_resource_host(&ResourceId::parse(&doc.id)?)
        .await?;
    let identity = IdentityBlock::of(&doc.body).unwrap_or_default();
    let users: Vec<Value> = identity
        .attached()
        .map(|a| json!({"id": a.resource_id, "clientId": a.client_id, "principalId": a.principal_id}))
        .collect();
    Ok(json!({
        "token": host.token,
        "secret": host.secret,
        "resourceId": host.resource_id,
        "identities": users,
        "systemAssigned": identity.principal_id,
        "defaultClientId": default_client,
    }))
}

const CLOCK_KEY: &str = "clock";

/// The persisted clock offset (milliseconds), 0 when never moved.
pub async fn load_clock_offset(
    store: aksemu_store::read_only::ReadOnly<'_>,
) -> Result<i64, ArmError> {
    let stored = store
        .get(crate::collections::META, CLOCK_KEY)
        .await
        .map_err(store_err)?
        .and_then(|d| d.body["offsetMs"].as_i64())
        .unwrap_or(0);
    // A value from an older version (or a hand-edited store) must not stop a start.
    let bounded = stored.clamp(0, aksemu_core::clock::MAX_OFFSET_MS);
    if bounded != stored {
        tracing::warn!(stored, used = bounded, "stored clock offset out of range");
    }
    Ok(bounded)
}

fn clock_view(cloud: &Cloud) -> Value {
    json!({
        "now": cloud.now_rfc3339(),
        "realNow": aksemu_core::clock::rfc3339(time::OffsetDateTime::now_utc()),
        "offsetSeconds": cloud.virtual_clock.offset_ms() / 1000,
    })
}

/// `GET /aksemu/admin/clock`.
pub fn clock_show(cloud: &Cloud, caller: &Principal) -> Result<Value, ArmError> {
    admin_only(cloud, caller, "aksemu/admin/clock/read")?;
    Ok(clock_view(cloud))
}

/// `POST /aksemu/admin/clock {"advanceSeconds": n}` or `{"set": "<RFC 3339>"}`.
/// The clock only moves forward (and never before real time).
pub async fn clock_move(cloud: &Cloud, caller: &Principal, body: &[u8]) -> Result<Value, ArmError> {
    admin_only(cloud, caller, "aksemu/admin/clock/write")?;
    let body: Value =
        serde_json::from_slice(body).map_err(|e| ArmError::InvalidRequestContent(e.to_string()))?;
    let current = cloud.virtual_clock.offset_ms();
    let offset = if let Some(secs) = body["advanceSeconds"].as_i64() {
        if secs < 0 {
            return Err(ArmError::InvalidRequestContent(
                "the clock only moves forward".into(),
            ));
        }
        current.saturating_add(secs.saturating_mul(1000))
    } else if let Some(at) = body["set"].as_str() {
        let t = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
            .map_err(|_| {
                ArmError::InvalidRequestContent(format!("'{at}' is not an RFC 3339 time"))
            })?;
        let delta = (t - time::OffsetDateTime::now_utc()).whole_milliseconds();
        if delta < 0 {
            return Err(ArmError::InvalidRequestContent(
                "the clock cannot be set before real time".into(),
            ));
        }
        // Forward only, as `advance`: what was decided on the clock (expiries,
        // propagation, grace periods) is never undone, and replicas follow.
        if delta < i128::from(current) {
            return Err(ArmError::InvalidRequestContent(
                "the clock only moves forward".into(),
            ));
        }
        i64::try_from(delta)
            .map_err(|_| ArmError::InvalidRequestContent("that time is too far away".into()))?
    } else {
        return Err(ArmError::InvalidRequestContent(
            "give 'advanceSeconds' or 'set'".into(),
        ));
    };
    if offset > aksemu_core::clock::MAX_OFFSET_MS {
        return Err(ArmError::InvalidRequestContent(
            "the clock can be at most 1000 years ahead of real time".into(),
        ));
    }
    cloud
        .commit(vec![aksemu_store::Write::Put {
            coll: crate::collections::META,
            key: CLOCK_KEY.to_string(),
            id: CLOCK_KEY.to_string(),
            body: json!({ "offsetMs": offset }),
            cond: aksemu_store::Cond::Any,
        }])
        .await
        .map_err(store_err)?;
    cloud.virtual_clock.set_offset_ms(offset);
    Ok(clock_view(cloud))
}
