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
}
