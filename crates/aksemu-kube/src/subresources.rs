//! Subresources: `scale` (an autoscaling/v1 Scale over spec.replicas),
//! `serviceaccounts/token` (TokenRequest), `pods/binding`, `pods/eviction`
//! and `pods/log`.

use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::error::{KubeError, invalid, not_found};
use crate::patch::{self, PatchKind};
use crate::read::{existing, name_of, ns_of};
use crate::request::KubeResponse;
use crate::resources::find;
use crate::route::ResourcePath;
use crate::sa_tokens::{self, Mint, Named};
use crate::{body, objects};

/// Where a type keeps what `scale` shows: the built-in workloads'
/// `spec.replicas`, or a CRD's `specReplicasPath` and friends.
struct ScalePaths<'a> {
    spec: &'a str,
    status: &'a str,
    selector: Option<&'a str>,
}

fn paths_of(rt: &crate::resources::ResourceType) -> ScalePaths<'static> {
    match rt.custom.and_then(|c| c.scale.as_ref()) {
        Some(s) => ScalePaths {
            spec: s["specReplicasPath"].as_str().unwrap_or(".spec.replicas"),
            status: s["statusReplicasPath"]
                .as_str()
                .unwrap_or(".status.replicas"),
            selector: s["labelSelectorPath"].as_str(),
        },
        None => ScalePaths {
            spec: ".spec.replicas",
            status: ".status.replicas",
            selector: None,
        },
    }
}

fn at<'a>(obj: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .filter(|s| !s.is_empty())
        .fold(obj, |v, f| &v[f])
}

/// Sets a dotted path, creating objects on the way; a non-object in the way
/// leaves the object as it is.
fn set_at(obj: &mut Value, path: &str, value: Value) {
    let mut cur = obj;
    for f in path.split('.').filter(|s| !s.is_empty()) {
        if cur.is_null() {
            *cur = json!({});
        }
        let Some(o) = cur.as_object_mut() else { return };
        cur = o.entry(f).or_insert(Value::Null);
    }
    *cur = value;
}

fn scale_of(obj: &Value, paths: &ScalePaths<'_>) -> Value {
    let m = &obj["metadata"];
    let selector = match paths.selector {
        Some(p) => at(obj, p).as_str().unwrap_or_default().to_string(),
        None => obj["spec"]["selector"]["matchLabels"]
            .as_object()
            .map(|l| {
                l.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default(),
    };
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
                     "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"]},
        "spec": {"replicas": at(obj, paths.spec).as_i64().unwrap_or(1)},
        "status": {"replicas": at(obj, paths.status).as_i64().unwrap_or(0), "selector": selector},
    })
}

/// `scale`, tried again when another writer got in between (unless the
/// client's Scale pins a resourceVersion).
pub async fn scale(
    ctx: &Ctx<'_>,
    rp: &ResourcePath,
    verb: &str,
) -> Result<KubeResponse, KubeError> {
    let mut attempt = 0;
    loop {
        match scale_once(ctx, rp, verb).await {
            Err(KubeError::Conflict(..)) if attempt < 7 && verb == "patch" => attempt += 1,
            other => return other,
        }
    }
}

async fn scale_once(
    ctx: &Ctx<'_>,
    rp: &ResourcePath,
    verb: &str,
) -> Result<KubeResponse, KubeError> {
    let obj = existing(ctx, rp).await?;
    let paths = paths_of(rp.rt);
    let current = scale_of(&obj, &paths);
    let wanted = match verb {
        "get" => return Ok(KubeResponse::json(200, &current)),
        "update" => body::decode(ctx.req)?,
        "patch" => {
            let kind = PatchKind::from_media_type(&body::patch_type(ctx.req))?;
            patch::apply(kind, "Scale", &current, &body::decode(ctx.req)?)?
        }
        _ => return Err(KubeError::MethodNotAllowed),
    };
    let replicas = wanted["spec"]["replicas"]
        .as_i64()
        .filter(|r| *r >= 0)
        .ok_or_else(|| {
            invalid(
                "Scale",
                name_of(rp),
                "spec.replicas",
                "Invalid value: must be greater than or equal to 0",
            )
        })?;
    if let Some(rv) = wanted["metadata"]["resourceVersion"].as_str()
        && Some(rv) != obj["metadata"]["resourceVersion"].as_str()
    {
        return Err(objects::conflict(rp.rt, name_of(rp)));
    }
    let mut new = obj.clone();
    set_at(&mut new, paths.spec, json!(replicas));
    if let Some(g) = obj["metadata"]["generation"].as_i64()
        && at(&obj, paths.spec).as_i64() != Some(replicas)
    {
        new["metadata"]["generation"] = json!(g + 1);
    }
    let mgr = crate::write::manager(ctx, "kubectl-scale");
    let now = objects::now(ctx.api);
    let w = crate::managed_fields::Writer::new(rp.rt, &mgr, now, Some("scale"));
    crate::managed_fields::updated(&obj, &mut new, &w);
    if ctx.req.dry_run() {
        return Ok(KubeResponse::json(200, &scale_of(&new, &paths)));
    }
    let w = objects::put(ctx.uid(), rp.rt, &new, objects::at_version(&obj));
    let rv = objects::commit(ctx.api, rp.rt, name_of(rp), vec![w]).await?;
    let stored = objects::with_rv(new, rv.first().map(String::as_str).unwrap_or_default());
    Ok(KubeResponse::json(200, &scale_of(&stored, &paths)))
}

/// The pod a TokenRequest binds to, with its uid.
async fn bound_pod(ctx: &Ctx<'_>, ns: &str, req: &Value) -> Result<Option<Named>, KubeError> {
    let r = &req["spec"]["boundObjectRef"];
    if r["kind"] != "Pod" {
        return Ok(None);
    }
    let name = r["name"].as_str().unwrap_or_default();
    let Some(pods) = find("", "v1", "pods") else {
        return Ok(None);
    };
    let pod = objects::get(ctx.api, ctx.uid(), pods, ns, name)
        .await?
        .ok_or_else(|| not_found("pods", name))?;
    Ok(Some(Named {
        name: name.to_string(),
        uid: pod["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    }))
}

/// `create token`: a signed service-account token.
pub async fn token(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let mut tr = body::decode(ctx.req)?;
    let sa = existing(ctx, rp).await?;
    let ns = ns_of(rp);
    let seconds = tr["spec"]["expirationSeconds"].as_i64().unwrap_or(3600);
    if seconds < 600 {
        return Err(invalid(
            "TokenRequest",
            name_of(rp),
            "spec.expirationSeconds",
            "Invalid value: may not specify a duration less than 10 minutes",
        ));
    }
    let mut audiences: Vec<String> = tr["spec"]["audiences"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if audiences.is_empty() {
        audiences.push(sa_tokens::default_audience(ctx.cluster, &ctx.req.base_url));
    }
    let account = Named {
        name: name_of(rp).to_string(),
        uid: sa["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    };
    let pod = bound_pod(ctx, ns, &tr).await?;
    let mint = Mint {
        namespace: ns,
        account,
        pod,
        audiences: audiences.clone(),
        seconds,
    };
    let (jwt, exp) = sa_tokens::mint(ctx.api, ctx.cluster, &ctx.req.base_url, mint).await?;
    let expires = time::OffsetDateTime::from_unix_timestamp(exp)
        .map(objects::ktime)
        .unwrap_or_default();
    tr["kind"] = json!("TokenRequest");
    tr["apiVersion"] = json!("authentication.k8s.io/v1");
    tr["metadata"] =
        json!({"name": name_of(rp), "namespace": ns, "creationTimestamp": objects::now(ctx.api)});
    tr["spec"]["audiences"] = json!(audiences);
    tr["spec"]["expirationSeconds"] = json!(seconds);
    if tr["spec"].get("boundObjectRef").is_none() {
        tr["spec"]["boundObjectRef"] = Value::Null;
    }
    tr["status"] = json!({"token": jwt, "expirationTimestamp": expires});
    Ok(KubeResponse::json(201, &tr))
}

fn success() -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201})
}

/// `pods/binding`: what a scheduler posts to put a pod on a node.
pub async fn binding(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let b = body::decode(ctx.req)?;
    let node = b["target"]["name"]
        .as_str()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| invalid("Binding", name_of(rp), "target.name", "Required value"))?;
    let pod = existing(ctx, rp).await?;
    if pod["spec"]["nodeName"]
        .as_str()
        .is_some_and(|n| !n.is_empty())
    {
        return Err(KubeError::Conflict(
            format!(
                "Operation cannot be fulfilled on pods/binding \"{}\": pod {} is already assigned to node {:?}",
                name_of(rp),
                name_of(rp),
                pod["spec"]["nodeName"].as_str().unwrap_or_default()
            ),
            "pods/binding".into(),
            name_of(rp).to_string(),
        ));
    }
    let mut new = pod.clone();
    new["spec"]["nodeName"] = json!(node);
    let w = objects::put(ctx.uid(), rp.rt, &new, objects::at_version(&pod));
    objects::commit(ctx.api, rp.rt, name_of(rp), vec![w]).await?;
    Ok(KubeResponse::json(201, &success()))
}

/// `pods/eviction`: the pod is deleted (disruption budgets are not weighed yet).
pub async fn eviction(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let pod = existing(ctx, rp).await?;
    let w = objects::delete(
        ctx.uid(),
        rp.rt,
        ns_of(rp),
        name_of(rp),
        objects::at_version(&pod),
    );
    objects::commit(ctx.api, rp.rt, name_of(rp), vec![w]).await?;
    Ok(KubeResponse::json(201, &success()))
}
