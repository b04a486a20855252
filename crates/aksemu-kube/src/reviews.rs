//! The create-only review APIs, answered from the same authenticator and
//! authorizer as every request: SelfSubjectAccessReview (`auth can-i`),
//! SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview,
//! SelfSubjectReview (`auth whoami`) and TokenReview.

use serde_json::{Value, json};

use crate::ctx::Ctx;
use crate::error::KubeError;
use crate::rbac::{Attributes, UserInfo};
use crate::request::KubeResponse;
use crate::route::ResourcePath;
use crate::{body, gate, meta, objects, sa_tokens};

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn attributes(spec: &Value) -> Attributes {
    let r = &spec["resourceAttributes"];
    if r.is_object() {
        return Attributes {
            verb: s(&r["verb"]),
            api_group: s(&r["group"]),
            resource: s(&r["resource"]),
            subresource: s(&r["subresource"]),
            namespace: s(&r["namespace"]),
            name: s(&r["name"]),
            path: None,
        };
    }
    let n = &spec["nonResourceAttributes"];
    Attributes {
        verb: s(&n["verb"]),
        path: Some(s(&n["path"])),
        ..Attributes::default()
    }
}

fn user_of(spec: &Value) -> UserInfo {
    UserInfo {
        username: s(&spec["user"]),
        uid: s(&spec["uid"]),
        groups: spec["groups"]
            .as_array()
            .map(|g| {
                g.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn user_json(u: &UserInfo) -> Value {
    let mut v = json!({"username": u.username, "groups": u.groups});
    if !u.uid.is_empty() {
        v["uid"] = json!(u.uid);
    }
    v
}

async fn access(
    ctx: &Ctx<'_>,
    review: &mut Value,
    user: &UserInfo,
    ns: Option<&str>,
) -> Result<(), KubeError> {
    let mut attrs = attributes(&review["spec"]);
    if let Some(ns) = ns {
        attrs.namespace = ns.to_string();
    }
    let d = gate::decide(ctx.api, ctx.uid(), user, &attrs).await?;
    review["status"] = json!({"allowed": d.allowed});
    if !d.reason.is_empty() {
        review["status"]["reason"] = json!(d.reason);
    }
    Ok(())
}

async fn token_review(ctx: &Ctx<'_>, review: &mut Value) {
    let token = s(&review["spec"]["token"]);
    let auds: Vec<String> = review["spec"]["audiences"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let result = if auds.is_empty() {
        sa_tokens::verify_for_api(ctx.api, ctx.cluster, &token, &ctx.req.base_url).await
    } else {
        let refs: Vec<&str> = auds.iter().map(String::as_str).collect();
        sa_tokens::verify(ctx.api, ctx.cluster, &token, &ctx.req.base_url, &refs).await
    };
    review["status"] = match result {
        Ok(c) => {
            let aud = if auds.is_empty() {
                c.aud.clone()
            } else {
                auds.clone()
            };
            json!({"authenticated": true, "user": user_json(&c.user()), "audiences": aud})
        }
        Err(e) => json!({"authenticated": false, "error": format!("[invalid bearer token, {e}]")}),
    };
}

pub async fn create(ctx: &Ctx<'_>, rp: &ResourcePath) -> Result<KubeResponse, KubeError> {
    let mut review = body::decode(ctx.req)?;
    meta::check_type(rp.rt, &mut review)?;
    let me = ctx.auth.user().clone();
    match rp.rt.kind {
        "SelfSubjectAccessReview" => access(ctx, &mut review, &me, None).await?,
        "SubjectAccessReview" => {
            let who = user_of(&review["spec"]);
            access(ctx, &mut review, &who, None).await?
        }
        "LocalSubjectAccessReview" => {
            let who = user_of(&review["spec"]);
            access(ctx, &mut review, &who, rp.namespace.as_deref()).await?
        }
        "SelfSubjectRulesReview" => {
            let ns = s(&review["spec"]["namespace"]);
            let (res, non) = gate::rules(ctx.api, ctx.uid(), &me, &ns).await?;
            review["status"] =
                json!({"resourceRules": res, "nonResourceRules": non, "incomplete": false});
        }
        "SelfSubjectReview" => review["status"] = json!({"userInfo": user_json(&me)}),
        "TokenReview" => token_review(ctx, &mut review).await,
        _ => return Err(KubeError::MethodNotAllowed),
    }
    review["metadata"]["creationTimestamp"] = json!(objects::now(ctx.api));
    Ok(KubeResponse::json(201, &review))
}
