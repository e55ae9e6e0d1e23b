//! RSAES-OAEP with SHA-1, MGF1-SHA-1 and an empty label (Node's `publicEncrypt` default, the
//! SDK's RSA key exchange) as a small wasm module of its own. The streamr-e2ee shim loads it
//! with a dynamic `import()` only when an RSA exchange happens on a platform whose own RSA
//! (WebCrypto, `node:crypto`) is missing or refuses the key; the main module has no RSA.
//!
//! Keys cross as DER (SPKI public, PKCS#8 private): the main module already checked and
//! decoded the PEM. Private keys stay in this module's memory (zeroized on drop) unless
//! exported with [`RsaPrivateKey::to_pkcs8_der`].

use rsa::pkcs1::RsaPublicKeyRef;
use rsa::pkcs8::der::Decode;
use rsa::pkcs8::spki::SubjectPublicKeyInfoRef;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::rand_core::{TryCryptoRng, TryRng};
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, PrivateKey, PublicKey};
use sha1::Sha1;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

/// Smallest modulus accepted, in bits (the SDK's test keys), as in the main crate.
pub const MIN_BITS: usize = 640;
/// Largest modulus accepted, in bits, as in the main crate.
pub const MAX_BITS: usize = 4096;

/// Errors carry the main crate's stable codes, so the shim can rethrow them as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// `INVALID_KEY`, `DECRYPT_ERROR`, `INVALID_ARGUMENT` or `RANDOMNESS_UNAVAILABLE`.
    pub code: &'static str,
    /// Details; never quotes key material.
    pub message: String,
}

fn err(code: &'static str, message: &str) -> Error {
    Error {
        code,
        message: message.to_owned(),
    }
}

/// The OS/browser CSPRNG (`crypto.getRandomValues`) for the `rsa` crate; a failure is an
/// error, never a panic.
struct OsRng;

impl TryRng for OsRng {
    type Error = getrandom::Error;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        getrandom::fill(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        getrandom::fill(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        getrandom::fill(dst)
    }
}

impl TryCryptoRng for OsRng {}

fn check_bits(bits: usize) -> Result<(), Error> {
    if (MIN_BITS..=MAX_BITS).contains(&bits) {
        Ok(())
    } else {
        Err(err("INVALID_KEY", "RSA key must have 640..=4096 bits"))
    }
}

fn rng_or(code: &'static str, message: &str) -> impl Fn(rsa::Error) -> Error {
    move |e| match e {
        rsa::Error::Rng => err("RANDOMNESS_UNAVAILABLE", "the CSPRNG failed"),
        _ => err(code, message),
    }
}

/// An RSA private key held in this module.
pub struct Key {
    private: PrivateKey,
}

impl Key {
    /// A fresh key of `bits` (640..=4096), e = 65537.
    pub fn generate(bits: usize) -> Result<Self, Error> {
        check_bits(bits)?;
        // new_unchecked only skips rsa's 1024-bit floor; the range is checked above.
        let private = PrivateKey::new_unchecked(&mut OsRng, bits)
            .map_err(rng_or("INVALID_ARGUMENT", "RSA key generation failed"))?;
        Ok(Key { private })
    }

    /// From a PKCS#8 DER private key of 640..=4096 bits.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let private = PrivateKey::from_pkcs8_der(der)
            .map_err(|_| err("INVALID_KEY", "not a PKCS#8 RSA private key"))?;
        check_bits(private.as_public_key().n().bit_width_vartime() as usize)?;
        Ok(Key { private })
    }

    /// The PKCS#8 DER, for persistence.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let doc = self
            .private
            .to_pkcs8_der()
            .map_err(|_| err("INVALID_KEY", "RSA private key cannot be encoded"))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The SPKI DER of the public half.
    pub fn public_key_der(&self) -> Result<Vec<u8>, Error> {
        let doc = self
            .private
            .to_public_key()
            .to_public_key_der()
            .map_err(|_| err("INVALID_KEY", "RSA public key cannot be encoded"))?;
        Ok(doc.as_bytes().to_vec())
    }

    /// RSAES-OAEP-SHA1 decryption (blinded). Every failure is `DECRYPT_ERROR`.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.private
            .oaep_decrypt_with_rng::<Sha1, _>(&mut OsRng, ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| err("DECRYPT_ERROR", "RSA-OAEP decryption failed"))
    }
}

/// RSAES-OAEP-SHA1 of `data` to an SPKI DER public key of 640..=4096 bits.
pub fn encrypt(spki_der: &[u8], data: &[u8]) -> Result<Vec<u8>, Error> {
    public_key(spki_der)?
        .oaep_encrypt_with_rng::<Sha1, _>(&mut OsRng, data)
        .map_err(rng_or("INVALID_ARGUMENT", "data too long for this RSA key"))
}

/// SPKI DER → key by hand: `rsa`'s own decoder refuses moduli under 1024 bits.
fn public_key(der: &[u8]) -> Result<PublicKey, Error> {
    let malformed = || err("INVALID_KEY", "not an SPKI RSA public key");
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| malformed())?;
    if spki.algorithm.oid != rsa::pkcs1::ALGORITHM_OID {
        return Err(malformed());
    }
    let bits = spki.subject_public_key.as_bytes().ok_or_else(malformed)?;
    let parts = RsaPublicKeyRef::from_der(bits).map_err(|_| malformed())?;
    let n = uint(parts.modulus.as_bytes()).ok_or_else(malformed)?;
    let e = uint(parts.public_exponent.as_bytes()).ok_or_else(malformed)?;
    PublicKey::new_with_size_limits(n, e, MIN_BITS..=MAX_BITS).map_err(|_| malformed())
}

fn uint(be: &[u8]) -> Option<BoxedUint> {
    let bits = u32::try_from(be.len().checked_mul(8)?).ok()?;
    BoxedUint::from_be_slice(be, bits).ok()
}

#[cfg(target_arch = "wasm32")]
mod bindings {
    //! The JS surface: `RsaPrivateKey` and `rsaOaepEncrypt`. Errors are `Error`s with a
    //! `code`, as the main module's.
    use super::*;

    fn js(e: Error) -> JsValue {
        let error = js_sys::Error::new(&e.message);
        // Setting a property on a fresh Error cannot fail.
        let _ = js_sys::Reflect::set(&error, &"code".into(), &e.code.into());
        error.into()
    }

    /// An RSA private key in this module's memory (zeroized when freed).
    #[wasm_bindgen]
    pub struct RsaPrivateKey(Key);

    #[wasm_bindgen]
    impl RsaPrivateKey {
        /// A fresh key of `bits` (640..=4096), e = 65537.
        pub fn generate(bits: u32) -> Result<RsaPrivateKey, JsValue> {
            Key::generate(bits as usize).map(RsaPrivateKey).map_err(js)
        }

        /// From a PKCS#8 DER private key.
        #[wasm_bindgen(js_name = fromPkcs8Der)]
        pub fn from_pkcs8_der(der: &[u8]) -> Result<RsaPrivateKey, JsValue> {
            Key::from_pkcs8_der(der).map(RsaPrivateKey).map_err(js)
        }

        /// The PKCS#8 DER (a copy in JS memory, for persistence).
        #[wasm_bindgen(js_name = toPkcs8Der)]
        pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, JsValue> {
            self.0.to_pkcs8_der().map(|d| d.to_vec()).map_err(js)
        }

        /// The SPKI DER of the public half.
        #[wasm_bindgen(js_name = publicKeyDer)]
        pub fn public_key_der(&self) -> Result<Vec<u8>, JsValue> {
            self.0.public_key_der().map_err(js)
        }

        /// RSAES-OAEP-SHA1 decryption; `DECRYPT_ERROR` on any failure.
        pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, JsValue> {
            self.0.decrypt(ciphertext).map(|p| p.to_vec()).map_err(js)
        }
    }

    /// RSAES-OAEP-SHA1 of `data` to an SPKI DER public key.
    #[wasm_bindgen(js_name = rsaOaepEncrypt)]
    pub fn rsa_oaep_encrypt(spki_der: &[u8], data: &[u8]) -> Result<Vec<u8>, JsValue> {
        encrypt(spki_der, data).map_err(js)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let key = Key::generate(640).unwrap();
        let spki = key.public_key_der().unwrap();
        let ct = encrypt(&spki, &[7; 32]).unwrap();
        assert_eq!(ct.len(), 80);
        assert_eq!(key.decrypt(&ct).unwrap().as_slice(), &[7; 32]);
        let again = Key::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
        assert_eq!(again.decrypt(&ct).unwrap().as_slice(), &[7; 32]);
        assert_eq!(key.decrypt(&[0; 80]).unwrap_err().code, "DECRYPT_ERROR");
        assert_eq!(
            encrypt(&spki, &[0; 39]).unwrap_err().code,
            "INVALID_ARGUMENT"
        );
        assert_eq!(encrypt(b"junk", &[0; 1]).unwrap_err().code, "INVALID_KEY");
        assert_eq!(Key::generate(512).err().unwrap().code, "INVALID_KEY");
        assert_eq!(
            Key::from_pkcs8_der(b"junk").err().unwrap().code,
            "INVALID_KEY"
        );
    }
}
