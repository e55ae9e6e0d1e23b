//! The shared suite, natively (each `#[suite_test]` in tests/suite/ is a `#[test]` here). On
//! wasm32 the suite runs in tests/wasm_browser.rs and tests/wasm_node.rs, not here again.
#![cfg(not(target_arch = "wasm32"))]

mod suite;
