//! The configuration objects of `Publisher`, `Subscriber` and `Custodian`.
//!
//! One declaration per object gives the reader, the list of known fields (a misspelt option
//! throws instead of silently taking a default) and the TypeScript interface (tsify, with the
//! field comments as TSDoc; `ts/api/types.ts` builds its options from these). Omitted fields
//! take the core's defaults (`PublisherConfig::new`, …), so the defaults live in one place.
//!
//! Not serde-wasm-bindgen: reading these three objects with it cost +56,460 bytes raw and
//! +19,887 brotli of the browser module (602,645 -> 659,105; 194,476 -> 214,363, over the
//! 200 KB goal): its type errors print JS numbers with Rust's float formatting (flt2dec), and
//! `serde_path_to_error` (the field's name in every error) and the derived visitors come on
//! top. tsify reads the serde attributes (`rename`) for the TypeScript only: no serde code is
//! compiled into the module.

use tsify::Tsify;
use wasm_bindgen::JsValue;

use super::error::invalid_argument;
use super::fields;
use crate::custodian::identity;
use crate::error::Result as CoreResult;
use crate::permissions::PermissionSource;
use crate::publisher::PublisherConfig as CorePublisherConfig;
use crate::registry::OracleConfig;
use crate::wire::format::Formats;

/// A field of a configuration object: read from `obj[name]`, `None` when it is absent.
pub(crate) trait Field: Sized {
    fn read(value: Option<JsValue>, name: &str) -> CoreResult<Self>;
}

/// A field's value, once present (not `undefined` or `null`).
pub(crate) trait Value: Sized {
    fn read(value: JsValue, name: &str) -> CoreResult<Self>;
}

impl<T: Value> Field for Option<T> {
    fn read(value: Option<JsValue>, name: &str) -> CoreResult<Self> {
        value.map(|v| T::read(v, name)).transpose()
    }
}

/// `obj[name]` read as a `T`. Not inlined: one copy per field type, not one per field (the
/// inlined readers cost +5 KB of wasm over the three configs).
#[inline(never)]
pub(crate) fn field<T: Field>(obj: &JsValue, name: &str) -> CoreResult<T> {
    T::read(fields::opt_value(obj, name)?, name)
}

/// A required string (`streamId`).
impl Field for String {
    fn read(value: Option<JsValue>, name: &str) -> CoreResult<Self> {
        let value = value.ok_or_else(|| invalid_argument(format!("{name} is missing")))?;
        Value::read(value, name)
    }
}

impl Value for String {
    fn read(value: JsValue, name: &str) -> CoreResult<Self> {
        value
            .as_string()
            .ok_or_else(|| invalid_argument(format!("{name} must be a string")))
    }
}

impl Value for bool {
    fn read(value: JsValue, name: &str) -> CoreResult<Self> {
        value
            .as_bool()
            .ok_or_else(|| invalid_argument(format!("{name} must be a boolean")))
    }
}

impl Value for u32 {
    fn read(value: JsValue, name: &str) -> CoreResult<Self> {
        let n = fields::integer(&value, name, u64::from(u32::MAX))?;
        u32::try_from(n).map_err(|_| invalid_argument(format!("{name} is too large")))
    }
}

/// Counts (limits): at most 2^32 - 1, as on wasm32.
impl Value for usize {
    fn read(value: JsValue, name: &str) -> CoreResult<Self> {
        let n = u32::read(value, name)?;
        usize::try_from(n).map_err(|_| invalid_argument(format!("{name} is too large")))
    }
}

/// Durations and times in ms: any safe integer.
impl Value for u64 {
    fn read(value: JsValue, name: &str) -> CoreResult<Self> {
        fields::integer(&value, name, fields::MAX_SAFE_INTEGER)
    }
}

/// Declares a configuration struct (with its TypeScript interface) and its reader: each field
/// is `rust_name "jsName": Type`, the JS name given once for both.
macro_rules! js_config {
    ($(#[$attr:meta])* $name:ident ($what:literal) {
        $($(#[$fattr:meta])* $field:ident $js:literal : $ty:ty,)*
    }) => {
        $(#[$attr])*
        #[derive(tsify::Tsify)]
        pub(crate) struct $name {
            $($(#[$fattr])* #[serde(rename = $js)] $field: $ty,)*
        }

        impl $name {
            /// Reads the config object; `INVALID_ARGUMENT` names the field at fault.
            pub(crate) fn read(obj: &JsValue) -> $crate::error::Result<Self> {
                $crate::wasm::fields::check_known(obj, $what, &[$($js),*])?;
                Ok(Self {
                    $($field: $crate::wasm::config::field(obj, $js)?,)*
                })
            }
        }
    };
}
pub(crate) use js_config;

/// Where permission answers come from.
#[derive(Tsify, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PermissionSourceName {
    /// `permission` / `erc1271` questions.
    Host,
    /// Raw `eth_call`s (`registryCall` / `contractCall`) that the core decodes and caches.
    Registry,
}

impl Value for PermissionSourceName {
    fn read(value: JsValue, name: &str) -> CoreResult<Self> {
        match <String as Value>::read(value, name)?.as_str() {
            "host" => Ok(Self::Host),
            "registry" => Ok(Self::Registry),
            other => Err(invalid_argument(format!(
                "{name} must be 'host' or 'registry', got {other:?}"
            ))),
        }
    }
}

/// The core's permission source from the three config fields that name it.
pub(crate) fn permission_source(
    source: Option<PermissionSourceName>,
    ttl_ms: Option<u64>,
    max_entries: Option<usize>,
) -> PermissionSource {
    match source {
        None | Some(PermissionSourceName::Host) => PermissionSource::Host,
        Some(PermissionSourceName::Registry) => {
            let mut config = OracleConfig::default();
            if let Some(v) = ttl_ms {
                config.cache.ttl_ms = v;
            }
            if let Some(v) = max_entries {
                config.cache.max_entries = v;
            }
            PermissionSource::Registry(config)
        }
    }
}

/// `field = v` when the field was given; the core's default stays otherwise.
pub(crate) fn set<T>(field: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *field = v;
    }
}

/// `strictFormats`: the SDK's id forms only, or any.
pub(crate) fn formats(strict: Option<bool>) -> Option<Formats> {
    strict.map(|s| if s { Formats::Sdk } else { Formats::Any })
}

/// A key custodian, as a publisher names it: its ML-KEM-1024 public key (1568 bytes).
#[derive(Tsify)]
pub(crate) struct CustodianKey {
    #[serde(rename = "publicKey")]
    #[tsify(type = "Uint8Array")]
    public_key: Vec<u8>,
    /// Its user id ({@link custodianIdOf}); checked against the key when given.
    #[serde(rename = "userId")]
    #[expect(
        dead_code,
        reason = "checked against the key when read; declared for TypeScript"
    )]
    #[tsify(optional)]
    user_id: Option<String>,
}

/// Read as `{ publicKey, userId? }` (other fields ignored), the id checked against the key.
impl Value for CustodianKey {
    fn read(value: JsValue, _: &str) -> CoreResult<Self> {
        let public_key = fields::bytes(&value, "publicKey")?;
        let id = identity::custodian_id(&public_key)?;
        let user_id = fields::opt_string(&value, "userId")?;
        if let Some(named) = &user_id
            && !named.eq_ignore_ascii_case(&id.to_string())
        {
            return Err(invalid_argument(format!(
                "custodian userId {named} is not the id of its public key ({id})"
            )));
        }
        Ok(CustodianKey {
            public_key,
            user_id,
        })
    }
}

impl Value for Vec<CustodianKey> {
    fn read(value: JsValue, name: &str) -> CoreResult<Self> {
        if !js_sys::Array::is_array(&value) {
            return Err(invalid_argument(format!("{name} must be an array")));
        }
        js_sys::Array::from(&value)
            .iter()
            .map(|entry| CustodianKey::read(entry, name))
            .collect()
    }
}

/// A publisher's fields, written once for `PublisherConfig` and `CustodianConfig`, plus the
/// fields given.
macro_rules! publisher_config {
    ($(#[$attr:meta])* $name:ident ($what:literal) { $($extra:tt)* }) => {
        js_config!(
        $(#[$attr])*
        $name ($what) {
            stream_id "streamId": String,
            /// Default 0.
            #[tsify(optional)]
            partition "partition": Option<u32>,
            /// Encrypt content (default true). `false` only for public streams.
            #[tsify(optional)]
            encrypt "encrypt": Option<bool>,
            /// The SDK's `requireQuantumResistantEncryption`: never publish unencrypted (default false).
            #[tsify(optional)]
            require_encryption "requireEncryption": Option<bool>,
            /// Encrypt unless the stream's SUBSCRIBE permission is public, as the SDK does (default
            /// false). The publisher asks at once (`registryCall` of `hasPublicPermission`, or a
            /// `permission` question for the zero address with `permissionSource: 'host'`) and holds
            /// publishes until the answer; any answer but "public" means encrypt (`encrypted` tells).
            /// Nothing is asked with `requireEncryption`; contradicts `encrypt: false`.
            #[tsify(optional)]
            encrypt_unless_public "encryptUnlessPublic": Option<bool>,
            /// Refuse RSA key requests (`ENCRYPTION_POLICY_VIOLATION`); default false.
            #[tsify(optional)]
            require_quantum_resistant_key_exchange "requireQuantumResistantKeyExchange": Option<bool>,
            /// Smallest RSA key (bits) a key request may carry; smaller ones are denied
            /// `ENCRYPTION_POLICY_VIOLATION` (default 2048; at most 4096). The SDK's production default is
            /// 4096; its test configuration uses 640: set `minRsaKeyBits: 640` to serve such subscribers
            /// in tests.
            #[tsify(optional)]
            min_rsa_key_bits "minRsaKeyBits": Option<usize>,
            /// Accept key requests only in the forms `@streamr/sdk` produces (uuid request ids,
            /// 20-character chain ids, `<uuid>-GroupKey<n>` key ids, 13-digit timestamps); others are
            /// denied `MALFORMED_MESSAGE` / `TIMESTAMP_OUT_OF_RANGE` before any question (default true).
            /// `false` accepts any ids (custom key ids, test clocks). Ids over 256 characters and more than
            /// 16 key ids are refused either way.
            #[tsify(optional)]
            strict_formats "strictFormats": Option<bool>,
            /// Key requests one requester may send per second, burst twice this (default 5).
            #[tsify(optional)]
            max_key_requests_per_requester_per_second "maxKeyRequestsPerRequesterPerSecond": Option<u32>,
            /// Requesters the rate limiter tracks at once (default 10000).
            #[tsify(optional)]
            max_tracked_requesters "maxTrackedRequesters": Option<usize>,
            /// Key requests being checked or waiting for `loadKey` answers at once; more are refused `OVERLOADED` (default 1000).
            #[tsify(optional)]
            max_pending_key_requests "maxPendingKeyRequests": Option<usize>,
            /// How far a request's timestamp may be from now, either way (`STALE_REQUEST`); default 600000.
            #[tsify(optional)]
            max_key_request_age_ms "maxKeyRequestAgeMs": Option<u64>,
            /// Key requests remembered while fresh, so a replay is denied `REPLAYED_MESSAGE` without a
            /// question (default 100000); past this many the oldest are forgotten first.
            #[tsify(optional)]
            max_remembered_key_requests "maxRememberedKeyRequests": Option<usize>,
            /// Publishes waiting for a wallet signature at once (default 10000).
            #[tsify(optional)]
            max_queued_publishes "maxQueuedPublishes": Option<usize>,
            /// The message chain id; default 20 random alphanumeric characters, as the SDK.
            #[tsify(optional)]
            msg_chain_id "msgChainId": Option<String>,
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
            $($extra)*
        });

        impl $name {
            /// The core's publisher configuration from the fields shared with `PublisherConfig`.
            fn publisher(&mut self) -> CorePublisherConfig {
                let mut c = CorePublisherConfig::new(std::mem::take(&mut self.stream_id));
                set(&mut c.partition, self.partition);
                set(&mut c.encrypt, self.encrypt);
                set(&mut c.require_encryption, self.require_encryption);
                set(&mut c.encrypt_unless_public, self.encrypt_unless_public);
                set(&mut c.require_quantum_resistant_key_exchange, self.require_quantum_resistant_key_exchange);
                set(&mut c.min_rsa_key_bits, self.min_rsa_key_bits);
                if let Some(v) = formats(self.strict_formats) {
                    c.formats = v;
                }
                set(&mut c.max_key_requests_per_requester_per_second, self.max_key_requests_per_requester_per_second);
                set(&mut c.max_tracked_requesters, self.max_tracked_requesters);
                set(&mut c.max_pending_key_requests, self.max_pending_key_requests);
                set(&mut c.max_key_request_age_ms, self.max_key_request_age_ms);
                set(&mut c.max_remembered_key_requests, self.max_remembered_key_requests);
                set(&mut c.max_queued_publishes, self.max_queued_publishes);
                c.msg_chain_id = self.msg_chain_id.take();
                c.permissions = permission_source(
                    self.permission_source,
                    self.registry_cache_ttl_ms,
                    self.registry_cache_max_entries,
                );
                c
            }
        }
    };
}

publisher_config!(
    /// {@link Publisher} settings; omitted fields take the defaults shown. Unknown fields throw.
    PublisherConfig ("publisher config") {
        /// Key custodians that get every new key eagerly (a `send` output each, before the first
        /// message that uses the key; `flushHandOff` sends at once). Default none.
        #[tsify(optional)]
        custodians "custodians": Option<Vec<CustodianKey>>,
    }
);

impl PublisherConfig {
    /// The core's configuration.
    pub(crate) fn into_core(mut self) -> CorePublisherConfig {
        let mut c = self.publisher();
        c.custodians = self
            .custodians
            .unwrap_or_default()
            .into_iter()
            .map(|k| k.public_key)
            .collect();
        c
    }
}

#[cfg(feature = "custodian")]
publisher_config!(
    /// {@link Custodian} settings: a publisher's (without `custodians`) and these.
    CustodianConfig ("custodian config") {
        /// How long a request waits for the publisher to answer first, ms (default 2000).
        #[tsify(optional)]
        grace_ms "graceMs": Option<u64>,
        /// Requests in their grace period at once (default 1000); more are dropped `OVERLOADED`.
        #[tsify(optional)]
        max_waiting_requests "maxWaitingRequests": Option<usize>,
        /// Settled requests remembered so a copy is not answered again (default 100000).
        #[tsify(optional)]
        max_settled_requests "maxSettledRequests": Option<usize>,
        /// Content identities served at once (default 64).
        #[tsify(optional)]
        max_identities "maxIdentities": Option<usize>,
    }
);

#[cfg(feature = "custodian")]
impl CustodianConfig {
    /// The core's custodian configuration.
    pub(crate) fn into_core(mut self) -> crate::custodian::CustodianConfig {
        let publisher = self.publisher();
        let mut c = crate::custodian::CustodianConfig::new(publisher.stream_id.clone());
        c.publisher = publisher;
        set(&mut c.grace_ms, self.grace_ms);
        set(&mut c.max_waiting_requests, self.max_waiting_requests);
        set(&mut c.max_settled_requests, self.max_settled_requests);
        set(&mut c.max_identities, self.max_identities);
        c
    }
}
