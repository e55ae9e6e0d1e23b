//! Key-exchange key pairs (docs/wire.md §7, §8): `MlKemKeyPair`, `RsaKeyPair`, the free function
//! `wrapGroupKey`, and the `keyExchange` argument of `Subscriber`: one of the two classes, or
//! `{ encryptionType, publicKey }` for a private key the host keeps (WebCrypto RSA), whose
//! unwraps become `unwrapGroupKey` questions.
//!
//! Like the signers, a key pair is shared with the subscribers that use it, never moved.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::enums::AsymmetricEncryptionType as JsAsymmetricEncryptionType;
use super::error::invalid_argument;
use super::fields;
use super::group_key::JsGroupKey;
use super::host_io::{bytes_arg, group_key_arg, string_arg, wire_enum_value};
use super::signing::take_handle;
use crate::cipher::GroupKey;
use crate::error::Result as CoreResult;
use crate::exchange::{self, KeyExchangeKeyPair, MlKemKeyPair, RsaPublicKey, mlkem};
#[cfg(feature = "rsa")]
use crate::exchange::{RsaKeyPair, rsa};
use crate::subscriber::KeyExchange;
use crate::wire::AsymmetricEncryptionType;

/// The hidden method of both key-pair classes that returns a [`KeyExchangeHandle`].
const KEY_EXCHANGE_HANDLE_METHOD: &str = "__keyExchangeHandle";

/// A key pair shared between its JS object and the subscribers that use it.
struct SharedKeyPair(Rc<dyn KeyExchangeKeyPair>);

impl KeyExchangeKeyPair for SharedKeyPair {
    fn encryption_type(&self) -> AsymmetricEncryptionType {
        self.0.encryption_type()
    }

    fn public_key_bytes(&self) -> &[u8] {
        self.0.public_key_bytes()
    }

    fn unwrap_group_key(&self, key_id: &str, data: &[u8]) -> CoreResult<GroupKey> {
        self.0.unwrap_group_key(key_id, data)
    }
}

/// Internal: a handle to a key pair, made by the key-pair classes for `Subscriber`. Not part
/// of the API.
#[wasm_bindgen(skip_typescript)]
pub struct KeyExchangeHandle {
    inner: Rc<dyn KeyExchangeKeyPair>,
}

/// Reads the `keyExchange` argument of `Subscriber`.
pub(crate) fn key_exchange_arg(value: &JsValue) -> CoreResult<KeyExchange> {
    if let Some(handle) =
        take_handle::<KeyExchangeHandle>(value, KEY_EXCHANGE_HANDLE_METHOD, "keyExchange")?
    {
        return Ok(KeyExchange::Internal(Box::new(SharedKeyPair(handle.inner))));
    }
    if !value.is_object() {
        return Err(invalid_argument(
            "keyExchange must be an MlKemKeyPair, an RsaKeyPair or { encryptionType, publicKey }",
        ));
    }
    let encryption_type: AsymmetricEncryptionType =
        match fields::opt_value(value, "encryptionType")? {
            Some(v) => wire_enum_value(&v, "encryptionType")?,
            None => return Err(invalid_argument("encryptionType is missing")),
        };
    let raw = match fields::opt_value(value, "publicKey")? {
        Some(v) if v.is_string() => string_arg(&v, "publicKey")?.into_bytes(),
        Some(v) => bytes_arg(&v, "publicKey")?,
        None => return Err(invalid_argument("publicKey is missing")),
    };
    let public_key = match encryption_type {
        // Checked, and re-encoded in Node's layout as the request will carry it.
        AsymmetricEncryptionType::Rsa => RsaPublicKey::from_pem(&raw)?.to_pem().as_bytes().to_vec(),
        AsymmetricEncryptionType::MlKem => {
            // Wrapping a throwaway key checks the encapsulation key fully (length, reduced
            // coefficients), so a bad one fails here rather than at every publisher.
            let probe = GroupKey::new("public-key-check", &[0; 32])?;
            mlkem::wrap_group_key(&probe, &raw)?;
            raw
        }
    };
    Ok(KeyExchange::External {
        encryption_type,
        public_key,
    })
}

/// A subscriber's ML-KEM-1024 key-exchange key pair (FIPS 203), quantum resistant. The secret
/// key stays in wasm memory unless exported with `expandedSecretKey()`.
#[wasm_bindgen(js_name = MlKemKeyPair)]
pub struct JsMlKemKeyPair {
    inner: Rc<MlKemKeyPair>,
}

#[wasm_bindgen(js_class = MlKemKeyPair)]
impl JsMlKemKeyPair {
    /// A fresh key pair.
    pub fn generate() -> Result<JsMlKemKeyPair, JsValue> {
        Ok(JsMlKemKeyPair {
            inner: Rc::new(MlKemKeyPair::generate()?),
        })
    }

    /// Imports the SDK's 3168-byte expanded secret key (`MLKEMKeyPair.getPrivateKey()`).
    /// Throws `INVALID_KEY` for a wrong length or an inconsistent key.
    #[wasm_bindgen(js_name = fromExpandedSecretKey)]
    pub fn from_expanded_secret_key(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array", js_name = secretKey)]
        secret_key: JsValue,
    ) -> Result<JsMlKemKeyPair, JsValue> {
        let bytes = Zeroizing::new(bytes_arg(&secret_key, "secretKey")?);
        Ok(JsMlKemKeyPair {
            inner: Rc::new(MlKemKeyPair::from_expanded_secret_key(&bytes)?),
        })
    }

    /// The 1568-byte encapsulation key (`GroupKeyRequest.publicKey`).
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.public_key().to_vec())
    }

    /// Always `AsymmetricEncryptionType.ML_KEM`.
    #[wasm_bindgen(getter, js_name = encryptionType)]
    pub fn encryption_type(&self) -> Result<JsAsymmetricEncryptionType, JsValue> {
        Ok(JsAsymmetricEncryptionType::ML_KEM)
    }

    /// A copy of the 3168-byte expanded secret key (the SDK's format), for persistence. The
    /// copy lives in JS memory and cannot be wiped.
    #[wasm_bindgen(js_name = expandedSecretKey)]
    pub fn expanded_secret_key(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.to_expanded_secret_key().to_vec())
    }

    /// Recovers group key `keyId` from one `EncryptedGroupKey.data` of a response (1680
    /// bytes: `kemCt ‖ salt ‖ iv ‖ ct`). Throws `DECRYPT_ERROR` for a wrong length,
    /// `INVALID_KEY` for a bad id. ML-KEM rejects implicitly: tampered data gives a wrong key,
    /// not an error; only the response's signature protects it.
    #[wasm_bindgen(js_name = unwrapGroupKey)]
    pub fn unwrap_group_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string", js_name = keyId)] key_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] data: JsValue,
    ) -> Result<JsGroupKey, JsValue> {
        let key_id = string_arg(&key_id, "keyId")?;
        let data = bytes_arg(&data, "data")?;
        Ok(self.inner.unwrap_group_key(&key_id, &data)?.into())
    }

    /// Internal: a handle for `Subscriber`.
    #[wasm_bindgen(js_name = __keyExchangeHandle, skip_typescript)]
    pub fn key_exchange_handle(&self) -> Result<KeyExchangeHandle, JsValue> {
        Ok(KeyExchangeHandle {
            inner: self.inner.clone(),
        })
    }
}

/// A subscriber's RSA key-exchange key pair (RSAES-OAEP with SHA-1, as the SDK), with the
/// private key in wasm memory. Only in builds with the feature `rsa` (not the npm package's
/// main module, where the shim's `RsaKeyPair` replaces it). In a browser a WebCrypto key with `{ encryptionType:
/// AsymmetricEncryptionType.RSA, publicKey }` as the subscriber's `keyExchange` keeps the
/// private key out of JS entirely.
#[cfg(feature = "rsa")]
#[wasm_bindgen(js_name = RsaKeyPair)]
pub struct JsRsaKeyPair {
    inner: Rc<RsaKeyPair>,
}

#[cfg(feature = "rsa")]
#[wasm_bindgen(js_class = RsaKeyPair)]
impl JsRsaKeyPair {
    /// A fresh key pair of `bits` (640 to 4096; default 4096, the SDK's `rsaKeyLength`),
    /// public exponent 65537. Slow: 4096 bits takes seconds in wasm. Throws `INVALID_KEY` for
    /// a size outside 640..=4096, `INVALID_ARGUMENT` for a non-integer.
    pub fn generate(bits: Option<f64>) -> Result<JsRsaKeyPair, JsValue> {
        let bits = match bits {
            None => rsa::DEFAULT_BITS,
            Some(b) => {
                let b = super::host_io::safe_integer(b, "bits")?;
                usize::try_from(b).map_err(|_| invalid_argument("bits is too large"))?
            }
        };
        Ok(JsRsaKeyPair {
            inner: Rc::new(RsaKeyPair::generate(bits)?),
        })
    }

    /// Imports a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`, Node's 64-column
    /// layout or the browser's single line, exactly one final newline), 640..=4096 bits.
    /// Throws `INVALID_KEY` otherwise; the message never quotes the input.
    #[wasm_bindgen(js_name = fromPkcs8Pem)]
    pub fn from_pkcs8_pem(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] pem: JsValue,
    ) -> Result<JsRsaKeyPair, JsValue> {
        let text = Zeroizing::new(if pem.is_string() {
            string_arg(&pem, "pem")?.into_bytes()
        } else {
            bytes_arg(&pem, "pem")?
        });
        Ok(JsRsaKeyPair {
            inner: Rc::new(RsaKeyPair::from_pkcs8_pem(&text)?),
        })
    }

    /// The SPKI PEM of the public key, in Node's layout (64 columns, one final newline).
    #[wasm_bindgen(getter, js_name = publicKeyPem)]
    pub fn public_key_pem(&self) -> Result<String, JsValue> {
        Ok(self.inner.public_key().to_pem().to_owned())
    }

    /// The UTF-8 bytes of `publicKeyPem`, as they go into `GroupKeyRequest.publicKey`.
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.public_key_bytes().to_vec())
    }

    /// The modulus size in bits.
    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> Result<u32, JsValue> {
        u32::try_from(self.inner.public_key().bits())
            .map_err(|_| invalid_argument("modulus size out of range").into())
    }

    /// Always `AsymmetricEncryptionType.RSA`.
    #[wasm_bindgen(getter, js_name = encryptionType)]
    pub fn encryption_type(&self) -> Result<JsAsymmetricEncryptionType, JsValue> {
        Ok(JsAsymmetricEncryptionType::RSA)
    }

    /// The private key as PKCS#8 PEM in Node's layout, for persistence. The string lives in
    /// JS memory and cannot be wiped.
    #[wasm_bindgen(js_name = toPkcs8Pem)]
    pub fn to_pkcs8_pem(&self) -> Result<String, JsValue> {
        Ok(self.inner.to_pkcs8_pem()?.as_str().to_owned())
    }

    /// Recovers group key `keyId` from one `EncryptedGroupKey.data` of a response (`bits / 8`
    /// bytes). Throws `DECRYPT_ERROR` for any failure, `INVALID_KEY` for a bad id.
    #[wasm_bindgen(js_name = unwrapGroupKey)]
    pub fn unwrap_group_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string", js_name = keyId)] key_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] data: JsValue,
    ) -> Result<JsGroupKey, JsValue> {
        let key_id = string_arg(&key_id, "keyId")?;
        let data = bytes_arg(&data, "data")?;
        Ok(self.inner.unwrap_group_key(&key_id, &data)?.into())
    }

    /// Internal: a handle for `Subscriber`.
    #[wasm_bindgen(js_name = __keyExchangeHandle, skip_typescript)]
    pub fn key_exchange_handle(&self) -> Result<KeyExchangeHandle, JsValue> {
        Ok(KeyExchangeHandle {
            inner: self.inner.clone(),
        })
    }
}

/// Wraps `key` for a requester's key-exchange `publicKey` (what a publisher puts in a
/// `GroupKeyResponse`): RSA-OAEP-SHA1 to an SPKI PEM (UTF-8 bytes or string), or ML-KEM-1024
/// + HKDF-SHA512 + AES-CTR to a 1568-byte key. Randomized. Throws `INVALID_KEY` for a public
/// key that does not parse or an RSA key outside 640..=4096 bits. In the npm package's main
/// module (no in-core RSA) an RSA wrap throws `INVALID_ARGUMENT`; the shim's `wrapGroupKey`
/// (async) does RSA with the platform.
#[wasm_bindgen(js_name = wrapGroupKey)]
pub fn wrap_group_key(
    #[wasm_bindgen(unchecked_param_type = "GroupKey | GroupKeyData")] key: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "AsymmetricEncryptionType",
        js_name = encryptionType
    )]
    encryption_type: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | string", js_name = publicKey)]
    public_key: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let key = group_key_arg(&key, "key")?;
    let encryption_type: AsymmetricEncryptionType =
        wire_enum_value(&encryption_type, "encryptionType")?;
    let public_key = if public_key.is_string() {
        string_arg(&public_key, "publicKey")?.into_bytes()
    } else {
        bytes_arg(&public_key, "publicKey")?
    };
    Ok(exchange::wrap_group_key(
        &key,
        encryption_type,
        &public_key,
    )?)
}

/// Checks an RSA public key (SPKI PEM, either of the SDK's layouts, as text or UTF-8 bytes)
/// without big integers, as a publisher does with a request's key: rsaEncryption, an odd
/// modulus of 640..=4096 bits, 2 <= e < 2^33. Returns its SPKI DER (for WebCrypto /
/// `node:crypto`), the PEM in Node's layout and the modulus size. Throws `INVALID_KEY`.
#[wasm_bindgen(
    js_name = rsaPublicKeyInfo,
    unchecked_return_type = "{ der: Uint8Array; pem: string; bits: number }"
)]
pub fn rsa_public_key_info(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array", js_name = publicKey)]
    public_key: JsValue,
) -> Result<JsValue, JsValue> {
    let raw = if public_key.is_string() {
        string_arg(&public_key, "publicKey")?.into_bytes()
    } else {
        bytes_arg(&public_key, "publicKey")?
    };
    let key = RsaPublicKey::from_pem(&raw)?;
    fields::object(&[
        ("der", fields::uint8_array(key.to_der())),
        ("pem", JsValue::from_str(key.to_pem())),
        ("bits", JsValue::from_f64(key.bits() as f64)),
    ])
}

/// The DER inside a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`, Node's or the
/// browser's layout, exactly one final newline), for the platform's RSA to import. Throws
/// `INVALID_KEY`; the message never quotes the input.
#[wasm_bindgen(js_name = pkcs8PemToDer)]
pub fn pkcs8_pem_to_der(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] pem: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let text = Zeroizing::new(if pem.is_string() {
        string_arg(&pem, "pem")?.into_bytes()
    } else {
        bytes_arg(&pem, "pem")?
    });
    Ok(exchange::pkcs8_der_from_pem(&text)?.to_vec())
}
