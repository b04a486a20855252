//! One request per endpoint kind, for tests that must cover every endpoint (the
//! enforcement walk). ARM's own endpoints are sampled here; each provider adds
//! samples for its types (`Provider::samples`). `variant_index` is an
//! exhaustive match, so a new endpoint kind does not compile until it is
//! numbered, and the coverage test fails until some sample reaches it.

use super::Endpoint;
use aksemu_core::request::Method;

/// Samples of the endpoints ARM itself serves.
pub fn core(sub: &str, rg: &str) -> Vec<(Method, String)> {
    let s = format!("/subscriptions/{sub}");
    let g = format!("{s}/resourceGroups/{rg}");
    let auth = "providers/Microsoft.Authorization";
    let guid = "00000000-0000-0000-0000-0000000000aa";
    vec![
        (Method::Get, "/subscriptions".into()),
        (Method::Get, s.clone()),
        (Method::Get, format!("{s}/locations")),
        (Method::Get, "/tenants".into()),
        (Method::Get, format!("{s}/resourcegroups")),
        (Method::Get, g.clone()),
        (Method::Head, g.clone()),
        (Method::Put, g.clone()),
        (Method::Patch, g.clone()),
        (Method::Delete, g.clone()),
        (Method::Get, format!("{s}/providers")),
        (
            Method::Get,
            format!("{s}/providers/Microsoft.Authorization"),
        ),
        (
            Method::Post,
            format!("{s}/providers/Microsoft.ManagedIdentity/register"),
        ),
        (
            Method::Get,
            format!("{s}/providers/Microsoft.Resources/locations/westus2/operationStatuses/{guid}"),
        ),
        (Method::Get, format!("{g}/{auth}/roleDefinitions")),
        (
            Method::Get,
            format!("{s}/{auth}/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"),
        ),
        (Method::Put, format!("{s}/{auth}/roleDefinitions/{guid}")),
        (Method::Delete, format!("{s}/{auth}/roleDefinitions/{guid}")),
        (Method::Get, format!("{g}/{auth}/roleAssignments")),
        (Method::Get, format!("{g}/{auth}/roleAssignments/{guid}")),
        (Method::Put, format!("{g}/{auth}/roleAssignments/{guid}")),
        (Method::Delete, format!("{g}/{auth}/roleAssignments/{guid}")),
        (Method::Get, format!("{g}/resources")),
        (Method::Get, format!("{s}/resources")),
    ]
}

/// Numbers the endpoint kinds (exhaustively).
pub fn variant_index(e: &Endpoint) -> usize {
    match e {
        Endpoint::ListSubscriptions => 0,
        Endpoint::GetSubscription { .. } => 1,
        Endpoint::ListLocations { .. } => 2,
        Endpoint::ListTenants => 3,
        Endpoint::ListResourceGroups { .. } => 4,
        Endpoint::ResourceGroup { .. } => 5,
        Endpoint::ListProviders { .. } => 6,
        Endpoint::GetProvider { .. } => 7,
        Endpoint::RegisterProvider { .. } => 8,
        Endpoint::OperationStatus { .. } => 9,
        Endpoint::RoleDefinitions { .. } => 10,
        Endpoint::RoleAssignments { .. } => 11,
        Endpoint::Resource { .. } => 12,
        Endpoint::ListResources { .. } => 13,
        Endpoint::ChildResource { .. } => 14,
        Endpoint::ListChildren { .. } => 15,
        Endpoint::Action { .. } => 16,
        Endpoint::LocationRead { .. } => 17,
        Endpoint::ListAllResources { .. } => 18,
        Endpoint::ProviderAction { .. } => 19,
    }
}

pub const VARIANTS: usize = 20;
