//! In-core RSA (feature `rsa`): the `rsa` crate's arithmetic behind [`RsaKeyPair`] and the
//! encryption methods of [`RsaPublicKey`]. Without the feature the host does these (see the
//! parent module).

use std::fmt;

use ::rsa::pkcs1::RsaPublicKeyRef;
use ::rsa::pkcs8::der::Decode;
use ::rsa::pkcs8::spki::SubjectPublicKeyInfoRef;
use ::rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use ::rsa::traits::PublicKeyParts;
use ::rsa::{BoxedUint, PrivateKey, PublicKey};
use sha1::Sha1;
use zeroize::Zeroizing;

use super::super::KeyExchangeKeyPair;
use super::super::pem::{self, Label};
use super::super::rng::CoreRng;
use super::{MAX_BITS, MIN_BITS, RsaPublicKey, check_bits};
use crate::cipher::GroupKey;
use crate::error::{Error, Result};
use crate::wire::AsymmetricEncryptionType;

impl RsaPublicKey {
    /// Encrypts `key`'s 32 bytes with RSAES-OAEP-SHA1: `ciphertext_len()` bytes, randomized.
    pub fn wrap_group_key(&self, key: &GroupKey) -> Result<Vec<u8>> {
        self.key
            .oaep_encrypt_with_rng::<Sha1, _>(&mut CoreRng, key.expose_secret())
            .map_err(|e| match e {
                ::rsa::Error::Rng => Error::Randomness,
                _ => Error::InvalidKey("RSA key too small for a group key".into()),
            })
    }

    /// RSAES-OAEP-SHA1 encryption of any `data` that fits (Node's `publicEncrypt(pem, data)`).
    pub fn oaep_encrypt(&self, data: &[u8]) -> Result<Vec<u8>> {
        self.key
            .oaep_encrypt_with_rng::<Sha1, _>(&mut CoreRng, data)
            .map_err(|e| match e {
                ::rsa::Error::Rng => Error::Randomness,
                _ => Error::InvalidArgument("data too long for this RSA key".into()),
            })
    }

    fn from_key(key: &PublicKey) -> Result<Self> {
        use ::rsa::pkcs8::EncodePublicKey;
        let der = key
            .to_public_key_der()
            .map_err(|_| Error::InvalidKey("RSA public key cannot be encoded".into()))?;
        Self::from_der(der.as_bytes())
    }
}

/// A subscriber's RSA key pair with the private key in Rust (`rsa` crate, zeroized on drop).
pub struct RsaKeyPair {
    private: PrivateKey,
    public: RsaPublicKey,
}

impl RsaKeyPair {
    /// A fresh key pair of `bits` (640..=4096, see [`DEFAULT_BITS`]), public exponent 65537.
    ///
    /// Slow: 4096 bits takes on the order of a second natively and several in wasm. A browser
    /// host may prefer WebCrypto and [`ExternalRsaKeyPair`] or [`PendingUnwrap`].
    pub fn generate(bits: usize) -> Result<Self> {
        check_bits(bits)?;
        // `new_unchecked` only skips rsa's 1024-bit floor, which the SDK's 640-bit test keys
        // need; the range is enforced above.
        let private = PrivateKey::new_unchecked(&mut CoreRng, bits).map_err(|e| match e {
            ::rsa::Error::Rng => Error::Randomness,
            _ => Error::InvalidArgument("RSA key generation failed".into()),
        })?;
        Self::from_private(private)
    }

    /// Imports a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`), in Node's or the
    /// browser's layout, with 640..=4096 bits. Anything else is [`Error::InvalidKey`], with a
    /// message that never quotes the input.
    pub fn from_pkcs8_pem(pem: &[u8]) -> Result<Self> {
        let der = pem::decode(pem, Label::PrivateKey).map_err(Error::InvalidKey)?;
        let private = PrivateKey::from_pkcs8_der(&der)
            .map_err(|_| Error::InvalidKey("not a PKCS#8 RSA private key".into()))?;
        Self::from_private(private)
    }

    /// The private key as PKCS#8 PEM in Node's layout. Only for persistence and tests.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        self.private
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| Error::InvalidKey("RSA private key cannot be encoded".into()))
    }

    /// RSAES-OAEP-SHA1 decryption of any ciphertext (Node's `privateDecrypt(pem, data)`).
    /// Every failure, padding included, is the opaque [`Error::Decrypt`].
    pub fn oaep_decrypt(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if ciphertext.len() != self.public.ciphertext_len() {
            return Err(Error::Decrypt);
        }
        self.private
            .oaep_decrypt_with_rng::<Sha1, _>(&mut CoreRng, ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| Error::Decrypt)
    }

    /// The public half.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
    }

    fn from_private(private: PrivateKey) -> Result<Self> {
        check_bits(modulus_bits(private.as_public_key()))?;
        let public = RsaPublicKey::from_key(&private.to_public_key())?;
        Ok(RsaKeyPair { private, public })
    }
}

impl KeyExchangeKeyPair for RsaKeyPair {
    fn encryption_type(&self) -> AsymmetricEncryptionType {
        AsymmetricEncryptionType::Rsa
    }

    fn public_key_bytes(&self) -> &[u8] {
        self.public.to_pem().as_bytes()
    }

    fn unwrap_group_key(&self, key_id: &str, data: &[u8]) -> Result<GroupKey> {
        let pending = self.public.begin_unwrap(key_id, data)?;
        // Blinded with the core RNG; every failure, padding included, is the same error.
        let plaintext = self
            .private
            .oaep_decrypt_with_rng::<Sha1, _>(&mut CoreRng, &pending.ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| Error::Decrypt)?;
        pending.complete(&plaintext)
    }
}

impl fmt::Debug for RsaKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaKeyPair")
            .field("bits", &self.public.bits())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

fn modulus_bits(key: &PublicKey) -> usize {
    key.n().bit_width_vartime() as usize
}

/// SPKI DER (already checked by the parent's `check_spki`) → key, by hand: `rsa`'s own SPKI
/// decoder refuses moduli under 1024 bits.
pub(super) fn decode_spki(der: &[u8]) -> Result<PublicKey> {
    let malformed = || Error::InvalidKey("not an SPKI RSA public key".into());
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| malformed())?;
    let bits = spki.subject_public_key.as_bytes().ok_or_else(malformed)?;
    let components = RsaPublicKeyRef::from_der(bits).map_err(|_| malformed())?;
    let n = uint(components.modulus.as_bytes()).ok_or_else(malformed)?;
    let e = uint(components.public_exponent.as_bytes()).ok_or_else(malformed)?;
    PublicKey::new_with_size_limits(n, e, MIN_BITS..=MAX_BITS)
        .map_err(|_| Error::InvalidKey("RSA public key has an invalid modulus or exponent".into()))
}

fn uint(be: &[u8]) -> Option<BoxedUint> {
    let bits = u32::try_from(be.len().checked_mul(8)?).ok()?;
    BoxedUint::from_be_slice(be, bits).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::ExternalRsaKeyPair;

    fn pair(bits: usize) -> RsaKeyPair {
        RsaKeyPair::generate(bits).unwrap()
    }

    #[test]
    fn oaep_encrypt_decrypt_any_length() {
        let p = pair(640);
        for len in [0usize, 1, 32, 38] {
            let data = vec![7u8; len];
            let ct = p.public_key().oaep_encrypt(&data).unwrap();
            assert_eq!(ct.len(), 80);
            assert_eq!(p.oaep_decrypt(&ct).unwrap().as_slice(), data.as_slice());
        }
        assert!(matches!(
            p.public_key().oaep_encrypt(&[0; 39]),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(p.oaep_decrypt(&[0; 80]), Err(Error::Decrypt)));
        assert!(matches!(p.oaep_decrypt(&[0; 79]), Err(Error::Decrypt)));
    }

    #[test]
    fn round_trip_and_pem_form() {
        let p = pair(1024);
        assert_eq!(p.public_key().bits(), 1024);
        let pem = std::str::from_utf8(p.public_key_bytes()).unwrap();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(pem.ends_with("-----END PUBLIC KEY-----\n"));
        assert!(!pem.ends_with("\n\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        let key = GroupKey::generate().unwrap();
        let wrapped = p.public_key().wrap_group_key(&key).unwrap();
        assert_eq!(wrapped.len(), 128);
        assert_eq!(p.unwrap_group_key(key.id(), &wrapped).unwrap(), key);
        let reparsed = RsaPublicKey::from_pem(p.public_key_bytes()).unwrap();
        assert_eq!(&reparsed, p.public_key());
        let private = p.to_pkcs8_pem().unwrap();
        assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let again = RsaKeyPair::from_pkcs8_pem(private.as_bytes()).unwrap();
        assert_eq!(again.public_key(), p.public_key());
        assert_eq!(again.unwrap_group_key(key.id(), &wrapped).unwrap(), key);
    }

    #[test]
    fn sizes() {
        let p = pair(640);
        assert_eq!(p.public_key().ciphertext_len(), 80);
        for bits in [0, 512, 639, 4097, 8192] {
            assert!(matches!(
                RsaKeyPair::generate(bits),
                Err(Error::InvalidKey(_))
            ));
        }
    }

    #[test]
    fn external_and_pending() {
        let inner = pair(1024);
        let host = |ct: &[u8]| {
            inner
                .private
                .oaep_decrypt::<Sha1>(ct)
                .map(Zeroizing::new)
                .map_err(|_| Error::Decrypt)
        };
        let external = ExternalRsaKeyPair::new(inner.public_key_bytes(), host).unwrap();
        let key = GroupKey::generate().unwrap();
        let wrapped = crate::exchange::wrap_group_key(
            &key,
            AsymmetricEncryptionType::Rsa,
            external.public_key_bytes(),
        )
        .unwrap();
        assert_eq!(external.unwrap_group_key(key.id(), &wrapped).unwrap(), key);
        assert_eq!(
            external.unwrap_group_key(key.id(), &wrapped[1..]),
            Err(Error::Decrypt)
        );

        let pending = inner.public_key().begin_unwrap(key.id(), &wrapped).unwrap();
        assert_eq!(pending.ciphertext(), &wrapped[..]);
        assert_eq!(pending.key_id(), key.id());
        assert_eq!(pending.clone().complete(&[1; 31]), Err(Error::Decrypt));
        assert_eq!(pending.complete(key.expose_secret()).unwrap(), key);
        assert!(matches!(
            inner.public_key().begin_unwrap("", &wrapped),
            Err(Error::InvalidKey(_))
        ));

        let failing = ExternalRsaKeyPair::new(inner.public_key_bytes(), |_: &[u8]| {
            Err(Error::InvalidArgument("host said no".into()))
        })
        .unwrap();
        assert_eq!(
            failing.unwrap_group_key(key.id(), &wrapped),
            Err(Error::Decrypt)
        );
    }

    #[test]
    fn random_ciphertexts_fail_opaquely() {
        let p = pair(1024);
        for len in [0, 1, 127, 129, 512] {
            assert_eq!(p.unwrap_group_key("k", &vec![3; len]), Err(Error::Decrypt));
        }
        for seed in 0u8..8 {
            let ct: Vec<u8> = (0..128u8).map(|i| i.wrapping_mul(31) ^ seed).collect();
            assert_eq!(p.unwrap_group_key("k", &ct), Err(Error::Decrypt));
        }
        // A valid OAEP plaintext that is not 32 bytes.
        let ct = p
            .private
            .as_public_key()
            .oaep_encrypt_with_rng::<Sha1, _>(&mut CoreRng, &[1; 31])
            .unwrap();
        assert_eq!(p.unwrap_group_key("k", &ct), Err(Error::Decrypt));
    }

    #[test]
    fn debug_is_redacted() {
        let p = pair(640);
        let s = format!("{p:?} {:?}", p.public_key());
        assert!(s.contains("redacted") && s.contains("640"));
        let pem = p.to_pkcs8_pem().unwrap();
        for line in pem.lines().skip(1) {
            assert!(!s.contains(&line[..line.len().min(16)]));
        }
        assert!(s.len() < 200);
    }
}
