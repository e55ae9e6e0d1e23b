//! `Publisher`: the sans-IO publisher of one stream partition (see `docs/host-api.md`).

use wasm_bindgen::prelude::*;

use super::config::PublisherConfig;
use super::host_io::{
    bytes_arg, content_type_arg, drain, group_keys_arg, now_ms, opt_group_key_arg, question_id,
    read_answer,
};
use super::signing::signing_arg;
use crate::publisher::Publisher;

/// The publisher of one stream partition: encrypts and signs content, rotates and re-keys
/// group keys, and answers subscribers' key requests after the host confirms their
/// permissions. It does no I/O: every method queues outputs that the host drains with
/// `pollOutputs()` and acts on (see `docs/host-api.md`).
#[wasm_bindgen(js_name = Publisher)]
pub struct JsPublisher {
    inner: Publisher,
}

#[wasm_bindgen(js_class = Publisher)]
impl JsPublisher {
    /// A publisher for `config.streamId` signing as `signer`: an `EvmSigner` or
    /// `MlDsa87Signer` (shared, not consumed), or `{ userId, signatureType }` for a wallet or a
    /// P-256 key (`p256Signer.external`), whose every signature becomes a `sign` question. Throws `INVALID_ARGUMENT` for a bad
    /// config (unknown fields included, `minRsaKeyBits` above 4096) or signer, `ENCRYPTION_POLICY_VIOLATION` for
    /// `encrypt: false` with `requireEncryption: true`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "PublisherConfig")] config: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Signer")] signer: JsValue,
    ) -> Result<JsPublisher, JsValue> {
        let config = PublisherConfig::read(&config)?.into_core();
        let signing = signing_arg(&signer)?;
        Ok(JsPublisher {
            inner: Publisher::new(config, signing)?,
        })
    }

    /// Publishes `content` (UTF-8 JSON or raw bytes, as `contentType` says) at `nowMs`. With
    /// a local signer a `send` output is queued at once; with an external one a `sign`
    /// question comes first, and later publishes wait behind it. Returns the publish id that
    /// an `error` event names if the wallet refuses. The first publish makes the first group
    /// key (a `storeKey` output) unless one was restored. Throws `INVALID_ARGUMENT` for bad
    /// arguments, or when `maxQueuedPublishes` publishes already wait for signatures.
    pub fn publish(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] content: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ContentType", js_name = contentType)]
        content_type: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now: f64,
    ) -> Result<f64, JsValue> {
        let content = bytes_arg(&content, "content")?;
        let content_type = content_type_arg(&content_type)?;
        let now = now_ms(now)?;
        let id = self.inner.publish(content, content_type, now)?;
        // Publish ids count from 1; far below 2^53.
        Ok(id.0 as f64)
    }

    /// Rotation: `key` (or a fresh one) travels, encrypted under the current key, in the next
    /// message, which is still encrypted with the current key; later messages use it.
    /// Subscribers need no key exchange. Queues a `storeKey` output. `key` is a `GroupKey` or
    /// `{ id, data }`; it is copied, not consumed.
    pub fn rotate(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "GroupKey | GroupKeyData | null")]
        key: JsValue,
    ) -> Result<(), JsValue> {
        let key = opt_group_key_arg(&key, "key")?;
        Ok(self.inner.rotate(key)?)
    }

    /// Re-key: `key` (or a fresh one) is used from the next message on and never sent under an
    /// old key, so every subscriber comes back through key exchange and has its permission
    /// checked again (revocation). Queues a `storeKey` output.
    pub fn rekey(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "GroupKey | GroupKeyData | null")]
        key: JsValue,
    ) -> Result<(), JsValue> {
        let key = opt_group_key_arg(&key, "key")?;
        Ok(self.inner.rekey(key)?)
    }

    /// Feeds a StreamMessage seen on the stream partition. Key requests addressed to this
    /// publisher are checked (questions `permission`, maybe `erc1271`), keys it does not hold
    /// are loaded for this stream (`loadKey`), and the request is answered; other messages
    /// are ignored. Undecodable bytes give an `error` event, never a throw. Throws
    /// only `INVALID_ARGUMENT` for arguments of the wrong type.
    #[wasm_bindgen(js_name = handleMessage)]
    pub fn handle_message(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now: f64,
    ) -> Result<(), JsValue> {
        let bytes = bytes_arg(&bytes, "bytes")?;
        let now = now_ms(now)?;
        self.inner.handle_message(&bytes, now);
        Ok(())
    }

    /// The host's answer to the question `questionId` (from an `ask` output). Each question is
    /// answered once. Throws `INVALID_ARGUMENT` for an unknown or already answered id or a
    /// malformed answer.
    pub fn answer(
        &mut self,
        #[wasm_bindgen(js_name = questionId)] question: f64,
        #[wasm_bindgen(unchecked_param_type = "Answer")] answer: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now: f64,
    ) -> Result<(), JsValue> {
        let id = question_id(question)?;
        let answer = read_answer(&answer)?;
        let now = now_ms(now)?;
        Ok(self.inner.answer(id, answer, now)?)
    }

    /// Takes every queued output, oldest first. Call after each input.
    #[wasm_bindgen(js_name = pollOutputs, unchecked_return_type = "Output[]")]
    pub fn poll_outputs(&mut self) -> Result<js_sys::Array, JsValue> {
        drain(|| self.inner.poll_output())
    }

    /// Restores keys from storage after a reload: `latest` (the stream's
    /// `LatestEncryptionKeyIds` entry) becomes the current key; `old` keys are only
    /// remembered so requests for them are still answered. **Only keys of this stream**: any
    /// subscriber of this stream who asks gets them. Older keys need not be restored; the
    /// publisher asks `loadKey` for them when a checked request wants one. Keys are `GroupKey`s
    /// or `{ id, data }`, copied, not consumed. Throws `INVALID_KEY` for a bad key.
    #[wasm_bindgen(js_name = restoreKeys)]
    pub fn restore_keys(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "GroupKey | GroupKeyData | null")]
        latest: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "(GroupKey | GroupKeyData)[]")] old: JsValue,
    ) -> Result<(), JsValue> {
        let latest = opt_group_key_arg(&latest, "latest")?;
        let old = group_keys_arg(&old, "old")?;
        self.inner.restore_keys(latest, old);
        Ok(())
    }

    /// This publisher's user id (`0x` + lower-case hex), the messages' `publisherId`.
    #[wasm_bindgen(getter, js_name = userId)]
    pub fn user_id(&self) -> Result<String, JsValue> {
        Ok(self.inner.user_id().to_string())
    }

    /// The message chain id of the content messages.
    #[wasm_bindgen(getter, js_name = msgChainId)]
    pub fn msg_chain_id(&self) -> Result<String, JsValue> {
        Ok(self.inner.msg_chain_id().to_owned())
    }

    /// Whether content is encrypted; `undefined` until the answer to the public-stream question
    /// (`encryptUnlessPublic`).
    #[wasm_bindgen(getter)]
    pub fn encrypted(&self) -> Option<bool> {
        self.inner.encrypted()
    }

    /// The id of the key content is encrypted with now, or `undefined` before the first key.
    #[wasm_bindgen(getter, js_name = currentKeyId)]
    pub fn current_key_id(&self) -> Result<Option<String>, JsValue> {
        Ok(self.inner.current_key().map(|k| k.id().to_owned()))
    }

    /// How many group keys this publisher can hand out (current, queued and old).
    #[wasm_bindgen(getter, js_name = knownKeys)]
    pub fn known_keys(&self) -> Result<u32, JsValue> {
        Ok(u32::try_from(self.inner.known_keys()).unwrap_or(u32::MAX))
    }

    /// Forgets every cached permission answer: the next key request is checked again (the
    /// registry cache too). `rekey` does this itself.
    #[wasm_bindgen(js_name = invalidatePermissions)]
    pub fn invalidate_permissions(&mut self) -> Result<(), JsValue> {
        self.inner.invalidate_permissions();
        Ok(())
    }

    /// Sends the new keys not yet handed to the `custodians` now (a `send` output per
    /// custodian; a `sign` question each with a wallet). Publishing does it before the first
    /// message that uses a key; call it before closing, so a rotation or rekey reaches them.
    #[wasm_bindgen(js_name = flushHandOff)]
    pub fn flush_hand_off(
        &mut self,
        #[wasm_bindgen(js_name = nowMs)] now: f64,
    ) -> Result<(), JsValue> {
        self.inner.flush_hand_off(now_ms(now)?);
        Ok(())
    }

    /// Key requests in progress: waiting for permission answers or for their keys to load.
    #[wasm_bindgen(getter, js_name = pendingKeyRequests)]
    pub fn pending_key_requests(&self) -> Result<u32, JsValue> {
        Ok(u32::try_from(self.inner.pending_key_requests()).unwrap_or(u32::MAX))
    }
}
