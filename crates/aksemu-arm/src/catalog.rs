//! What this cloud offers: its regions, and how a provider namespace is shown.

use serde_json::{Value, json};

/// Public Azure regions (the names ARM accepts for `location`).
pub const LOCATIONS: &[(&str, &str)] = &[
    ("eastus", "East US"),
    ("eastus2", "East US 2"),
    ("southcentralus", "South Central US"),
    ("westus2", "West US 2"),
    ("westus3", "West US 3"),
    ("australiaeast", "Australia East"),
    ("southeastasia", "Southeast Asia"),
    ("northeurope", "North Europe"),
    ("swedencentral", "Sweden Central"),
    ("uksouth", "UK South"),
    ("westeurope", "West Europe"),
    ("centralus", "Central US"),
    ("southafricanorth", "South Africa North"),
    ("centralindia", "Central India"),
    ("eastasia", "East Asia"),
    ("japaneast", "Japan East"),
    ("koreacentral", "Korea Central"),
    ("canadacentral", "Canada Central"),
    ("francecentral", "France Central"),
    ("germanywestcentral", "Germany West Central"),
    ("italynorth", "Italy North"),
    ("norwayeast", "Norway East"),
    ("polandcentral", "Poland Central"),
    ("switzerlandnorth", "Switzerland North"),
    ("uaenorth", "UAE North"),
    ("brazilsouth", "Brazil South"),
    ("northcentralus", "North Central US"),
    ("westus", "West US"),
    ("westcentralus", "West Central US"),
    ("ukwest", "UK West"),
    ("japanwest", "Japan West"),
    ("australiasoutheast", "Australia Southeast"),
    ("canadaeast", "Canada East"),
];

/// `West US 2` and `westus2` both name `westus2`.
pub fn normalise_location(raw: &str) -> Option<&'static str> {
    let squashed: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    LOCATIONS
        .iter()
        .find(|(n, _)| *n == squashed)
        .map(|(n, _)| *n)
}

pub fn location_list() -> String {
    LOCATIONS
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(",")
}

pub fn provider_body(subscription_id: &str, ns: &str, types: &[&str], state: &str) -> Value {
    let locations: Vec<&str> = LOCATIONS.iter().map(|(_, display)| *display).collect();
    json!({
        "id": format!("/subscriptions/{subscription_id}/providers/{ns}"),
        "namespace": ns,
        "registrationState": state,
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": types.iter().map(|t| json!({
            "resourceType": t,
            "locations": locations,
            "apiVersions": ["2026-06-01", "2025-05-31-preview", "2024-11-30", "2024-11-01", "2022-04-01"],
            "capabilities": "None",
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_normalise() {
        assert_eq!(normalise_location("West US 2"), Some("westus2"));
        assert_eq!(normalise_location("WESTUS2"), Some("westus2"));
        assert_eq!(normalise_location("mars"), None);
    }
}
