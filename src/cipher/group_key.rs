//! Group keys: the 32-byte AES keys content is encrypted with, and rotation (docs/wire.md §5, §6).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use subtle::ConstantTimeEq;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use super::aes_ctr::{self, KEY_LEN};
use crate::error::{Error, Result};
use crate::random::{self, Entropy};
use crate::wire::EncryptedGroupKey;

/// Length of an encrypted next key: `iv(16) ‖ AES-CTR(current, next(32))`.
pub const ENCRYPTED_NEXT_KEY_LEN: usize = aes_ctr::IV_LEN + KEY_LEN;

/// Longest key id accepted. SDK ids are ~50 characters; the bound keeps a hostile id from
/// being copied around the key store.
pub const MAX_KEY_ID_LEN: usize = 256;

static GENERATED: AtomicU64 = AtomicU64::new(0);

/// An AES-256 group key with its opaque string id. The key bytes are zeroized on drop and
/// never printed.
#[derive(Clone, ZeroizeOnDrop)]
pub struct GroupKey {
    id: String,
    key: Zeroizing<[u8; KEY_LEN]>,
}

impl GroupKey {
    /// A key from its id and exactly 32 bytes.
    pub fn new(id: impl Into<String>, key: &[u8]) -> Result<Self> {
        let id = id.into();
        validate_id(&id)?;
        let key: [u8; KEY_LEN] = key.try_into().map_err(|_| {
            Error::InvalidKey(format!(
                "group key must be {KEY_LEN} bytes, got {}",
                key.len()
            ))
        })?;
        Ok(GroupKey {
            id,
            key: Zeroizing::new(key),
        })
    }

    /// A fresh random key with an id in the SDK's form `<uuid v4>-GroupKey<n>`.
    pub fn generate() -> Result<Self> {
        Self::generate_with(&mut random::OsEntropy)
    }

    /// [`Self::generate`] drawing from `entropy` (reproducible runs in tests).
    pub fn generate_with(entropy: &mut dyn Entropy) -> Result<Self> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        entropy.fill(key.as_mut_slice())?;
        let n = GENERATED.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("{}-GroupKey{n}", random::uuid_v4(entropy)?);
        Ok(GroupKey { id, key })
    }

    /// The key id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The secret key bytes. Only for persistence and export; never log them.
    pub fn expose_secret(&self) -> &[u8; KEY_LEN] {
        &self.key
    }

    /// Encrypts content under this key (fresh random IV): `iv ‖ ct`.
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>> {
        aes_ctr::encrypt(&self.key, plaintext)
    }

    /// Decrypts `iv ‖ ct` made under this key.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>> {
        aes_ctr::decrypt(&self.key, ciphertext)
    }

    /// `next` encrypted under this key, for rotation: the id in clear and 48 bytes of data.
    pub fn encrypt_next(&self, next: &GroupKey) -> Result<EncryptedGroupKey> {
        Ok(EncryptedGroupKey {
            id: next.id.clone(),
            data: self.encrypt(next.expose_secret())?,
        })
    }

    /// Recovers the next key from an [`EncryptedGroupKey`] made by [`Self::encrypt_next`].
    pub fn decrypt_next(&self, encrypted: &EncryptedGroupKey) -> Result<GroupKey> {
        if encrypted.data.len() != ENCRYPTED_NEXT_KEY_LEN {
            return Err(Error::Decrypt);
        }
        let key = Zeroizing::new(self.decrypt(&encrypted.data)?);
        GroupKey::new(encrypted.id.clone(), &key)
    }
}

fn validate_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::InvalidKey("group key id is empty".into()));
    }
    if id.len() > MAX_KEY_ID_LEN {
        return Err(Error::InvalidKey(format!(
            "group key id longer than {MAX_KEY_ID_LEN} bytes"
        )));
    }
    // The SDK refuses these so a PEM can never be mistaken for a key id.
    if id.contains("---BEGIN") {
        return Err(Error::InvalidKey("group key id contains ---BEGIN".into()));
    }
    Ok(())
}

impl PartialEq for GroupKey {
    /// Constant time in the key bytes.
    fn eq(&self, other: &Self) -> bool {
        let same_key: bool = self.key.as_slice().ct_eq(other.key.as_slice()).into();
        same_key & (self.id == other.id)
    }
}

impl Eq for GroupKey {}

impl fmt::Debug for GroupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupKey")
            .field("id", &self.id)
            .field("key", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_the_sdk_form() {
        let a = GroupKey::generate().unwrap();
        let b = GroupKey::generate().unwrap();
        assert_ne!(a.id(), b.id());
        assert_ne!(a.expose_secret(), b.expose_secret());
        let (uuid, n) = a.id().split_once("-GroupKey").unwrap();
        assert!(n.parse::<u64>().unwrap() >= 1);
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.as_bytes()[14], b'4');
        assert!(matches!(uuid.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    }

    #[test]
    fn rejects_bad_keys_and_ids() {
        assert!(matches!(
            GroupKey::new("k", &[0; 31]),
            Err(Error::InvalidKey(_))
        ));
        assert!(matches!(
            GroupKey::new("k", &[0; 33]),
            Err(Error::InvalidKey(_))
        ));
        assert!(matches!(
            GroupKey::new("", &[0; 32]),
            Err(Error::InvalidKey(_))
        ));
        assert!(matches!(
            GroupKey::new("-----BEGIN PUBLIC KEY-----", &[0; 32]),
            Err(Error::InvalidKey(_))
        ));
        assert!(GroupKey::new("x".repeat(MAX_KEY_ID_LEN + 1), &[0; 32]).is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let k = GroupKey::new("visible-id", &[0xab; 32]).unwrap();
        let s = format!("{k:?}");
        assert!(s.contains("visible-id") && s.contains("redacted"));
        assert!(!s.contains("171") && !s.to_lowercase().contains("abab"));
    }

    #[test]
    fn next_key_round_trip() {
        let a = GroupKey::generate().unwrap();
        let b = GroupKey::generate().unwrap();
        let enc = a.encrypt_next(&b).unwrap();
        assert_eq!(enc.id, b.id());
        assert_eq!(enc.data.len(), ENCRYPTED_NEXT_KEY_LEN);
        assert_eq!(a.decrypt_next(&enc).unwrap(), b);
        let mut short = enc.clone();
        short.data.pop();
        assert_eq!(a.decrypt_next(&short), Err(Error::Decrypt));
    }
}
