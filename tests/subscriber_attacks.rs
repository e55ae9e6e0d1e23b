//! Regression tests for the subscriber side of issue #13: key loading inside the core,
//! signature re-splitting, planted rotation keys, ERC-1271 content before verification,
//! LEGACY key responses, and id bounds before any store question. Each attack takes a genuine
//! signed message, changes fields and keeps the signature, as an attacker on the stream
//! partition can (spec §4: the signature payload concatenates fields without separators).
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

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use net::{Kex, Net, STREAM, T0, decoded, is_content, is_request};
use streamr_e2ee::cipher::GroupKey;
use streamr_e2ee::exchange::{MlKemKeyPair, wrap_group_key};
use streamr_e2ee::host::{Answer, Event, Output, Question, QuestionId};
use streamr_e2ee::identity::evm::EvmSigner;
use streamr_e2ee::identity::{LocalSigner, Signing};
use streamr_e2ee::publisher::PublisherConfig;
use streamr_e2ee::subscriber::{KeyExchange, Subscriber, SubscriberConfig};
use streamr_e2ee::wire::format::Formats;
use streamr_e2ee::wire::{
    Body, ContentMessage, ContentType, EncryptedGroupKey, EncryptionType, GroupKeyResponse,
    MessageId, MessageRef, SignatureType,
};
use streamr_e2ee::{StreamMessage, UserId};

// ---------------------------------------------------------------------------------------
// helpers

fn sent_of(net: &Net, n: usize, what: fn(&Body) -> bool) -> Vec<StreamMessage> {
    net.nodes[n]
        .sent
        .iter()
        .map(|b| decoded(b))
        .filter(|m| what(&m.body))
        .collect()
}

/// Key ids the node asked its key store for.
fn loads(net: &Net, n: usize) -> Vec<String> {
    net.nodes[n]
        .asked
        .iter()
        .filter_map(|q| match q {
            Question::LoadKey {
                stream_id, key_id, ..
            } => {
                assert_eq!(stream_id, STREAM, "loads name the subscriber's stream");
                Some(key_id.clone())
            }
            _ => None,
        })
        .collect()
}

fn count(codes: &[&str], code: &str) -> usize {
    codes.iter().filter(|c| **c == code).count()
}

/// Catches (does not deliver) every broadcast whose body `what` selects, until cleared.
fn intercept(net: &mut Net, what: fn(&Body) -> bool) -> Rc<RefCell<Vec<StreamMessage>>> {
    let caught = Rc::new(RefCell::new(Vec::new()));
    let sink = caught.clone();
    net.drop_if = Some(Box::new(move |b| match StreamMessage::from_bytes(b) {
        Ok(m) if what(&m.body) => {
            sink.borrow_mut().push(m);
            true
        }
        _ => false,
    }));
    caught
}

fn config(formats: Formats) -> SubscriberConfig {
    let mut c = SubscriberConfig::new(STREAM);
    c.formats = formats;
    c
}

/// A group key with an id in the SDK's form.
fn sdk_key(n: u32) -> GroupKey {
    GroupKey::new(
        format!("{n:08x}-0000-4000-8000-{n:012x}-GroupKey{}", n + 1),
        &[(n as u8) ^ 0x5a; 32],
    )
    .unwrap()
}

fn sdk_chain(n: usize) -> String {
    format!("chain{n:015}")
}

fn plain(text: &str) -> ContentMessage {
    ContentMessage {
        content: text.as_bytes().to_vec(),
        content_type: ContentType::Json,
        encryption_type: EncryptionType::None,
        group_key_id: None,
        new_group_key: None,
    }
}

fn encrypted(key: &GroupKey, text: &str) -> ContentMessage {
    ContentMessage {
        content: key.encrypt(text.as_bytes()).unwrap(),
        content_type: ContentType::Json,
        encryption_type: EncryptionType::Aes,
        group_key_id: Some(key.id().to_owned()),
        new_group_key: None,
    }
}

fn with_content(msg: &StreamMessage, f: impl FnOnce(&mut ContentMessage)) -> StreamMessage {
    let mut msg = msg.clone();
    if let Body::Content(c) = &mut msg.body {
        f(c);
    }
    msg
}

/// A publishing identity the test holds the private key of, so it can sign whatever it
/// likes (a malicious or custom publisher).
struct Author {
    signer: EvmSigner,
}

impl Author {
    fn new() -> Self {
        Author {
            signer: EvmSigner::generate().unwrap(),
        }
    }

    /// An author holding PUBLISH on the stream.
    fn permitted(net: &mut Net) -> Self {
        let a = Author::new();
        net.publishers_allowed.insert(a.id());
        a
    }

    fn id(&self) -> UserId {
        self.signer.user_id()
    }

    fn sign(&self, msg: &mut StreamMessage) {
        msg.signature = LocalSigner::sign(&self.signer, &msg.signature_payload()).unwrap();
    }

    fn message(
        &self,
        chain: &str,
        timestamp: u64,
        prev: Option<u64>,
        body: ContentMessage,
    ) -> StreamMessage {
        let mut msg = StreamMessage {
            id: MessageId {
                stream_id: STREAM.into(),
                partition: 0,
                timestamp,
                sequence_number: 0,
                publisher_id: self.id(),
                msg_chain_id: chain.into(),
            },
            prev: prev.map(|t| MessageRef {
                timestamp: t,
                sequence_number: 0,
            }),
            signature: vec![],
            signature_type: SignatureType::EcdsaSecp256k1Evm,
            body: Body::Content(body),
        };
        self.sign(&mut msg);
        msg
    }

    /// A response to `request` carrying `keys`, signed with `signature_type`.
    fn response(
        &self,
        request: &StreamMessage,
        keys: &[GroupKey],
        signature_type: SignatureType,
        timestamp: u64,
    ) -> StreamMessage {
        let Body::KeyRequest(r) = &request.body else {
            panic!("not a request")
        };
        let mut msg = StreamMessage {
            id: MessageId {
                stream_id: STREAM.into(),
                partition: 0,
                timestamp,
                sequence_number: 0,
                publisher_id: self.id(),
                msg_chain_id: "responsechain0000000".into(),
            },
            prev: None,
            signature: vec![],
            signature_type,
            body: Body::KeyResponse(GroupKeyResponse {
                request_id: r.request_id.clone(),
                recipient_id: request.id.publisher_id.clone(),
                group_keys: keys
                    .iter()
                    .map(|k| EncryptedGroupKey {
                        id: k.id().to_owned(),
                        data: wrap_group_key(k, r.encryption_type, &r.public_key).unwrap(),
                    })
                    .collect(),
                encryption_type: r.encryption_type,
            }),
        };
        let payload = match signature_type {
            SignatureType::EcdsaSecp256k1Legacy => msg.legacy_signature_payload(),
            _ => msg.signature_payload(),
        };
        msg.signature = LocalSigner::sign(&self.signer, &payload).unwrap();
        msg
    }
}

// ---------------------------------------------------------------------------------------
// 1. Key loading moves into the core

/// A key the host's store holds for this stream is loaded (one `loadKey`), not requested.
#[test]
fn a_stored_key_bound_to_the_stream_is_loaded_instead_of_requested() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    let key = GroupKey::generate().unwrap();
    net.nodes[p].publisher().rotate(Some(key.clone())).unwrap();
    let publisher = net.nodes[p].id.clone();
    net.nodes[s].key_store.insert(
        (publisher, key.id().to_owned()),
        (key.expose_secret().to_vec(), vec![STREAM.to_owned()]),
    );
    net.publish(p, "\"hello\"");
    net.publish(p, "\"again\"");
    assert_eq!(net.nodes[s].texts(), ["\"hello\"", "\"again\""]);
    assert_eq!(
        loads(&net, s),
        [key.id()],
        "one load, then the key is in memory"
    );
    assert_eq!(net.nodes[s].requests_sent(), 0, "no key exchange needed");
    assert!(net.nodes[s].error_codes().is_empty());
}

/// A key stored for another stream is not handed out for this one: the host answers `None`
/// and the subscriber falls back to key exchange.
#[test]
fn a_key_bound_to_another_stream_is_requested() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    let key = GroupKey::generate().unwrap();
    net.nodes[p].publisher().rotate(Some(key.clone())).unwrap();
    let publisher = net.nodes[p].id.clone();
    net.nodes[s].key_store.insert(
        (publisher, key.id().to_owned()),
        (vec![7; 32], vec!["0xother/stream".to_owned()]),
    );
    net.publish(p, "\"hello\"");
    assert_eq!(net.nodes[s].texts(), ["\"hello\""]);
    assert_eq!(loads(&net, s), [key.id()]);
    assert_eq!(net.nodes[s].requests_sent(), 1);
}

/// Only verified messages of publishers holding PUBLISH make the subscriber read its store,
/// and several messages under one key read it once.
#[test]
fn only_permitted_verified_messages_cause_one_load_per_key() {
    let mut net = Net::default();
    let s = net.add_subscriber(Kex::MlKem);
    let key = sdk_key(1);
    // No PUBLISH.
    let outsider = Author::new();
    net.inject(
        usize::MAX,
        outsider
            .message(&sdk_chain(1), T0, None, encrypted(&key, "\"x\""))
            .to_bytes(),
    );
    // Permitted, but the content was changed after signing.
    let author = Author::permitted(&mut net);
    let forged = with_content(
        &author.message(&sdk_chain(2), T0, None, encrypted(&key, "\"x\"")),
        |c| c.content.push(0),
    );
    net.inject(usize::MAX, forged.to_bytes());
    assert!(loads(&net, s).is_empty(), "{:?}", net.nodes[s].asked);
    assert_eq!(
        net.nodes[s].error_codes(),
        ["PERMISSION_DENIED", "INVALID_SIGNATURE"]
    );
    // Permitted and genuine, three messages in three chains under one key.
    for n in 3..6 {
        let msg = author.message(&sdk_chain(n), T0, None, encrypted(&key, "\"y\""));
        net.inject(usize::MAX, msg.to_bytes());
    }
    assert_eq!(loads(&net, s), [key.id()]);
}

/// Loads are part of key fetches: `max_key_fetches` bounds them (the rest are refused
/// `OVERLOADED`), and a failed load starts the key request.
#[test]
fn loads_are_bounded_and_a_failed_load_starts_the_request() {
    let mut net = Net::default();
    let mut c = SubscriberConfig::new(STREAM);
    c.max_key_fetches = 4;
    let s = net.add_subscriber_with(c, Kex::MlKem);
    let author = Author::permitted(&mut net);
    // The first message settles the PUBLISH answer (cached); then the store stops answering.
    net.inject(
        usize::MAX,
        author
            .message(&sdk_chain(0), T0, None, plain("\"warm\""))
            .to_bytes(),
    );
    net.nodes[s].hold_answers = true;
    for n in 1..=10u32 {
        let msg = author.message(
            &sdk_chain(n as usize),
            T0,
            None,
            encrypted(&sdk_key(n), "\"z\""),
        );
        net.inject(usize::MAX, msg.to_bytes());
    }
    assert_eq!(loads(&net, s).len(), 4, "{:?}", loads(&net, s));
    assert_eq!(net.nodes[s].subscriber().pending_key_fetches(), 4);
    assert_eq!(count(&net.nodes[s].error_codes(), "OVERLOADED"), 6);
    assert_eq!(net.nodes[s].requests_sent(), 0, "no request while loading");
    // The store fails: each load turns into a key request.
    let held = std::mem::take(&mut net.nodes[s].held);
    net.nodes[s].hold_answers = false;
    for (id, _) in held {
        net.give_answer(
            s,
            id,
            Answer::Failed {
                reason: "IndexedDB unavailable".into(),
            },
        );
    }
    net.settle();
    assert_eq!(net.nodes[s].requests_sent(), 4);
}

// ---------------------------------------------------------------------------------------
// 2. Signature re-splitting (Medium 1)

/// Publishes on `p` and returns the content message, caught before anyone received it.
fn publish_caught(
    net: &mut Net,
    p: usize,
    content: &[u8],
    content_type: ContentType,
) -> StreamMessage {
    let caught = intercept(net, is_content);
    let now = net.now;
    net.nodes[p]
        .publisher()
        .publish(content.to_vec(), content_type, now)
        .unwrap();
    net.settle();
    net.drop_if = None;
    caught.borrow()[0].clone()
}

/// The last bytes of the ciphertext moved into a fake `newGroupKey` (id: one byte, data: the
/// rest): same payload, same signature. The forgery arrives first; it must not be delivered
/// cut down, and the genuine message must still be delivered whole.
#[test]
fn ciphertext_tail_moved_into_a_fake_new_group_key() {
    for formats in [Formats::Any, Formats::Sdk] {
        let mut net = Net::default();
        let p = net.add_publisher(PublisherConfig::new(STREAM));
        let s = net.add_subscriber_with(config(formats), Kex::MlKem);
        net.publish(p, "\"first\"");
        let text = format!("\"{}\"", "payment to alice: 100 tokens ".repeat(4));
        // Find a message whose byte before the last 20 is ASCII (a valid one-byte id).
        let genuine = loop {
            let m = publish_caught(&mut net, p, text.as_bytes(), ContentType::Json);
            let Body::Content(c) = &m.body else {
                unreachable!()
            };
            let i = c.content.len() - 21;
            if c.content[i] < 0x80 {
                break m;
            }
            // Not usable: let the subscriber have it and try the next one.
            net.inject(p, m.to_bytes());
        };
        let before = net.nodes[s].texts().len();
        let forged = with_content(&genuine, |c| {
            let tail = c.content.split_off(c.content.len() - 21);
            c.new_group_key = Some(EncryptedGroupKey {
                id: String::from_utf8(tail[..1].to_vec()).unwrap(),
                data: tail[1..].to_vec(),
            });
        });
        assert_eq!(forged.signature_payload(), genuine.signature_payload());
        net.inject(p, forged.to_bytes());
        net.inject(p, genuine.to_bytes());
        let texts = net.nodes[s].texts();
        assert_eq!(&texts[before..], std::slice::from_ref(&text), "{formats:?}");
        assert_eq!(net.nodes[s].subscriber().stats().keys_learned, 1);
    }
}

/// Unencrypted content with a `newGroupKey` is dropped: the SDK never makes it, and it is
/// what cutting plaintext and moving its tail into a fake key looks like.
#[test]
fn unencrypted_content_with_a_new_group_key_is_dropped() {
    for formats in [Formats::Any, Formats::Sdk] {
        let mut net = Net::default();
        let mut pc = PublisherConfig::new(STREAM);
        pc.encrypt = false;
        let p = net.add_publisher(pc);
        let s = net.add_subscriber_with(config(formats), Kex::MlKem);
        let content: Vec<u8> = (0..100u8).map(|i| b'a' + i % 26).collect();
        let genuine = publish_caught(&mut net, p, &content, ContentType::Binary);
        let forged = with_content(&genuine, |c| {
            let tail = c.content.split_off(51);
            c.new_group_key = Some(EncryptedGroupKey {
                id: String::from_utf8(tail[..1].to_vec()).unwrap(),
                data: tail[1..].to_vec(),
            });
        });
        assert_eq!(forged.signature_payload(), genuine.signature_payload());
        net.inject(p, forged.to_bytes());
        net.inject(p, genuine.to_bytes());
        let delivered: Vec<Vec<u8>> = net.nodes[s]
            .delivered
            .iter()
            .map(|d| d.content.clone())
            .collect();
        assert_eq!(delivered, std::slice::from_ref(&content), "{formats:?}");
        assert_eq!(net.nodes[s].error_codes(), ["MALFORMED_MESSAGE"]);
    }
}

/// `prev` digits moved into `msgChainId` (or all of `prev`): a fresh chain, the same
/// signature. Not delivered a second time: refused by form (SDK) or as a replay (any).
#[test]
fn prev_digits_moved_into_the_chain_id_do_not_deliver_twice() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let any = net.add_subscriber_with(config(Formats::Any), Kex::MlKem);
    let sdk = net.add_subscriber_with(config(Formats::Sdk), Kex::MlKem);
    net.publish(p, "\"one\"");
    net.publish(p, "\"pay 100\"");
    let two = sent_of(&net, p, is_content)[1].clone();
    let prev = two.prev.unwrap();
    let digits = format!("{}{}", prev.timestamp, prev.sequence_number);
    let mut one_digit = two.clone();
    one_digit.id.msg_chain_id.push_str(&digits[..1]);
    one_digit.prev = Some(MessageRef {
        timestamp: prev.timestamp.to_string()[1..].parse().unwrap(),
        sequence_number: prev.sequence_number,
    });
    let mut all_digits = two.clone();
    all_digits.id.msg_chain_id.push_str(&digits);
    all_digits.prev = None;
    for forged in [one_digit, all_digits] {
        assert_eq!(forged.signature_payload(), two.signature_payload());
        net.inject(p, forged.to_bytes());
    }
    for n in [any, sdk] {
        assert_eq!(net.nodes[n].texts(), ["\"one\"", "\"pay 100\""]);
    }
    assert_eq!(
        net.nodes[any].error_codes(),
        ["REPLAYED_MESSAGE", "REPLAYED_MESSAGE"]
    );
    assert_eq!(
        net.nodes[sdk].error_codes(),
        ["MALFORMED_MESSAGE", "MALFORMED_MESSAGE"]
    );
}

/// The first content bytes of a chain's first message moved to the end of `msgChainId`: a
/// truncated copy on a fresh chain. Not delivered after the original.
#[test]
fn content_bytes_moved_into_the_chain_id_are_not_delivered() {
    let mut net = Net::default();
    let mut pc = PublisherConfig::new(STREAM);
    pc.encrypt = false;
    let p = net.add_publisher(pc);
    let any = net.add_subscriber_with(config(Formats::Any), Kex::MlKem);
    let sdk = net.add_subscriber_with(config(Formats::Sdk), Kex::MlKem);
    let now = net.now;
    net.nodes[p]
        .publisher()
        .publish(b"xxPAY 100".to_vec(), ContentType::Binary, now)
        .unwrap();
    net.settle();
    let genuine = sent_of(&net, p, is_content)[0].clone();
    assert!(genuine.prev.is_none());
    let mut forged = with_content(&genuine, |c| {
        c.content.drain(..2);
    });
    forged.id.msg_chain_id.push_str("xx");
    assert_eq!(forged.signature_payload(), genuine.signature_payload());
    net.inject(p, forged.to_bytes());
    for n in [any, sdk] {
        let delivered: Vec<Vec<u8>> = net.nodes[n]
            .delivered
            .iter()
            .map(|d| d.content.clone())
            .collect();
        assert_eq!(delivered, [b"xxPAY 100".to_vec()]);
    }
    assert_eq!(net.nodes[any].error_codes(), ["REPLAYED_MESSAGE"]);
    assert_eq!(net.nodes[sdk].error_codes(), ["MALFORMED_MESSAGE"]);
}

/// Timestamp and sequence digits re-split: `T`,`12` becomes `T1`,`2` (ten times the clock:
/// the chain would jump ahead and later genuine messages be dropped as duplicates), or
/// `T/10`,`712` (before any real clock, and before its own `prev`).
#[test]
fn timestamp_and_sequence_digits_re_split() {
    for formats in [Formats::Any, Formats::Sdk] {
        let mut net = Net::default();
        net.now = T0 + 7;
        let p = net.add_publisher(PublisherConfig::new(STREAM));
        let s = net.add_subscriber_with(config(formats), Kex::MlKem);
        for i in 0..13 {
            net.publish(p, &i.to_string());
        }
        let last = sent_of(&net, p, is_content)[12].clone();
        assert_eq!(last.id.sequence_number, 12);
        let digits = format!("{}{}", last.id.timestamp, last.id.sequence_number);
        let mut later = last.clone();
        later.id.timestamp = digits[..14].parse().unwrap();
        later.id.sequence_number = digits[14..].parse().unwrap();
        let mut earlier = last.clone();
        earlier.id.timestamp = digits[..12].parse().unwrap();
        earlier.id.sequence_number = digits[12..].parse().unwrap();
        for forged in [&later, &earlier] {
            assert_eq!(forged.signature_payload(), last.signature_payload());
            net.inject(p, forged.to_bytes());
        }
        net.now += 1;
        net.publish(p, "13");
        let expected: Vec<String> = (0..14).map(|i| i.to_string()).collect();
        assert_eq!(net.nodes[s].texts(), expected, "{formats:?}");
        let codes = net.nodes[s].error_codes();
        // The earlier one fails decoding already: its `prev` is no longer before it.
        assert_eq!(
            codes,
            ["TIMESTAMP_OUT_OF_RANGE", "MALFORMED_MESSAGE"],
            "{formats:?}"
        );
    }
}

/// A timestamp more than `max_clock_skew_ms` ahead of the host's clock is refused.
#[test]
fn timestamps_far_ahead_of_the_clock_are_refused() {
    let mut net = Net::default();
    let s = net.add_subscriber(Kex::MlKem);
    let mut c = SubscriberConfig::new(STREAM);
    c.max_clock_skew_ms = 1_000;
    let tight = net.add_subscriber_with(c, Kex::MlKem);
    let author = Author::permitted(&mut net);
    let now = net.now;
    for (n, (ahead, text)) in [
        (600_001, "\"far\""),
        (600_000, "\"edge\""),
        (1_000, "\"near\""),
    ]
    .into_iter()
    .enumerate()
    {
        let msg = author.message(&sdk_chain(n), now + ahead, None, plain(text));
        net.inject(usize::MAX, msg.to_bytes());
    }
    assert_eq!(net.nodes[s].texts(), ["\"edge\"", "\"near\""]);
    assert_eq!(net.nodes[s].error_codes(), ["TIMESTAMP_OUT_OF_RANGE"]);
    assert_eq!(net.nodes[tight].texts(), ["\"near\""]);
}

/// A key response addressed to us, re-split into a content message (the response's fields
/// become the content bytes): same signer, same signature, refused as a replay.
#[test]
fn a_key_response_replayed_as_content_is_refused() {
    let mut net = Net::default();
    let s = net.add_subscriber_with(config(Formats::Any), Kex::MlKem);
    let author = Author::permitted(&mut net);
    let key = sdk_key(1);
    let now = net.now;
    net.inject(
        usize::MAX,
        author
            .message(&sdk_chain(0), now, None, encrypted(&key, "\"secret\""))
            .to_bytes(),
    );
    let request = sent_of(&net, s, is_request)[0].clone();
    let response = author.response(&request, &[key], SignatureType::EcdsaSecp256k1Evm, now);
    net.inject(usize::MAX, response.to_bytes());
    assert_eq!(net.nodes[s].texts(), ["\"secret\""]);
    // The same header as content: the body's bytes follow it in the payload.
    let mut forged = StreamMessage {
        body: Body::Content(ContentMessage {
            content: vec![],
            content_type: ContentType::Binary,
            encryption_type: EncryptionType::None,
            group_key_id: None,
            new_group_key: None,
        }),
        ..response.clone()
    };
    let header = forged.signature_payload().len();
    let body = response.signature_payload()[header..].to_vec();
    forged = with_content(&forged, |c| c.content = body);
    assert_eq!(forged.signature_payload(), response.signature_payload());
    net.inject(usize::MAX, forged.to_bytes());
    assert_eq!(net.nodes[s].delivered.len(), 1, "nothing more delivered");
    assert_eq!(net.nodes[s].error_codes(), ["REPLAYED_MESSAGE"]);
}

// ---------------------------------------------------------------------------------------
// 3. Planted rotation keys (Medium 2)

/// A rotation message relabelled to the key before it (the chain's current key, which
/// announced another next key): dropped, no key planted, and the next key comes through key
/// exchange.
#[test]
fn a_relabelled_rotation_message_plants_no_key() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"a\"");
    let k1 = net.current_key_id(p);
    net.nodes[p].publisher().rotate(None).unwrap();
    net.publish(p, "\"b\"");
    net.nodes[p].publisher().rotate(None).unwrap();
    let c = publish_caught(&mut net, p, b"\"c\"", ContentType::Json);
    let k3 = net.current_key_id(p);
    net.inject(
        p,
        with_content(&c, |m| m.group_key_id = Some(k1.clone())).to_bytes(),
    );
    net.publish(p, "\"d\"");
    assert_eq!(net.nodes[s].texts(), ["\"a\"", "\"b\"", "\"d\""]);
    assert_eq!(net.nodes[s].error_codes(), ["MALFORMED_MESSAGE"]);
    let publisher = net.nodes[p].id.clone();
    let genuine = net.nodes[p].publisher().current_key().unwrap().clone();
    assert_eq!(
        net.nodes[s]
            .key_store
            .get(&(publisher, k3))
            .map(|e| e.0.clone()),
        Some(genuine.expose_secret().to_vec()),
        "the genuine next key is stored, nothing planted"
    );
}

/// A message relabelled to a key its chain has already left is dropped without a fetch.
#[test]
fn a_message_naming_a_key_the_chain_left_is_dropped() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"a\"");
    let k1 = net.current_key_id(p);
    net.nodes[p].publisher().rotate(None).unwrap();
    net.publish(p, "\"b\"");
    net.publish(p, "\"c\"");
    net.nodes[p].publisher().rotate(None).unwrap();
    let d = publish_caught(&mut net, p, b"\"d\"", ContentType::Json);
    net.inject(
        p,
        with_content(&d, |m| m.group_key_id = Some(k1.clone())).to_bytes(),
    );
    net.publish(p, "\"e\"");
    assert_eq!(net.nodes[s].texts(), ["\"a\"", "\"b\"", "\"c\"", "\"e\""]);
    assert_eq!(net.nodes[s].error_codes(), ["MALFORMED_MESSAGE"]);
    assert_eq!(
        net.nodes[s].requests_sent(),
        2,
        "k1 once, then the missed k3"
    );
}

/// A rotation message relabelled to a key the subscriber got by key exchange, in a chain
/// that announced nothing: its JSON content does not decode, so it is dropped and its
/// `newGroupKey` is not learned; the real next key comes through key exchange.
#[test]
fn content_that_does_not_decode_teaches_no_key() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"a\"");
    let k1 = net.current_key_id(p);
    net.nodes[p].publisher().rekey(None).unwrap();
    let caught = intercept(&mut net, is_content);
    net.publish(p, "\"b\"");
    net.nodes[p].publisher().rotate(None).unwrap();
    net.publish(p, "\"c: long enough not to decode by chance\"");
    net.drop_if = None;
    let c = caught.borrow()[1].clone();
    net.inject(
        p,
        with_content(&c, |m| m.group_key_id = Some(k1.clone())).to_bytes(),
    );
    net.advance(5_000); // the gap left by "b"
    net.publish(p, "\"d\"");
    assert_eq!(net.nodes[s].texts(), ["\"a\"", "\"d\""]);
    assert!(
        net.nodes[s]
            .error_codes()
            .contains(&"INVALID_MESSAGE_CONTENT")
    );
    let publisher = net.nodes[p].id.clone();
    assert!(net.nodes[s].subscriber().has_key(&publisher, &k1));
}

/// A garbage key in the host's store (planted by an older version): content under it does not
/// decode, so the subscriber forgets it, fetches it by key exchange (no second load), stores
/// the real one over it, and delivers the message.
#[test]
fn a_stored_key_that_does_not_decode_is_fetched_again_and_replaced() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    let key = GroupKey::generate().unwrap();
    net.nodes[p].publisher().rotate(Some(key.clone())).unwrap();
    let publisher = net.nodes[p].id.clone();
    let slot = (publisher, key.id().to_owned());
    net.nodes[s]
        .key_store
        .insert(slot.clone(), (vec![0x66; 32], vec![STREAM.to_owned()]));
    net.publish(p, "{\"amount\":100}");
    assert_eq!(net.nodes[s].texts(), ["{\"amount\":100}"]);
    assert_eq!(loads(&net, s), [key.id()]);
    assert_eq!(net.nodes[s].requests_sent(), 1);
    assert_eq!(
        net.nodes[s].key_store[&slot].0,
        key.expose_secret().to_vec(),
        "the fetched key replaced the garbage"
    );
}

/// Binary content cannot tell a wrong key, so a relabelled binary rotation message can still
/// teach a garbage next key; the first JSON message under it does not decode, and the key is
/// fetched again by key exchange and replaces the garbage.
#[test]
fn a_planted_rotation_key_is_replaced_by_key_exchange() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"a\"");
    let k1 = net.current_key_id(p);
    net.nodes[p].publisher().rekey(None).unwrap();
    let caught = intercept(&mut net, is_content);
    let now = net.now;
    net.nodes[p]
        .publisher()
        .publish(b"binary b".to_vec(), ContentType::Binary, now)
        .unwrap();
    net.nodes[p].publisher().rotate(None).unwrap();
    net.nodes[p]
        .publisher()
        .publish(b"binary c".to_vec(), ContentType::Binary, now)
        .unwrap();
    net.settle();
    net.drop_if = None;
    let c = caught.borrow()[1].clone();
    let k3 = net.current_key_id(p);
    net.inject(
        p,
        with_content(&c, |m| m.group_key_id = Some(k1.clone())).to_bytes(),
    );
    net.advance(5_000);
    net.publish(p, "{\"after\":true}");
    assert_eq!(
        net.nodes[s].delivered.last().map(|d| d.content.as_slice()),
        Some(&b"{\"after\":true}"[..])
    );
    let publisher = net.nodes[p].id.clone();
    let genuine = net.nodes[p].publisher().current_key().unwrap().clone();
    assert_eq!(genuine.id(), k3);
    assert_eq!(
        net.nodes[s].key_store[&(publisher, k3)].0,
        genuine.expose_secret().to_vec()
    );
}

// ---------------------------------------------------------------------------------------
// 4. ERC-1271 content before verification (Medium 3)

/// A subscriber driven directly, with a host that answers PUBLISH from a table and ERC-1271
/// from a set of valid signatures, optionally holding the ERC-1271 answers back.
struct Erc1271Host {
    sub: Subscriber,
    may_publish: HashSet<UserId>,
    valid: HashSet<Vec<u8>>,
    hold_erc1271: bool,
    held: Vec<(QuestionId, Vec<u8>)>,
    erc1271_asked: usize,
    delivered: Vec<String>,
    errors: Vec<&'static str>,
}

const CONTRACT: [u8; 20] = [0xcc; 20];

impl Erc1271Host {
    fn new() -> Self {
        let sub = Subscriber::new(
            SubscriberConfig::new(STREAM),
            Signing::Local(Box::new(EvmSigner::generate().unwrap())),
            KeyExchange::Internal(Box::new(MlKemKeyPair::generate().unwrap())),
            T0,
        )
        .unwrap();
        Erc1271Host {
            sub,
            may_publish: HashSet::from([UserId::from(CONTRACT)]),
            valid: HashSet::new(),
            hold_erc1271: false,
            held: vec![],
            erc1271_asked: 0,
            delivered: vec![],
            errors: vec![],
        }
    }

    fn drain(&mut self) {
        while let Some(out) = self.sub.poll_output() {
            match out {
                Output::Ask { id, question } => match question {
                    Question::Permission { user, .. } => {
                        let allowed = self.may_publish.contains(&user);
                        self.sub
                            .answer(id, Answer::Permission(allowed), T0)
                            .unwrap();
                    }
                    Question::Erc1271 { signature, .. } => {
                        self.erc1271_asked += 1;
                        if self.hold_erc1271 {
                            self.held.push((id, signature));
                        } else {
                            let valid = self.valid.contains(&signature);
                            self.sub.answer(id, Answer::Permission(valid), T0).unwrap();
                        }
                    }
                    other => panic!("unexpected {other:?}"),
                },
                Output::Deliver(d) => self.delivered.push(String::from_utf8(d.content).unwrap()),
                Output::Event(Event::Error { code, .. }) => self.errors.push(code.as_str()),
                _ => {}
            }
        }
    }

    fn feed(&mut self, msg: &StreamMessage) {
        self.sub.handle_message(&msg.to_bytes(), T0);
        self.drain();
    }

    /// Answers the held ERC-1271 questions, in the order given by `order` (indices).
    fn release(&mut self, order: &[usize]) {
        let held = std::mem::take(&mut self.held);
        for &i in order {
            let (id, sig) = &held[i];
            let valid = self.valid.contains(sig);
            self.sub.answer(*id, Answer::Permission(valid), T0).unwrap();
            self.drain();
        }
    }
}

/// An ERC-1271 content message in the contract's name: `valid` adds its signature to the
/// contract's accepted set.
fn erc1271_message(
    host: &mut Erc1271Host,
    contract: [u8; 20],
    chain: &str,
    timestamp: u64,
    prev: Option<u64>,
    text: &str,
    valid: bool,
) -> StreamMessage {
    let signature = format!("sig {chain} {timestamp} {text} {valid}").into_bytes();
    if valid {
        host.valid.insert(signature.clone());
    }
    StreamMessage {
        id: MessageId {
            stream_id: STREAM.into(),
            partition: 0,
            timestamp,
            sequence_number: 0,
            publisher_id: UserId::from(contract),
            msg_chain_id: chain.into(),
        },
        prev: prev.map(|t| MessageRef {
            timestamp: t,
            sequence_number: 0,
        }),
        signature,
        signature_type: SignatureType::Erc1271,
        body: Body::Content(plain(text)),
    }
}

/// One forged message with a future timestamp, in a permitted contract's name, arriving
/// before the genuine ones: the contract rejects it, and the chain is untouched.
#[test]
fn a_forged_erc1271_message_does_not_silence_the_chain() {
    let mut host = Erc1271Host::new();
    let chain = sdk_chain(1);
    let forged = erc1271_message(
        &mut host,
        CONTRACT,
        &chain,
        T0 + 60_000,
        None,
        "\"forged\"",
        false,
    );
    let m1 = erc1271_message(&mut host, CONTRACT, &chain, T0, None, "\"one\"", true);
    let m2 = erc1271_message(
        &mut host,
        CONTRACT,
        &chain,
        T0 + 1,
        Some(T0),
        "\"two\"",
        true,
    );
    for m in [&forged, &m1, &m2] {
        host.feed(m);
    }
    assert_eq!(host.delivered, ["\"one\"", "\"two\""]);
    assert_eq!(host.errors, ["INVALID_SIGNATURE"]);
}

/// PUBLISH is checked before the contract is called: a contract without it costs no
/// `eth_call`.
#[test]
fn erc1271_publish_is_checked_before_the_contract() {
    let mut host = Erc1271Host::new();
    host.may_publish.clear();
    let m = erc1271_message(&mut host, CONTRACT, &sdk_chain(1), T0, None, "\"x\"", true);
    host.feed(&m);
    assert_eq!(host.erc1271_asked, 0);
    assert!(host.delivered.is_empty());
    assert_eq!(host.errors, ["PERMISSION_DENIED"]);
}

/// Forgeries in a permitted contract's name wait outside the chains, within bounds (per
/// publisher and overall); another contract's messages still get through, and answers that
/// come out of order keep chain order.
#[test]
fn unverified_messages_wait_outside_the_chains_within_bounds() {
    let mut host = Erc1271Host::new();
    let other: [u8; 20] = [0xdd; 20];
    host.may_publish.insert(UserId::from(other));
    host.hold_erc1271 = true;
    for n in 0..300 {
        let m = erc1271_message(&mut host, CONTRACT, &sdk_chain(n), T0, None, "\"f\"", false);
        host.feed(&m);
    }
    assert_eq!(host.erc1271_asked, 64, "per-publisher bound");
    assert_eq!(count(&host.errors, "OVERLOADED"), 300 - 64);
    assert_eq!(
        host.sub.known_chains(),
        0,
        "no chain state from unverified messages"
    );
    assert_eq!(host.sub.held_messages(), 64);
    // The same forgery again while it waits costs nothing more.
    let again = erc1271_message(&mut host, CONTRACT, &sdk_chain(0), T0, None, "\"f\"", false);
    host.feed(&again);
    assert_eq!(host.erc1271_asked, 64);
    // Another contract's chain, three messages.
    let chain = sdk_chain(1000);
    let ms = [
        erc1271_message(&mut host, other, &chain, T0, None, "\"o1\"", true),
        erc1271_message(&mut host, other, &chain, T0 + 1, Some(T0), "\"o2\"", true),
        erc1271_message(
            &mut host,
            other,
            &chain,
            T0 + 2,
            Some(T0 + 1),
            "\"o3\"",
            true,
        ),
    ];
    for m in &ms {
        host.feed(m);
    }
    assert_eq!(host.erc1271_asked, 67);
    // The contract answers: the other contract's in reverse order, then the forgeries.
    let mut order: Vec<usize> = vec![66, 65, 64];
    order.extend(0..64);
    host.release(&order);
    assert_eq!(host.delivered, ["\"o1\"", "\"o2\"", "\"o3\""]);
    assert_eq!(count(&host.errors, "INVALID_SIGNATURE"), 64);
    assert_eq!(host.sub.known_chains(), 1);
}

// ---------------------------------------------------------------------------------------
// 5. LEGACY signatures on key responses

/// No SDK version makes LEGACY key responses, and the LEGACY payload of a response decodes
/// the protobuf body lossily as UTF-8 (malleable): refused. The EVM-signed response works.
#[test]
fn a_legacy_signed_key_response_is_refused() {
    let mut net = Net::default();
    let s = net.add_subscriber(Kex::MlKem);
    let author = Author::permitted(&mut net);
    let key = sdk_key(1);
    let now = net.now;
    net.inject(
        usize::MAX,
        author
            .message(&sdk_chain(0), now, None, encrypted(&key, "\"x\""))
            .to_bytes(),
    );
    let request = sent_of(&net, s, is_request)[0].clone();
    let legacy = author.response(
        &request,
        std::slice::from_ref(&key),
        SignatureType::EcdsaSecp256k1Legacy,
        now,
    );
    assert_eq!(
        streamr_e2ee::identity::verify_message(&legacy),
        Ok(streamr_e2ee::identity::Verification::Valid),
        "a valid LEGACY signature"
    );
    net.inject(usize::MAX, legacy.to_bytes());
    assert!(net.nodes[s].texts().is_empty());
    assert_eq!(net.nodes[s].subscriber().known_keys(), 0);
    assert_eq!(net.nodes[s].error_codes(), ["INVALID_SIGNATURE"]);
    let evm = author.response(&request, &[key], SignatureType::EcdsaSecp256k1Evm, now);
    net.inject(usize::MAX, evm.to_bytes());
    assert_eq!(net.nodes[s].texts(), ["\"x\""]);
}

// ---------------------------------------------------------------------------------------
// 6. Id length and count bounds (Medium 4), in every mode, before any store question

#[test]
fn oversized_ids_are_refused_before_any_store_question() {
    let mut net = Net::default();
    let s = net.add_subscriber_with(config(Formats::Any), Kex::MlKem);
    let author = Author::permitted(&mut net);
    let now = net.now;
    let long_key = GroupKey::new("k".repeat(256), &[1; 32]).unwrap();
    let mut long = encrypted(&long_key, "\"x\"");
    long.group_key_id = Some("k".repeat(300));
    let mut long_next = encrypted(&sdk_key(2), "\"x\"");
    long_next.new_group_key = Some(EncryptedGroupKey {
        id: "n".repeat(300),
        data: vec![0; 48],
    });
    let mut long_next_plain = plain("\"x\"");
    long_next_plain.new_group_key = Some(EncryptedGroupKey {
        id: "n".repeat(300),
        data: vec![0; 48],
    });
    let msgs = [
        author.message(&sdk_chain(1), now, None, long),
        author.message(&sdk_chain(2), now, None, long_next),
        author.message(&sdk_chain(3), now, None, long_next_plain),
        author.message(&"c".repeat(300), now, None, plain("\"x\"")),
    ];
    for m in &msgs {
        net.inject(usize::MAX, m.to_bytes());
    }
    assert!(loads(&net, s).is_empty(), "{:?}", loads(&net, s));
    assert_eq!(net.nodes[s].requests_sent(), 0);
    assert!(net.nodes[s].delivered.is_empty());
    assert_eq!(net.nodes[s].error_codes(), vec!["MALFORMED_MESSAGE"; 4]);
    // A response with 17 keys (ours among them) is refused too; one with ours alone works.
    net.nodes[s].events.clear();
    let key = sdk_key(1);
    net.inject(
        usize::MAX,
        author
            .message(&sdk_chain(5), now, None, encrypted(&key, "\"y\""))
            .to_bytes(),
    );
    let request = sent_of(&net, s, is_request)[0].clone();
    let mut many: Vec<GroupKey> = (10..26).map(sdk_key).collect();
    many.push(key.clone());
    let too_many = author.response(&request, &many, SignatureType::EcdsaSecp256k1Evm, now);
    net.inject(usize::MAX, too_many.to_bytes());
    assert_eq!(net.nodes[s].subscriber().known_keys(), 0);
    assert_eq!(net.nodes[s].error_codes(), ["MALFORMED_MESSAGE"]);
    let one = author.response(&request, &[key], SignatureType::EcdsaSecp256k1Evm, now + 1);
    net.inject(usize::MAX, one.to_bytes());
    assert_eq!(net.nodes[s].texts(), ["\"y\""]);
}
