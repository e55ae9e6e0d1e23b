//! `streamr-e2ee-relay`: the development transport of streamr-e2ee.
//!
//! A WebSocket server that fans out StreamMessage bytes per stream partition. Clients
//! subscribe to stream partitions and publish opaque payloads (already encrypted and
//! signed StreamMessage protobuf bytes); the relay forwards each payload to every *other*
//! connection subscribed to the same stream partition, in the order each publisher sent
//! them. It never parses payloads and never sees plaintext or keys. It is meant for
//! development, the demo and tests; at scale the transport is the Streamr Network.
//!
//! The protocol is specified in `docs/relay-protocol.md` (JSON text frames for control,
//! binary frames with a small header for data) and implemented in [`protocol`].
//!
//! # Design
//! - **Stack: tokio + tokio-tungstenite**, not axum. The relay has exactly one endpoint, a
//!   WebSocket, so axum's router, hyper and tower would add compile time and dependencies
//!   without a use; tokio-tungstenite (the WebSocket implementation axum itself wraps) gives
//!   direct access to the frame limits ([`WebSocketConfig`]) and the handshake (to select
//!   the subprotocol). Flags are parsed by hand ([`config`]) and logs are plain stderr lines
//!   ([`log`]), for the same reason: a small, quick-to-build tool.
//! - **Bounded everything.** Each connection has a send queue bounded in frames and bytes;
//!   a publisher never waits for a subscriber, and a subscriber whose queue is full is
//!   disconnected (close 1013) instead of growing memory. Frames, subscriptions,
//!   connections, protocol errors, handshakes, idle time and shutdown are all bounded; the
//!   defaults are in [`Config::default`].
//! - **Zero-copy fan-out.** A `publish` frame becomes the subscribers' `message` frame by
//!   changing its first byte; every subscriber's queue holds the same reference-counted
//!   buffer.
//!
//! # Use
//! ```text
//! cargo run -p streamr-e2ee-relay -- --port 8788
//! ```
//! prints `ws://127.0.0.1:8788` on stdout once listening. In Rust tests,
//! [`Relay::bind`] with port 0, then [`Relay::run`] in a task and [`RelayHandle`] to read
//! the address and counters and to shut down.
//!
//! On wasm32 this crate is empty: the relay is a native server only.
//!
//! [`WebSocketConfig`]: tokio_tungstenite::tungstenite::protocol::WebSocketConfig

#![cfg(not(target_arch = "wasm32"))]

pub mod config;
mod connection;
pub mod log;
mod outbox;
pub mod protocol;
mod router;
mod server;
mod stats;

pub use config::Config;
pub use server::{Relay, RelayHandle};
pub use stats::Stats;
