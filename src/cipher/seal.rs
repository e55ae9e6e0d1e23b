//! At-rest sealing for the host's key store (docs/key-store.md): AES-256-GCM with a fresh
//! random 96-bit nonce per value, output `nonce ‖ ct ‖ tag`, the lookup key of the entry as
//! associated data (a sealed value moved to another entry does not open).
//!
//! The sealing key comes from a passphrase (PBKDF2, derived by the host with WebCrypto and
//! passed in with [`SealingKey::from_bytes`]) or from a wallet signature over a fixed
//! message ([`SealingKey::from_signature`]: HKDF-SHA-256 with the store's random salt).
//! Nothing here is part of the SDK's protocol; the SDK stores keys in the clear.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::random;

/// Length of the nonce prefix.
pub const NONCE_LEN: usize = 12;
/// Length of the GCM tag suffix.
pub const TAG_LEN: usize = 16;
/// Length of a sealing key.
pub const KEY_LEN: usize = 32;
/// Shortest salt accepted for [`SealingKey::from_signature`].
pub const MIN_SALT_LEN: usize = 16;
/// HKDF `info`: separates this key from any other use of the same signature.
pub const SIGNATURE_HKDF_INFO: &[u8] = b"streamr-e2ee key store sealing key v1";

/// An AES-256-GCM key for sealing key-store values. The key schedule is wiped on drop.
pub struct SealingKey {
    cipher: Aes256Gcm,
}

impl SealingKey {
    /// A 32-byte key (e.g. PBKDF2 output). `INVALID_KEY` for any other length.
    pub fn from_bytes(key: &[u8]) -> Result<Self> {
        let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| {
            Error::InvalidKey(format!(
                "a sealing key must be {KEY_LEN} bytes, got {}",
                key.len()
            ))
        })?;
        Ok(Self { cipher })
    }

    /// `HKDF-SHA-256(ikm = signature, salt, info = SIGNATURE_HKDF_INFO, L = 32)`. The
    /// signature is the secret: anyone who can make it (the wallet) can open the store.
    /// `INVALID_ARGUMENT` for an empty signature or a salt shorter than [`MIN_SALT_LEN`].
    pub fn from_signature(signature: &[u8], salt: &[u8]) -> Result<Self> {
        if signature.is_empty() {
            return Err(Error::InvalidArgument("the signature is empty".into()));
        }
        if salt.len() < MIN_SALT_LEN {
            return Err(Error::InvalidArgument(format!(
                "the salt must be at least {MIN_SALT_LEN} bytes"
            )));
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        Hkdf::<Sha256>::new(Some(salt), signature)
            .expand(SIGNATURE_HKDF_INFO, key.as_mut_slice())
            .map_err(|_| Error::InvalidArgument("HKDF output length".into()))?;
        Self::from_bytes(key.as_slice())
    }

    /// Seals `plaintext` bound to `aad`: `nonce ‖ ct ‖ tag`, randomized.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        let nonce_bytes = random::bytes::<NONCE_LEN>()?;
        let nonce = Nonce::from(nonce_bytes);
        let body = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| Error::InvalidArgument("value too long to seal".into()))?;
        let mut out = Vec::with_capacity(NONCE_LEN + body.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Opens what [`SealingKey::seal`] made with the same key and `aad`. Anything else (a
    /// wrong key, another entry's value, a flipped bit, a short input) is the opaque
    /// [`Error::Decrypt`].
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(Error::Decrypt);
        }
        let (nonce, body) = sealed.split_at_checked(NONCE_LEN).ok_or(Error::Decrypt)?;
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| Error::Decrypt)?;
        self.cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: body, aad })
            .map(Zeroizing::new)
            .map_err(|_| Error::Decrypt)
    }
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_randomized_and_bound_to_aad() {
        let key = SealingKey::from_bytes(&[7; 32]).unwrap();
        let a = key.seal(b"secret", b"entry-1").unwrap();
        let b = key.seal(b"secret", b"entry-1").unwrap();
        assert_eq!(a.len(), NONCE_LEN + 6 + TAG_LEN);
        assert_ne!(a, b, "fresh nonce per seal");
        assert_eq!(key.open(&a, b"entry-1").unwrap().as_slice(), b"secret");
        assert_eq!(key.open(&a, b"entry-2").unwrap_err(), Error::Decrypt);
    }

    #[test]
    fn wrong_key_tamper_and_short_input_are_opaque() {
        let key = SealingKey::from_bytes(&[7; 32]).unwrap();
        let other = SealingKey::from_bytes(&[8; 32]).unwrap();
        let mut sealed = key.seal(b"secret", b"").unwrap();
        assert_eq!(other.open(&sealed, b"").unwrap_err(), Error::Decrypt);
        for i in [0, NONCE_LEN, sealed.len() - 1] {
            sealed[i] ^= 1;
            assert_eq!(key.open(&sealed, b"").unwrap_err(), Error::Decrypt);
            sealed[i] ^= 1;
        }
        assert_eq!(
            key.open(&sealed[..NONCE_LEN + TAG_LEN - 1], b"")
                .unwrap_err(),
            Error::Decrypt
        );
        assert!(key.open(&sealed, b"").is_ok());
    }

    /// NIST SP 800-38D test case 16 (the GCM spec's AES-256 vector with AAD), split into
    /// `nonce ‖ ct ‖ tag` as `open` expects: the construction is plain AES-256-GCM.
    #[test]
    fn known_answer() {
        let key = hex::decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
            .unwrap();
        let nonce = hex::decode("cafebabefacedbaddecaf888").unwrap();
        let aad = hex::decode("feedfacedeadbeeffeedfacedeadbeefabaddad2").unwrap();
        let pt = hex::decode("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39").unwrap();
        let ct = hex::decode("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662").unwrap();
        let tag = hex::decode("76fc6ece0f4e1768cddf8853bb2d551b").unwrap();
        let sealed = [nonce, ct, tag].concat();
        let key = SealingKey::from_bytes(&key).unwrap();
        assert_eq!(key.open(&sealed, &aad).unwrap().as_slice(), pt.as_slice());
    }

    #[test]
    fn signature_derivation_is_deterministic_and_salted() {
        let sig = [0x42; 65];
        let a = SealingKey::from_signature(&sig, &[1; 16]).unwrap();
        let b = SealingKey::from_signature(&sig, &[1; 16]).unwrap();
        let c = SealingKey::from_signature(&sig, &[2; 16]).unwrap();
        let sealed = a.seal(b"k", b"").unwrap();
        assert_eq!(b.open(&sealed, b"").unwrap().as_slice(), b"k");
        assert_eq!(c.open(&sealed, b"").unwrap_err(), Error::Decrypt);
        // HKDF-SHA-256 as specified (RFC 5869), checked against an independent computation:
        // the key from_signature builds equals from_bytes of the expanded bytes.
        let mut okm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&[1; 16]), &sig)
            .expand(SIGNATURE_HKDF_INFO, &mut okm)
            .unwrap();
        let direct = SealingKey::from_bytes(&okm).unwrap();
        assert_eq!(direct.open(&sealed, b"").unwrap().as_slice(), b"k");
    }

    #[test]
    fn bad_inputs() {
        assert!(matches!(
            SealingKey::from_bytes(&[0; 31]),
            Err(Error::InvalidKey(_))
        ));
        assert!(matches!(
            SealingKey::from_signature(&[], &[0; 16]),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            SealingKey::from_signature(&[1; 65], &[0; 15]),
            Err(Error::InvalidArgument(_))
        ));
        assert_eq!(
            format!("{:?}", SealingKey::from_bytes(&[9; 32]).unwrap()),
            "SealingKey(..)"
        );
    }
}
