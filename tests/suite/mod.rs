//! Test suite shared by the native harness (`tests/vectors.rs`) and the wasm-bindgen-test
//! harnesses (`tests/wasm_browser.rs`, `tests/wasm_node.rs`), so every vector runs natively,
//! in headless Chromium and in Node.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

pub mod bad_input;
pub mod net;
pub mod scenarios;
pub mod sdk_key_exchange;
pub mod sdk_vectors;

use serde_json::Value;

pub fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("vector file is JSON")
}

pub fn hex_of(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().expect("hex string")).expect("valid hex")
}

pub fn str_of(v: &Value) -> &str {
    v.as_str().expect("string")
}

/// Expands to one test per suite function, with the harness's test attribute.
#[macro_export]
macro_rules! suite_tests {
    ($test:meta) => {
        $crate::suite_tests!(@each $test;
            sdk_vectors::aes_payload_vectors,
            sdk_vectors::aes_counter_edge_vectors,
            sdk_vectors::group_key_rotation_vectors,
            sdk_vectors::secp256k1_signature_vectors,
            sdk_vectors::content_message_vectors,
            sdk_vectors::content_messages_rebuilt_from_fields,
            sdk_vectors::key_exchange_envelopes,
            sdk_vectors::legacy_signatures_verify,
            bad_input::truncated_ciphertext,
            bad_input::wrong_key_lengths,
            bad_input::not_protobuf,
            bad_input::truncated_protobuf,
            bad_input::unknown_enum_values,
            bad_input::missing_required_fields,
            bad_input::bad_v,
            bad_input::signature_by_another_key,
            bad_input::ten_megabyte_message,
            bad_input::high_s_accepted_like_the_sdk,
            bad_input::tampered_unsigned_fields_keep_the_signature_valid,
            sdk_key_exchange::our_subscriber_accepts_sdk_responses,
            sdk_key_exchange::our_publisher_answers_sdk_requests,
            scenarios::first_key_ml_kem,
            scenarios::first_key_rsa,
            scenarios::rotation_boundary_needs_no_key_exchange,
            scenarios::rekey_forces_key_exchange,
            scenarios::revoked_subscriber_loses_access_after_rekey,
            scenarios::invalidated_publisher_answer_is_asked_again,
            scenarios::late_joiner_gets_the_current_key,
            scenarios::out_of_order_and_duplicates_are_delivered_once_in_order,
            scenarios::gap_is_reported_and_delivery_goes_on,
            scenarios::lost_response_is_retried,
            scenarios::publisher_offline_times_out_after_retries,
            scenarios::request_to_another_publisher_is_ignored,
            scenarios::forged_and_stale_requests_are_denied,
            scenarios::unknown_subscriber_is_denied_and_times_out,
            scenarios::registry_down_releases_nothing,
            scenarios::forged_response_and_non_publisher_response_are_rejected,
            scenarios::wallet_signing_and_a_refused_signature_lose_nothing,
            scenarios::public_stream_is_unencrypted,
            scenarios::rsa_refused_when_quantum_resistance_is_required,
            scenarios::unauthorised_publisher_is_not_delivered,
            scenarios::request_flood_is_bounded,
            scenarios::rotating_on_every_message_keeps_memory_bounded,
        );
    };
    (@each $test:meta; $($module:ident :: $name:ident),* $(,)?) => {
        $(
            #[$test]
            fn $name() {
                suite::$module::$name()
            }
        )*
    };
}
