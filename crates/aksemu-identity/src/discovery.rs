//! OpenID Connect discovery documents and the JWKS, shaped like Entra's.

use serde_json::{Value, json};

use crate::keys::SigningKey;
use crate::v1_issuer;

/// `{base}/{tenant}/v2.0/.well-known/openid-configuration`. MSAL and az read the
/// tenant GUID from `issuer` and `token_endpoint`, so both carry the GUID.
pub fn openid_configuration_v2(base: &str, tenant_id: &str, graph: &str) -> Value {
    let t = format!("{base}/{tenant_id}");
    json!({
        "token_endpoint": format!("{t}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{t}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": format!("{t}/v2.0"),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{graph}oidc/userinfo"),
        "authorization_endpoint": format!("{t}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{t}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{t}/oauth2/v2.0/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": format!("{t}/kerberos"),
        "tenant_region_scope": "NA",
        "cloud_instance_name": "aksemu",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": base,
    })
}

/// `{base}/{tenant}/.well-known/openid-configuration` (v1): the `sts.windows.net`
/// issuer that v1 access tokens carry.
pub fn openid_configuration_v1(base: &str, tenant_id: &str) -> Value {
    let t = format!("{base}/{tenant_id}");
    json!({
        "token_endpoint": format!("{t}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{t}/discovery/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "issuer": v1_issuer(tenant_id),
        "microsoft_multi_refresh_token": true,
        "authorization_endpoint": format!("{t}/oauth2/authorize"),
        "device_authorization_endpoint": format!("{t}/oauth2/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{t}/oauth2/logout"),
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname"],
        "check_session_iframe": format!("{t}/oauth2/checksession"),
        "userinfo_endpoint": format!("{t}/openid/userinfo"),
        "kerberos_endpoint": format!("{t}/kerberos"),
        "tenant_region_scope": "NA",
        "cloud_instance_name": "aksemu",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": base,
    })
}

pub fn jwks(keys: &[&SigningKey], issuer: Option<&str>) -> Value {
    json!({ "keys": keys.iter().map(|k| k.jwk(issuer)).collect::<Vec<_>>() })
}
