//! `GET …/resources` (a group's or the subscription's): every tracked resource,
//! in the generic shape Azure lists (`az resource list`, and how az finds a
//! registry by name), filtered by `$filter=resourceType eq '…'` / `name eq '…'`
//! and, item by item, by what the caller may read.

use aksemu_authz::Authorized;
use aksemu_core::{ArmError, ResourceId};
use serde_json::{Value, json};

use aksemu_store::store_err;

use crate::cloud::Cloud;
use crate::collections::RESOURCES;
use crate::paging::{self, Page, Visit};
use aksemu_core::request::{ArmRequest, ArmResponse};
use aksemu_store::Doc;

#[derive(Default)]
struct Filter {
    resource_type: Option<String>,
    name: Option<String>,
    group: Option<String>,
}

fn quoted(s: &str) -> Option<String> {
    let s = s.trim();
    s.strip_prefix('\'')?.strip_suffix('\'').map(str::to_string)
}

fn parse_filter(raw: &str) -> Result<Filter, ArmError> {
    let mut f = Filter::default();
    for clause in raw.split(" and ") {
        let c = clause.trim();
        let lower = c.to_ascii_lowercase();
        let bad = || ArmError::InvalidFilter(raw.to_string());
        if lower.starts_with("resourcetype eq ") {
            f.resource_type = Some(quoted(&c["resourceType eq ".len()..]).ok_or_else(bad)?);
        } else if lower.starts_with("resourcegroup eq ") {
            f.group = Some(quoted(&c["resourceGroup eq ".len()..]).ok_or_else(bad)?);
        } else if lower.starts_with("name eq ") {
            f.name = Some(quoted(&c["name eq ".len()..]).ok_or_else(bad)?);
        } else {
            return Err(bad());
        }
    }
    Ok(f)
}

/// The read action for a stored resource's type.
fn read_action(cloud: &Cloud, t: &str) -> Option<&'static str> {
    cloud.registry().catalogue().type_named(t).map(|r| r.read)
}

pub async fn list(
    cloud: &Cloud,
    auth: &Authorized,
    sub: &str,
    rg: Option<&str>,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let filter = match req.query.get("$filter") {
        Some(f) if !f.trim().is_empty() => parse_filter(f)?,
        _ => Filter::default(),
    };
    // az lists a group's resources as `/resources?$filter=resourceGroup eq '…'`.
    let rg = rg.or(filter.group.as_deref());
    let prefix = match rg {
        Some(rg) => {
            let g = ResourceId::resource_group(sub, rg);
            if cloud
                .store()
                .get(RESOURCES, g.key())
                .await
                .map_err(store_err)?
                .is_none()
            {
                return Err(ArmError::ResourceGroupNotFound(rg.to_string()));
            }
            format!("{}/providers/", g.key())
        }
        None => ResourceId::subscription(sub).descendant_prefix(),
    };
    let page = Page::of(req)?;
    let visit = |d: Doc| Visit::from(item(cloud, auth, &filter, d));
    let (items, next) = paging::read(cloud, RESOURCES, &prefix, &page, visit).await?;
    Ok(paging::answer(req, items, next))
}

/// A stored resource as the list shows it, if it passes the filter and the
/// caller may read it.
fn item(cloud: &Cloud, auth: &Authorized, filter: &Filter, d: Doc) -> Option<Value> {
    let t = d.body["type"].as_str()?.to_string();
    let action = read_action(cloud, &t)?;
    let name = d.body["name"].as_str()?.to_string();
    if filter
        .resource_type
        .as_ref()
        .is_some_and(|f| !f.eq_ignore_ascii_case(&t))
        || filter
            .name
            .as_ref()
            .is_some_and(|f| !f.eq_ignore_ascii_case(&name))
    {
        return None;
    }
    let id = ResourceId::parse(&d.id).ok()?;
    if !cloud.rbac.allows(auth.principal(), action, &id) {
        return None;
    }
    let mut item = json!({
        "id": d.id,
        "name": name,
        "type": t,
        "location": d.body["location"],
        "tags": d.body.get("tags").cloned().unwrap_or_else(|| json!({})),
    });
    for k in ["sku", "kind", "managedBy", "identity"] {
        if let Some(v) = d.body.get(k).filter(|v| !v.is_null()) {
            item[k] = v.clone();
        }
    }
    Some(item)
}
