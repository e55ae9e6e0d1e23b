//! The shared suite in headless Chromium (wasm-bindgen-test-runner + chromedriver).
#![cfg(target_arch = "wasm32")]

mod suite;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

suite_tests!(wasm_bindgen_test::wasm_bindgen_test);
