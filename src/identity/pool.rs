//! Signer recovery done in a pool of workers (issue #20, `docs/verify-pool.md`).
//!
//! A worker recovers the EVM signer of a message from its bytes (a pure function) and proves
//! it with a tag: HMAC-SHA-256 under the subscriber's pool key over the message bytes and the
//! address. The subscriber accepts a recovered address only with a valid tag for exactly those
//! bytes, and still checks it against the message's claimed publisher. Anything else (no tag,
//! a tag for other bytes or another address, another key) is ignored and the message verified
//! in the core as always: a forged or mixed-up result can cost a recovery, never skip one.

// hkdf's own HMAC (already in the module for the key wraps): no new dependency.
use hkdf::hmac::{self, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::evm::{self, ADDRESS_LEN};
use crate::error::{Error, Result};
use crate::random;
use crate::wire::{SignatureType, StreamMessage};

/// Length of a pool key.
pub const POOL_KEY_LEN: usize = 32;
/// Length of a recovery tag.
pub const TAG_LEN: usize = 32;
const DOMAIN: &[u8] = b"streamr-e2ee/verify-pool/v1";

type HmacSha256 = hmac::Hmac<Sha256>;

/// The key a subscriber shares with its own pool's workers, and with nothing else.
pub struct PoolKey(Zeroizing<[u8; POOL_KEY_LEN]>);

impl PoolKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        Ok(PoolKey(Zeroizing::new(random::bytes::<POOL_KEY_LEN>()?)))
    }

    /// From its 32 bytes (a worker is handed them).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let b: [u8; POOL_KEY_LEN] = bytes.try_into().map_err(|_| {
            Error::InvalidArgument(format!(
                "a pool key is {POOL_KEY_LEN} bytes, got {}",
                bytes.len()
            ))
        })?;
        Ok(PoolKey(Zeroizing::new(b)))
    }

    /// Its bytes, to hand to the pool's workers.
    pub fn as_bytes(&self) -> &[u8; POOL_KEY_LEN] {
        &self.0
    }

    fn mac(&self, bytes: &[u8], address: &[u8; ADDRESS_LEN]) -> Result<HmacSha256> {
        // HMAC takes keys of any length: this error cannot happen.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(self.0.as_slice())
            .map_err(|_| Error::InvalidArgument("pool key".into()))?;
        mac.update(DOMAIN);
        mac.update(address);
        mac.update(bytes);
        Ok(mac)
    }

    fn tag(&self, bytes: &[u8], address: &[u8; ADDRESS_LEN]) -> Result<[u8; TAG_LEN]> {
        Ok(self.mac(bytes, address)?.finalize().into_bytes().into())
    }

    /// Whether `tag` proves that this key's holder recovered `address` from exactly `bytes`
    /// (constant-time compare).
    pub fn check(&self, bytes: &[u8], address: &[u8; ADDRESS_LEN], tag: &[u8]) -> bool {
        self.mac(bytes, address)
            .is_ok_and(|m| m.verify_slice(tag).is_ok())
    }
}

/// What a worker returns for one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovered {
    /// The address the signature recovers to (not yet compared with the publisher id).
    pub address: [u8; ADDRESS_LEN],
    /// HMAC-SHA-256 under the pool key over the bytes and the address.
    pub tag: [u8; TAG_LEN],
}

/// The worker's job: decode `bytes`, recover the EVM signer of its signature payload, tag it.
/// Only ECDSA_SECP256K1_EVM messages are recovered (the others are checked in the core).
pub fn recover_signer(key: &PoolKey, bytes: &[u8]) -> Result<Recovered> {
    let msg = StreamMessage::from_bytes(bytes)?;
    if msg.signature_type != SignatureType::EcdsaSecp256k1Evm {
        return Err(Error::InvalidArgument(
            "only ECDSA_SECP256K1_EVM signatures are recovered by a pool".into(),
        ));
    }
    let address = evm::recover_address(&msg.signature_payload(), &msg.signature)?;
    let tag = key.tag(bytes, &address)?;
    Ok(Recovered { address, tag })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_binds_key_bytes_and_address() {
        let key = PoolKey::generate().unwrap();
        let other = PoolKey::generate().unwrap();
        let bytes = b"some message bytes";
        let address = [7u8; ADDRESS_LEN];
        let tag = key.tag(bytes, &address).unwrap();
        assert!(key.check(bytes, &address, &tag));
        assert!(!other.check(bytes, &address, &tag), "another pool's key");
        assert!(
            !key.check(b"other message bytes", &address, &tag),
            "other bytes"
        );
        assert!(
            !key.check(bytes, &[8u8; ADDRESS_LEN], &tag),
            "another address"
        );
        let mut flipped = tag;
        flipped[0] ^= 1;
        assert!(!key.check(bytes, &address, &flipped));
        assert!(!key.check(bytes, &address, &tag[..31]), "a short tag");
        assert!(!key.check(bytes, &address, &[]));
    }

    #[test]
    fn keys_have_one_length_and_bad_input_is_an_error() {
        assert!(PoolKey::from_bytes(&[0u8; 31]).is_err());
        assert!(PoolKey::from_bytes(&[0u8; 33]).is_err());
        let key = PoolKey::from_bytes(&[1u8; 32]).unwrap();
        assert_eq!(key.as_bytes(), &[1u8; 32]);
        assert!(recover_signer(&key, b"not a message").is_err());
        assert!(recover_signer(&key, &[]).is_err());
    }
}
