//! ECDSA_SECP256R1: WebCrypto ECDSA P-256 with SHA-256 over the raw payload, 64-byte
//! IEEE P1363 `r ‖ s` signatures, identities are 33-byte compressed public keys (spec §4).

use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};

use crate::error::{Error, Result};

/// Verifies a P-256 signature. WebCrypto does not normalise S, so high-S is accepted.
pub fn verify(public_key: &[u8], payload: &[u8], signature: &[u8]) -> Result<()> {
    let key = VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| Error::InvalidSignature("publisher id is not a P-256 public key".into()))?;
    let sig = Signature::from_slice(signature)
        .map_err(|_| Error::InvalidSignature("P-256 signature must be 64 bytes r ‖ s".into()))?;
    key.verify(payload, &sig)
        .map_err(|_| Error::InvalidSignature("P-256 signature does not verify".into()))
}
