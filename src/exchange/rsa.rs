//! RSA key exchange (spec §8, `AsymmetricEncryptionType` 0): RSAES-OAEP with SHA-1, MGF1-SHA-1
//! and an empty label, the default of Node's `crypto.publicEncrypt` (SHA-256 OAEP does not
//! interoperate). Public keys travel as the UTF-8 of an SPKI PEM; private keys are PKCS#8 PEM.
//!
//! Three ways to hold the subscriber side:
//!
//! - [`RsaKeyPair`]: the private key in Rust. Generating 4096 bits takes seconds in wasm.
//! - [`ExternalRsaKeyPair`]: only the public key in Rust, the private operation done by the host
//!   through a synchronous [`RsaDecryptor`] (Node's `crypto.privateDecrypt`, a test key).
//! - [`RsaPublicKey::begin_unwrap`] → [`PendingUnwrap`]: for an asynchronous host (WebCrypto's
//!   `subtle.decrypt` returns a promise). The core checks the response and hands out the
//!   ciphertext; the host decrypts it and calls [`PendingUnwrap::complete`].
//!
//! Key sizes 640..=4096 bits are accepted everywhere: 640 is the SDK's test setting, 4096 its
//! default, and the upper bound caps the cost a requester can impose on a publisher. A
//! publisher refuses requests under its own floor on top of that (`min_rsa_key_bits`, 2048 by
//! default; see [`super::check_key_size`]).

use std::fmt;

use ::rsa::pkcs1::RsaPublicKeyRef;
use ::rsa::pkcs8::der::Decode;
use ::rsa::pkcs8::der::asn1::Null;
use ::rsa::pkcs8::spki::SubjectPublicKeyInfoRef;
use ::rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use ::rsa::traits::PublicKeyParts;
use ::rsa::{BoxedUint, PrivateKey, PublicKey};
use sha1::Sha1;
use zeroize::Zeroizing;

use super::KeyExchangeKeyPair;
use super::pem::{self, Label};
use super::rng::CoreRng;
use crate::cipher::GroupKey;
use crate::cipher::aes_ctr::KEY_LEN;
use crate::error::{Error, Result};
use crate::wire::AsymmetricEncryptionType;

/// Smallest modulus accepted, in bits (the SDK's `rsaKeyLength` in tests).
pub const MIN_BITS: usize = 640;
/// Largest modulus accepted, in bits.
pub const MAX_BITS: usize = 4096;
/// The SDK's default `rsaKeyLength`.
pub const DEFAULT_BITS: usize = 4096;

/// A requester's RSA public key, parsed from `GroupKeyRequest.publicKey` and checked.
#[derive(Clone)]
pub struct RsaPublicKey {
    key: PublicKey,
    pem: String,
}

impl RsaPublicKey {
    /// Parses the UTF-8 SPKI PEM of a `GroupKeyRequest.publicKey`.
    ///
    /// Both the SDK's layouts are accepted: Node's 64-column base64 and the browser's single
    /// line. The text must start with `-----BEGIN PUBLIC KEY-----` and end with
    /// `-----END PUBLIC KEY-----\n`, exactly one newline, or the SDK itself refuses it. The key
    /// must be `rsaEncryption` with 640..=4096 bits and a public exponent in 3..2^33.
    /// Anything else is [`Error::InvalidKey`].
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        let der = pem::decode(pem, Label::PublicKey).map_err(Error::InvalidKey)?;
        let key = decode_spki(&der)?;
        Self::from_key(key)
    }

    /// The PEM as Node writes it (64 columns, one final `\n`), whatever layout it was parsed
    /// from. This is what goes into `GroupKeyRequest.publicKey`.
    pub fn to_pem(&self) -> &str {
        &self.pem
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        modulus_bits(&self.key)
    }

    /// `k`, the modulus size in bytes: the length of every ciphertext for this key.
    pub fn ciphertext_len(&self) -> usize {
        self.key.size()
    }

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

    /// Checks a wrapped key for this public key and hands it to the host, which holds the
    /// private key, to decrypt with RSA-OAEP-SHA1 (see [`PendingUnwrap`]).
    ///
    /// A ciphertext of the wrong length is the opaque [`Error::Decrypt`]; an unusable `key_id`
    /// is [`Error::InvalidKey`].
    pub fn begin_unwrap(&self, key_id: &str, data: &[u8]) -> Result<PendingUnwrap> {
        // Validate the id now, so a bad one is not first noticed after the host's work.
        GroupKey::new(key_id, &[0; KEY_LEN])?;
        if data.len() != self.ciphertext_len() {
            return Err(Error::Decrypt);
        }
        Ok(PendingUnwrap {
            key_id: key_id.to_owned(),
            ciphertext: data.to_vec(),
        })
    }

    fn from_key(key: PublicKey) -> Result<Self> {
        let pem = key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| Error::InvalidKey("RSA public key cannot be encoded".into()))?;
        Ok(RsaPublicKey { key, pem })
    }
}

impl PartialEq for RsaPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for RsaPublicKey {}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("bits", &self.bits())
            .finish()
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
        let public = RsaPublicKey::from_key(private.to_public_key())?;
        Ok(RsaKeyPair { private, public })
    }
}

impl KeyExchangeKeyPair for RsaKeyPair {
    fn encryption_type(&self) -> AsymmetricEncryptionType {
        AsymmetricEncryptionType::Rsa
    }

    fn public_key_bytes(&self) -> &[u8] {
        self.public.pem.as_bytes()
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

/// The private half of an RSA key pair held outside Rust: RSAES-OAEP with SHA-1, MGF1-SHA-1 and
/// an empty label, as Node's `crypto.privateDecrypt(pem, ciphertext)` does by default.
///
/// Any error the host reports is turned into the opaque [`Error::Decrypt`]. Closures
/// `Fn(&[u8]) -> Result<Zeroizing<Vec<u8>>>` implement it.
pub trait RsaDecryptor {
    /// Decrypts a `k`-byte ciphertext, returning the plaintext (32 bytes when it is a group
    /// key).
    fn decrypt(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>>;
}

impl<F> RsaDecryptor for F
where
    F: Fn(&[u8]) -> Result<Zeroizing<Vec<u8>>>,
{
    fn decrypt(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self(ciphertext)
    }
}

/// An RSA key pair whose private key stays in the host (e.g. a WebCrypto key generated by the
/// JS shim): the public key in Rust, the private operation through `D`.
pub struct ExternalRsaKeyPair<D> {
    public: RsaPublicKey,
    decryptor: D,
}

impl<D: RsaDecryptor> ExternalRsaKeyPair<D> {
    /// From the host key's SPKI PEM (checked as in [`RsaPublicKey::from_pem`]) and its
    /// decryptor. The request will carry the PEM re-encoded in Node's layout.
    pub fn new(public_key_pem: &[u8], decryptor: D) -> Result<Self> {
        Ok(ExternalRsaKeyPair {
            public: RsaPublicKey::from_pem(public_key_pem)?,
            decryptor,
        })
    }

    /// The public half.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
    }
}

impl<D: RsaDecryptor> KeyExchangeKeyPair for ExternalRsaKeyPair<D> {
    fn encryption_type(&self) -> AsymmetricEncryptionType {
        AsymmetricEncryptionType::Rsa
    }

    fn public_key_bytes(&self) -> &[u8] {
        self.public.pem.as_bytes()
    }

    fn unwrap_group_key(&self, key_id: &str, data: &[u8]) -> Result<GroupKey> {
        let pending = self.public.begin_unwrap(key_id, data)?;
        let plaintext = self
            .decryptor
            .decrypt(&pending.ciphertext)
            .map_err(|_| Error::Decrypt)?;
        pending.complete(&plaintext)
    }
}

impl<D> fmt::Debug for ExternalRsaKeyPair<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalRsaKeyPair")
            .field("bits", &self.public.bits())
            .field("private_key", &"<held by the host>")
            .finish()
    }
}

/// A wrapped RSA group key waiting for the host to decrypt it: made by
/// [`RsaPublicKey::begin_unwrap`], finished by [`Self::complete`].
///
/// ```text
/// let pending = public_key.begin_unwrap(&key.id, &key.data)?;          // core
/// let plaintext = await subtle.decrypt({name: "RSA-OAEP"}, privateKey,  // host; the key was
///                                      pending.ciphertext());           // imported with SHA-1
/// let group_key = pending.complete(&plaintext)?;                        // core
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PendingUnwrap {
    key_id: String,
    ciphertext: Vec<u8>,
}

impl PendingUnwrap {
    /// The id the key will get.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The RSA-OAEP-SHA1 ciphertext for the host to decrypt (`k` bytes, public).
    pub fn ciphertext(&self) -> &[u8] {
        &self.ciphertext
    }

    /// Turns the host's plaintext into the group key. Anything but 32 bytes is the opaque
    /// [`Error::Decrypt`].
    pub fn complete(self, plaintext: &[u8]) -> Result<GroupKey> {
        if plaintext.len() != KEY_LEN {
            return Err(Error::Decrypt);
        }
        GroupKey::new(self.key_id, plaintext)
    }
}

impl fmt::Debug for PendingUnwrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingUnwrap")
            .field("key_id", &self.key_id)
            .field("ciphertext_len", &self.ciphertext.len())
            .finish()
    }
}

fn check_bits(bits: usize) -> Result<()> {
    if (MIN_BITS..=MAX_BITS).contains(&bits) {
        Ok(())
    } else {
        Err(Error::InvalidKey(format!(
            "RSA key must have {MIN_BITS}..={MAX_BITS} bits, got {bits}"
        )))
    }
}

fn modulus_bits(key: &PublicKey) -> usize {
    key.n().bit_width_vartime() as usize
}

/// SPKI DER → key, by hand: `rsa`'s own SPKI decoder refuses moduli under 1024 bits.
fn decode_spki(der: &[u8]) -> Result<PublicKey> {
    let malformed = || Error::InvalidKey("not an SPKI RSA public key".into());
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| malformed())?;
    // rsaEncryption with NULL parameters only (no RSASSA-PSS keys, as Node's publicEncrypt).
    if spki.algorithm.oid != ::rsa::pkcs1::ALGORITHM_OID
        || spki.algorithm.parameters_any().map_err(|_| malformed())? != Null.into()
    {
        return Err(Error::InvalidKey("SPKI key is not rsaEncryption".into()));
    }
    let bits = spki.subject_public_key.as_bytes().ok_or_else(malformed)?;
    let components = RsaPublicKeyRef::from_der(bits).map_err(|_| malformed())?;
    let n = uint(components.modulus.as_bytes()).ok_or_else(malformed)?;
    let e = uint(components.public_exponent.as_bytes()).ok_or_else(malformed)?;
    let n_bits = n.bit_width_vartime() as usize;
    check_bits(n_bits)?;
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
        let wrapped = super::super::wrap_group_key(
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
