//! create, update (optimistic concurrency) and patch (JSON, merge,
//! strategic, server-side apply). Each is one store write.

use aksemu_store::Cond;
use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::error::{KubeError, invalid};
use crate::managed_fields::Writer;
use crate::patch::{self, PatchKind};
use crate::read::{existing, name_of, ns_of};
use crate::request::KubeResponse;
use crate::resources::{ResourceType, find};
use crate::route::ResourcePath;
use crate::{body, crd, defaults, managed_fields, meta, objects, typed, validate};

/// The namespace a namespaced write goes to must exist and not be terminating.
async fn check_namespace(ctx: &Ctx<'_>, rt: &ResourceType, ns: &str) -> Result<(), KubeError> {
    if !rt.namespaced {
        return Ok(());
    }
    let Some(nst) = find("", "v1", "namespaces") else {
        return Ok(());
    };
    match objects::get(ctx.api, ctx.uid(), nst, "", ns).await? {
        None => Err(crate::error::not_found("namespaces", ns)),
        Some(n) if n["status"]["phase"] == "Terminating" => Err(KubeError::Forbidden(
            format!(
                "{} \"\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                rt.qualified()
            ),
            rt.qualified(),
            String::new(),
        )),
        Some(_) => Ok(()),
    }
}

/// `fieldManager`, else the User-Agent's program name, as kube-apiserver
/// names managers (kubectl always sends its own).
pub(crate) fn manager(ctx: &Ctx<'_>, fallback: &str) -> String {
    let agent = ctx.req.user_agent.as_deref().and_then(|a| {
        let name = a.split('/').next().unwrap_or_default().trim();
        (!name.is_empty()).then_some(name)
    });
    managed_fields::manager(ctx.req.param("fieldManager"), agent.unwrap_or(fallback))
}

/// Service addresses in use in the cluster, to allocate around.
async fn in_use(ctx: &Ctx<'_>) -> Result<defaults::InUse, KubeError> {
    let mut used = defaults::InUse::default();
    let Some(st) = find("", "v1", "services") else {
        return Ok(used);
    };
    for s in objects::list(ctx.api, ctx.uid(), st, None).await?.0 {
        if let Some(ip) = s["spec"]["clusterIP"].as_str() {
            used.cluster_ips.insert(ip.to_string());
        }
        for p in s["spec"]["ports"].as_array().into_iter().flatten() {
            if let Some(n) = p["nodePort"].as_u64() {
                used.node_ports.insert(n);
            }
        }
    }
    Ok(used)
}

/// Defaults of every write; services also get their addresses.
async fn fill(ctx: &Ctx<'_>, rt: &ResourceType, obj: &mut Value) -> Result<(), KubeError> {
    defaults::fill(rt.kind, obj);
    if rt.kind == "Service" {
        let mut used = in_use(ctx).await?;
        defaults::service(obj, &ctx.cluster.service_cidr, &mut used)
            .map_err(|m| invalid("Service", name_of_obj(obj), "spec.clusterIPs", &m))?;
    }
    Ok(())
}

/// A service keeps its cluster IP: it may be left out, not changed.
fn keep_cluster_ip(old: &Value, new: &mut Value) -> Result<(), KubeError> {
    let Some(ip) = old["spec"]["clusterIP"]
        .as_str()
        .filter(|ip| !ip.is_empty())
    else {
        return Ok(());
    };
    match new["spec"]["clusterIP"].as_str() {
        None | Some("") => {
            new["spec"]["clusterIP"] = json!(ip);
            new["spec"]["clusterIPs"] = old["spec"]["clusterIPs"].clone();
            Ok(())
        }
        Some(given) if given == ip => Ok(()),
        Some(_) => Err(invalid(
            "Service",
            name_of_obj(old),
            "spec.clusterIPs[0]",
            "Invalid value: field is immutable",
        )),
    }
}

/// A new object, defaulted and validated, as it will be stored.
pub async fn prepare_new(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    ns: Option<&str>,
    mut obj: Value,
    mgr: &str,
    op: &str,
) -> Result<Value, KubeError> {
    let now = objects::now(ctx.api);
    meta::on_create(rt, &mut obj, ns, &now)?;
    if let Some(ns) = ns {
        check_namespace(ctx, rt, ns).await?;
    }
    defaults::initial_status(rt.kind, &mut obj);
    fill(ctx, rt, &mut obj).await?;
    admit_kind(ctx, rt, None, &mut obj)?;
    // Mutating admission, after defaulting and before validation.
    if rt.kind == "Pod" {
        crate::limit_ranger::admit(ctx, ns.unwrap_or("default"), &mut obj).await?;
        crate::service_account::admit(ctx, ns.unwrap_or("default"), &mut obj).await?;
        crate::workload_identity::mutate(ctx, ns.unwrap_or("default"), &mut obj).await?;
    }
    validate::object(rt, &obj)?;
    if let Some(ns) = ns {
        crate::resource_quota::admit(ctx, rt, ns, &obj).await?;
    }
    let applied = obj.clone();
    let w = Writer::new(rt, mgr, now, None);
    managed_fields::created(&mut obj, &w, op, &applied);
    Ok(obj)
}

fn name_of_obj(obj: &Value) -> &str {
    obj["metadata"]["name"].as_str().unwrap_or_default()
}

/// Stores a new object (unless dry-run) and answers 201 with it.
async fn store_new(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    obj: Value,
) -> Result<KubeResponse, KubeError> {
    let name = name_of_obj(&obj).to_string();
    if ctx.req.dry_run() {
        return Ok(ctx.object(201, rt, &obj));
    }
    let rv = objects::commit(
        ctx.api,
        rt,
        &name,
        vec![objects::put(ctx.uid(), rt, &obj, Cond::Absent)],
    )
    .await?;
    let stored = objects::with_rv(obj, rv.first().map(String::as_str).unwrap_or_default());
    Ok(ctx.object(201, rt, &stored))
}

/// `mgr` writing the object a path names now (its status, for `/status`).
fn writer<'a>(ctx: &Ctx<'_>, rp: &'a ResourcePath, mgr: &'a str) -> Writer<'a> {
    let sub = rp.sub.as_deref().filter(|s| *s == "status");
    Writer::new(rp.rt, mgr, objects::now(ctx.api), sub)
}

/// How a body's type errors are worded.
#[derive(Clone, Copy)]
enum Decode<'a> {
    /// An object (create, update, the result of a patch): the decoder's.
    Object,
    /// A server-side apply configuration: the typed patch's.
    Apply { ns: &'a str, name: &'a str },
}

/// A body against its kind's schema, in one walk: values of the wrong JSON
/// type refused; unknown (and duplicate) fields refused or warned of
/// (`fieldValidation`), and either way not kept (a built-in kind's decoder
/// drops them, a custom resource is pruned to its schema).
fn checked_fields(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    obj: &mut Value,
    how: Decode<'_>,
) -> Result<(), KubeError> {
    let mode = ctx.req.param("fieldValidation");
    typed::check_mode(mode)?;
    let found = typed::inspect(rt, obj);
    match how {
        Decode::Object => typed::decodable(rt, &found)?,
        Decode::Apply { ns, name } => typed::applicable(rt, ns, name, &found)?,
    }
    let json_body = !ctx
        .req
        .content_type
        .as_deref()
        .is_some_and(|t| t.contains("protobuf"));
    let dups = if json_body && mode != Some("Ignore") {
        crate::duplicates::duplicate_fields(&ctx.req.body)
    } else {
        Vec::new()
    };
    let warnings = typed::field_validation(mode, &found.unknown, &dups)?;
    if !found.unknown.is_empty() {
        typed::prune(rt, obj);
    }
    ctx.warn(warnings);
    Ok(())
}

/// A create's or update's strict decoding error, worded as kube-apiserver's
/// decoder reports it.
fn undecodable(rt: &ResourceType, e: KubeError) -> KubeError {
    match e {
        KubeError::BadRequest(m) if m.starts_with("strict decoding error") => {
            KubeError::BadRequest(format!(
                "{kind} in version \"{v}\" cannot be handled as a {kind}: {m}",
                kind = rt.kind,
                v = rt.version
            ))
        }
        other => other,
    }
}

/// The steps of custom resources and CRDs (schema; a CRD's checks and status).
fn admit_kind(
    ctx: &Ctx<'_>,
    rt: &ResourceType,
    old: Option<&Value>,
    obj: &mut Value,
) -> Result<(), KubeError> {
    crd::admit::custom_object(rt, obj)?;
    if rt.kind == "CustomResourceDefinition" && rt.custom.is_none() {
        let now = objects::now(ctx.api);
        let warnings = crd::admit::definition(&ctx.crds, old, obj, &now)?;
        ctx.warn(warnings);
    }
    Ok(())
}

pub async fn create(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let mut obj = body::decode(ctx.req)?;
    checked_fields(ctx, rp.rt, &mut obj, Decode::Object).map_err(|e| undecodable(rp.rt, e))?;
    let mgr = manager(ctx, "kubectl-create");
    let obj = prepare_new(ctx, rp.rt, rp.namespace.as_deref(), obj, &mgr, "Update").await?;
    store_new(ctx, rp.rt, obj).await
}

/// Writes `new` over `old` (which was read at its resourceVersion, or as the
/// client's `resourceVersion` demands) and answers 200.
/// `by`: the manager of an update to record (`None`: recorded already).
async fn store_update(
    ctx: &Ctx<'_>,
    rp: &ResourcePath,
    old: &Value,
    mut new: Value,
    by: Option<&str>,
) -> Result<KubeResponse, KubeError> {
    meta::on_update(rp.rt, old, &mut new, rp.sub.as_deref())?;
    if rp.rt.kind == "Service" {
        keep_cluster_ip(old, &mut new)?;
    }
    fill(ctx, rp.rt, &mut new).await?;
    admit_kind(ctx, rp.rt, Some(old), &mut new)?;
    validate::object(rp.rt, &new)?;
    if let Some(mgr) = by {
        managed_fields::updated(old, &mut new, &writer(ctx, rp, mgr));
    }
    // A client resourceVersion must match; else the version we read must.
    let cond = match new["metadata"]["resourceVersion"]
        .as_str()
        .filter(|v| !v.is_empty())
    {
        Some(v) if Some(v) != old["metadata"]["resourceVersion"].as_str() => {
            return Err(objects::conflict(rp.rt, name_of(rp)));
        }
        _ => objects::at_version(old),
    };
    if ctx.req.dry_run() {
        return Ok(ctx.object(200, rp.rt, &new));
    }
    // Finalizers all gone from an object being deleted: it goes now.
    if new["metadata"].get("deletionTimestamp").is_some() && finalizers_empty(&new) {
        let w = objects::delete(ctx.uid(), rp.rt, ns_of(rp), name_of(rp), cond);
        let mut writes = vec![w];
        writes.extend(crate::delete::custom_objects_of(
            ctx.uid(),
            rp.rt,
            name_of(rp),
        ));
        objects::commit(ctx.api, rp.rt, name_of(rp), writes).await?;
        return Ok(ctx.object(200, rp.rt, &new));
    }
    let rv = objects::commit(
        ctx.api,
        rp.rt,
        name_of(rp),
        vec![objects::put(ctx.uid(), rp.rt, &new, cond)],
    )
    .await?;
    let stored = objects::with_rv(new, rv.first().map(String::as_str).unwrap_or_default());
    Ok(ctx.object(200, rp.rt, &stored))
}

fn finalizers_empty(obj: &Value) -> bool {
    obj["metadata"]["finalizers"]
        .as_array()
        .is_none_or(Vec::is_empty)
        && (obj["kind"] != "Namespace"
            || obj["spec"]["finalizers"]
                .as_array()
                .is_none_or(Vec::is_empty))
}

/// How often a write the client did not pin to a resourceVersion is tried
/// again after another writer got in between. kube-apiserver's
/// GuaranteedUpdate retries those without limit; a bound keeps a pathological
/// hot spot from looping forever, and the growing pause lets many writers of
/// one object take turns instead of colliding again at once.
const ATTEMPTS: u32 = 64;

/// Runs `write` again while it loses a race it did not pin.
async fn retried<F, Fut>(pinned: bool, mut write: F) -> Result<KubeResponse, KubeError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<KubeResponse, KubeError>>,
{
    let mut attempt = 0;
    loop {
        match write().await {
            Err(KubeError::Conflict(..)) if !pinned && attempt + 1 < ATTEMPTS => {
                attempt += 1;
                if attempt > 2 {
                    let pause = u64::from(attempt.min(20)) * 2;
                    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                }
            }
            other => return other,
        }
    }
}

/// Whether a body pins the object's resourceVersion.
fn pinned(body: &Value) -> bool {
    body["metadata"]["resourceVersion"]
        .as_str()
        .is_some_and(|v| !v.is_empty())
}

pub async fn update(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let mut new = body::decode(ctx.req)?;
    checked_fields(ctx, rp.rt, &mut new, Decode::Object).map_err(|e| undecodable(rp.rt, e))?;
    let mgr = manager(ctx, "kubectl-edit");
    let written = retried(pinned(&new), || async {
        let old = existing(ctx, rp).await?;
        store_update(ctx, rp, &old, new.clone(), Some(&mgr)).await
    })
    .await?;
    Ok(written)
}

/// A patch, tried again when another writer got in between (unless the
/// patch itself pins a resourceVersion).
pub async fn patch(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let pins = body::decode(ctx.req).is_ok_and(|b| pinned(&b));
    retried(pins, || patch_once(ctx, rp)).await
}

async fn patch_once(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let kind = PatchKind::from_media_type(&body::patch_type(ctx.req))?;
    let patch_body = body::decode(ctx.req)?;
    let old = match objects::get(ctx.api, ctx.uid(), rp.rt, ns_of(rp), name_of(rp)).await? {
        Some(mut o) => {
            crd::convert::for_client(rp.rt, &mut o);
            o
        }
        // Server-side apply creates what does not exist.
        None if kind == PatchKind::Apply && rp.sub.is_none() => {
            apply_manager(ctx, rp)?;
            apply_manager(ctx, rp)?;
            let mut config = apply_config(patch_body)?;
            let how = Decode::Apply {
                ns: ns_of(rp),
                name: name_of(rp),
            };
            checked_fields(ctx, rp.rt, &mut config, how)?;
            return apply_create(ctx, rp, config).await;
        }
        None => return Err(crate::error::not_found(&rp.rt.qualified(), name_of(rp))),
    };
    if kind == PatchKind::Apply {
        let mut config = apply_config(patch_body)?;
        let how = Decode::Apply {
            ns: ns_of(rp),
            name: name_of(rp),
        };
        checked_fields(ctx, rp.rt, &mut config, how)?;
        return apply_existing(ctx, rp, &old, &config).await;
    }
    if kind == PatchKind::Strategic && rp.rt.custom.is_some() {
        return Err(KubeError::UnsupportedMediaType(
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml".into(),
        ));
    }
    if ctx.req.flag("force") {
        return Err(invalid(
            rp.rt.kind,
            name_of(rp),
            "force",
            "Invalid value: true: may not be specified for non-apply patch",
        ));
    }
    let mut new = patch::apply(kind, rp.rt.kind, &old, &patch_body)?;
    checked_fields(ctx, rp.rt, &mut new, Decode::Object)?;
    let mgr = manager(ctx, "kubectl-patch");
    store_update(ctx, rp, &old, new, Some(&mgr)).await
}

/// Server-side apply over an existing object: merged, then owned (or refused
/// with the fields other managers own, unless `force`).
async fn apply_existing(
    ctx: &Ctx<'_>,
    rp: &ResourcePath,
    old: &Value,
    config: &Value,
) -> Result<KubeResponse, KubeError> {
    let mgr = apply_manager(ctx, rp)?;
    let mut base = old.clone();
    if let Some(m) = base["metadata"].as_object_mut() {
        m.remove("managedFields");
    }
    let mut new = match rp.rt.custom {
        Some(c) if c.schema.is_object() => crd::apply_merge::merge(
            Some(crate::schema::Schema::inline(&c.schema)),
            &base,
            config,
        ),
        _ => patch::apply(PatchKind::Apply, rp.rt.kind, &base, config)?,
    };
    if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert(
            "managedFields".into(),
            old["metadata"]["managedFields"].clone(),
        );
    }
    let w = writer(ctx, rp, mgr);
    managed_fields::applied(old, &mut new, config, &w, ctx.req.flag("force"))?;
    store_update(ctx, rp, old, new, None).await
}

/// An apply configuration: an object whose metadata, if any, is an object.
fn apply_config(config: Value) -> Result<Value, KubeError> {
    let shaped = config.as_object().is_some_and(|o| {
        o.get("metadata")
            .is_none_or(|m| m.is_object() || m.is_null())
    });
    if shaped {
        Ok(config)
    } else {
        Err(KubeError::BadRequest(
            "an apply configuration must be an object whose metadata is an object".into(),
        ))
    }
}

/// The field manager a server-side apply must name.
fn apply_manager<'a>(ctx: &'a Ctx<'_>, rp: &ResourcePath) -> Result<&'a str, KubeError> {
    ctx.req
        .param("fieldManager")
        .filter(|m| !m.is_empty())
        .ok_or_else(|| {
            invalid(
                rp.rt.kind,
                name_of(rp),
                "fieldManager",
                "Required value: is required for apply patch",
            )
        })
}

/// Server-side apply of an object that does not exist yet: 201.
async fn apply_create(
    ctx: &Ctx<'_>,
    rp: &ResourcePath,
    applied: Value,
) -> Result<KubeResponse, KubeError> {
    let mgr = apply_manager(ctx, rp)?;
    let mut obj = applied.clone();
    if !obj.is_object() {
        return Err(KubeError::BadRequest(
            "an apply configuration must be an object".into(),
        ));
    }
    match obj["metadata"]["name"].as_str() {
        Some(n) if n != name_of(rp) => {
            return Err(KubeError::BadRequest(format!(
                "the name of the object ({n}) does not match the name on the URL ({})",
                name_of(rp)
            )));
        }
        _ => obj["metadata"]["name"] = json!(name_of(rp)),
    }
    let mut new = prepare_new(ctx, rp.rt, rp.namespace.as_deref(), obj, mgr, "Apply").await?;
    let now = objects::now(ctx.api);
    let w = Writer::new(rp.rt, mgr, now, None);
    managed_fields::created(&mut new, &w, "Apply", &applied);
    store_new(ctx, rp.rt, new).await
}
