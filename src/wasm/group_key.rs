//! Group keys and AES-256-CTR: `GroupKey`, `encryptWithAES`/`decryptWithAES` and the
//! rotation helpers `encryptNextGroupKey`/`decryptNextGroupKey` (docs/wire.md §5, §6).

use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::fields;
use crate::cipher::{GroupKey, aes_ctr};
use crate::error::Result as CoreResult;
use crate::wire::EncryptedGroupKey;

/// An AES-256 group key with its id. The key bytes stay in wasm memory until read
/// with `data`.
#[wasm_bindgen(js_name = GroupKey)]
pub struct JsGroupKey {
    inner: GroupKey,
}

#[wasm_bindgen(js_class = GroupKey)]
impl JsGroupKey {
    /// A key from its id and exactly 32 bytes. Throws `INVALID_KEY` for another length, an
    /// empty id, an id over 256 bytes or one containing `---BEGIN`.
    #[wasm_bindgen(constructor)]
    pub fn new(id: String, data: Vec<u8>) -> Result<JsGroupKey, JsValue> {
        let data = Zeroizing::new(data);
        Ok(JsGroupKey {
            inner: GroupKey::new(id, &data)?,
        })
    }

    /// A fresh random key with an id in the SDK's form `<uuid v4>-GroupKey<n>`.
    pub fn generate() -> Result<JsGroupKey, JsValue> {
        Ok(JsGroupKey {
            inner: GroupKey::generate()?,
        })
    }

    /// The key id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> Result<String, JsValue> {
        Ok(self.inner.id().to_owned())
    }

    /// A copy of the 32 secret key bytes, for persistence or backup. The copy lives in JS
    /// memory and cannot be wiped: read it only when needed.
    #[wasm_bindgen(getter)]
    pub fn data(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.expose_secret().to_vec())
    }
}

impl From<GroupKey> for JsGroupKey {
    fn from(inner: GroupKey) -> Self {
        JsGroupKey { inner }
    }
}

fn aes_key(key: &[u8]) -> CoreResult<Zeroizing<[u8; aes_ctr::KEY_LEN]>> {
    aes_ctr::key_from_slice(key)
}

/// `EncryptionUtil.encryptWithAES`: AES-256-CTR under the 32-byte `key` with a fresh random
/// IV; returns `iv ‖ ciphertext` (16 + data.length bytes). Throws `INVALID_KEY` for a key
/// of another length.
#[wasm_bindgen(js_name = encryptWithAES)]
pub fn encrypt_with_aes(data: &[u8], key: Vec<u8>) -> Result<Vec<u8>, JsValue> {
    let key = aes_key(&Zeroizing::new(key))?;
    Ok(aes_ctr::encrypt(&key, data)?)
}

/// `EncryptionUtil.decryptWithAES`: decrypts `iv ‖ ciphertext` under the 32-byte `key`.
/// Throws `INVALID_KEY` for a key of another length and `DECRYPT_ERROR` for input shorter
/// than the 16-byte IV. CTR has no tag: a wrong key gives garbage, not an error.
#[wasm_bindgen(js_name = decryptWithAES)]
pub fn decrypt_with_aes(cipher: &[u8], key: Vec<u8>) -> Result<Vec<u8>, JsValue> {
    let key = aes_key(&Zeroizing::new(key))?;
    Ok(aes_ctr::decrypt(&key, cipher)?)
}

/// `GroupKey.encryptNextGroupKey`: `next` encrypted under `current` for rotation, as the
/// `newGroupKey` of a content message: `{ id: next.id, data: iv ‖ ct }` (48 bytes).
#[wasm_bindgen(js_name = encryptNextGroupKey, unchecked_return_type = "EncryptedGroupKey")]
pub fn encrypt_next_group_key(current: &JsGroupKey, next: &JsGroupKey) -> Result<JsValue, JsValue> {
    encrypted_group_key(&current.inner.encrypt_next(&next.inner)?)
}

/// `GroupKey.decryptNextGroupKey`: recovers the next key from a `newGroupKey` made under
/// `current`. Throws `DECRYPT_ERROR` unless `data` is 48 bytes, `INVALID_KEY` for a bad id
/// and `INVALID_ARGUMENT` if `encrypted` is not `{ id: string, data: Uint8Array }`.
#[wasm_bindgen(js_name = decryptNextGroupKey)]
pub fn decrypt_next_group_key(
    current: &JsGroupKey,
    #[wasm_bindgen(unchecked_param_type = "EncryptedGroupKey")] encrypted: JsValue,
) -> Result<JsGroupKey, JsValue> {
    let encrypted = read_encrypted_group_key(&encrypted)?;
    Ok(JsGroupKey {
        inner: current.inner.decrypt_next(&encrypted)?,
    })
}

/// `{ id, data }` as a plain JS object.
pub(crate) fn encrypted_group_key(k: &EncryptedGroupKey) -> Result<JsValue, JsValue> {
    fields::object(&[
        ("id", JsValue::from_str(&k.id)),
        ("data", fields::uint8_array(&k.data)),
    ])
}

/// Reads a JS `{ id: string, data: Uint8Array }` object.
pub(crate) fn read_encrypted_group_key(obj: &JsValue) -> CoreResult<EncryptedGroupKey> {
    Ok(EncryptedGroupKey {
        id: fields::string(obj, "id")?,
        data: fields::bytes(obj, "data")?,
    })
}
