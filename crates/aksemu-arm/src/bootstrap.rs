//! First start: a tenant, a subscription, and an administrator service principal
//! (application + service principal + a non-expiring secret) holding Owner on the
//! subscription, written in one transaction. Later starts find the record.

use aksemu_authz::builtin::OWNER;
use aksemu_core::{ArmError, Clock, ResourceId};
use aksemu_identity::{Application, PasswordCredential, ServicePrincipal, secret};
use aksemu_store::{Cond, Store, StoreError, Write};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::collections::{META, SUBSCRIPTIONS, TENANTS};
use crate::providers::role_assignments::writes_for;
use crate::rbac::document::{AssignmentProperties, StoredAssignment};
use aksemu_entra::collections::{APP_IDS, APPLICATIONS, directory_key};
use aksemu_entra::directory::{object_key, put_application, put_service_principal};
use aksemu_store::store_err;

pub const TENANT_DOMAIN: &str = "aksemu.onmicrosoft.com";
const BOOTSTRAP_KEY: &str = "bootstrap";

pub use aksemu_entra::Bootstrap;

/// The administrator's credentials, known only when a secret is created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminCredentials {
    pub tenant_id: String,
    pub subscription_id: String,
    pub client_id: String,
    pub client_secret: String,
}

fn guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn new_password(clock: &dyn Clock, display_name: &str) -> (String, PasswordCredential) {
    let text = secret::generate();
    let cred = PasswordCredential {
        key_id: guid(),
        display_name: Some(display_name.to_string()),
        hint: text.chars().take(3).collect(),
        secret_hash: secret::hash(&text),
        start_date_time: clock.now(),
        end_date_time: None,
    };
    (text, cred)
}

/// The administrator: an application with `cred`, and its service principal.
fn administrator(b: &Bootstrap, cred: PasswordCredential) -> (Application, ServicePrincipal) {
    let app = Application {
        id: guid(),
        app_id: b.admin_app_id.clone(),
        display_name: "aksemu-admin".to_string(),
        tenant_id: b.tenant_id.clone(),
        password_credentials: vec![cred],
        federated_identity_credentials: Vec::new(),
    };
    let sp = ServicePrincipal {
        id: b.admin_object_id.clone(),
        app_id: b.admin_app_id.clone(),
        display_name: "aksemu-admin".to_string(),
        tenant_id: b.tenant_id.clone(),
        service_principal_type: "Application".to_string(),
        service_principal_names: vec![b.admin_app_id.clone()],
        account_enabled: true,
    };
    (app, sp)
}

/// The bootstrap record, the tenant and the subscription.
fn cloud_records(b: &Bootstrap, sub: &ResourceId) -> Result<Vec<Write>, ArmError> {
    Ok(vec![
        Write::Put {
            coll: META,
            key: BOOTSTRAP_KEY.to_string(),
            id: BOOTSTRAP_KEY.to_string(),
            body: serde_json::to_value(b).map_err(|_| ArmError::InternalServerError)?,
            cond: Cond::Absent,
        },
        Write::Put {
            coll: TENANTS,
            key: b.tenant_id.clone(),
            id: b.tenant_id.clone(),
            body: json!({"tenantId": b.tenant_id, "displayName": "aksemu", "defaultDomain": b.tenant_domain, "domains": [b.tenant_domain]}),
            cond: Cond::Absent,
        },
        Write::Put {
            coll: SUBSCRIPTIONS,
            key: sub.key().to_string(),
            id: sub.as_str().to_string(),
            body: json!({"subscriptionId": b.subscription_id, "tenantId": b.tenant_id, "displayName": "aksemu subscription", "state": "Enabled"}),
            cond: Cond::Absent,
        },
    ])
}

/// Owner on the subscription for the administrator.
fn owner_assignment(
    clock: &dyn Clock,
    sub: &ResourceId,
    principal_id: &str,
) -> Result<Vec<Write>, ArmError> {
    let now = aksemu_core::clock::rfc3339(clock.now());
    let properties = AssignmentProperties {
        role_definition_id: format!(
            "{}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}",
            sub.as_str()
        ),
        principal_id: principal_id.to_string(),
        principal_type: Some("ServicePrincipal".to_string()),
        scope: sub.as_str().to_string(),
        created_on: Some(now.clone()),
        updated_on: Some(now),
        description: Some("aksemu bootstrap administrator".to_string()),
        ..AssignmentProperties::default()
    };
    writes_for(
        &StoredAssignment::new(sub, &guid(), properties),
        Cond::Absent,
    )
}

/// Returns the cloud's identity, creating it on first start (then with the
/// administrator's new secret).
pub async fn ensure(
    store: &dyn Store,
    clock: &dyn Clock,
) -> Result<(Bootstrap, Option<AdminCredentials>), ArmError> {
    if let Some(doc) = store.get(META, BOOTSTRAP_KEY).await.map_err(store_err)? {
        let b: Bootstrap =
            serde_json::from_value(doc.body).map_err(|_| ArmError::InternalServerError)?;
        return Ok((b, None));
    }
    let b = Bootstrap {
        tenant_id: guid(),
        tenant_domain: TENANT_DOMAIN.to_string(),
        subscription_id: guid(),
        admin_app_id: guid(),
        admin_object_id: guid(),
    };
    let (secret_text, cred) = new_password(clock, "aksemu administrator");
    let (app, sp) = administrator(&b, cred);
    let sub = ResourceId::subscription(&b.subscription_id);
    let mut writes = cloud_records(&b, &sub)?;
    writes.extend(owner_assignment(clock, &sub, &sp.id)?);
    writes.extend(put_application(&app, Cond::Absent));
    writes.extend(put_service_principal(&sp, Cond::Absent));
    match store.apply(writes).await {
        Ok(_) => Ok((
            b.clone(),
            Some(AdminCredentials {
                tenant_id: b.tenant_id,
                subscription_id: b.subscription_id,
                client_id: b.admin_app_id,
                client_secret: secret_text,
            }),
        )),
        // Another replica bootstrapped first: use its record.
        Err(StoreError::AlreadyExists { .. }) => Box::pin(ensure(store, clock)).await,
        Err(e) => Err(store_err(e)),
    }
}

/// Adds a fresh secret to the administrator application (when the data dir lost
/// its credentials file, e.g. a new data dir on a shared PostgreSQL store).
pub async fn new_admin_secret(
    store: &dyn Store,
    clock: &dyn Clock,
    b: &Bootstrap,
) -> Result<AdminCredentials, ArmError> {
    let index = store
        .get(APP_IDS, &directory_key(&b.tenant_id, &b.admin_app_id))
        .await
        .map_err(store_err)?
        .ok_or(ArmError::InternalServerError)?;
    let object_id = index.body["objectId"].as_str().unwrap_or_default();
    let doc = store
        .get(APPLICATIONS, &object_key(object_id))
        .await
        .map_err(store_err)?
        .ok_or(ArmError::InternalServerError)?;
    let mut app: Application =
        serde_json::from_value(doc.body).map_err(|_| ArmError::InternalServerError)?;
    let (secret_text, cred) = new_password(clock, "aksemu administrator");
    app.password_credentials.push(cred);
    store
        .apply(put_application(&app, Cond::Etag(doc.etag)))
        .await
        .map_err(store_err)?;
    Ok(AdminCredentials {
        tenant_id: b.tenant_id.clone(),
        subscription_id: b.subscription_id.clone(),
        client_id: b.admin_app_id.clone(),
        client_secret: secret_text,
    })
}
