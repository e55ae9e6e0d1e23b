//! ECDSA_SECP256R1: WebCrypto ECDSA P-256 with SHA-256 over the raw payload, 64-byte
//! IEEE P1363 `r ‖ s` signatures, identities are 33-byte compressed public keys (docs/wire.md §4).
//!
//! The encoding checks ([`check_encoding`]) are always the core's. The curve arithmetic
//! (`P256Signer`, [`verify`]) is the feature `p256`; without it a signature is verified by
//! the host (`Question::VerifyP256`) and P-256 signers are the host's (docs/p256.md).

#[cfg(feature = "p256")]
use std::fmt;

#[cfg(feature = "p256")]
use p256::ecdsa::signature::{Signer, Verifier};
#[cfg(feature = "p256")]
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

use crate::error::{Error, Result};
#[cfg(feature = "p256")]
use crate::random;
#[cfg(feature = "p256")]
use crate::user_id::UserId;

/// Length of a P-256 signature (`r ‖ s`).
pub const SIGNATURE_LEN: usize = 64;
/// Length of a P-256 user id: the SEC1 compressed public key.
pub const PUBLIC_KEY_LEN: usize = 33;
/// Length of a P-256 private key.
pub const PRIVATE_KEY_LEN: usize = 32;
/// Length of an uncompressed SEC1 public key (`04 ‖ x ‖ y`), which the SDK also accepts.
pub const UNCOMPRESSED_PUBLIC_KEY_LEN: usize = 65;

/// The group order n, big-endian: `r` and `s` must lie in `1..n`.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];
/// The field prime p, big-endian: point coordinates must be below it.
const FIELD: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

/// `0 < v < bound` for 32-byte big-endian numbers (public values: no need for constant time).
fn in_range(v: &[u8], bound: &[u8; 32]) -> bool {
    v.len() == 32 && v.iter().any(|&b| b != 0) && v < bound.as_slice()
}

/// `v < bound` (zero allowed: a coordinate may be 0).
fn below(v: &[u8], bound: &[u8; 32]) -> bool {
    v.len() == 32 && v < bound.as_slice()
}

/// What the core checks of a P-256 key and signature without curve arithmetic: a SEC1 key,
/// compressed (`02`/`03 ‖ x`) or uncompressed (`04 ‖ x ‖ y`) with coordinates below p, and a
/// 64-byte `r ‖ s` with both in `1..n`. Both builds run it first, so they refuse the same bytes;
/// what is left (is the point on the curve, does the signature verify) is the arithmetic's.
pub fn check_encoding(public_key: &[u8], signature: &[u8]) -> Result<()> {
    let key_ok = match (public_key.len(), public_key.first()) {
        (PUBLIC_KEY_LEN, Some(2 | 3)) => below(public_key.get(1..33).unwrap_or_default(), &FIELD),
        (UNCOMPRESSED_PUBLIC_KEY_LEN, Some(4)) => {
            below(public_key.get(1..33).unwrap_or_default(), &FIELD)
                && below(public_key.get(33..65).unwrap_or_default(), &FIELD)
        }
        _ => false,
    };
    if !key_ok {
        return Err(Error::InvalidSignature(
            "publisher id is not a P-256 public key".into(),
        ));
    }
    let scalars_ok = signature.len() == SIGNATURE_LEN
        && in_range(signature.get(..32).unwrap_or_default(), &ORDER)
        && in_range(signature.get(32..).unwrap_or_default(), &ORDER);
    if !scalars_ok {
        return Err(Error::InvalidSignature(
            "P-256 signature must be 64 bytes r ‖ s with r, s in 1..n".into(),
        ));
    }
    Ok(())
}

#[cfg(feature = "p256")]
/// A P-256 key held in memory, signing as the SDK's `EcdsaSecp256r1` does. The key is zeroized
/// on drop (`ecdsa::SigningKey`) and never printed.
pub struct P256Signer {
    key: SigningKey,
    public_key: [u8; PUBLIC_KEY_LEN],
    user_id: UserId,
}

#[cfg(feature = "p256")]
impl P256Signer {
    /// From a 32-byte big-endian private scalar (the SDK's `privateKey` for this key type).
    pub fn from_private_key(bytes: &[u8]) -> Result<Self> {
        // Exactly 32: `from_slice` would also zero-pad a slice a few bytes short.
        let bytes: &[u8; PRIVATE_KEY_LEN] = bytes.try_into().map_err(|_| {
            Error::InvalidKey(format!(
                "P-256 private key must be {PRIVATE_KEY_LEN} bytes, got {}",
                bytes.len()
            ))
        })?;
        let key = SigningKey::from_slice(bytes)
            .map_err(|_| Error::InvalidKey("not a P-256 private key".into()))?;
        let point = key.verifying_key().to_sec1_point(true);
        let public_key: [u8; PUBLIC_KEY_LEN] = point
            .as_bytes()
            .try_into()
            .map_err(|_| Error::InvalidKey("P-256 public key is not compressed".into()))?;
        let user_id = UserId::from_bytes(&public_key)?;
        Ok(P256Signer {
            key,
            public_key,
            user_id,
        })
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        // A random 32-byte string is a valid scalar except with probability ~2^-32; retrying
        // keeps that case from being an error.
        for _ in 0..8 {
            let seed = zeroize::Zeroizing::new(random::bytes::<PRIVATE_KEY_LEN>()?);
            if let Ok(s) = Self::from_private_key(seed.as_slice()) {
                return Ok(s);
            }
        }
        Err(Error::Randomness)
    }

    /// The 33-byte compressed public key, which is the user id.
    pub fn public_key(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.public_key
    }

    /// The public key as a [`UserId`].
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    /// Signs SHA-256(`payload`): 64 bytes `r ‖ s`.
    ///
    /// The nonce is RFC 6979 (deterministic) rather than WebCrypto's random one; both verify
    /// everywhere, and this needs no RNG. S is not normalised, like WebCrypto.
    pub fn sign(&self, payload: &[u8]) -> Result<[u8; SIGNATURE_LEN]> {
        let sig: Signature = self
            .key
            .try_sign(payload)
            .map_err(|_| Error::InvalidSignature("P-256 signing failed".into()))?;
        Ok(sig.to_bytes().into())
    }
}

#[cfg(feature = "p256")]
impl fmt::Debug for P256Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("P256Signer")
            .field(
                "public_key",
                &format_args!("{}", hex::encode(self.public_key)),
            )
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Verifies a P-256 signature. WebCrypto does not normalise S, so high-S is accepted.
#[cfg(feature = "p256")]
pub fn verify(public_key: &[u8], payload: &[u8], signature: &[u8]) -> Result<()> {
    check_encoding(public_key, signature)?;
    let key = VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| Error::InvalidSignature("publisher id is not a P-256 public key".into()))?;
    let sig = Signature::from_slice(signature)
        .map_err(|_| Error::InvalidSignature("P-256 signature must be 64 bytes r ‖ s".into()))?;
    key.verify(payload, &sig)
        .map_err(|_| Error::InvalidSignature("P-256 signature does not verify".into()))
}

#[cfg(test)]
mod encoding_tests {
    use super::*;

    #[test]
    fn encoding_checks() {
        let key = [&[2u8][..], &[7; 32]].concat();
        let sig = [1u8; 64];
        check_encoding(&key, &sig).unwrap();
        let unc = [&[4u8][..], &[7; 64]].concat();
        check_encoding(&unc, &sig).unwrap();
        for bad_key in [
            &key[..32],
            &[&[4u8][..], &[7; 32]].concat(),
            &[&[2u8][..], &FIELD].concat(),
        ] {
            assert!(check_encoding(bad_key, &sig).is_err());
        }
        let zero_r = [&[0u8; 32][..], &[1; 32]].concat();
        let n_s = [&[1u8; 32][..], &ORDER].concat();
        let mut below_n = ORDER;
        below_n[31] -= 1;
        let ok_s = [&[1u8; 32][..], &below_n].concat();
        assert!(check_encoding(&key, &zero_r).is_err());
        assert!(check_encoding(&key, &n_s).is_err());
        assert!(check_encoding(&key, &sig[..63]).is_err());
        check_encoding(&key, &ok_s).unwrap();
    }
}

#[cfg(all(test, feature = "p256"))]
mod tests {
    use super::*;

    #[test]
    fn sign_verify_and_reject_tampering() {
        let s = P256Signer::generate().unwrap();
        assert_eq!(s.user_id().as_bytes(), s.public_key());
        assert!(matches!(s.public_key()[0], 2 | 3));
        let sig = s.sign(b"payload").unwrap();
        verify(s.public_key(), b"payload", &sig).unwrap();
        assert!(verify(s.public_key(), b"payloaD", &sig).is_err());
        let mut flipped = sig;
        flipped[10] ^= 1;
        assert!(verify(s.public_key(), b"payload", &flipped).is_err());
        let other = P256Signer::generate().unwrap();
        assert!(verify(other.public_key(), b"payload", &sig).is_err());
    }

    #[test]
    fn rejects_bad_private_keys() {
        for bad in [&[0u8; 32][..], &[0xff; 32], &[1; 31], &[1; 33], &[]] {
            assert!(matches!(
                P256Signer::from_private_key(bad),
                Err(Error::InvalidKey(_))
            ));
        }
    }

    #[test]
    fn debug_is_redacted() {
        let s = P256Signer::from_private_key(&[0x5a; 32]).unwrap();
        let d = format!("{s:?}");
        assert!(d.contains("redacted") && d.contains(&hex::encode(s.public_key())));
        assert!(!d.contains("5a5a5a5a"));
    }
}
