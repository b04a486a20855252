//! The Kubernetes versions this region offers (`az aks get-versions`), and how
//! a requested version (`""`, `1.32` or `1.32.6`) resolves to one of them.

use aksemu_core::ArmError;
use serde_json::{Value, json};

/// (minor, patches newest last, default).
const VERSIONS: &[(&str, &[&str], bool)] = &[
    ("1.31", &["1.31.9", "1.31.10"], false),
    ("1.32", &["1.32.5", "1.32.6"], true),
    ("1.33", &["1.33.1", "1.33.2"], false),
];

/// `(kubernetesVersion, currentKubernetesVersion)` for a request.
pub fn resolve(requested: &str) -> Result<(String, String), ArmError> {
    let requested = requested.trim();
    let pick = |minor: &str, patches: &[&str]| {
        (
            minor.to_string(),
            patches.last().copied().unwrap_or(minor).to_string(),
        )
    };
    if requested.is_empty() {
        return VERSIONS
            .iter()
            .find(|(_, _, d)| *d)
            .map(|(m, p, _)| pick(m, p))
            .ok_or(ArmError::InternalServerError);
    }
    for (minor, patches, _) in VERSIONS {
        if requested == *minor {
            return Ok(pick(minor, patches));
        }
        if patches.contains(&requested) {
            return Ok((requested.to_string(), requested.to_string()));
        }
    }
    Err(ArmError::K8sVersionNotSupported {
        version: requested.to_string(),
    })
}

/// Versions a cluster at `current` (a patch version) may upgrade to: newer
/// patches of its minor and the newest patch of the next minor.
pub fn upgrades(current: &str) -> Vec<&'static str> {
    for (i, (_, patches, _)) in VERSIONS.iter().enumerate() {
        if let Some(j) = patches.iter().position(|p| *p == current) {
            let mut out: Vec<&'static str> = patches[j + 1..].to_vec();
            if let Some((_, next, _)) = VERSIONS.get(i + 1)
                && let Some(n) = next.last()
            {
                out.push(n);
            }
            return out;
        }
    }
    Vec::new()
}

/// `GET …/locations/{location}/kubernetesVersions`, for a known region.
pub fn for_location(
    location: &str,
) -> Result<aksemu_core::request::ArmResponse, aksemu_core::ArmError> {
    use aksemu_arm::catalog::{location_list, normalise_location};
    if normalise_location(location).is_none() {
        return Err(aksemu_core::ArmError::LocationNotAvailableForResourceType(
            location.to_string(),
            "Microsoft.ContainerService/locations/kubernetesVersions".into(),
            location_list(),
        ));
    }
    Ok(aksemu_core::request::ArmResponse::json(200, list()))
}

/// The `kubernetesVersions` list body.
pub fn list() -> Value {
    let values: Vec<Value> = VERSIONS
        .iter()
        .enumerate()
        .map(|(i, (minor, patches, default))| {
            let newer: Vec<&str> = VERSIONS[i + 1..]
                .iter()
                .filter_map(|(_, p, _)| p.last().copied())
                .collect();
            let mut patch_versions = serde_json::Map::new();
            for (j, p) in patches.iter().enumerate() {
                let mut upgrades: Vec<&str> = patches[j + 1..].to_vec();
                upgrades.extend(newer.iter().take(1));
                patch_versions.insert(p.to_string(), json!({ "upgrades": upgrades }));
            }
            let mut v = json!({
                "version": minor,
                "isPreview": false,
                "capabilities": {"supportPlan": ["KubernetesOfficial"]},
                "patchVersions": patch_versions,
            });
            if *default {
                v["isDefault"] = json!(true);
            }
            v
        })
        .collect();
    json!({ "values": values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_aks() {
        assert_eq!(resolve("").unwrap(), ("1.32".into(), "1.32.6".into()));
        assert_eq!(resolve("1.31").unwrap(), ("1.31".into(), "1.31.10".into()));
        assert_eq!(
            resolve("1.33.1").unwrap(),
            ("1.33.1".into(), "1.33.1".into())
        );
        assert_eq!(
            resolve("1.10").unwrap_err().code(),
            "K8sVersionNotSupported"
        );
    }
}
