//! Azure Disk CSI, as AKS runs it (`disk.csi.azure.com`), acting as the
//! cluster identity: a claim of a disk storage class provisions a managed
//! disk `pvc-<uid>` (once a pod uses it, for `WaitForFirstConsumer`), a
//! PersistentVolume binds to it, a pod's node gets it attached (a
//! VolumeAttachment, the disk written to the node's scale-set instance) before
//! the pod starts, and a released volume with `Delete` reclaim takes its disk
//! along. Each step's failure is the event the driver or controller writes,
//! with the ARM error, and is tried again with back-off on the cloud clock.

mod attach;
mod claims;
mod provision;
mod reclaim;

use crate::client::CallError;
pub use crate::cloud::Ctx;
use crate::cloud::tracker::Tracker;
use crate::work::Work;

pub use crate::meta::claims_of;
pub use attach::volumes_ready;

pub const DRIVER: &str = "disk.csi.azure.com";
/// Microsoft.Compute's API version, as the driver pins one.
pub const COMPUTE_API: &str = "2024-07-01";

/// A claim's work: bind or provision it, attach it where its pods run.
/// Returns the pods to look at again (their volumes may be ready now).
pub async fn claim(
    ctx: &Ctx<'_>,
    backoff: &mut Tracker<Work>,
    ns: &str,
    name: &str,
) -> Result<Vec<Work>, CallError> {
    let key = Work::Claim {
        uid: ctx.uid.to_string(),
        ns: ns.to_string(),
        name: name.to_string(),
    };
    if backoff.idle(&key, "", ctx.now) {
        return Ok(Vec::new());
    }
    let (done, poke) = claims::reconcile(ctx, ns, name).await?;
    if done {
        backoff.forget(&key);
    } else {
        backoff.failed(key, String::new(), ctx.now);
    }
    Ok(poke)
}

/// A volume's work: a released volume with `Delete` reclaim goes, disk first.
pub async fn volume(
    ctx: &Ctx<'_>,
    backoff: &mut Tracker<Work>,
    name: &str,
) -> Result<(), CallError> {
    let key = Work::Volume {
        uid: ctx.uid.to_string(),
        name: name.to_string(),
    };
    if backoff.idle(&key, "", ctx.now) {
        return Ok(());
    }
    if reclaim::reconcile(ctx, name).await? {
        backoff.forget(&key);
    } else {
        backoff.failed(key, String::new(), ctx.now);
    }
    Ok(())
}
