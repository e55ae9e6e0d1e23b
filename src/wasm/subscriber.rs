//! `Subscriber`: the sans-IO subscriber of one stream partition (see `docs/host-api.md`).

use wasm_bindgen::prelude::*;

use super::fields;
use super::host_io::{
    bytes_arg, check_config, drain, group_key_arg, now_ms, question_id, read_answer, string_arg,
    user_id_arg,
};
use super::key_exchange::key_exchange_arg;
use super::signing::signing_arg;
use crate::error::Result as CoreResult;
use crate::subscriber::{Subscriber, SubscriberConfig};
use crate::wire::format::Formats;

const CONFIG_FIELDS: &[&str] = &[
    "permissionSource",
    "maxChains",
    "maxKeys",
    "registryCacheTtlMs",
    "registryCacheMaxEntries",
    "streamId",
    "partition",
    "keyRequestTimeout",
    "keyRequestRetries",
    "keyRequestRetryBaseMs",
    "maxKeyRequestsPerSecond",
    "maxKeyFetches",
    "maxHeldMessages",
    "maxHeldPerChain",
    "gapTimeoutMs",
    "permissionCacheTtlMs",
    "permissionRetryMs",
    "requireQuantumResistantSignatures",
    "requireEncryption",
    "maxMessageBytes",
    "maxClockSkewMs",
    "strictFormats",
    "replayMemoryPerPublisher",
    "replayMemoryPublishers",
    "maxUnverifiedMessages",
    "maxUnverifiedPerPublisher",
    "acceptCustodianResponses",
];

fn read_config(obj: &JsValue) -> CoreResult<SubscriberConfig> {
    check_config(obj, "subscriber config", CONFIG_FIELDS)?;
    let mut c = SubscriberConfig::new(fields::string(obj, "streamId")?);
    if let Some(v) = fields::opt_u32(obj, "partition")? {
        c.partition = v;
    }
    if let Some(v) = fields::opt_u64(obj, "keyRequestTimeout")? {
        c.key_request_timeout_ms = v;
    }
    if let Some(v) = fields::opt_u32(obj, "keyRequestRetries")? {
        c.key_request_retries = v;
    }
    if let Some(v) = fields::opt_u64(obj, "keyRequestRetryBaseMs")? {
        c.key_request_retry_base_ms = v;
    }
    if let Some(v) = fields::opt_u32(obj, "maxKeyRequestsPerSecond")? {
        c.max_key_requests_per_second = v;
    }
    if let Some(v) = fields::opt_usize(obj, "maxKeyFetches")? {
        c.max_key_fetches = v;
    }
    if let Some(v) = fields::opt_usize(obj, "maxHeldMessages")? {
        c.max_held_messages = v;
    }
    if let Some(v) = fields::opt_usize(obj, "maxHeldPerChain")? {
        c.max_held_per_chain = v;
    }
    if let Some(v) = fields::opt_u64(obj, "gapTimeoutMs")? {
        c.gap_timeout_ms = v;
    }
    if let Some(v) = fields::opt_u64(obj, "permissionCacheTtlMs")? {
        c.permission_cache_ttl_ms = v;
    }
    if let Some(v) = fields::opt_u64(obj, "permissionRetryMs")? {
        c.permission_retry_ms = v;
    }
    if let Some(v) = fields::opt_bool(obj, "requireQuantumResistantSignatures")? {
        c.require_quantum_resistant_signatures = v;
    }
    if let Some(v) = fields::opt_bool(obj, "requireEncryption")? {
        c.require_encryption = v;
    }
    if let Some(v) = fields::opt_usize(obj, "maxChains")? {
        c.max_chains = v;
    }
    if let Some(v) = fields::opt_usize(obj, "maxKeys")? {
        c.max_keys = v;
    }
    if let Some(v) = fields::opt_usize(obj, "maxMessageBytes")? {
        c.max_message_bytes = v;
    }
    if let Some(v) = fields::opt_u64(obj, "maxClockSkewMs")? {
        c.max_clock_skew_ms = v;
    }
    if let Some(strict) = fields::opt_bool(obj, "strictFormats")? {
        c.formats = if strict { Formats::Sdk } else { Formats::Any };
    }
    if let Some(v) = fields::opt_usize(obj, "replayMemoryPerPublisher")? {
        c.replay_memory_per_publisher = v;
    }
    if let Some(v) = fields::opt_usize(obj, "replayMemoryPublishers")? {
        c.replay_memory_publishers = v;
    }
    if let Some(v) = fields::opt_usize(obj, "maxUnverifiedMessages")? {
        c.max_unverified_messages = v;
    }
    if let Some(v) = fields::opt_usize(obj, "maxUnverifiedPerPublisher")? {
        c.max_unverified_per_publisher = v;
    }
    if let Some(v) = fields::opt_bool(obj, "acceptCustodianResponses")? {
        c.accept_custodian_responses = v;
    }
    c.permissions = super::host_io::read_permission_source(obj)?;
    Ok(c)
}

/// The subscriber of one stream partition: verifies every message, decrypts with the keys it
/// has, asks publishers for the keys it lacks (key exchange), retries and times out, and
/// delivers each publisher chain's messages once and in order. It does no I/O: every method
/// queues outputs that the host drains with `pollOutputs()`, and `pollTimeout()` says when to
/// call `handleTimeout` (see `docs/host-api.md`).
#[wasm_bindgen(js_name = Subscriber)]
pub struct JsSubscriber {
    inner: Subscriber,
}

#[wasm_bindgen(js_class = Subscriber)]
impl JsSubscriber {
    /// A subscriber for `config.streamId` that signs its key requests as `signer` (a local
    /// signer class, shared, or `{ userId, signatureType }` for a wallet) and receives keys
    /// with `keyExchange`: an `MlKemKeyPair` or `RsaKeyPair` (shared), or `{ encryptionType,
    /// publicKey }` when the host keeps the private key (WebCrypto RSA): each unwrap is then
    /// an `unwrapGroupKey` question. `nowMs` starts its clock. Throws `INVALID_ARGUMENT` for
    /// a bad config (unknown fields included), signer or key exchange, `INVALID_KEY` for an
    /// external public key that does not parse, `SIGNATURE_POLICY_VIOLATION` for
    /// `requireQuantumResistantSignatures` with a non-ML-DSA-87 signer.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SubscriberConfig")] config: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Signer")] signer: JsValue,
        #[wasm_bindgen(unchecked_param_type = "KeyExchange", js_name = keyExchange)]
        key_exchange: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now: f64,
    ) -> Result<JsSubscriber, JsValue> {
        let config = read_config(&config)?;
        let signing = signing_arg(&signer)?;
        let key_exchange = key_exchange_arg(&key_exchange)?;
        let now = now_ms(now)?;
        Ok(JsSubscriber {
            inner: Subscriber::new(config, signing, key_exchange, now)?,
        })
    }

    /// Feeds a StreamMessage seen on the stream partition: content is checked (id forms and
    /// bounds, clock skew, signature, replays), then delivered, held (waiting for a key, a
    /// check or a predecessor) or dropped with an `error` event; a missing key is first asked
    /// of the host's key store (`loadKey`), then of its publisher; key responses for this
    /// subscriber are checked and unwrapped. Bad bytes give an `error` event, never a throw.
    /// Throws only `INVALID_ARGUMENT` for arguments of the wrong type.
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

    /// Advances the clock to `nowMs`: gap timeouts, key-request retries and timeouts, failed
    /// permission checks to ask again. Call it at (or after) the time `pollTimeout()` gave.
    #[wasm_bindgen(js_name = handleTimeout)]
    pub fn handle_timeout(
        &mut self,
        #[wasm_bindgen(js_name = nowMs)] now: f64,
    ) -> Result<(), JsValue> {
        let now = now_ms(now)?;
        self.inner.handle_timeout(now);
        Ok(())
    }

    /// When (Unix ms) to call `handleTimeout` next, or `undefined` if nothing waits on time.
    /// Ask again after every input: it changes.
    #[wasm_bindgen(js_name = pollTimeout)]
    pub fn poll_timeout(&mut self) -> Result<Option<f64>, JsValue> {
        // Times are Unix ms, far below 2^53.
        Ok(self.inner.poll_timeout().map(|t| t as f64))
    }

    /// Takes every queued output, oldest first. Call after each input.
    #[wasm_bindgen(js_name = pollOutputs, unchecked_return_type = "Output[]")]
    pub fn poll_outputs(&mut self) -> Result<js_sys::Array, JsValue> {
        drain(|| self.inner.poll_output())
    }

    /// Adds a key the app already has for `publisherId` (configured explicitly); held
    /// messages waiting for it move on. A key already held under that id is kept (keys are
    /// never overwritten). Keys in the host's store need no `addKey`: the subscriber asks for
    /// them (`loadKey`). `key` is a `GroupKey` or `{ id, data }`, copied, not consumed.
    /// Throws `INVALID_ARGUMENT` for a bad id, `INVALID_KEY` for a bad key.
    #[wasm_bindgen(js_name = addKey)]
    pub fn add_key(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string", js_name = publisherId)]
        publisher_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "GroupKey | GroupKeyData")] key: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now: f64,
    ) -> Result<(), JsValue> {
        let publisher = user_id_arg(&publisher_id, "publisherId")?;
        let key = group_key_arg(&key, "key")?;
        let now = now_ms(now)?;
        self.inner.add_key(publisher, key, now);
        Ok(())
    }

    /// Whether the key `keyId` of `publisherId` is known.
    #[wasm_bindgen(js_name = hasKey)]
    pub fn has_key(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string", js_name = publisherId)]
        publisher_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string", js_name = keyId)] key_id: JsValue,
    ) -> Result<bool, JsValue> {
        let publisher = user_id_arg(&publisher_id, "publisherId")?;
        let key_id = string_arg(&key_id, "keyId")?;
        Ok(self.inner.has_key(&publisher, &key_id))
    }

    /// This subscriber's user id (`0x` + lower-case hex), the key requests' `publisherId`.
    #[wasm_bindgen(getter, js_name = userId)]
    pub fn user_id(&self) -> Result<String, JsValue> {
        Ok(self.inner.user_id().to_string())
    }

    /// Counters: delivered, duplicates, dropped, key requests sent, keys learned.
    #[wasm_bindgen(getter, unchecked_return_type = "SubscriberStats")]
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        let s = self.inner.stats();
        let n = |v: u64| fields::timestamp(v);
        fields::object(&[
            ("delivered", n(s.delivered)),
            ("duplicates", n(s.duplicates)),
            ("dropped", n(s.dropped)),
            ("keyRequestsSent", n(s.key_requests_sent)),
            ("keysLearned", n(s.keys_learned)),
        ])
    }

    /// Messages held back right now (waiting for a key, a predecessor, or the checks of an
    /// ERC-1271 signature).
    #[wasm_bindgen(getter, js_name = heldMessages)]
    pub fn held_messages(&self) -> Result<u32, JsValue> {
        Ok(u32::try_from(self.inner.held_messages()).unwrap_or(u32::MAX))
    }

    /// Whether to hold further `handleMessage` input until questions are answered: the messages
    /// waiting for a host verdict on their signature (ERC-1271, P-256) fill half their bound.
    /// A host that holds input while this is true loses nothing to a burst; input given anyway
    /// is taken up to the bound and dropped `OVERLOADED` past it.
    #[wasm_bindgen(getter, js_name = inputBacklogged)]
    pub fn input_backlogged(&self) -> Result<bool, JsValue> {
        Ok(self.inner.input_backlogged())
    }

    /// Forgets cached answers about publishers' PUBLISH permission (and the registry cache):
    /// each publisher's next message is checked again.
    #[wasm_bindgen(js_name = invalidatePermissions)]
    pub fn invalidate_permissions(&mut self) -> Result<(), JsValue> {
        self.inner.invalidate_permissions();
        Ok(())
    }

    /// Keys being fetched right now.
    #[wasm_bindgen(getter, js_name = pendingKeyFetches)]
    pub fn pending_key_fetches(&self) -> Result<u32, JsValue> {
        Ok(u32::try_from(self.inner.pending_key_fetches()).unwrap_or(u32::MAX))
    }
}
