//! The shared suite in Node (wasm-bindgen-test-runner's default environment): each
//! `#[suite_test]` in tests/suite/ is a `#[wasm_bindgen_test]`.
#![cfg(target_arch = "wasm32")]

mod suite;
