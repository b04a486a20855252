//! Add-ons that AKS gives a managed identity of their own, named
//! `<addon>-<lower-cased cluster name>` in the node resource group. Add-on keys
//! are matched case-insensitively (clients send `omsagent` and `omsAgent`) and
//! echoed as sent.

/// (add-on key, identity name prefix).
const WITH_IDENTITY: &[(&str, &str)] = &[
    ("omsagent", "omsagent"),
    ("azurepolicy", "azurepolicy"),
    ("ingressApplicationGateway", "ingressapplicationgateway"),
    (
        "azureKeyvaultSecretsProvider",
        "azurekeyvaultsecretsprovider",
    ),
    ("aciConnectorLinux", "aciconnectorlinux"),
    ("httpApplicationRouting", "httpapplicationrouting"),
];

/// The identity name of an add-on in a cluster, if the add-on has one.
pub fn identity_name(addon: &str, cluster: &str) -> Option<String> {
    WITH_IDENTITY
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(addon))
        .map(|(_, prefix)| format!("{prefix}-{}", cluster.to_lowercase()))
}

/// Whether a user-assigned identity named `name` is some add-on's in `cluster`.
pub fn is_addon_identity(name: &str, cluster: &str) -> bool {
    let suffix = format!("-{}", cluster.to_lowercase());
    WITH_IDENTITY
        .iter()
        .any(|(_, p)| name.eq_ignore_ascii_case(&format!("{p}{suffix}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lower_case_the_cluster() {
        assert_eq!(
            identity_name("omsAgent", "testRBAC").as_deref(),
            Some("omsagent-testrbac")
        );
        assert_eq!(identity_name("kubeDashboard", "c"), None);
        assert!(is_addon_identity("azurepolicy-testrbac", "testRBAC"));
    }
}
