//! The data directory: TLS material, the token-signing key, the administrator's
//! credentials and the running server's addresses. Secrets are written 0600 in a
//! 0700 directory.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use aksemu_arm::bootstrap::AdminCredentials;
use aksemu_identity::SigningKey;
use aksemu_identity::keys::KeyPem;
use aksemu_server::tls::{self, TlsMaterial};
use anyhow::Context as _;
use serde::{Deserialize, Serialize};

pub const CA_CERT: &str = "ca.pem";
/// The system's trusted roots plus the local CA: what `aksemu env` points
/// `REQUESTS_CA_BUNDLE`/`SSL_CERT_FILE` at, so other HTTPS in that shell still works.
pub const CA_BUNDLE: &str = "ca-bundle.pem";
/// Where distributions keep their trusted roots, as one PEM file.
const SYSTEM_ROOTS: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];
const CA_KEY: &str = "ca-key.pem";
const TLS_CERT: &str = "tls-cert.pem";
const TLS_KEY: &str = "tls-key.pem";
const SIGNING_KEY: &str = "signing-key.pem";
const SIGNING_CERT: &str = "signing-cert.pem";
const CREDENTIALS: &str = "credentials.json";
const SERVER: &str = "server.json";
pub const DATABASE: &str = "aksemu.db";

/// The data dir a client command means: the one given (`--data-dir` or
/// `AKSEMU_DATA_DIR`), else the nearest `.aksemu` with a running server's
/// `server.json` from the working directory upwards, else the data dir of the
/// server this user started last (the per-user pointer), else `.aksemu` here
/// (whose absence the command then reports).
pub fn locate(given: Option<&Path>) -> PathBuf {
    if let Some(p) = given {
        return p.to_path_buf();
    }
    let here = std::env::current_dir().unwrap_or_default();
    let running = |d: &Path| d.join(SERVER).is_file() && ours(d) && alive(d);
    here.ancestors()
        .map(|d| d.join(".aksemu"))
        .find(|d| running(d))
        .or_else(|| {
            let last = fs::read_to_string(user_pointer()?).ok()?;
            Some(PathBuf::from(last.trim())).filter(|d| running(d))
        })
        .unwrap_or_else(|| PathBuf::from(".aksemu"))
}

/// A directory found by looking around (not named by the user) is used only
/// if this user owns it and nobody else may write to it: another local user
/// could otherwise plant a `.aksemu` (with a kubeconfig whose exec plugin runs
/// their command) in a parent directory such as /tmp.
fn ours(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    // The process's own /proc entry is owned by its effective user (Linux);
    // elsewhere the ownership check is left to the mode check.
    let me = fs::metadata("/proc/self").map(|m| m.uid()).ok();
    fs::metadata(dir).is_ok_and(|m| m.mode() & 0o022 == 0 && me.is_none_or(|uid| m.uid() == uid))
}

/// Whether the server a data dir records still runs (a crashed one leaves
/// `server.json` behind). Checked where /proc exists.
fn alive(dir: &Path) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    fs::read_to_string(dir.join(SERVER))
        .ok()
        .and_then(|s| serde_json::from_str::<ServerInfo>(&s).ok())
        .is_some_and(|info| Path::new(&format!("/proc/{}", info.pid)).exists())
}

/// `$XDG_STATE_HOME/aksemu/last-server` (or under `~/.local/state`): the data
/// dir of the server this user started last, so `aksemu env` and `exec` work
/// from any directory.
fn user_pointer() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("aksemu").join("last-server"))
}

/// What `aksemu env` needs to know about a running server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerInfo {
    pub arm_url: String,
    pub listen: String,
    /// The managed-identity endpoint (plain HTTP, loopback).
    pub imds_url: String,
    /// The interception proxy (absent in files written before it existed).
    #[serde(default)]
    pub proxy_url: Option<String>,
    pub pid: u32,
    pub store: String,
    pub tenant_id: String,
    pub subscription_id: String,
}

pub struct DataDir {
    path: PathBuf,
}

impl DataDir {
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(path)
            .with_context(|| format!("creating data dir {}", path.display()))?;
        fs::set_permissions(path, fs::Permissions::from_mode(0o700))?;
        let path = fs::canonicalize(path)?;
        Ok(Self { path })
    }

    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let path =
            fs::canonicalize(path).with_context(|| format!("no data dir at {}", path.display()))?;
        Ok(Self { path })
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    fn read(&self, name: &str) -> anyhow::Result<Option<String>> {
        match fs::read_to_string(self.file(name)) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", self.file(name).display())),
        }
    }

    /// Writes atomically (temp file + rename) with the given mode.
    fn write(&self, name: &str, contents: &str, mode: u32) -> anyhow::Result<()> {
        let tmp = self.file(&format!(".{name}.tmp"));
        {
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(mode)
                .open(&tmp)?;
            f.write_all(contents.as_bytes())?;
            f.sync_all()?;
        }
        fs::set_permissions(&tmp, fs::Permissions::from_mode(mode))?;
        fs::rename(&tmp, self.file(name))?;
        Ok(())
    }

    pub fn tls(&self) -> anyhow::Result<TlsMaterial> {
        if let (Some(ca_cert_pem), Some(ca_key_pem), Some(cert_pem), Some(key_pem)) = (
            self.read(CA_CERT)?,
            self.read(CA_KEY)?,
            self.read(TLS_CERT)?,
            self.read(TLS_KEY)?,
        ) {
            return Ok(TlsMaterial {
                ca_cert_pem,
                ca_key_pem,
                cert_pem,
                key_pem,
            });
        }
        let m = tls::generate()?;
        self.write(CA_KEY, &m.ca_key_pem, 0o600)?;
        self.write(TLS_KEY, &m.key_pem, 0o600)?;
        self.write(TLS_CERT, &m.cert_pem, 0o600)?;
        self.write(CA_CERT, &m.ca_cert_pem, 0o600)?;
        Ok(m)
    }

    /// Writes the system's roots (the first bundle found, if any) and the local
    /// CA into one bundle; refreshed at every start.
    pub fn write_ca_bundle(&self, ca_pem: &str) -> anyhow::Result<()> {
        let system = SYSTEM_ROOTS
            .iter()
            .find_map(|p| fs::read_to_string(p).ok())
            .unwrap_or_default();
        let bundle = format!("{}\n{ca_pem}", system.trim_end());
        self.write(CA_BUNDLE, bundle.trim_start(), 0o644)
    }

    pub fn signing_key(&self) -> anyhow::Result<SigningKey> {
        if let (Some(key_pem), Some(cert_pem)) = (self.read(SIGNING_KEY)?, self.read(SIGNING_CERT)?)
        {
            return Ok(SigningKey::from_pem(&KeyPem { key_pem, cert_pem })?);
        }
        let (key, pem) = SigningKey::generate("aksemu token signing")?;
        self.write(SIGNING_KEY, &pem.key_pem, 0o600)?;
        self.write(SIGNING_CERT, &pem.cert_pem, 0o600)?;
        Ok(key)
    }

    pub fn credentials(&self) -> anyhow::Result<Option<AdminCredentials>> {
        self.read(CREDENTIALS)?
            .map(|s| serde_json::from_str(&s).context("parsing credentials.json"))
            .transpose()
    }

    pub fn write_credentials(&self, c: &AdminCredentials) -> anyhow::Result<()> {
        self.write(CREDENTIALS, &serde_json::to_string_pretty(c)?, 0o600)
    }

    pub fn server_info(&self) -> anyhow::Result<Option<ServerInfo>> {
        self.read(SERVER)?
            .map(|s| serde_json::from_str(&s).context("parsing server.json"))
            .transpose()
    }

    pub fn write_server_info(&self, info: &ServerInfo) -> anyhow::Result<()> {
        self.write(SERVER, &serde_json::to_string_pretty(info)?, 0o600)?;
        // Best effort: without it, only --data-dir and `.aksemu` lookups work.
        if let Some(p) = user_pointer()
            && let Some(parent) = p.parent()
            && fs::create_dir_all(parent).is_ok()
        {
            let _ = fs::write(&p, format!("{}\n", self.path.display()));
        }
        Ok(())
    }

    /// Creates an empty file readable by the owner only, if missing (SQLite gives
    /// its -wal and -shm files the database file's mode).
    pub fn private_file(&self, name: &str) -> anyhow::Result<PathBuf> {
        let path = self.file(name);
        fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(&path)?;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600))?;
        Ok(path)
    }

    pub fn remove_server_info(&self) {
        let _ = fs::remove_file(self.file(SERVER));
    }
}

#[cfg(test)]
mod lookup_tests {
    use super::*;

    fn recorded(dir: &Path, pid: u32) {
        let info = ServerInfo {
            arm_url: String::new(),
            listen: String::new(),
            imds_url: String::new(),
            proxy_url: None,
            pid,
            store: String::new(),
            tenant_id: String::new(),
            subscription_id: String::new(),
        };
        let written = serde_json::to_string(&info).map(|t| fs::write(dir.join(SERVER), t));
        assert!(matches!(written, Ok(Ok(()))));
    }

    #[test]
    fn only_private_directories_of_running_servers_are_found() {
        let Ok(tmp) = tempfile::tempdir() else {
            panic!("no temp dir")
        };
        let dir = tmp.path();
        recorded(dir, std::process::id());
        let mode = |m| fs::set_permissions(dir, fs::Permissions::from_mode(m)).is_ok();
        assert!(mode(0o700));
        assert!(ours(dir) && alive(dir));
        // Planted where others may write: not trusted.
        assert!(mode(0o777));
        assert!(!ours(dir));
        assert!(mode(0o700));
        // A server that is gone.
        recorded(dir, u32::MAX - 1);
        assert!(!alive(dir) || !Path::new("/proc/self").exists());
    }
}
