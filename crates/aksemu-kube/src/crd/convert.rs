//! Conversion `None` between a CRD's versions: objects are stored at the
//! storage version and served at the version asked for, only `apiVersion`
//! changing.

use serde_json::{Value, json};

use crate::resources::ResourceType;

/// Whether objects of this type may be stored at another version than
/// served (any custom type: its CRD's storage version may have changed since).
pub fn differs(rt: &ResourceType) -> bool {
    rt.custom.is_some()
}

fn set(obj: &mut Value, api_version: String) {
    if let Some(o) = obj.as_object_mut() {
        o.insert("apiVersion".into(), json!(api_version));
    }
}

/// An object as stored: at the storage version.
pub fn for_storage(rt: &ResourceType, obj: &mut Value) {
    if let Some(c) = rt.custom {
        set(obj, format!("{}/{}", rt.group, c.storage_version));
    }
}

/// An object as served through `rt`: at its version.
pub fn for_client(rt: &ResourceType, obj: &mut Value) {
    if rt.custom.is_some() {
        set(obj, rt.api_version());
    }
}
