//! Each cluster's custom resource types, read from its stored CRDs on first
//! use and read again after any CRD write (writes are rare; requests are not).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::CrdSet;
use crate::error::KubeError;
use crate::{KubeApi, objects, resources};

#[derive(Default)]
pub struct Registry {
    /// The sets read, and how many CRD writes there have been: a set read
    /// while a write went on is not kept.
    sets: Mutex<(HashMap<String, Arc<CrdSet>>, u64)>,
}

impl Registry {
    /// The custom types cluster `uid` serves now.
    pub async fn get(&self, api: &KubeApi, uid: &str) -> Result<Arc<CrdSet>, KubeError> {
        let writes = {
            let g = self.lock();
            if let Some(s) = g.0.get(uid) {
                return Ok(s.clone());
            }
            g.1
        };
        let Some(rt) = resources::find("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        else {
            return Ok(Arc::default());
        };
        let (crds, _) = objects::list(api, uid, rt, None).await?;
        let set = Arc::new(CrdSet::from_crds(&crds));
        let mut g = self.lock();
        if g.1 == writes {
            g.0.insert(uid.to_string(), set.clone());
        }
        Ok(set)
    }

    /// Forgets what was read (after a CRD changed; they change rarely).
    pub fn forget(&self) {
        let mut g = self.lock();
        g.0.clear();
        g.1 += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<String, Arc<CrdSet>>, u64)> {
        self.sets.lock().unwrap_or_else(|p| p.into_inner())
    }
}
