//! Test suite shared by the native harness (`tests/vectors.rs`) and the wasm-bindgen-test
//! harnesses (`tests/wasm_browser.rs`, `tests/wasm_node.rs`), so every vector runs natively,
//! in headless Chromium and in Node.
//!
//! Each test is a private `fn` marked `#[suite_test]`: `#[test]` natively,
//! `#[wasm_bindgen_test]` on wasm32 (the harness picks Chromium or Node with
//! `wasm_bindgen_test_configure!`). There is no list to keep: the attribute registers the test
//! in every harness that includes this module. `dead_code` is denied, so a suite function that
//! nothing registers or calls does not compile (instead of silently never running), and
//! scripts/test.sh checks that each harness ran as many tests as there are `#[suite_test]`s.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable
)]
#![deny(dead_code)]

pub(crate) mod bad_input;
// Shared with other test crates (they include it alone by path), each using part of it.
#[allow(dead_code)]
pub(crate) mod net;
pub(crate) mod scenarios;
pub(crate) mod sdk_key_exchange;
pub(crate) mod sdk_vectors;

use serde_json::Value;

/// The test attribute of the target: one spelling for the three harnesses.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use core::prelude::v1::test as suite_test;
#[cfg(target_arch = "wasm32")]
pub(crate) use wasm_bindgen_test::wasm_bindgen_test as suite_test;

pub(crate) fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("vector file is JSON")
}

pub(crate) fn hex_of(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

pub(crate) fn str_of(v: &Value) -> &str {
    v.as_str().expect("string")
}
