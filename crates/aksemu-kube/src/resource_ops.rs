//! Dispatch of resource requests by verb and subresource.

use crate::ctx::{Ctx, verb};
use crate::error::KubeError;
use crate::request::KubeResponse;
use crate::resources::Storage;
use crate::route::ResourcePath;
use crate::{delete, read, reviews, subresources, write};

pub async fn dispatch(ctx: &Ctx<'_>, rp: ResourcePath) -> Result<KubeResponse, KubeError> {
    if rp.rt.storage == Storage::Review {
        return match ctx.req.method.as_str() {
            "POST" if rp.name.is_none() => reviews::create(ctx, &rp).await,
            _ => Err(KubeError::MethodNotAllowed),
        };
    }
    let v = verb(&ctx.req.method, &rp, ctx.req.flag("watch"));
    match (v, rp.sub.as_deref()) {
        ("get", None | Some("status")) => read::get(ctx, &rp).await,
        ("list", None) => read::list(ctx, &rp).await,
        ("watch", None) => read::watch(ctx, &rp).await,
        ("create", None) => write::create(ctx, &rp).await,
        ("update", None | Some("status")) => write::update(ctx, &rp).await,
        ("patch", None | Some("status")) => write::patch(ctx, &rp).await,
        ("delete", None) => delete::delete(ctx, &rp).await,
        ("deletecollection", None) => delete::delete_collection(ctx, &rp).await,
        (_, Some("scale")) => subresources::scale(ctx, &rp, v).await,
        ("create", Some("token")) => subresources::token(ctx, &rp).await,
        ("create", Some("binding")) => subresources::binding(ctx, &rp).await,
        ("create", Some("eviction")) => subresources::eviction(ctx, &rp).await,
        ("get", Some("log")) => crate::logs::log(ctx, &rp).await,
        (_, Some(s @ ("exec" | "attach" | "portforward"))) => {
            crate::logs::no_containers(ctx, &rp, s).await
        }
        ("update", Some("finalize")) => write::update(ctx, &rp).await,
        _ => Err(KubeError::MethodNotAllowed),
    }
}
