//! Integration tests of the relay: a real server on 127.0.0.1 (port 0) and real WebSocket
//! clients (tokio-tungstenite). `process` runs the built binary. Native only, like the
//! relay.

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod bad_input;
mod delivery;
mod limits;
mod process;
mod support;
