//! Which of Azure's public hostnames the proxy answers, and as what. Every
//! other name is refused: the proxy serves from this process and forwards
//! nothing.

/// What a public hostname is, here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Entra ID's token service and discovery documents.
    Login,
    /// Azure Resource Manager.
    Arm,
    /// Microsoft Graph.
    Graph,
    /// AKS's OIDC issuers: `<region>.oic.prod-aks.azure.com`.
    Issuer { region: String },
    /// A cluster's API server: `<prefix>-<hex>.hcp.<region>.azmk8s.io`.
    ApiServer { fqdn: String },
    /// A container registry: `<name>.azurecr.io`.
    Registry,
    /// The instance metadata service (plain HTTP).
    Imds,
}

pub const IMDS_ADDRESS: &str = "169.254.169.254";

const LOGIN: &[&str] = &[
    "login.microsoftonline.com",
    "login.windows.net",
    "login.microsoft.com",
    "sts.windows.net",
];
const ARM: &[&str] = &["management.azure.com", "management.core.windows.net"];
const GRAPH: &[&str] = &["graph.microsoft.com"];

/// The host names served, for the refusal message.
pub const SERVED: &str = "login.microsoftonline.com, management.azure.com, graph.microsoft.com, \
<region>.oic.prod-aks.azure.com, *.hcp.<region>.azmk8s.io, *.azurecr.io (HTTPS) and 169.254.169.254 (HTTP)";

/// A DNS label as Azure's generated names use them.
fn label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// `host` (any case, a trailing dot allowed) classified; `None` when refused.
pub fn classify(host: &str) -> Option<Target> {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    let is = |names: &[&str]| names.contains(&h.as_str());
    if is(LOGIN) {
        return Some(Target::Login);
    }
    if is(ARM) {
        return Some(Target::Arm);
    }
    if is(GRAPH) {
        return Some(Target::Graph);
    }
    if h == IMDS_ADDRESS {
        return Some(Target::Imds);
    }
    let labels: Vec<&str> = h.split('.').collect();
    if !labels.iter().all(|l| label(l)) {
        return None;
    }
    match labels.as_slice() {
        [region, "oic", "prod-aks", "azure", "com"] => Some(Target::Issuer {
            region: region.to_string(),
        }),
        [_, "hcp", _, "azmk8s", "io"] => Some(Target::ApiServer { fqdn: h.clone() }),
        [_, "azurecr", "io"] => Some(Target::Registry),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_names_are_served_and_others_refused() {
        assert_eq!(classify("Management.Azure.com."), Some(Target::Arm));
        assert_eq!(classify("login.microsoftonline.com"), Some(Target::Login));
        assert_eq!(
            classify("eastus.oic.prod-aks.azure.com"),
            Some(Target::Issuer {
                region: "eastus".into()
            })
        );
        assert_eq!(
            classify("c1-rg-abc-12345678.hcp.eastus.azmk8s.io"),
            Some(Target::ApiServer {
                fqdn: "c1-rg-abc-12345678.hcp.eastus.azmk8s.io".into()
            })
        );
        assert_eq!(classify("myacr.azurecr.io"), Some(Target::Registry));
        assert_eq!(classify("169.254.169.254"), Some(Target::Imds));
        for refused in [
            "example.com",
            "pypi.org",
            "azurecr.io",
            "a.b.azurecr.io",
            "evil.com.management.azure.com.example",
            "x.hcp.eastus.azmk8s.io.evil.com",
            "a_b.azurecr.io",
            "",
        ] {
            assert_eq!(classify(refused), None, "{refused}");
        }
    }
}
