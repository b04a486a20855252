//! The store the `aksemu bench seed-…` commands write into before a server
//! starts on it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aksemu_arm::bootstrap;
use aksemu_core::SystemClock;
use aksemu_store::Store;
use anyhow::Context as _;

use crate::data_dir::{DATABASE, DataDir};

/// A data dir's SQLite store, bootstrapped (credentials written on first
/// use), for seeding before the server starts.
pub async fn seed_store(
    data_dir: &Path,
) -> anyhow::Result<(Arc<dyn Store>, bootstrap::Bootstrap, PathBuf)> {
    let dir = DataDir::create(data_dir)?;
    let path = dir.private_file(DATABASE)?;
    let store = aksemu_store::open(&format!("sqlite:{}", path.display()))
        .await
        .context("opening the store")?;
    let (boot, creds) = bootstrap::ensure(store.as_ref(), &SystemClock)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(c) = creds {
        dir.write_credentials(&c)?;
    }
    Ok((store, boot, path))
}
