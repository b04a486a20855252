//! Entra's v1 access-token claim set.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub aio: String,
    pub appid: String,
    /// "0" public client, "1" client secret, "2" certificate / managed identity.
    pub appidacr: String,
    pub idp: String,
    pub idtyp: String,
    pub oid: String,
    pub rh: String,
    pub sub: String,
    pub tid: String,
    pub uti: String,
    pub ver: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xms_mirid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xms_az_rid: Option<String>,
    /// A user's sign-in name (user tokens only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Delegated scopes (user tokens: `user_impersonation`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,
    /// The user's groups (object ids), when there are at most 200.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    /// Group overage: past 200 groups, where to ask for them instead.
    #[serde(
        default,
        rename = "_claim_names",
        skip_serializing_if = "Option::is_none"
    )]
    pub claim_names: Option<serde_json::Value>,
    #[serde(
        default,
        rename = "_claim_sources",
        skip_serializing_if = "Option::is_none"
    )]
    pub claim_sources: Option<serde_json::Value>,
}
