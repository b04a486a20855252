//! Microsoft.ContainerService's names: its types, children, actions and
//! location reads with the RBAC actions Azure publishes for them, the
//! collection of clusters' private records, and its operation kinds.

use aksemu_arm::endpoint::{ChildType, LocationRead, Namespace, ResourceAction, ResourceType};

/// What a cluster keeps out of its ARM document, keyed like the cluster: the
/// service principal's secret and the seed of its kubeconfig credentials.
pub const CLUSTER_SECRETS: &str = "clusterSecrets";

/// Clusters by `resourceUID` (the key of their API server URL): the body
/// names the cluster's key, so the Kubernetes API finds a cluster in one read.
pub const CLUSTER_UIDS: &str = "clusterUids";

pub const MANAGED_CLUSTERS: ResourceType = ResourceType {
    namespace: "Microsoft.ContainerService",
    type_name: "managedClusters",
    read: "Microsoft.ContainerService/managedClusters/read",
    write: "Microsoft.ContainerService/managedClusters/write",
    delete: "Microsoft.ContainerService/managedClusters/delete",
    accepts_identity: true,
};

/// The monitoring add-on's data-collection rule associations on a cluster.
pub const DCR_ASSOCIATIONS: ChildType =
    aksemu_arm::providers::insights::associations_of(&MANAGED_CLUSTERS);

pub const AGENT_POOLS: ChildType = ChildType {
    parent: &MANAGED_CLUSTERS,
    type_name: "agentPools",
    read: "Microsoft.ContainerService/managedClusters/agentPools/read",
    write: "Microsoft.ContainerService/managedClusters/agentPools/write",
    delete: "Microsoft.ContainerService/managedClusters/agentPools/delete",
};

pub const UPGRADE_PROFILES: ChildType = ChildType {
    parent: &MANAGED_CLUSTERS,
    type_name: "upgradeProfiles",
    read: "Microsoft.ContainerService/managedClusters/upgradeProfiles/read",
    write: "Microsoft.ContainerService/managedClusters/upgradeProfiles/write",
    delete: "Microsoft.ContainerService/managedClusters/upgradeProfiles/delete",
};

const fn cluster_action(name: &'static str, action: &'static str) -> ResourceAction {
    ResourceAction {
        rtype: &MANAGED_CLUSTERS,
        name,
        action,
    }
}

pub const LIST_USER_CREDENTIAL: ResourceAction = cluster_action(
    "listClusterUserCredential",
    "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
);
pub const LIST_ADMIN_CREDENTIAL: ResourceAction = cluster_action(
    "listClusterAdminCredential",
    "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
);
pub const LIST_MONITORING_CREDENTIAL: ResourceAction = cluster_action(
    "listClusterMonitoringUserCredential",
    "Microsoft.ContainerService/managedClusters/listClusterMonitoringUserCredential/action",
);
pub const RESET_SERVICE_PRINCIPAL: ResourceAction = cluster_action(
    "resetServicePrincipalProfile",
    "Microsoft.ContainerService/managedClusters/resetServicePrincipalProfile/action",
);

/// `az aks oidc-issuer rotate-signing-keys`.
pub const ROTATE_SA_KEYS: ResourceAction = cluster_action(
    "rotateServiceAccountSigningKeys",
    "Microsoft.ContainerService/managedClusters/rotateServiceAccountSigningKeys/action",
);

pub const KUBERNETES_VERSIONS: LocationRead = LocationRead {
    namespace: "Microsoft.ContainerService",
    name: "kubernetesVersions",
    action: "Microsoft.ContainerService/locations/kubernetesversions/read",
};

pub const NAMESPACE: Namespace = Namespace {
    name: "Microsoft.ContainerService",
    register: "Microsoft.ContainerService/register/action",
    unregister: "Microsoft.ContainerService/unregister/action",
    listed_types: &[
        "managedClusters",
        "managedClusters/agentPools",
        "locations",
        "locations/operations",
        "locations/operationResults",
        "locations/kubernetesVersions",
    ],
    types: &[&MANAGED_CLUSTERS],
    children: &[&AGENT_POOLS, &UPGRADE_PROFILES, &DCR_ASSOCIATIONS],
    actions: &[
        &LIST_USER_CREDENTIAL,
        &LIST_ADMIN_CREDENTIAL,
        &LIST_MONITORING_CREDENTIAL,
        &RESET_SERVICE_PRINCIPAL,
        &ROTATE_SA_KEYS,
    ],
    location_reads: &[&KUBERNETES_VERSIONS],
    provider_actions: &[],
};

/// Operation kinds.
pub const RECONCILE_CLUSTER: &str = "reconcileCluster";
pub const DELETE_CLUSTER: &str = "deleteCluster";
