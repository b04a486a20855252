//! Every listener aksemu opens goes through here: loopback addresses only (the
//! one check), and one process-wide cap on open connections, beyond which a new
//! connection is closed at once rather than left to exhaust file descriptors.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Connections served at once, over every listener.
pub const MAX_CONNECTIONS: usize = 10_000;

/// Binds `addr`, which must be a loopback address (127.0.0.0/8 or ::1).
pub async fn bind_loopback(addr: SocketAddr) -> std::io::Result<TcpListener> {
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("aksemu listens on loopback only; {addr} is not a loopback address"),
        ));
    }
    TcpListener::bind(addr).await
}

fn slots() -> &'static Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SLOTS.get_or_init(|| Arc::new(Semaphore::new(MAX_CONNECTIONS)))
}

/// A slot for a new connection, held until it closes; `None` when all are taken.
pub fn connection_slot() -> Option<OwnedSemaphorePermit> {
    slots().clone().try_acquire_owned().ok()
}
