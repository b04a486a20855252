//! Patch metadata (`patchStrategy` / `patchMergeKey` struct tags) of the built-in kinds.
//!
//! kube-apiserver reads these tags from the Go API structs by reflection
//! (`forkedjson.LookupPatchMetadata`). We have no Go types, so the part of the type graph that
//! leads to a tagged field is spelled out here, transcribed from kubernetes/api
//! `core/v1`, `apps/v1`, `batch/v1`, `autoscaling/v2`, `policy/v1`, `admissionregistration/v1`,
//! `storage/v1`, `resource/v1`, `flowcontrol/v1`, `networking/v1` and apimachinery `meta/v1`.
//! A field that is not listed merges when it is a map and is replaced when it is a list, which is
//! also what the tags say for every untagged field (e.g. tolerations, rbac rules, resizePolicy).

/// The patch strategy of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strategy {
    /// `patchStrategy:"merge" patchMergeKey:"<key>"`: a list of objects merged element-wise.
    MergeByKey(&'static str),
    /// `patchStrategy:"merge"` without a key: a list of primitives merged as an ordered set.
    MergePrimitives,
    /// `patchStrategy:"replace"` on a struct: the map is replaced instead of merged.
    ReplaceMap,
}

/// A Go struct type whose fields carry (or lead to) patch metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    // Top-level kinds. All of them have `metadata: ObjectMeta`.
    Object,
    Pod,
    PodTemplate,
    ReplicationController,
    Workload,
    Job,
    CronJob,
    Service,
    Node,
    ServiceAccount,
    PersistentVolumeClaim,
    WithStatusConditions,
    PodDisruptionBudget,
    ComponentStatus,
    WebhookConfiguration,
    AdmissionPolicy,
    CsiNode,
    ResourceClaim,
    // Nested structs.
    ObjectMeta,
    PodTemplateSpec,
    PodSpec,
    Container,
    PodStatus,
    ContainerStatus,
    PodVolumeHealth,
    NodeAllocatableClaimStatus,
    ReplicationControllerSpec,
    WorkloadSpec,
    JobSpec,
    JobScheduling,
    CronJobSpec,
    JobTemplateSpec,
    ConditionsStatus,
    ServiceSpec,
    NodeSpec,
    NodeStatus,
    PvcStatus,
    VolumeHealthStatus,
    PdbSpec,
    Webhook,
    AdmissionPolicySpec,
    CsiNodeSpec,
    ResourceClaimStatus,
}

use Strategy::{MergeByKey, MergePrimitives, ReplaceMap};

/// One struct field: (struct, json name, type of the value or list element, strategy).
type FieldRow = (Ty, &'static str, Option<Ty>, Option<Strategy>);

const fn keyed(parent: Ty, name: &'static str, key: &'static str) -> FieldRow {
    (parent, name, None, Some(MergeByKey(key)))
}

const fn keyed_of(parent: Ty, name: &'static str, elem: Ty, key: &'static str) -> FieldRow {
    (parent, name, Some(elem), Some(MergeByKey(key)))
}

const fn nested(parent: Ty, name: &'static str, child: Ty) -> FieldRow {
    (parent, name, Some(child), None)
}

const FIELDS: &[FieldRow] = &[
    // meta/v1 ObjectMeta
    keyed(Ty::ObjectMeta, "ownerReferences", "uid"),
    (Ty::ObjectMeta, "finalizers", None, Some(MergePrimitives)),
    // core/v1 Pod, PodTemplate, ReplicationController
    nested(Ty::Pod, "spec", Ty::PodSpec),
    nested(Ty::Pod, "status", Ty::PodStatus),
    nested(Ty::PodTemplate, "template", Ty::PodTemplateSpec),
    nested(
        Ty::ReplicationController,
        "spec",
        Ty::ReplicationControllerSpec,
    ),
    nested(Ty::ReplicationController, "status", Ty::ConditionsStatus),
    nested(
        Ty::ReplicationControllerSpec,
        "template",
        Ty::PodTemplateSpec,
    ),
    nested(Ty::PodTemplateSpec, "metadata", Ty::ObjectMeta),
    nested(Ty::PodTemplateSpec, "spec", Ty::PodSpec),
    // core/v1 PodSpec
    keyed_of(Ty::PodSpec, "containers", Ty::Container, "name"),
    keyed_of(Ty::PodSpec, "initContainers", Ty::Container, "name"),
    keyed_of(Ty::PodSpec, "ephemeralContainers", Ty::Container, "name"),
    keyed(Ty::PodSpec, "volumes", "name"),
    keyed(Ty::PodSpec, "imagePullSecrets", "name"),
    keyed(Ty::PodSpec, "hostAliases", "ip"),
    keyed(Ty::PodSpec, "topologySpreadConstraints", "topologyKey"),
    keyed(Ty::PodSpec, "schedulingGates", "name"),
    keyed(Ty::PodSpec, "resourceClaims", "name"),
    keyed(Ty::PodSpec, "evictionResponders", "name"),
    // core/v1 Container and EphemeralContainerCommon (same tags)
    keyed(Ty::Container, "ports", "containerPort"),
    keyed(Ty::Container, "env", "name"),
    keyed(Ty::Container, "volumeMounts", "mountPath"),
    keyed(Ty::Container, "volumeDevices", "devicePath"),
    // core/v1 PodStatus; the *ContainerStatuses lists themselves are atomic.
    keyed(Ty::PodStatus, "conditions", "type"),
    keyed(Ty::PodStatus, "hostIPs", "ip"),
    keyed(Ty::PodStatus, "podIPs", "ip"),
    keyed(Ty::PodStatus, "resourceClaimStatuses", "name"),
    keyed_of(
        Ty::PodStatus,
        "nodeAllocatableResourceClaimStatuses",
        Ty::NodeAllocatableClaimStatus,
        "resourceClaimName",
    ),
    nested(Ty::PodStatus, "containerStatuses", Ty::ContainerStatus),
    nested(Ty::PodStatus, "initContainerStatuses", Ty::ContainerStatus),
    nested(
        Ty::PodStatus,
        "ephemeralContainerStatuses",
        Ty::ContainerStatus,
    ),
    nested(Ty::PodStatus, "volumeHealth", Ty::PodVolumeHealth),
    keyed(Ty::ContainerStatus, "volumeMounts", "mountPath"),
    keyed(Ty::ContainerStatus, "allocatedResourcesStatus", "name"),
    keyed(Ty::PodVolumeHealth, "healthConditions", "status"),
    keyed(Ty::NodeAllocatableClaimStatus, "mapping", "name"),
    keyed(Ty::NodeAllocatableClaimStatus, "overhead", "name"),
    // apps/v1 Deployment, ReplicaSet, DaemonSet, StatefulSet
    nested(Ty::Workload, "spec", Ty::WorkloadSpec),
    nested(Ty::Workload, "status", Ty::ConditionsStatus),
    nested(Ty::WorkloadSpec, "template", Ty::PodTemplateSpec),
    nested(
        Ty::WorkloadSpec,
        "volumeClaimTemplates",
        Ty::PersistentVolumeClaim,
    ),
    // batch/v1 Job, CronJob
    nested(Ty::Job, "spec", Ty::JobSpec),
    nested(Ty::Job, "status", Ty::ConditionsStatus),
    nested(Ty::JobSpec, "template", Ty::PodTemplateSpec),
    nested(Ty::JobSpec, "scheduling", Ty::JobScheduling),
    keyed(Ty::JobScheduling, "resourceClaims", "name"),
    nested(Ty::CronJob, "spec", Ty::CronJobSpec),
    nested(Ty::CronJobSpec, "jobTemplate", Ty::JobTemplateSpec),
    nested(Ty::JobTemplateSpec, "metadata", Ty::ObjectMeta),
    nested(Ty::JobTemplateSpec, "spec", Ty::JobSpec),
    // Kinds whose only tagged list is status.conditions.
    nested(Ty::WithStatusConditions, "status", Ty::ConditionsStatus),
    keyed(Ty::ConditionsStatus, "conditions", "type"),
    // core/v1 Service, Node, ServiceAccount, PersistentVolumeClaim, ComponentStatus
    nested(Ty::Service, "spec", Ty::ServiceSpec),
    nested(Ty::Service, "status", Ty::ConditionsStatus),
    keyed(Ty::ServiceSpec, "ports", "port"),
    nested(Ty::Node, "spec", Ty::NodeSpec),
    nested(Ty::Node, "status", Ty::NodeStatus),
    (Ty::NodeSpec, "podCIDRs", None, Some(MergePrimitives)),
    keyed(Ty::NodeStatus, "conditions", "type"),
    keyed(Ty::NodeStatus, "addresses", "type"),
    keyed(Ty::ServiceAccount, "secrets", "name"),
    nested(Ty::PersistentVolumeClaim, "status", Ty::PvcStatus),
    keyed(Ty::PvcStatus, "conditions", "type"),
    nested(Ty::PvcStatus, "healthStatus", Ty::VolumeHealthStatus),
    keyed(Ty::VolumeHealthStatus, "healthConditions", "status"),
    keyed(Ty::ComponentStatus, "conditions", "type"),
    // policy/v1 PodDisruptionBudget
    nested(Ty::PodDisruptionBudget, "spec", Ty::PdbSpec),
    nested(Ty::PodDisruptionBudget, "status", Ty::ConditionsStatus),
    (Ty::PdbSpec, "selector", None, Some(ReplaceMap)),
    // admissionregistration/v1
    keyed_of(Ty::WebhookConfiguration, "webhooks", Ty::Webhook, "name"),
    keyed(Ty::Webhook, "matchConditions", "name"),
    nested(Ty::AdmissionPolicy, "spec", Ty::AdmissionPolicySpec),
    keyed(Ty::AdmissionPolicySpec, "matchConditions", "name"),
    keyed(Ty::AdmissionPolicySpec, "variables", "name"),
    // storage/v1 CSINode, resource/v1 ResourceClaim
    nested(Ty::CsiNode, "spec", Ty::CsiNodeSpec),
    keyed(Ty::CsiNodeSpec, "drivers", "name"),
    nested(Ty::ResourceClaim, "status", Ty::ResourceClaimStatus),
    keyed(Ty::ResourceClaimStatus, "reservedFor", "uid"),
];

/// The root struct type of an object of `kind`; unknown kinds only know about ObjectMeta.
pub(super) fn root(kind: &str) -> Ty {
    match kind {
        "Pod" => Ty::Pod,
        "PodTemplate" => Ty::PodTemplate,
        "ReplicationController" => Ty::ReplicationController,
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" => Ty::Workload,
        "Job" => Ty::Job,
        "CronJob" => Ty::CronJob,
        "Service" => Ty::Service,
        "Node" => Ty::Node,
        "ServiceAccount" => Ty::ServiceAccount,
        "PersistentVolumeClaim" => Ty::PersistentVolumeClaim,
        "Namespace"
        | "HorizontalPodAutoscaler"
        | "FlowSchema"
        | "PriorityLevelConfiguration"
        | "ServiceCIDR"
        | "StorageVersionMigration"
        | "DeviceTaintRule"
        | "PodCertificateRequest" => Ty::WithStatusConditions,
        "PodDisruptionBudget" => Ty::PodDisruptionBudget,
        "ComponentStatus" => Ty::ComponentStatus,
        "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => {
            Ty::WebhookConfiguration
        }
        "ValidatingAdmissionPolicy" | "MutatingAdmissionPolicy" => Ty::AdmissionPolicy,
        "CSINode" => Ty::CsiNode,
        "ResourceClaim" => Ty::ResourceClaim,
        _ => Ty::Object,
    }
}

/// Every top-level kind embeds ObjectMeta; listing `metadata` once here keeps the table short.
fn is_kind_root(ty: Ty) -> bool {
    matches!(
        ty,
        Ty::Object
            | Ty::Pod
            | Ty::PodTemplate
            | Ty::ReplicationController
            | Ty::Workload
            | Ty::Job
            | Ty::CronJob
            | Ty::Service
            | Ty::Node
            | Ty::ServiceAccount
            | Ty::PersistentVolumeClaim
            | Ty::WithStatusConditions
            | Ty::PodDisruptionBudget
            | Ty::ComponentStatus
            | Ty::WebhookConfiguration
            | Ty::AdmissionPolicy
            | Ty::CsiNode
            | Ty::ResourceClaim
    )
}

/// Patch metadata of field `name` of a value of type `ty` (`None` = untyped): the type of the
/// field's value (or list element) and its strategy. Unknown fields have neither.
pub(super) fn field(ty: Option<Ty>, name: &str) -> (Option<Ty>, Option<Strategy>) {
    let Some(ty) = ty else { return (None, None) };
    if name == "metadata" && is_kind_root(ty) {
        return (Some(Ty::ObjectMeta), None);
    }
    FIELDS
        .iter()
        .find(|(parent, field, _, _)| *parent == ty && *field == name)
        .map_or((None, None), |&(_, _, child, strategy)| (child, strategy))
}

fn lookup(kind: &str, path: &[&str]) -> Option<Strategy> {
    let (last, parents) = path.split_last()?;
    let mut ty = Some(root(kind));
    for segment in parents {
        ty = Some(field(ty, segment).0?);
    }
    field(ty, last).1
}

/// The patchMergeKey of the list at `path` (field names from the object root, list indices NOT included)
/// in an object of `kind` (e.g. "Deployment", "Service", "Pod", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "Node", ...)
/// e.g. merge_key("Deployment", &["spec","template","spec","containers"]) == Some("name");
///      merge_key("Service", &["spec","ports"]) == Some("port");
///      merge_key("Pod", &["spec","containers","ports"]) == Some("containerPort")
pub fn merge_key(kind: &str, path: &[&str]) -> Option<&'static str> {
    match lookup(kind, path) {
        Some(MergeByKey(key)) => Some(key),
        _ => None,
    }
}

/// Lists of primitives whose patchStrategy is "merge" (e.g. metadata.finalizers) – union instead of replace.
pub fn merges_primitives(kind: &str, path: &[&str]) -> bool {
    lookup(kind, path) == Some(MergePrimitives)
}
