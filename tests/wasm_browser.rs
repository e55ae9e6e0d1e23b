//! The shared suite in headless Chromium (wasm-bindgen-test-runner + chromedriver): each
//! `#[suite_test]` in tests/suite/ is a `#[wasm_bindgen_test]`, run in the browser by the
//! configuration below.
#![cfg(target_arch = "wasm32")]

mod suite;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
