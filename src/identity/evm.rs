//! ECDSA_SECP256K1_EVM: EIP-191 `personal_sign` over the payload, 65-byte `r ‖ s ‖ v`
//! signatures with v = 27/28, identities are 20-byte addresses (docs/wire.md §4).

use std::fmt;

use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use sha3::{Digest, Keccak256};
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};
use crate::random;
use crate::user_id::UserId;

/// Length of an EVM signature.
pub const SIGNATURE_LEN: usize = 65;
/// Length of an EVM address.
pub const ADDRESS_LEN: usize = 20;

/// `keccak256("\x19Ethereum Signed Message:\n" + decimal(len(payload)) ‖ payload)`.
pub fn eip191_hash(payload: &[u8]) -> [u8; 32] {
    let mut h = Keccak256::new();
    h.update(b"\x19Ethereum Signed Message:\n");
    h.update(payload.len().to_string().as_bytes());
    h.update(payload);
    h.finalize().into()
}

/// The address of a public key: the last 20 bytes of keccak256 of the uncompressed point.
pub fn address_of(key: &VerifyingKey) -> [u8; ADDRESS_LEN] {
    let point = key.to_sec1_point(false);
    let digest = keccak256(point.as_bytes().get(1..).unwrap_or_default());
    let mut out = [0u8; ADDRESS_LEN];
    out.copy_from_slice(digest.get(12..).unwrap_or_default());
    out
}

/// A secp256k1 key held in memory that signs like MetaMask's `personal_sign`.
pub struct EvmSigner {
    key: SigningKey,
    address: [u8; ADDRESS_LEN],
}

impl EvmSigner {
    /// From a 32-byte private key.
    pub fn from_private_key(bytes: &[u8]) -> Result<Self> {
        // k256 would zero-pad 24..32-byte slices; a key of any other length is a mistake.
        if bytes.len() != 32 {
            return Err(Error::InvalidKey(format!(
                "secp256k1 private key must be 32 bytes, got {}",
                bytes.len()
            )));
        }
        let key = SigningKey::from_slice(bytes)
            .map_err(|_| Error::InvalidKey("not a secp256k1 private key".into()))?;
        let address = address_of(key.verifying_key());
        Ok(EvmSigner { key, address })
    }

    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        // A random 32-byte string is a valid scalar except with negligible probability;
        // retrying keeps that case from being an error.
        for _ in 0..8 {
            let mut seed = zeroize::Zeroizing::new(random::bytes::<32>()?);
            if let Ok(s) = Self::from_private_key(seed.as_slice()) {
                zeroize::Zeroize::zeroize(&mut *seed);
                return Ok(s);
            }
        }
        Err(Error::Randomness)
    }

    /// The 20-byte address.
    pub fn address(&self) -> [u8; ADDRESS_LEN] {
        self.address
    }

    /// The address as a [`UserId`].
    pub fn user_id(&self) -> UserId {
        UserId::from(self.address)
    }

    /// Signs `payload` as `personal_sign` does: RFC 6979 nonce, low-S, v = 27 + recovery id.
    pub fn sign(&self, payload: &[u8]) -> Result<[u8; SIGNATURE_LEN]> {
        let (sig, recid) = self.key.sign_prehash_recoverable(&eip191_hash(payload));
        let mut out = [0u8; SIGNATURE_LEN];
        let (rs, v) = out.split_at_mut(64);
        rs.copy_from_slice(&sig.to_bytes());
        v.fill(27 + recid.to_byte());
        Ok(out)
    }
}

impl fmt::Debug for EvmSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EvmSigner")
            .field("address", &format_args!("0x{}", hex::encode(self.address)))
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Recovers the signer's address from an EVM signature over `payload`.
///
/// High-S signatures are accepted, as the SDK's verifier (`secp256k1.ecdsaRecover`) accepts
/// them: the signature is normalised to low-S with the recovery id flipped, which recovers
/// the same key. Only v = 27 or 28 is accepted.
pub fn recover_address(payload: &[u8], signature: &[u8]) -> Result<[u8; ADDRESS_LEN]> {
    Ok(address_of(&recover_key(payload, signature)?))
}

/// Recovers the signer's 65-byte uncompressed SEC1 public key (`04 ‖ x ‖ y`) from an EVM
/// signature over `payload`, as `secp256k1.ecdsaRecover(.., false)` gives it.
pub fn recover_public_key(payload: &[u8], signature: &[u8]) -> Result<[u8; 65]> {
    let point = recover_key(payload, signature)?.to_sec1_point(false);
    point
        .as_bytes()
        .try_into()
        .map_err(|_| Error::InvalidSignature("recovered key is not 65 bytes".into()))
}

/// `keccak256(data)` (the SDK's `keccakHash(data, false)`).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

fn recover_key(payload: &[u8], signature: &[u8]) -> Result<VerifyingKey> {
    let sig: &[u8; SIGNATURE_LEN] = signature.try_into().map_err(|_| {
        Error::InvalidSignature(format!(
            "EVM signature must be {SIGNATURE_LEN} bytes, got {}",
            signature.len()
        ))
    })?;
    let (rs, v) = sig.split_at(64);
    let v = v.first().copied().unwrap_or_default();
    let recid = match v {
        27 | 28 => v - 27,
        _ => {
            return Err(Error::InvalidSignature(format!(
                "v must be 27 or 28, got {v}"
            )));
        }
    };
    let mut sig = Signature::from_slice(rs)
        .map_err(|_| Error::InvalidSignature("r or s out of range".into()))?;
    let mut recid = RecoveryId::from_byte(recid)
        .ok_or_else(|| Error::InvalidSignature("bad recovery id".into()))?;
    let low = sig.normalize_s();
    if low != sig {
        sig = low;
        recid = RecoveryId::new(!recid.is_y_odd(), recid.is_x_reduced());
    }
    VerifyingKey::recover_from_prehash(&eip191_hash(payload), &sig, recid)
        .map_err(|_| Error::InvalidSignature("no key recovers from this signature".into()))
}

/// Verifies that `signature` over `payload` was made by `address`.
pub fn verify(address: &[u8], payload: &[u8], signature: &[u8]) -> Result<()> {
    let recovered = recover_address(payload, signature)?;
    if bool::from(recovered.as_slice().ct_eq(address)) {
        Ok(())
    } else {
        Err(Error::InvalidSignature(
            "signed by a different address".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_of_known_key() {
        let s = EvmSigner::from_private_key(
            &hex::decode("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            s.user_id().to_string(),
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
        );
        assert!(!format!("{s:?}").contains("ac0974"));
    }

    #[test]
    fn sign_verify_and_reject_tampering() {
        let s = EvmSigner::generate().unwrap();
        let sig = s.sign(b"payload").unwrap();
        verify(&s.address(), b"payload", &sig).unwrap();
        assert!(verify(&s.address(), b"payloaD", &sig).is_err());
        let other = EvmSigner::generate().unwrap();
        assert!(verify(&other.address(), b"payload", &sig).is_err());
    }

    #[test]
    fn recover_public_key_and_keccak() {
        let s = EvmSigner::generate().unwrap();
        let sig = s.sign(b"payload").unwrap();
        let public = recover_public_key(b"payload", &sig).unwrap();
        assert_eq!(public[0], 4);
        assert_eq!(keccak256(&public[1..])[12..], s.address());
        assert_eq!(
            hex::encode(keccak256(b"")),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
        assert!(recover_public_key(b"payload", &sig[..64]).is_err());
    }

    #[test]
    fn rejects_bad_v_and_lengths() {
        let s = EvmSigner::generate().unwrap();
        let mut sig = s.sign(b"x").unwrap();
        for v in [0u8, 1, 26, 29, 30, 255] {
            sig[64] = v;
            assert!(matches!(
                recover_address(b"x", &sig),
                Err(Error::InvalidSignature(_))
            ));
        }
        assert!(recover_address(b"x", &sig[..64]).is_err());
        assert!(recover_address(b"x", &[]).is_err());
        assert!(recover_address(b"x", &[0u8; 65]).is_err());
    }
}
