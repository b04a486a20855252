//! Microsoft.Compute as far as AKS goes: scale sets (also hosts for the
//! managed-identity endpoints, `aksemu env --host <id>`), their VM instances
//! (one per node; data disks attach through an instance's PUT) and managed
//! disks (what a PersistentVolumeClaim provisions).

mod disks;
mod instances;

use aksemu_authz::Authorized;
use aksemu_core::ArmError;
use async_trait::async_trait;
use std::sync::Arc;

use crate::cloud::Cloud;
use crate::endpoint::{ChildType, Endpoint, Namespace, ResourceType, RgOp};
use crate::providers::generic;
use crate::registry::Provider;
use aksemu_core::request::{ArmRequest, ArmResponse, Method};

pub use instances::{INSTANCE_DISKS, base36};

pub const VIRTUAL_MACHINE_SCALE_SETS: ResourceType = ResourceType {
    namespace: "Microsoft.Compute",
    type_name: "virtualMachineScaleSets",
    read: "Microsoft.Compute/virtualMachineScaleSets/read",
    write: "Microsoft.Compute/virtualMachineScaleSets/write",
    delete: "Microsoft.Compute/virtualMachineScaleSets/delete",
    accepts_identity: true,
};

pub const DISKS: ResourceType = ResourceType {
    namespace: "Microsoft.Compute",
    type_name: "disks",
    read: "Microsoft.Compute/disks/read",
    write: "Microsoft.Compute/disks/write",
    delete: "Microsoft.Compute/disks/delete",
    accepts_identity: false,
};

pub const SCALE_SET_VMS: ChildType = ChildType {
    parent: &VIRTUAL_MACHINE_SCALE_SETS,
    type_name: "virtualMachines",
    read: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/read",
    write: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/write",
    delete: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/delete",
};

pub const COMPUTE: Namespace = Namespace {
    name: "Microsoft.Compute",
    register: "Microsoft.Compute/register/action",
    unregister: "Microsoft.Compute/unregister/action",
    listed_types: &[
        "virtualMachineScaleSets",
        "virtualMachineScaleSets/virtualMachines",
        "disks",
        "locations",
        "locations/operations",
    ],
    types: &[&VIRTUAL_MACHINE_SCALE_SETS, &DISKS],
    children: &[&SCALE_SET_VMS],
    actions: &[],
    location_reads: &[],
    provider_actions: &[],
};

pub struct Compute;

#[async_trait]
impl Provider<Cloud> for Compute {
    fn namespace(&self) -> &'static Namespace {
        &COMPUTE
    }

    async fn handle(
        &self,
        cloud: &Arc<Cloud>,
        auth: &Authorized,
        ep: &Endpoint,
        req: &ArmRequest,
    ) -> Result<ArmResponse, ArmError> {
        match ep {
            Endpoint::ChildResource {
                rg,
                name,
                child_name,
                op,
                ..
            } => match op {
                RgOp::Get | RgOp::Head => instances::get(cloud, auth, rg, name, child_name).await,
                RgOp::Put => instances::put(cloud, auth, rg, name, child_name, req).await,
                RgOp::Patch | RgOp::Delete => Err(ArmError::OperationNotAllowed(
                    "The instances of an AKS-managed scale set change with its node pool.".into(),
                )),
            },
            Endpoint::ListChildren { rg, name, .. } => instances::list(cloud, auth, rg, name).await,
            Endpoint::Resource { rtype, op, .. } if *rtype == &DISKS => match op {
                RgOp::Delete => disks::delete(cloud, auth, req).await,
                // Disks answer a create with 200 (or 202), never 201: the
                // SDKs refuse any other status.
                _ => {
                    if *op == RgOp::Put || *op == RgOp::Patch {
                        disks::refuse_if_attached(cloud, auth).await?;
                    }
                    let mut r = generic::handle(cloud, auth, ep, req, disks::shape).await?;
                    if r.status == 201 {
                        r.status = 200;
                    }
                    Ok(r)
                }
            },
            _ => generic::handle(cloud, auth, ep, req, generic::keep).await,
        }
    }

    fn samples(&self, sub: &str, rg: &str) -> Vec<(Method, String)> {
        let vmss = format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/r1"
        );
        vec![
            (Method::Put, vmss.clone()),
            (
                Method::Put,
                format!(
                    "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/disks/d1"
                ),
            ),
            (Method::Get, format!("{vmss}/virtualMachines/0")),
            (Method::Get, format!("{vmss}/virtualMachines")),
        ]
    }
}
