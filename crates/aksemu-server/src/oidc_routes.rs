//! Clusters' OIDC issuers, without authentication, under
//! `/aksemu/oidc/<region>/<tenant>/<cluster uid>/` (the issuer's path,
//! prefixed): `.well-known/openid-configuration` and `openid/v1/jwks`. The
//! documents name the canonical issuer (`https://<region>.oic.prod-aks.azure.com/…`).

use aksemu_kube::oidc::Document;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use crate::AppState;
use crate::render::json_response;

pub async fn document(
    State(state): State<AppState>,
    Path((region, tenant, uid, rest)): Path<(String, String, String, String)>,
) -> Response {
    let not_found = || json_response(404, &json!({"error": "not found"}));
    let Some(which) = Document::from_path(&rest) else {
        return not_found();
    };
    match state
        .kube
        .oidc_document((&region, &tenant, &uid), which)
        .await
    {
        Ok(Some(doc)) => json_response(200, &doc),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::warn!(error = %e, "an OIDC document could not be built");
            json_response(500, &json!({"error": "internal"}))
        }
    }
}
