//! `Subscriber`: the sans-IO subscriber of one stream partition (see `docs/host-api.md`).

use wasm_bindgen::prelude::*;

use super::config::{PermissionSourceName, formats, js_config, permission_source, set};
use super::enums::AsymmetricEncryptionType as JsAsymmetricEncryptionType;
use super::fields;
use super::host_io::{
    bytes_arg, drain, group_key_arg, now_ms, question_id, read_answer, string_arg, user_id_arg,
};
use super::key_exchange::key_exchange_arg;
use super::signing::signing_arg;
use crate::subscriber::{
    Subscriber, SubscriberConfig as CoreSubscriberConfig, key_exchange_algorithm as algorithm,
};
use crate::wire::AsymmetricEncryptionType;

/// The key-exchange algorithm to make a subscriber's key pair for: `requested`, ML-KEM by
/// default. Throws `ENCRYPTION_POLICY_VIOLATION` for RSA with `requireQuantumResistant` (the
/// `Subscriber` refuses such a key pair too).
#[wasm_bindgen(js_name = keyExchangeAlgorithm)]
pub fn key_exchange_algorithm(
    requested: Option<JsAsymmetricEncryptionType>,
    #[wasm_bindgen(js_name = requireQuantumResistant)] require_quantum_resistant: bool,
) -> Result<JsAsymmetricEncryptionType, JsValue> {
    let requested = requested.map(|t| match t {
        JsAsymmetricEncryptionType::ML_KEM => AsymmetricEncryptionType::MlKem,
        JsAsymmetricEncryptionType::RSA => AsymmetricEncryptionType::Rsa,
    });
    Ok(algorithm(requested, require_quantum_resistant)?.into())
}

js_config!(
    /// {@link Subscriber} settings; omitted fields take the defaults shown. Unknown fields throw.
    SubscriberConfig ("subscriber config") {
        stream_id "streamId": String,
        /// Default 0.
        #[tsify(optional)]
        partition "partition": Option<u32>,
        /// The SDK's `keyRequestTimeout` (ms): give up on a key this long after first asking (default 30000).
        #[tsify(optional)]
        key_request_timeout "keyRequestTimeout": Option<u64>,
        /// Requests after the first within the timeout (default 3; the SDK never retries).
        #[tsify(optional)]
        key_request_retries "keyRequestRetries": Option<u32>,
        /// Wait before the first retry, doubling each time (default 2000 ms).
        #[tsify(optional)]
        key_request_retry_base_ms "keyRequestRetryBaseMs": Option<u64>,
        /// The SDK's `maxKeyRequestsPerSecond` (default 20).
        #[tsify(optional)]
        max_key_requests_per_second "maxKeyRequestsPerSecond": Option<u32>,
        /// Keys fetched at once, `loadKey` questions included (default 1000); more are dropped `OVERLOADED`.
        #[tsify(optional)]
        max_key_fetches "maxKeyFetches": Option<usize>,
        /// Messages held across all chains (default 10000); more are dropped `BUFFER_OVERFLOW`.
        #[tsify(optional)]
        max_held_messages "maxHeldMessages": Option<usize>,
        /// Messages held in one chain (default 1000).
        #[tsify(optional)]
        max_held_per_chain "maxHeldPerChain": Option<usize>,
        /// How long a message waits for a missing predecessor (default 5000 ms; then `MESSAGE_GAP`).
        #[tsify(optional)]
        gap_timeout_ms "gapTimeoutMs": Option<u64>,
        /// How long a publisher's PUBLISH answer is trusted (default 300000 ms).
        #[tsify(optional)]
        permission_cache_ttl_ms "permissionCacheTtlMs": Option<u64>,
        /// Ask again after a failed permission question after this long (default 5000 ms).
        #[tsify(optional)]
        permission_retry_ms "permissionRetryMs": Option<u64>,
        /// Accept only ML-DSA-87 content; the signer must be ML-DSA-87 too (default false).
        #[tsify(optional)]
        require_quantum_resistant_signatures "requireQuantumResistantSignatures": Option<bool>,
        /// Drop unencrypted content with `ENCRYPTION_POLICY_VIOLATION` (default false: the SDK accepts
        /// it). `encryptionType` is unsigned, so this stops a relabelled message on an encrypted stream.
        /// Without it, unencrypted content is still dropped in a chain that delivered encrypted content.
        #[tsify(optional)]
        require_encryption "requireEncryption": Option<bool>,
        /// Receive keys with ML-KEM only: a key exchange that is not ML-KEM throws
        /// `ENCRYPTION_POLICY_VIOLATION` (default false; {@link keyExchangeAlgorithm}).
        #[tsify(optional)]
        require_quantum_resistant_key_exchange "requireQuantumResistantKeyExchange": Option<bool>,
        /// Largest StreamMessage accepted (default 1048576).
        #[tsify(optional)]
        max_message_bytes "maxMessageBytes": Option<usize>,
        /// (publisher, chain) pairs remembered for order and duplicates (default 10000).
        #[tsify(optional)]
        max_chains "maxChains": Option<usize>,
        /// Group keys remembered, oldest forgotten first (default 10000).
        #[tsify(optional)]
        max_keys "maxKeys": Option<usize>,
        /// Where permission answers come from: `'host'` (default) asks `permission` / `erc1271`
        /// questions; `'registry'` asks for raw `eth_call`s (`registryCall` / `contractCall`) whose
        /// results the core decodes and caches.
        #[tsify(optional)]
        permission_source "permissionSource": Option<PermissionSourceName>,
        /// Registry mode: how long an answer is believed (default 300000 ms; the SDK uses 24 h).
        #[tsify(optional)]
        registry_cache_ttl_ms "registryCacheTtlMs": Option<u64>,
        /// Registry mode: answers kept (default 10000).
        #[tsify(optional)]
        registry_cache_max_entries "registryCacheMaxEntries": Option<usize>,
        /// Content and key responses timestamped more than this ahead of `nowMs` are dropped
        /// `TIMESTAMP_OUT_OF_RANGE` (default 600000 ms): a forgery that moves sequence digits into the
        /// timestamp, or a publisher with a badly wrong clock.
        #[tsify(optional)]
        max_clock_skew_ms "maxClockSkewMs": Option<u64>,
        /// Accept only the id forms `@streamr/sdk` produces (default true): a 20-character alphanumeric
        /// `msgChainId`, `<uuid>-GroupKey<n>` key ids, uuid request ids, 13-digit timestamps. These pin
        /// the field boundaries a re-split forgery would move. `false` accepts other producers' ids;
        /// ids longer than 256 characters and more than 16 key ids are refused either way.
        #[tsify(optional)]
        strict_formats "strictFormats": Option<bool>,
        /// Signatures remembered per publisher to refuse replays and re-splits, `REPLAYED_MESSAGE` (default 1000).
        #[tsify(optional)]
        replay_memory_per_publisher "replayMemoryPerPublisher": Option<usize>,
        /// Publishers whose signatures are remembered, first seen forgotten first (default 1000).
        #[tsify(optional)]
        replay_memory_publishers "replayMemoryPublishers": Option<usize>,
        /// ERC-1271 content waiting for its PUBLISH and contract checks, all publishers (default 256); more are dropped `OVERLOADED`.
        #[tsify(optional)]
        max_unverified_messages "maxUnverifiedMessages": Option<usize>,
        /// The same, per publisher (default 64).
        #[tsify(optional)]
        max_unverified_per_publisher "maxUnverifiedPerPublisher": Option<usize>,
        /// Take a key response signed by someone other than the publisher asked (a custodian under
        /// its own identity), as the SDK does: addressed to us, pending, the responder holding
        /// PUBLISH; the key is stored under the publisher asked. Default false (SECURITY.md).
        #[tsify(optional)]
        accept_custodian_responses "acceptCustodianResponses": Option<bool>,
    }
);

impl SubscriberConfig {
    /// The core's configuration: the fields given over `SubscriberConfig::new`'s defaults.
    fn into_core(self) -> CoreSubscriberConfig {
        let mut c = CoreSubscriberConfig::new(self.stream_id);
        set(&mut c.key_request_timeout_ms, self.key_request_timeout);
        set(
            &mut c.key_request_retry_base_ms,
            self.key_request_retry_base_ms,
        );
        set(&mut c.gap_timeout_ms, self.gap_timeout_ms);
        set(&mut c.permission_cache_ttl_ms, self.permission_cache_ttl_ms);
        set(&mut c.permission_retry_ms, self.permission_retry_ms);
        set(&mut c.max_clock_skew_ms, self.max_clock_skew_ms);
        set(&mut c.max_key_fetches, self.max_key_fetches);
        set(&mut c.max_held_messages, self.max_held_messages);
        set(&mut c.max_held_per_chain, self.max_held_per_chain);
        set(&mut c.max_chains, self.max_chains);
        set(&mut c.max_keys, self.max_keys);
        set(&mut c.max_message_bytes, self.max_message_bytes);
        set(
            &mut c.replay_memory_per_publisher,
            self.replay_memory_per_publisher,
        );
        set(
            &mut c.replay_memory_publishers,
            self.replay_memory_publishers,
        );
        set(&mut c.max_unverified_messages, self.max_unverified_messages);
        set(
            &mut c.max_unverified_per_publisher,
            self.max_unverified_per_publisher,
        );
        set(
            &mut c.require_quantum_resistant_signatures,
            self.require_quantum_resistant_signatures,
        );
        set(&mut c.require_encryption, self.require_encryption);
        set(
            &mut c.require_quantum_resistant_key_exchange,
            self.require_quantum_resistant_key_exchange,
        );
        set(
            &mut c.accept_custodian_responses,
            self.accept_custodian_responses,
        );
        set(&mut c.partition, self.partition);
        set(&mut c.key_request_retries, self.key_request_retries);
        set(
            &mut c.max_key_requests_per_second,
            self.max_key_requests_per_second,
        );
        if let Some(v) = formats(self.strict_formats) {
            c.formats = v;
        }
        c.permissions = permission_source(
            self.permission_source,
            self.registry_cache_ttl_ms,
            self.registry_cache_max_entries,
        );
        c
    }
}

/// The subscriber of one stream partition: verifies every message, decrypts with the keys it
/// has, asks publishers for the keys it lacks (key exchange), retries and times out, and
/// delivers each publisher chain's messages once and in order. It does no I/O: every method
/// queues outputs that the host drains with `pollOutputs()`, and `pollTimeout()` says when to
/// call `handleTimeout` (see `docs/host-api.md`).
#[wasm_bindgen(js_name = Subscriber)]
pub struct JsSubscriber {
    pub(super) inner: Subscriber,
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
        let config = SubscriberConfig::read(&config)?.into_core();
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
