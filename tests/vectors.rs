//! The shared suite, natively.

mod suite;

suite_tests!(test);
