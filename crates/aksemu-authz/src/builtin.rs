//! Azure's built-in roles, with their real GUIDs and permissions.

use std::sync::OnceLock;

use crate::role::{Permission, RoleDefinition};

pub const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
pub const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
pub const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

const SUPPORT_AND_DEPLOYMENTS: &[&str] = &[
    "Microsoft.Authorization/*/read",
    "Microsoft.Insights/alertRules/*",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Resources/deployments/*",
    "Microsoft.Support/*",
];

fn role(
    name: &str,
    role_name: &str,
    description: &str,
    actions: &[&str],
    not_actions: &[&str],
) -> RoleDefinition {
    RoleDefinition {
        name: name.to_string(),
        role_name: role_name.to_string(),
        description: description.to_string(),
        built_in: true,
        permissions: vec![Permission {
            actions: actions.iter().map(|s| s.to_string()).collect(),
            not_actions: not_actions.iter().map(|s| s.to_string()).collect(),
            ..Permission::default()
        }],
        assignable_scopes: vec!["/".to_string()],
    }
}

fn data_role(
    name: &str,
    role_name: &str,
    description: &str,
    actions: &[&str],
    data_actions: &[&str],
    not_data_actions: &[&str],
) -> RoleDefinition {
    let mut r = role(name, role_name, description, actions, &[]);
    r.permissions[0].data_actions = data_actions.iter().map(|s| s.to_string()).collect();
    r.permissions[0].not_data_actions = not_data_actions.iter().map(|s| s.to_string()).collect();
    r
}

fn with_generic(specific: &[&'static str]) -> Vec<&'static str> {
    specific
        .iter()
        .chain(SUPPORT_AND_DEPLOYMENTS)
        .copied()
        .collect()
}

pub fn builtin_roles() -> &'static [RoleDefinition] {
    static ROLES: OnceLock<Vec<RoleDefinition>> = OnceLock::new();
    // Every role in the reference table (shared/reference/aks-msi-rbac.md §4.4).
    ROLES.get_or_init(|| {
        vec![
            role(OWNER, "Owner", "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.", &["*"], &[]),
            role(
                CONTRIBUTOR,
                "Contributor",
                "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
                &["*"],
                &[
                    "Microsoft.Authorization/*/Delete",
                    "Microsoft.Authorization/*/Write",
                    "Microsoft.Authorization/elevateAccess/Action",
                    "Microsoft.Blueprint/blueprintAssignments/write",
                    "Microsoft.Blueprint/blueprintAssignments/delete",
                    "Microsoft.Compute/galleries/share/action",
                    "Microsoft.Purview/consents/write",
                    "Microsoft.Purview/consents/delete",
                    "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
                    "Microsoft.Subscription/cancel/action",
                    "Microsoft.Subscription/enable/action",
                ],
            ),
            role(READER, "Reader", "View all resources, but does not allow you to make any changes.", &["*/read"], &[]),
            role(
                "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
                "User Access Administrator",
                "Lets you manage user access to Azure resources.",
                &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
                &[],
            ),
            role(
                "4d97b98b-1d4f-4787-a291-c67834d212e7",
                "Network Contributor",
                "Lets you manage networks, but not access to them.",
                &[
                    "Microsoft.Authorization/*/read",
                    "Microsoft.Insights/alertRules/*",
                    "Microsoft.Network/*",
                    "Microsoft.ResourceHealth/availabilityStatuses/read",
                    "Microsoft.Resources/deployments/*",
                    "Microsoft.Resources/subscriptions/resourceGroups/read",
                    "Microsoft.Support/*",
                ],
                &[],
            ),
            role(
                "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
                "Role Based Access Control Administrator",
                "Manage access to Azure resources by assigning roles using Azure RBAC.",
                &[
                    "Microsoft.Authorization/roleAssignments/write",
                    "Microsoft.Authorization/roleAssignments/delete",
                    "*/read",
                    "Microsoft.Support/*",
                ],
                &[],
            ),
            role("7f951dda-4ed3-4680-a7ca-43fe172d538d", "AcrPull", "acr pull", &["Microsoft.ContainerRegistry/registries/pull/read"], &[]),
            role(
                "8311e382-0749-4cb8-b61a-304f252e45ec",
                "AcrPush",
                "acr push",
                &["Microsoft.ContainerRegistry/registries/pull/read", "Microsoft.ContainerRegistry/registries/push/write"],
                &[],
            ),
            role(
                "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59",
                "Managed Identity Contributor",
                "Create, Read, Update, and Delete User Assigned Identity",
                &with_generic(&[
                    "Microsoft.ManagedIdentity/userAssignedIdentities/read",
                    "Microsoft.ManagedIdentity/userAssignedIdentities/write",
                    "Microsoft.ManagedIdentity/userAssignedIdentities/delete",
                    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read",
                    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
                    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete",
                    "Microsoft.ManagedIdentity/userAssignedIdentities/revokeTokens/action",
                ]),
                &[],
            ),
            role(
                "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
                "Azure Kubernetes Service Cluster User Role",
                "List cluster user credential action.",
                &[
                    "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
                    "Microsoft.ContainerService/managedClusters/read",
                ],
                &[],
            ),
            role(
                "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
                "Azure Kubernetes Service Cluster Admin Role",
                "List cluster admin credential action.",
                &[
                    "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action",
                    "Microsoft.ContainerService/managedClusters/accessProfiles/listCredential/action",
                    "Microsoft.ContainerService/managedClusters/read",
                    "Microsoft.ContainerService/managedClusters/runcommand/action",
                ],
                &[],
            ),
            role(
                "1afdec4b-e479-420e-99e7-f82237c7c5e6",
                "Azure Kubernetes Service Cluster Monitoring User",
                "List cluster monitoring user credential action.",
                &[
                    "Microsoft.ContainerService/managedClusters/listClusterMonitoringUserCredential/action",
                    "Microsoft.ContainerService/managedClusters/read",
                ],
                &[],
            ),
            role(
                "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
                "Virtual Machine Contributor",
                "Create and manage virtual machines, manage disks, install and run software, reset password of the root user of the virtual machine using VM extensions, and manage local user accounts using VM extensions.",
                &[
                    "Microsoft.Authorization/*/read",
                    "Microsoft.Compute/availabilitySets/*",
                    "Microsoft.Compute/locations/*",
                    "Microsoft.Compute/virtualMachines/*",
                    "Microsoft.Compute/virtualMachineScaleSets/*",
                    "Microsoft.Compute/cloudServices/*",
                    "Microsoft.Compute/disks/write",
                    "Microsoft.Compute/disks/read",
                    "Microsoft.Compute/disks/delete",
                    "Microsoft.DevTestLab/schedules/*",
                    "Microsoft.Insights/alertRules/*",
                    "Microsoft.Network/applicationGateways/backendAddressPools/join/action",
                    "Microsoft.Network/loadBalancers/backendAddressPools/join/action",
                    "Microsoft.Network/loadBalancers/inboundNatPools/join/action",
                    "Microsoft.Network/loadBalancers/inboundNatRules/join/action",
                    "Microsoft.Network/loadBalancers/probes/join/action",
                    "Microsoft.Network/loadBalancers/read",
                    "Microsoft.Network/locations/*",
                    "Microsoft.Network/networkInterfaces/*",
                    "Microsoft.Network/networkSecurityGroups/join/action",
                    "Microsoft.Network/networkSecurityGroups/read",
                    "Microsoft.Network/publicIPAddresses/join/action",
                    "Microsoft.Network/publicIPAddresses/read",
                    "Microsoft.Network/virtualNetworks/read",
                    "Microsoft.Network/virtualNetworks/subnets/join/action",
                    "Microsoft.ResourceHealth/availabilityStatuses/read",
                    "Microsoft.Resources/deployments/*",
                    "Microsoft.Resources/subscriptions/resourceGroups/read",
                    "Microsoft.SerialConsole/serialPorts/connect/action",
                    "Microsoft.SqlVirtualMachine/*",
                    "Microsoft.Storage/storageAccounts/listKeys/action",
                    "Microsoft.Storage/storageAccounts/read",
                    "Microsoft.Support/*",
                ],
                &[],
            ),
            data_role(
                "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
                "Azure Kubernetes Service RBAC Cluster Admin",
                "Lets you manage all resources in the cluster.",
                &[
                    "Microsoft.Authorization/*/read",
                    "Microsoft.Resources/subscriptions/operationresults/read",
                    "Microsoft.Resources/subscriptions/read",
                    "Microsoft.Resources/subscriptions/resourceGroups/read",
                    "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
                ],
                &["Microsoft.ContainerService/managedClusters/*"],
                &[],
            ),
            data_role(
                "3498e952-d568-435e-9b2c-8d77e338d7f7",
                "Azure Kubernetes Service RBAC Admin",
                "Lets you manage all resources under cluster/namespace, except update or delete resource quotas and namespaces.",
                &[
                    "Microsoft.Authorization/*/read",
                    "Microsoft.Resources/subscriptions/operationresults/read",
                    "Microsoft.Resources/subscriptions/read",
                    "Microsoft.Resources/subscriptions/resourceGroups/read",
                    "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
                ],
                &["Microsoft.ContainerService/managedClusters/*"],
                &[
                    "Microsoft.ContainerService/managedClusters/resourcequotas/write",
                    "Microsoft.ContainerService/managedClusters/resourcequotas/delete",
                    "Microsoft.ContainerService/managedClusters/namespaces/write",
                    "Microsoft.ContainerService/managedClusters/namespaces/delete",
                ],
            ),
            data_role(
                "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
                "Storage Blob Data Reader",
                "Read and list Azure Storage containers and blobs.",
                &[
                    "Microsoft.Storage/storageAccounts/blobServices/containers/read",
                    "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
                ],
                &["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
                &[],
            ),
            data_role(
                "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
                "Storage Blob Data Contributor",
                "Read, write, and delete Azure Storage containers and blobs.",
                &[
                    "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
                    "Microsoft.Storage/storageAccounts/blobServices/containers/read",
                    "Microsoft.Storage/storageAccounts/blobServices/containers/write",
                    "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
                ],
                &[
                    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
                    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
                    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
                    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
                ],
                &[],
            ),
            data_role(
                "4633458b-17de-408a-b874-0445c86b69e6",
                "Key Vault Secrets User",
                "Read secret contents.",
                &[],
                &[
                    "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                    "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
                ],
                &[],
            ),
            role(
                "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
                "Azure Kubernetes Service Contributor Role",
                "Grants access to read and write Azure Kubernetes Service clusters",
                &[
                    "Microsoft.ContainerService/managedClusters/read",
                    "Microsoft.ContainerService/managedClusters/write",
                    "Microsoft.Resources/deployments/*",
                ],
                &[],
            ),
            role(
                "f1a07417-d97a-45cb-824c-7a7467783830",
                "Managed Identity Operator",
                "Read and Assign User Assigned Identity",
                &with_generic(&[
                    "Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
                    "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
                ]),
                &[],
            ),
        ]
    })
}

pub fn builtin_role(guid: &str) -> Option<&'static RoleDefinition> {
    builtin_roles()
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(guid))
}
