//! The cluster's OIDC issuer on the ARM side: `rotateServiceAccountSigningKeys`
//! (`az aks oidc-issuer rotate-signing-keys`) has the Kubernetes side make a
//! new service-account signing key, the old one kept for a grace period.

use aksemu_authz::Authorized;
use aksemu_core::ArmError;
use aksemu_core::request::ArmResponse;

use aksemu_arm::Cloud;

pub async fn rotate_keys(
    cloud: &Cloud,
    auth: &Authorized,
    plane: &crate::PlaneSlot,
) -> Result<ArmResponse, ArmError> {
    let doc = aksemu_arm::providers::tracked::action_target(
        cloud,
        auth.scope(),
        "Microsoft.ContainerService/managedClusters",
    )
    .await?;
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
