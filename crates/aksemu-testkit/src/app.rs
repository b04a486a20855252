//! The cloud in process: a `Cloud` on the memory store with the tenant,
//! subscription and administrator bootstrap makes, ARM's providers and AKS
//! registered as `aksemu serve` registers them. Requests pass the same path as
//! over HTTPS after authentication: parse, the gate, dispatch.

use std::sync::Arc;

use aksemu_arm::{ArmRequest, Cloud, Method, bootstrap};
use aksemu_core::{Principal, PrincipalKind, SystemClock, VirtualClock};
use aksemu_entra::Bootstrap;
use aksemu_identity::grant::app_token_claims;
use aksemu_identity::{ServicePrincipal, SigningKey, mint};
use aksemu_store::{Cond, Store};
use serde_json::{Value, json};

use crate::call::Called;

pub struct TestApp {
    pub cloud: Arc<Cloud>,
    pub boot: Bootstrap,
    /// The bootstrap administrator (Owner on the subscription) and its secret.
    pub admin: Principal,
    pub admin_secret: String,
    pub store: Arc<dyn Store>,
}

impl TestApp {
    /// A fresh cloud; AKS operations take no virtual time.
    pub async fn new() -> Self {
        let store = aksemu_store::open("memory").await.expect("memory store");
        let (boot, creds) = bootstrap::ensure(store.as_ref(), &SystemClock)
            .await
            .expect("bootstrap");
        let admin_secret = creds.expect("a new store's administrator").client_secret;
        let (key, _) = SigningKey::generate("test").expect("signing key");
        let mut registry = aksemu_arm::providers::builtin_registry();
        aksemu_aks::register(&mut registry, 0);
        let settings = aksemu_arm::Settings {
            keys: vec![key],
            token_lifetime_secs: 3600,
            rbac_propagation: Default::default(),
            registry,
            decision_log: aksemu_arm::rbac::decisions::DEFAULT_CAPACITY,
        };
        let clock = Arc::new(VirtualClock::default());
        let cloud = Cloud::new(store.clone(), clock, &boot, settings)
            .await
            .expect("cloud");
        let admin = principal_of(&boot.tenant_id, &boot.admin_object_id, &boot.admin_app_id);
        Self {
            cloud,
            boot,
            admin,
            admin_secret,
            store,
        }
    }

    pub fn subscription(&self) -> &str {
        &self.boot.subscription_id
    }

    /// Calls `method path` (`api-version` added when missing) as `who`; the
    /// answer's status and JSON, an error's as ARM renders it.
    pub async fn call(&self, who: &Principal, method: Method, path: &str, body: Value) -> Called {
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p, q),
            None => (path, ""),
        };
        let mut query: std::collections::HashMap<String, String> =
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
        query
            .entry("api-version".into())
            .or_insert_with(|| "2024-11-01".into());
        let req = ArmRequest {
            method,
            path: path.to_string(),
            query,
            if_match: None,
            if_none_match: None,
            body: if body.is_null() {
                Vec::new()
            } else {
                body.to_string().into_bytes()
            },
            base_url: "https://localhost:1".to_string(),
        };
        match aksemu_arm::handle(&self.cloud, who, &req).await {
            Ok(r) => {
                let raw = r.raw_body.and_then(|t| serde_json::from_str(&t).ok());
                (r.status, r.body.or(raw).unwrap_or(Value::Null))
            }
            Err(e) => (e.status(), e.to_body()),
        }
    }

    /// Creates the resource group `name` (in westus2) and returns its path.
    pub async fn group(&self, name: &str) -> String {
        let path = format!(
            "/subscriptions/{}/resourceGroups/{name}",
            self.subscription()
        );
        let body = json!({"location": "westus2"});
        let (status, answer) = self.call(&self.admin, Method::Put, &path, body).await;
        assert!(status == 200 || status == 201, "creating {name}: {answer}");
        path
    }

    /// A new service principal (and its application) in the directory, with no roles.
    pub async fn principal(&self, name: &str) -> Principal {
        let who = principal_of(
            &self.boot.tenant_id,
            &uuid::Uuid::new_v4().to_string(),
            &uuid::Uuid::new_v4().to_string(),
        );
        let sp = service_principal(&who, name);
        let writes = aksemu_entra::directory::put_service_principal(&sp, Cond::Absent);
        self.store.apply(writes).await.expect("principal");
        who
    }

    /// Grants `role` (a GUID) at `scope` to `who`, as the administrator.
    pub async fn grant(&self, who: &Principal, role: &str, scope: &str) {
        let name = uuid::Uuid::new_v4();
        let path = format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}");
        let body = json!({"properties": {
            "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{role}"),
            "principalId": who.object_id,
            "principalType": "ServicePrincipal",
        }});
        let (status, answer) = self.call(&self.admin, Method::Put, &path, body).await;
        assert_eq!(status, 201, "granting {role} at {scope}: {answer}");
    }

    /// An ARM access token for `who`, signed with the cloud's key.
    pub fn token(&self, who: &Principal) -> String {
        self.token_for(who, "https://management.azure.com/")
    }

    /// An access token for `who` with the audience `resource`.
    pub fn token_for(&self, who: &Principal, resource: &str) -> String {
        let sp = service_principal(who, "");
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = app_token_claims(&sp, resource, now, 3600, "1");
        let key = self.cloud.entra.signing_key().expect("a signing key");
        mint(key, &claims)
    }
}

/// A request as a surface hands it on: no query, a JSON body unless `Null`.
pub fn request(method: Method, path: &str, body: Value) -> ArmRequest {
    ArmRequest {
        method,
        path: path.to_string(),
        query: Default::default(),
        if_match: None,
        if_none_match: None,
        body: if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        },
        base_url: "https://localhost:1".to_string(),
    }
}

/// An application's service principal for `who`.
fn service_principal(who: &Principal, name: &str) -> ServicePrincipal {
    ServicePrincipal {
        id: who.object_id.clone(),
        app_id: who.app_id.clone(),
        display_name: name.to_string(),
        tenant_id: who.tenant_id.clone(),
        service_principal_type: "Application".to_string(),
        service_principal_names: Vec::new(),
        account_enabled: true,
    }
}

fn principal_of(tenant_id: &str, object_id: &str, app_id: &str) -> Principal {
    Principal {
        object_id: object_id.to_string(),
        app_id: app_id.to_string(),
        tenant_id: tenant_id.to_string(),
        kind: PrincipalKind::Application,
        groups: Vec::new(),
    }
}
