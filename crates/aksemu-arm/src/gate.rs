//! The one authorisation gate: resolves the subscription, then asks the RBAC
//! evaluator for the endpoint's action at its scope. Nothing reaches a provider
//! without the `Authorized` this returns.

use aksemu_authz::{Authorized, check_tenant_member};
use aksemu_core::{ArmError, Principal, ResourceId};

use crate::cloud::{Cloud, store_err};
use crate::collections::SUBSCRIPTIONS;
use crate::endpoint::{Access, Endpoint};
use crate::lro::Operation;

pub async fn authorize(
    cloud: &Cloud,
    principal: &Principal,
    endpoint: &Endpoint,
) -> Result<Authorized, ArmError> {
    if let Some(sub) = endpoint.subscription()
        && !sub.eq_ignore_ascii_case(&cloud.subscription_id)
    {
        let key = ResourceId::subscription(sub).key().to_string();
        if cloud
            .store
            .get(SUBSCRIPTIONS, &key)
            .await
            .map_err(store_err)?
            .is_none()
        {
            return Err(ArmError::SubscriptionNotFound(sub.to_string()));
        }
    }
    let (action, scope) = match endpoint.access() {
        Access::TenantMember(action) => {
            return check_tenant_member(principal, &cloud.tenant_id, action);
        }
        Access::Scope { action, scope } => (action, scope),
        Access::OperationTarget => {
            let Endpoint::OperationStatus { id, .. } = endpoint else {
                return Err(ArmError::InternalServerError);
            };
            let op = Operation::load(cloud, id).await?;
            // Whoever may read the target may follow its operation (the target may
            // be gone by now; the scope still names it).
            let scope = ResourceId::parse(&op.target_id)?;
            (op.read_action(), scope)
        }
    };
    cloud.check(principal, action, &scope)
}

/// Convenience for operation records: the key of an operation id.
pub fn operation_key(id: &str) -> String {
    id.to_lowercase()
}
