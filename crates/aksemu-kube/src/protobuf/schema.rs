//! Message descriptors for the Kubernetes protobuf encoding.
//!
//! The tables below are transcribed mechanically from the upstream `generated.proto` files of
//! kubernetes/api and kubernetes/apimachinery at tag v0.36.3 (Kubernetes 1.36.3): field numbers
//! and types come from the `.proto`, JSON names and zero-value handling from the `json:` struct
//! tags in the matching `types.go`. They cover the closure of every kind listed in [`KINDS`],
//! so nothing a typed client sends for those kinds is dropped. Field numbers are never reused
//! upstream, so older clients decode correctly; fields added later are skipped as unknown.

use Kind::{
    Bool, Bytes, FieldsV1, I32, I64, Inline, IntOrString, Msg, Quantity, Str, StringList, Time,
};

/// One protobuf message: its name (for error messages) and fields.
#[derive(Debug)]
pub struct Message {
    pub name: &'static str,
    pub fields: &'static [Field],
}

impl Message {
    pub fn field(&self, number: u32) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.number == number)
    }
}

/// One field of a [`Message`].
#[derive(Debug)]
pub struct Field {
    pub number: u32,
    /// JSON property name; empty for [`Kind::Inline`].
    pub json: &'static str,
    pub kind: Kind,
    pub card: Card,
    /// Emit a zero scalar (`""`, `0`, `false`) found on the wire. True where the Go field is a
    /// pointer (zero is a real value) or lacks `omitempty` (a JSON client sends the zero too).
    /// Go's protobuf marshaller writes every non-pointer scalar, so without this flag the JSON
    /// would be littered with `"namespace": ""` and friends that a JSON client never sends.
    pub keep_zero: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Card {
    Single,
    Repeated,
    /// `map<string, kind>`, sent as repeated entry messages `{1 key, 2 value}`.
    Map,
}

/// How a field's value is encoded and turned into JSON.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Str,
    /// Base64 in JSON, as Go's `[]byte`.
    Bytes,
    I32,
    I64,
    Bool,
    /// meta.v1.Time `{1 seconds, 2 nanos}` → RFC 3339 string, seconds precision.
    Time,
    /// resource.Quantity `{1 string}` → the string.
    Quantity,
    /// intstr.IntOrString `{1 type, 2 intVal, 3 strVal}` → number or string.
    IntOrString,
    /// meta.v1.FieldsV1 `{1 raw}` → the raw bytes, which are JSON.
    FieldsV1,
    /// ExtraValue `{1 repeated items}`, a Go `[]string` → JSON array.
    StringList,
    Msg(&'static Message),
    /// A Go struct embedded with `json:",inline"`: a nested message in protobuf, but its
    /// fields sit in the parent's JSON object.
    Inline(&'static Message),
}

impl Kind {
    /// Scalars are the only kinds whose zero value JSON clients leave out.
    pub fn is_scalar(self) -> bool {
        matches!(self, Str | Bytes | I32 | I64 | Bool)
    }

    /// Varint kinds may arrive packed in a length-delimited run when repeated.
    pub fn is_varint(self) -> bool {
        matches!(self, I32 | I64 | Bool)
    }
}

/// Finds the descriptor of a top-level kind, matched on the exact apiVersion: other versions
/// of a kind may number their fields differently.
pub fn lookup(api_version: &str, kind: &str) -> Option<&'static Message> {
    KINDS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == kind)
        .map(|(_, _, m)| *m)
}

const fn field(number: u32, json: &'static str, kind: Kind, card: Card, keep_zero: bool) -> Field {
    Field {
        number,
        json,
        kind,
        card,
        keep_zero,
    }
}

/// A singular field whose zero value JSON clients omit.
const fn one(number: u32, json: &'static str, kind: Kind) -> Field {
    field(number, json, kind, Card::Single, false)
}

/// A singular field whose zero value is kept (pointer or non-`omitempty` in Go).
const fn keep(number: u32, json: &'static str, kind: Kind) -> Field {
    field(number, json, kind, Card::Single, true)
}

const fn rep(number: u32, json: &'static str, kind: Kind) -> Field {
    field(number, json, kind, Card::Repeated, true)
}

const fn map(number: u32, json: &'static str, kind: Kind) -> Field {
    field(number, json, kind, Card::Map, true)
}

// ---- Tables transcribed from upstream, one line per field in field-number order. When adding
// a kind, take numbers and JSON tags from its generated.proto and types.go; never guess. ----

/// Top-level kinds a protobuf body may carry: (apiVersion, kind, message).
static KINDS: &[(&str, &str, &Message)] = &[
    ("v1", "Namespace", &NAMESPACE),
    ("v1", "ServiceAccount", &SERVICE_ACCOUNT),
    ("v1", "ConfigMap", &CONFIG_MAP),
    ("v1", "Secret", &SECRET),
    ("v1", "Service", &SERVICE),
    ("v1", "Pod", &POD),
    ("v1", "ResourceQuota", &RESOURCE_QUOTA),
    ("apps/v1", "Deployment", &DEPLOYMENT),
    ("apps/v1", "ReplicaSet", &REPLICA_SET),
    ("apps/v1", "StatefulSet", &STATEFUL_SET),
    ("apps/v1", "DaemonSet", &DAEMON_SET),
    ("batch/v1", "Job", &JOB),
    ("batch/v1", "CronJob", &CRON_JOB),
    ("rbac.authorization.k8s.io/v1", "Role", &ROLE),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", &CLUSTER_ROLE),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", &ROLE_BINDING),
    (
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        &CLUSTER_ROLE_BINDING,
    ),
    ("authentication.k8s.io/v1", "TokenRequest", &TOKEN_REQUEST),
    ("authentication.k8s.io/v1", "TokenReview", &TOKEN_REVIEW),
    (
        "authentication.k8s.io/v1",
        "SelfSubjectReview",
        &SELF_SUBJECT_REVIEW,
    ),
    (
        "authorization.k8s.io/v1",
        "SelfSubjectAccessReview",
        &SELF_SUBJECT_ACCESS_REVIEW,
    ),
    (
        "authorization.k8s.io/v1",
        "SelfSubjectRulesReview",
        &SELF_SUBJECT_RULES_REVIEW,
    ),
    (
        "authorization.k8s.io/v1",
        "SubjectAccessReview",
        &SUBJECT_ACCESS_REVIEW,
    ),
    (
        "authorization.k8s.io/v1",
        "LocalSubjectAccessReview",
        &LOCAL_SUBJECT_ACCESS_REVIEW,
    ),
    ("networking.k8s.io/v1", "Ingress", &INGRESS),
    ("policy/v1", "PodDisruptionBudget", &POD_DISRUPTION_BUDGET),
    ("policy/v1", "Eviction", &EVICTION),
    ("scheduling.k8s.io/v1", "PriorityClass", &PRIORITY_CLASS),
];

static CONDITION: Message = Message {
    name: "Condition",
    fields: &[
        keep(1, "type", Str),
        keep(2, "status", Str),
        one(3, "observedGeneration", I64),
        one(4, "lastTransitionTime", Time),
        keep(5, "reason", Str),
        keep(6, "message", Str),
    ],
};

static DELETE_OPTIONS: Message = Message {
    name: "DeleteOptions",
    fields: &[
        keep(1, "gracePeriodSeconds", I64),
        one(2, "preconditions", Msg(&PRECONDITIONS)),
        keep(3, "orphanDependents", Bool),
        keep(4, "propagationPolicy", Str),
        rep(5, "dryRun", Str),
        keep(6, "ignoreStoreReadErrorWithClusterBreakingPotential", Bool),
    ],
};

static FIELD_SELECTOR_REQUIREMENT: Message = Message {
    name: "FieldSelectorRequirement",
    fields: &[
        keep(1, "key", Str),
        keep(2, "operator", Str),
        rep(3, "values", Str),
    ],
};

static LABEL_SELECTOR: Message = Message {
    name: "LabelSelector",
    fields: &[
        map(1, "matchLabels", Str),
        rep(2, "matchExpressions", Msg(&LABEL_SELECTOR_REQUIREMENT)),
    ],
};

static LABEL_SELECTOR_REQUIREMENT: Message = Message {
    name: "LabelSelectorRequirement",
    fields: &[
        keep(1, "key", Str),
        keep(2, "operator", Str),
        rep(3, "values", Str),
    ],
};

static MANAGED_FIELDS_ENTRY: Message = Message {
    name: "ManagedFieldsEntry",
    fields: &[
        one(1, "manager", Str),
        one(2, "operation", Str),
        one(3, "apiVersion", Str),
        one(4, "time", Time),
        one(6, "fieldsType", Str),
        one(7, "fieldsV1", FieldsV1),
        one(8, "subresource", Str),
    ],
};

static OBJECT_META: Message = Message {
    name: "ObjectMeta",
    fields: &[
        one(1, "name", Str),
        one(2, "generateName", Str),
        one(3, "namespace", Str),
        one(4, "selfLink", Str),
        one(5, "uid", Str),
        one(6, "resourceVersion", Str),
        one(7, "generation", I64),
        one(8, "creationTimestamp", Time),
        one(9, "deletionTimestamp", Time),
        keep(10, "deletionGracePeriodSeconds", I64),
        map(11, "labels", Str),
        map(12, "annotations", Str),
        rep(13, "ownerReferences", Msg(&OWNER_REFERENCE)),
        rep(14, "finalizers", Str),
        rep(17, "managedFields", Msg(&MANAGED_FIELDS_ENTRY)),
    ],
};

static OWNER_REFERENCE: Message = Message {
    name: "OwnerReference",
    fields: &[
        keep(1, "kind", Str),
        keep(3, "name", Str),
        keep(4, "uid", Str),
        keep(5, "apiVersion", Str),
        keep(6, "controller", Bool),
        keep(7, "blockOwnerDeletion", Bool),
    ],
};

static PRECONDITIONS: Message = Message {
    name: "Preconditions",
    fields: &[keep(1, "uid", Str), keep(2, "resourceVersion", Str)],
};

static DAEMON_SET: Message = Message {
    name: "DaemonSet",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&DAEMON_SET_SPEC)),
        one(3, "status", Msg(&DAEMON_SET_STATUS)),
    ],
};

static DAEMON_SET_CONDITION: Message = Message {
    name: "DaemonSetCondition",
    fields: &[
        keep(1, "type", Str),
        keep(2, "status", Str),
        one(3, "lastTransitionTime", Time),
        one(4, "reason", Str),
        one(5, "message", Str),
    ],
};

static DAEMON_SET_SPEC: Message = Message {
    name: "DaemonSetSpec",
    fields: &[
        one(1, "selector", Msg(&LABEL_SELECTOR)),
        one(2, "template", Msg(&POD_TEMPLATE_SPEC)),
        one(3, "updateStrategy", Msg(&DAEMON_SET_UPDATE_STRATEGY)),
        one(4, "minReadySeconds", I32),
        keep(6, "revisionHistoryLimit", I32),
    ],
};

static DAEMON_SET_STATUS: Message = Message {
    name: "DaemonSetStatus",
    fields: &[
        keep(1, "currentNumberScheduled", I32),
        keep(2, "numberMisscheduled", I32),
        keep(3, "desiredNumberScheduled", I32),
        keep(4, "numberReady", I32),
        one(5, "observedGeneration", I64),
        one(6, "updatedNumberScheduled", I32),
        one(7, "numberAvailable", I32),
        one(8, "numberUnavailable", I32),
        keep(9, "collisionCount", I32),
        rep(10, "conditions", Msg(&DAEMON_SET_CONDITION)),
    ],
};

static DAEMON_SET_UPDATE_STRATEGY: Message = Message {
    name: "DaemonSetUpdateStrategy",
    fields: &[
        one(1, "type", Str),
        one(2, "rollingUpdate", Msg(&ROLLING_UPDATE_DAEMON_SET)),
    ],
};

static DEPLOYMENT: Message = Message {
    name: "Deployment",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&DEPLOYMENT_SPEC)),
        one(3, "status", Msg(&DEPLOYMENT_STATUS)),
    ],
};

static DEPLOYMENT_CONDITION: Message = Message {
    name: "DeploymentCondition",
    fields: &[
        keep(1, "type", Str),
        keep(2, "status", Str),
        one(4, "reason", Str),
        one(5, "message", Str),
        one(6, "lastUpdateTime", Time),
        one(7, "lastTransitionTime", Time),
    ],
};

static DEPLOYMENT_SPEC: Message = Message {
    name: "DeploymentSpec",
    fields: &[
        keep(1, "replicas", I32),
        one(2, "selector", Msg(&LABEL_SELECTOR)),
        one(3, "template", Msg(&POD_TEMPLATE_SPEC)),
        one(4, "strategy", Msg(&DEPLOYMENT_STRATEGY)),
        one(5, "minReadySeconds", I32),
        keep(6, "revisionHistoryLimit", I32),
        one(7, "paused", Bool),
        keep(9, "progressDeadlineSeconds", I32),
    ],
};

static DEPLOYMENT_STATUS: Message = Message {
    name: "DeploymentStatus",
    fields: &[
        one(1, "observedGeneration", I64),
        one(2, "replicas", I32),
        one(3, "updatedReplicas", I32),
        one(4, "availableReplicas", I32),
        one(5, "unavailableReplicas", I32),
        rep(6, "conditions", Msg(&DEPLOYMENT_CONDITION)),
        one(7, "readyReplicas", I32),
        keep(8, "collisionCount", I32),
        keep(9, "terminatingReplicas", I32),
    ],
};

static DEPLOYMENT_STRATEGY: Message = Message {
    name: "DeploymentStrategy",
    fields: &[
        one(1, "type", Str),
        one(2, "rollingUpdate", Msg(&ROLLING_UPDATE_DEPLOYMENT)),
    ],
};

static REPLICA_SET: Message = Message {
    name: "ReplicaSet",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&REPLICA_SET_SPEC)),
        one(3, "status", Msg(&REPLICA_SET_STATUS)),
    ],
};

static REPLICA_SET_CONDITION: Message = Message {
    name: "ReplicaSetCondition",
    fields: &[
        keep(1, "type", Str),
        keep(2, "status", Str),
        one(3, "lastTransitionTime", Time),
        one(4, "reason", Str),
        one(5, "message", Str),
    ],
};

static REPLICA_SET_SPEC: Message = Message {
    name: "ReplicaSetSpec",
    fields: &[
        keep(1, "replicas", I32),
        one(2, "selector", Msg(&LABEL_SELECTOR)),
        one(3, "template", Msg(&POD_TEMPLATE_SPEC)),
        one(4, "minReadySeconds", I32),
    ],
};

static REPLICA_SET_STATUS: Message = Message {
    name: "ReplicaSetStatus",
    fields: &[
        keep(1, "replicas", I32),
        one(2, "fullyLabeledReplicas", I32),
        one(3, "observedGeneration", I64),
        one(4, "readyReplicas", I32),
        one(5, "availableReplicas", I32),
        rep(6, "conditions", Msg(&REPLICA_SET_CONDITION)),
        keep(7, "terminatingReplicas", I32),
    ],
};

static ROLLING_UPDATE_DAEMON_SET: Message = Message {
    name: "RollingUpdateDaemonSet",
    fields: &[
        one(1, "maxUnavailable", IntOrString),
        one(2, "maxSurge", IntOrString),
    ],
};

static ROLLING_UPDATE_DEPLOYMENT: Message = Message {
    name: "RollingUpdateDeployment",
    fields: &[
        one(1, "maxUnavailable", IntOrString),
        one(2, "maxSurge", IntOrString),
    ],
};

static ROLLING_UPDATE_STATEFUL_SET_STRATEGY: Message = Message {
    name: "RollingUpdateStatefulSetStrategy",
    fields: &[
        keep(1, "partition", I32),
        one(2, "maxUnavailable", IntOrString),
    ],
};

static STATEFUL_SET: Message = Message {
    name: "StatefulSet",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&STATEFUL_SET_SPEC)),
        one(3, "status", Msg(&STATEFUL_SET_STATUS)),
    ],
};

static STATEFUL_SET_CONDITION: Message = Message {
    name: "StatefulSetCondition",
    fields: &[
        keep(1, "type", Str),
        keep(2, "status", Str),
        one(3, "lastTransitionTime", Time),
        one(4, "reason", Str),
        one(5, "message", Str),
    ],
};

static STATEFUL_SET_ORDINALS: Message = Message {
    name: "StatefulSetOrdinals",
    fields: &[keep(1, "start", I32)],
};

static STATEFUL_SET_PERSISTENT_VOLUME_CLAIM_RETENTION_POLICY: Message = Message {
    name: "StatefulSetPersistentVolumeClaimRetentionPolicy",
    fields: &[one(1, "whenDeleted", Str), one(2, "whenScaled", Str)],
};

static STATEFUL_SET_SPEC: Message = Message {
    name: "StatefulSetSpec",
    fields: &[
        keep(1, "replicas", I32),
        one(2, "selector", Msg(&LABEL_SELECTOR)),
        one(3, "template", Msg(&POD_TEMPLATE_SPEC)),
        rep(4, "volumeClaimTemplates", Msg(&PERSISTENT_VOLUME_CLAIM)),
        keep(5, "serviceName", Str),
        one(6, "podManagementPolicy", Str),
        one(7, "updateStrategy", Msg(&STATEFUL_SET_UPDATE_STRATEGY)),
        keep(8, "revisionHistoryLimit", I32),
        one(9, "minReadySeconds", I32),
        one(
            10,
            "persistentVolumeClaimRetentionPolicy",
            Msg(&STATEFUL_SET_PERSISTENT_VOLUME_CLAIM_RETENTION_POLICY),
        ),
        one(11, "ordinals", Msg(&STATEFUL_SET_ORDINALS)),
    ],
};

static STATEFUL_SET_STATUS: Message = Message {
    name: "StatefulSetStatus",
    fields: &[
        one(1, "observedGeneration", I64),
        keep(2, "replicas", I32),
        one(3, "readyReplicas", I32),
        one(4, "currentReplicas", I32),
        one(5, "updatedReplicas", I32),
        one(6, "currentRevision", Str),
        one(7, "updateRevision", Str),
        keep(9, "collisionCount", I32),
        rep(10, "conditions", Msg(&STATEFUL_SET_CONDITION)),
        keep(11, "availableReplicas", I32),
    ],
};

static STATEFUL_SET_UPDATE_STRATEGY: Message = Message {
    name: "StatefulSetUpdateStrategy",
    fields: &[
        one(1, "type", Str),
        one(
            2,
            "rollingUpdate",
            Msg(&ROLLING_UPDATE_STATEFUL_SET_STRATEGY),
        ),
    ],
};

static BOUND_OBJECT_REFERENCE: Message = Message {
    name: "BoundObjectReference",
    fields: &[
        one(1, "kind", Str),
        one(2, "apiVersion", Str),
        one(3, "name", Str),
        one(4, "uid", Str),
    ],
};

static SELF_SUBJECT_REVIEW: Message = Message {
    name: "SelfSubjectReview",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "status", Msg(&SELF_SUBJECT_REVIEW_STATUS)),
    ],
};

static SELF_SUBJECT_REVIEW_STATUS: Message = Message {
    name: "SelfSubjectReviewStatus",
    fields: &[one(1, "userInfo", Msg(&USER_INFO))],
};

static TOKEN_REQUEST: Message = Message {
    name: "TokenRequest",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&TOKEN_REQUEST_SPEC)),
        one(3, "status", Msg(&TOKEN_REQUEST_STATUS)),
    ],
};

static TOKEN_REQUEST_SPEC: Message = Message {
    name: "TokenRequestSpec",
    fields: &[
        rep(1, "audiences", Str),
        one(3, "boundObjectRef", Msg(&BOUND_OBJECT_REFERENCE)),
        keep(4, "expirationSeconds", I64),
    ],
};

static TOKEN_REQUEST_STATUS: Message = Message {
    name: "TokenRequestStatus",
    fields: &[keep(1, "token", Str), one(2, "expirationTimestamp", Time)],
};

static TOKEN_REVIEW: Message = Message {
    name: "TokenReview",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&TOKEN_REVIEW_SPEC)),
        one(3, "status", Msg(&TOKEN_REVIEW_STATUS)),
    ],
};

static TOKEN_REVIEW_SPEC: Message = Message {
    name: "TokenReviewSpec",
    fields: &[one(1, "token", Str), rep(2, "audiences", Str)],
};

static TOKEN_REVIEW_STATUS: Message = Message {
    name: "TokenReviewStatus",
    fields: &[
        one(1, "authenticated", Bool),
        one(2, "user", Msg(&USER_INFO)),
        one(3, "error", Str),
        rep(4, "audiences", Str),
    ],
};

static USER_INFO: Message = Message {
    name: "UserInfo",
    fields: &[
        one(1, "username", Str),
        one(2, "uid", Str),
        rep(3, "groups", Str),
        map(4, "extra", StringList),
    ],
};

static FIELD_SELECTOR_ATTRIBUTES: Message = Message {
    name: "FieldSelectorAttributes",
    fields: &[
        one(1, "rawSelector", Str),
        rep(2, "requirements", Msg(&FIELD_SELECTOR_REQUIREMENT)),
    ],
};

static LABEL_SELECTOR_ATTRIBUTES: Message = Message {
    name: "LabelSelectorAttributes",
    fields: &[
        one(1, "rawSelector", Str),
        rep(2, "requirements", Msg(&LABEL_SELECTOR_REQUIREMENT)),
    ],
};

static LOCAL_SUBJECT_ACCESS_REVIEW: Message = Message {
    name: "LocalSubjectAccessReview",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&SUBJECT_ACCESS_REVIEW_SPEC)),
        one(3, "status", Msg(&SUBJECT_ACCESS_REVIEW_STATUS)),
    ],
};

static NON_RESOURCE_ATTRIBUTES: Message = Message {
    name: "NonResourceAttributes",
    fields: &[one(1, "path", Str), one(2, "verb", Str)],
};

static NON_RESOURCE_RULE: Message = Message {
    name: "NonResourceRule",
    fields: &[rep(1, "verbs", Str), rep(2, "nonResourceURLs", Str)],
};

static RESOURCE_ATTRIBUTES: Message = Message {
    name: "ResourceAttributes",
    fields: &[
        one(1, "namespace", Str),
        one(2, "verb", Str),
        one(3, "group", Str),
        one(4, "version", Str),
        one(5, "resource", Str),
        one(6, "subresource", Str),
        one(7, "name", Str),
        one(8, "fieldSelector", Msg(&FIELD_SELECTOR_ATTRIBUTES)),
        one(9, "labelSelector", Msg(&LABEL_SELECTOR_ATTRIBUTES)),
    ],
};

static RESOURCE_RULE: Message = Message {
    name: "ResourceRule",
    fields: &[
        rep(1, "verbs", Str),
        rep(2, "apiGroups", Str),
        rep(3, "resources", Str),
        rep(4, "resourceNames", Str),
    ],
};

static SELF_SUBJECT_ACCESS_REVIEW: Message = Message {
    name: "SelfSubjectAccessReview",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&SELF_SUBJECT_ACCESS_REVIEW_SPEC)),
        one(3, "status", Msg(&SUBJECT_ACCESS_REVIEW_STATUS)),
    ],
};

static SELF_SUBJECT_ACCESS_REVIEW_SPEC: Message = Message {
    name: "SelfSubjectAccessReviewSpec",
    fields: &[
        one(1, "resourceAttributes", Msg(&RESOURCE_ATTRIBUTES)),
        one(2, "nonResourceAttributes", Msg(&NON_RESOURCE_ATTRIBUTES)),
    ],
};

static SELF_SUBJECT_RULES_REVIEW: Message = Message {
    name: "SelfSubjectRulesReview",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&SELF_SUBJECT_RULES_REVIEW_SPEC)),
        one(3, "status", Msg(&SUBJECT_RULES_REVIEW_STATUS)),
    ],
};

static SELF_SUBJECT_RULES_REVIEW_SPEC: Message = Message {
    name: "SelfSubjectRulesReviewSpec",
    fields: &[one(1, "namespace", Str)],
};

static SUBJECT_ACCESS_REVIEW: Message = Message {
    name: "SubjectAccessReview",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&SUBJECT_ACCESS_REVIEW_SPEC)),
        one(3, "status", Msg(&SUBJECT_ACCESS_REVIEW_STATUS)),
    ],
};

static SUBJECT_ACCESS_REVIEW_SPEC: Message = Message {
    name: "SubjectAccessReviewSpec",
    fields: &[
        one(1, "resourceAttributes", Msg(&RESOURCE_ATTRIBUTES)),
        one(2, "nonResourceAttributes", Msg(&NON_RESOURCE_ATTRIBUTES)),
        one(3, "user", Str),
        rep(4, "groups", Str),
        map(5, "extra", StringList),
        one(6, "uid", Str),
    ],
};

static SUBJECT_ACCESS_REVIEW_STATUS: Message = Message {
    name: "SubjectAccessReviewStatus",
    fields: &[
        keep(1, "allowed", Bool),
        one(2, "reason", Str),
        one(3, "evaluationError", Str),
        one(4, "denied", Bool),
    ],
};

static SUBJECT_RULES_REVIEW_STATUS: Message = Message {
    name: "SubjectRulesReviewStatus",
    fields: &[
        rep(1, "resourceRules", Msg(&RESOURCE_RULE)),
        rep(2, "nonResourceRules", Msg(&NON_RESOURCE_RULE)),
        keep(3, "incomplete", Bool),
        one(4, "evaluationError", Str),
    ],
};

static CRON_JOB: Message = Message {
    name: "CronJob",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&CRON_JOB_SPEC)),
        one(3, "status", Msg(&CRON_JOB_STATUS)),
    ],
};

static CRON_JOB_SPEC: Message = Message {
    name: "CronJobSpec",
    fields: &[
        keep(1, "schedule", Str),
        keep(2, "startingDeadlineSeconds", I64),
        one(3, "concurrencyPolicy", Str),
        keep(4, "suspend", Bool),
        one(5, "jobTemplate", Msg(&JOB_TEMPLATE_SPEC)),
        keep(6, "successfulJobsHistoryLimit", I32),
        keep(7, "failedJobsHistoryLimit", I32),
        keep(8, "timeZone", Str),
    ],
};

static CRON_JOB_STATUS: Message = Message {
    name: "CronJobStatus",
    fields: &[
        rep(1, "active", Msg(&OBJECT_REFERENCE)),
        one(4, "lastScheduleTime", Time),
        one(5, "lastSuccessfulTime", Time),
    ],
};

static JOB: Message = Message {
    name: "Job",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&JOB_SPEC)),
        one(3, "status", Msg(&JOB_STATUS)),
    ],
};

static JOB_CONDITION: Message = Message {
    name: "JobCondition",
    fields: &[
        keep(1, "type", Str),
        keep(2, "status", Str),
        one(3, "lastProbeTime", Time),
        one(4, "lastTransitionTime", Time),
        one(5, "reason", Str),
        one(6, "message", Str),
    ],
};

static JOB_SPEC: Message = Message {
    name: "JobSpec",
    fields: &[
        keep(1, "parallelism", I32),
        keep(2, "completions", I32),
        keep(3, "activeDeadlineSeconds", I64),
        one(4, "selector", Msg(&LABEL_SELECTOR)),
        keep(5, "manualSelector", Bool),
        one(6, "template", Msg(&POD_TEMPLATE_SPEC)),
        keep(7, "backoffLimit", I32),
        keep(8, "ttlSecondsAfterFinished", I32),
        keep(9, "completionMode", Str),
        keep(10, "suspend", Bool),
        one(11, "podFailurePolicy", Msg(&POD_FAILURE_POLICY)),
        keep(12, "backoffLimitPerIndex", I32),
        keep(13, "maxFailedIndexes", I32),
        keep(14, "podReplacementPolicy", Str),
        keep(15, "managedBy", Str),
        one(16, "successPolicy", Msg(&SUCCESS_POLICY)),
    ],
};

static JOB_STATUS: Message = Message {
    name: "JobStatus",
    fields: &[
        rep(1, "conditions", Msg(&JOB_CONDITION)),
        one(2, "startTime", Time),
        one(3, "completionTime", Time),
        one(4, "active", I32),
        one(5, "succeeded", I32),
        one(6, "failed", I32),
        one(7, "completedIndexes", Str),
        one(
            8,
            "uncountedTerminatedPods",
            Msg(&UNCOUNTED_TERMINATED_PODS),
        ),
        keep(9, "ready", I32),
        keep(10, "failedIndexes", Str),
        keep(11, "terminating", I32),
    ],
};

static JOB_TEMPLATE_SPEC: Message = Message {
    name: "JobTemplateSpec",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&JOB_SPEC)),
    ],
};

static POD_FAILURE_POLICY: Message = Message {
    name: "PodFailurePolicy",
    fields: &[rep(1, "rules", Msg(&POD_FAILURE_POLICY_RULE))],
};

static POD_FAILURE_POLICY_ON_EXIT_CODES_REQUIREMENT: Message = Message {
    name: "PodFailurePolicyOnExitCodesRequirement",
    fields: &[
        keep(1, "containerName", Str),
        keep(2, "operator", Str),
        rep(3, "values", I32),
    ],
};

static POD_FAILURE_POLICY_ON_POD_CONDITIONS_PATTERN: Message = Message {
    name: "PodFailurePolicyOnPodConditionsPattern",
    fields: &[keep(1, "type", Str), keep(2, "status", Str)],
};

static POD_FAILURE_POLICY_RULE: Message = Message {
    name: "PodFailurePolicyRule",
    fields: &[
        keep(1, "action", Str),
        one(
            2,
            "onExitCodes",
            Msg(&POD_FAILURE_POLICY_ON_EXIT_CODES_REQUIREMENT),
        ),
        rep(
            3,
            "onPodConditions",
            Msg(&POD_FAILURE_POLICY_ON_POD_CONDITIONS_PATTERN),
        ),
    ],
};

static SUCCESS_POLICY: Message = Message {
    name: "SuccessPolicy",
    fields: &[rep(1, "rules", Msg(&SUCCESS_POLICY_RULE))],
};

static SUCCESS_POLICY_RULE: Message = Message {
    name: "SuccessPolicyRule",
    fields: &[
        keep(1, "succeededIndexes", Str),
        keep(2, "succeededCount", I32),
    ],
};

static UNCOUNTED_TERMINATED_PODS: Message = Message {
    name: "UncountedTerminatedPods",
    fields: &[rep(1, "succeeded", Str), rep(2, "failed", Str)],
};

static AWS_ELASTIC_BLOCK_STORE_VOLUME_SOURCE: Message = Message {
    name: "AWSElasticBlockStoreVolumeSource",
    fields: &[
        keep(1, "volumeID", Str),
        one(2, "fsType", Str),
        one(3, "partition", I32),
        one(4, "readOnly", Bool),
    ],
};

static AFFINITY: Message = Message {
    name: "Affinity",
    fields: &[
        one(1, "nodeAffinity", Msg(&NODE_AFFINITY)),
        one(2, "podAffinity", Msg(&POD_AFFINITY)),
        one(3, "podAntiAffinity", Msg(&POD_ANTI_AFFINITY)),
    ],
};

static APP_ARMOR_PROFILE: Message = Message {
    name: "AppArmorProfile",
    fields: &[keep(1, "type", Str), keep(2, "localhostProfile", Str)],
};

static AZURE_DISK_VOLUME_SOURCE: Message = Message {
    name: "AzureDiskVolumeSource",
    fields: &[
        keep(1, "diskName", Str),
        keep(2, "diskURI", Str),
        keep(3, "cachingMode", Str),
        keep(4, "fsType", Str),
        keep(5, "readOnly", Bool),
        keep(6, "kind", Str),
    ],
};

static AZURE_FILE_VOLUME_SOURCE: Message = Message {
    name: "AzureFileVolumeSource",
    fields: &[
        keep(1, "secretName", Str),
        keep(2, "shareName", Str),
        one(3, "readOnly", Bool),
    ],
};

static CSI_VOLUME_SOURCE: Message = Message {
    name: "CSIVolumeSource",
    fields: &[
        keep(1, "driver", Str),
        keep(2, "readOnly", Bool),
        keep(3, "fsType", Str),
        map(4, "volumeAttributes", Str),
        one(5, "nodePublishSecretRef", Msg(&LOCAL_OBJECT_REFERENCE)),
    ],
};

static CAPABILITIES: Message = Message {
    name: "Capabilities",
    fields: &[rep(1, "add", Str), rep(2, "drop", Str)],
};

static CEPH_FS_VOLUME_SOURCE: Message = Message {
    name: "CephFSVolumeSource",
    fields: &[
        rep(1, "monitors", Str),
        one(2, "path", Str),
        one(3, "user", Str),
        one(4, "secretFile", Str),
        one(5, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE)),
        one(6, "readOnly", Bool),
    ],
};

static CINDER_VOLUME_SOURCE: Message = Message {
    name: "CinderVolumeSource",
    fields: &[
        keep(1, "volumeID", Str),
        one(2, "fsType", Str),
        one(3, "readOnly", Bool),
        one(4, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE)),
    ],
};

static CLIENT_IP_CONFIG: Message = Message {
    name: "ClientIPConfig",
    fields: &[keep(1, "timeoutSeconds", I32)],
};

static CLUSTER_TRUST_BUNDLE_PROJECTION: Message = Message {
    name: "ClusterTrustBundleProjection",
    fields: &[
        keep(1, "name", Str),
        keep(2, "signerName", Str),
        one(3, "labelSelector", Msg(&LABEL_SELECTOR)),
        keep(4, "path", Str),
        keep(5, "optional", Bool),
    ],
};

static CONFIG_MAP: Message = Message {
    name: "ConfigMap",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        map(2, "data", Str),
        map(3, "binaryData", Bytes),
        keep(4, "immutable", Bool),
    ],
};

static CONFIG_MAP_ENV_SOURCE: Message = Message {
    name: "ConfigMapEnvSource",
    fields: &[
        one(1, "", Inline(&LOCAL_OBJECT_REFERENCE)),
        keep(2, "optional", Bool),
    ],
};

static CONFIG_MAP_KEY_SELECTOR: Message = Message {
    name: "ConfigMapKeySelector",
    fields: &[
        one(1, "", Inline(&LOCAL_OBJECT_REFERENCE)),
        keep(2, "key", Str),
        keep(3, "optional", Bool),
    ],
};

static CONFIG_MAP_PROJECTION: Message = Message {
    name: "ConfigMapProjection",
    fields: &[
        one(1, "", Inline(&LOCAL_OBJECT_REFERENCE)),
        rep(2, "items", Msg(&KEY_TO_PATH)),
        keep(4, "optional", Bool),
    ],
};

static CONFIG_MAP_VOLUME_SOURCE: Message = Message {
    name: "ConfigMapVolumeSource",
    fields: &[
        one(1, "", Inline(&LOCAL_OBJECT_REFERENCE)),
        rep(2, "items", Msg(&KEY_TO_PATH)),
        keep(3, "defaultMode", I32),
        keep(4, "optional", Bool),
    ],
};

static CONTAINER: Message = Message {
    name: "Container",
    fields: &[
        keep(1, "name", Str),
        one(2, "image", Str),
        rep(3, "command", Str),
        rep(4, "args", Str),
        one(5, "workingDir", Str),
        rep(6, "ports", Msg(&CONTAINER_PORT)),
        rep(7, "env", Msg(&ENV_VAR)),
        one(8, "resources", Msg(&RESOURCE_REQUIREMENTS)),
        rep(9, "volumeMounts", Msg(&VOLUME_MOUNT)),
        one(10, "livenessProbe", Msg(&PROBE)),
        one(11, "readinessProbe", Msg(&PROBE)),
        one(12, "lifecycle", Msg(&LIFECYCLE)),
        one(13, "terminationMessagePath", Str),
        one(14, "imagePullPolicy", Str),
        one(15, "securityContext", Msg(&SECURITY_CONTEXT)),
        one(16, "stdin", Bool),
        one(17, "stdinOnce", Bool),
        one(18, "tty", Bool),
        rep(19, "envFrom", Msg(&ENV_FROM_SOURCE)),
        one(20, "terminationMessagePolicy", Str),
        rep(21, "volumeDevices", Msg(&VOLUME_DEVICE)),
        one(22, "startupProbe", Msg(&PROBE)),
        rep(23, "resizePolicy", Msg(&CONTAINER_RESIZE_POLICY)),
        keep(24, "restartPolicy", Str),
        rep(25, "restartPolicyRules", Msg(&CONTAINER_RESTART_RULE)),
    ],
};

static CONTAINER_EXTENDED_RESOURCE_REQUEST: Message = Message {
    name: "ContainerExtendedResourceRequest",
    fields: &[
        keep(1, "containerName", Str),
        keep(2, "resourceName", Str),
        keep(3, "requestName", Str),
    ],
};

static CONTAINER_PORT: Message = Message {
    name: "ContainerPort",
    fields: &[
        one(1, "name", Str),
        one(2, "hostPort", I32),
        keep(3, "containerPort", I32),
        one(4, "protocol", Str),
        one(5, "hostIP", Str),
    ],
};

static CONTAINER_RESIZE_POLICY: Message = Message {
    name: "ContainerResizePolicy",
    fields: &[keep(1, "resourceName", Str), keep(2, "restartPolicy", Str)],
};

static CONTAINER_RESTART_RULE: Message = Message {
    name: "ContainerRestartRule",
    fields: &[
        one(1, "action", Str),
        one(2, "exitCodes", Msg(&CONTAINER_RESTART_RULE_ON_EXIT_CODES)),
    ],
};

static CONTAINER_RESTART_RULE_ON_EXIT_CODES: Message = Message {
    name: "ContainerRestartRuleOnExitCodes",
    fields: &[one(1, "operator", Str), rep(2, "values", I32)],
};

static CONTAINER_STATE: Message = Message {
    name: "ContainerState",
    fields: &[
        one(1, "waiting", Msg(&CONTAINER_STATE_WAITING)),
        one(2, "running", Msg(&CONTAINER_STATE_RUNNING)),
        one(3, "terminated", Msg(&CONTAINER_STATE_TERMINATED)),
    ],
};

static CONTAINER_STATE_RUNNING: Message = Message {
    name: "ContainerStateRunning",
    fields: &[one(1, "startedAt", Time)],
};

static CONTAINER_STATE_TERMINATED: Message = Message {
    name: "ContainerStateTerminated",
    fields: &[
        keep(1, "exitCode", I32),
        one(2, "signal", I32),
        one(3, "reason", Str),
        one(4, "message", Str),
        one(5, "startedAt", Time),
        one(6, "finishedAt", Time),
        one(7, "containerID", Str),
    ],
};

static CONTAINER_STATE_WAITING: Message = Message {
    name: "ContainerStateWaiting",
    fields: &[one(1, "reason", Str), one(2, "message", Str)],
};

static CONTAINER_STATUS: Message = Message {
    name: "ContainerStatus",
    fields: &[
        keep(1, "name", Str),
        one(2, "state", Msg(&CONTAINER_STATE)),
        one(3, "lastState", Msg(&CONTAINER_STATE)),
        keep(4, "ready", Bool),
        keep(5, "restartCount", I32),
        keep(6, "image", Str),
        keep(7, "imageID", Str),
        one(8, "containerID", Str),
        keep(9, "started", Bool),
        map(10, "allocatedResources", Quantity),
        one(11, "resources", Msg(&RESOURCE_REQUIREMENTS)),
        rep(12, "volumeMounts", Msg(&VOLUME_MOUNT_STATUS)),
        one(13, "user", Msg(&CONTAINER_USER)),
        rep(14, "allocatedResourcesStatus", Msg(&RESOURCE_STATUS)),
        keep(15, "stopSignal", Str),
    ],
};

static CONTAINER_USER: Message = Message {
    name: "ContainerUser",
    fields: &[one(1, "linux", Msg(&LINUX_CONTAINER_USER))],
};

static DOWNWARD_API_PROJECTION: Message = Message {
    name: "DownwardAPIProjection",
    fields: &[rep(1, "items", Msg(&DOWNWARD_API_VOLUME_FILE))],
};

static DOWNWARD_API_VOLUME_FILE: Message = Message {
    name: "DownwardAPIVolumeFile",
    fields: &[
        keep(1, "path", Str),
        one(2, "fieldRef", Msg(&OBJECT_FIELD_SELECTOR)),
        one(3, "resourceFieldRef", Msg(&RESOURCE_FIELD_SELECTOR)),
        keep(4, "mode", I32),
    ],
};

static DOWNWARD_API_VOLUME_SOURCE: Message = Message {
    name: "DownwardAPIVolumeSource",
    fields: &[
        rep(1, "items", Msg(&DOWNWARD_API_VOLUME_FILE)),
        keep(2, "defaultMode", I32),
    ],
};

static EMPTY_DIR_VOLUME_SOURCE: Message = Message {
    name: "EmptyDirVolumeSource",
    fields: &[one(1, "medium", Str), one(2, "sizeLimit", Quantity)],
};

static ENV_FROM_SOURCE: Message = Message {
    name: "EnvFromSource",
    fields: &[
        one(1, "prefix", Str),
        one(2, "configMapRef", Msg(&CONFIG_MAP_ENV_SOURCE)),
        one(3, "secretRef", Msg(&SECRET_ENV_SOURCE)),
    ],
};

static ENV_VAR: Message = Message {
    name: "EnvVar",
    fields: &[
        keep(1, "name", Str),
        one(2, "value", Str),
        one(3, "valueFrom", Msg(&ENV_VAR_SOURCE)),
    ],
};

static ENV_VAR_SOURCE: Message = Message {
    name: "EnvVarSource",
    fields: &[
        one(1, "fieldRef", Msg(&OBJECT_FIELD_SELECTOR)),
        one(2, "resourceFieldRef", Msg(&RESOURCE_FIELD_SELECTOR)),
        one(3, "configMapKeyRef", Msg(&CONFIG_MAP_KEY_SELECTOR)),
        one(4, "secretKeyRef", Msg(&SECRET_KEY_SELECTOR)),
        one(5, "fileKeyRef", Msg(&FILE_KEY_SELECTOR)),
    ],
};

static EPHEMERAL_CONTAINER: Message = Message {
    name: "EphemeralContainer",
    fields: &[
        one(1, "", Inline(&EPHEMERAL_CONTAINER_COMMON)),
        one(2, "targetContainerName", Str),
    ],
};

static EPHEMERAL_CONTAINER_COMMON: Message = Message {
    name: "EphemeralContainerCommon",
    fields: &[
        keep(1, "name", Str),
        one(2, "image", Str),
        rep(3, "command", Str),
        rep(4, "args", Str),
        one(5, "workingDir", Str),
        rep(6, "ports", Msg(&CONTAINER_PORT)),
        rep(7, "env", Msg(&ENV_VAR)),
        one(8, "resources", Msg(&RESOURCE_REQUIREMENTS)),
        rep(9, "volumeMounts", Msg(&VOLUME_MOUNT)),
        one(10, "livenessProbe", Msg(&PROBE)),
        one(11, "readinessProbe", Msg(&PROBE)),
        one(12, "lifecycle", Msg(&LIFECYCLE)),
        one(13, "terminationMessagePath", Str),
        one(14, "imagePullPolicy", Str),
        one(15, "securityContext", Msg(&SECURITY_CONTEXT)),
        one(16, "stdin", Bool),
        one(17, "stdinOnce", Bool),
        one(18, "tty", Bool),
        rep(19, "envFrom", Msg(&ENV_FROM_SOURCE)),
        one(20, "terminationMessagePolicy", Str),
        rep(21, "volumeDevices", Msg(&VOLUME_DEVICE)),
        one(22, "startupProbe", Msg(&PROBE)),
        rep(23, "resizePolicy", Msg(&CONTAINER_RESIZE_POLICY)),
        keep(24, "restartPolicy", Str),
        rep(25, "restartPolicyRules", Msg(&CONTAINER_RESTART_RULE)),
    ],
};

static EPHEMERAL_VOLUME_SOURCE: Message = Message {
    name: "EphemeralVolumeSource",
    fields: &[one(
        1,
        "volumeClaimTemplate",
        Msg(&PERSISTENT_VOLUME_CLAIM_TEMPLATE),
    )],
};

static EXEC_ACTION: Message = Message {
    name: "ExecAction",
    fields: &[rep(1, "command", Str)],
};

static FC_VOLUME_SOURCE: Message = Message {
    name: "FCVolumeSource",
    fields: &[
        rep(1, "targetWWNs", Str),
        keep(2, "lun", I32),
        one(3, "fsType", Str),
        one(4, "readOnly", Bool),
        rep(5, "wwids", Str),
    ],
};

static FILE_KEY_SELECTOR: Message = Message {
    name: "FileKeySelector",
    fields: &[
        keep(1, "volumeName", Str),
        keep(2, "path", Str),
        keep(3, "key", Str),
        keep(4, "optional", Bool),
    ],
};

static FLEX_VOLUME_SOURCE: Message = Message {
    name: "FlexVolumeSource",
    fields: &[
        keep(1, "driver", Str),
        one(2, "fsType", Str),
        one(3, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE)),
        one(4, "readOnly", Bool),
        map(5, "options", Str),
    ],
};

static FLOCKER_VOLUME_SOURCE: Message = Message {
    name: "FlockerVolumeSource",
    fields: &[one(1, "datasetName", Str), one(2, "datasetUUID", Str)],
};

static GCE_PERSISTENT_DISK_VOLUME_SOURCE: Message = Message {
    name: "GCEPersistentDiskVolumeSource",
    fields: &[
        keep(1, "pdName", Str),
        one(2, "fsType", Str),
        one(3, "partition", I32),
        one(4, "readOnly", Bool),
    ],
};

static GRPC_ACTION: Message = Message {
    name: "GRPCAction",
    fields: &[keep(1, "port", I32), keep(2, "service", Str)],
};

static GIT_REPO_VOLUME_SOURCE: Message = Message {
    name: "GitRepoVolumeSource",
    fields: &[
        keep(1, "repository", Str),
        one(2, "revision", Str),
        one(3, "directory", Str),
    ],
};

static GLUSTERFS_VOLUME_SOURCE: Message = Message {
    name: "GlusterfsVolumeSource",
    fields: &[
        keep(1, "endpoints", Str),
        keep(2, "path", Str),
        one(3, "readOnly", Bool),
    ],
};

static HTTP_GET_ACTION: Message = Message {
    name: "HTTPGetAction",
    fields: &[
        one(1, "path", Str),
        one(2, "port", IntOrString),
        one(3, "host", Str),
        one(4, "scheme", Str),
        rep(5, "httpHeaders", Msg(&HTTP_HEADER)),
    ],
};

static HTTP_HEADER: Message = Message {
    name: "HTTPHeader",
    fields: &[keep(1, "name", Str), keep(2, "value", Str)],
};

static HOST_ALIAS: Message = Message {
    name: "HostAlias",
    fields: &[keep(1, "ip", Str), rep(2, "hostnames", Str)],
};

static HOST_IP: Message = Message {
    name: "HostIP",
    fields: &[keep(1, "ip", Str)],
};

static HOST_PATH_VOLUME_SOURCE: Message = Message {
    name: "HostPathVolumeSource",
    fields: &[keep(1, "path", Str), keep(2, "type", Str)],
};

static ISCSI_VOLUME_SOURCE: Message = Message {
    name: "ISCSIVolumeSource",
    fields: &[
        keep(1, "targetPortal", Str),
        keep(2, "iqn", Str),
        keep(3, "lun", I32),
        one(4, "iscsiInterface", Str),
        one(5, "fsType", Str),
        one(6, "readOnly", Bool),
        rep(7, "portals", Str),
        one(8, "chapAuthDiscovery", Bool),
        one(10, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE)),
        one(11, "chapAuthSession", Bool),
        keep(12, "initiatorName", Str),
    ],
};

static IMAGE_VOLUME_SOURCE: Message = Message {
    name: "ImageVolumeSource",
    fields: &[one(1, "reference", Str), one(2, "pullPolicy", Str)],
};

static IMAGE_VOLUME_STATUS: Message = Message {
    name: "ImageVolumeStatus",
    fields: &[one(1, "imageRef", Str)],
};

static KEY_TO_PATH: Message = Message {
    name: "KeyToPath",
    fields: &[
        keep(1, "key", Str),
        keep(2, "path", Str),
        keep(3, "mode", I32),
    ],
};

static LIFECYCLE: Message = Message {
    name: "Lifecycle",
    fields: &[
        one(1, "postStart", Msg(&LIFECYCLE_HANDLER)),
        one(2, "preStop", Msg(&LIFECYCLE_HANDLER)),
        keep(3, "stopSignal", Str),
    ],
};

static LIFECYCLE_HANDLER: Message = Message {
    name: "LifecycleHandler",
    fields: &[
        one(1, "exec", Msg(&EXEC_ACTION)),
        one(2, "httpGet", Msg(&HTTP_GET_ACTION)),
        one(3, "tcpSocket", Msg(&TCP_SOCKET_ACTION)),
        one(4, "sleep", Msg(&SLEEP_ACTION)),
    ],
};

static LINUX_CONTAINER_USER: Message = Message {
    name: "LinuxContainerUser",
    fields: &[
        keep(1, "uid", I64),
        keep(2, "gid", I64),
        rep(3, "supplementalGroups", I64),
    ],
};

static LOAD_BALANCER_INGRESS: Message = Message {
    name: "LoadBalancerIngress",
    fields: &[
        one(1, "ip", Str),
        one(2, "hostname", Str),
        keep(3, "ipMode", Str),
        rep(4, "ports", Msg(&PORT_STATUS)),
    ],
};

static LOAD_BALANCER_STATUS: Message = Message {
    name: "LoadBalancerStatus",
    fields: &[rep(1, "ingress", Msg(&LOAD_BALANCER_INGRESS))],
};

static LOCAL_OBJECT_REFERENCE: Message = Message {
    name: "LocalObjectReference",
    fields: &[one(1, "name", Str)],
};

static MODIFY_VOLUME_STATUS: Message = Message {
    name: "ModifyVolumeStatus",
    fields: &[
        one(1, "targetVolumeAttributesClassName", Str),
        keep(2, "status", Str),
    ],
};

static NFS_VOLUME_SOURCE: Message = Message {
    name: "NFSVolumeSource",
    fields: &[
        keep(1, "server", Str),
        keep(2, "path", Str),
        one(3, "readOnly", Bool),
    ],
};

static NAMESPACE: Message = Message {
    name: "Namespace",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&NAMESPACE_SPEC)),
        one(3, "status", Msg(&NAMESPACE_STATUS)),
    ],
};

static NAMESPACE_CONDITION: Message = Message {
    name: "NamespaceCondition",
    fields: &[
        keep(1, "type", Str),
        keep(2, "status", Str),
        one(4, "lastTransitionTime", Time),
        one(5, "reason", Str),
        one(6, "message", Str),
    ],
};

static NAMESPACE_SPEC: Message = Message {
    name: "NamespaceSpec",
    fields: &[rep(1, "finalizers", Str)],
};

static NAMESPACE_STATUS: Message = Message {
    name: "NamespaceStatus",
    fields: &[
        one(1, "phase", Str),
        rep(2, "conditions", Msg(&NAMESPACE_CONDITION)),
    ],
};

static NODE_AFFINITY: Message = Message {
    name: "NodeAffinity",
    fields: &[
        one(
            1,
            "requiredDuringSchedulingIgnoredDuringExecution",
            Msg(&NODE_SELECTOR),
        ),
        rep(
            2,
            "preferredDuringSchedulingIgnoredDuringExecution",
            Msg(&PREFERRED_SCHEDULING_TERM),
        ),
    ],
};

static NODE_ALLOCATABLE_RESOURCE_CLAIM_STATUS: Message = Message {
    name: "NodeAllocatableResourceClaimStatus",
    fields: &[
        keep(1, "resourceClaimName", Str),
        rep(2, "containers", Str),
        map(3, "resources", Quantity),
    ],
};

static NODE_SELECTOR: Message = Message {
    name: "NodeSelector",
    fields: &[rep(1, "nodeSelectorTerms", Msg(&NODE_SELECTOR_TERM))],
};

static NODE_SELECTOR_REQUIREMENT: Message = Message {
    name: "NodeSelectorRequirement",
    fields: &[
        keep(1, "key", Str),
        keep(2, "operator", Str),
        rep(3, "values", Str),
    ],
};

static NODE_SELECTOR_TERM: Message = Message {
    name: "NodeSelectorTerm",
    fields: &[
        rep(1, "matchExpressions", Msg(&NODE_SELECTOR_REQUIREMENT)),
        rep(2, "matchFields", Msg(&NODE_SELECTOR_REQUIREMENT)),
    ],
};

static OBJECT_FIELD_SELECTOR: Message = Message {
    name: "ObjectFieldSelector",
    fields: &[one(1, "apiVersion", Str), keep(2, "fieldPath", Str)],
};

static OBJECT_REFERENCE: Message = Message {
    name: "ObjectReference",
    fields: &[
        one(1, "kind", Str),
        one(2, "namespace", Str),
        one(3, "name", Str),
        one(4, "uid", Str),
        one(5, "apiVersion", Str),
        one(6, "resourceVersion", Str),
        one(7, "fieldPath", Str),
    ],
};

static PERSISTENT_VOLUME_CLAIM: Message = Message {
    name: "PersistentVolumeClaim",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&PERSISTENT_VOLUME_CLAIM_SPEC)),
        one(3, "status", Msg(&PERSISTENT_VOLUME_CLAIM_STATUS)),
    ],
};

static PERSISTENT_VOLUME_CLAIM_CONDITION: Message = Message {
    name: "PersistentVolumeClaimCondition",
    fields: &[
        keep(1, "type", Str),
        keep(2, "status", Str),
        one(3, "lastProbeTime", Time),
        one(4, "lastTransitionTime", Time),
        one(5, "reason", Str),
        one(6, "message", Str),
    ],
};

static PERSISTENT_VOLUME_CLAIM_SPEC: Message = Message {
    name: "PersistentVolumeClaimSpec",
    fields: &[
        rep(1, "accessModes", Str),
        one(2, "resources", Msg(&VOLUME_RESOURCE_REQUIREMENTS)),
        one(3, "volumeName", Str),
        one(4, "selector", Msg(&LABEL_SELECTOR)),
        keep(5, "storageClassName", Str),
        keep(6, "volumeMode", Str),
        one(7, "dataSource", Msg(&TYPED_LOCAL_OBJECT_REFERENCE)),
        one(8, "dataSourceRef", Msg(&TYPED_OBJECT_REFERENCE)),
        keep(9, "volumeAttributesClassName", Str),
    ],
};

static PERSISTENT_VOLUME_CLAIM_STATUS: Message = Message {
    name: "PersistentVolumeClaimStatus",
    fields: &[
        one(1, "phase", Str),
        rep(2, "accessModes", Str),
        map(3, "capacity", Quantity),
        rep(4, "conditions", Msg(&PERSISTENT_VOLUME_CLAIM_CONDITION)),
        map(5, "allocatedResources", Quantity),
        map(7, "allocatedResourceStatuses", Str),
        keep(8, "currentVolumeAttributesClassName", Str),
        one(9, "modifyVolumeStatus", Msg(&MODIFY_VOLUME_STATUS)),
    ],
};

static PERSISTENT_VOLUME_CLAIM_TEMPLATE: Message = Message {
    name: "PersistentVolumeClaimTemplate",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&PERSISTENT_VOLUME_CLAIM_SPEC)),
    ],
};

static PERSISTENT_VOLUME_CLAIM_VOLUME_SOURCE: Message = Message {
    name: "PersistentVolumeClaimVolumeSource",
    fields: &[keep(1, "claimName", Str), one(2, "readOnly", Bool)],
};

static PHOTON_PERSISTENT_DISK_VOLUME_SOURCE: Message = Message {
    name: "PhotonPersistentDiskVolumeSource",
    fields: &[keep(1, "pdID", Str), one(2, "fsType", Str)],
};

static POD: Message = Message {
    name: "Pod",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&POD_SPEC)),
        one(3, "status", Msg(&POD_STATUS)),
    ],
};

static POD_AFFINITY: Message = Message {
    name: "PodAffinity",
    fields: &[
        rep(
            1,
            "requiredDuringSchedulingIgnoredDuringExecution",
            Msg(&POD_AFFINITY_TERM),
        ),
        rep(
            2,
            "preferredDuringSchedulingIgnoredDuringExecution",
            Msg(&WEIGHTED_POD_AFFINITY_TERM),
        ),
    ],
};

static POD_AFFINITY_TERM: Message = Message {
    name: "PodAffinityTerm",
    fields: &[
        one(1, "labelSelector", Msg(&LABEL_SELECTOR)),
        rep(2, "namespaces", Str),
        keep(3, "topologyKey", Str),
        one(4, "namespaceSelector", Msg(&LABEL_SELECTOR)),
        rep(5, "matchLabelKeys", Str),
        rep(6, "mismatchLabelKeys", Str),
    ],
};

static POD_ANTI_AFFINITY: Message = Message {
    name: "PodAntiAffinity",
    fields: &[
        rep(
            1,
            "requiredDuringSchedulingIgnoredDuringExecution",
            Msg(&POD_AFFINITY_TERM),
        ),
        rep(
            2,
            "preferredDuringSchedulingIgnoredDuringExecution",
            Msg(&WEIGHTED_POD_AFFINITY_TERM),
        ),
    ],
};

static POD_CERTIFICATE_PROJECTION: Message = Message {
    name: "PodCertificateProjection",
    fields: &[
        one(1, "signerName", Str),
        one(2, "keyType", Str),
        keep(3, "maxExpirationSeconds", I32),
        one(4, "credentialBundlePath", Str),
        one(5, "keyPath", Str),
        one(6, "certificateChainPath", Str),
        map(7, "userAnnotations", Str),
    ],
};

static POD_CONDITION: Message = Message {
    name: "PodCondition",
    fields: &[
        keep(1, "type", Str),
        keep(2, "status", Str),
        one(3, "lastProbeTime", Time),
        one(4, "lastTransitionTime", Time),
        one(5, "reason", Str),
        one(6, "message", Str),
        one(7, "observedGeneration", I64),
    ],
};

static POD_DNS_CONFIG: Message = Message {
    name: "PodDNSConfig",
    fields: &[
        rep(1, "nameservers", Str),
        rep(2, "searches", Str),
        rep(3, "options", Msg(&POD_DNS_CONFIG_OPTION)),
    ],
};

static POD_DNS_CONFIG_OPTION: Message = Message {
    name: "PodDNSConfigOption",
    fields: &[one(1, "name", Str), keep(2, "value", Str)],
};

static POD_EXTENDED_RESOURCE_CLAIM_STATUS: Message = Message {
    name: "PodExtendedResourceClaimStatus",
    fields: &[
        rep(
            1,
            "requestMappings",
            Msg(&CONTAINER_EXTENDED_RESOURCE_REQUEST),
        ),
        keep(2, "resourceClaimName", Str),
    ],
};

static POD_IP: Message = Message {
    name: "PodIP",
    fields: &[keep(1, "ip", Str)],
};

static POD_OS: Message = Message {
    name: "PodOS",
    fields: &[keep(1, "name", Str)],
};

static POD_READINESS_GATE: Message = Message {
    name: "PodReadinessGate",
    fields: &[keep(1, "conditionType", Str)],
};

static POD_RESOURCE_CLAIM: Message = Message {
    name: "PodResourceClaim",
    fields: &[
        keep(1, "name", Str),
        keep(3, "resourceClaimName", Str),
        keep(4, "resourceClaimTemplateName", Str),
    ],
};

static POD_RESOURCE_CLAIM_STATUS: Message = Message {
    name: "PodResourceClaimStatus",
    fields: &[keep(1, "name", Str), keep(2, "resourceClaimName", Str)],
};

static POD_SCHEDULING_GATE: Message = Message {
    name: "PodSchedulingGate",
    fields: &[keep(1, "name", Str)],
};

static POD_SCHEDULING_GROUP: Message = Message {
    name: "PodSchedulingGroup",
    fields: &[keep(1, "podGroupName", Str)],
};

static POD_SECURITY_CONTEXT: Message = Message {
    name: "PodSecurityContext",
    fields: &[
        one(1, "seLinuxOptions", Msg(&SE_LINUX_OPTIONS)),
        keep(2, "runAsUser", I64),
        keep(3, "runAsNonRoot", Bool),
        rep(4, "supplementalGroups", I64),
        keep(5, "fsGroup", I64),
        keep(6, "runAsGroup", I64),
        rep(7, "sysctls", Msg(&SYSCTL)),
        one(8, "windowsOptions", Msg(&WINDOWS_SECURITY_CONTEXT_OPTIONS)),
        keep(9, "fsGroupChangePolicy", Str),
        one(10, "seccompProfile", Msg(&SECCOMP_PROFILE)),
        one(11, "appArmorProfile", Msg(&APP_ARMOR_PROFILE)),
        keep(12, "supplementalGroupsPolicy", Str),
        keep(13, "seLinuxChangePolicy", Str),
    ],
};

static POD_SPEC: Message = Message {
    name: "PodSpec",
    fields: &[
        rep(1, "volumes", Msg(&VOLUME)),
        rep(2, "containers", Msg(&CONTAINER)),
        one(3, "restartPolicy", Str),
        keep(4, "terminationGracePeriodSeconds", I64),
        keep(5, "activeDeadlineSeconds", I64),
        one(6, "dnsPolicy", Str),
        map(7, "nodeSelector", Str),
        one(8, "serviceAccountName", Str),
        one(9, "serviceAccount", Str),
        one(10, "nodeName", Str),
        one(11, "hostNetwork", Bool),
        one(12, "hostPID", Bool),
        one(13, "hostIPC", Bool),
        one(14, "securityContext", Msg(&POD_SECURITY_CONTEXT)),
        rep(15, "imagePullSecrets", Msg(&LOCAL_OBJECT_REFERENCE)),
        one(16, "hostname", Str),
        one(17, "subdomain", Str),
        one(18, "affinity", Msg(&AFFINITY)),
        one(19, "schedulerName", Str),
        rep(20, "initContainers", Msg(&CONTAINER)),
        keep(21, "automountServiceAccountToken", Bool),
        rep(22, "tolerations", Msg(&TOLERATION)),
        rep(23, "hostAliases", Msg(&HOST_ALIAS)),
        one(24, "priorityClassName", Str),
        keep(25, "priority", I32),
        one(26, "dnsConfig", Msg(&POD_DNS_CONFIG)),
        keep(27, "shareProcessNamespace", Bool),
        rep(28, "readinessGates", Msg(&POD_READINESS_GATE)),
        keep(29, "runtimeClassName", Str),
        keep(30, "enableServiceLinks", Bool),
        keep(31, "preemptionPolicy", Str),
        map(32, "overhead", Quantity),
        rep(
            33,
            "topologySpreadConstraints",
            Msg(&TOPOLOGY_SPREAD_CONSTRAINT),
        ),
        rep(34, "ephemeralContainers", Msg(&EPHEMERAL_CONTAINER)),
        keep(35, "setHostnameAsFQDN", Bool),
        one(36, "os", Msg(&POD_OS)),
        keep(37, "hostUsers", Bool),
        rep(38, "schedulingGates", Msg(&POD_SCHEDULING_GATE)),
        rep(39, "resourceClaims", Msg(&POD_RESOURCE_CLAIM)),
        one(40, "resources", Msg(&RESOURCE_REQUIREMENTS)),
        keep(41, "hostnameOverride", Str),
        one(43, "schedulingGroup", Msg(&POD_SCHEDULING_GROUP)),
    ],
};

static POD_STATUS: Message = Message {
    name: "PodStatus",
    fields: &[
        one(1, "phase", Str),
        rep(2, "conditions", Msg(&POD_CONDITION)),
        one(3, "message", Str),
        one(4, "reason", Str),
        one(5, "hostIP", Str),
        one(6, "podIP", Str),
        one(7, "startTime", Time),
        rep(8, "containerStatuses", Msg(&CONTAINER_STATUS)),
        one(9, "qosClass", Str),
        rep(10, "initContainerStatuses", Msg(&CONTAINER_STATUS)),
        one(11, "nominatedNodeName", Str),
        rep(12, "podIPs", Msg(&POD_IP)),
        rep(13, "ephemeralContainerStatuses", Msg(&CONTAINER_STATUS)),
        one(14, "resize", Str),
        rep(15, "resourceClaimStatuses", Msg(&POD_RESOURCE_CLAIM_STATUS)),
        rep(16, "hostIPs", Msg(&HOST_IP)),
        one(17, "observedGeneration", I64),
        one(
            18,
            "extendedResourceClaimStatus",
            Msg(&POD_EXTENDED_RESOURCE_CLAIM_STATUS),
        ),
        map(19, "allocatedResources", Quantity),
        one(20, "resources", Msg(&RESOURCE_REQUIREMENTS)),
        rep(
            21,
            "nodeAllocatableResourceClaimStatuses",
            Msg(&NODE_ALLOCATABLE_RESOURCE_CLAIM_STATUS),
        ),
    ],
};

static POD_TEMPLATE_SPEC: Message = Message {
    name: "PodTemplateSpec",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&POD_SPEC)),
    ],
};

static PORT_STATUS: Message = Message {
    name: "PortStatus",
    fields: &[
        keep(1, "port", I32),
        keep(2, "protocol", Str),
        keep(3, "error", Str),
    ],
};

static PORTWORX_VOLUME_SOURCE: Message = Message {
    name: "PortworxVolumeSource",
    fields: &[
        keep(1, "volumeID", Str),
        one(2, "fsType", Str),
        one(3, "readOnly", Bool),
    ],
};

static PREFERRED_SCHEDULING_TERM: Message = Message {
    name: "PreferredSchedulingTerm",
    fields: &[
        keep(1, "weight", I32),
        one(2, "preference", Msg(&NODE_SELECTOR_TERM)),
    ],
};

static PROBE: Message = Message {
    name: "Probe",
    fields: &[
        one(1, "", Inline(&PROBE_HANDLER)),
        one(2, "initialDelaySeconds", I32),
        one(3, "timeoutSeconds", I32),
        one(4, "periodSeconds", I32),
        one(5, "successThreshold", I32),
        one(6, "failureThreshold", I32),
        keep(7, "terminationGracePeriodSeconds", I64),
    ],
};

static PROBE_HANDLER: Message = Message {
    name: "ProbeHandler",
    fields: &[
        one(1, "exec", Msg(&EXEC_ACTION)),
        one(2, "httpGet", Msg(&HTTP_GET_ACTION)),
        one(3, "tcpSocket", Msg(&TCP_SOCKET_ACTION)),
        one(4, "grpc", Msg(&GRPC_ACTION)),
    ],
};

static PROJECTED_VOLUME_SOURCE: Message = Message {
    name: "ProjectedVolumeSource",
    fields: &[
        rep(1, "sources", Msg(&VOLUME_PROJECTION)),
        keep(2, "defaultMode", I32),
    ],
};

static QUOBYTE_VOLUME_SOURCE: Message = Message {
    name: "QuobyteVolumeSource",
    fields: &[
        keep(1, "registry", Str),
        keep(2, "volume", Str),
        one(3, "readOnly", Bool),
        one(4, "user", Str),
        one(5, "group", Str),
        one(6, "tenant", Str),
    ],
};

static RBD_VOLUME_SOURCE: Message = Message {
    name: "RBDVolumeSource",
    fields: &[
        rep(1, "monitors", Str),
        keep(2, "image", Str),
        one(3, "fsType", Str),
        one(4, "pool", Str),
        one(5, "user", Str),
        one(6, "keyring", Str),
        one(7, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE)),
        one(8, "readOnly", Bool),
    ],
};

static RESOURCE_CLAIM: Message = Message {
    name: "ResourceClaim",
    fields: &[keep(1, "name", Str), one(2, "request", Str)],
};

static RESOURCE_FIELD_SELECTOR: Message = Message {
    name: "ResourceFieldSelector",
    fields: &[
        one(1, "containerName", Str),
        keep(2, "resource", Str),
        one(3, "divisor", Quantity),
    ],
};

static RESOURCE_HEALTH: Message = Message {
    name: "ResourceHealth",
    fields: &[
        keep(1, "resourceID", Str),
        one(2, "health", Str),
        keep(6, "message", Str),
    ],
};

static RESOURCE_QUOTA: Message = Message {
    name: "ResourceQuota",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&RESOURCE_QUOTA_SPEC)),
        one(3, "status", Msg(&RESOURCE_QUOTA_STATUS)),
    ],
};

static RESOURCE_QUOTA_SPEC: Message = Message {
    name: "ResourceQuotaSpec",
    fields: &[
        map(1, "hard", Quantity),
        rep(2, "scopes", Str),
        one(3, "scopeSelector", Msg(&SCOPE_SELECTOR)),
    ],
};

static RESOURCE_QUOTA_STATUS: Message = Message {
    name: "ResourceQuotaStatus",
    fields: &[map(1, "hard", Quantity), map(2, "used", Quantity)],
};

static RESOURCE_REQUIREMENTS: Message = Message {
    name: "ResourceRequirements",
    fields: &[
        map(1, "limits", Quantity),
        map(2, "requests", Quantity),
        rep(3, "claims", Msg(&RESOURCE_CLAIM)),
    ],
};

static RESOURCE_STATUS: Message = Message {
    name: "ResourceStatus",
    fields: &[
        keep(1, "name", Str),
        rep(2, "resources", Msg(&RESOURCE_HEALTH)),
    ],
};

static SE_LINUX_OPTIONS: Message = Message {
    name: "SELinuxOptions",
    fields: &[
        one(1, "user", Str),
        one(2, "role", Str),
        one(3, "type", Str),
        one(4, "level", Str),
    ],
};

static SCALE_IO_VOLUME_SOURCE: Message = Message {
    name: "ScaleIOVolumeSource",
    fields: &[
        keep(1, "gateway", Str),
        keep(2, "system", Str),
        one(3, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE)),
        one(4, "sslEnabled", Bool),
        one(5, "protectionDomain", Str),
        one(6, "storagePool", Str),
        one(7, "storageMode", Str),
        one(8, "volumeName", Str),
        one(9, "fsType", Str),
        one(10, "readOnly", Bool),
    ],
};

static SCOPE_SELECTOR: Message = Message {
    name: "ScopeSelector",
    fields: &[rep(
        1,
        "matchExpressions",
        Msg(&SCOPED_RESOURCE_SELECTOR_REQUIREMENT),
    )],
};

static SCOPED_RESOURCE_SELECTOR_REQUIREMENT: Message = Message {
    name: "ScopedResourceSelectorRequirement",
    fields: &[
        keep(1, "scopeName", Str),
        keep(2, "operator", Str),
        rep(3, "values", Str),
    ],
};

static SECCOMP_PROFILE: Message = Message {
    name: "SeccompProfile",
    fields: &[keep(1, "type", Str), keep(2, "localhostProfile", Str)],
};

static SECRET: Message = Message {
    name: "Secret",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        map(2, "data", Bytes),
        one(3, "type", Str),
        map(4, "stringData", Str),
        keep(5, "immutable", Bool),
    ],
};

static SECRET_ENV_SOURCE: Message = Message {
    name: "SecretEnvSource",
    fields: &[
        one(1, "", Inline(&LOCAL_OBJECT_REFERENCE)),
        keep(2, "optional", Bool),
    ],
};

static SECRET_KEY_SELECTOR: Message = Message {
    name: "SecretKeySelector",
    fields: &[
        one(1, "", Inline(&LOCAL_OBJECT_REFERENCE)),
        keep(2, "key", Str),
        keep(3, "optional", Bool),
    ],
};

static SECRET_PROJECTION: Message = Message {
    name: "SecretProjection",
    fields: &[
        one(1, "", Inline(&LOCAL_OBJECT_REFERENCE)),
        rep(2, "items", Msg(&KEY_TO_PATH)),
        keep(4, "optional", Bool),
    ],
};

static SECRET_VOLUME_SOURCE: Message = Message {
    name: "SecretVolumeSource",
    fields: &[
        one(1, "secretName", Str),
        rep(2, "items", Msg(&KEY_TO_PATH)),
        keep(3, "defaultMode", I32),
        keep(4, "optional", Bool),
    ],
};

static SECURITY_CONTEXT: Message = Message {
    name: "SecurityContext",
    fields: &[
        one(1, "capabilities", Msg(&CAPABILITIES)),
        keep(2, "privileged", Bool),
        one(3, "seLinuxOptions", Msg(&SE_LINUX_OPTIONS)),
        keep(4, "runAsUser", I64),
        keep(5, "runAsNonRoot", Bool),
        keep(6, "readOnlyRootFilesystem", Bool),
        keep(7, "allowPrivilegeEscalation", Bool),
        keep(8, "runAsGroup", I64),
        keep(9, "procMount", Str),
        one(10, "windowsOptions", Msg(&WINDOWS_SECURITY_CONTEXT_OPTIONS)),
        one(11, "seccompProfile", Msg(&SECCOMP_PROFILE)),
        one(12, "appArmorProfile", Msg(&APP_ARMOR_PROFILE)),
    ],
};

static SERVICE: Message = Message {
    name: "Service",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&SERVICE_SPEC)),
        one(3, "status", Msg(&SERVICE_STATUS)),
    ],
};

static SERVICE_ACCOUNT: Message = Message {
    name: "ServiceAccount",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        rep(2, "secrets", Msg(&OBJECT_REFERENCE)),
        rep(3, "imagePullSecrets", Msg(&LOCAL_OBJECT_REFERENCE)),
        keep(4, "automountServiceAccountToken", Bool),
    ],
};

static SERVICE_ACCOUNT_TOKEN_PROJECTION: Message = Message {
    name: "ServiceAccountTokenProjection",
    fields: &[
        one(1, "audience", Str),
        keep(2, "expirationSeconds", I64),
        keep(3, "path", Str),
    ],
};

static SERVICE_PORT: Message = Message {
    name: "ServicePort",
    fields: &[
        one(1, "name", Str),
        one(2, "protocol", Str),
        keep(3, "port", I32),
        one(4, "targetPort", IntOrString),
        one(5, "nodePort", I32),
        keep(6, "appProtocol", Str),
    ],
};

static SERVICE_SPEC: Message = Message {
    name: "ServiceSpec",
    fields: &[
        rep(1, "ports", Msg(&SERVICE_PORT)),
        map(2, "selector", Str),
        one(3, "clusterIP", Str),
        one(4, "type", Str),
        rep(5, "externalIPs", Str),
        one(7, "sessionAffinity", Str),
        one(8, "loadBalancerIP", Str),
        rep(9, "loadBalancerSourceRanges", Str),
        one(10, "externalName", Str),
        one(11, "externalTrafficPolicy", Str),
        one(12, "healthCheckNodePort", I32),
        one(13, "publishNotReadyAddresses", Bool),
        one(14, "sessionAffinityConfig", Msg(&SESSION_AFFINITY_CONFIG)),
        keep(17, "ipFamilyPolicy", Str),
        rep(18, "clusterIPs", Str),
        rep(19, "ipFamilies", Str),
        keep(20, "allocateLoadBalancerNodePorts", Bool),
        keep(21, "loadBalancerClass", Str),
        keep(22, "internalTrafficPolicy", Str),
        keep(23, "trafficDistribution", Str),
    ],
};

static SERVICE_STATUS: Message = Message {
    name: "ServiceStatus",
    fields: &[
        one(1, "loadBalancer", Msg(&LOAD_BALANCER_STATUS)),
        rep(2, "conditions", Msg(&CONDITION)),
    ],
};

static SESSION_AFFINITY_CONFIG: Message = Message {
    name: "SessionAffinityConfig",
    fields: &[one(1, "clientIP", Msg(&CLIENT_IP_CONFIG))],
};

static SLEEP_ACTION: Message = Message {
    name: "SleepAction",
    fields: &[keep(1, "seconds", I64)],
};

static STORAGE_OS_VOLUME_SOURCE: Message = Message {
    name: "StorageOSVolumeSource",
    fields: &[
        one(1, "volumeName", Str),
        one(2, "volumeNamespace", Str),
        one(3, "fsType", Str),
        one(4, "readOnly", Bool),
        one(5, "secretRef", Msg(&LOCAL_OBJECT_REFERENCE)),
    ],
};

static SYSCTL: Message = Message {
    name: "Sysctl",
    fields: &[keep(1, "name", Str), keep(2, "value", Str)],
};

static TCP_SOCKET_ACTION: Message = Message {
    name: "TCPSocketAction",
    fields: &[one(1, "port", IntOrString), one(2, "host", Str)],
};

static TOLERATION: Message = Message {
    name: "Toleration",
    fields: &[
        one(1, "key", Str),
        one(2, "operator", Str),
        one(3, "value", Str),
        one(4, "effect", Str),
        keep(5, "tolerationSeconds", I64),
    ],
};

static TOPOLOGY_SPREAD_CONSTRAINT: Message = Message {
    name: "TopologySpreadConstraint",
    fields: &[
        keep(1, "maxSkew", I32),
        keep(2, "topologyKey", Str),
        keep(3, "whenUnsatisfiable", Str),
        one(4, "labelSelector", Msg(&LABEL_SELECTOR)),
        keep(5, "minDomains", I32),
        keep(6, "nodeAffinityPolicy", Str),
        keep(7, "nodeTaintsPolicy", Str),
        rep(8, "matchLabelKeys", Str),
    ],
};

static TYPED_LOCAL_OBJECT_REFERENCE: Message = Message {
    name: "TypedLocalObjectReference",
    fields: &[
        keep(1, "apiGroup", Str),
        keep(2, "kind", Str),
        keep(3, "name", Str),
    ],
};

static TYPED_OBJECT_REFERENCE: Message = Message {
    name: "TypedObjectReference",
    fields: &[
        keep(1, "apiGroup", Str),
        keep(2, "kind", Str),
        keep(3, "name", Str),
        keep(4, "namespace", Str),
    ],
};

static VOLUME: Message = Message {
    name: "Volume",
    fields: &[keep(1, "name", Str), one(2, "", Inline(&VOLUME_SOURCE))],
};

static VOLUME_DEVICE: Message = Message {
    name: "VolumeDevice",
    fields: &[keep(1, "name", Str), keep(2, "devicePath", Str)],
};

static VOLUME_MOUNT: Message = Message {
    name: "VolumeMount",
    fields: &[
        keep(1, "name", Str),
        one(2, "readOnly", Bool),
        keep(3, "mountPath", Str),
        one(4, "subPath", Str),
        keep(5, "mountPropagation", Str),
        one(6, "subPathExpr", Str),
        keep(7, "recursiveReadOnly", Str),
    ],
};

static VOLUME_MOUNT_STATUS: Message = Message {
    name: "VolumeMountStatus",
    fields: &[
        keep(1, "name", Str),
        keep(2, "mountPath", Str),
        one(3, "readOnly", Bool),
        keep(4, "recursiveReadOnly", Str),
        one(5, "volumeStatus", Msg(&VOLUME_STATUS)),
    ],
};

static VOLUME_PROJECTION: Message = Message {
    name: "VolumeProjection",
    fields: &[
        one(1, "secret", Msg(&SECRET_PROJECTION)),
        one(2, "downwardAPI", Msg(&DOWNWARD_API_PROJECTION)),
        one(3, "configMap", Msg(&CONFIG_MAP_PROJECTION)),
        one(
            4,
            "serviceAccountToken",
            Msg(&SERVICE_ACCOUNT_TOKEN_PROJECTION),
        ),
        one(
            5,
            "clusterTrustBundle",
            Msg(&CLUSTER_TRUST_BUNDLE_PROJECTION),
        ),
        one(6, "podCertificate", Msg(&POD_CERTIFICATE_PROJECTION)),
    ],
};

static VOLUME_RESOURCE_REQUIREMENTS: Message = Message {
    name: "VolumeResourceRequirements",
    fields: &[map(1, "limits", Quantity), map(2, "requests", Quantity)],
};

static VOLUME_SOURCE: Message = Message {
    name: "VolumeSource",
    fields: &[
        one(1, "hostPath", Msg(&HOST_PATH_VOLUME_SOURCE)),
        one(2, "emptyDir", Msg(&EMPTY_DIR_VOLUME_SOURCE)),
        one(
            3,
            "gcePersistentDisk",
            Msg(&GCE_PERSISTENT_DISK_VOLUME_SOURCE),
        ),
        one(
            4,
            "awsElasticBlockStore",
            Msg(&AWS_ELASTIC_BLOCK_STORE_VOLUME_SOURCE),
        ),
        one(5, "gitRepo", Msg(&GIT_REPO_VOLUME_SOURCE)),
        one(6, "secret", Msg(&SECRET_VOLUME_SOURCE)),
        one(7, "nfs", Msg(&NFS_VOLUME_SOURCE)),
        one(8, "iscsi", Msg(&ISCSI_VOLUME_SOURCE)),
        one(9, "glusterfs", Msg(&GLUSTERFS_VOLUME_SOURCE)),
        one(
            10,
            "persistentVolumeClaim",
            Msg(&PERSISTENT_VOLUME_CLAIM_VOLUME_SOURCE),
        ),
        one(11, "rbd", Msg(&RBD_VOLUME_SOURCE)),
        one(12, "flexVolume", Msg(&FLEX_VOLUME_SOURCE)),
        one(13, "cinder", Msg(&CINDER_VOLUME_SOURCE)),
        one(14, "cephfs", Msg(&CEPH_FS_VOLUME_SOURCE)),
        one(15, "flocker", Msg(&FLOCKER_VOLUME_SOURCE)),
        one(16, "downwardAPI", Msg(&DOWNWARD_API_VOLUME_SOURCE)),
        one(17, "fc", Msg(&FC_VOLUME_SOURCE)),
        one(18, "azureFile", Msg(&AZURE_FILE_VOLUME_SOURCE)),
        one(19, "configMap", Msg(&CONFIG_MAP_VOLUME_SOURCE)),
        one(
            20,
            "vsphereVolume",
            Msg(&VSPHERE_VIRTUAL_DISK_VOLUME_SOURCE),
        ),
        one(21, "quobyte", Msg(&QUOBYTE_VOLUME_SOURCE)),
        one(22, "azureDisk", Msg(&AZURE_DISK_VOLUME_SOURCE)),
        one(
            23,
            "photonPersistentDisk",
            Msg(&PHOTON_PERSISTENT_DISK_VOLUME_SOURCE),
        ),
        one(24, "portworxVolume", Msg(&PORTWORX_VOLUME_SOURCE)),
        one(25, "scaleIO", Msg(&SCALE_IO_VOLUME_SOURCE)),
        one(26, "projected", Msg(&PROJECTED_VOLUME_SOURCE)),
        one(27, "storageos", Msg(&STORAGE_OS_VOLUME_SOURCE)),
        one(28, "csi", Msg(&CSI_VOLUME_SOURCE)),
        one(29, "ephemeral", Msg(&EPHEMERAL_VOLUME_SOURCE)),
        one(30, "image", Msg(&IMAGE_VOLUME_SOURCE)),
    ],
};

static VOLUME_STATUS: Message = Message {
    name: "VolumeStatus",
    fields: &[one(1, "image", Msg(&IMAGE_VOLUME_STATUS))],
};

static VSPHERE_VIRTUAL_DISK_VOLUME_SOURCE: Message = Message {
    name: "VsphereVirtualDiskVolumeSource",
    fields: &[
        keep(1, "volumePath", Str),
        one(2, "fsType", Str),
        one(3, "storagePolicyName", Str),
        one(4, "storagePolicyID", Str),
    ],
};

static WEIGHTED_POD_AFFINITY_TERM: Message = Message {
    name: "WeightedPodAffinityTerm",
    fields: &[
        keep(1, "weight", I32),
        one(2, "podAffinityTerm", Msg(&POD_AFFINITY_TERM)),
    ],
};

static WINDOWS_SECURITY_CONTEXT_OPTIONS: Message = Message {
    name: "WindowsSecurityContextOptions",
    fields: &[
        keep(1, "gmsaCredentialSpecName", Str),
        keep(2, "gmsaCredentialSpec", Str),
        keep(3, "runAsUserName", Str),
        keep(4, "hostProcess", Bool),
    ],
};

static HTTP_INGRESS_PATH: Message = Message {
    name: "HTTPIngressPath",
    fields: &[
        one(1, "path", Str),
        one(2, "backend", Msg(&INGRESS_BACKEND)),
        keep(3, "pathType", Str),
    ],
};

static HTTP_INGRESS_RULE_VALUE: Message = Message {
    name: "HTTPIngressRuleValue",
    fields: &[rep(1, "paths", Msg(&HTTP_INGRESS_PATH))],
};

static INGRESS: Message = Message {
    name: "Ingress",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&INGRESS_SPEC)),
        one(3, "status", Msg(&INGRESS_STATUS)),
    ],
};

static INGRESS_BACKEND: Message = Message {
    name: "IngressBackend",
    fields: &[
        one(3, "resource", Msg(&TYPED_LOCAL_OBJECT_REFERENCE)),
        one(4, "service", Msg(&INGRESS_SERVICE_BACKEND)),
    ],
};

static INGRESS_LOAD_BALANCER_INGRESS: Message = Message {
    name: "IngressLoadBalancerIngress",
    fields: &[
        one(1, "ip", Str),
        one(2, "hostname", Str),
        rep(4, "ports", Msg(&INGRESS_PORT_STATUS)),
    ],
};

static INGRESS_LOAD_BALANCER_STATUS: Message = Message {
    name: "IngressLoadBalancerStatus",
    fields: &[rep(1, "ingress", Msg(&INGRESS_LOAD_BALANCER_INGRESS))],
};

static INGRESS_PORT_STATUS: Message = Message {
    name: "IngressPortStatus",
    fields: &[
        keep(1, "port", I32),
        keep(2, "protocol", Str),
        keep(3, "error", Str),
    ],
};

static INGRESS_RULE: Message = Message {
    name: "IngressRule",
    fields: &[one(1, "host", Str), one(2, "", Inline(&INGRESS_RULE_VALUE))],
};

static INGRESS_RULE_VALUE: Message = Message {
    name: "IngressRuleValue",
    fields: &[one(1, "http", Msg(&HTTP_INGRESS_RULE_VALUE))],
};

static INGRESS_SERVICE_BACKEND: Message = Message {
    name: "IngressServiceBackend",
    fields: &[
        keep(1, "name", Str),
        one(2, "port", Msg(&SERVICE_BACKEND_PORT)),
    ],
};

static INGRESS_SPEC: Message = Message {
    name: "IngressSpec",
    fields: &[
        one(1, "defaultBackend", Msg(&INGRESS_BACKEND)),
        rep(2, "tls", Msg(&INGRESS_TLS)),
        rep(3, "rules", Msg(&INGRESS_RULE)),
        keep(4, "ingressClassName", Str),
    ],
};

static INGRESS_STATUS: Message = Message {
    name: "IngressStatus",
    fields: &[one(1, "loadBalancer", Msg(&INGRESS_LOAD_BALANCER_STATUS))],
};

static INGRESS_TLS: Message = Message {
    name: "IngressTLS",
    fields: &[rep(1, "hosts", Str), one(2, "secretName", Str)],
};

static SERVICE_BACKEND_PORT: Message = Message {
    name: "ServiceBackendPort",
    fields: &[one(1, "name", Str), one(2, "number", I32)],
};

static EVICTION: Message = Message {
    name: "Eviction",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "deleteOptions", Msg(&DELETE_OPTIONS)),
    ],
};

static POD_DISRUPTION_BUDGET: Message = Message {
    name: "PodDisruptionBudget",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        one(2, "spec", Msg(&POD_DISRUPTION_BUDGET_SPEC)),
        one(3, "status", Msg(&POD_DISRUPTION_BUDGET_STATUS)),
    ],
};

static POD_DISRUPTION_BUDGET_SPEC: Message = Message {
    name: "PodDisruptionBudgetSpec",
    fields: &[
        one(1, "minAvailable", IntOrString),
        one(2, "selector", Msg(&LABEL_SELECTOR)),
        one(3, "maxUnavailable", IntOrString),
        keep(4, "unhealthyPodEvictionPolicy", Str),
    ],
};

static POD_DISRUPTION_BUDGET_STATUS: Message = Message {
    name: "PodDisruptionBudgetStatus",
    fields: &[
        one(1, "observedGeneration", I64),
        map(2, "disruptedPods", Time),
        keep(3, "disruptionsAllowed", I32),
        keep(4, "currentHealthy", I32),
        keep(5, "desiredHealthy", I32),
        keep(6, "expectedPods", I32),
        rep(7, "conditions", Msg(&CONDITION)),
    ],
};

static AGGREGATION_RULE: Message = Message {
    name: "AggregationRule",
    fields: &[rep(1, "clusterRoleSelectors", Msg(&LABEL_SELECTOR))],
};

static CLUSTER_ROLE: Message = Message {
    name: "ClusterRole",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        rep(2, "rules", Msg(&POLICY_RULE)),
        one(3, "aggregationRule", Msg(&AGGREGATION_RULE)),
    ],
};

static CLUSTER_ROLE_BINDING: Message = Message {
    name: "ClusterRoleBinding",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        rep(2, "subjects", Msg(&SUBJECT)),
        one(3, "roleRef", Msg(&ROLE_REF)),
    ],
};

static POLICY_RULE: Message = Message {
    name: "PolicyRule",
    fields: &[
        rep(1, "verbs", Str),
        rep(2, "apiGroups", Str),
        rep(3, "resources", Str),
        rep(4, "resourceNames", Str),
        rep(5, "nonResourceURLs", Str),
    ],
};

static ROLE: Message = Message {
    name: "Role",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        rep(2, "rules", Msg(&POLICY_RULE)),
    ],
};

static ROLE_BINDING: Message = Message {
    name: "RoleBinding",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        rep(2, "subjects", Msg(&SUBJECT)),
        one(3, "roleRef", Msg(&ROLE_REF)),
    ],
};

static ROLE_REF: Message = Message {
    name: "RoleRef",
    fields: &[
        keep(1, "apiGroup", Str),
        keep(2, "kind", Str),
        keep(3, "name", Str),
    ],
};

static SUBJECT: Message = Message {
    name: "Subject",
    fields: &[
        keep(1, "kind", Str),
        one(2, "apiGroup", Str),
        keep(3, "name", Str),
        one(4, "namespace", Str),
    ],
};

static PRIORITY_CLASS: Message = Message {
    name: "PriorityClass",
    fields: &[
        one(1, "metadata", Msg(&OBJECT_META)),
        keep(2, "value", I32),
        one(3, "globalDefault", Bool),
        one(4, "description", Str),
        keep(5, "preemptionPolicy", Str),
    ],
};
