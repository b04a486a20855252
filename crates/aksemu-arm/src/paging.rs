//! ARM paging for lists that can grow: a page holds at most `$top` items
//! (1,000 by default and at most), and `nextLink` carries on after the last key
//! read (`$skiptoken`). Each page reads a bounded number of stored documents
//! whatever the caller may see, so a principal who can see little gets short
//! (even empty) pages with a `nextLink`, as Azure's own lists do, instead of
//! the server scanning everything.

use aksemu_core::ArmError;
use aksemu_core::request::{ArmRequest, ArmResponse};
use aksemu_store::{Doc, store_err};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::cloud::Cloud;

pub const MAX_PAGE: usize = 1000;
/// Documents read for one page, at most, in multiples of its size.
const SCAN_FACTOR: usize = 5;

/// Where a page starts and how long it is.
pub struct Page {
    pub size: usize,
    pub after: Option<String>,
}

impl Page {
    pub fn of(req: &ArmRequest) -> Result<Self, ArmError> {
        let size = match req.query.get("$top") {
            None => MAX_PAGE,
            Some(t) => t
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    ArmError::InvalidRequestContent(format!(
                        "'$top' must be between 1 and {MAX_PAGE}: '{t}'"
                    ))
                })?,
        };
        let after = match req.query.get("$skiptoken") {
            None => None,
            Some(t) => Some(decode(t).ok_or_else(|| {
                ArmError::InvalidRequestContent(format!("invalid '$skiptoken': '{t}'"))
            })?),
        };
        Ok(Self { size, after })
    }
}

fn decode(token: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    String::from_utf8(bytes).ok()
}

/// What a list makes of a stored document.
pub enum Visit {
    Take(Value),
    Skip,
    /// Skip it and every key up to and including this one (a subtree).
    SkipPast(String),
}

impl From<Option<Value>> for Visit {
    fn from(v: Option<Value>) -> Self {
        v.map_or(Visit::Skip, Visit::Take)
    }
}

/// The last key below `key/` (to skip a document's subtree).
pub fn subtree_end(key: &str) -> String {
    format!("{key}/{}", "\u{10FFFF}".repeat(4))
}

/// Reads one page of `coll` under `prefix`, visiting each document with
/// `visit`; returns the items and the key to carry on after, if any.
pub async fn read(
    cloud: &Cloud,
    coll: &str,
    prefix: &str,
    page: &Page,
    mut visit: impl FnMut(Doc) -> Visit,
) -> Result<(Vec<Value>, Option<String>), ArmError> {
    let mut items = Vec::new();
    let mut after = page.after.clone();
    let mut scanned = 0;
    loop {
        let batch = cloud
            .store()
            .list_page(coll, prefix, after.as_deref(), page.size)
            .await
            .map_err(store_err)?;
        let full = batch.len() == page.size;
        let mut jumped = false;
        for d in batch {
            after = Some(d.key.clone());
            scanned += 1;
            match visit(d) {
                Visit::Take(item) => {
                    items.push(item);
                    if items.len() == page.size {
                        return Ok((items, after));
                    }
                }
                Visit::Skip => {}
                Visit::SkipPast(key) => {
                    after = Some(key);
                    jumped = true;
                    break;
                }
            }
        }
        if !full && !jumped {
            return Ok((items, None));
        }
        if scanned >= page.size * SCAN_FACTOR {
            return Ok((items, after));
        }
    }
}

/// A page of a list already gathered (and bounded) in memory, in key order.
pub fn slice(page: &Page, items: Vec<(String, Value)>) -> (Vec<Value>, Option<String>) {
    let rest = items
        .into_iter()
        .filter(|(k, _)| page.after.as_ref().is_none_or(|a| k > a));
    let mut out: Vec<(String, Value)> = rest.take(page.size + 1).collect();
    let more = out.len() > page.size;
    out.truncate(page.size);
    let next = more.then(|| out.last().map(|(k, _)| k.clone())).flatten();
    (out.into_iter().map(|(_, v)| v).collect(), next)
}

/// The list answer, with a `nextLink` when there is more.
pub fn answer(req: &ArmRequest, items: Vec<Value>, next: Option<String>) -> ArmResponse {
    let mut body = json!({ "value": items });
    if let Some(key) = next {
        body["nextLink"] = json!(next_link(req, &key));
    }
    ArmResponse::json(200, body)
}

fn next_link(req: &ArmRequest, after: &str) -> String {
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(after);
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &req.query {
        if k != "$skiptoken" {
            query.append_pair(k, v);
        }
    }
    query.append_pair("$skiptoken", &token);
    format!("{}{}?{}", req.base_url, req.path, query.finish())
}
