//! Services of type LoadBalancer, as cloud-provider-azure's service
//! controller handles them on AKS, acting as the cluster identity: the
//! finalizer, the public IP (made, or the static one asked for), the
//! frontend, rules and probes on the cluster's `kubernetes` load balancer,
//! `status.loadBalancer.ingress`, and the events (`EnsuringLoadBalancer`,
//! `EnsuredLoadBalancer`, `SyncLoadBalancerFailed` with the ARM error as the
//! Azure SDK prints it). A failure is tried again with back-off on the cloud
//! clock, so a role granted later (and propagated) makes it succeed without
//! touching the Service.

mod frontend;
mod internal;
mod lb_body;
mod names;
mod nsg;
mod sync_error;

use aksemu_core::cluster_cloud::Acting;
use serde_json::{Value, json};

use crate::client::CallError;
pub use crate::cloud::Ctx;
use crate::cloud::arm::{Arm, NETWORK_API};
use crate::cloud::tracker::Tracker;
use crate::events::{Source, emit_counted};
use crate::meta;
use names::{FINALIZER, base_name, lb_name};
use sync_error::SyncError;

/// (cluster uid, namespace, name).
pub type Key = (String, String, String);

const FROM: Source<'static> = Source {
    component: "service-controller",
    host: None,
};

/// What of a Service the load balancer depends on (not its status or finalizers).
fn fingerprint(svc: &Value) -> String {
    let annotations: Vec<(&String, &Value)> = svc["metadata"]["annotations"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("service.beta.kubernetes.io/"))
        .collect();
    json!([
        svc["spec"]["type"],
        svc["spec"]["ports"],
        svc["spec"]["loadBalancerIP"],
        annotations,
        meta::deleting(svc)
    ])
    .to_string()
}

fn finalizers(svc: &Value) -> Vec<String> {
    svc["metadata"]["finalizers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str().map(str::to_string))
        .collect()
}

pub async fn reconcile(
    ctx: &Ctx<'_>,
    tracker: &mut Tracker<Key>,
    ns: &str,
    name: &str,
) -> Result<(), CallError> {
    let key: Key = (ctx.uid.to_string(), ns.to_string(), name.to_string());
    let path = format!("/api/v1/namespaces/{ns}/services/{name}");
    let Some(svc) = ctx.c.get(&path).await? else {
        tracker.forget(&key);
        return Ok(());
    };
    let wants = svc["spec"]["type"] == "LoadBalancer" && !meta::deleting(&svc);
    let holds = finalizers(&svc).iter().any(|f| f == FINALIZER);
    if !wants && !holds {
        tracker.forget(&key);
        return Ok(());
    }
    let fp = fingerprint(&svc);
    let now = ctx.now;
    if tracker.idle(&key, &fp, now) {
        return Ok(());
    }
    let done = if wants {
        ensure(ctx, &path, &svc, holds).await?
    } else {
        cleanup(ctx, &path, &svc).await?
    };
    if done {
        tracker.succeeded(key, fp);
    } else {
        tracker.failed(key, fp, now);
    }
    Ok(())
}

/// Ensures the load balancer; `false` when it failed (tried again later).
async fn ensure(ctx: &Ctx<'_>, path: &str, svc: &Value, holds: bool) -> Result<bool, CallError> {
    if !holds {
        let mut list = finalizers(svc);
        list.push(FINALIZER.to_string());
        ctx.c
            .merge_patch(path, json!({"metadata": {"finalizers": list}}))
            .await?;
    }
    emit_counted(
        ctx.c,
        svc,
        "Normal",
        "EnsuringLoadBalancer",
        "Ensuring load balancer",
        FROM,
    )
    .await?;
    match sync(ctx, svc).await {
        Ok(ip) => {
            let ingress = json!({"loadBalancer": {"ingress": [{"ip": ip, "ipMode": "VIP"}]}});
            ctx.c
                .merge_patch(&format!("{path}/status"), json!({"status": ingress}))
                .await?;
            emit_counted(
                ctx.c,
                svc,
                "Normal",
                "EnsuredLoadBalancer",
                "Ensured load balancer",
                FROM,
            )
            .await?;
            Ok(true)
        }
        Err(SyncError::Gone) => Ok(true),
        Err(SyncError::Text(t)) => {
            let message =
                format!("Error syncing load balancer: failed to ensure load balancer: {t}");
            emit_counted(
                ctx.c,
                svc,
                "Warning",
                "SyncLoadBalancerFailed",
                &message,
                FROM,
            )
            .await?;
            Ok(false)
        }
    }
}

/// The frontend, rules and probes in place; the Service's address.
async fn sync(ctx: &Ctx<'_>, svc: &Value) -> Result<String, SyncError> {
    let arm = Arm::new(ctx.cloud, ctx.uid, Acting::Cluster).await?;
    let base = base_name(svc);
    let (frontend, address) = if names::internal(svc) {
        internal::frontend(&arm, svc).await?
    } else {
        let pip = frontend::public_ip(&arm, svc, &base).await?;
        let address = pip["properties"]["ipAddress"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        (json!({"publicIPAddress": {"id": pip["id"]}}), address)
    };
    let rg = arm.at.node_resource_group.clone();
    let lb_path = arm.id(
        &rg,
        &format!("Microsoft.Network/loadBalancers/{}", lb_name(svc)),
    );
    let existing = arm.get(&lb_path, NETWORK_API).await?;
    let location = arm.at.location.clone();
    let want = lb_body::with_service(
        existing.as_ref(),
        &location,
        &lb_path,
        &base,
        frontend,
        &lb_body::ports(svc),
    );
    let unchanged = existing.as_ref().is_some_and(|e| lb_body::same(e, &want));
    if !unchanged {
        arm.put(&lb_path, NETWORK_API, &want).await?;
    }
    if !names::internal(svc) {
        nsg::allow(&arm, &base, &address, &lb_body::ports(svc)).await?;
    }
    Ok(address)
}

/// Removes what the Service had; `false` when that failed.
async fn cleanup(ctx: &Ctx<'_>, path: &str, svc: &Value) -> Result<bool, CallError> {
    emit_counted(
        ctx.c,
        svc,
        "Normal",
        "DeletingLoadBalancer",
        "Deleting load balancer",
        FROM,
    )
    .await?;
    match teardown(ctx, svc).await {
        Ok(()) | Err(SyncError::Gone) => {
            let list: Vec<String> = finalizers(svc)
                .into_iter()
                .filter(|f| f != FINALIZER)
                .collect();
            ctx.c
                .merge_patch(path, json!({"metadata": {"finalizers": list}}))
                .await?;
            if !meta::deleting(svc) {
                ctx.c
                    .merge_patch(
                        &format!("{path}/status"),
                        json!({"status": {"loadBalancer": {"ingress": null}}}),
                    )
                    .await?;
            }
            emit_counted(
                ctx.c,
                svc,
                "Normal",
                "DeletedLoadBalancer",
                "Deleted load balancer",
                FROM,
            )
            .await?;
            Ok(true)
        }
        Err(SyncError::Text(t)) => {
            let message = format!("Error deleting load balancer: {t}");
            emit_counted(
                ctx.c,
                svc,
                "Warning",
                "DeleteLoadBalancerFailed",
                &message,
                FROM,
            )
            .await?;
            Ok(false)
        }
    }
}

/// Takes the Service's parts off both load balancers and deletes the public
/// IP made for it (a user's static IP stays).
async fn teardown(ctx: &Ctx<'_>, svc: &Value) -> Result<(), SyncError> {
    let arm = Arm::new(ctx.cloud, ctx.uid, Acting::Cluster).await?;
    let base = base_name(svc);
    let rg = arm.at.node_resource_group.clone();
    let location = arm.at.location.clone();
    for lb in [
        names::CLUSTER_LB.to_string(),
        format!("{}-internal", names::CLUSTER_LB),
    ] {
        let lb_path = arm.id(&rg, &format!("Microsoft.Network/loadBalancers/{lb}"));
        let Some(existing) = arm.get(&lb_path, NETWORK_API).await? else {
            continue;
        };
        if !lb_body::has_service(&existing, &base) {
            continue;
        }
        match lb_body::without_service(&existing, &location, &base) {
            Some(rest) => arm.put(&lb_path, NETWORK_API, &rest).await.map(|_| ())?,
            None => arm.delete(&lb_path, NETWORK_API).await?,
        }
    }
    nsg::revoke(&arm, &base).await?;
    let pip_rg = frontend::pip_group(svc, &arm).to_string();
    let pip_path = arm.id(
        &pip_rg,
        &format!(
            "Microsoft.Network/publicIPAddresses/{}",
            frontend::managed_pip_name(&base)
        ),
    );
    if let Some(pip) = arm.get(&pip_path, NETWORK_API).await?
        && frontend::made_for(&pip, svc, &base)
    {
        arm.delete(&pip_path, NETWORK_API).await?;
    }
    Ok(())
}
