//! Certificates for Azure's public hostnames, minted by the local CA on first
//! use and kept for the life of the process: clients trust them through the
//! same CA file they trust the loopback listener with.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rcgen::{CertificateParams, DnType, ExtendedKeyUsagePurpose, Issuer, KeyPair};

use crate::tls::{TlsError, server_config};

/// Certificates kept at once: registry and issuer names are open-ended, so a
/// local client could otherwise make the map grow without bound.
const KEPT: usize = 1024;

pub struct HostCerts {
    issuer: Issuer<'static, KeyPair>,
    minted: Mutex<HashMap<String, Arc<rustls::ServerConfig>>>,
}

impl HostCerts {
    /// From the local CA's certificate and key (PEM).
    pub fn new(ca_cert_pem: &str, ca_key_pem: &str) -> Result<Self, TlsError> {
        let key = KeyPair::from_pem(ca_key_pem)?;
        Ok(Self {
            issuer: Issuer::from_ca_cert_pem(ca_cert_pem, key)?,
            minted: Mutex::new(HashMap::new()),
        })
    }

    /// The TLS configuration presenting a certificate for `host`.
    pub fn config_for(&self, host: &str) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let host = host.to_ascii_lowercase();
        if let Some(c) = self.lock().get(&host) {
            return Ok(c.clone());
        }
        let config = self.mint(&host)?;
        let mut minted = self.lock();
        if minted.len() >= KEPT {
            minted.clear();
        }
        minted.insert(host, config.clone());
        Ok(config)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<rustls::ServerConfig>>> {
        // A poisoned map holds only finished entries: keep using it.
        self.minted.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn mint(&self, host: &str) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(vec![host.to_string()])?;
        params.distinguished_name.push(DnType::CommonName, host);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(1);
        // Within the 398 days browsers and some TLS stacks accept.
        params.not_after = now + time::Duration::days(397);
        let cert = params.signed_by(&key, &self.issuer)?;
        server_config(&cert.pem(), &key.serialize_pem())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mints_once_per_host() {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let Ok(m) = crate::tls::generate() else {
            panic!("CA generation failed")
        };
        let Ok(certs) = HostCerts::new(&m.ca_cert_pem, &m.ca_key_pem) else {
            panic!("the CA does not load")
        };
        let a = certs.config_for("management.azure.com").ok();
        let b = certs.config_for("Management.Azure.com").ok();
        assert!(a.is_some());
        assert!(matches!((a, b), (Some(a), Some(b)) if Arc::ptr_eq(&a, &b)));
    }
}
