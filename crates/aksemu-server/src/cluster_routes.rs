//! Per-cluster API server URLs (`/aksemu/clusters/{resourceUID}/…`), which
//! kubeconfigs point at. Only `/version` answers so far.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use crate::AppState;
use crate::render::json_response;

pub async fn version(State(state): State<AppState>, Path(uid): Path<String>) -> Response {
    match aksemu_aks::api_server::version(&state.cloud, &uid).await {
        Ok(Some(v)) => json_response(200, &v),
        // Kubernetes' Status object, as an API server answers an unknown path.
        Ok(None) => json_response(
            404,
            &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": "the server could not find the requested resource", "reason": "NotFound", "code": 404}),
        ),
        Err(_) => json_response(
            500,
            &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": "internal error", "reason": "InternalError", "code": 500}),
        ),
    }
}
