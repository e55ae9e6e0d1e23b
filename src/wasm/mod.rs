//! wasm-bindgen exports.
