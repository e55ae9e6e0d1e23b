//! ML-KEM-1024 key exchange (docs/wire.md §8, `AsymmetricEncryptionType` 1), as `@streamr/sdk` does it
//! with `@noble/post-quantum`:
//!
//! ```text
//! (kemCt[1568], ss) = Encaps(pk);  salt = random(64)
//! wrapKey = HKDF-SHA-512(ikm = ss, salt, info = "streamr-key-exchange", L = 32)
//! data    = kemCt ‖ salt ‖ iv(16) ‖ AES-256-CTR(wrapKey, iv, groupKey)     -- 1680 bytes
//! ```
//!
//! The SDK stores and exchanges the 3168-byte *expanded* secret key, not the 64-byte seed, so
//! that is the import/export format here (`ml-kem` marks it deprecated; it still validates the
//! embedded public-key hash).

use std::fmt;

use hkdf::Hkdf;
#[allow(deprecated)] // The SDK's key format; see the module docs.
use ml_kem::ExpandedKeyEncoding;
use ml_kem::{B32, Decapsulate, DecapsulationKey, EncapsulationKey, KeyExport, MlKem1024, Seed};
use sha2::Sha512;
use zeroize::{Zeroize, Zeroizing};

use super::KeyExchangeKeyPair;
use crate::cipher::aes_ctr::{self, KEY_LEN};
use crate::cipher::{ENCRYPTED_NEXT_KEY_LEN, GroupKey};
use crate::error::{Error, Result};
use crate::random;
use crate::wire::AsymmetricEncryptionType;

/// Length of an ML-KEM-1024 public (encapsulation) key: `GroupKeyRequest.publicKey`.
pub const PUBLIC_KEY_LEN: usize = 1568;
/// Length of the expanded secret (decapsulation) key the SDK keeps.
pub const SECRET_KEY_LEN: usize = 3168;
/// Length of a KEM ciphertext.
pub const KEM_CIPHERTEXT_LEN: usize = 1568;
/// Length of the HKDF salt.
pub const SALT_LEN: usize = 64;
/// Length of a wrapped group key: `kemCt ‖ salt ‖ iv ‖ ct`.
pub const WRAPPED_KEY_LEN: usize = KEM_CIPHERTEXT_LEN + SALT_LEN + ENCRYPTED_NEXT_KEY_LEN;
/// HKDF `info`.
pub const HKDF_INFO: &[u8] = b"streamr-key-exchange";

/// A subscriber's ML-KEM-1024 key pair. The secret key is zeroized on drop (`ml-kem`'s
/// `zeroize` feature) and never printed.
pub struct MlKemKeyPair {
    secret: DecapsulationKey<MlKem1024>,
    public: Vec<u8>,
}

impl MlKemKeyPair {
    /// A fresh key pair from a random 64-byte seed (FIPS 203 `KeyGen`; the same seed gives the
    /// same keys as noble's `ml_kem1024.keygen(seed)`).
    pub fn generate() -> Result<Self> {
        let mut seed = Seed::default();
        let filled = random::fill(seed.as_mut_slice());
        let secret = filled.map(|()| DecapsulationKey::<MlKem1024>::from_seed(seed));
        seed.as_mut_slice().zeroize();
        Ok(Self::from_secret(secret?))
    }

    /// Imports the SDK's 3168-byte expanded secret key (`MLKEMKeyPair.getPrivateKey()`).
    ///
    /// A wrong length, or an embedded public key that is unreduced or does not match the
    /// embedded hash, gives [`Error::InvalidKey`].
    #[allow(deprecated)] // The expanded form is what the SDK has; see the module docs.
    pub fn from_expanded_secret_key(bytes: &[u8]) -> Result<Self> {
        let mut expanded =
            ml_kem::ExpandedDecapsulationKey::<MlKem1024>::try_from(bytes).map_err(|_| {
                Error::InvalidKey(format!(
                    "ML-KEM-1024 secret key must be {SECRET_KEY_LEN} bytes, got {}",
                    bytes.len()
                ))
            })?;
        let secret = DecapsulationKey::<MlKem1024>::from_expanded_bytes(&expanded);
        expanded.as_mut_slice().zeroize();
        let secret = secret
            .map_err(|_| Error::InvalidKey("not a valid ML-KEM-1024 expanded secret key".into()))?;
        Ok(Self::from_secret(secret))
    }

    /// The 3168-byte expanded secret key, the SDK's format. Only for persistence and tests.
    #[allow(deprecated)] // See `from_expanded_secret_key`.
    pub fn to_expanded_secret_key(&self) -> Zeroizing<Vec<u8>> {
        let mut expanded = self.secret.to_expanded_bytes();
        let out = Zeroizing::new(expanded.to_vec());
        expanded.as_mut_slice().zeroize();
        out
    }

    /// The 1568-byte public key.
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// Step one of unwrapping: the KEM shared secret of a 1568-byte ciphertext. ML-KEM rejects
    /// implicitly, so a forged ciphertext yields a pseudo-random secret, not an error.
    #[doc(hidden)] // Known-answer seam for the SDK's recorded intermediates.
    pub fn decapsulate(&self, kem_ciphertext: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
        let mut shared = self
            .secret
            .decapsulate_slice(kem_ciphertext)
            .map_err(|_| Error::Decrypt)?;
        let out = Zeroizing::new(shared.0);
        shared.as_mut_slice().zeroize();
        Ok(out)
    }

    /// Reverses [`encrypt_for`]: `kemCt ‖ salt ‖ iv ‖ ct` to the plaintext (the SDK's
    /// `EncryptionUtil.decryptWithPrivateKey` for ML-KEM). The shared secret never leaves here.
    pub fn decrypt(&self, data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let (kem_ciphertext, rest) = data
            .split_at_checked(KEM_CIPHERTEXT_LEN)
            .ok_or(Error::Decrypt)?;
        let (salt, aes_part) = rest.split_at_checked(SALT_LEN).ok_or(Error::Decrypt)?;
        let salt: &[u8; SALT_LEN] = salt.try_into().map_err(|_| Error::Decrypt)?;
        let shared = self.decapsulate(kem_ciphertext)?;
        let wrapping_key = derive_wrapping_key(&shared, salt).map_err(|_| Error::Decrypt)?;
        Ok(Zeroizing::new(aes_ctr::decrypt(&wrapping_key, aes_part)?))
    }

    fn from_secret(secret: DecapsulationKey<MlKem1024>) -> Self {
        let public = secret.encapsulation_key().to_bytes().to_vec();
        MlKemKeyPair { secret, public }
    }
}

impl KeyExchangeKeyPair for MlKemKeyPair {
    fn encryption_type(&self) -> AsymmetricEncryptionType {
        AsymmetricEncryptionType::MlKem
    }

    fn public_key_bytes(&self) -> &[u8] {
        &self.public
    }

    fn unwrap_group_key(&self, key_id: &str, data: &[u8]) -> Result<GroupKey> {
        if data.len() != WRAPPED_KEY_LEN {
            return Err(Error::Decrypt);
        }
        GroupKey::new(key_id, &self.decrypt(data)?)
    }
}

impl fmt::Debug for MlKemKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MlKemKeyPair")
            .field("public_key", &format_args!("<{} bytes>", self.public.len()))
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

/// `HKDF-SHA-512(ikm = shared_secret, salt, info = "streamr-key-exchange", L = 32)`: the AES key
/// that wraps the group key.
pub fn derive_wrapping_key(
    shared_secret: &[u8; 32],
    salt: &[u8; SALT_LEN],
) -> Result<Zeroizing<[u8; KEY_LEN]>> {
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    Hkdf::<Sha512>::new(Some(salt), shared_secret)
        .expand(HKDF_INFO, out.as_mut_slice())
        .map_err(|_| Error::InvalidArgument("HKDF output length".into()))?;
    Ok(out)
}

/// ML-KEM-1024 encapsulation to a 1568-byte public key: the 1568-byte KEM ciphertext and
/// the 32-byte shared secret (noble's `ml_kem1024.encapsulate`). A key of the wrong length
/// or one FIPS 203 rejects (unreduced coefficients, e.g. all `ff`) gives
/// [`Error::InvalidKey`].
pub fn encapsulate(public_key: &[u8]) -> Result<(Vec<u8>, Zeroizing<[u8; 32]>)> {
    let encoded =
        ml_kem::Key::<EncapsulationKey<MlKem1024>>::try_from(public_key).map_err(|_| {
            Error::InvalidKey(format!(
                "ML-KEM-1024 public key must be {PUBLIC_KEY_LEN} bytes, got {}",
                public_key.len()
            ))
        })?;
    let encapsulation_key = EncapsulationKey::<MlKem1024>::new(&encoded)
        .map_err(|_| Error::InvalidKey("not a valid ML-KEM-1024 public key".into()))?;

    // `encapsulate()` would draw m from an RNG that panics on failure; drawing it here keeps
    // an RNG failure an `Error::Randomness`. This is exactly `encapsulate_with_rng`.
    let mut m = B32::default();
    let filled = random::fill(m.as_mut_slice());
    let encapsulated = filled.map(|()| encapsulation_key.encapsulate_deterministic(&m));
    m.as_mut_slice().zeroize();
    let (kem_ciphertext, mut shared) = encapsulated?;
    let shared_secret = Zeroizing::new(shared.0);
    shared.as_mut_slice().zeroize();
    Ok((kem_ciphertext.to_vec(), shared_secret))
}

/// `HKDF-SHA-512(ikm, salt, info)` expanded to `len` bytes (1..=16320), as WebCrypto's
/// `deriveKey`/`deriveBits` with `{ name: 'HKDF', hash: 'SHA-512' }` gives it.
pub fn hkdf_sha512(ikm: &[u8], salt: &[u8], info: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    if len == 0 {
        return Err(Error::InvalidArgument(
            "HKDF output length must be positive".into(),
        ));
    }
    Hkdf::<Sha512>::new(Some(salt), ikm)
        .expand(info, out.as_mut_slice())
        .map_err(|_| Error::InvalidArgument("HKDF-SHA-512 output length out of range".into()))?;
    Ok(out)
}

/// Wraps `key` for the 1568-byte ML-KEM-1024 public key of a requester: 1680 bytes.
///
/// A key of the wrong length, or one FIPS 203 rejects (unreduced coefficients, e.g. all `ff`),
/// gives [`Error::InvalidKey`].
pub fn wrap_group_key(key: &GroupKey, public_key: &[u8]) -> Result<Vec<u8>> {
    encrypt_for(public_key, key.expose_secret())
}

/// Encrypts `plaintext` for the ML-KEM-1024 public key: `kemCt ‖ salt ‖ iv ‖ ct`, the AES key
/// `HKDF-SHA-512(shared secret, salt, "streamr-key-exchange")` (the SDK's
/// `EncryptionUtil.encryptForPublicKey` for ML-KEM). Errors as [`wrap_group_key`].
pub fn encrypt_for(public_key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    let (kem_ciphertext, shared_secret) = encapsulate(public_key)?;

    let salt = random::bytes::<SALT_LEN>()?;
    let wrapping_key = derive_wrapping_key(&shared_secret, &salt)?;
    let aes_part = aes_ctr::encrypt(&wrapping_key, plaintext)?;

    let mut out = Vec::with_capacity(KEM_CIPHERTEXT_LEN + SALT_LEN + aes_part.len());
    out.extend_from_slice(&kem_ciphertext);
    out.extend_from_slice(&salt);
    out.extend_from_slice(&aes_part);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_for_any_length_round_trips_and_short_data_fails() {
        let pair = MlKemKeyPair::generate().unwrap();
        for len in [0usize, 1, 32, 1000] {
            let plain: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let sealed = encrypt_for(pair.public_key(), &plain).unwrap();
            assert_eq!(sealed.len(), KEM_CIPHERTEXT_LEN + SALT_LEN + 16 + len);
            assert_eq!(*pair.decrypt(&sealed).unwrap(), plain);
        }
        let sealed = encrypt_for(pair.public_key(), b"x").unwrap();
        for cut in [0, KEM_CIPHERTEXT_LEN, KEM_CIPHERTEXT_LEN + SALT_LEN + 15] {
            assert!(matches!(pair.decrypt(&sealed[..cut]), Err(Error::Decrypt)));
        }
    }

    #[test]
    fn encapsulate_decapsulate_and_hkdf() {
        let pair = MlKemKeyPair::generate().unwrap();
        let (ct, shared) = encapsulate(pair.public_key()).unwrap();
        assert_eq!(ct.len(), KEM_CIPHERTEXT_LEN);
        assert_eq!(*pair.decapsulate(&ct).unwrap(), *shared);
        assert!(matches!(
            encapsulate(&[0xff; PUBLIC_KEY_LEN]),
            Err(Error::InvalidKey(_))
        ));
        let salt = [5u8; SALT_LEN];
        let expected = derive_wrapping_key(&shared, &salt).unwrap();
        let got = hkdf_sha512(shared.as_slice(), &salt, HKDF_INFO, 32).unwrap();
        assert_eq!(got.as_slice(), expected.as_slice());
        assert!(hkdf_sha512(b"x", b"y", b"z", 0).is_err());
        assert!(hkdf_sha512(b"x", b"y", b"z", 255 * 64 + 1).is_err());
    }

    #[test]
    fn round_trip_and_sizes() {
        let pair = MlKemKeyPair::generate().unwrap();
        assert_eq!(pair.public_key().len(), PUBLIC_KEY_LEN);
        assert_eq!(pair.to_expanded_secret_key().len(), SECRET_KEY_LEN);
        let key = GroupKey::generate().unwrap();
        let wrapped = wrap_group_key(&key, pair.public_key()).unwrap();
        assert_eq!(wrapped.len(), WRAPPED_KEY_LEN);
        assert_eq!(WRAPPED_KEY_LEN, 1680);
        assert_eq!(pair.unwrap_group_key(key.id(), &wrapped).unwrap(), key);
        assert_ne!(wrap_group_key(&key, pair.public_key()).unwrap(), wrapped);
    }

    #[test]
    fn expanded_key_round_trip() {
        let pair = MlKemKeyPair::generate().unwrap();
        let expanded = pair.to_expanded_secret_key();
        let again = MlKemKeyPair::from_expanded_secret_key(&expanded).unwrap();
        assert_eq!(again.public_key(), pair.public_key());
        assert_eq!(*again.to_expanded_secret_key(), *expanded);
        // The embedded public key is at 1536..3104 and its hash H(ek) right after.
        let mut bad_hash = expanded.to_vec();
        bad_hash[3104] ^= 1;
        assert!(matches!(
            MlKemKeyPair::from_expanded_secret_key(&bad_hash),
            Err(Error::InvalidKey(_))
        ));
        for len in [0, 64, SECRET_KEY_LEN - 1, SECRET_KEY_LEN + 1] {
            assert!(matches!(
                MlKemKeyPair::from_expanded_secret_key(&vec![0; len]),
                Err(Error::InvalidKey(_))
            ));
        }
    }

    #[test]
    fn bad_public_keys() {
        let key = GroupKey::generate().unwrap();
        for len in [0, 32, PUBLIC_KEY_LEN - 1, PUBLIC_KEY_LEN + 1] {
            assert!(matches!(
                wrap_group_key(&key, &vec![0; len]),
                Err(Error::InvalidKey(_))
            ));
        }
        assert!(matches!(
            wrap_group_key(&key, &[0xff; PUBLIC_KEY_LEN]),
            Err(Error::InvalidKey(_))
        ));
    }

    #[test]
    fn bad_ciphertexts_are_opaque() {
        let pair = MlKemKeyPair::generate().unwrap();
        for len in [0, 1, 1567, 1568, 1632, 1648, 1679, 1681, 4096] {
            assert_eq!(
                pair.unwrap_group_key("k", &vec![7; len]),
                Err(Error::Decrypt)
            );
        }
        // Right length, wrong bytes: implicit rejection gives some key, never a panic.
        let forged = pair.unwrap_group_key("k", &[7; WRAPPED_KEY_LEN]).unwrap();
        assert_eq!(forged.id(), "k");
        assert!(matches!(
            pair.unwrap_group_key("", &[7; WRAPPED_KEY_LEN]),
            Err(Error::InvalidKey(_))
        ));
    }

    #[test]
    fn debug_is_redacted() {
        let pair = MlKemKeyPair::generate().unwrap();
        let s = format!("{pair:?}");
        assert!(s.contains("redacted"));
        let secret = pair.to_expanded_secret_key();
        // No 4-byte window of the secret key (outside its embedded public part) in hex.
        for window in secret[..1536].chunks(4) {
            assert!(!s.contains(&hex::encode(window)));
        }
        assert!(s.len() < 200);
    }
}
