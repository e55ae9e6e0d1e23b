//! Property tests (proptest): wire round trips, encryption round trips, rotation chains, and
//! state-machine invariants over the in-memory network of `tests/suite/net.rs` with random
//! bursts, rotations, re-keys, drops, duplicates, reorders and forged messages.
//!
//! Case counts are small so the file stays within a few seconds of CI time; set
//! `PROPTEST_CASES=N` to run N cases of every property (e.g. 1000 for a long run).
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::indexing_slicing,
    dead_code
)]

// Only the in-memory network of the shared suite: `mod suite;` would also register its tests here.
#[path = "suite/net.rs"]
mod net;

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::OnceLock;

use net::{Kex, Net, STREAM};
use proptest::prelude::*;
use streamr_e2ee::cipher::GroupKey;
use streamr_e2ee::exchange::{self, KeyExchangeKeyPair, MlKemKeyPair, RsaKeyPair};
use streamr_e2ee::identity::LocalSigner;
use streamr_e2ee::identity::evm::EvmSigner;
use streamr_e2ee::publisher::PublisherConfig;
use streamr_e2ee::wire::{
    AsymmetricEncryptionType, Body, ContentMessage, ContentType, EncryptedGroupKey, EncryptionType,
    GroupKeyRequest, GroupKeyResponse, MessageId, MessageRef, SignatureType,
};
use streamr_e2ee::{StreamMessage, UserId};

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ----- wire round trips

fn user_id() -> impl Strategy<Value = UserId> {
    prop::array::uniform20(any::<u8>()).prop_map(|b| UserId::from_bytes(&b).unwrap())
}

fn encrypted_key() -> impl Strategy<Value = EncryptedGroupKey> {
    (".{0,12}", prop::collection::vec(any::<u8>(), 0..64))
        .prop_map(|(id, data)| EncryptedGroupKey { id, data })
}

fn asym() -> impl Strategy<Value = AsymmetricEncryptionType> {
    prop_oneof![
        Just(AsymmetricEncryptionType::Rsa),
        Just(AsymmetricEncryptionType::MlKem)
    ]
}

fn body() -> impl Strategy<Value = Body> {
    let content = (
        prop::collection::vec(any::<u8>(), 0..200),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(".{1,12}"),
        prop::option::of(encrypted_key()),
    )
        .prop_map(|(content, binary, aes, group_key_id, new_group_key)| {
            let aes = aes && group_key_id.is_some();
            Body::Content(ContentMessage {
                content,
                content_type: if binary {
                    ContentType::Binary
                } else {
                    ContentType::Json
                },
                encryption_type: if aes {
                    EncryptionType::Aes
                } else {
                    EncryptionType::None
                },
                group_key_id,
                new_group_key,
            })
        });
    let request = (
        ".{0,40}",
        user_id(),
        prop::collection::vec(any::<u8>(), 0..100),
        prop::collection::vec(".{0,12}", 0..4),
        asym(),
    )
        .prop_map(
            |(request_id, recipient_id, public_key, group_key_ids, encryption_type)| {
                Body::KeyRequest(GroupKeyRequest {
                    request_id,
                    recipient_id,
                    public_key,
                    group_key_ids,
                    encryption_type,
                })
            },
        );
    let response = (
        ".{0,40}",
        user_id(),
        prop::collection::vec(encrypted_key(), 0..3),
        asym(),
    )
        .prop_map(|(request_id, recipient_id, group_keys, encryption_type)| {
            Body::KeyResponse(GroupKeyResponse {
                request_id,
                recipient_id,
                group_keys,
                encryption_type,
            })
        });
    prop_oneof![content, request, response]
}

fn message() -> impl Strategy<Value = StreamMessage> {
    let sig_type = prop_oneof![
        Just(SignatureType::EcdsaSecp256k1Legacy),
        Just(SignatureType::EcdsaSecp256k1Evm),
        Just(SignatureType::Erc1271),
        Just(SignatureType::MlDsa87),
        Just(SignatureType::EcdsaSecp256r1),
    ];
    (
        "[a-zA-Z0-9/._-]{1,40}",
        0..=i32::MAX as u32,
        0..=i64::MAX as u64,
        0..=i32::MAX as u32,
        user_id(),
        ".{0,20}",
        prop::option::of((0..=i64::MAX as u64, 0..=i32::MAX as u32)),
        prop::collection::vec(any::<u8>(), 0..70),
        sig_type,
        body(),
    )
        .prop_map(
            |(
                stream_id,
                partition,
                timestamp,
                seq,
                publisher_id,
                chain,
                prev,
                signature,
                signature_type,
                body,
            )| {
                let id = MessageId {
                    stream_id,
                    partition,
                    timestamp,
                    sequence_number: seq,
                    publisher_id,
                    msg_chain_id: chain,
                };
                let prev = prev
                    .map(|(t, s)| MessageRef {
                        timestamp: t,
                        sequence_number: s,
                    })
                    .filter(|p| *p < id.reference());
                StreamMessage {
                    id,
                    prev,
                    signature,
                    signature_type,
                    body,
                }
            },
        )
}

proptest! {
    #![proptest_config(config(256))]

    /// Every valid message encodes to bytes that decode to the same message, and the signed
    /// payload is a function of the fields (the same before and after the trip).
    #[test]
    fn wire_round_trip(msg in message()) {
        let bytes = msg.to_bytes();
        let back = StreamMessage::from_bytes(&bytes).unwrap();
        prop_assert_eq!(back.signature_payload(), msg.signature_payload());
        prop_assert_eq!(&back, &msg);
        prop_assert_eq!(back.to_bytes(), bytes);
    }

    /// Any bytes: decoding gives a message or an error, never a panic.
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = StreamMessage::from_bytes(&bytes);
    }

    /// AES-256-CTR payloads and rotated keys decrypt to what was encrypted; a fresh IV each
    /// time; a flipped ciphertext byte changes the plaintext (CTR: no error, integrity is the
    /// signature's job).
    #[test]
    fn aes_round_trip(key in prop::array::uniform32(any::<u8>()), next in prop::array::uniform32(any::<u8>()),
                      plaintext in prop::collection::vec(any::<u8>(), 0..2048), flip in any::<usize>()) {
        let k = GroupKey::new("current", &key).unwrap();
        let ct = k.encrypt(&plaintext).unwrap();
        prop_assert_eq!(ct.len(), plaintext.len() + 16);
        prop_assert_eq!(k.decrypt(&ct).unwrap(), plaintext.clone());
        prop_assert_ne!(k.encrypt(&plaintext).unwrap(), ct.clone());
        let n = GroupKey::new("next", &next).unwrap();
        prop_assert_eq!(k.decrypt_next(&k.encrypt_next(&n).unwrap()).unwrap(), n);
        if !plaintext.is_empty() {
            let mut bad = ct.clone();
            let at = 16 + flip % plaintext.len();
            bad[at] ^= 1;
            prop_assert_ne!(k.decrypt(&bad).unwrap(), plaintext);
        }
    }
}

fn mlkem() -> &'static MlKemKeyPair {
    static PAIR: OnceLock<MlKemKeyPair> = OnceLock::new();
    PAIR.get_or_init(|| MlKemKeyPair::generate().unwrap())
}

fn rsa() -> &'static RsaKeyPair {
    static PAIR: OnceLock<RsaKeyPair> = OnceLock::new();
    PAIR.get_or_init(|| RsaKeyPair::generate(1024).unwrap())
}

proptest! {
    #![proptest_config(config(32))]

    /// Key exchange: a key wrapped for a public key unwraps with its private key, and a
    /// flipped byte never yields the key (RSA: opaque error; ML-KEM: implicit rejection gives a
    /// different key or an error).
    #[test]
    fn key_wrap_round_trip(key in prop::array::uniform32(any::<u8>()), id in "[a-zA-Z0-9-]{1,60}",
                           use_rsa in any::<bool>(), flip in any::<usize>()) {
        let k = GroupKey::new(id.clone(), &key).unwrap();
        let pair: &dyn KeyExchangeKeyPair = if use_rsa { rsa() } else { mlkem() };
        let wrapped = exchange::wrap_group_key(&k, pair.encryption_type(), pair.public_key_bytes()).unwrap();
        prop_assert_eq!(pair.unwrap_group_key(&id, &wrapped).unwrap(), k.clone());
        let mut bad = wrapped.clone();
        let at = flip % bad.len();
        bad[at] ^= 0x40;
        let got = pair.unwrap_group_key(&id, &bad);
        prop_assert!(got.as_ref().map_or(true, |g| *g != k));
        if use_rsa {
            prop_assert_eq!(got.unwrap_err().code().as_str(), "DECRYPT_ERROR");
        }
    }
}

// ----- rotation chains and state-machine invariants

#[derive(Clone, Debug)]
enum Op {
    /// Publish this many messages before the network moves (a burst).
    Burst(u8),
    Rotate,
    Rekey,
    Advance(u16),
    /// The network's behaviour from now on: drop mask (bit i drops every i-th broadcast of 8),
    /// duplicate, reorder.
    Network(u8, bool, bool),
    /// A copy of the publisher's last content message with its content changed (signature
    /// no longer matches).
    Tampered,
    /// A message signed by an identity without PUBLISH.
    Outsider,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u8..4).prop_map(Op::Burst),
        1 => Just(Op::Rotate),
        1 => Just(Op::Rekey),
        1 => (0u16..8000).prop_map(Op::Advance),
        1 => (any::<u8>(), any::<bool>(), any::<bool>()).prop_map(|(m, d, r)| Op::Network(m, d, r)),
        1 => Just(Op::Tampered),
        1 => Just(Op::Outsider),
    ]
}

fn last_content(net: &Net, p: usize) -> Option<StreamMessage> {
    net.nodes[p]
        .sent
        .iter()
        .rev()
        .map(|b| StreamMessage::from_bytes(b).unwrap())
        .find(|m| matches!(m.body, Body::Content(_)))
}

fn outsider_message(net: &Net, n: u64) -> Vec<u8> {
    let signer = EvmSigner::generate().unwrap();
    let mut msg = StreamMessage {
        id: MessageId {
            stream_id: STREAM.into(),
            partition: 0,
            timestamp: net.now,
            sequence_number: n as u32,
            publisher_id: signer.user_id(),
            msg_chain_id: "outsider000000000000".into(),
        },
        prev: None,
        signature: vec![],
        signature_type: SignatureType::EcdsaSecp256k1Evm,
        body: Body::Content(ContentMessage {
            content: b"\"forged\"".to_vec(),
            content_type: ContentType::Json,
            encryption_type: EncryptionType::None,
            group_key_id: None,
            new_group_key: None,
        }),
    };
    msg.signature = LocalSigner::sign(&signer, &msg.signature_payload()).unwrap();
    msg.to_bytes()
}

/// Runs `ops` against one publisher and one subscriber; checks every invariant and returns
/// (published, delivered texts, key requests sent, re-keys).
fn run(ops: &[Op], kex: Kex) -> Result<(), TestCaseError> {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(kex);
    let counter = Rc::new(Cell::new(0u64));
    let mask = Rc::new(Cell::new(0u8));
    {
        let (counter, mask) = (counter.clone(), mask.clone());
        net.drop_if = Some(Box::new(move |_| {
            let i = counter.get();
            counter.set(i + 1);
            mask.get() & (1 << (i % 8)) != 0
        }));
    }
    let mut published: Vec<String> = Vec::new();
    let mut injected = 0u64;
    for op in ops {
        match op {
            Op::Burst(n) => {
                for _ in 0..*n {
                    let text = format!("\"m{}\"", published.len());
                    let now = net.now;
                    net.nodes[p]
                        .publisher()
                        .publish(text.clone().into_bytes(), ContentType::Json, now)
                        .unwrap();
                    published.push(text);
                }
                net.settle();
            }
            Op::Rotate => net.nodes[p].publisher().rotate(None).unwrap(),
            Op::Rekey => net.nodes[p].publisher().rekey(None).unwrap(),
            Op::Advance(ms) => net.advance(u64::from(*ms)),
            Op::Network(m, d, r) => {
                mask.set(*m);
                net.duplicate = *d;
                net.reorder = *r;
            }
            Op::Tampered => {
                if let Some(mut msg) = last_content(&net, p) {
                    if let Body::Content(c) = &mut msg.body {
                        c.content.push(0);
                    }
                    net.inject(p, msg.to_bytes());
                }
            }
            Op::Outsider => {
                injected += 1;
                let bytes = outsider_message(&net, injected);
                net.inject(p, bytes);
            }
        }
    }
    // Heal the network, publish once more and let every timer run: the last message arrives.
    mask.set(0);
    net.duplicate = false;
    net.reorder = false;
    net.advance(40_000);
    let now = net.now;
    net.nodes[p]
        .publisher()
        .publish(b"\"final\"".to_vec(), ContentType::Json, now)
        .unwrap();
    published.push("\"final\"".into());
    net.settle();
    net.advance(40_000);

    let publisher_id = net.nodes[p].id.clone();
    let sub = &net.nodes[s];
    let index: HashMap<&str, usize> = published
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let mut last: Option<(usize, MessageRef)> = None;
    for d in &sub.delivered {
        // Nothing from outside, nothing tampered: only what the publisher published.
        prop_assert_eq!(&d.publisher_id, &publisher_id);
        let text = String::from_utf8(d.content.clone()).unwrap();
        let i = *index
            .get(text.as_str())
            .ok_or_else(|| TestCaseError::fail(format!("delivered {text}, never published")))?;
        // Once, and in chain order.
        if let Some((j, r)) = last {
            prop_assert!(i > j, "{} delivered after {}", text, published[j]);
            prop_assert!(d.reference > r);
        }
        last = Some((i, d.reference));
    }
    prop_assert_eq!(
        sub.delivered.last().map(|d| d.content.as_slice()),
        Some(&b"\"final\""[..]),
        "the healed network delivers"
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(24))]

    /// Publish, rotate and re-key in any order on a perfect network: everything is delivered,
    /// once, in order, and key exchange happens only for keys the chain did not teach: the
    /// first key, re-keyed ones, and a rotated key announced by the first message under a
    /// fresh key (a `newGroupKey` is learned only under the chain's current or announced key,
    /// see `src/subscriber/trail.rs`). Every other rotation travels inside the chain.
    #[test]
    fn rotation_chains(ops in prop::collection::vec(prop_oneof![
        3 => (1u8..3).prop_map(Op::Burst), 1 => Just(Op::Rotate), 1 => Just(Op::Rekey)], 1..20)) {
        let mut net = Net::default();
        let p = net.add_publisher(PublisherConfig::new(STREAM));
        let s = net.add_subscriber(Kex::MlKem);
        let mut published = Vec::new();
        let mut exchanges = 0usize;
        // The keys the subscriber holds, and its view of the chain's keys.
        let mut held: HashSet<String> = HashSet::new();
        let (mut current, mut announced): (Option<String>, Option<String>) = (None, None);
        for op in &ops {
            match op {
                Op::Burst(n) => for _ in 0..*n {
                    let text = format!("\"m{}\"", published.len());
                    net.publish(p, &text);
                    published.push(text);
                    let sent = last_content(&net, p).unwrap();
                    let Body::Content(c) = &sent.body else { unreachable!() };
                    let key = c.group_key_id.clone().unwrap();
                    let next = c.new_group_key.as_ref().map(|k| k.id.clone());
                    if held.insert(key.clone()) { exchanges += 1; }
                    let teaches = current.as_ref() == Some(&key) || announced.as_ref() == Some(&key);
                    if current.as_ref() != Some(&key) { current = Some(key); announced = None; }
                    if teaches && next.is_some() {
                        held.extend(next.clone());
                        announced = next;
                    }
                },
                Op::Rotate => net.nodes[p].publisher().rotate(None).unwrap(),
                Op::Rekey => net.nodes[p].publisher().rekey(None).unwrap(),
                _ => unreachable!(),
            }
        }
        prop_assert_eq!(net.nodes[s].texts(), published);
        prop_assert!(net.nodes[s].error_codes().is_empty(), "{:?}", net.nodes[s].error_codes());
        prop_assert_eq!(net.nodes[s].requests_sent(), exchanges);
    }

    /// Random interleavings of bursts, rotations, re-keys, time, loss, duplication,
    /// reordering and forged messages, with ML-KEM or RSA key exchange: nothing delivered
    /// twice, chain order kept, nothing delivered that the publisher did not sign, and the
    /// healed network delivers again.
    #[test]
    fn state_machine_invariants(ops in prop::collection::vec(op(), 1..30), rsa in any::<bool>()) {
        run(&ops, if rsa { Kex::Rsa } else { Kex::MlKem })?;
    }
}
