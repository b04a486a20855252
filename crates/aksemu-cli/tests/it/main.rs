//! Integration tests: the real `aksemu` binary on an ephemeral port, over HTTPS.

#![allow(clippy::unwrap_used)]

mod aks;
mod arm_rules;
mod clock;
mod compute;
mod console;
mod federation;
mod forged_tokens;
mod graph;
mod hardening;
mod identities;
mod imds;
mod kube;
mod oauth;
mod principals;
mod propagation;
mod rbac;
mod reliability;
mod replicas;
mod restart;

use std::path::Path;

pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_aksemu"))
}

pub fn install_crypto() {
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}
