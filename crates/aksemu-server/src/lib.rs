//! HTTP glue: TLS, the accept loop, routers per surface (ARM, login, metadata),
//! and the one place where `ArmError`/`OAuthError` become HTTP responses.

pub mod admin_routes;
pub mod arm_routes;
pub mod base_url;
pub mod cluster_cloud;
pub mod cluster_routes;
pub mod console;
pub mod graph_routes;
pub mod image_pulls;
pub mod imds_routes;
pub mod kube_clusters;
pub mod listen;
pub mod login_routes;
pub mod oidc_routes;
pub mod pod_shell;
pub mod proxy;
pub mod registry_routes;
pub mod render;
pub mod serve;
pub mod timing;
pub mod tls;

use std::sync::Arc;

use aksemu_arm::Cloud;
use axum::Router;
use axum::routing::{any, get, post};

#[derive(Clone)]
pub struct AppState {
    pub cloud: Arc<Cloud>,
    pub kube: Arc<aksemu_kube::KubeApi>,
    /// Where the server writes files for processes on this machine (pods'
    /// token files): the data dir.
    pub files: Arc<std::path::PathBuf>,
    /// The web console's sign-in links and sessions.
    pub console: Arc<console::sessions::Sessions>,
}

/// Every surface on one router: tenant-scoped login paths, cloud metadata, the
/// clusters' Kubernetes APIs, and ARM
/// for everything else (ARM paths are matched case-insensitively by its own parser).
pub fn router(
    cloud: Arc<Cloud>,
    kube: Arc<aksemu_kube::KubeApi>,
    files: std::path::PathBuf,
) -> Router {
    let r = Router::new()
        .route("/metadata/endpoints", get(arm_routes::metadata))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(login_routes::openid_v2),
        )
        .route(
            "/{tenant}/.well-known/openid-configuration",
            get(login_routes::openid_v1),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(login_routes::jwks_v2))
        .route("/{tenant}/discovery/keys", get(login_routes::jwks_v1))
        .route(
            "/common/userrealm/{username}",
            get(login_routes::user_realm),
        )
        .route(
            "/{tenant}/discovery/instance",
            get(login_routes::instance_discovery),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(login_routes::token_v2))
        .route("/{tenant}/oauth2/token", post(login_routes::token_v1))
        .route("/v1.0/{*rest}", any(graph_routes::graph))
        .route("/aksemu/admin/hosts", post(admin_routes::create_host))
        .route("/aksemu/admin/pods", post(admin_routes::pod_shell))
        .route("/aksemu/admin/explain", post(admin_routes::explain))
        .route(
            "/aksemu/oidc/{region}/{tenant}/{uid}/{*rest}",
            get(oidc_routes::document),
        )
        .route("/aksemu/clusters/{uid}", any(cluster_routes::root))
        .route("/aksemu/clusters/{uid}/{*rest}", any(cluster_routes::path))
        .route(
            "/aksemu/admin/clock",
            get(admin_routes::clock_show).post(admin_routes::clock_move),
        )
        .merge(console::routes())
        .fallback(arm_routes::arm);
    // Only when asked for: the layer costs a little on every request.
    let r = if timing::enabled() {
        r.layer(axum::middleware::from_fn(timing::record))
    } else {
        r
    };
    let state = AppState {
        cloud,
        kube,
        files: Arc::new(files),
        console: Arc::default(),
    };
    // Requests naming a registry host go to that registry.
    let r = r.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        registry_routes::by_host,
    ));
    // HTTP/2 requests carry their authority in the URI, not in `Host`: give
    // every handler the same view of the address the client used.
    r.layer(axum::middleware::map_request(base_url::host_from_authority))
        .with_state(state)
}
