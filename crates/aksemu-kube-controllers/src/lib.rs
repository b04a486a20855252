//! The workload plane of every cluster: controllers (Deployment, ReplicaSet),
//! a scheduler and simulated kubelets. They follow the store's change feed and
//! act through the cluster's own API (`client`), as components of a real
//! cluster do: authenticated with a component token, passing the gate, their
//! writes versioned and watched like anyone's.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod client;
mod cloud;
mod cron;
mod cronjob;
mod daemonset;
mod deployment;
mod endpoints;
mod events;
mod job;
mod kubelet;
mod leader;
mod meta;
mod namespace;
mod quantity;
mod quota;
mod replicaset;
mod scheduler;
mod startup;
mod statefulset;
mod work;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use aksemu_core::cluster_cloud::ClusterCloud;
use aksemu_kube::KubeApi;
use tokio::sync::broadcast::error::TryRecvError;

use client::{CallError, Client};
use work::Work;

/// The identity the components act as. (Real clusters split it into one
/// account per controller with its own roles; here they share one, in
/// `system:masters`.)
const COMPONENT: &str = "system:kube-controller-manager";

/// Virtual time the simulated kubelets take (0: at once).
#[derive(Debug, Clone, Copy, Default)]
pub struct Pace {
    /// From bound to Running (`serve --kube-pod-startup`).
    pub startup_secs: i64,
    /// From Running to Succeeded, for pods that do not restart (`serve --kube-job-duration`).
    pub job_secs: i64,
}

/// Starts the workload plane for every cluster of `store`, in whichever
/// process sharing it holds the lease.
pub fn start(
    api: Arc<KubeApi>,
    store: Arc<dyn aksemu_store::Store>,
    pace: Pace,
    cloud: Option<Arc<dyn ClusterCloud>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let leader = leader::Leader::new(store);
        loop {
            if !leader.hold().await {
                tokio::time::sleep(leader::RENEW).await;
                continue;
            }
            let task = tokio::spawn(run(api.clone(), pace, cloud.clone()));
            loop {
                tokio::time::sleep(leader::RENEW).await;
                if !leader.hold().await {
                    tracing::warn!("the workload-plane lease went to another process");
                    task.abort();
                    break;
                }
            }
        }
    })
}

struct Plane {
    api: Arc<KubeApi>,
    pace: Pace,
    /// How components reach Azure as the cluster's identities (none: no cloud side).
    cloud: Option<Arc<dyn ClusterCloud>>,
    load_balancers: cloud::tracker::Tracker<cloud::loadbalancer::Key>,
    /// Claims and volumes whose cloud step failed, and when to try again.
    volumes: cloud::tracker::Tracker<Work>,
    /// Pods whose image pull failed, and when the kubelet tries again.
    pulls: cloud::tracker::Tracker<Work>,
    /// Work a step found for others (pods whose volumes are attached now).
    followups: Vec<Work>,
    /// Pods in their grace period, and when their kubelet removes them.
    terminating: BTreeMap<(String, String, String), time::OffsetDateTime>,
    clients: HashMap<String, Arc<Client>>,
    /// Namespaces that have (had) ResourceQuotas: only their changes are counted.
    quota_namespaces: std::collections::HashSet<(String, String)>,
}

impl Plane {
    async fn client(&mut self, uid: &str) -> Result<Arc<Client>, CallError> {
        if let Some(c) = self.clients.get(uid) {
            return Ok(c.clone());
        }
        let c = Arc::new(Client::new(&self.api, uid, COMPONENT, &["system:masters"]).await?);
        self.clients.insert(uid.to_string(), c.clone());
        Ok(c)
    }

    /// Everything that may need work, in every cluster (at start, and after
    /// falling behind the feed).
    async fn everything(&mut self) -> BTreeSet<Work> {
        let mut out = BTreeSet::new();
        for uid in self.api.cluster_uids().await.unwrap_or_default() {
            let Ok(c) = self.client(&uid).await else {
                continue;
            };
            for (path, make) in [
                ("/apis/apps/v1/deployments", 0),
                ("/apis/apps/v1/replicasets", 1),
                ("/apis/batch/v1/jobs", 3),
                ("/apis/apps/v1/daemonsets", 4),
                ("/api/v1/services", 5),
                ("/apis/apps/v1/statefulsets", 6),
                ("/apis/batch/v1/cronjobs", 7),
                ("/api/v1/persistentvolumeclaims", 8),
                ("/api/v1/resourcequotas", 9),
                ("/api/v1/pods", 2),
            ] {
                for o in c.list(path).await.unwrap_or_default() {
                    let (ns, name) = (
                        o["metadata"]["namespace"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                        meta::name(&o).to_string(),
                    );
                    let uid = uid.clone();
                    if make == 5 {
                        let (uid, ns, name) = (uid.clone(), ns.clone(), name.clone());
                        out.insert(Work::LoadBalancer { uid, ns, name });
                    }
                    out.insert(match make {
                        0 => Work::Deployment { uid, ns, name },
                        1 => Work::ReplicaSet { uid, ns, name },
                        3 => Work::Job { uid, ns, name },
                        4 => Work::DaemonSet { uid, ns, name },
                        5 => Work::Service { uid, ns, name },
                        6 => Work::StatefulSet { uid, ns, name },
                        7 => Work::CronJob { uid, ns, name },
                        8 => Work::Claim { uid, ns, name },
                        9 => Work::QuotaChanged { uid, ns },
                        _ => Work::Pod { uid, ns, name },
                    });
                }
            }
        }
        out
    }

    /// Pods whose grace period has run out on the cloud clock: gone now.
    async fn reap(&mut self) {
        let now = self.api.now();
        let due: Vec<(String, String, String)> = self
            .terminating
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            self.terminating.remove(&key);
            let (uid, ns, name) = key;
            if let Ok(c) = self.client(&uid).await {
                let path = format!("/api/v1/namespaces/{ns}/pods/{name}");
                if let Err(e) = c.delete(&path).await {
                    tracing::debug!(error = %e, "removing a terminated pod failed");
                }
            }
        }
    }

    /// Work the clock makes due: every CronJob, and pods still starting.
    async fn timed(&mut self) -> BTreeSet<Work> {
        self.reap().await;
        let mut out: BTreeSet<Work> = self
            .load_balancers
            .due(self.api.now())
            .into_iter()
            .map(|(uid, ns, name)| Work::LoadBalancer { uid, ns, name })
            .collect();
        out.extend(self.volumes.due(self.api.now()));
        out.extend(self.pulls.due(self.api.now()));
        for uid in self.api.cluster_uids().await.unwrap_or_default() {
            let Ok(c) = self.client(&uid).await else {
                continue;
            };
            if self.pace.startup_secs > 0 || self.pace.job_secs > 0 {
                for p in c.list("/api/v1/pods").await.unwrap_or_default() {
                    if p["spec"]["nodeName"].is_string() && kubelet::timed(&p) {
                        let ns = p["metadata"]["namespace"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string();
                        out.insert(Work::Pod {
                            uid: uid.clone(),
                            ns,
                            name: meta::name(&p).to_string(),
                        });
                    }
                }
            }
            for cj in c.list("/apis/batch/v1/cronjobs").await.unwrap_or_default() {
                let ns = cj["metadata"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                out.insert(Work::CronJob {
                    uid: uid.clone(),
                    ns,
                    name: meta::name(&cj).to_string(),
                });
            }
        }
        out
    }

    /// A pod's next step: a node; starting on its node (at once, or after
    /// `pace.startup_secs` of the cloud clock) once its volumes are attached
    /// and its images pulled; for a pod that does not restart, finishing (at
    /// once, or after `pace.job_secs`).
    async fn pod_step(
        &mut self,
        c: &Client,
        uid: &str,
        ns: &str,
        pod: serde_json::Value,
    ) -> Result<(), CallError> {
        if meta::deleting(&pod) {
            return Ok(());
        }
        let (pace, now) = (self.pace, self.api.now());
        let at_once = pace.job_secs <= 0;
        if !pod["spec"]["nodeName"].is_string() {
            return scheduler::schedule(c, ns, &pod).await;
        }
        // A pod waits in ContainerCreating until its volumes are attached on its node.
        if pod["status"]["phase"] == "Pending"
            && !meta::claims_of(&pod).is_empty()
            && !cloud::disks::volumes_ready(c, ns, &pod).await?
        {
            return Ok(());
        }
        match (pod["status"]["phase"].as_str(), startup::began(&pod)) {
            (Some("Pending"), _) if pace.startup_secs <= 0 => {
                self.start(c, uid, ns, &pod, at_once).await
            }
            (Some("Pending"), None) => startup::creating(c, ns, &pod, now).await,
            (Some("Pending"), Some(t)) if startup::due(t, pace.startup_secs, now) => {
                self.start(c, uid, ns, &pod, at_once).await
            }
            (Some("Running"), Some(t))
                if kubelet::runs_to_completion(&pod) && startup::due(t, pace.job_secs, now) =>
            {
                kubelet::finish(c, ns, &pod).await
            }
            _ => Ok(()),
        }
    }

    /// The kubelet starts the pod's containers once their images are pulled.
    async fn start(
        &mut self,
        c: &Client,
        uid: &str,
        ns: &str,
        pod: &serde_json::Value,
        at_once: bool,
    ) -> Result<(), CallError> {
        if let Some(cloud) = self.cloud.clone() {
            let ctx = cloud::Ctx {
                c,
                cloud: &cloud,
                uid,
                now: self.api.now(),
            };
            if !cloud::images::pulled(&ctx, &mut self.pulls, ns, pod).await? {
                return Ok(());
            }
        }
        kubelet::start(c, ns, pod, at_once).await
    }

    /// Work on the cloud side, as the cluster identity (none without a cloud).
    async fn cloud_work(&mut self, w: &Work) -> Result<(), CallError> {
        let Some(cloud) = self.cloud.clone() else {
            return Ok(());
        };
        let (Work::Claim { uid, .. } | Work::Volume { uid, .. } | Work::LoadBalancer { uid, .. }) =
            w
        else {
            return Ok(());
        };
        let c = self.client(uid).await?;
        let now = self.api.now();
        let ctx = cloud::Ctx {
            c: &c,
            cloud: &cloud,
            uid,
            now,
        };
        match w {
            Work::Claim { ns, name, .. } => {
                let poke = cloud::disks::claim(&ctx, &mut self.volumes, ns, name).await?;
                self.followups.extend(poke);
                Ok(())
            }
            Work::Volume { name, .. } => cloud::disks::volume(&ctx, &mut self.volumes, name).await,
            Work::LoadBalancer { ns, name, .. } => {
                cloud::loadbalancer::reconcile(&ctx, &mut self.load_balancers, ns, name).await
            }
            _ => Ok(()),
        }
    }

    async fn process(&mut self, w: &Work) -> Result<(), CallError> {
        match w {
            Work::Deployment { uid, ns, name } => {
                deployment::reconcile(&*self.client(uid).await?, ns, name).await
            }
            Work::ReplicaSet { uid, ns, name } => {
                replicaset::reconcile(&*self.client(uid).await?, ns, name).await
            }
            Work::Namespace { uid, name } => {
                namespace::reconcile(&*self.client(uid).await?, name).await
            }
            Work::QuotaChanged { uid, ns } => {
                self.quota_namespaces.insert((uid.clone(), ns.clone()));
                let api = self.api.clone();
                quota::reconcile(&*self.client(uid).await?, &api, uid, ns).await
            }
            Work::Quotas { uid, ns } => {
                if !self.quota_namespaces.contains(&(uid.clone(), ns.clone())) {
                    return Ok(());
                }
                let api = self.api.clone();
                quota::reconcile(&*self.client(uid).await?, &api, uid, ns).await
            }
            Work::DaemonSet { uid, ns, name } => {
                daemonset::reconcile(&*self.client(uid).await?, ns, name).await
            }
            Work::StatefulSet { uid, ns, name } => {
                statefulset::reconcile(&*self.client(uid).await?, ns, name).await
            }
            Work::CronJob { uid, ns, name } => {
                let now = self.api.now();
                cronjob::reconcile(&*self.client(uid).await?, ns, name, now).await
            }
            Work::Service { uid, ns, name } => {
                endpoints::reconcile(&*self.client(uid).await?, ns, name).await
            }
            Work::Job { uid, ns, name } => {
                job::reconcile(&*self.client(uid).await?, ns, name).await
            }
            Work::Claim { .. } | Work::Volume { .. } | Work::LoadBalancer { .. } => {
                self.cloud_work(w).await
            }
            Work::Pod { uid, ns, name } => {
                let c = self.client(uid).await?;
                let Some(p) = c
                    .get(&format!("/api/v1/namespaces/{ns}/pods/{name}"))
                    .await?
                else {
                    return Ok(());
                };
                if let Some(at) = startup::leaving(&p) {
                    self.terminating
                        .insert((uid.clone(), ns.clone(), name.clone()), at);
                    return Ok(());
                }
                self.pod_step(&c, uid, ns, p).await
            }
            Work::DaemonSets { uid }
            | Work::Services { uid, .. }
            | Work::Unscheduled { uid }
            | Work::NodeGone { uid, .. } => fan_out(&*self.client(uid).await?, w).await,
        }
    }
}

fn ns_of(o: &serde_json::Value) -> &str {
    o["metadata"]["namespace"].as_str().unwrap_or_default()
}

/// Work over many objects of a cluster.
async fn fan_out(c: &Client, w: &Work) -> Result<(), CallError> {
    match w {
        Work::DaemonSets { .. } => {
            for ds in c.list("/apis/apps/v1/daemonsets").await? {
                daemonset::reconcile(c, ns_of(&ds), meta::name(&ds)).await?;
            }
        }
        Work::Services { ns, .. } => {
            for svc in c.list(&format!("/api/v1/namespaces/{ns}/services")).await? {
                endpoints::reconcile(c, ns, meta::name(&svc)).await?;
            }
        }
        Work::Unscheduled { .. } => {
            for p in c.list("/api/v1/pods").await? {
                if !p["spec"]["nodeName"].is_string() && !meta::deleting(&p) {
                    scheduler::schedule(c, ns_of(&p), &p).await?;
                }
            }
        }
        Work::NodeGone { name, .. } => {
            for p in c.list("/api/v1/pods").await? {
                if p["spec"]["nodeName"] == name.as_str() {
                    c.delete(&format!(
                        "/api/v1/namespaces/{}/pods/{}",
                        ns_of(&p),
                        meta::name(&p)
                    ))
                    .await?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

async fn run(api: Arc<KubeApi>, pace: Pace, cloud: Option<Arc<dyn ClusterCloud>>) {
    let mut rx = api.changes().await;
    let mut plane = Plane {
        api,
        pace,
        cloud,
        load_balancers: Default::default(),
        volumes: Default::default(),
        followups: Vec::new(),
        pulls: Default::default(),
        terminating: BTreeMap::new(),
        clients: HashMap::new(),
        quota_namespaces: Default::default(),
    };
    let mut queue = plane.everything().await;
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        while let Some(w) = queue.pop_first() {
            if let Err(e) = plane.process(&w).await {
                tracing::debug!(work = ?w, error = %e, "controller work failed; it is retried on the next change");
            }
            queue.extend(plane.followups.drain(..));
        }
        let received = tokio::select! {
            r = rx.recv() => r,
            // Time-driven work (CronJobs) looks at the cloud clock every second.
            _ = tick.tick() => {
                queue.extend(plane.timed().await);
                continue;
            }
        };
        let first = match received {
            Ok(c) => c,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                queue = plane.everything().await;
                continue;
            }
            Err(_) => return,
        };
        queue.extend(work::from_change(&first));
        loop {
            match rx.try_recv() {
                Ok(c) => queue.extend(work::from_change(&c)),
                Err(TryRecvError::Lagged(_)) => queue.extend(plane.everything().await),
                Err(_) => break,
            }
        }
    }
}
