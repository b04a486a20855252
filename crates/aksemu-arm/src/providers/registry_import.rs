//! `POST …/registries/{name}/importImage` (`az acr import`): the target tags
//! exist in the registry afterwards, with a digest derived from the source.
//! Images from outside are not fetched (nothing leaves the machine); the tag
//! is what pulls check.

use aksemu_authz::Authorized;
use aksemu_core::ArmError;
use aksemu_store::{Cond, Write};
use serde_json::{Value, json};

use crate::cloud::Cloud;
use crate::providers::json_object;
use crate::providers::tracked::{action_target, write_err};
use aksemu_core::request::{ArmRequest, ArmResponse};

/// The tags a registry holds, keyed `<registry key>/<repository>:<tag>`.
pub const TAGS: &str = "registryTags";

pub fn tag_key(registry_key: &str, repo: &str, tag: &str) -> String {
    format!("{registry_key}/{}:{tag}", repo.to_lowercase())
}

/// `repo:tag` → (repo, tag), `latest` when no tag is given.
fn split_tag(image: &str) -> Option<(String, String)> {
    let image = image.split('@').next().unwrap_or(image);
    let (repo, tag) = match image.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (image, "latest"),
    };
    (!repo.is_empty() && !tag.is_empty()).then(|| (repo.to_lowercase(), tag.to_string()))
}

fn digest(source: &str) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, source.as_bytes());
    let hex: String = d.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

pub async fn import(
    cloud: &Cloud,
    auth: &Authorized,
    req: &ArmRequest,
) -> Result<ArmResponse, ArmError> {
    let doc = action_target(
        cloud,
        auth.scope(),
        "Microsoft.ContainerRegistry/registries",
    )
    .await?;
    let body = Value::Object(json_object(&req.body)?);
    let source = &body["source"];
    let image = source["sourceImage"].as_str().unwrap_or_default();
    let Some((src_repo, src_tag)) = split_tag(image) else {
        return Err(ArmError::InvalidParameter {
            target: "source.sourceImage".into(),
            message: "The source image must be given as 'repository:tag'.".into(),
        });
    };
    let origin = format!(
        "{}/{image}",
        source["registryUri"].as_str().unwrap_or_default()
    );
    let targets: Vec<String> = match body["targetTags"].as_array() {
        Some(t) if !t.is_empty() => t
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => vec![format!("{src_repo}:{src_tag}")],
    };
    let mut writes = Vec::new();
    for target in &targets {
        let (repo, tag) = split_tag(target).ok_or_else(|| ArmError::InvalidParameter {
            target: "targetTags".into(),
            message: format!("'{target}' is not a valid tag."),
        })?;
        writes.push(Write::Put {
            coll: TAGS,
            key: tag_key(&doc.key, &repo, &tag),
            id: format!("{}/{repo}:{tag}", doc.id),
            body: json!({"repository": repo, "tag": tag, "digest": digest(&origin), "source": origin,
                         "createdTime": cloud.now_rfc3339()}),
            cond: Cond::Any,
        });
    }
    cloud.commit(writes).await.map_err(write_err)?;
    Ok(ArmResponse::empty(200))
}
