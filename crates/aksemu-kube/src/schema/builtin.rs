//! The upstream OpenAPI v3 schemas of the built-in kinds, from the
//! `k8s-openapi` crate (generated from Kubernetes' published OpenAPI, v1.33,
//! Apache-2.0): made once, on first use, as one `components.schemas` map that
//! the OpenAPI documents serve and writes are checked against.

use std::sync::LazyLock;

use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::patch::strategic::{merge_key, merges_primitives};

macro_rules! kinds {
    ($( $group:literal $kind:literal => $ty:ty ),* $(,)?) => {
        /// `(group, kind)` → the schema name of every served built-in kind.
        fn generate(generator: &mut schemars::SchemaGenerator) -> Vec<(&'static str, &'static str, String)> {
            vec![$( ($group, $kind, {
                generator.subschema_for::<$ty>();
                <$ty as schemars::JsonSchema>::schema_name().into_owned()
            }) ),*]
        }
    };
}

use k8s_openapi::api as a;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as ext;

kinds! {
    "" "ConfigMap" => a::core::v1::ConfigMap,
    "" "Endpoints" => a::core::v1::Endpoints,
    "" "Event" => a::core::v1::Event,
    "" "LimitRange" => a::core::v1::LimitRange,
    "" "Namespace" => a::core::v1::Namespace,
    "" "Node" => a::core::v1::Node,
    "" "PersistentVolumeClaim" => a::core::v1::PersistentVolumeClaim,
    "" "PersistentVolume" => a::core::v1::PersistentVolume,
    "" "Pod" => a::core::v1::Pod,
    "" "ResourceQuota" => a::core::v1::ResourceQuota,
    "" "Secret" => a::core::v1::Secret,
    "" "ServiceAccount" => a::core::v1::ServiceAccount,
    "" "Service" => a::core::v1::Service,
    "apps" "ControllerRevision" => a::apps::v1::ControllerRevision,
    "apps" "DaemonSet" => a::apps::v1::DaemonSet,
    "apps" "Deployment" => a::apps::v1::Deployment,
    "apps" "ReplicaSet" => a::apps::v1::ReplicaSet,
    "apps" "StatefulSet" => a::apps::v1::StatefulSet,
    "authentication.k8s.io" "SelfSubjectReview" => a::authentication::v1::SelfSubjectReview,
    "authentication.k8s.io" "TokenReview" => a::authentication::v1::TokenReview,
    "authorization.k8s.io" "LocalSubjectAccessReview" => a::authorization::v1::LocalSubjectAccessReview,
    "authorization.k8s.io" "SelfSubjectAccessReview" => a::authorization::v1::SelfSubjectAccessReview,
    "authorization.k8s.io" "SelfSubjectRulesReview" => a::authorization::v1::SelfSubjectRulesReview,
    "authorization.k8s.io" "SubjectAccessReview" => a::authorization::v1::SubjectAccessReview,
    "autoscaling" "HorizontalPodAutoscaler" => a::autoscaling::v2::HorizontalPodAutoscaler,
    "batch" "CronJob" => a::batch::v1::CronJob,
    "batch" "Job" => a::batch::v1::Job,
    "coordination.k8s.io" "Lease" => a::coordination::v1::Lease,
    "discovery.k8s.io" "EndpointSlice" => a::discovery::v1::EndpointSlice,
    "events.k8s.io" "Event" => a::events::v1::Event,
    "networking.k8s.io" "IngressClass" => a::networking::v1::IngressClass,
    "networking.k8s.io" "Ingress" => a::networking::v1::Ingress,
    "networking.k8s.io" "NetworkPolicy" => a::networking::v1::NetworkPolicy,
    "policy" "PodDisruptionBudget" => a::policy::v1::PodDisruptionBudget,
    "rbac.authorization.k8s.io" "ClusterRoleBinding" => a::rbac::v1::ClusterRoleBinding,
    "rbac.authorization.k8s.io" "ClusterRole" => a::rbac::v1::ClusterRole,
    "rbac.authorization.k8s.io" "RoleBinding" => a::rbac::v1::RoleBinding,
    "rbac.authorization.k8s.io" "Role" => a::rbac::v1::Role,
    "storage.k8s.io" "CSIDriver" => a::storage::v1::CSIDriver,
    "storage.k8s.io" "CSINode" => a::storage::v1::CSINode,
    "storage.k8s.io" "StorageClass" => a::storage::v1::StorageClass,
    "storage.k8s.io" "VolumeAttachment" => a::storage::v1::VolumeAttachment,
    "apiextensions.k8s.io" "CustomResourceDefinition" => ext::CustomResourceDefinition,
}

pub struct Builtin {
    pub defs: super::Defs,
    kinds: Vec<(&'static str, &'static str, String)>,
}

impl Builtin {
    /// The schema name of a built-in kind (`io.k8s.api.apps.v1.Deployment`).
    pub fn name_of(&self, group: &str, kind: &str) -> Option<&str> {
        self.kinds
            .iter()
            .find(|(g, k, _)| *g == group && *k == kind)
            .map(|(_, _, n)| n.as_str())
    }
}

/// The built-in schemas, made on first use.
pub static BUILTIN: LazyLock<Builtin> = LazyLock::new(|| {
    let mut generator = SchemaSettings::openapi3()
        .with(|s| s.meta_schema = None)
        .into_generator();
    let kinds = generate(&mut generator);
    let mut defs: super::Defs = generator.take_definitions(true).into_iter().collect();
    for (_, kind, name) in &kinds {
        annotate(&mut defs, kind, name, &mut Vec::new(), 0);
    }
    // The fields whose patches say which keys to keep (`$retainKeys`), as
    // upstream marks them.
    for (def, field, strategy) in RETAIN_KEYS {
        if let Some(p) = defs
            .get_mut(*def)
            .and_then(|d| d["properties"].get_mut(*field))
            .and_then(Value::as_object_mut)
        {
            p.insert("x-kubernetes-patch-strategy".into(), (*strategy).into());
        }
    }
    Builtin { defs, kinds }
});

const RETAIN_KEYS: &[(&str, &str, &str)] = &[
    (
        "io.k8s.api.apps.v1.DeploymentSpec",
        "strategy",
        "retainKeys",
    ),
    ("io.k8s.api.core.v1.PodSpec", "volumes", "merge,retainKeys"),
];

/// The schema a node refers to, if any.
fn ref_name(node: &Value) -> Option<String> {
    let r = node["$ref"]
        .as_str()
        .or_else(|| node["allOf"][0]["$ref"].as_str())?;
    r.strip_prefix("#/components/schemas/").map(str::to_string)
}

/// Marks the lists strategic merge patches merge (`x-kubernetes-patch-merge-key`,
/// `x-kubernetes-patch-strategy`), from the same table the server merges by:
/// kubectl computes its patches from these documents, so both must agree.
fn annotate(defs: &mut super::Defs, kind: &str, def: &str, path: &mut Vec<String>, depth: usize) {
    if depth > 16 || def.contains("JSONSchemaProps") {
        return;
    }
    let props: Vec<(String, Value)> = match defs.get(def).and_then(|d| d["properties"].as_object())
    {
        Some(p) => p.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        None => return,
    };
    for (field, node) in props {
        path.push(field.clone());
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        let is_list = node["type"] == "array";
        let strategy = if !is_list {
            None
        } else if let Some(key) = merge_key(kind, &refs) {
            Some(
                serde_json::json!({"x-kubernetes-patch-merge-key": key, "x-kubernetes-patch-strategy": "merge"}),
            )
        } else if merges_primitives(kind, &refs) {
            Some(serde_json::json!({"x-kubernetes-patch-strategy": "merge"}))
        } else {
            None
        };
        if let (Some(s), Some(p)) = (
            strategy,
            defs.get_mut(def)
                .and_then(|d| d["properties"].get_mut(&field)),
        ) && let (Some(p), Some(s)) = (p.as_object_mut(), s.as_object())
        {
            p.extend(s.clone());
        }
        let child = if is_list {
            ref_name(&node["items"])
        } else {
            ref_name(&node)
        };
        if let Some(c) = child {
            annotate(defs, kind, &c, path, depth + 1);
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_schema_is_there() {
        let name = BUILTIN.name_of("apps", "Deployment").unwrap();
        assert_eq!(name, "io.k8s.api.apps.v1.Deployment");
        let spec = &BUILTIN.defs["io.k8s.api.apps.v1.DeploymentSpec"];
        assert_eq!(spec["properties"]["replicas"]["type"], "integer");
        let pod = &BUILTIN.defs["io.k8s.api.core.v1.PodSpec"]["properties"];
        assert_eq!(pod["containers"]["x-kubernetes-patch-merge-key"], "name");
        let svc = &BUILTIN.defs["io.k8s.api.core.v1.ServiceSpec"]["properties"];
        assert_eq!(svc["ports"]["x-kubernetes-patch-merge-key"], "port");
    }
}
