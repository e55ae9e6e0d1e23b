//! Replays, under the normal `cargo test`, every fuzz target (`fuzz/src/targets.rs`, the same
//! code the cargo-fuzz binaries run) on its seed corpus (`fuzz/seeds/<target>/`, made from the
//! SDK vectors) and on every input that ever crashed it (`fuzz/regressions/<target>/`).
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::indexing_slicing,
    dead_code
)]

#[path = "../fuzz/src/targets.rs"]
mod targets;

use std::path::Path;

/// Runs `target` on every file of the target's seed and regression folders; returns the count.
fn replay(name: &str, target: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(name)) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name} fails on {}", file.display());
            n += 1;
        }
    }
    n
}

#[test]
fn stream_message() {
    assert!(replay("stream_message", targets::stream_message) > 0);
}

#[test]
fn subscriber() {
    assert!(replay("subscriber", targets::subscriber) > 0);
}

#[test]
fn publisher() {
    assert!(replay("publisher", targets::publisher) > 0);
}

#[test]
fn pem_spki() {
    assert!(replay("pem_spki", targets::pem_spki) > 0);
}

#[test]
fn abi() {
    assert!(replay("abi", targets::abi) > 0);
}

#[test]
fn decrypt() {
    assert!(replay("decrypt", targets::decrypt) > 0);
}

#[test]
fn relay_frame() {
    assert!(replay("relay_frame", targets::relay_frame) > 0);
}
