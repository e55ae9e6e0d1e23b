//! The subscriber's JSON check (`content::is_json`) against serde_json, an independent strict
//! RFC 8259 parser: valid documents are accepted, and on near-JSON noise and on mutations of
//! valid documents both say the same. (serde_json is read through `IgnoredAny`, which checks
//! syntax only: numbers out of f64 range and `\u` escapes of lone surrogates pass, as they do
//! in `JSON.parse`.)
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use serde::de::IgnoredAny;
use serde_json::Value;
use streamr_e2ee::content::is_json;

fn serde_accepts(text: &str) -> bool {
    serde_json::from_str::<IgnoredAny>(text).is_ok()
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever serde_json writes, compact or pretty, is JSON.
    #[test]
    fn serialised_values_are_json(v in value()) {
        let compact = serde_json::to_string(&v).unwrap();
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        prop_assert!(is_json(compact.as_bytes()), "{}", compact);
        prop_assert!(is_json(pretty.as_bytes()), "{}", pretty);
        let padded = format!(" \t\r\n{compact}\n ");
        prop_assert!(is_json(padded.as_bytes()));
    }

    /// Near-JSON noise: the two parsers agree.
    #[test]
    fn agrees_on_noise(text in "[\\[\\]{}:,\"0-9eE+\\-. \\\\/ntrufalsbd8\\t\\né\u{7f}]{0,24}") {
        prop_assert_eq!(is_json(text.as_bytes()), serde_accepts(&text), "{:?}", text);
    }

    /// Valid documents with one byte deleted, replaced or inserted: the two parsers agree.
    #[test]
    fn agrees_on_mutations(v in value(), at in any::<prop::sample::Index>(),
                           byte in prop::sample::select(b"{}[]:,\" \\0-.e1tx".to_vec()),
                           how in 0u8..3) {
        let mut bytes = serde_json::to_string(&v).unwrap().into_bytes();
        let i = at.index(bytes.len() + 1);
        match how {
            0 if i < bytes.len() => { bytes.remove(i); }
            1 if i < bytes.len() => bytes[i] = byte,
            _ => bytes.insert(i, byte),
        }
        // Both judge text: bytes that are no longer UTF-8 are refused before the syntax check.
        if let Ok(text) = std::str::from_utf8(&bytes) {
            prop_assert_eq!(is_json(&bytes), serde_accepts(text), "{:?}", text);
        }
    }
}

#[test]
fn scalars_and_edges_match_serde_json() {
    for text in [
        "0",
        "-0",
        "1e400",
        "-1.5E-7",
        "\"\\ud800\"",
        "\"\\uDBFF\\uDFFF\"",
        "[]",
        "{}",
        " 1 ",
        "01",
        "1.",
        "-",
        "+1",
        "[1,]",
        "{\"a\":1,}",
        "\"\t\"",
        "tru",
        "null null",
        "",
    ] {
        assert_eq!(is_json(text.as_bytes()), serde_accepts(text), "{text:?}");
    }
}

/// Every string of up to 4 characters over a small alphabet of JSON's punctuation: the two
/// parsers agree on each (and some of them are JSON).
#[test]
fn exhaustive_short_strings_match_serde_json() {
    let alphabet: Vec<char> = "[]{}:,\"0-.e1 \\un".chars().collect();
    let mut texts = vec![String::new()];
    let mut accepted = 0;
    for _ in 0..4 {
        let mut longer = Vec::new();
        for t in &texts {
            for c in &alphabet {
                let mut s = t.clone();
                s.push(*c);
                assert_eq!(is_json(s.as_bytes()), serde_accepts(&s), "{s:?}");
                accepted += usize::from(is_json(s.as_bytes()));
                longer.push(s);
            }
        }
        texts = longer;
    }
    assert!(accepted > 100, "{accepted}");
}
