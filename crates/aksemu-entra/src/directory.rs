//! Directory objects in the store. Applications and service principals are keyed by
//! object id; an index per kind maps `{tenant}/{appId}` to the object id, written in
//! the same transaction, so the token endpoint finds a client by its appId and
//! Graph and RBAC find a principal by its object id.

use aksemu_core::ArmError;
use aksemu_identity::{Application, ServicePrincipal};
use aksemu_store::{Cond, Doc, Write};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use aksemu_store::store_err;

use crate::Entra;
use crate::collections::{APP_IDS, APPLICATIONS, SERVICE_PRINCIPALS, SP_APP_IDS, directory_key};

pub fn object_key(object_id: &str) -> String {
    object_id.to_lowercase()
}

pub(crate) fn parse<T: DeserializeOwned>(doc: Doc) -> Result<(Doc, T), ArmError> {
    let v = serde_json::from_value(doc.body.clone()).map_err(|_| ArmError::InternalServerError)?;
    Ok((doc, v))
}

impl Entra {
    pub(crate) async fn by_index<T: DeserializeOwned>(
        &self,
        index: &str,
        coll: &str,
        tenant_id: &str,
        app_id: &str,
    ) -> Result<Option<(Doc, T)>, ArmError> {
        let Some(ix) = self
            .store
            .get(index, &directory_key(tenant_id, app_id))
            .await
            .map_err(store_err)?
        else {
            return Ok(None);
        };
        let Some(object_id) = ix.body["objectId"].as_str() else {
            return Ok(None);
        };
        self.store
            .get(coll, &object_key(object_id))
            .await
            .map_err(store_err)?
            .map(parse)
            .transpose()
    }

    pub async fn application_by_app_id(
        &self,
        tenant_id: &str,
        app_id: &str,
    ) -> Result<Option<(Doc, Application)>, ArmError> {
        self.by_index(APP_IDS, APPLICATIONS, tenant_id, app_id)
            .await
    }

    pub async fn service_principal_by_app_id(
        &self,
        tenant_id: &str,
        app_id: &str,
    ) -> Result<Option<(Doc, ServicePrincipal)>, ArmError> {
        self.by_index(SP_APP_IDS, SERVICE_PRINCIPALS, tenant_id, app_id)
            .await
    }

    pub async fn application(
        &self,
        object_id: &str,
    ) -> Result<Option<(Doc, Application)>, ArmError> {
        self.store
            .get(APPLICATIONS, &object_key(object_id))
            .await
            .map_err(store_err)?
            .map(parse)
            .transpose()
    }

    pub async fn service_principal(
        &self,
        object_id: &str,
    ) -> Result<Option<(Doc, ServicePrincipal)>, ArmError> {
        self.store
            .get(SERVICE_PRINCIPALS, &object_key(object_id))
            .await
            .map_err(store_err)?
            .map(parse)
            .transpose()
    }
}

/// An object and its `{tenant}/{appId}` index entry, written together.
pub(crate) fn put_indexed(
    coll: &'static str,
    index: &'static str,
    object_id: &str,
    tenant_id: &str,
    app_id: &str,
    body: Value,
    cond: Cond,
) -> Vec<Write> {
    let index_cond = if cond == Cond::Absent {
        Cond::Absent
    } else {
        Cond::Any
    };
    vec![
        Write::Put {
            coll,
            key: object_key(object_id),
            id: object_id.to_string(),
            body,
            cond,
        },
        Write::Put {
            coll: index,
            key: directory_key(tenant_id, app_id),
            id: app_id.to_string(),
            body: json!({ "objectId": object_id }),
            cond: index_cond,
        },
    ]
}

pub(crate) fn delete_indexed(
    coll: &'static str,
    index: &'static str,
    object_id: &str,
    tenant_id: &str,
    app_id: &str,
) -> Vec<Write> {
    vec![
        Write::Delete {
            coll,
            key: object_key(object_id),
            cond: Cond::Any,
        },
        Write::Delete {
            coll: index,
            key: directory_key(tenant_id, app_id),
            cond: Cond::Any,
        },
    ]
}

/// Writes an application and its appId index.
pub fn put_application(app: &Application, cond: Cond) -> Vec<Write> {
    let body = serde_json::to_value(app).unwrap_or_default();
    put_indexed(
        APPLICATIONS,
        APP_IDS,
        &app.id,
        &app.tenant_id,
        &app.app_id,
        body,
        cond,
    )
}

/// Writes a service principal and its appId index.
pub fn put_service_principal(sp: &ServicePrincipal, cond: Cond) -> Vec<Write> {
    let body = serde_json::to_value(sp).unwrap_or_default();
    put_indexed(
        SERVICE_PRINCIPALS,
        SP_APP_IDS,
        &sp.id,
        &sp.tenant_id,
        &sp.app_id,
        body,
        cond,
    )
}

pub fn delete_application(app: &Application) -> Vec<Write> {
    delete_indexed(APPLICATIONS, APP_IDS, &app.id, &app.tenant_id, &app.app_id)
}

pub fn delete_service_principal(sp: &ServicePrincipal) -> Vec<Write> {
    delete_indexed(
        SERVICE_PRINCIPALS,
        SP_APP_IDS,
        &sp.id,
        &sp.tenant_id,
        &sp.app_id,
    )
}
