//! The cluster's OIDC issuer on the ARM side: `rotateServiceAccountSigningKeys`
//! (`az aks oidc-issuer rotate-signing-keys`) has the Kubernetes side make a
//! new service-account signing key, the old one kept for a grace period.

use aksemu_authz::Authorized;
use aksemu_core::ArmError;
use aksemu_core::request::ArmResponse;
use aksemu_store::store_err;

use aksemu_arm::Cloud;
use aksemu_arm::collections::RESOURCES;

pub async fn rotate_keys(
    cloud: &Cloud,
    auth: &Authorized,
    plane: &crate::PlaneSlot,
) -> Result<ArmResponse, ArmError> {
    let cluster = aksemu_arm::providers::tracked::parent_resource(auth.scope())?;
    let doc = cloud
        .store()
        .get(RESOURCES, cluster.key())
        .await
        .map_err(store_err)?
        .ok_or_else(|| ArmError::ResourceNotFound {
            resource_type: "Microsoft.ContainerService/managedClusters".into(),
            name: cluster
                .segments()
                .last()
                .copied()
                .unwrap_or_default()
                .to_string(),
            group: cluster
                .segments()
                .get(3)
                .copied()
                .unwrap_or_default()
                .to_string(),
        })?;
    let props = &doc.body["properties"];
    if props["oidcIssuerProfile"]["enabled"] != true {
        return Err(ArmError::BadRequest(
            "Rotating service account signing keys requires the OIDC issuer to be enabled (--enable-oidc-issuer).".into(),
        ));
    }
    let uid = props["resourceUID"].as_str().unwrap_or_default();
    let Some(plane) = plane.get() else {
        return Err(ArmError::InternalServerError);
    };
    plane
        .rotate_service_account_keys(uid)
        .await
        .map_err(ArmError::BadRequest)?;
    // The operation's answers are 202 (running) and 204 (done): done at once.
    Ok(ArmResponse::empty(204))
}
