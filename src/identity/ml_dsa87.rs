//! ML_DSA_87: FIPS 204 ML-DSA-87, pure mode with an empty context; identities are the
//! 2592-byte public keys (spec §4).

use ml_dsa::{EncodedVerifyingKey, MlDsa87, Signature, VerifyingKey};

use crate::error::{Error, Result};

/// Length of an ML-DSA-87 public key (and so of its user id).
pub const PUBLIC_KEY_LEN: usize = 2592;
/// Length of an ML-DSA-87 signature.
pub const SIGNATURE_LEN: usize = 4627;

/// Verifies an ML-DSA-87 signature with the empty context, as `@noble/post-quantum` does.
pub fn verify(public_key: &[u8], payload: &[u8], signature: &[u8]) -> Result<()> {
    let encoded = EncodedVerifyingKey::<MlDsa87>::try_from(public_key).map_err(|_| {
        Error::InvalidSignature(format!(
            "ML-DSA-87 public key must be {PUBLIC_KEY_LEN} bytes, got {}",
            public_key.len()
        ))
    })?;
    let key = VerifyingKey::<MlDsa87>::decode(&encoded);
    let sig = Signature::<MlDsa87>::try_from(signature)
        .map_err(|_| Error::InvalidSignature("malformed ML-DSA-87 signature".into()))?;
    if key.verify_with_context(payload, &[], &sig) {
        Ok(())
    } else {
        Err(Error::InvalidSignature(
            "ML-DSA-87 signature does not verify".into(),
        ))
    }
}
