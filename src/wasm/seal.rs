//! `SealingKey`: AES-256-GCM sealing of key-store values at rest (`src/cipher/seal.rs`,
//! docs/key-store.md). The key stays in wasm memory; `free()` wipes it.

use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::host_io::bytes_arg;
use crate::cipher::seal;

/// An AES-256-GCM key for sealing stored group keys. Values are `nonce ‖ ct ‖ tag`, bound to
/// associated data (the entry's lookup key).
#[wasm_bindgen(js_name = SealingKey)]
pub struct JsSealingKey {
    inner: seal::SealingKey,
}

#[wasm_bindgen(js_class = SealingKey)]
impl JsSealingKey {
    /// A key from 32 bytes (e.g. PBKDF2-SHA-256 output). Throws `INVALID_KEY` for another length.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] key: JsValue,
    ) -> Result<JsSealingKey, JsValue> {
        let key = Zeroizing::new(bytes_arg(&key, "key")?);
        Ok(JsSealingKey {
            inner: seal::SealingKey::from_bytes(&key)?,
        })
    }

    /// `HKDF-SHA-256(ikm = signature, salt, info = "streamr-e2ee key store sealing key v1")`.
    /// Throws `INVALID_ARGUMENT` for an empty signature or a salt under 16 bytes.
    #[wasm_bindgen(js_name = fromSignature)]
    pub fn from_signature(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] signature: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] salt: JsValue,
    ) -> Result<JsSealingKey, JsValue> {
        let signature = Zeroizing::new(bytes_arg(&signature, "signature")?);
        let salt = bytes_arg(&salt, "salt")?;
        Ok(JsSealingKey {
            inner: seal::SealingKey::from_signature(&signature, &salt)?,
        })
    }

    /// Seals `plaintext` bound to `aad`, with a fresh random nonce.
    pub fn seal(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] plaintext: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] aad: JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        let plaintext = Zeroizing::new(bytes_arg(&plaintext, "plaintext")?);
        let aad = bytes_arg(&aad, "aad")?;
        Ok(self.inner.seal(&plaintext, &aad)?)
    }

    /// Opens a sealed value with the same `aad`. Throws `DECRYPT_ERROR` for anything that
    /// does not authenticate (a wrong key, another entry's value, tampering).
    pub fn open(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] sealed: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] aad: JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        let sealed = bytes_arg(&sealed, "sealed")?;
        let aad = bytes_arg(&aad, "aad")?;
        // The copy handed to JS cannot be wiped; the one in wasm memory is.
        Ok(self.inner.open(&sealed, &aad)?.to_vec())
    }
}
