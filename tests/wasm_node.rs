//! The shared suite in Node (wasm-bindgen-test-runner's default environment).
#![cfg(target_arch = "wasm32")]

mod suite;

suite_tests!(wasm_bindgen_test::wasm_bindgen_test);
