//! The one table of resource types this API server serves. Discovery, OpenAPI,
//! routing, Table output, storage keys and patching all read it.

use std::collections::HashMap;

use serde_json::Value;

/// A subresource: `pods/status`, `deployments/scale`, `serviceaccounts/token`.
#[derive(Debug)]
pub struct Sub {
    pub name: &'static str,
    /// The group, version and kind it answers with.
    pub kind: (&'static str, &'static str, &'static str),
    pub verbs: &'static [&'static str],
}

/// How objects of a type live.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Storage {
    /// Stored objects with the usual verbs.
    Stored,
    /// Create-only reviews answered from the request (never stored).
    Review,
}

/// What a custom resource type carries besides its names.
#[derive(Debug)]
pub struct Custom {
    /// The CRD's name (`certificates.cert-manager.io`).
    pub crd: String,
    /// The version objects are stored at.
    pub storage_version: String,
    /// `openAPIV3Schema` of this version (`{}` when none).
    pub schema: Value,
    /// `additionalPrinterColumns` of this version.
    pub columns: Vec<Value>,
    /// `subresources.scale` of this version, if served.
    pub scale: Option<Value>,
    /// Whether `subresources.status` is served.
    pub status: bool,
}

#[derive(Debug)]
pub struct ResourceType {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub namespaced: bool,
    pub verbs: &'static [&'static str],
    pub subresources: &'static [Sub],
    pub storage: Storage,
    /// A custom resource's definition (schema, columns, scale paths).
    pub custom: Option<&'static Custom>,
}

impl ResourceType {
    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `pods` or `deployments.apps`: how Kubernetes names the type in messages
    /// and how storage keys name it.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    pub fn sub(&self, name: &str) -> Option<&'static Sub> {
        self.subresources.iter().find(|s| s.name == name)
    }

    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.contains(&verb)
    }
}

pub(crate) const RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const CREATE: &[&str] = &["create"];
pub(crate) const GPU: &[&str] = &["get", "patch", "update"];
const ALL: &[&str] = &["all"];

const fn status(g: &'static str, v: &'static str, k: &'static str) -> Sub {
    Sub {
        name: "status",
        kind: (g, v, k),
        verbs: GPU,
    }
}

const fn scale() -> Sub {
    Sub {
        name: "scale",
        kind: ("autoscaling", "v1", "Scale"),
        verbs: GPU,
    }
}

macro_rules! rt {
    ($g:expr, $v:expr, $k:expr, $p:expr, $s:expr, $short:expr, $cat:expr, $ns:expr, $verbs:expr, $subs:expr) => {
        ResourceType {
            group: $g,
            version: $v,
            kind: $k,
            plural: $p,
            singular: $s,
            short_names: $short,
            categories: $cat,
            namespaced: $ns,
            verbs: $verbs,
            subresources: $subs,
            storage: Storage::Stored,
            custom: None,
        }
    };
}

macro_rules! review {
    ($g:expr, $k:expr, $p:expr, $s:expr, $ns:expr) => {
        ResourceType {
            group: $g,
            version: "v1",
            kind: $k,
            plural: $p,
            singular: $s,
            short_names: &[],
            categories: &[],
            namespaced: $ns,
            verbs: CREATE,
            subresources: &[],
            storage: Storage::Review,
            custom: None,
        }
    };
}

pub static TYPES: &[ResourceType] = &[
    rt!(
        "",
        "v1",
        "ConfigMap",
        "configmaps",
        "configmap",
        &["cm"],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "",
        "v1",
        "Endpoints",
        "endpoints",
        "endpoints",
        &["ep"],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "",
        "v1",
        "Event",
        "events",
        "event",
        &["ev"],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "",
        "v1",
        "LimitRange",
        "limitranges",
        "limitrange",
        &["limits"],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "",
        "v1",
        "Namespace",
        "namespaces",
        "namespace",
        &["ns"],
        &[],
        false,
        &[
            "create", "delete", "get", "list", "patch", "update", "watch"
        ],
        &[
            status("", "v1", "Namespace"),
            Sub {
                name: "finalize",
                kind: ("", "v1", "Namespace"),
                verbs: &["update"]
            }
        ]
    ),
    rt!(
        "",
        "v1",
        "Node",
        "nodes",
        "node",
        &["no"],
        &[],
        false,
        RW,
        &[status("", "v1", "Node")]
    ),
    rt!(
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        &["pvc"],
        &[],
        true,
        RW,
        &[status("", "v1", "PersistentVolumeClaim")]
    ),
    rt!(
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        "persistentvolume",
        &["pv"],
        &[],
        false,
        RW,
        &[status("", "v1", "PersistentVolume")]
    ),
    rt!(
        "",
        "v1",
        "Pod",
        "pods",
        "pod",
        &["po"],
        ALL,
        true,
        RW,
        &[
            status("", "v1", "Pod"),
            Sub {
                name: "binding",
                kind: ("", "v1", "Binding"),
                verbs: CREATE
            },
            Sub {
                name: "eviction",
                kind: ("policy", "v1", "Eviction"),
                verbs: CREATE
            },
            Sub {
                name: "log",
                kind: ("", "v1", "Pod"),
                verbs: &["get"]
            },
            Sub {
                name: "attach",
                kind: ("", "v1", "PodAttachOptions"),
                verbs: &["create", "get"]
            },
            Sub {
                name: "exec",
                kind: ("", "v1", "PodExecOptions"),
                verbs: &["create", "get"]
            },
            Sub {
                name: "portforward",
                kind: ("", "v1", "PodPortForwardOptions"),
                verbs: &["create", "get"]
            },
        ]
    ),
    rt!(
        "",
        "v1",
        "ResourceQuota",
        "resourcequotas",
        "resourcequota",
        &["quota"],
        &[],
        true,
        RW,
        &[status("", "v1", "ResourceQuota")]
    ),
    rt!(
        "",
        "v1",
        "Secret",
        "secrets",
        "secret",
        &[],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        "serviceaccount",
        &["sa"],
        &[],
        true,
        RW,
        &[Sub {
            name: "token",
            kind: ("authentication.k8s.io", "v1", "TokenRequest"),
            verbs: CREATE
        }]
    ),
    rt!(
        "",
        "v1",
        "Service",
        "services",
        "service",
        &["svc"],
        ALL,
        true,
        &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch"
        ],
        &[status("", "v1", "Service")]
    ),
    rt!(
        "apps",
        "v1",
        "ControllerRevision",
        "controllerrevisions",
        "controllerrevision",
        &[],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "apps",
        "v1",
        "DaemonSet",
        "daemonsets",
        "daemonset",
        &["ds"],
        ALL,
        true,
        RW,
        &[status("apps", "v1", "DaemonSet")]
    ),
    rt!(
        "apps",
        "v1",
        "Deployment",
        "deployments",
        "deployment",
        &["deploy"],
        ALL,
        true,
        RW,
        &[scale(), status("apps", "v1", "Deployment")]
    ),
    rt!(
        "apps",
        "v1",
        "ReplicaSet",
        "replicasets",
        "replicaset",
        &["rs"],
        ALL,
        true,
        RW,
        &[scale(), status("apps", "v1", "ReplicaSet")]
    ),
    rt!(
        "apps",
        "v1",
        "StatefulSet",
        "statefulsets",
        "statefulset",
        &["sts"],
        ALL,
        true,
        RW,
        &[scale(), status("apps", "v1", "StatefulSet")]
    ),
    review!(
        "authentication.k8s.io",
        "SelfSubjectReview",
        "selfsubjectreviews",
        "selfsubjectreview",
        false
    ),
    review!(
        "authentication.k8s.io",
        "TokenReview",
        "tokenreviews",
        "tokenreview",
        false
    ),
    review!(
        "authorization.k8s.io",
        "LocalSubjectAccessReview",
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        true
    ),
    review!(
        "authorization.k8s.io",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        false
    ),
    review!(
        "authorization.k8s.io",
        "SelfSubjectRulesReview",
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        false
    ),
    review!(
        "authorization.k8s.io",
        "SubjectAccessReview",
        "subjectaccessreviews",
        "subjectaccessreview",
        false
    ),
    rt!(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        &["hpa"],
        ALL,
        true,
        RW,
        &[status("autoscaling", "v2", "HorizontalPodAutoscaler")]
    ),
    rt!(
        "batch",
        "v1",
        "CronJob",
        "cronjobs",
        "cronjob",
        &["cj"],
        ALL,
        true,
        RW,
        &[status("batch", "v1", "CronJob")]
    ),
    rt!(
        "batch",
        "v1",
        "Job",
        "jobs",
        "job",
        &[],
        ALL,
        true,
        RW,
        &[status("batch", "v1", "Job")]
    ),
    rt!(
        "coordination.k8s.io",
        "v1",
        "Lease",
        "leases",
        "lease",
        &[],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        "endpointslices",
        "endpointslice",
        &[],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "events.k8s.io",
        "v1",
        "Event",
        "events",
        "event",
        &["ev"],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "networking.k8s.io",
        "v1",
        "IngressClass",
        "ingressclasses",
        "ingressclass",
        &[],
        &[],
        false,
        RW,
        &[]
    ),
    rt!(
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        "ingress",
        &["ing"],
        &[],
        true,
        RW,
        &[status("networking.k8s.io", "v1", "Ingress")]
    ),
    rt!(
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        "networkpolicy",
        &["netpol"],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        "poddisruptionbudget",
        &["pdb"],
        &[],
        true,
        RW,
        &[status("policy", "v1", "PodDisruptionBudget")]
    ),
    rt!(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        "clusterrolebinding",
        &[],
        &[],
        false,
        RW,
        &[]
    ),
    rt!(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        "clusterrole",
        &[],
        &[],
        false,
        RW,
        &[]
    ),
    rt!(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        "rolebinding",
        &[],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        "role",
        &[],
        &[],
        true,
        RW,
        &[]
    ),
    rt!(
        "storage.k8s.io",
        "v1",
        "CSIDriver",
        "csidrivers",
        "csidriver",
        &[],
        &[],
        false,
        RW,
        &[]
    ),
    rt!(
        "storage.k8s.io",
        "v1",
        "CSINode",
        "csinodes",
        "csinode",
        &[],
        &[],
        false,
        RW,
        &[]
    ),
    rt!(
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "storageclasses",
        "storageclass",
        &["sc"],
        &[],
        false,
        RW,
        &[]
    ),
    rt!(
        "storage.k8s.io",
        "v1",
        "VolumeAttachment",
        "volumeattachments",
        "volumeattachment",
        &[],
        &[],
        false,
        RW,
        &[status("storage.k8s.io", "v1", "VolumeAttachment")]
    ),
    rt!(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        "customresourcedefinition",
        &["crd", "crds"],
        &["api-extensions"],
        false,
        RW,
        &[status(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition"
        )]
    ),
];

/// Groups in the order discovery lists them (the legacy core group first).
pub fn groups() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for t in TYPES {
        if !out.contains(&t.group) {
            out.push(t.group);
        }
    }
    out
}

/// The versions served for a group (one per group here).
pub fn versions(group: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for t in TYPES.iter().filter(|t| t.group == group) {
        if !out.contains(&t.version) {
            out.push(t.version);
        }
    }
    out
}

type PathKey = (&'static str, &'static str, &'static str);

/// The types by `(group, version, plural)`: every request looks one up.
static BY_PATH: std::sync::LazyLock<HashMap<PathKey, &'static ResourceType>> =
    std::sync::LazyLock::new(|| {
        TYPES
            .iter()
            .map(|t| ((t.group, t.version, t.plural), t))
            .collect()
    });

/// The type a URL names: group, version and plural.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static ResourceType> {
    BY_PATH.get(&(group, version, plural)).copied()
}

/// The type of a kind in an apiVersion (`apps/v1`, `Deployment`).
pub fn by_kind(api_version: &str, kind: &str) -> Option<&'static ResourceType> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    TYPES
        .iter()
        .find(|t| t.group == group && t.version == version && t.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let d = find("apps", "v1", "deployments").unwrap();
        assert_eq!(d.kind, "Deployment");
        assert_eq!(d.qualified(), "deployments.apps");
        assert_eq!(by_kind("v1", "Pod").unwrap().plural, "pods");
        assert_eq!(groups()[0], "");
        assert!(find("", "v1", "secrets").unwrap().namespaced);
    }

    #[test]
    fn plurals_are_unique_per_group() {
        for (i, a) in TYPES.iter().enumerate() {
            for b in &TYPES[i + 1..] {
                assert!(
                    !(a.group == b.group && a.plural == b.plural),
                    "{}",
                    a.plural
                );
            }
        }
    }
}
