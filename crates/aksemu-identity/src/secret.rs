//! Client secrets: generated with Entra's shape, stored only as a SHA-256 digest.
//! Secrets are 256-bit random values, so a fast digest is enough (no password
//! stretching needed), and comparison is constant-time.

use aws_lc_rs::{constant_time, digest, rand};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};

const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
/// The first characters (Graph's `hint`) are alphanumeric, as Entra's are: a
/// secret starting with `-` reads as an option to command-line tools (az).
const LEAD: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// A new secret text like Entra's (`abc8Q~…`, 40 characters).
pub fn generate() -> String {
    let mut bytes = [0u8; 37];
    if rand::fill(&mut bytes).is_err() {
        // The system RNG does not fail on Linux; if it ever did, refuse to hand out
        // a predictable secret by producing one that can never be presented.
        return String::new();
    }
    let mut s: String = bytes[..3]
        .iter()
        .map(|b| LEAD[(*b as usize) % LEAD.len()] as char)
        .collect();
    s.push_str("8Q~");
    s.extend(
        bytes[3..]
            .iter()
            .map(|b| ALPHABET[(*b as usize) % 64] as char),
    );
    s
}

pub fn hash(secret: &str) -> String {
    format!(
        "sha256:{}",
        STANDARD_NO_PAD.encode(digest::digest(&digest::SHA256, secret.as_bytes()))
    )
}

pub fn matches(secret: &str, stored_hash: &str) -> bool {
    let candidate = hash(secret);
    !secret.is_empty()
        && constant_time::verify_slices_are_equal(candidate.as_bytes(), stored_hash.as_bytes())
            .is_ok()
}

/// A random id-like token for `uti`, `aio` and similar opaque claims.
pub fn opaque(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    let _ = rand::fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_starts_like_an_option() {
        for _ in 0..2000 {
            assert!(generate().as_bytes()[0].is_ascii_alphanumeric());
        }
    }

    #[test]
    fn round_trip() {
        let s = generate();
        assert_eq!(s.len(), 40);
        assert_eq!(&s[3..6], "8Q~");
        let h = hash(&s);
        assert!(matches(&s, &h));
        assert!(!matches("wrong", &h));
        assert!(!h.contains(&s));
    }
}
