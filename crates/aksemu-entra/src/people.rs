//! Users and groups in the store: a user is keyed by object id with an index
//! `{tenant}/{userPrincipalName}` written in the same transaction (sign-in
//! finds a user by name); a group holds its direct members.

use aksemu_core::ArmError;
use aksemu_identity::people::member_groups;
use aksemu_identity::{Group, User};
use aksemu_store::{Cond, Doc, Write, store_err};

use crate::Entra;
use crate::collections::{GROUPS, USER_NAMES, USERS};
use crate::directory::{delete_indexed, object_key, parse, put_indexed};

impl Entra {
    /// A user of this tenant by object id or user principal name.
    pub async fn user(&self, id_or_upn: &str) -> Result<Option<(Doc, User)>, ArmError> {
        let found = if id_or_upn.contains('@') {
            self.by_index(USER_NAMES, USERS, &self.tenant_id, id_or_upn)
                .await?
        } else {
            self.store
                .get(USERS, &object_key(id_or_upn))
                .await
                .map_err(store_err)?
                .map(parse)
                .transpose()?
        };
        Ok(found.filter(|(_, u): &(Doc, User)| u.tenant_id == self.tenant_id))
    }

    pub async fn users(&self) -> Result<Vec<User>, ArmError> {
        self.all(USERS).await
    }

    pub async fn groups(&self) -> Result<Vec<Group>, ArmError> {
        self.all(GROUPS).await
    }

    async fn all<T: serde::de::DeserializeOwned + HasTenant>(
        &self,
        coll: &str,
    ) -> Result<Vec<T>, ArmError> {
        let docs = self.store.list(coll, "").await.map_err(store_err)?;
        Ok(docs
            .into_iter()
            .filter_map(|d| serde_json::from_value::<T>(d.body).ok())
            .filter(|x| x.tenant() == self.tenant_id)
            .collect())
    }

    pub async fn group(&self, id: &str) -> Result<Option<(Doc, Group)>, ArmError> {
        let found = self
            .store
            .get(GROUPS, &object_key(id))
            .await
            .map_err(store_err)?
            .map(parse)
            .transpose()?;
        Ok(found.filter(|(_, g): &(Doc, Group)| g.tenant_id == self.tenant_id))
    }

    /// The object ids of the groups `object_id` belongs to, transitively.
    pub async fn member_group_ids(&self, object_id: &str) -> Result<Vec<String>, ArmError> {
        let groups = self.groups().await?;
        Ok(member_groups(object_id, &groups)
            .into_iter()
            .map(|g| g.id.clone())
            .collect())
    }
}

trait HasTenant {
    fn tenant(&self) -> &str;
}

impl HasTenant for User {
    fn tenant(&self) -> &str {
        &self.tenant_id
    }
}

impl HasTenant for Group {
    fn tenant(&self) -> &str {
        &self.tenant_id
    }
}

/// Writes a user and its user-principal-name index.
pub fn put_user(user: &User, cond: Cond) -> Vec<Write> {
    let body = serde_json::to_value(user).unwrap_or_default();
    put_indexed(
        USERS,
        USER_NAMES,
        &user.id,
        &user.tenant_id,
        &user.user_principal_name,
        body,
        cond,
    )
}

pub fn delete_user(user: &User) -> Vec<Write> {
    delete_indexed(
        USERS,
        USER_NAMES,
        &user.id,
        &user.tenant_id,
        &user.user_principal_name,
    )
}

pub fn put_group(group: &Group, cond: Cond) -> Write {
    Write::Put {
        coll: GROUPS,
        key: object_key(&group.id),
        id: group.id.clone(),
        body: serde_json::to_value(group).unwrap_or_default(),
        cond,
    }
}
