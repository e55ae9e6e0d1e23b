//! Who a `Publisher` or `Subscriber` signs as: a local signer class (`EvmSigner`,
//! `P256Signer`, `MlDsa87Signer`, whose keys stay in wasm memory) or an external signer
//! `{ userId, signatureType }` whose every signature becomes a `sign` question (a wallet).
//!
//! A local signer is shared, not moved: the same `EvmSigner` can sign for many publishers and
//! subscribers and stays usable from JS. Each class has a hidden method that hands the state
//! machine a fresh handle to the same key; the handle object, not the user's signer, is what
//! wasm-bindgen consumes.

use std::rc::Rc;

use js_sys::{Function, Reflect};
use wasm_bindgen::convert::TryFromJsValue;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::enums::SignatureType as JsSignatureType;
use super::error::invalid_argument;
use super::fields;
use super::host_io::{bytes_arg, wire_enum_value};
use crate::error::Result as CoreResult;
use crate::identity::evm::ADDRESS_LEN;
use crate::identity::ml_dsa87::{self, MlDsa87Signer};
use crate::identity::secp256r1;
#[cfg(feature = "p256")]
use crate::identity::secp256r1::P256Signer;
use crate::identity::{LocalSigner, Signing};
use crate::user_id::UserId;
use crate::wire::SignatureType;

/// The hidden method of every local signer class that returns a [`LocalSignerHandle`].
pub(crate) const SIGNER_HANDLE_METHOD: &str = "__localSignerHandle";

/// A local signer shared between its JS object and the state machines that sign with it.
#[derive(Clone)]
pub(crate) struct SharedSigner(Rc<dyn LocalSigner>);

impl SharedSigner {
    pub(crate) fn new(signer: Rc<dyn LocalSigner>) -> Self {
        SharedSigner(signer)
    }
}

impl LocalSigner for SharedSigner {
    fn user_id(&self) -> UserId {
        self.0.user_id()
    }

    fn signature_type(&self) -> SignatureType {
        self.0.signature_type()
    }

    fn sign(&self, payload: &[u8]) -> CoreResult<Vec<u8>> {
        self.0.sign(payload)
    }

    fn ready(&self) -> bool {
        self.0.ready()
    }
}

/// Internal: a handle to a local signer's key, made by the signer classes for the state
/// machines. Not part of the API.
#[wasm_bindgen(skip_typescript)]
pub struct LocalSignerHandle {
    inner: SharedSigner,
}

impl LocalSignerHandle {
    pub(crate) fn new(signer: Rc<dyn LocalSigner>) -> Self {
        LocalSignerHandle {
            inner: SharedSigner::new(signer),
        }
    }
}

/// Calls `value[method]()` when it is a function and takes the wasm object it returns. `None`
/// when there is no such method; an error when there is one but it fails (a freed object).
pub(crate) fn take_handle<T: TryFromJsValue>(
    value: &JsValue,
    method: &str,
    what: &str,
) -> CoreResult<Option<T>> {
    if !value.is_object() {
        return Ok(None);
    }
    let Ok(f) = Reflect::get(value, &JsValue::from_str(method)) else {
        return Ok(None);
    };
    let Some(f) = f.dyn_ref::<Function>() else {
        return Ok(None);
    };
    let handle = f
        .call0(value)
        .map_err(|_| invalid_argument(format!("{what} cannot be used (was it freed?)")))?;
    T::try_from_js_value(handle)
        .map(Some)
        .map_err(|_| invalid_argument(format!("{what} is not one of this package's objects")))
}

/// Reads the `signer` argument: a local signer object, or `{ userId, signatureType }` for an
/// external one.
pub(crate) fn signing_arg(value: &JsValue) -> CoreResult<Signing> {
    if let Some(handle) = take_handle::<LocalSignerHandle>(value, SIGNER_HANDLE_METHOD, "signer")? {
        return Ok(Signing::Local(Box::new(handle.inner)));
    }
    if !value.is_object() {
        return Err(invalid_argument(
            "signer must be an EvmSigner, P256Signer, MlDsa87Signer or { userId, signatureType }",
        ));
    }
    let user_id = UserId::parse(&fields::string(value, "userId")?)?;
    let signature_type: SignatureType = match fields::opt_value(value, "signatureType")? {
        Some(v) => wire_enum_value(&v, "signatureType")?,
        None => return Err(invalid_argument("signatureType is missing")),
    };
    let expected_len = match signature_type {
        SignatureType::EcdsaSecp256k1Evm | SignatureType::Erc1271 => ADDRESS_LEN,
        SignatureType::EcdsaSecp256r1 => secp256r1::PUBLIC_KEY_LEN,
        SignatureType::MlDsa87 => ml_dsa87::PUBLIC_KEY_LEN,
        SignatureType::EcdsaSecp256k1Legacy => {
            return Err(invalid_argument(
                "ECDSA_SECP256K1_LEGACY is verify-only; sign as ECDSA_SECP256K1_EVM",
            ));
        }
    };
    if user_id.as_bytes().len() != expected_len {
        return Err(invalid_argument(format!(
            "a {} user id is {expected_len} bytes, got {}",
            JsSignatureType::from(signature_type).name(),
            user_id.as_bytes().len()
        )));
    }
    Ok(Signing::External {
        user_id,
        signature_type,
    })
}

/// A secp256r1 (P-256) key held in wasm memory (never exported) that signs as the SDK's
/// `ECDSA_SECP256R1` identities (WebCrypto ECDSA with SHA-256): 64-byte `r ‖ s`. The user id
/// is the 33-byte compressed public key. Only in builds with the feature `p256`: the npm
/// package's `P256Signer` is the shim's (WebCrypto / node:crypto, docs/p256.md).
#[cfg(feature = "p256")]
#[wasm_bindgen(js_name = P256Signer)]
pub struct JsP256Signer {
    inner: Rc<P256Signer>,
}

#[cfg(feature = "p256")]
#[wasm_bindgen(js_class = P256Signer)]
impl JsP256Signer {
    /// A signer from a 32-byte private scalar (the SDK's `privateKey` for this key type).
    /// Throws `INVALID_KEY` for another length or an invalid scalar, `INVALID_ARGUMENT` if
    /// `privateKey` is not a `Uint8Array`.
    #[wasm_bindgen(js_name = fromPrivateKey)]
    pub fn from_private_key(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array", js_name = privateKey)]
        private_key: JsValue,
    ) -> Result<JsP256Signer, JsValue> {
        let bytes = Zeroizing::new(bytes_arg(&private_key, "privateKey")?);
        Ok(JsP256Signer {
            inner: Rc::new(P256Signer::from_private_key(&bytes)?),
        })
    }

    /// A signer with a fresh random key.
    pub fn generate() -> Result<JsP256Signer, JsValue> {
        Ok(JsP256Signer {
            inner: Rc::new(P256Signer::generate()?),
        })
    }

    /// The user id: `0x` + the compressed public key in lower-case hex (66 digits).
    #[wasm_bindgen(getter, js_name = userId)]
    pub fn user_id(&self) -> Result<String, JsValue> {
        Ok(self.inner.user_id().to_string())
    }

    /// The 33-byte compressed public key.
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.public_key().to_vec())
    }

    /// Always `SignatureType.ECDSA_SECP256R1`.
    #[wasm_bindgen(getter, js_name = signatureType)]
    pub fn signature_type(&self) -> Result<JsSignatureType, JsValue> {
        Ok(JsSignatureType::ECDSA_SECP256R1)
    }

    /// Signs SHA-256(`payload`); returns the 64-byte `r ‖ s` signature.
    pub fn sign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] payload: JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.sign(&bytes_arg(&payload, "payload")?)?.to_vec())
    }

    /// Internal: a handle for `Publisher`/`Subscriber`.
    #[wasm_bindgen(js_name = __localSignerHandle, skip_typescript)]
    pub fn local_signer_handle(&self) -> Result<LocalSignerHandle, JsValue> {
        Ok(LocalSignerHandle::new(self.inner.clone()))
    }
}

/// An ML-DSA-87 (FIPS 204) key held in wasm memory (never exported) that signs as the SDK's
/// `ML_DSA_87` identities: deterministic, 4627-byte signatures. The user id is the 2592-byte
/// public key.
#[wasm_bindgen(js_name = MlDsa87Signer)]
pub struct JsMlDsa87Signer {
    inner: Rc<MlDsa87Signer>,
}

#[wasm_bindgen(js_class = MlDsa87Signer)]
impl JsMlDsa87Signer {
    /// A signer from a 32-byte FIPS 204 key-generation seed (as noble's
    /// `ml_dsa87.keygen(seed)`). Throws `INVALID_KEY` for another length.
    #[wasm_bindgen(js_name = fromSeed)]
    pub fn from_seed(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] seed: JsValue,
    ) -> Result<JsMlDsa87Signer, JsValue> {
        let seed = Zeroizing::new(bytes_arg(&seed, "seed")?);
        Ok(JsMlDsa87Signer {
            inner: Rc::new(MlDsa87Signer::from_seed(&seed)?),
        })
    }

    /// A signer from the SDK's 4896-byte expanded secret key. With `publicKey` (the 2592-byte
    /// user id the SDK stores with it) the key must derive exactly that public key. Throws
    /// `INVALID_KEY` for a wrong length, out-of-range coefficients, an inconsistent key or a
    /// key that does not match `publicKey`.
    #[wasm_bindgen(js_name = fromExpandedSecretKey)]
    pub fn from_expanded_secret_key(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array", js_name = secretKey)]
        secret_key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Uint8Array", js_name = publicKey)]
        public_key: JsValue,
    ) -> Result<JsMlDsa87Signer, JsValue> {
        let secret = Zeroizing::new(bytes_arg(&secret_key, "secretKey")?);
        let public = if public_key.is_undefined() || public_key.is_null() {
            None
        } else {
            Some(bytes_arg(&public_key, "publicKey")?)
        };
        Ok(JsMlDsa87Signer {
            inner: Rc::new(MlDsa87Signer::from_expanded_secret_key(
                &secret,
                public.as_deref(),
            )?),
        })
    }

    /// A signer with a fresh random key.
    pub fn generate() -> Result<JsMlDsa87Signer, JsValue> {
        Ok(JsMlDsa87Signer {
            inner: Rc::new(MlDsa87Signer::generate()?),
        })
    }

    /// The user id: `0x` + the public key in lower-case hex (5184 digits).
    #[wasm_bindgen(getter, js_name = userId)]
    pub fn user_id(&self) -> Result<String, JsValue> {
        Ok(self.inner.user_id().to_string())
    }

    /// The 2592-byte public key.
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.public_key().to_vec())
    }

    /// A copy of the 4896-byte expanded secret key (the SDK's `privateKey` format), for
    /// persistence. The copy lives in JS memory and cannot be wiped.
    #[wasm_bindgen(js_name = expandedSecretKey)]
    pub fn expanded_secret_key(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.to_expanded_secret_key().to_vec())
    }

    /// Always `SignatureType.ML_DSA_87`.
    #[wasm_bindgen(getter, js_name = signatureType)]
    pub fn signature_type(&self) -> Result<JsSignatureType, JsValue> {
        Ok(JsSignatureType::ML_DSA_87)
    }

    /// Signs `payload` (pure ML-DSA, empty context, deterministic); returns 4627 bytes.
    pub fn sign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] payload: JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.sign(&bytes_arg(&payload, "payload")?)?)
    }

    /// Internal: a handle for `Publisher`/`Subscriber`.
    #[wasm_bindgen(js_name = __localSignerHandle, skip_typescript)]
    pub fn local_signer_handle(&self) -> Result<LocalSignerHandle, JsValue> {
        Ok(LocalSignerHandle::new(self.inner.clone()))
    }
}
