//! Server-side Tables (`Accept: …;as=Table;g=meta.k8s.io`), which is what
//! `kubectl get` prints: kube-apiserver's columns for the built-in kinds
//! (`printers`), `Name` + `Created At` for the rest.

mod age;
mod cells;
mod columns;
mod custom;
mod jsonpath;
pub mod printers;

use serde_json::{Value, json};

use crate::resources::ResourceType;

fn column_defs(rt: &ResourceType) -> Value {
    if let Some(c) = rt.custom {
        return custom::column_defs(c);
    }
    match printers::columns(rt.kind) {
        Some(cols) => cols
            .iter()
            .map(|c| {
                json!({"name": c.name, "type": c.type_, "format": c.format,
                       "description": c.description, "priority": c.priority})
            })
            .collect(),
        None => json!([
            {"name": "Name", "type": "string", "format": "name",
             "description": "Name must be unique within a namespace.", "priority": 0},
            {"name": "Created At", "type": "date", "format": "",
             "description": "CreationTimestamp is a timestamp representing the server time when this object was created.",
             "priority": 0},
        ]),
    }
}

fn row(rt: &ResourceType, obj: &Value, now: time::OffsetDateTime) -> Value {
    let kind = rt.kind;
    let cells = if let Some(c) = rt.custom {
        custom::cells(c, obj, now)
    } else if printers::columns(kind).is_some() {
        printers::cells(kind, obj, now)
    } else {
        vec![
            obj["metadata"]["name"].clone(),
            obj["metadata"]["creationTimestamp"].clone(),
        ]
    };
    let mut meta = obj["metadata"].clone();
    if let Some(m) = meta.as_object_mut() {
        m.remove("managedFields");
    }
    json!({"cells": cells, "object": {"kind": "PartialObjectMetadata",
                                       "apiVersion": "meta.k8s.io/v1", "metadata": meta}})
}

/// A Table of `objects`. `with_columns`: false for the later events of a
/// watch, which kubectl prints with the first event's columns.
pub fn table(
    rt: &ResourceType,
    objects: &[Value],
    now: time::OffsetDateTime,
    with_columns: bool,
    list_meta: Value,
) -> Value {
    let defs = if with_columns {
        column_defs(rt)
    } else {
        json!([])
    };
    let rows: Vec<Value> = objects.iter().map(|o| row(rt, o, now)).collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta,
           "columnDefinitions": defs, "rows": rows})
}
