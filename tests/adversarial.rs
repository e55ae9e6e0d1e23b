//! Adversarial scenarios over the in-memory network (`tests/suite/net.rs`), beyond what
//! `tests/suite/scenarios.rs` already covers (forged requests, an 11-minute replay, forged and
//! non-publisher responses, request floods of 50 identities, unauthorised publishers):
//! truncated, re-signed and replayed requests and responses, responses meant for someone
//! else, relabelled unsigned fields, both edges of the staleness window, oversized fields,
//! 10,000 key requests from 10,000 identities and 100,000 messages for unknown keys.
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
use std::rc::Rc;

use net::{Kex, Net, STREAM, decoded, is_content, is_response};
use streamr_e2ee::exchange::{KeyExchangeKeyPair, MlKemKeyPair};
use streamr_e2ee::identity::LocalSigner;
use streamr_e2ee::identity::evm::EvmSigner;
use streamr_e2ee::publisher::PublisherConfig;
use streamr_e2ee::subscriber::SubscriberConfig;
use streamr_e2ee::wire::{
    AsymmetricEncryptionType, Body, ContentMessage, ContentType, EncryptionType, GroupKeyRequest,
    MessageId, SignatureType,
};
use streamr_e2ee::{StreamMessage, UserId};

fn requests(net: &Net, n: usize) -> Vec<Vec<u8>> {
    net.nodes[n]
        .sent
        .iter()
        .filter(|b| matches!(decoded(b).body, Body::KeyRequest(_)))
        .cloned()
        .collect()
}

fn responses(net: &Net, n: usize) -> Vec<Vec<u8>> {
    net.nodes[n]
        .sent
        .iter()
        .filter(|b| matches!(decoded(b).body, Body::KeyResponse(_)))
        .cloned()
        .collect()
}

fn contents(net: &Net, n: usize) -> Vec<StreamMessage> {
    net.nodes[n]
        .sent
        .iter()
        .map(|b| decoded(b))
        .filter(|m| matches!(m.body, Body::Content(_)))
        .collect()
}

/// A key request signed by `signer`, for `key_id`, from the ML-KEM key `pk`, at `timestamp`.
fn signed_request(
    signer: &EvmSigner,
    publisher: &UserId,
    key_id: &str,
    pk: &[u8],
    timestamp: u64,
) -> StreamMessage {
    let mut msg = StreamMessage {
        id: MessageId {
            stream_id: STREAM.into(),
            partition: 0,
            timestamp,
            sequence_number: 0,
            publisher_id: signer.user_id(),
            msg_chain_id: "adversary00000000000".into(),
        },
        prev: None,
        signature: vec![],
        signature_type: SignatureType::EcdsaSecp256k1Evm,
        body: Body::KeyRequest(GroupKeyRequest {
            // A uuid (the SDK's form) made from the timestamp: one request id per timestamp.
            request_id: format!(
                "{:08x}-0000-4000-8000-{:012x}",
                timestamp >> 48,
                timestamp & 0xffff_ffff_ffff
            ),
            recipient_id: publisher.clone(),
            public_key: pk.to_vec(),
            group_key_ids: vec![key_id.into()],
            encryption_type: AsymmetricEncryptionType::MlKem,
        }),
    };
    msg.signature = LocalSigner::sign(signer, &msg.signature_payload()).unwrap();
    msg
}

/// Holds back (does not deliver) up to `limit` messages whose body `what` selects, and
/// returns them as they were on the wire.
fn intercept(net: &mut Net, limit: usize, what: fn(&Body) -> bool) -> Rc<RefCell<Vec<Vec<u8>>>> {
    let caught = Rc::new(RefCell::new(Vec::new()));
    let sink = caught.clone();
    net.drop_if = Some(Box::new(move |b| {
        let hit = StreamMessage::from_bytes(b).is_ok_and(|m| what(&m.body));
        if hit && sink.borrow().len() < limit {
            sink.borrow_mut().push(b.to_vec());
            return true;
        }
        false
    }));
    caught
}

/// The floods run at a tenth of their size by default (CI time: they sign and verify every
/// message); `FULL_FLOODS=1` runs them at full size: 10,000 requests, 100,000 messages.
fn flood_divisor() -> usize {
    if std::env::var("FULL_FLOODS").is_ok_and(|v| v == "1") {
        1
    } else {
        10
    }
}

/// Every prefix of a genuine request is refused without a response; every prefix of a genuine
/// response leaves the subscriber without a key, and the whole response still works after.
#[test]
fn truncated_requests_and_responses_release_nothing() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    // Capture the first response on the wire instead of delivering it.
    let caught = intercept(&mut net, 1, is_response);
    net.publish(p, "\"secret\"");
    assert!(net.nodes[s].texts().is_empty());
    let response = caught.borrow()[0].clone();
    let request = requests(&net, s)[0].clone();
    let answered = net.nodes[p].answered();
    for cut in 0..request.len() {
        net.inject(s, request[..cut].to_vec());
    }
    assert_eq!(
        net.nodes[p].answered(),
        answered,
        "no prefix of a request is answered"
    );
    for cut in 0..response.len() {
        net.inject(p, response[..cut].to_vec());
    }
    assert!(
        net.nodes[s].texts().is_empty(),
        "no prefix of a response releases the key"
    );
    assert_eq!(net.nodes[s].subscriber().stats().keys_learned, 0);
    net.inject(p, response);
    assert_eq!(net.nodes[s].texts(), ["\"secret\""]);
}

/// An attacker takes a genuine request, puts in its own key-exchange key and re-signs it in
/// its own name: it has no SUBSCRIBE, so it gets nothing. Re-signed in the subscriber's name
/// it is a forgery.
#[test]
fn re_signed_request_gets_nothing() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"x\"");
    let key_id = net.current_key_id(p);
    let attacker = EvmSigner::generate().unwrap();
    let own = MlKemKeyPair::generate().unwrap();
    let mut msg = decoded(&requests(&net, s)[0]);
    if let Body::KeyRequest(r) = &mut msg.body {
        r.public_key = own.public_key().to_vec();
        r.group_key_ids = vec![key_id];
    }
    msg.id.timestamp = net.now;
    let answered = net.nodes[p].answered();
    // In the subscriber's name, signed by the attacker.
    msg.signature = LocalSigner::sign(&attacker, &msg.signature_payload()).unwrap();
    net.inject(s, msg.to_bytes());
    // In its own name.
    msg.id.publisher_id = attacker.user_id();
    msg.signature = LocalSigner::sign(&attacker, &msg.signature_payload()).unwrap();
    net.inject(s, msg.to_bytes());
    assert_eq!(
        net.nodes[p].denials(),
        ["INVALID_SIGNATURE", "PERMISSION_DENIED"]
    );
    assert_eq!(net.nodes[p].answered(), answered);
}

/// A genuine request replayed within the window is refused (`REPLAYED_MESSAGE`; the SDK
/// answers it again) without asking anything or using up the requester's budget; the one
/// response sent is wrapped for the genuine subscriber's key-exchange key, which the replayer
/// does not have.
#[test]
fn replayed_request_is_refused_and_leaks_nothing() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"x\"");
    let request = requests(&net, s)[0].clone();
    let attacker_kex = MlKemKeyPair::generate().unwrap();
    let before = responses(&net, p).len();
    let asked = net.nodes[p].asked.len();
    for _ in 0..30 {
        net.inject(s, request.clone());
    }
    let replies = responses(&net, p);
    assert_eq!(replies.len(), before, "no replay is answered");
    assert_eq!(net.nodes[p].asked.len(), asked, "no replay asks the host");
    assert_eq!(net.nodes[p].denials(), vec!["REPLAYED_MESSAGE"; 30]);
    for reply in &replies {
        let Body::KeyResponse(r) = decoded(reply).body else {
            unreachable!()
        };
        assert_eq!(r.recipient_id, net.nodes[s].id);
        for k in &r.group_keys {
            let stolen = attacker_kex.unwrap_group_key(&k.id, &k.data);
            let real = net.nodes[p].publisher().current_key().unwrap().clone();
            assert!(
                stolen.map_or(true, |key| key != real),
                "the replayer unwrapped the key"
            );
        }
    }
    assert_eq!(net.nodes[s].subscriber().stats().keys_learned, 1);
    assert!(net.nodes[s].error_codes().is_empty());
    // The replays used none of the subscriber's budget: after a rekey its new request is served.
    net.nodes[p].publisher().rekey(None).unwrap();
    net.publish(p, "\"y\"");
    assert_eq!(net.nodes[s].texts(), ["\"x\"", "\"y\""]);
}

/// A response replayed after it was used is ignored: no key learned twice, no error, no
/// delivery.
#[test]
fn replayed_response_is_ignored() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"x\"");
    let response = responses(&net, p)[0].clone();
    for _ in 0..5 {
        net.inject(p, response.clone());
    }
    assert_eq!(net.nodes[s].subscriber().stats().keys_learned, 1);
    assert_eq!(net.nodes[s].stored.len(), 1);
    assert_eq!(net.nodes[s].texts(), ["\"x\""]);
    assert!(net.nodes[s].error_codes().is_empty());
}

/// A subscriber without SUBSCRIBE sees the response meant for a permitted one pass by: it
/// is addressed to someone else and wrapped for someone else's key, so nothing is learned.
#[test]
fn response_for_someone_else_is_useless() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let allowed = net.add_subscriber(Kex::MlKem);
    let denied = net.add_subscriber(Kex::MlKem);
    let id = net.nodes[denied].id.clone();
    net.subscribers_allowed.remove(&id);
    net.publish(p, "\"x\"");
    assert_eq!(net.nodes[allowed].texts(), ["\"x\""]);
    assert!(net.nodes[denied].texts().is_empty());
    assert_eq!(net.nodes[denied].subscriber().known_keys(), 0);
    // Replaying the allowed subscriber's response at it changes nothing either.
    let response = responses(&net, p)[0].clone();
    net.inject(p, response);
    assert_eq!(net.nodes[denied].subscriber().known_keys(), 0);
    net.advance(31_000);
    assert!(net.nodes[denied].texts().is_empty());
    assert!(
        net.nodes[denied]
            .error_codes()
            .contains(&"KEY_REQUEST_TIMEOUT")
    );
}

/// The staleness window (`max_key_request_age_ms`, 10 min) both ways: exactly at the edge a
/// request is answered, one millisecond beyond it is `STALE_REQUEST`.
#[test]
fn stale_request_edges() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    net.publish(p, "\"x\"");
    let key_id = net.current_key_id(p);
    let requester = EvmSigner::generate().unwrap();
    net.subscribers_allowed.insert(requester.user_id());
    let pk = MlKemKeyPair::generate().unwrap().public_key().to_vec();
    let publisher = net.nodes[p].id.clone();
    let window = 10 * 60 * 1000;
    let now = net.now;
    let cases = [
        (now - window, true),
        (now - window - 1, false),
        (now + window, true),
        (now + window + 1, false),
    ];
    for (timestamp, fresh) in cases {
        let before = (net.nodes[p].answered(), net.nodes[p].denials().len());
        let msg = signed_request(&requester, &publisher, &key_id, &pk, timestamp);
        net.inject(usize::MAX, msg.to_bytes()); // from outside the network
        let after = (net.nodes[p].answered(), net.nodes[p].denials().len());
        if fresh {
            assert_eq!(
                after,
                (before.0 + 1, before.1),
                "t = now {:+}",
                timestamp as i64 - now as i64
            );
        } else {
            assert_eq!(after.0, before.0);
            assert_eq!(net.nodes[p].denials().last(), Some(&"STALE_REQUEST"));
        }
    }
}

fn relabel(msg: &StreamMessage, f: impl FnOnce(&mut ContentMessage)) -> Vec<u8> {
    let mut msg = msg.clone();
    if let Body::Content(c) = &mut msg.body {
        f(c);
    }
    msg.to_bytes()
}

/// `encryptionType` is unsigned. Relabelled AES → NONE in transit, the ciphertext would be
/// delivered as if it were plaintext; in a chain that delivered encrypted content it is
/// dropped (`ENCRYPTION_POLICY_VIOLATION`), and with `require_encryption` always.
#[test]
fn relabelled_encryption_type_is_not_delivered() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    let mut strict = SubscriberConfig::new(STREAM);
    strict.require_encryption = true;
    let s2 = net.add_subscriber_with(strict, Kex::MlKem);
    // Intercept the second message and forward a relabelled copy instead.
    net.publish(p, "\"one\"");
    let caught = intercept(&mut net, usize::MAX, is_content);
    net.publish(p, "\"two\"");
    net.drop_if = None;
    let two = decoded(&caught.borrow()[0]);
    net.inject(
        p,
        relabel(&two, |c| c.encryption_type = EncryptionType::None),
    );
    for n in [s, s2] {
        assert_eq!(net.nodes[n].texts(), ["\"one\""]);
        assert_eq!(net.nodes[n].error_codes(), ["ENCRYPTION_POLICY_VIOLATION"]);
    }
    // The genuine message is a duplicate of the dropped one now; the next one goes through.
    net.publish(p, "\"three\"");
    for n in [s, s2] {
        assert_eq!(net.nodes[n].texts(), ["\"one\"", "\"three\""]);
    }
    // A new chain's very first message relabelled: only `require_encryption` can tell.
    let mut fresh = Net::default();
    let p = fresh.add_publisher(PublisherConfig::new(STREAM));
    let mut strict = SubscriberConfig::new(STREAM);
    strict.require_encryption = true;
    let s = fresh.add_subscriber_with(strict, Kex::MlKem);
    fresh.nodes[s].hold_answers = false;
    let now = fresh.now;
    fresh.nodes[p]
        .publisher()
        .publish(b"\"first\"".to_vec(), ContentType::Json, now)
        .unwrap();
    let first = contents(&fresh, p);
    let first = match first.first() {
        Some(m) => m.clone(),
        None => {
            // Not yet drained: take it from the publisher's outputs via the network.
            let caught = intercept(&mut fresh, usize::MAX, is_content);
            fresh.settle();
            fresh.drop_if = None;
            decoded(&caught.borrow()[0])
        }
    };
    fresh.inject(
        p,
        relabel(&first, |c| c.encryption_type = EncryptionType::None),
    );
    assert!(fresh.nodes[s].delivered.is_empty());
    assert_eq!(
        fresh.nodes[s].error_codes(),
        ["ENCRYPTION_POLICY_VIOLATION"]
    );
}

/// `groupKeyId` is unsigned. Relabelled to an id the publisher never made, the subscriber asks
/// the real publisher for it, gets no answer and drops the message (no plaintext, no key);
/// relabelled to another key of the same publisher it decrypts to garbage: JSON content then
/// fails the core's JSON check (`tests/subscriber_attacks.rs`), binary content cannot be told
/// apart (CTR has no tag, as in the SDK: see SECURITY.md).
#[test]
fn relabelled_group_key_id() {
    // In the SDK's form: other forms are refused before any key lookup (strict formats).
    const NEVER_MADE: &str = "00000000-0000-4000-8000-000000000000-GroupKey1";
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"one\"");
    let one = contents(&net, p)[0].clone();
    let mut fake = one.clone();
    fake.id.timestamp += 1;
    fake.prev = Some(one.id.reference());
    // The signature no longer matches the moved message: it is dropped before any key lookup.
    net.inject(
        p,
        relabel(&fake, |c| c.group_key_id = Some(NEVER_MADE.into())),
    );
    assert_eq!(net.nodes[s].error_codes(), ["INVALID_SIGNATURE"]);
    // A genuine next message relabelled: asks the publisher for NEVER_MADE, which does not
    // answer for a key it does not have; the message is dropped after the timeout.
    let caught = intercept(&mut net, usize::MAX, is_content);
    net.publish(p, "\"two\"");
    net.drop_if = None;
    let two = decoded(&caught.borrow()[0]);
    net.inject(
        p,
        relabel(&two, |c| c.group_key_id = Some(NEVER_MADE.into())),
    );
    net.advance(31_000);
    assert_eq!(net.nodes[s].texts(), ["\"one\""]);
    assert!(net.nodes[s].error_codes().contains(&"KEY_REQUEST_TIMEOUT"));
    assert_eq!(
        net.nodes[p].answered(),
        1,
        "nothing was answered for the fake id"
    );
}

/// The request's `encryptionType` is unsigned: flipping it makes the publisher read the key as
/// the other scheme, which fails to parse (`INVALID_KEY`); nothing is sent. The response's:
/// the subscriber refuses a response in another scheme than it asked, and retries.
#[test]
fn relabelled_key_exchange_type() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    net.nodes[p].hold_answers = true;
    net.publish(p, "\"x\"");
    let mut request = decoded(&requests(&net, s)[0]);
    if let Body::KeyRequest(r) = &mut request.body {
        r.encryption_type = AsymmetricEncryptionType::Rsa;
    }
    net.nodes[p].hold_answers = false;
    net.release_answers(p);
    let answered = net.nodes[p].answered();
    assert_eq!(answered, 1);
    net.inject(s, request.to_bytes());
    assert_eq!(net.nodes[p].answered(), answered);
    assert!(net.nodes[p].denials().contains(&"INVALID_KEY"));
    // The response relabelled to RSA at a fresh subscriber.
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    intercept(&mut net, 1, is_response);
    net.publish(p, "\"x\"");
    let mut response = decoded(&responses(&net, p)[0]);
    if let Body::KeyResponse(r) = &mut response.body {
        r.encryption_type = AsymmetricEncryptionType::Rsa;
    }
    net.inject(p, response.to_bytes());
    assert!(net.nodes[s].texts().is_empty());
    assert_eq!(net.nodes[s].error_codes(), ["MALFORMED_MESSAGE"]);
    net.advance(3_000);
    assert_eq!(net.nodes[s].texts(), ["\"x\""], "the retry gets the key");
}

/// Oversized request fields are refused before any work (`MALFORMED_MESSAGE`), whoever signs.
#[test]
fn oversized_request_fields_are_refused() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    net.publish(p, "\"x\"");
    let key_id = net.current_key_id(p);
    let requester = EvmSigner::generate().unwrap();
    net.subscribers_allowed.insert(requester.user_id());
    let pk = MlKemKeyPair::generate().unwrap().public_key().to_vec();
    let publisher = net.nodes[p].id.clone();
    let now = net.now;
    let base = signed_request(&requester, &publisher, &key_id, &pk, now);
    let variants: Vec<fn(&mut GroupKeyRequest)> = vec![
        |r| r.public_key = vec![7; 4097],
        |r| r.group_key_ids = vec!["k".into(); 17],
        |r| r.request_id = "r".repeat(129),
        |r| r.group_key_ids = vec![],
        |r| r.public_key = vec![],
    ];
    for (i, change) in variants.iter().enumerate() {
        let mut msg = base.clone();
        msg.id.sequence_number = i as u32 + 1;
        if let Body::KeyRequest(r) = &mut msg.body {
            change(r);
        }
        msg.signature = LocalSigner::sign(&requester, &msg.signature_payload()).unwrap();
        net.inject(usize::MAX, msg.to_bytes()); // from outside the network
    }
    assert_eq!(net.nodes[p].denials(), vec!["MALFORMED_MESSAGE"; 5]);
    assert_eq!(net.nodes[p].answered(), 0);
}

/// 10,000 validly signed key requests from 10,000 identities at the same instant (while the
/// registry has not answered): at most `max_pending_key_requests` wait, the rest are refused
/// `OVERLOADED` at once; memory stays bounded, and a legitimate subscriber is served once the
/// registry answers (its retry gets through).
#[test]
fn ten_thousand_requests_from_many_identities() {
    let mut net = Net::default();
    let d = flood_divisor();
    let (total, bound) = (10_000 / d, 1_000 / d);
    let mut config = PublisherConfig::new(STREAM);
    config.max_pending_key_requests = bound;
    let p = net.add_publisher(config);
    let s = net.add_subscriber(Kex::MlKem);
    net.nodes[p].hold_answers = true;
    net.publish(p, "\"x\"");
    let key_id = net.current_key_id(p);
    let pk = MlKemKeyPair::generate().unwrap().public_key().to_vec();
    let publisher = net.nodes[p].id.clone();
    let now = net.now;
    let waiting = net.nodes[p].publisher().pending_key_requests();
    for i in 0..total as u64 {
        let signer = EvmSigner::generate().unwrap();
        let msg = signed_request(&signer, &publisher, &key_id, &pk, now + i % 1000);
        net.nodes[p]
            .publisher()
            .handle_message(&msg.to_bytes(), now);
        assert!(net.nodes[p].publisher().pending_key_requests() <= bound);
        if i % 1000 == 999 {
            net.settle();
        }
    }
    net.settle();
    assert_eq!(net.nodes[p].publisher().pending_key_requests(), bound);
    let overloaded = net.nodes[p]
        .denials()
        .iter()
        .filter(|c| **c == "OVERLOADED")
        .count();
    // The rate limiter tracks 10,000 requesters; past that, while every tracked bucket is
    // busy (≤ 2 s), a new identity is refused `RATE_LIMITED` instead (full size: the last one).
    let limited = net.nodes[p]
        .denials()
        .iter()
        .filter(|c| **c == "RATE_LIMITED")
        .count();
    assert_eq!(
        overloaded + limited,
        total + waiting - bound,
        "every request beyond the bound"
    );
    assert_eq!(limited, (total + waiting).saturating_sub(10_000));
    // The registry answers (the flood's identities have no SUBSCRIBE); the subscriber retries.
    net.release_answers(p);
    net.advance(10_000);
    assert_eq!(net.nodes[s].texts(), ["\"x\""]);
    assert_eq!(net.nodes[p].publisher().pending_key_requests(), 0);
}

fn flood_message(flooder: &EvmSigner, i: u32, now: u64) -> Vec<u8> {
    let mut msg = StreamMessage {
        id: MessageId {
            stream_id: STREAM.into(),
            partition: 0,
            timestamp: now + u64::from(i / 100),
            sequence_number: 0,
            publisher_id: flooder.user_id(),
            msg_chain_id: format!("flood{:015}", i % 100),
        },
        prev: None,
        signature: vec![],
        signature_type: SignatureType::EcdsaSecp256k1Evm,
        body: Body::Content(ContentMessage {
            content: vec![0; 32],
            content_type: ContentType::Binary,
            encryption_type: EncryptionType::Aes,
            group_key_id: Some(format!("{i:08x}-0000-4000-8000-{i:012x}-GroupKey1")),
            new_group_key: None,
        }),
    };
    msg.signature = LocalSigner::sign(flooder, &msg.signature_payload()).unwrap();
    msg.to_bytes()
}

/// 100,000 validly signed messages for 100,000 unknown keys over 100 chains, from an identity
/// without PUBLISH (anyone can put messages on a stream partition): held messages and fetches
/// stay within their bounds, no key is loaded or requested for them, and a legitimate
/// publisher's message is delivered at once.
#[test]
fn hundred_thousand_messages_for_unknown_keys() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::MlKem);
    let flooder = EvmSigner::generate().unwrap();
    let now = net.now;
    let total = 100_000 / flood_divisor() as u32;
    for i in 0..total {
        net.nodes[s]
            .subscriber()
            .handle_message(&flood_message(&flooder, i, now), now);
        let sub = net.nodes[s].subscriber();
        assert!(sub.held_messages() <= 10_000);
        assert_eq!(sub.pending_key_fetches(), 0);
        if i % 5_000 == 4_999 {
            net.settle();
            net.nodes[s].events.clear();
        }
    }
    net.settle();
    assert!(
        !net.nodes[s]
            .asked
            .iter()
            .any(|q| matches!(q, streamr_e2ee::host::Question::LoadKey { .. })),
        "no key-store read for an identity without PUBLISH"
    );
    let sub = net.nodes[s].subscriber();
    assert_eq!(sub.stats().dropped, u64::from(total));
    assert_eq!(sub.stats().key_requests_sent, 0);
    assert!(sub.held_messages() == 0 && sub.known_chains() <= 10_000);
    net.publish(p, "\"legit\"");
    assert_eq!(net.nodes[s].texts(), ["\"legit\""]);
}

/// The same flood from a publisher that does hold PUBLISH (a malicious publisher): memory and
/// fetches stay within their bounds and key requests go out at the subscriber's rate (20/s),
/// not one per message. The buffer is shared, so while it is full other publishers' messages
/// are dropped `BUFFER_OVERFLOW` (a limit, see SECURITY.md).
#[test]
fn flood_from_a_permitted_publisher_stays_bounded() {
    let mut net = Net::default();
    let d = flood_divisor();
    let (total, held) = (20_000 / d as u32, 10_000 / d);
    let mut config = SubscriberConfig::new(STREAM);
    config.max_held_messages = held;
    config.max_held_per_chain = 1_000 / d;
    config.max_key_fetches = 1_000;
    let s = net.add_subscriber_with(config, Kex::MlKem);
    let flooder = EvmSigner::generate().unwrap();
    net.publishers_allowed.insert(flooder.user_id());
    let now = net.now;
    for i in 0..total {
        net.nodes[s]
            .subscriber()
            .handle_message(&flood_message(&flooder, i, now), now);
        let sub = net.nodes[s].subscriber();
        assert!(sub.held_messages() <= held);
        assert!(sub.pending_key_fetches() <= 1_000);
        if i % 5_000 == 4_999 {
            net.settle();
        }
    }
    net.settle();
    let sub = net.nodes[s].subscriber();
    assert_eq!(sub.held_messages(), held, "full, and no more");
    assert_eq!(sub.known_chains(), 100);
    assert_eq!(sub.stats().dropped, u64::from(total) - held as u64);
    assert!(
        net.nodes[s].requests_sent() <= 40,
        "{}",
        net.nodes[s].requests_sent()
    );
    net.advance(31_000);
    let sub = net.nodes[s].subscriber();
    assert!(
        sub.held_messages() < held,
        "timed-out fetches free their messages"
    );
    assert!(net.nodes[s].error_codes().contains(&"KEY_REQUEST_TIMEOUT"));
}
