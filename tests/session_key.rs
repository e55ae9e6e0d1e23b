//! A local key the host pauses (a session key whose registry grant lapsed, docs/wallet.md):
//! the state machines stop signing with it and ask the host instead, so publishes wait in
//! order, nothing goes out unsigned, and after the host resumes the key and answers, the queue
//! drains in order with nothing lost. Driven on the in-memory network of `tests/suite/net.rs`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::indexing_slicing
)]

// Only the in-memory network of the shared suite: `mod suite;` would also register its tests here.
#[path = "suite/net.rs"]
#[allow(dead_code)]
mod net;

use net::{Kex, Net, STREAM, decoded, is_content, is_request};
use streamr_e2ee::host::{Answer, Event, Question};
use streamr_e2ee::identity::{LocalSigner, Verification, verify_message};
use streamr_e2ee::publisher::PublisherConfig;
use streamr_e2ee::wire::Body;

fn content_sent(net: &Net, n: usize) -> usize {
    net.nodes[n]
        .sent
        .iter()
        .filter(|b| is_content(&decoded(b).body))
        .count()
}

fn sign_questions(net: &Net, n: usize) -> usize {
    net.nodes[n]
        .asked
        .iter()
        .filter(|q| matches!(q, Question::Sign { .. }))
        .count()
}

/// Paused mid-stream: the first publish after the pause becomes one `sign` question and the
/// later ones queue behind it; nothing is sent until the host answers. Resumed and answered,
/// the queue drains in order, each message signed by the key and linked to the one before.
#[test]
fn paused_publisher_queues_in_order_and_drains_after_resume() {
    let mut net = Net::default();
    let (p, key) = net.add_session_publisher();
    let s = net.add_subscriber(Kex::MlKem);
    for i in 0..3 {
        net.publish(p, &format!("\"m{i}\""));
    }
    assert_eq!(net.nodes[s].texts().len(), 3);
    assert_eq!(sign_questions(&net, p), 0, "a ready key signs in the core");

    key.pause();
    net.nodes[p].hold_answers = true;
    for i in 3..8 {
        net.publish(p, &format!("\"m{i}\""));
    }
    assert_eq!(content_sent(&net, p), 3, "nothing sent while paused");
    assert_eq!(
        net.nodes[p].held.len(),
        1,
        "one sign question; the rest queue"
    );
    assert!(matches!(net.nodes[p].held[0].1, Question::Sign { .. }));
    assert_eq!(net.nodes[s].texts().len(), 3);

    key.resume();
    net.release_answers(p);
    assert_eq!(content_sent(&net, p), 8);
    let expected: Vec<String> = (0..8).map(|i| format!("\"m{i}\"")).collect();
    assert_eq!(net.nodes[s].texts(), expected, "in order, nothing lost");
    assert_eq!(
        sign_questions(&net, p),
        1,
        "after the resume the core signs again"
    );
    // Every message: signed by the key, linked to the previous one.
    let mut prev = None;
    for bytes in &net.nodes[p].sent {
        let m = decoded(bytes);
        if !is_content(&m.body) {
            continue;
        }
        assert_eq!(m.id.publisher_id, key.user_id());
        assert_eq!(verify_message(&m).unwrap(), Verification::Valid);
        assert_eq!(m.prev, prev);
        prev = Some(streamr_e2ee::wire::MessageRef {
            timestamp: m.id.timestamp,
            sequence_number: m.id.sequence_number,
        });
    }
    assert!(net.nodes[s].error_codes().is_empty());
}

/// Key responses are signed by the host too while the key is paused: a subscriber arriving
/// then gets its key once the host answers.
#[test]
fn paused_publisher_asks_the_host_for_key_responses() {
    let mut net = Net::default();
    let (p, key) = net.add_session_publisher();
    net.publish(p, "\"before\"");
    key.pause();
    let late = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"after\"");
    assert_eq!(net.nodes[late].texts(), ["\"after\""]);
    // One for the content message, one for the key response.
    assert_eq!(sign_questions(&net, p), 2);
    assert_eq!(net.nodes[p].answered(), 1);
}

/// A subscriber whose key is paused sends no key request until the host signs it.
#[test]
fn paused_subscriber_key_request_waits_for_the_host() {
    let mut net = Net::default();
    let p = net.add_publisher(PublisherConfig::new(STREAM));
    let (s, key) = net.add_session_subscriber();
    key.pause();
    net.nodes[s].hold_answers = true;
    net.publish(p, "\"x\"");
    // Give the publisher's PUBLISH answer (held), keep holding the rest.
    for _ in 0..4 {
        let held = std::mem::take(&mut net.nodes[s].held);
        for (id, q) in held {
            match q {
                Question::Permission { .. } => net.give_answer(s, id, Answer::Permission(true)),
                // The host's key store has no key for it: the subscriber will request one.
                Question::LoadKey { .. } => net.give_answer(s, id, Answer::StoredKey(None)),
                other => net.nodes[s].held.push((id, other)),
            }
        }
        net.settle();
    }
    let requests = |net: &Net| {
        net.nodes[s]
            .sent
            .iter()
            .filter(|b| is_request(&decoded(b).body))
            .count()
    };
    assert_eq!(requests(&net), 0, "no request sent while paused");
    assert_eq!(net.nodes[s].held.len(), 1);
    assert!(
        matches!(net.nodes[s].held[0].1, Question::Sign { .. }),
        "{:?}",
        net.nodes[s].held[0].1
    );
    assert!(net.nodes[s].texts().is_empty());
    key.resume();
    net.release_answers(s);
    assert_eq!(requests(&net), 1);
    assert_eq!(net.nodes[s].texts(), ["\"x\""]);
    let request = net.nodes[s]
        .sent
        .iter()
        .map(|b| decoded(b))
        .find(|m| matches!(m.body, Body::KeyRequest(_)))
        .expect("a key request");
    assert_eq!(request.id.publisher_id, key.user_id());
    assert_eq!(verify_message(&request).unwrap(), Verification::Valid);
}

/// A wiped key signs nothing: the publish that needs it fails (`SIGNER_ERROR`, nothing sent),
/// and the key is gone for every holder.
#[test]
fn wiped_key_signs_nothing() {
    let mut net = Net::default();
    let (p, key) = net.add_session_publisher();
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"one\"");
    key.wipe();
    net.publish(p, "\"two\"");
    assert_eq!(content_sent(&net, p), 1);
    assert_eq!(net.nodes[s].texts(), ["\"one\""]);
    assert!(net.nodes[p].events.iter().any(
        |e| matches!(e, Event::PublishFailed { code, .. } if code.as_str() == "SIGNER_ERROR")
    ));
    assert!(key.sign(b"x").is_err());
}
