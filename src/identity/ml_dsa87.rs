//! ML_DSA_87: FIPS 204 ML-DSA-87, pure mode with an empty context; identities are the
//! 2592-byte public keys (docs/wire.md §4).
//!
//! Signing is the deterministic variant (rnd = 32 zero bytes), so it reproduces the SDK's
//! (`@noble/post-quantum` 0.4.1) signatures byte for byte.

use std::fmt;

use ml_dsa::{EncodedVerifyingKey, ExpandedSigningKey, MlDsa87, Seed, Signature, VerifyingKey};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::random;
use crate::user_id::UserId;

/// Length of an ML-DSA-87 public key (and so of its user id).
pub const PUBLIC_KEY_LEN: usize = 2592;
/// Length of an ML-DSA-87 signature.
pub const SIGNATURE_LEN: usize = 4627;
/// Length of the expanded secret key the SDK stores (`rho ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0`).
pub const SECRET_KEY_LEN: usize = 4896;
/// Length of a FIPS 204 key-generation seed.
pub const SEED_LEN: usize = 32;

/// Where s1 ‖ s2 sit in the expanded key: after rho (32), K (32) and tr (64); 15 polynomials of
/// 256 coefficients, 3 bits each.
const S1_S2_START: usize = 128;
const S1_S2_END: usize = S1_S2_START + 15 * 96;

/// An ML-DSA-87 key held in memory. The expanded key is zeroized on drop (`ml-dsa`'s `zeroize`
/// feature) and never printed.
pub struct MlDsa87Signer {
    key: ExpandedSigningKey<MlDsa87>,
    public_key: Vec<u8>,
    user_id: UserId,
}

impl MlDsa87Signer {
    /// From a 32-byte FIPS 204 seed (the same seed gives the same keys as noble's
    /// `ml_dsa87.keygen(seed)`).
    pub fn from_seed(seed: &[u8]) -> Result<Self> {
        let mut seed = Seed::try_from(seed).map_err(|_| {
            Error::InvalidKey(format!(
                "ML-DSA-87 seed must be {SEED_LEN} bytes, got {}",
                seed.len()
            ))
        })?;
        let key = ExpandedSigningKey::<MlDsa87>::from_seed(&seed);
        seed.as_mut_slice().zeroize();
        Self::from_key(key)
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        let seed = Zeroizing::new(random::bytes::<SEED_LEN>()?);
        Self::from_seed(seed.as_slice())
    }

    /// Imports the SDK's 4896-byte expanded secret key.
    ///
    /// `ml-dsa`'s decoder does not validate and panics on an out-of-range s1/s2 coefficient,
    /// so the key is checked first (interop notes §2). After import the key must be
    /// self-consistent (a probe signature verifies under the derived public key, which
    /// rules out a mismatched `tr`) and, when
    /// `expected_public_key` is given (the user id the SDK stored with it), derive exactly that
    /// key. Any failure is [`Error::InvalidKey`]; no input panics.
    #[allow(deprecated)] // The expanded form is the SDK's; there is no seed to use instead.
    pub fn from_expanded_secret_key(
        secret_key: &[u8],
        expected_public_key: Option<&[u8]>,
    ) -> Result<Self> {
        if secret_key.len() != SECRET_KEY_LEN {
            return Err(Error::InvalidKey(format!(
                "ML-DSA-87 secret key must be {SECRET_KEY_LEN} bytes, got {}",
                secret_key.len()
            )));
        }
        if !s1_s2_in_range(secret_key) {
            return Err(Error::InvalidKey(
                "ML-DSA-87 secret key has out-of-range coefficients".into(),
            ));
        }
        let mut encoded = ml_dsa::ExpandedSigningKeyBytes::<MlDsa87>::try_from(secret_key)
            .map_err(|_| Error::InvalidKey("ML-DSA-87 secret key length".into()))?;
        let key = ExpandedSigningKey::<MlDsa87>::from_expanded(&encoded);
        encoded.as_mut_slice().zeroize();
        let signer = Self::from_key(key)?;

        if let Some(expected) = expected_public_key {
            let same: bool = signer.public_key.as_slice().ct_eq(expected).into();
            if !same {
                return Err(Error::InvalidKey(
                    "ML-DSA-87 secret key does not belong to the given public key".into(),
                ));
            }
        }
        // tr = H(pk) is stored, not derived: a key whose tr disagrees with its s1/s2 makes
        // signatures nobody can verify, and one probe signature always catches that. (A
        // damaged t0 only makes some signatures fail; the probe catches it only sometimes.)
        let probe = signer.sign(b"streamr-e2ee ML-DSA-87 key check")?;
        if verify(
            &signer.public_key,
            b"streamr-e2ee ML-DSA-87 key check",
            &probe,
        )
        .is_err()
        {
            return Err(Error::InvalidKey(
                "ML-DSA-87 secret key is internally inconsistent".into(),
            ));
        }
        Ok(signer)
    }

    /// The 4896-byte expanded secret key, the SDK's format. Only for persistence and tests.
    #[allow(deprecated)] // See `from_expanded_secret_key`.
    pub fn to_expanded_secret_key(&self) -> Zeroizing<Vec<u8>> {
        let mut encoded = self.key.to_expanded();
        let out = Zeroizing::new(encoded.to_vec());
        encoded.as_mut_slice().zeroize();
        out
    }

    /// The 2592-byte public key, which is the user id.
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The public key as a [`UserId`].
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    /// Signs `payload` deterministically with the empty context: 4627 bytes.
    pub fn sign(&self, payload: &[u8]) -> Result<Vec<u8>> {
        let sig = self
            .key
            .sign_deterministic(payload, &[])
            .map_err(|_| Error::InvalidSignature("ML-DSA-87 signing failed".into()))?;
        Ok(sig.encode().to_vec())
    }

    fn from_key(key: ExpandedSigningKey<MlDsa87>) -> Result<Self> {
        let public_key = key.verifying_key().encode().to_vec();
        let user_id = UserId::from_bytes(&public_key)?;
        Ok(MlDsa87Signer {
            key,
            public_key,
            user_id,
        })
    }
}

impl fmt::Debug for MlDsa87Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head = self.public_key.get(..8).unwrap_or_default();
        f.debug_struct("MlDsa87Signer")
            .field("public_key", &format_args!("{}…", hex::encode(head)))
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Whether every packed s1/s2 coefficient is a valid η = 2 encoding (0..=4). Reads the whole
/// region whatever it finds, so the time does not depend on where a bad value is.
fn s1_s2_in_range(secret_key: &[u8]) -> bool {
    let region = secret_key.get(S1_S2_START..S1_S2_END).unwrap_or_default();
    let mut bad = 0u32;
    // 3 bytes = 8 coefficients of 3 bits, little-endian.
    for chunk in region.chunks_exact(3) {
        let bits = chunk
            .iter()
            .rev()
            .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
        for i in 0..8 {
            let c = (bits >> (3 * i)) & 7;
            bad |= (c + 3) >> 3; // 1 exactly when c >= 5
        }
    }
    region.len() == S1_S2_END - S1_S2_START && bad == 0
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_round_trip() {
        let s = MlDsa87Signer::from_seed(&[7; SEED_LEN]).unwrap();
        assert_eq!(s.public_key().len(), PUBLIC_KEY_LEN);
        assert_eq!(s.user_id().as_bytes(), s.public_key());
        let sig = s.sign(b"payload").unwrap();
        assert_eq!(sig.len(), SIGNATURE_LEN);
        assert_eq!(s.sign(b"payload").unwrap(), sig, "deterministic");
        verify(s.public_key(), b"payload", &sig).unwrap();
        assert!(verify(s.public_key(), b"payloaD", &sig).is_err());

        let expanded = s.to_expanded_secret_key();
        assert_eq!(expanded.len(), SECRET_KEY_LEN);
        let again =
            MlDsa87Signer::from_expanded_secret_key(&expanded, Some(s.public_key())).unwrap();
        assert_eq!(again.sign(b"payload").unwrap(), sig);
        let other = MlDsa87Signer::generate().unwrap();
        assert!(matches!(
            MlDsa87Signer::from_expanded_secret_key(&expanded, Some(other.public_key())),
            Err(Error::InvalidKey(_))
        ));
    }

    #[test]
    fn hostile_expanded_keys_are_errors_not_panics() {
        let good = MlDsa87Signer::from_seed(&[1; SEED_LEN])
            .unwrap()
            .to_expanded_secret_key();
        assert!(s1_s2_in_range(&good));
        for len in [0, 32, SECRET_KEY_LEN - 1, SECRET_KEY_LEN + 1] {
            assert!(matches!(
                MlDsa87Signer::from_expanded_secret_key(&vec![0; len], None),
                Err(Error::InvalidKey(_))
            ));
        }
        assert!(matches!(
            MlDsa87Signer::from_expanded_secret_key(&[0xff; SECRET_KEY_LEN], None),
            Err(Error::InvalidKey(_))
        ));
        // One coefficient of 5, 6 or 7 at the first, a middle and the last position.
        for (coeff, value) in [(0usize, 5u32), (1000, 6), (3839, 7), (1, 5), (2, 5)] {
            let mut bad = good.to_vec();
            let bit = 3 * coeff;
            let at = S1_S2_START + bit / 8;
            let mut window = u32::from(bad[at]) | (u32::from(bad[at + 1]) << 8);
            window = (window & !(7 << (bit % 8))) | (value << (bit % 8));
            bad[at] = window as u8;
            bad[at + 1] = (window >> 8) as u8;
            assert!(!s1_s2_in_range(&bad), "coefficient {coeff}");
            assert!(matches!(
                MlDsa87Signer::from_expanded_secret_key(&bad, None),
                Err(Error::InvalidKey(_))
            ));
        }
        // In range but inconsistent: a wrong tr.
        let mut wrong_tr = good.to_vec();
        wrong_tr[70] ^= 1;
        assert!(matches!(
            MlDsa87Signer::from_expanded_secret_key(&wrong_tr, None),
            Err(Error::InvalidKey(_))
        ));
    }

    #[test]
    fn debug_is_redacted() {
        let s = MlDsa87Signer::from_seed(&[9; SEED_LEN]).unwrap();
        let d = format!("{s:?}");
        assert!(d.contains("redacted"));
        let secret = s.to_expanded_secret_key();
        for window in secret[32..].chunks(4) {
            assert!(!d.contains(&hex::encode(window)));
        }
    }
}
