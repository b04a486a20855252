//! The record of a long-running operation, as stored and as clients poll it.
//! It names the action that lets a caller follow it (read on its target), so
//! the gate needs only the record.

use aksemu_core::ArmError;
use aksemu_store::read_only::ReadOnly;
use aksemu_store::{Cond, Write, store_err};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::collections::OPERATIONS;
use aksemu_core::request::ArmResponse;

/// The work an operation performs: a kind registered with the engine, the key
/// of what it acts on, and whatever else the kind keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Work {
    pub kind: String,
    pub key: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Work {
    pub fn new(kind: &str, key: &str) -> Self {
        Self {
            kind: kind.to_string(),
            key: key.to_string(),
            extra: Map::new(),
        }
    }

    pub fn with(mut self, field: &str, value: Value) -> Self {
        self.extra.insert(field.to_string(), value);
        self
    }

    /// A field the kind keeps (`None` when absent or null).
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.extra.get(field).filter(|v| !v.is_null())
    }
}

/// Records written before the read action was kept follow the group's read.
fn legacy_read_action() -> String {
    crate::endpoint::RG_READ.to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub id: String,
    pub subscription_id: String,
    pub namespace: String,
    pub location: String,
    /// `InProgress`, `Succeeded`, `Failed` or `Canceled`.
    pub status: String,
    pub start_time: String,
    pub end_time: Option<String>,
    pub error: Option<Value>,
    pub target_id: String,
    /// The action needed to follow this operation (read on its target).
    #[serde(default = "legacy_read_action")]
    pub read_action: String,
    pub work: Work,
}

/// Where an operation is reported: namespace and location.
pub struct Origin<'a> {
    pub subscription_id: &'a str,
    pub namespace: &'a str,
    pub location: &'a str,
}

pub fn operation_key(id: &str) -> String {
    id.to_lowercase()
}

impl Operation {
    /// A new record, in progress since `now`, acting on `target_id`.
    pub fn new(
        origin: Origin<'_>,
        now: String,
        target_id: &str,
        read_action: &str,
        work: Work,
    ) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            subscription_id: origin.subscription_id.to_string(),
            namespace: origin.namespace.to_string(),
            location: origin.location.to_string(),
            status: "InProgress".to_string(),
            start_time: now,
            end_time: None,
            error: None,
            target_id: target_id.to_string(),
            read_action: read_action.to_string(),
            work,
        }
    }

    pub async fn load(store: ReadOnly<'_>, id: &str) -> Result<Self, ArmError> {
        Self::load_with_etag(store, id).await.map(|(op, _)| op)
    }

    /// The record and its etag (a run finishes it only if nobody else did).
    pub async fn load_with_etag(store: ReadOnly<'_>, id: &str) -> Result<(Self, String), ArmError> {
        let doc = store
            .get(OPERATIONS, &operation_key(id))
            .await
            .map_err(store_err)?
            .ok_or_else(|| ArmError::OperationNotFound(id.to_string()))?;
        let op = serde_json::from_value(doc.body).map_err(|_| ArmError::InternalServerError)?;
        Ok((op, doc.etag))
    }

    pub fn write(&self, cond: Cond) -> Write {
        Write::Put {
            coll: OPERATIONS,
            key: operation_key(&self.id),
            id: self.id.clone(),
            body: serde_json::to_value(self).unwrap_or_default(),
            cond,
        }
    }

    pub fn is_terminal(&self) -> bool {
        matches!(self.status.as_str(), "Succeeded" | "Failed" | "Canceled")
    }

    fn url(&self, base: &str, kind: &str, api_version: &str) -> String {
        format!(
            "{base}/subscriptions/{}/providers/{}/locations/{}/{kind}/{}?api-version={api_version}",
            self.subscription_id, self.namespace, self.location, self.id
        )
    }

    /// Adds the polling headers to an accepted response. `Retry-After: 1`: az
    /// waits 30 s when it is absent or 0.
    pub fn accepted(&self, resp: ArmResponse, base: &str, api_version: &str) -> ArmResponse {
        resp.header(
            "Azure-AsyncOperation",
            self.url(base, "operationStatuses", api_version),
        )
        .header("Location", self.url(base, "operationResults", api_version))
        .header("Retry-After", "1")
    }

    pub fn status_body(&self) -> Value {
        let mut b = json!({
            "id": format!("/subscriptions/{}/providers/{}/locations/{}/operationStatuses/{}", self.subscription_id, self.namespace, self.location, self.id),
            "name": self.id,
            "status": self.status,
            "startTime": self.start_time,
        });
        if let Some(end) = &self.end_time {
            b["endTime"] = json!(end);
            b["percentComplete"] = json!(100);
        }
        if let Some(err) = &self.error {
            b["error"] = err.clone();
        }
        b
    }
}
