//! The Kubernetes side of `ClusterPlane`: the AKS provider calls it when a
//! cluster is created or its pools change (before the operation reports
//! Succeeded) and when the cluster is deleted.

use std::collections::BTreeMap;
use std::sync::Arc;

use aksemu_core::cluster_plane::{ClusterPlane, PlaneCluster};
use aksemu_store::{Cond, Write};
use async_trait::async_trait;
use serde_json::Value;

use crate::error::KubeError;
use crate::objects::{self, OBJECTS};
use crate::resources::{by_kind, find};
use crate::{KubeApi, aks_system, bootstrap, gc, nodes, sa_tokens};

/// The clusters whose Kubernetes side exists (key: uid), for the controllers.
pub const CLUSTERS: &str = "kubeClusters";

/// Puts for the bootstrap objects, if the cluster has none yet.
async fn bootstrap_writes(
    api: &KubeApi,
    c: &PlaneCluster,
    now: &str,
) -> Result<Vec<Write>, KubeError> {
    let Some(nst) = find("", "v1", "namespaces") else {
        return Ok(Vec::new());
    };
    if objects::get(api, &c.uid, nst, "", "default")
        .await?
        .is_some()
    {
        return Ok(Vec::new());
    }
    let mut writes: Vec<Write> = bootstrap::objects(c, now)
        .iter()
        .filter_map(|o| {
            let rt = by_kind(o["apiVersion"].as_str()?, o["kind"].as_str()?)?;
            Some(objects::put(&c.uid, rt, o, Cond::Any))
        })
        .collect();
    writes.push(Write::Put {
        coll: CLUSTERS,
        key: c.uid.clone(),
        id: c.uid.clone(),
        body: serde_json::json!({"name": c.name}),
        cond: Cond::Any,
    });
    Ok(writes)
}

/// The workloads of the enabled add-ons (created when missing), and the
/// removal of the disabled ones' with their pods.
async fn addon_writes(api: &KubeApi, c: &PlaneCluster, now: &str) -> Result<Vec<Write>, KubeError> {
    let mut writes = Vec::new();
    let enabled: Vec<String> = c.addons.iter().map(|a| a.to_ascii_lowercase()).collect();
    for a in &enabled {
        let Some(nst) = find("", "v1", "namespaces") else {
            break;
        };
        for ns in aks_system::addon_namespaces(a) {
            if objects::get(api, &c.uid, nst, "", ns).await?.is_none() {
                writes.extend(puts(
                    c,
                    bootstrap::namespace_with_defaults(ns, &c.ca_pem, now),
                ));
            }
        }
        for o in aks_system::addon_objects(a) {
            let (Some(rt), ns) = (
                kind_rt(&o),
                o["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ) else {
                continue;
            };
            let name = o["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if objects::get(api, &c.uid, rt, &ns, &name).await?.is_none() {
                writes.extend(
                    bootstrap::system_object(o, c, now)
                        .map(|o| objects::put(&c.uid, rt, &o, Cond::Any)),
                );
            }
        }
    }
    for plural in ["deployments", "daemonsets"] {
        let Some(rt) = find("apps", "v1", plural) else {
            continue;
        };
        for o in objects::list(api, &c.uid, rt, None).await?.0 {
            let Some(a) = o["metadata"]["labels"][aks_system::ADDON_LABEL].as_str() else {
                continue;
            };
            if !enabled.contains(&a.to_ascii_lowercase()) {
                let (ns, name) = (
                    o["metadata"]["namespace"].as_str().unwrap_or_default(),
                    o["metadata"]["name"].as_str().unwrap_or_default(),
                );
                writes.push(objects::delete(&c.uid, rt, ns, name, Cond::Any));
                writes.extend(gc::deletes(&c.uid, &gc::dependents(api, &c.uid, &o).await?));
            }
        }
    }
    Ok(writes)
}

fn kind_rt(o: &Value) -> Option<&'static crate::resources::ResourceType> {
    by_kind(o["apiVersion"].as_str()?, o["kind"].as_str()?)
}

fn puts(c: &PlaneCluster, objs: Vec<Value>) -> Vec<Write> {
    objs.iter()
        .filter_map(|o| Some(objects::put(&c.uid, kind_rt(o)?, o, Cond::Any)))
        .collect()
}

/// Puts and deletes that make the Node objects (and their leases) match.
async fn node_writes(api: &KubeApi, c: &PlaneCluster, now: &str) -> Result<Vec<Write>, KubeError> {
    let (Some(nt), Some(lt)) = (
        find("", "v1", "nodes"),
        find("coordination.k8s.io", "v1", "leases"),
    ) else {
        return Ok(Vec::new());
    };
    let (have, _) = objects::list(api, &c.uid, nt, None).await?;
    let mut have: BTreeMap<String, Value> = have
        .into_iter()
        .map(|n| {
            (
                n["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                n,
            )
        })
        .collect();
    let micro = format!("{}.000000Z", now.trim_end_matches('Z'));
    let mut writes = Vec::new();
    for n in &c.nodes {
        let old = have.remove(&n.name);
        let node = nodes::node(c, n, old.as_ref(), now);
        let unchanged = old.as_ref().is_some_and(|o| {
            o["metadata"]["labels"] == node["metadata"]["labels"]
                && o["status"]["nodeInfo"] == node["status"]["nodeInfo"]
        });
        if unchanged {
            continue;
        }
        if old.is_none() {
            let uid = node["metadata"]["uid"].as_str().unwrap_or_default();
            writes.push(objects::put(
                &c.uid,
                lt,
                &nodes::lease(n, uid, &micro),
                Cond::Any,
            ));
        }
        writes.push(objects::put(&c.uid, nt, &node, Cond::Any));
    }
    for gone in have.keys() {
        writes.push(objects::delete(&c.uid, nt, "", gone, Cond::Any));
        writes.push(objects::delete(
            &c.uid,
            lt,
            "kube-node-lease",
            gone,
            Cond::Any,
        ));
    }
    Ok(writes)
}

#[async_trait]
impl ClusterPlane for KubeApi {
    async fn sync(&self, c: &PlaneCluster) -> Result<(), String> {
        let now = objects::now(self);
        let mut writes = bootstrap_writes(self, c, &now)
            .await
            .map_err(|e| e.to_string())?;
        writes.extend(
            node_writes(self, c, &now)
                .await
                .map_err(|e| e.to_string())?,
        );
        writes.extend(
            addon_writes(self, c, &now)
                .await
                .map_err(|e| e.to_string())?,
        );
        if writes.is_empty() {
            return Ok(());
        }
        self.store.apply(writes).await.map_err(|e| e.to_string())?;
        self.feed.wake();
        Ok(())
    }

    async fn remove(&self, uid: &str) -> Result<(), String> {
        let writes = vec![
            Write::DeletePrefix {
                coll: OBJECTS,
                prefix: objects::cluster_prefix(uid),
            },
            Write::Delete {
                coll: sa_tokens::KEYS,
                key: uid.to_string(),
                cond: Cond::Any,
            },
            Write::Delete {
                coll: CLUSTERS,
                key: uid.to_string(),
                cond: Cond::Any,
            },
        ];
        self.store.apply(writes).await.map_err(|e| e.to_string())?;
        self.keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(uid);
        self.feed.wake();
        Ok(())
    }

    async fn rotate_service_account_keys(&self, uid: &str) -> Result<(), String> {
        sa_tokens::rotate(self, uid)
            .await
            .map_err(|e| e.to_string())
    }
}

/// The plane as the AKS provider holds it.
pub fn as_plane(api: &Arc<KubeApi>) -> Arc<dyn ClusterPlane> {
    api.clone()
}
