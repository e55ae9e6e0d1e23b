//! RSA key exchange (docs/wire.md §8, `AsymmetricEncryptionType` 0): RSAES-OAEP with SHA-1, MGF1-SHA-1
//! and an empty label, the default of Node's `crypto.publicEncrypt` (SHA-256 OAEP does not
//! interoperate). Public keys travel as the UTF-8 of an SPKI PEM; private keys are PKCS#8 PEM.
//!
//! This module needs no big integers: [`RsaPublicKey`] reads the modulus size and exponent off
//! the DER, which is all the core decides on (the 640..=4096 range, the publisher's
//! `minRsaKeyBits`, the ciphertext length). The RSA arithmetic itself is either in the core
//! (feature `rsa`, [`in_core`]) or the host's:
//!
//! - [`RsaKeyPair`] (feature `rsa`): the private key in Rust.
//! - [`ExternalRsaKeyPair`]: only the public key in Rust, the private operation done by the host
//!   through a synchronous [`RsaDecryptor`] (Node's `crypto.privateDecrypt`, a test key).
//! - [`RsaPublicKey::begin_unwrap`] → [`PendingUnwrap`]: for an asynchronous host (WebCrypto's
//!   `subtle.decrypt` returns a promise). The core checks the response and hands out the
//!   ciphertext; the host decrypts it and calls [`PendingUnwrap::complete`].
//! - A publisher whose `rsa_by_host` is set (always without the feature) asks the host to
//!   encrypt its group keys ([`crate::host::Question::WrapGroupKeys`]).
//!
//! Key sizes 640..=4096 bits are accepted everywhere: 640 is the SDK's test setting, 4096 its
//! default, and the upper bound caps the cost a requester can impose on a publisher. A
//! publisher refuses requests under its own floor on top of that (`min_rsa_key_bits`, 2048 by
//! default; see [`super::check_key_size`]).

use std::fmt;

use der::Decode;
use der::asn1::Null;
use pkcs1::RsaPublicKeyRef;
use spki::SubjectPublicKeyInfoRef;

use super::pem::{self, Label};
use crate::cipher::GroupKey;
use crate::cipher::aes_ctr::KEY_LEN;
use crate::error::{Error, Result};

#[cfg(feature = "rsa")]
pub mod in_core;
#[cfg(feature = "rsa")]
pub use in_core::RsaKeyPair;

mod external;
pub use external::{ExternalRsaKeyPair, RsaDecryptor};

/// Smallest modulus accepted, in bits (the SDK's `rsaKeyLength` in tests).
pub const MIN_BITS: usize = 640;
/// Largest modulus accepted, in bits.
pub const MAX_BITS: usize = 4096;
/// The SDK's default `rsaKeyLength`.
pub const DEFAULT_BITS: usize = 4096;

/// Largest public exponent accepted: the `rsa` crate's bound (2^33 - 1), so a key the host
/// is asked to use is one the in-core build would use too.
const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// A requester's RSA public key, parsed from `GroupKeyRequest.publicKey` and checked.
#[derive(Clone)]
pub struct RsaPublicKey {
    /// The SPKI DER (strict DER, so re-encoding it gives the same bytes).
    der: Vec<u8>,
    pem: String,
    bits: usize,
    #[cfg(feature = "rsa")]
    key: ::rsa::PublicKey,
}

impl RsaPublicKey {
    /// Parses the UTF-8 SPKI PEM of a `GroupKeyRequest.publicKey`.
    ///
    /// Both the SDK's layouts are accepted: Node's 64-column base64 and the browser's single
    /// line. The text must start with `-----BEGIN PUBLIC KEY-----` and end with
    /// `-----END PUBLIC KEY-----\n`, exactly one newline, or the SDK itself refuses it. The key
    /// must be `rsaEncryption` with an odd modulus of 640..=4096 bits and a public exponent in
    /// 2..2^33. Anything else is [`Error::InvalidKey`].
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        let der = pem::decode(pem, Label::PublicKey).map_err(Error::InvalidKey)?;
        Self::from_der(&der)
    }

    /// Parses an SPKI DER, checked as in [`Self::from_pem`].
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let bits = check_spki(der)?;
        let pem = pem::encode(der, Label::PublicKey).map_err(Error::InvalidKey)?;
        Ok(RsaPublicKey {
            der: der.to_vec(),
            pem,
            bits,
            #[cfg(feature = "rsa")]
            key: in_core::decode_spki(der)?,
        })
    }

    /// The PEM as Node writes it (64 columns, one final `\n`), whatever layout it was parsed
    /// from. This is what goes into `GroupKeyRequest.publicKey`.
    pub fn to_pem(&self) -> &str {
        &self.pem
    }

    /// The SPKI DER (what WebCrypto's `importKey('spki', …)` takes).
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// `k`, the modulus size in bytes: the length of every ciphertext for this key.
    pub fn ciphertext_len(&self) -> usize {
        self.bits.div_ceil(8)
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
}

impl PartialEq for RsaPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
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

pub(crate) fn check_bits(bits: usize) -> Result<()> {
    if (MIN_BITS..=MAX_BITS).contains(&bits) {
        Ok(())
    } else {
        Err(Error::InvalidKey(format!(
            "RSA key must have {MIN_BITS}..={MAX_BITS} bits, got {bits}"
        )))
    }
}

/// Checks an SPKI DER as the `rsa` crate would (rsaEncryption with NULL parameters, an odd
/// modulus of 640..=4096 bits, 2 <= e <= 2^33 - 1) and returns the modulus size in bits.
fn check_spki(der: &[u8]) -> Result<usize> {
    let malformed = || Error::InvalidKey("not an SPKI RSA public key".into());
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| malformed())?;
    // rsaEncryption with NULL parameters only (no RSASSA-PSS keys, as Node's publicEncrypt).
    if spki.algorithm.oid != pkcs1::ALGORITHM_OID
        || spki.algorithm.parameters_any().map_err(|_| malformed())? != Null.into()
    {
        return Err(Error::InvalidKey("SPKI key is not rsaEncryption".into()));
    }
    let key = spki.subject_public_key.as_bytes().ok_or_else(malformed)?;
    let components = RsaPublicKeyRef::from_der(key).map_err(|_| malformed())?;
    // DER integers are minimal, so the first byte is the top one (or zero only for 0).
    let n = components.modulus.as_bytes();
    let bits = match n.first() {
        Some(&top) if top != 0 => n.len() * 8 - top.leading_zeros() as usize,
        _ => 0,
    };
    check_bits(bits)?;
    let invalid = || Error::InvalidKey("RSA public key has an invalid modulus or exponent".into());
    if n.last().is_none_or(|b| b & 1 == 0) {
        return Err(invalid());
    }
    let e = components.public_exponent.as_bytes();
    if e.len() > 8 {
        return Err(invalid());
    }
    let e = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if !(2..=MAX_EXPONENT).contains(&e) {
        return Err(invalid());
    }
    Ok(bits)
}
