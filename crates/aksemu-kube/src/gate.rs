//! The one place a Kubernetes request is authorized: `system:masters` passes
//! (as kube-apiserver's privileged-group authorizer), everyone else is judged
//! by the cluster's RBAC objects. Only this module makes an `Authorized`.

use serde_json::Value;

use crate::KubeApi;
use crate::azure_rbac;
use crate::error::KubeError;
use crate::objects;
use crate::rbac::{self, Attributes, Decision, Policy, UserInfo};
use crate::resources::find;
use crate::users::MASTERS;

/// Proof that the caller may do what it asked.
#[derive(Debug)]
pub struct Authorized {
    user: UserInfo,
}

impl Authorized {
    pub fn user(&self) -> &UserInfo {
        &self.user
    }
}

/// The cluster's RBAC objects.
struct Loaded {
    roles: Vec<Value>,
    cluster_roles: Vec<Value>,
    role_bindings: Vec<Value>,
    cluster_role_bindings: Vec<Value>,
}

async fn load(api: &KubeApi, uid: &str, plural: &str) -> Result<Vec<Value>, KubeError> {
    let Some(rt) = find("rbac.authorization.k8s.io", "v1", plural) else {
        return Ok(Vec::new());
    };
    Ok(objects::list(api, uid, rt, None).await?.0)
}

async fn policy(api: &KubeApi, uid: &str) -> Result<Loaded, KubeError> {
    Ok(Loaded {
        roles: load(api, uid, "roles").await?,
        cluster_roles: load(api, uid, "clusterroles").await?,
        role_bindings: load(api, uid, "rolebindings").await?,
        cluster_role_bindings: load(api, uid, "clusterrolebindings").await?,
    })
}

impl Loaded {
    fn as_policy(&self) -> Policy<'_> {
        Policy {
            roles: &self.roles,
            cluster_roles: &self.cluster_roles,
            role_bindings: &self.role_bindings,
            cluster_role_bindings: &self.cluster_role_bindings,
        }
    }
}

/// Kubernetes' decision for `user` doing `attrs` in cluster `uid`.
pub async fn decide(
    api: &KubeApi,
    uid: &str,
    user: &UserInfo,
    attrs: &Attributes,
) -> Result<Decision, KubeError> {
    if user.groups.iter().any(|g| g == MASTERS) {
        return Ok(Decision {
            allowed: true,
            reason: String::new(),
        });
    }
    // AKS's webhook first (an allow suffices), then Kubernetes RBAC; a denial
    // by both carries the webhook's reason.
    let azure = azure_rbac::opinion(api, uid, user, attrs).await;
    if azure == Some(true) {
        return Ok(Decision {
            allowed: true,
            reason: azure_rbac::ALLOWED.to_string(),
        });
    }
    let p = policy(api, uid).await?;
    let mut d = rbac::authorize(user, attrs, &p.as_policy());
    if azure == Some(false) && !d.allowed {
        d.reason = azure_rbac::DENIED.to_string();
    }
    Ok(d)
}

/// The rules `user` has in `namespace` (SelfSubjectRulesReview).
pub async fn rules(
    api: &KubeApi,
    uid: &str,
    user: &UserInfo,
    namespace: &str,
) -> Result<(Vec<Value>, Vec<Value>), KubeError> {
    let p = policy(api, uid).await?;
    Ok(rbac::rules_for(user, namespace, &p.as_policy()))
}

/// Authorizes a request, or answers Kubernetes' exact 403.
pub async fn authorize(
    api: &KubeApi,
    uid: &str,
    user: UserInfo,
    attrs: &Attributes,
) -> Result<Authorized, KubeError> {
    let d = decide(api, uid, &user, attrs).await?;
    if d.allowed {
        return Ok(Authorized { user });
    }
    let mut message = rbac::forbidden_message(&user, attrs);
    if !d.reason.is_empty() {
        message = format!("{message}: {}", d.reason);
    }
    let resource = if attrs.subresource.is_empty() {
        attrs.resource.clone()
    } else {
        format!("{}/{}", attrs.resource, attrs.subresource)
    };
    Err(KubeError::Forbidden(message, resource, attrs.name.clone()))
}
