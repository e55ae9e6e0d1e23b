//! streamr-e2ee: end-to-end encryption for Streamr streams, byte-compatible with
//! `@streamr/sdk` 103.x.
//!
//! The core is sans-IO: it takes bytes, time and answers in, and hands bytes, plaintext and
//! questions out. It never touches a socket, a wallet, a clock or storage. The wasm-bindgen
//! layer in [`wasm`] (wasm32 only) exposes it to JavaScript.
//!
//! Layout and where each decision lives: `docs/architecture.md`. [`wire`] is the Streamr
//! protobuf and signature payloads, [`cipher`] the group keys and AES-256-CTR, [`identity`] the
//! signature schemes. `docs/wire.md §N` (or `docs/wire.md §N`) in comments is section N of the wire
//! specification, `docs/wire.md`.

#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::indexing_slicing
    )
)]

pub mod cipher;
pub mod content;
pub mod custodian;
pub mod error;
pub mod exchange;
pub mod host;
pub mod identity;
pub mod permissions;
pub mod publisher;
pub mod random;
mod rate_limit;
pub mod registry;
pub mod replay;
pub mod subscriber;
pub mod user_id;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use cipher::GroupKey;
pub use error::{Error, ErrorCode, Result};
pub use user_id::UserId;
pub use wire::StreamMessage;
