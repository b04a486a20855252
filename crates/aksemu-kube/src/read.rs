//! get, list (selectors, `limit`/`continue`, Tables) and watch.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::crd::convert;
use crate::ctx::Ctx;
use crate::error::{KubeError, not_found};
use crate::objects;
use crate::request::{KubeBody, KubeResponse};
use crate::route::ResourcePath;
use crate::selectors::Selector;
use crate::table;
use crate::watch::{self, MAX_TIMEOUT, WatchSpec};

pub fn name_of(rp: &ResourcePath) -> &str {
    rp.name.as_deref().unwrap_or_default()
}

pub fn ns_of(rp: &ResourcePath) -> &str {
    rp.namespace.as_deref().unwrap_or_default()
}

/// The stored object a path names, or Kubernetes' 404.
/// The object a path names, at the version the path asks for.
pub async fn existing(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<Value, KubeError> {
    let mut obj = objects::get(ctx.api, ctx.uid(), rp.rt, ns_of(rp), name_of(rp))
        .await?
        .ok_or_else(|| not_found(&rp.rt.qualified(), name_of(rp)))?;
    convert::for_client(rp.rt, &mut obj);
    Ok(obj)
}

pub async fn get(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    if !ctx.req.wants_table() && !convert::differs(rp.rt) {
        return get_json(ctx, rp).await;
    }
    let obj = existing(ctx, rp).await?;
    Ok(ctx.object(200, rp.rt, &obj))
}

/// A GET answered as stored (with its resourceVersion), rendered once per
/// revision: no parse and re-serialisation of the object on every read.
async fn get_json(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let key = objects::key(ctx.uid(), rp.rt, ns_of(rp), name_of(rp));
    let missing = || not_found(&rp.rt.qualified(), name_of(rp));
    let store = &ctx.api.store;
    let etag = store
        .etag(objects::OBJECTS, &key)
        .await?
        .ok_or_else(missing)?;
    if let Some(text) = ctx.api.rendered.get(&key, &etag) {
        return Ok(KubeResponse::bytes(200, "application/json", text.to_vec()));
    }
    let doc = store
        .get_raw(objects::OBJECTS, &key)
        .await?
        .ok_or_else(missing)?;
    let text: std::sync::Arc<[u8]> = objects::item_text(&doc.body, &doc.etag)?
        .into_bytes()
        .into();
    ctx.api.rendered.put(&key, &doc.etag, text.clone());
    Ok(KubeResponse::bytes(200, "application/json", text.to_vec()))
}

fn selector(ctx: &Ctx<'_>) -> Result<Selector, KubeError> {
    Selector::parse(
        ctx.req.param("labelSelector"),
        ctx.req.param("fieldSelector"),
    )
}

/// The `continue` token: where the next page starts, and the list's revision.
fn continue_token(rev: u64, after: &str) -> String {
    URL_SAFE_NO_PAD.encode(json!({"rv": rev, "start": after}).to_string())
}

fn parse_continue(token: &str) -> Result<String, KubeError> {
    let bad = || {
        KubeError::BadRequest("continue key is not valid: the token could not be decoded".into())
    };
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| bad())?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    v["start"].as_str().map(str::to_string).ok_or_else(bad)
}

fn key_of(o: &Value) -> String {
    format!(
        "{}/{}",
        o["metadata"]["namespace"].as_str().unwrap_or_default(),
        o["metadata"]["name"].as_str().unwrap_or_default()
    )
}

/// `ns/name` of a stored key (`<uid>/<type>/<ns>/<name>`), as continue tokens compare.
fn key_tail(key: &str) -> String {
    let mut parts = key.splitn(3, '/');
    parts.nth(2).unwrap_or_default().to_string()
}

/// One page of a list (`continue`, `limit`), in key order; `key` gives an
/// item's `ns/name`. Returns the list metadata for the page.
fn page<T>(
    ctx: &Ctx<'_>,
    items: &mut Vec<T>,
    rev: u64,
    key: impl Fn(&T) -> String,
) -> Result<Value, KubeError> {
    if let Some(token) = ctx.req.param("continue").filter(|t| !t.is_empty()) {
        let after = parse_continue(token)?;
        items.retain(|i| key(i) > after);
    }
    let limit: usize = ctx
        .req
        .param("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut meta = json!({"resourceVersion": rev.to_string()});
    if limit > 0 && items.len() > limit {
        let rest = items.len() - limit;
        items.truncate(limit);
        let last = items.last().map(&key).unwrap_or_default();
        meta["continue"] = json!(continue_token(rev, &last));
        meta["remainingItemCount"] = json!(rest);
    }
    Ok(meta)
}

/// A plain JSON list without selectors: the stored text is sent as it is,
/// with only its resourceVersion added, instead of parsed and written again.
async fn list_raw(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let (docs, rev) = objects::list_raw(ctx.api, ctx.uid(), rp.rt, rp.namespace.as_deref()).await?;
    let mut docs: Vec<aksemu_store::RawDoc> = docs;
    let meta = page(ctx, &mut docs, rev, |d| key_tail(&d.key))?;
    let head = json!({"kind": format!("{}List", rp.rt.kind), "apiVersion": rp.rt.api_version(), "metadata": meta});
    let mut out = head.to_string();
    out.pop();
    out.push_str(",\"items\":[");
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&objects::item_text(&d.body, &d.etag)?);
    }
    out.push_str("]}");
    Ok(KubeResponse::bytes(
        200,
        "application/json",
        out.into_bytes(),
    ))
}

pub async fn list(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let sel = selector(ctx)?;
    if sel.is_empty() && !ctx.req.wants_table() && !convert::differs(rp.rt) {
        return list_raw(ctx, rp).await;
    }
    let (items, rev) = objects::list(ctx.api, ctx.uid(), rp.rt, rp.namespace.as_deref()).await?;
    let mut items: Vec<Value> = items.into_iter().filter(|o| sel.matches(o)).collect();
    for o in &mut items {
        convert::for_client(rp.rt, o);
    }
    let meta = page(ctx, &mut items, rev, key_of)?;
    if ctx.req.wants_table() {
        return Ok(KubeResponse::json(
            200,
            &table::table(rp.rt, &items, ctx.now(), true, meta),
        ));
    }
    let list = json!({"kind": format!("{}List", rp.rt.kind), "apiVersion": rp.rt.api_version(),
                      "metadata": meta, "items": items});
    Ok(KubeResponse::json(200, &list))
}

fn render(ctx: &Ctx<'_>, rp: &ResourcePath) -> watch::Render {
    let rt = rp.rt;
    if !ctx.req.wants_table() {
        return Arc::new(move |kind: &str, mut obj: Value| {
            if kind != "BOOKMARK" {
                convert::for_client(rt, &mut obj);
            }
            let mut line = json!({"type": kind, "object": obj})
                .to_string()
                .into_bytes();
            line.push(b'\n');
            line
        });
    }
    let clock = ctx.api.clock.clone();
    let first = Arc::new(std::sync::atomic::AtomicBool::new(true));
    Arc::new(move |kind: &str, obj: Value| {
        let with_columns = first.swap(false, std::sync::atomic::Ordering::SeqCst);
        let object = if kind == "BOOKMARK" {
            obj
        } else {
            let meta = json!({"resourceVersion": obj["metadata"]["resourceVersion"]});
            table::table(
                rt,
                std::slice::from_ref(&obj),
                clock.now(),
                with_columns,
                meta,
            )
        };
        let mut line = json!({"type": kind, "object": object})
            .to_string()
            .into_bytes();
        line.push(b'\n');
        line
    })
}

pub async fn watch(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let req = ctx.req;
    let send_initial = req.flag("sendInitialEvents");
    let mut from = watch::start(req.param("resourceVersion"))?;
    if send_initial {
        from = None;
    }
    let timeout = req
        .param("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(MAX_TIMEOUT)
        .min(MAX_TIMEOUT);
    let spec = WatchSpec {
        uid: ctx.uid().to_string(),
        rt: rp.rt,
        namespace: rp.namespace.clone(),
        selector: selector(ctx)?,
        from,
        initial_bookmark: send_initial && req.flag("allowWatchBookmarks"),
        bookmarks: req.flag("allowWatchBookmarks"),
        timeout,
        render: render(ctx, rp),
    };
    let lines = watch::open(ctx.api, spec).await?;
    Ok(KubeResponse {
        status: 200,
        content_type: "application/json".into(),
        headers: Vec::new(),
        body: KubeBody::Stream(lines),
    })
}
