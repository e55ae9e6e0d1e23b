//! The wasm-bindgen JS surface of the core (wasm32 only).
//!
//! Thin glue: every export converts its JS arguments, calls one core function and converts
//! the result back. No protocol rule lives here. Every export returns `Result<_, JsValue>`;
//! a core [`crate::Error`] becomes a JS `Error` named `StreamrE2eeError` whose `code` is the
//! stable [`crate::ErrorCode`] string (see [`error`]).
//!
//! | file | JS exports |
//! | --- | --- |
//! | [`custodian`] | `custodianIdOf`, `sealCustodianIdentity`, the publisher's `custodians` field |
//! | `custodian_serve` | `Custodian` (feature `custodian`: the Node module only) |
//! | [`content`] | `encodeContent`, `decodeContent`: the SDK's JSON / binary content |
//! | [`group_key`] | `GroupKey`, `encryptWithAES`, `decryptWithAES`, `encryptNextGroupKey`, `decryptNextGroupKey` |
//! | [`message`] | `StreamMessage`: decode, encode, typed view, signature payload, verify |
//! | `message_build` | `StreamMessage.createContentMessage`: build and sign from JS fields |
//! | [`enums`] | `SignatureType`, `ContentType`, `EncryptionType`, `AsymmetricEncryptionType` |
//! | [`signer`] | `EvmSigner` (pause, resume, wipe), `recoverEvmAddress` |
//! | [`signing`] | `P256Signer` (feature `p256`), `MlDsa87Signer`, the `signer` argument (local or external) |
//! | [`key_exchange`] | `MlKemKeyPair`, `RsaKeyPair` (feature `rsa` only), `wrapGroupKey`, `rsaPublicKeyInfo`, `pkcs8PemToDer`, the `keyExchange` argument |
//! | [`publisher`] | `Publisher` |
//! | [`sdk_backend`] | primitives of the `@streamr/sdk` drop-in backend (keccak, recover/verify, AES-CTR at an offset, RSA-OAEP with feature `rsa`, HKDF, ML-KEM encaps/decaps, ML-KEM encrypt-for/decrypt-with for `EncryptionUtil`) |
//! | [`seal`] | `SealingKey`: AES-256-GCM for key-store values at rest |
//! | [`subscriber`] | `Subscriber`, `keyExchangeAlgorithm` |
//! | [`registry`] | `hasPublicPermissionCall`, `decodeHasPublicPermission`, `getPermissionsForUserIdCall`, `decodeGetPermissionsForUserId`, `setPermissionsForUserCall`, `revokeAllPermissionsForUserCall` |
//! | `config` | the `PublisherConfig`, `SubscriberConfig` and `CustodianConfig` objects (serde, TS types by tsify) |
//! | `host_io` | outputs, questions, events and answers as plain JS objects |
//!
//! `docs/host-api.md` describes the loop a host runs around `Publisher` and `Subscriber`.

mod config;
pub mod content;
pub mod custodian;
#[cfg(feature = "custodian")]
pub mod custodian_serve;
pub mod enums;
pub mod error;
mod fields;
pub mod group_key;
mod host_io;
pub mod key_exchange;
pub mod message;
mod message_build;
pub mod pool;
pub mod publisher;
pub mod registry;
pub mod sdk_backend;
pub mod seal;
pub mod signer;
pub mod signing;
pub mod subscriber;
mod types;
