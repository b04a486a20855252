//! Where federated identity credentials are kept (`FEDERATED_CREDENTIALS`,
//! keyed under their identity's key) and how they are read back: by the
//! provider that serves them and by the token endpoint (through
//! `ResourceIdentities`), which must not depend on the providers.

use aksemu_core::{ArmError, ResourceId};
use aksemu_identity::federation::FederatedCredential;
use aksemu_store::read_only::ReadOnly;
use aksemu_store::{Doc, Write, store_err};
use serde_json::Value;

/// Credentials by `<identity key>/federatedidentitycredentials/<name>`.
pub const FEDERATED_CREDENTIALS: &str = "federatedCredentials";

pub fn prefix(identity_key: &str) -> String {
    format!("{identity_key}/federatedidentitycredentials/")
}

/// A document per identity that every credential write rewrites under its
/// etag: two writes at once cannot both pass the count and pair checks.
pub fn guard_key(identity_key: &str) -> String {
    format!("{identity_key}/federatedidentitycredentialsguard")
}

/// Every credential of identity `key`.
pub async fn of_identity(store: &ReadOnly<'_>, key: &str) -> Result<Vec<Doc>, ArmError> {
    store
        .list(FEDERATED_CREDENTIALS, &prefix(key))
        .await
        .map_err(store_err)
}

/// What the token endpoint matches an assertion against.
pub fn credential(doc: &Doc) -> FederatedCredential {
    let p = &doc.body["properties"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    FederatedCredential {
        id: String::new(),
        name: text(&doc.body["name"]),
        issuer: text(&p["issuer"]),
        subject: text(&p["subject"]),
        audiences: p["audiences"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect(),
        description: None,
    }
}

/// The delete of an identity's credentials (it is being deleted): by prefix,
/// in the same batch, so one written meanwhile goes too.
pub async fn removal(_store: &ReadOnly<'_>, identity_key: &str) -> Result<Vec<Write>, ArmError> {
    Ok(vec![
        Write::DeletePrefix {
            coll: FEDERATED_CREDENTIALS,
            prefix: prefix(identity_key),
        },
        Write::Delete {
            coll: FEDERATED_CREDENTIALS,
            key: guard_key(identity_key),
            cond: aksemu_store::Cond::Any,
        },
    ])
}

/// The credentials the token endpoint checks for identity `id`.
pub async fn for_identity(
    store: &ReadOnly<'_>,
    id: &ResourceId,
) -> Result<Vec<FederatedCredential>, ArmError> {
    Ok(of_identity(store, id.key())
        .await?
        .iter()
        .map(credential)
        .collect())
}
