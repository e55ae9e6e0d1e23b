//! EVM identities: `EvmSigner` (a secp256k1 key held in wasm memory that signs like
//! `personal_sign`) and `recoverEvmAddress` (docs/wire.md §4).

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::enums::SignatureType as JsSignatureType;
use super::signing::LocalSignerHandle;
use crate::identity::evm::{self, EvmSigner};
use crate::identity::{LocalSigner, PausableSigner};
use crate::user_id::UserId;

/// A secp256k1 private key held in wasm memory (never exported) that signs payloads as
/// EIP-191 `personal_sign` does: 65 bytes `r ‖ s ‖ v`, v = 27 or 28, deterministic. A
/// `Publisher` or `Subscriber` given it shares the key; this object stays usable. The host
/// can `pause()` it (the machines sharing it then ask `sign` questions) and `wipe()` it.
#[wasm_bindgen(js_name = EvmSigner)]
pub struct JsEvmSigner {
    inner: Rc<PausableSigner<EvmSigner>>,
}

#[wasm_bindgen(js_class = EvmSigner)]
impl JsEvmSigner {
    /// A signer from a 32-byte private key. Throws `INVALID_KEY` if it is not a valid
    /// secp256k1 scalar.
    #[wasm_bindgen(js_name = fromPrivateKey)]
    pub fn from_private_key(bytes: Vec<u8>) -> Result<JsEvmSigner, JsValue> {
        let bytes = Zeroizing::new(bytes);
        Ok(JsEvmSigner {
            inner: Rc::new(PausableSigner::new(EvmSigner::from_private_key(&bytes)?)),
        })
    }

    /// A signer with a fresh random key.
    pub fn generate() -> Result<JsEvmSigner, JsValue> {
        Ok(JsEvmSigner {
            inner: Rc::new(PausableSigner::new(EvmSigner::generate()?)),
        })
    }

    /// The address: `0x` + 40 lower-case hex digits (the SDK's user id form).
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> Result<String, JsValue> {
        Ok(LocalSigner::user_id(&*self.inner).to_string())
    }

    /// The user id, the same as `address`.
    #[wasm_bindgen(getter, js_name = userId)]
    pub fn user_id(&self) -> Result<String, JsValue> {
        Ok(LocalSigner::user_id(&*self.inner).to_string())
    }

    /// Always `SignatureType.ECDSA_SECP256K1_EVM`.
    #[wasm_bindgen(getter, js_name = signatureType)]
    pub fn signature_type(&self) -> Result<JsSignatureType, JsValue> {
        Ok(JsSignatureType::ECDSA_SECP256K1_EVM)
    }

    /// Signs `payload` (EIP-191 prefix added here, as `personal_sign` does); returns the
    /// 65-byte signature. Signs while paused too (the host answers `sign` questions with it);
    /// throws `INVALID_KEY` once wiped.
    pub fn sign(&self, payload: &[u8]) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.sign(payload)?)
    }

    /// Pauses the key for the `Publisher`s and `Subscriber`s that share it: each signature
    /// they need becomes a `sign` question (later publishes wait behind it, in order) until
    /// `resume()`. For a key whose right to sign lapsed, e.g. a session key whose registry
    /// grant expired (`SessionSigner`).
    pub fn pause(&self) -> Result<(), JsValue> {
        self.inner.pause();
        Ok(())
    }

    /// The machines sign with the key again (a wiped key stays paused).
    pub fn resume(&self) -> Result<(), JsValue> {
        self.inner.resume();
        Ok(())
    }

    /// Whether the key is paused (or wiped).
    #[wasm_bindgen(getter)]
    pub fn paused(&self) -> Result<bool, JsValue> {
        Ok(self.inner.is_paused())
    }

    /// Wipes the key from wasm memory for this object and every machine sharing it, at once;
    /// the address stays readable. Then nothing signs with it.
    pub fn wipe(&self) -> Result<(), JsValue> {
        self.inner.wipe();
        Ok(())
    }

    /// Internal: a handle for `Publisher`/`Subscriber`.
    #[wasm_bindgen(js_name = __localSignerHandle, skip_typescript)]
    pub fn local_signer_handle(&self) -> Result<LocalSignerHandle, JsValue> {
        Ok(LocalSignerHandle::new(self.inner.clone()))
    }
}

impl JsEvmSigner {
    /// The core signer.
    pub(crate) fn inner(&self) -> &PausableSigner<EvmSigner> {
        &self.inner
    }
}

/// Recovers the address (`0x` + lower-case hex) that made an EIP-191 `signature` over
/// `payload`. Throws `INVALID_SIGNATURE` if the signature is not 65 bytes, v is not 27 or
/// 28, or no key recovers from it. Compare the result with the expected signer yourself.
#[wasm_bindgen(js_name = recoverEvmAddress)]
pub fn recover_evm_address(payload: &[u8], signature: &[u8]) -> Result<String, JsValue> {
    Ok(UserId::from(evm::recover_address(payload, signature)?).to_string())
}
