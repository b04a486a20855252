//! The batch being planned for a node resource group: what is there (`have`),
//! what the cluster wants kept (`want`), and the writes that get it there.

use std::collections::{BTreeMap, BTreeSet};

use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;
use aksemu_arm::providers::cascade::resource_removal;
use aksemu_arm::providers::managed_identities;
use aksemu_core::{ArmError, ResourceId};
use aksemu_store::{Cond, Doc, Write};
use serde_json::{Value, json};

pub(super) struct Plan<'a> {
    pub cloud: &'a Cloud,
    pub group: ResourceId,
    pub location: String,
    pub have: BTreeMap<String, Doc>,
    pub want: BTreeSet<String>,
    pub writes: Vec<Write>,
}

impl Plan<'_> {
    pub fn id(&self, ns: &str, t: &str, name: &str) -> ResourceId {
        self.group.child(&["providers", ns, t, name])
    }

    /// Writes `body` at `id` unless the stored document already says the same.
    pub fn put(&mut self, id: &ResourceId, body: Value) {
        self.want.insert(id.key().to_string());
        let (cond, same) = match self.have.get(id.key()) {
            Some(d) => (Cond::Etag(d.etag.clone()), d.body == body),
            None => (Cond::Absent, false),
        };
        if !same {
            self.writes.push(Write::Put {
                coll: RESOURCES,
                key: id.key().to_string(),
                id: id.as_str().to_string(),
                body,
                cond,
            });
        }
    }

    /// A tracked resource of the node group, created once and then left alone.
    pub fn ensure(&mut self, id: &ResourceId, t: &str, extra: Value) -> Value {
        if let Some(d) = self.have.get(id.key()) {
            self.want.insert(id.key().to_string());
            return d.body.clone();
        }
        let mut body = json!({
            "id": id.as_str(),
            "name": id.segments().last(),
            "type": t,
            "location": self.location,
            "tags": {},
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.put(id, body.clone());
        body
    }

    /// A user-assigned identity of the node group (kubelet or add-on), with its
    /// principal; kept as long as it is wanted.
    pub fn identity(&mut self, name: &str) -> Value {
        let id = self.id("Microsoft.ManagedIdentity", "userAssignedIdentities", name);
        if let Some(d) = self.have.get(id.key()) {
            self.want.insert(id.key().to_string());
            return d.body.clone();
        }
        let (body, principal) =
            managed_identities::create(self.cloud, &id, &self.location, json!({}), None);
        self.writes.extend(principal);
        self.put(&id, body.clone());
        body
    }

    /// Removes what is there, not wanted, and matches `stale` (with what the
    /// removed resources own: principals, hosts, assignments).
    pub async fn remove_unwanted(&mut self, stale: impl Fn(&Doc) -> bool) -> Result<(), ArmError> {
        let unwanted: Vec<Doc> = self
            .have
            .values()
            .filter(|d| !self.want.contains(&d.key) && stale(d))
            .cloned()
            .collect();
        for d in &unwanted {
            let r = resource_removal(self.cloud, d).await?;
            self.writes.push(Write::Delete {
                coll: RESOURCES,
                key: d.key.clone(),
                cond: Cond::Etag(d.etag.clone()),
            });
            self.writes.extend(r.writes);
        }
        Ok(())
    }
}
