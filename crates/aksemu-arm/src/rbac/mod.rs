//! The RBAC service: the in-memory assignment index and custom role
//! definitions, kept in step with the store. Built from the store at start;
//! reloaded for a principal after a change to its assignments, and whole when
//! another replica changed something. Decisions that make an `Authorized` are
//! the gate's; this answers the yes/no questions around it (list filters,
//! linked checks).

pub mod custom_role;
pub mod decisions;
pub mod document;
pub mod propagation;
mod stored;

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use aksemu_authz::{AssignmentIndex, RoleDefinition, builtin::builtin_role};
use aksemu_core::{ArmError, Clock, Principal, ResourceId};
use aksemu_store::{Cond, Store, Write, store_err};
use serde_json::json;

use crate::collections::{ASSIGNMENTS_BY_PRINCIPAL, META, ROLE_DEFINITIONS};
use custom_role::CustomRole;
use decisions::{DecisionLog, Outcome};
use propagation::Propagation;
use stored::assignment_of;

/// The `meta` key every change to assignments or definitions rewrites, so other
/// replicas notice.
pub const RBAC_VERSION: &str = "rbacVersion";

/// The write that tells other replicas the RBAC data changed.
pub fn rbac_changed() -> Write {
    Write::Put {
        coll: META,
        key: RBAC_VERSION.to_string(),
        id: RBAC_VERSION.to_string(),
        body: json!({ "version": uuid::Uuid::new_v4().to_string() }),
        cond: Cond::Any,
    }
}

/// What a batch of writes changes of the RBAC data: whose assignments (the
/// by-principal rows are keyed `{principal}|…`) and whether custom roles.
#[derive(Default)]
pub struct Touched {
    pub principals: std::collections::BTreeSet<String>,
    pub roles: bool,
}

impl Touched {
    pub fn of(writes: &[Write]) -> Self {
        let mut t = Self::default();
        for w in writes {
            let (coll, key) = match w {
                Write::Put { coll, key, .. } | Write::Delete { coll, key, .. } => (*coll, key),
                Write::DeletePrefix { coll, prefix } => (*coll, prefix),
            };
            if coll == ROLE_DEFINITIONS {
                t.roles = true;
            } else if coll == ASSIGNMENTS_BY_PRINCIPAL
                && let Some((principal, _)) = key.split_once('|')
            {
                t.principals.insert(principal.to_string());
            }
        }
        t
    }

    pub fn is_empty(&self) -> bool {
        self.principals.is_empty() && !self.roles
    }
}

pub struct Rbac {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    index: RwLock<AssignmentIndex>,
    custom_roles: RwLock<HashMap<String, RoleDefinition>>,
    /// Virtual time before a new role assignment grants (and a deleted one stops).
    propagation: Propagation,
    /// Every decision made against the index, for the console.
    pub decisions: DecisionLog,
}

impl Rbac {
    /// Loads every assignment (tombstones included) and custom role.
    pub async fn load(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        propagation: Propagation,
        decisions: DecisionLog,
    ) -> Result<Self, ArmError> {
        let custom = load_custom_roles(store.as_ref()).await?;
        let rbac = Self {
            store,
            clock,
            index: RwLock::new(AssignmentIndex::default()),
            custom_roles: RwLock::new(custom),
            propagation,
            decisions,
        };
        rbac.reload_all_assignments().await?;
        Ok(rbac)
    }

    /// Brings the index in step with a committed batch.
    pub async fn reload(&self, touched: &Touched) -> Result<(), ArmError> {
        if touched.roles {
            self.reload_custom_roles().await?;
        }
        for p in &touched.principals {
            self.reload_assignments(p).await?;
        }
        Ok(())
    }

    pub fn propagation(&self) -> Propagation {
        self.propagation
    }

    /// The index as it is now (for the gate's decision).
    pub fn index(&self) -> RwLockReadGuard<'_, AssignmentIndex> {
        self.index.read().unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> i64 {
        self.clock.now().unix_timestamp()
    }

    /// Reloads one principal's assignments from the store into the index, after a
    /// change to them was committed.
    pub async fn reload_assignments(&self, principal_id: &str) -> Result<(), ArmError> {
        let prefix = format!("{}|", principal_id.to_lowercase());
        let docs = self
            .store
            .list(ASSIGNMENTS_BY_PRINCIPAL, &prefix)
            .await
            .map_err(store_err)?;
        let now = self.now();
        let fresh = docs
            .iter()
            .filter_map(|d| assignment_of(d, self.propagation, now))
            .collect();
        let custom = self.custom_roles_snapshot();
        let mut index = self.index.write().unwrap_or_else(|p| p.into_inner());
        index.replace(principal_id, fresh);
        index.resolve_roles(|g| resolve_role(g, &custom));
        Ok(())
    }

    /// Reloads every principal's assignments (at start, or another replica
    /// changed some).
    pub async fn reload_all_assignments(&self) -> Result<(), ArmError> {
        // By principal: that collection also holds deleted assignments that still
        // propagate (tombstones).
        let all = self
            .store
            .list(ASSIGNMENTS_BY_PRINCIPAL, "")
            .await
            .map_err(store_err)?;
        let now = self.now();
        let mut index = AssignmentIndex::from_assignments(
            all.iter()
                .filter_map(|d| assignment_of(d, self.propagation, now)),
        );
        let custom = self.custom_roles_snapshot();
        index.resolve_roles(|g| resolve_role(g, &custom));
        *self.index.write().unwrap_or_else(|p| p.into_inner()) = index;
        Ok(())
    }

    /// Reloads custom role definitions after one changed.
    pub async fn reload_custom_roles(&self) -> Result<(), ArmError> {
        let fresh = load_custom_roles(self.store.as_ref()).await?;
        *self.custom_roles.write().unwrap_or_else(|p| p.into_inner()) = fresh.clone();
        // One lock at a time (never the roles' inside the index's): no lock-order cycle.
        self.index
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .resolve_roles(|g| resolve_role(g, &fresh));
        Ok(())
    }

    fn custom_roles_snapshot(&self) -> HashMap<String, RoleDefinition> {
        self.custom_roles
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn custom_role(&self, guid: &str) -> Option<RoleDefinition> {
        self.custom_roles
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&guid.to_lowercase())
            .cloned()
    }

    /// A stored role assignment as the evaluator sees it now, with its
    /// propagation window; `None` once it no longer counts at all.
    pub fn evaluated(&self, d: &aksemu_store::Doc) -> Option<aksemu_authz::Assignment> {
        assignment_of(d, self.propagation, self.now())
    }

    /// The name of a role definition (built-in or custom) by its id.
    pub fn role_name(&self, role_definition_id: &str) -> String {
        let guid = aksemu_authz::role::role_guid(role_definition_id);
        match builtin_role(&guid) {
            Some(r) => r.role_name.clone(),
            None => self
                .custom_role(&guid)
                .map(|r| r.role_name)
                .unwrap_or_else(|| guid.clone()),
        }
    }

    /// Whether the caller holds any role at, above or below `scope` (how Azure
    /// decides which subscriptions a principal sees).
    pub fn has_access_around(&self, principal: &Principal, scope: &ResourceId) -> bool {
        let index = self.index();
        ids(principal).any(|id| index.has_any_around(id, scope.key()))
    }

    /// Whether the caller may perform `action` at `scope`: for filtering list
    /// results item by item, after the endpoint itself was authorised.
    pub fn allows(&self, principal: &Principal, action: &str, scope: &ResourceId) -> bool {
        let (index, now) = (self.index(), self.now());
        ids(principal).any(|id| index.allows(id, action, scope.key(), now))
    }

    /// Whether the caller holds the data action `action` at `scope` (a
    /// question on its behalf, not a request: not recorded).
    pub fn allows_data(&self, principal: &Principal, action: &str, scope: &ResourceId) -> bool {
        let (index, now) = (self.index(), self.now());
        let kind = aksemu_authz::ActionKind::Data;
        ids(principal).any(|id| index.allows_kind(id, action, scope.key(), now, kind))
    }

    /// A linked check (an action on a second resource the request uses, an
    /// image pull): `allows`, recorded in the decision log.
    pub fn check(&self, principal: &Principal, action: &str, scope: &ResourceId) -> bool {
        self.require(principal, action, scope).is_ok()
    }

    /// A linked check with the denial Azure gives and its explanation,
    /// recorded in the decision log; no capability is made.
    pub fn require(
        &self,
        principal: &Principal,
        action: &str,
        scope: &ResourceId,
    ) -> Result<(), ArmError> {
        let now = self.now();
        let index = self.index();
        let result = if ids(principal).any(|id| index.allows(id, action, scope.key(), now)) {
            Ok(())
        } else {
            Err(ArmError::AuthorizationFailed {
                client_id: principal.app_id.clone(),
                object_id: principal.object_id.clone(),
                action: action.to_string(),
                scope: scope.as_str().to_string(),
                explanation: index.explain(&principal.object_id, action, scope.key(), now),
            })
        };
        let outcome = Outcome {
            principal,
            action,
            scope: scope.as_str(),
            data: false,
            at: now,
        };
        self.decisions.record(outcome, result.as_ref().err());
        result
    }
}

/// The ids whose role assignments count for `principal`: its own, then its groups'.
fn ids(principal: &Principal) -> impl Iterator<Item = &String> {
    std::iter::once(&principal.object_id).chain(&principal.groups)
}

/// A role definition by GUID: built-in, or one of the custom roles.
fn resolve_role(guid: &str, custom: &HashMap<String, RoleDefinition>) -> Option<RoleDefinition> {
    builtin_role(guid)
        .cloned()
        .or_else(|| custom.get(&guid.to_lowercase()).cloned())
}

async fn load_custom_roles(store: &dyn Store) -> Result<HashMap<String, RoleDefinition>, ArmError> {
    Ok(store
        .list(ROLE_DEFINITIONS, "")
        .await
        .map_err(store_err)?
        .into_iter()
        .filter_map(|d| serde_json::from_value::<CustomRole>(d.body).ok())
        .map(|c| (c.name.to_lowercase(), c.definition()))
        .collect())
}
