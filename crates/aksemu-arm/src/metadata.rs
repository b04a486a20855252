//! `GET /metadata/endpoints`: the cloud description az and the SDKs read. The
//! 2019-05-01 shape (what `ARM_CLOUD_METADATA_URL` consumers iterate) is a list of
//! clouds; newer versions answer a single object.

use serde_json::{Value, json};

/// The cloud's name. Never `AzureCloud`: az forces that one's login endpoint to
/// the real Entra ID.
pub const CLOUD_NAME: &str = "aksemu";

/// Azure's public cloud, as this server answers it through the interception
/// proxy (asked at `https://management.azure.com/metadata/endpoints`).
const PUBLIC_LOGIN: &str = "https://login.microsoftonline.com";
const PUBLIC_ARM: &str = "https://management.azure.com";
const PUBLIC_GRAPH: &str = "https://graph.microsoft.com/";

pub fn cloud(base: &str) -> Value {
    let public = aksemu_core::request::is_public_base(base);
    let (name, login, graph) = if public {
        (
            "AzureCloud",
            PUBLIC_LOGIN.to_string(),
            PUBLIC_GRAPH.to_string(),
        )
    } else {
        (CLOUD_NAME, base.to_string(), format!("{base}/"))
    };
    let base = if public { PUBLIC_ARM } else { base };
    let slash = format!("{base}/");
    json!({
        "name": name,
        "portal": base,
        "authentication": {
            "loginEndpoint": login,
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "resourceManager": slash,
        "microsoftGraphResourceId": graph,
        "graph": graph,
        "graphAudience": graph,
        "media": base,
        "batch": base,
        "sqlManagement": base,
        "vmImageAliasDoc": base,
        "activeDirectoryDataLake": base,
        "logAnalyticsResourceId": base,
        "appInsightsResourceId": base,
        "appInsightsTelemetryChannelResourceId": base,
        "attestationResourceId": base,
        "synapseAnalyticsResourceId": base,
        "ossrDbmsResourceId": base,
        "suffixes": {
            "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
            "acrLoginServer": "azurecr.io",
            "sqlServerHostname": "database.windows.net",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "keyVaultDns": "vault.azure.net",
            "storage": "core.windows.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "storageSyncEndpointSuffix": "afs.azure.net",
            "mhsmDns": "managedhsm.azure.net",
            "mysqlServerEndpoint": "mysql.database.azure.com",
            "postgresqlServerEndpoint": "postgres.database.azure.com",
            "mariadbServerEndpoint": "mariadb.database.azure.com",
            "synapseAnalytics": "dev.azuresynapse.net",
            "attestationEndpoint": "attest.azure.net",
        },
    })
}

pub fn endpoints(base: &str, api_version: Option<&str>) -> Value {
    match api_version {
        Some(v) if v < "2022-09-01" => json!([cloud(base)]),
        _ => cloud(base),
    }
}
