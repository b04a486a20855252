//! The token-signing key: RSA-2048 with a self-signed certificate, so the JWKS can
//! publish `x5c`/`x5t` as Entra's does. The key is parsed once and kept.

use aws_lc_rs::digest;
use aws_lc_rs::signature::{self, KeyPair as _, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::DecodingKey;
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not generate the signing key: {0}")]
    Generate(String),
    #[error("the stored signing key is unusable: {0}")]
    Load(String),
}

pub struct SigningKey {
    kid: String,
    pair: RsaKeyPair,
    cert_der: Vec<u8>,
    n: Vec<u8>,
    e: Vec<u8>,
    decoding: DecodingKey,
}

/// PEM texts to persist a key across restarts.
pub struct KeyPem {
    pub key_pem: String,
    pub cert_pem: String,
}

impl SigningKey {
    /// Generates a new key and its self-signed certificate.
    pub fn generate(common_name: &str) -> Result<(Self, KeyPem), KeyError> {
        let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, common_name);
        params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(3650);
        let cert = params
            .self_signed(&kp)
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let pem = KeyPem {
            key_pem: kp.serialize_pem(),
            cert_pem: cert.pem(),
        };
        let key = Self::from_parts(&kp.serialize_der(), cert.der().to_vec())
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        Ok((key, pem))
    }

    /// Loads a key saved by `generate`.
    pub fn from_pem(pem: &KeyPem) -> Result<Self, KeyError> {
        let kp = rcgen::KeyPair::from_pem_and_sign_algo(&pem.key_pem, &rcgen::PKCS_RSA_SHA256)
            .map_err(|e| KeyError::Load(e.to_string()))?;
        let cert_der =
            pem_body(&pem.cert_pem).ok_or_else(|| KeyError::Load("certificate PEM".into()))?;
        Self::from_parts(&kp.serialize_der(), cert_der)
    }

    fn from_parts(pkcs8: &[u8], cert_der: Vec<u8>) -> Result<Self, KeyError> {
        let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(|e| KeyError::Load(e.to_string()))?;
        let public = pair.public_key();
        let n = public.modulus().big_endian_without_leading_zero().to_vec();
        let e = public.exponent().big_endian_without_leading_zero().to_vec();
        let kid =
            URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &cert_der));
        let decoding = DecodingKey::from_rsa_raw_components(&n, &e);
        Ok(Self {
            kid,
            pair,
            cert_der,
            n,
            e,
            decoding,
        })
    }

    /// Entra uses the certificate thumbprint (`x5t`) as the `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }

    /// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) over `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        // Signing with a valid, already-parsed key into a buffer of the right size
        // cannot fail; an empty signature would simply not verify.
        if self
            .pair
            .sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
            .is_err()
        {
            sig.clear();
        }
        sig
    }

    /// The JWKS entry.
    pub fn jwk(&self, issuer: Option<&str>) -> Value {
        let mut k = json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.n),
            "e": URL_SAFE_NO_PAD.encode(&self.e),
            "x5c": [STANDARD.encode(&self.cert_der)],
        });
        if let Some(iss) = issuer {
            k["issuer"] = json!(iss);
        }
        k
    }
}

fn pem_body(pem: &str) -> Option<Vec<u8>> {
    let b64: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    STANDARD.decode(b64.trim()).ok()
}
