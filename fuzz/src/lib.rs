//! Fuzz target logic (see `targets.rs`), shared with `tests/fuzz_regressions.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod targets;

pub use targets::*;
