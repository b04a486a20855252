//! The ARM gate: resolves the subscription and what the endpoint needs, then
//! asks the one decision (`aksemu_authz::authorize`) against the RBAC index.
//! Nothing reaches a provider without the `Authorized` this returns.

use aksemu_authz::{Authorized, Requirement, authorize as decide};
use aksemu_core::{ArmError, Principal, ResourceId};
use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::SUBSCRIPTIONS;
use crate::endpoint::{Access, Endpoint};
use crate::operation::Operation;
use crate::rbac::decisions::Outcome;

pub async fn authorize(
    cloud: &Cloud,
    principal: &Principal,
    endpoint: &Endpoint,
) -> Result<Authorized, ArmError> {
    if let Some(sub) = endpoint.subscription() {
        require_subscription(cloud, sub).await?;
    }
    match endpoint.access() {
        Access::TenantMember(action) => {
            decide_now(cloud, principal, Requirement::TenantMember { action })
        }
        Access::Scope { action, scope } => decide_now(
            cloud,
            principal,
            Requirement::Scope {
                action,
                scope: &scope,
            },
        ),
        Access::OperationTarget => {
            let Endpoint::OperationStatus { id, .. } = endpoint else {
                return Err(ArmError::InternalServerError);
            };
            let op = Operation::load(cloud.store(), id).await?;
            // Whoever may read the target may follow its operation (the target may
            // be gone by now; the scope still names it).
            let scope = ResourceId::parse(&op.target_id)?;
            let action = op.read_action.as_str();
            decide_now(
                cloud,
                principal,
                Requirement::Scope {
                    action,
                    scope: &scope,
                },
            )
        }
    }
}

/// A data action at `scope` (a request inside a resource: a Kubernetes call on
/// an Azure RBAC cluster), decided by the same evaluator and clock.
pub fn authorize_data(
    cloud: &Cloud,
    principal: &Principal,
    action: &str,
    scope: &ResourceId,
) -> Result<Authorized, ArmError> {
    decide_now(cloud, principal, Requirement::DataAction { action, scope })
}

/// A subscription other than the cloud's own must exist.
async fn require_subscription(cloud: &Cloud, sub: &str) -> Result<(), ArmError> {
    if sub.eq_ignore_ascii_case(&cloud.subscription_id) {
        return Ok(());
    }
    let key = ResourceId::subscription(sub).key().to_string();
    match cloud
        .store()
        .get(SUBSCRIPTIONS, &key)
        .await
        .map_err(store_err)?
    {
        Some(_) => Ok(()),
        None => Err(ArmError::SubscriptionNotFound(sub.to_string())),
    }
}

fn decide_now(
    cloud: &Cloud,
    principal: &Principal,
    req: Requirement<'_>,
) -> Result<Authorized, ArmError> {
    let index = cloud.rbac.index();
    let now = cloud.clock.now().unix_timestamp();
    let decider = cloud.decider(Some(&index), now);
    let result = decide(principal, req, &decider);
    drop(index);
    let (action, scope, data) = match req {
        Requirement::TenantMember { action } | Requirement::Administrator { action } => {
            (action, "/", false)
        }
        Requirement::Scope { action, scope } => (action, scope.as_str(), false),
        Requirement::DataAction { action, scope } => (action, scope.as_str(), true),
    };
    let outcome = Outcome {
        principal,
        action,
        scope,
        data,
        at: now,
    };
    cloud.rbac.decisions.record(outcome, result.as_ref().err());
    result
}
