//! Microsoft.ContainerService/managedClusters: create and update (a PUT that
//! answers at once with `Creating`/`Updating` and finishes in a long-running
//! operation that builds the node resource group), GET, PATCH (tags), DELETE.
//! The identity rules are in `identity`, the defaults AKS fills in `defaults`.

use std::sync::Arc;

use aksemu_authz::Authorized;
use aksemu_core::ArmError;
use aksemu_store::{Cond, Doc, Write};
use serde_json::{Value, json};

use crate::acting;
use crate::defaults::invalid;
use crate::identity::{Mode, stored_mode};
use crate::lifecycle::{begin_update, load, require, require_idle};
use crate::names::{
    CLUSTER_SECRETS, CLUSTER_UIDS, DELETE_CLUSTER, MANAGED_CLUSTERS, RECONCILE_CLUSTER,
};
use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;
use aksemu_arm::conditional::precondition;
use aksemu_arm::lro;
use aksemu_arm::operation::Work;
use aksemu_arm::providers::cascade::{Effects, resource_removal};
use aksemu_arm::providers::tracked::{system_data, with_etag, write_err};
use aksemu_arm::providers::{json_object, tags};
use aksemu_core::request::{ArmRequest, ArmResponse};
use aksemu_store::store_err;

pub const TYPE: &str = "Microsoft.ContainerService/ManagedClusters";

mod identities;
mod properties;
mod validate;

/// The stored secrets of a cluster (a new one gets its credential seed).
async fn secrets(cloud: &Cloud, existing: Option<&Doc>) -> Result<Value, ArmError> {
    let Some(d) = existing else {
        return Ok(json!({ "credentialSeed": uuid::Uuid::new_v4().simple().to_string() }));
    };
    let stored = cloud.store().get(CLUSTER_SECRETS, d.key.as_str()).await;
    Ok(stored
        .map_err(store_err)?
        .map(|s| s.body)
        .unwrap_or_else(|| json!({})))
}

/// Create or update: validate, plan the document and identities, then write
/// the cluster, its secrets and the reconcile operation in one transaction.
pub async fn put(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    sub: &str,
    rg: &str,
    name: &str,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let r = validate::validate(cloud, auth, (sub, rg, name), req).await?;
    let mut secrets = secrets(cloud, r.target.existing.as_ref()).await?;
    let control_plane = identities::control_plane(cloud, auth, &r, &mut secrets).await?;
    let kubelet = identities::kubelet_profile(cloud, auth, &r, &control_plane).await?;
    let props = properties::properties(cloud, &r, kubelet).await?;
    let rendered = properties::document(cloud, auth, &r, props, &control_plane);

    let work = Work::new(RECONCILE_CLUSTER, r.target.id.key()).with("previous", json!(r.old()));
    let op = lro::operation(
        cloud,
        MANAGED_CLUSTERS.namespace,
        r.target.location,
        r.target.id.as_str(),
        MANAGED_CLUSTERS.read,
        work,
    );
    let (key, id) = (
        r.target.id.key().to_string(),
        r.target.id.as_str().to_string(),
    );
    let mut all = vec![
        Write::Put {
            coll: RESOURCES,
            key: key.clone(),
            id: id.clone(),
            body: rendered.clone(),
            cond: r.target.cond,
        },
        Write::Put {
            coll: CLUSTER_SECRETS,
            key,
            id,
            body: secrets,
            cond: Cond::Any,
        },
        op.write(Cond::Absent),
    ];
    if let Some(uid) = rendered["properties"]["resourceUID"].as_str() {
        all.push(Write::Put {
            coll: CLUSTER_UIDS,
            key: uid.to_string(),
            id: uid.to_string(),
            body: json!({"cluster": r.target.id.key()}),
            cond: Cond::Any,
        });
    }
    all.extend(control_plane.writes);
    let etags = cloud.commit(all).await.map_err(write_err)?;
    lro::spawn(cloud, op.id.clone());
    let status = if r.target.existing.is_some() {
        200
    } else {
        201
    };
    Ok(op.accepted(
        with_etag(ArmResponse::json(status, rendered), etags.first()),
        &req.base_url,
        req.api_version().unwrap_or_default(),
    ))
}

/// `resetServicePrincipalProfile` (az aks update-credentials
/// --reset-service-principal): a service-principal cluster gets a new
/// credential, checked by signing in; a managed-identity cluster refuses.
pub async fn reset_service_principal(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let doc = require(cloud, auth.scope()).await?;
    if !matches!(stored_mode(&doc.body), Mode::ServicePrincipal(_)) {
        return Err(ArmError::BadRequest(
            "Updating service principal profile is not allowed on MSI cluster.".into(),
        ));
    }
    require_idle(&doc)?;
    let body = json_object(&req.body)?;
    let text_of = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let (Some(app_id), Some(secret)) = (text_of("clientId"), text_of("secret")) else {
        return Err(invalid(
            "servicePrincipalProfile",
            "Both 'clientId' and 'secret' of the service principal are required.",
        ));
    };
    acting::service_principal_token(cloud, app_id, secret).await?;
    let mut secrets = cloud
        .store()
        .get(CLUSTER_SECRETS, &doc.key)
        .await
        .map_err(store_err)?
        .map(|d| d.body)
        .unwrap_or_else(|| json!({}));
    secrets["servicePrincipalSecret"] = json!(secret);
    let mut b = doc.body.clone();
    b["properties"]["servicePrincipalProfile"] = json!({ "clientId": app_id });
    // AKS itself rolls the credential out (and grants a new principal what the
    // old one had on the node group): not the cluster acting as itself.
    let op = begin_update(
        cloud,
        &doc,
        b,
        None,
        vec![Write::Put {
            coll: CLUSTER_SECRETS,
            key: doc.key.clone(),
            id: doc.id.clone(),
            body: secrets,
            cond: Cond::Any,
        }],
    )
    .await?;
    Ok(op.accepted(
        ArmResponse::empty(202),
        &req.base_url,
        req.api_version().unwrap_or_default(),
    ))
}

/// PATCH: tags only (everything else goes through PUT).
pub async fn patch(
    cloud: &Cloud,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let doc = require(cloud, auth.scope()).await?;
    require_idle(&doc)?;
    let cond = precondition(req.if_match.as_deref(), None, Some(&doc.etag))?;
    let body = json_object(&req.body)?;
    let mut b = doc.body.clone();
    if body.contains_key("tags") {
        b["tags"] = tags(body.get("tags"))?.unwrap_or_else(|| json!({}));
    }
    b["systemData"] = system_data(Some(&doc), auth.principal(), &cloud.now_rfc3339());
    let etags = cloud
        .commit(vec![Write::Put {
            coll: RESOURCES,
            key: doc.key.clone(),
            id: doc.id.clone(),
            body: b.clone(),
            cond,
        }])
        .await
        .map_err(write_err)?;
    Ok(with_etag(ArmResponse::json(200, b), etags.first()))
}

/// DELETE: 202 and an operation that removes the cluster and its node group;
/// 204 when there is no such cluster.
pub async fn delete(
    cloud: &Arc<Cloud>,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let Some(doc) = load(cloud, auth.scope().key()).await? else {
        return Ok(ArmResponse::empty(204));
    };
    let cond = precondition(req.if_match.as_deref(), None, Some(&doc.etag))?;
    lro::begin_delete(
        cloud,
        &doc,
        cond,
        (MANAGED_CLUSTERS.namespace, MANAGED_CLUSTERS.read),
        Work::new(DELETE_CLUSTER, &doc.key),
        (&req.base_url, req.api_version().unwrap_or_default()),
    )
    .await
}

/// The cluster document and everything that goes with it.
pub async fn removal(cloud: &Cloud, key: &str) -> Result<Effects, ArmError> {
    let Some(doc) = load(cloud, key).await? else {
        return Ok(Effects::default());
    };
    let mut e = resource_removal(cloud, &doc).await?;
    e.writes.insert(
        0,
        Write::Delete {
            coll: RESOURCES,
            key: doc.key.clone(),
            cond: Cond::Etag(doc.etag.clone()),
        },
    );
    Ok(e)
}

#[cfg(test)]
mod tests {
    use crate::defaults::default_dns_prefix;

    #[test]
    fn default_prefixes() {
        assert_eq!(
            default_dns_prefix("MyManagedCluster", "MyResourceGroup", "2222222222"),
            "MyManagedC-MyResourceGroup-222222"
        );
    }
}
