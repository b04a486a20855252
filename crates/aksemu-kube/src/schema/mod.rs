//! OpenAPI v3 schemas applied to objects, as kube-apiserver applies them:
//! unknown fields (found for `fieldValidation`, pruned from custom
//! resources), defaults (custom resources), and value checks (types for
//! every kind; required, enum, pattern, bounds for custom resources).
//! Built-in schemas name each other with `$ref`; a CRD's schema is inline.

pub mod builtin;
mod check;
mod defaults;
mod unknown;

use serde_json::Value;

/// Named schemas (`components.schemas`), found by hash: every field of every
/// write resolves one.
pub type Defs = std::collections::HashMap<String, Value>;

pub use check::{Detail, Problem, check, inspect};
pub use defaults::apply_defaults;
pub use unknown::{prune, unknown_fields};

/// A schema and where its `$ref`s point (`#/components/schemas/<name>`).
#[derive(Clone, Copy)]
pub struct Schema<'a> {
    pub node: &'a Value,
    pub defs: Option<&'a Defs>,
    /// The name of the referenced schema this node came from, if any.
    pub name: Option<&'a str>,
    /// Whether this is the schema of a whole object (not of a field).
    pub root: bool,
}

const REF_PREFIX: &str = "#/components/schemas/";

impl<'a> Schema<'a> {
    /// The schema of a whole object, inline (a CRD version's).
    pub fn inline(node: &'a Value) -> Self {
        Schema {
            node,
            defs: None,
            name: None,
            root: true,
        }
    }

    /// The schema named `name` in `defs`, for a whole object (a built-in kind).
    pub fn named(defs: &'a Defs, name: &str) -> Option<Self> {
        let (k, node) = defs.get_key_value(name)?;
        Some(Schema {
            node,
            defs: Some(defs),
            name: Some(k.as_str()),
            root: true,
        })
    }

    /// This node with its `$ref` (or `allOf: [$ref]`) followed.
    pub fn resolved(self) -> Self {
        let target = self.node["$ref"]
            .as_str()
            .or_else(|| self.node["allOf"][0]["$ref"].as_str());
        match (target.and_then(|r| r.strip_prefix(REF_PREFIX)), self.defs) {
            (Some(name), Some(defs)) => match defs.get_key_value(name) {
                Some((k, node)) => Schema {
                    node,
                    defs: self.defs,
                    name: Some(k.as_str()),
                    root: self.root,
                }
                .resolved(),
                None => self,
            },
            _ => self,
        }
    }

    fn at(self, node: &'a Value) -> Self {
        Schema {
            node,
            defs: self.defs,
            name: None,
            root: false,
        }
        .resolved()
    }

    fn flag(&self, name: &str) -> bool {
        self.node[name] == true
    }

    /// Anything goes below this node.
    /// Anything at all may be here (its type is not checked either).
    pub fn free_form(&self) -> bool {
        self.flag("x-kubernetes-preserve-unknown-fields") && !self.has_properties()
            || matches!(self.name, Some(n) if OPEN_TYPES.contains(&n))
    }

    pub fn open(&self) -> bool {
        self.flag("x-kubernetes-preserve-unknown-fields")
            || matches!(self.name, Some(n) if OPEN_TYPES.contains(&n))
            // A built-in free-form object (`FieldsV1`, say); a custom
            // resource's schema has to say so with the flag above.
            || (self.defs.is_some()
                && !self.has_properties()
                && self.node.get("additionalProperties").is_none()
                && self.node.get("items").is_none()
                && self.type_name() != Some("string"))
    }

    pub fn int_or_string(&self) -> bool {
        self.flag("x-kubernetes-int-or-string")
    }

    /// The schema of a field of this object node, if it declares one.
    pub fn property(self, field: &str) -> Option<Self> {
        // An object's own metadata and type fields, whatever its schema says
        // of them (a CRD's may declare `metadata` with only a name's rules):
        // a built-in kind's ObjectMeta schema, otherwise anything.
        if self.root && matches!(field, "apiVersion" | "kind" | "metadata") {
            let declared = self.node["properties"].get(field).map(|p| self.at(p));
            let object_meta =
                declared.filter(|d| d.name.is_some_and(|n| n.ends_with(".ObjectMeta")));
            return Some(match field {
                "metadata" => object_meta.unwrap_or_else(|| self.at(&ANY)),
                _ => declared.unwrap_or_else(|| self.at(&ANY)),
            });
        }
        if let Some(p) = self.node["properties"].get(field) {
            return Some(self.at(p));
        }
        if self.flag("x-kubernetes-embedded-resource")
            && matches!(field, "apiVersion" | "kind" | "metadata")
        {
            return Some(self.at(&ANY));
        }
        match &self.node["additionalProperties"] {
            Value::Object(_) => Some(self.at(&self.node["additionalProperties"])),
            Value::Bool(true) => Some(self.at(&ANY)),
            _ => None,
        }
    }

    /// The schema of this array node's items.
    pub fn items(self) -> Option<Self> {
        self.node.get("items").map(|i| self.at(i))
    }

    /// The declared type (`object`, `string`, …), if any.
    pub fn type_name(&self) -> Option<&'a str> {
        self.node["type"].as_str()
    }

    /// Whether this node describes an object with fields (not a free map).
    pub fn has_properties(&self) -> bool {
        self.node["properties"].is_object()
    }
}

/// A schema that allows anything.
static ANY: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| serde_json::json!({"x-kubernetes-preserve-unknown-fields": true}));

/// Built-in types whose content is free-form.
const OPEN_TYPES: &[&str] = &[
    "io.k8s.apimachinery.pkg.runtime.RawExtension",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray",
];

/// A field path as kube prints it: `spec.containers[0].image`.
pub fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// Where a walk is, written out only when something is reported there.
#[derive(Default)]
pub struct At<'v>(Vec<Seg<'v>>);

#[derive(Clone, Copy)]
enum Seg<'v> {
    Field(&'v str),
    Index(usize),
}

impl<'v> At<'v> {
    pub fn field(&mut self, f: &'v str) {
        self.0.push(Seg::Field(f));
    }

    pub fn index(&mut self, i: usize) {
        self.0.push(Seg::Index(i));
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    /// `spec.containers[0].image`.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for seg in &self.0 {
            match seg {
                Seg::Field(f) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(f);
                }
                Seg::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }
}
