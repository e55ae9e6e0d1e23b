//! Publisher ↔ subscriber scenarios over the in-memory network (issue: key exchange and the
//! sans-IO publisher and subscriber).

use streamr_e2ee::cipher::GroupKey;
use streamr_e2ee::host::{Event, Permission, Question};
use streamr_e2ee::identity::LocalSigner;
use streamr_e2ee::identity::evm::EvmSigner;
use streamr_e2ee::publisher::PublisherConfig;
use streamr_e2ee::wire::{
    AsymmetricEncryptionType, Body, EncryptedGroupKey, GroupKeyRequest, GroupKeyResponse,
    MessageId, SignatureType, StreamMessage,
};

use super::net::{Kex, Net, STREAM, request_counts};
use super::suite_test;

fn pub_config() -> PublisherConfig {
    PublisherConfig::new(STREAM)
}

fn first_key_flow(kex: Kex) {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(kex);
    for i in 0..3 {
        net.publish(p, &format!("{{\"n\":{i}}}"));
    }
    assert_eq!(
        net.nodes[s].texts(),
        ["{\"n\":0}", "{\"n\":1}", "{\"n\":2}"]
    );
    assert_eq!(
        net.nodes[s].requests_sent(),
        1,
        "one request for the one key"
    );
    assert_eq!(net.nodes[p].answered(), 1);
    assert!(
        net.nodes[s].error_codes().is_empty(),
        "{:?}",
        net.nodes[s].events
    );
    // The publisher asked the registry about both sides.
    let asked = &net.nodes[p].asked;
    assert!(
        asked
            .iter()
            .any(|q| matches!(q, Question::Permission { user, .. } if *user == net.nodes[s].id))
    );
    assert!(
        asked
            .iter()
            .any(|q| matches!(q, Question::Permission { user, .. } if *user == net.nodes[p].id))
    );
    assert_eq!(net.nodes[s].subscriber().held_messages(), 0);
}

#[suite_test]
fn first_key_ml_kem() {
    first_key_flow(Kex::MlKem);
}

#[suite_test]
fn first_key_rsa() {
    first_key_flow(Kex::Rsa);
}

#[suite_test]
fn rotation_boundary_needs_no_key_exchange() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"a\"");
    let first_key = net.nodes[p]
        .publisher()
        .current_key()
        .unwrap()
        .id()
        .to_owned();
    net.nodes[p].publisher().rotate(None).unwrap();
    net.publish(p, "\"boundary\"");
    net.publish(p, "\"after\"");
    let second_key = net.nodes[p]
        .publisher()
        .current_key()
        .unwrap()
        .id()
        .to_owned();
    assert_ne!(first_key, second_key);
    assert_eq!(net.nodes[s].texts(), ["\"a\"", "\"boundary\"", "\"after\""]);
    let keys: Vec<_> = net.nodes[s]
        .delivered
        .iter()
        .map(|d| d.group_key_id.clone().unwrap())
        .collect();
    assert_eq!(
        keys,
        [first_key.clone(), first_key, second_key],
        "boundary still uses the old key"
    );
    assert_eq!(
        net.nodes[s].requests_sent(),
        1,
        "the rotated key came inside the stream"
    );
}

#[suite_test]
fn rekey_forces_key_exchange() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "1");
    net.nodes[p].publisher().rekey(None).unwrap();
    net.publish(p, "2");
    assert_eq!(net.nodes[s].texts(), ["1", "2"]);
    assert_eq!(net.nodes[s].requests_sent(), 2, "rekey needs a new request");
    let counts = request_counts(&net);
    assert_eq!(counts.len(), 2);
}

#[suite_test]
fn revoked_subscriber_loses_access_after_rekey() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let kept = net.add_subscriber(Kex::MlKem);
    let revoked = net.add_subscriber(Kex::MlKem);
    net.publish(p, "1");
    assert_eq!(net.nodes[revoked].texts(), ["1"]);
    let revoked_id = net.nodes[revoked].id.clone();
    net.subscribers_allowed.remove(&revoked_id);
    net.nodes[p].publisher().rekey(None).unwrap();
    net.publish(p, "2");
    net.publish(p, "3");
    assert_eq!(net.nodes[kept].texts(), ["1", "2", "3"]);
    assert!(net.nodes[p].denials().contains(&"PERMISSION_DENIED"));
    net.advance(31_000);
    assert_eq!(net.nodes[revoked].texts(), ["1"], "nothing after the rekey");
    let codes = net.nodes[revoked].error_codes();
    assert_eq!(
        codes
            .iter()
            .filter(|c| **c == "KEY_REQUEST_TIMEOUT")
            .count(),
        2
    );
    assert_eq!(net.nodes[revoked].subscriber().held_messages(), 0);
}

/// The subscriber trusts a publisher's PUBLISH answer for a while; `invalidate_permissions`
/// makes it ask again, so a publisher revoked on chain is refused at its next message.
#[suite_test]
fn invalidated_publisher_answer_is_asked_again() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    let publish_checks = |net: &Net| {
        net.nodes[s]
            .asked
            .iter()
            .filter(|q| {
                matches!(
                    q,
                    Question::Permission {
                        permission: Permission::Publish,
                        ..
                    }
                )
            })
            .count()
    };
    net.publish(p, "1");
    net.publish(p, "2");
    assert_eq!(publish_checks(&net), 1, "the answer is cached");
    let publisher = net.nodes[p].id.clone();
    net.publishers_allowed.remove(&publisher);
    net.publish(p, "3");
    assert_eq!(
        net.nodes[s].texts(),
        ["1", "2", "3"],
        "still the cached answer"
    );
    net.nodes[s].subscriber().invalidate_permissions();
    net.publish(p, "4");
    assert_eq!(publish_checks(&net), 2);
    assert_eq!(net.nodes[s].texts(), ["1", "2", "3"]);
    assert!(net.nodes[s].error_codes().contains(&"PERMISSION_DENIED"));
}

#[suite_test]
fn late_joiner_gets_the_current_key() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    net.publish(p, "\"early\"");
    net.nodes[p].publisher().rotate(None).unwrap();
    net.publish(p, "\"boundary\"");
    net.publish(p, "\"after-rotation\"");
    let late = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"late-1\"");
    net.publish(p, "\"late-2\"");
    assert_eq!(net.nodes[late].texts(), ["\"late-1\"", "\"late-2\""]);
    assert_eq!(net.nodes[late].requests_sent(), 1);
}

#[suite_test]
fn out_of_order_and_duplicates_are_delivered_once_in_order() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "0");
    // Capture the next three messages, then deliver them reversed and twice.
    net.drop_if = Some(Box::new(|_| true));
    for t in ["1", "2", "3"] {
        net.publish(p, t);
    }
    net.drop_if = None;
    let captured: Vec<Vec<u8>> = net.nodes[p].sent[1..].to_vec();
    for bytes in captured.iter().rev() {
        net.inject(p, bytes.clone());
        net.inject(p, bytes.clone());
    }
    assert_eq!(net.nodes[s].texts(), ["0", "1", "2", "3"]);
    assert_eq!(net.nodes[s].subscriber().stats().duplicates, 3);
    // A replay of an old message is dropped too.
    net.inject(p, captured[0].clone());
    assert_eq!(net.nodes[s].texts().len(), 4);
}

#[suite_test]
fn gap_is_reported_and_delivery_goes_on() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "0");
    net.drop_if = Some(Box::new(|_| true));
    net.publish(p, "\"lost\"");
    net.drop_if = None;
    net.publish(p, "2");
    assert_eq!(net.nodes[s].texts(), ["0"], "2 waits for its predecessor");
    net.advance(5_000);
    assert_eq!(net.nodes[s].texts(), ["0", "2"]);
    assert!(net.nodes[s].error_codes().contains(&"MESSAGE_GAP"));
}

#[suite_test]
fn lost_response_is_retried() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    let mut dropped = 0;
    net.drop_if = Some(Box::new(move |bytes| {
        let m = StreamMessage::from_bytes(bytes).unwrap();
        let is_response = matches!(m.body, Body::KeyResponse(_));
        if is_response && dropped == 0 {
            dropped += 1;
            return true;
        }
        false
    }));
    net.publish(p, "\"x\"");
    assert!(net.nodes[s].texts().is_empty());
    net.advance(2_000);
    assert_eq!(net.nodes[s].texts(), ["\"x\""]);
    assert_eq!(net.nodes[s].requests_sent(), 2);
    assert_eq!(net.nodes[p].answered(), 2);
}

#[suite_test]
fn publisher_offline_times_out_after_retries() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    net.drop_if = Some(Box::new(|bytes| {
        matches!(
            StreamMessage::from_bytes(bytes).unwrap().body,
            Body::KeyRequest(_)
        )
    }));
    net.publish(p, "\"a\"");
    net.publish(p, "\"b\"");
    net.advance(29_999);
    assert!(net.nodes[s].error_codes().is_empty());
    assert_eq!(net.nodes[s].subscriber().held_messages(), 2);
    net.advance(1);
    assert_eq!(
        net.nodes[s].error_codes(),
        ["KEY_REQUEST_TIMEOUT", "KEY_REQUEST_TIMEOUT"]
    );
    assert_eq!(net.nodes[s].requests_sent(), 4, "first request + 3 retries");
    assert_eq!(net.nodes[s].subscriber().held_messages(), 0);
    // The next message asks again and, with the publisher reachable, gets through.
    net.drop_if = None;
    net.publish(p, "\"c\"");
    assert_eq!(net.nodes[s].texts(), ["\"c\""]);
}

#[suite_test]
fn request_to_another_publisher_is_ignored() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let other = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"for-p\"");
    assert_eq!(net.nodes[s].texts(), ["\"for-p\""]);
    assert_eq!(net.nodes[p].answered(), 1);
    assert_eq!(net.nodes[other].answered(), 0);
    assert!(
        net.nodes[other].denials().is_empty(),
        "not addressed to it: silently ignored"
    );
}

fn forged_request(
    net: &mut Net,
    requester: usize,
    publisher: usize,
    key_id: &str,
) -> StreamMessage {
    let id = net.nodes[requester].id.clone();
    StreamMessage {
        id: MessageId {
            stream_id: STREAM.into(),
            partition: 0,
            timestamp: net.now,
            sequence_number: 0,
            publisher_id: id.clone(),
            msg_chain_id: "forgedchain000000000".into(),
        },
        prev: None,
        signature: vec![0; 65],
        signature_type: SignatureType::EcdsaSecp256k1Evm,
        body: Body::KeyRequest(GroupKeyRequest {
            // A fresh uuid each time, as the SDK makes them: a request id seen before is a
            // replay.
            request_id: streamr_e2ee::random::uuid_v4(&mut streamr_e2ee::random::OsEntropy)
                .unwrap(),
            recipient_id: net.nodes[publisher].id.clone(),
            public_key: streamr_e2ee::exchange::MlKemKeyPair::generate()
                .unwrap()
                .public_key()
                .to_vec(),
            group_key_ids: vec![key_id.into()],
            encryption_type: AsymmetricEncryptionType::MlKem,
        }),
    }
}

#[suite_test]
fn forged_and_stale_requests_are_denied() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"x\"");
    let key_id = net.nodes[p]
        .publisher()
        .current_key()
        .unwrap()
        .id()
        .to_owned();
    let answered = net.nodes[p].answered();
    // Signed by someone else in the name of an allowed subscriber.
    let mut forged = forged_request(&mut net, s, p, &key_id);
    let attacker = EvmSigner::generate().unwrap();
    forged.signature = LocalSigner::sign(&attacker, &forged.signature_payload()).unwrap();
    net.inject(s, forged.to_bytes());
    assert_eq!(net.nodes[p].denials(), ["INVALID_SIGNATURE"]);
    // A genuine request replayed much later.
    let genuine = net.nodes[s]
        .sent
        .iter()
        .find(|b| {
            matches!(
                StreamMessage::from_bytes(b).unwrap().body,
                Body::KeyRequest(_)
            )
        })
        .unwrap()
        .clone();
    net.now += 11 * 60 * 1000;
    net.inject(s, genuine);
    assert_eq!(
        net.nodes[p].denials(),
        ["INVALID_SIGNATURE", "STALE_REQUEST"]
    );
    assert_eq!(net.nodes[p].answered(), answered, "nothing released");
}

#[suite_test]
fn unknown_subscriber_is_denied_and_times_out() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    let id = net.nodes[s].id.clone();
    net.subscribers_allowed.remove(&id);
    net.publish(p, "\"secret\"");
    assert_eq!(net.nodes[p].denials(), ["PERMISSION_DENIED"]);
    net.advance(30_000);
    assert!(net.nodes[s].texts().is_empty());
    assert_eq!(net.nodes[s].error_codes(), ["KEY_REQUEST_TIMEOUT"]);
    // Every retry was checked and denied again; nothing was ever sent to it.
    assert_eq!(net.nodes[p].denials().len(), 4);
    assert_eq!(net.nodes[p].answered(), 0);
}

#[suite_test]
fn registry_down_releases_nothing() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    // The publisher cannot reach the registry: it fails closed.
    net.registry_down.insert(p);
    net.publish(p, "\"x\"");
    assert!(net.nodes[p].denials().contains(&"PERMISSION_CHECK_FAILED"));
    assert_eq!(net.nodes[p].answered(), 0);
    assert!(net.nodes[s].texts().is_empty());
    net.registry_down.clear();
    net.advance(2_000);
    assert_eq!(
        net.nodes[s].texts(),
        ["\"x\""],
        "the retry gets through once the registry answers"
    );
    // The subscriber cannot reach the registry: the message is held, not dropped.
    net.registry_down.insert(s);
    net.now += 10 * 60 * 1000; // past the permission cache TTL
    net.publish(p, "\"y\"");
    assert_eq!(net.nodes[s].texts(), ["\"x\""]);
    assert!(
        net.nodes[s]
            .error_codes()
            .contains(&"PERMISSION_CHECK_FAILED")
    );
    net.registry_down.clear();
    net.advance(5_000);
    assert_eq!(net.nodes[s].texts(), ["\"x\"", "\"y\""]);
}

#[suite_test]
fn forged_response_and_non_publisher_response_are_rejected() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    // Hold the real answer back: the attacker races it.
    net.nodes[p].hold_answers = true;
    net.publish(p, "\"x\"");
    let request = net.nodes[s]
        .sent
        .iter()
        .rev()
        .find_map(|b| match StreamMessage::from_bytes(b).unwrap().body {
            Body::KeyRequest(r) => Some(r),
            _ => None,
        })
        .unwrap();
    let attacker = EvmSigner::generate().unwrap();
    let fake_key = GroupKey::new(request.group_key_ids[0].clone(), &[9; 32]).unwrap();
    let wrapped = streamr_e2ee::exchange::wrap_group_key(
        &fake_key,
        request.encryption_type,
        &request.public_key,
    )
    .unwrap();
    let mut response = StreamMessage {
        id: MessageId {
            stream_id: STREAM.into(),
            partition: 0,
            timestamp: net.now,
            sequence_number: 0,
            publisher_id: net.nodes[p].id.clone(),
            msg_chain_id: "attackerchain0000000".into(),
        },
        prev: None,
        signature: vec![],
        signature_type: SignatureType::EcdsaSecp256k1Evm,
        body: Body::KeyResponse(GroupKeyResponse {
            request_id: request.request_id.clone(),
            recipient_id: net.nodes[s].id.clone(),
            group_keys: vec![EncryptedGroupKey {
                id: fake_key.id().into(),
                data: wrapped,
            }],
            encryption_type: request.encryption_type,
        }),
    };
    // 1. In the publisher's name, signed by the attacker: forged.
    response.signature = LocalSigner::sign(&attacker, &response.signature_payload()).unwrap();
    net.inject(p, response.to_bytes());
    // 2. In the attacker's own name, validly signed: not the publisher asked.
    response.id.publisher_id = attacker.user_id();
    response.signature = LocalSigner::sign(&attacker, &response.signature_payload()).unwrap();
    net.inject(p, response.to_bytes());
    assert_eq!(
        net.nodes[s].error_codes(),
        ["INVALID_SIGNATURE", "INVALID_SIGNATURE"]
    );
    assert!(net.nodes[s].texts().is_empty());
    // The real response still gets through.
    net.release_answers(p);
    assert_eq!(net.nodes[s].texts(), ["\"x\""]);
}

#[suite_test]
fn wallet_signing_and_a_refused_signature_lose_nothing() {
    let mut net = Net::default();
    let p = net.add_wallet_publisher();
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "1");
    net.nodes[p].wallet_refusals = 1;
    net.publish(p, "\"refused\"");
    net.publish(p, "3");
    assert!(net.nodes[p].error_codes().contains(&"SIGNER_ERROR"));
    // The event names the refused publish: the second `publish` call returned id 2.
    let failed: Vec<u64> = net.nodes[p]
        .events
        .iter()
        .filter_map(|e| match e {
            Event::PublishFailed { publish, .. } => Some(publish.0),
            _ => None,
        })
        .collect();
    assert_eq!(failed, [2]);
    assert_eq!(
        net.nodes[s].texts(),
        ["1", "3"],
        "no gap wait: the chain skipped nothing"
    );
    assert!(!net.nodes[s].error_codes().contains(&"MESSAGE_GAP"));
    let prompts = net.nodes[p]
        .asked
        .iter()
        .filter(|q| matches!(q, Question::Sign { .. }))
        .count();
    assert_eq!(prompts, 4, "3 publishes + 1 key response");
}

#[suite_test]
fn public_stream_is_unencrypted() {
    let mut net = Net::default();
    let mut config = pub_config();
    config.encrypt = false;
    let p = net.add_publisher(config);
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"open\"");
    assert_eq!(net.nodes[s].texts(), ["\"open\""]);
    assert_eq!(net.nodes[s].delivered[0].group_key_id, None);
    assert_eq!(net.nodes[s].requests_sent(), 0);
    let mut forced = pub_config();
    forced.encrypt = false;
    forced.require_encryption = true;
    assert!(
        streamr_e2ee::publisher::Publisher::new(
            forced,
            streamr_e2ee::identity::Signing::Local(Box::new(EvmSigner::generate().unwrap()))
        )
        .is_err()
    );
}

#[suite_test]
fn rsa_refused_when_quantum_resistance_is_required() {
    let mut net = Net::default();
    let mut config = pub_config();
    config.require_quantum_resistant_key_exchange = true;
    let p = net.add_publisher(config);
    let rsa = net.add_subscriber(Kex::Rsa);
    let mlkem = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"q\"");
    assert_eq!(net.nodes[p].denials(), ["ENCRYPTION_POLICY_VIOLATION"]);
    assert_eq!(net.nodes[mlkem].texts(), ["\"q\""]);
    assert!(net.nodes[rsa].texts().is_empty());
}

#[suite_test]
fn unauthorised_publisher_is_not_delivered() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let s = net.add_subscriber(Kex::MlKem);
    let id = net.nodes[p].id.clone();
    net.publishers_allowed.remove(&id);
    net.publish(p, "\"spoof\"");
    assert!(net.nodes[s].texts().is_empty());
    assert!(net.nodes[s].error_codes().contains(&"PERMISSION_DENIED"));
}

#[suite_test]
fn request_flood_is_bounded() {
    let mut net = Net::default();
    let mut config = pub_config();
    config.max_pending_key_requests = 10;
    let p = net.add_publisher(config);
    let s = net.add_subscriber(Kex::MlKem);
    net.publish(p, "\"x\"");
    let key_id = net.nodes[p]
        .publisher()
        .current_key()
        .unwrap()
        .id()
        .to_owned();
    net.nodes[p].hold_answers = true;
    // Many identities at once: at most 10 wait for permission answers, the rest are refused.
    for i in 0..50 {
        let mut r = forged_request(&mut net, s, p, &key_id);
        r.id.msg_chain_id = format!("chain{i:015}");
        let signer = EvmSigner::generate().unwrap();
        r.id.publisher_id = signer.user_id();
        r.signature = LocalSigner::sign(&signer, &r.signature_payload()).unwrap();
        net.inject(s, r.to_bytes());
    }
    assert_eq!(net.nodes[p].publisher().pending_key_requests(), 10);
    assert_eq!(
        net.nodes[p]
            .denials()
            .iter()
            .filter(|c| **c == "OVERLOADED")
            .count(),
        40
    );
    // One identity, many requests: rate limited after its burst (2 × 5/s).
    net.release_answers(p);
    net.nodes[p].events.clear();
    let signer = EvmSigner::generate().unwrap();
    for i in 0..20 {
        let mut r = forged_request(&mut net, s, p, &key_id);
        r.id.msg_chain_id = format!("again{i:015}");
        r.id.publisher_id = signer.user_id();
        r.signature = LocalSigner::sign(&signer, &r.signature_payload()).unwrap();
        net.inject(s, r.to_bytes());
    }
    assert_eq!(
        net.nodes[p]
            .denials()
            .iter()
            .filter(|c| **c == "RATE_LIMITED")
            .count(),
        10
    );
    assert_eq!(net.nodes[p].publisher().pending_key_requests(), 0);
    // Forged requests in a real subscriber's name do not use up its budget.
    net.nodes[p].events.clear();
    for i in 0..20 {
        let mut r = forged_request(&mut net, s, p, &key_id);
        r.id.msg_chain_id = format!("forge{i:015}");
        r.signature = LocalSigner::sign(&signer, &r.signature_payload()).unwrap();
        net.inject(s, r.to_bytes());
    }
    let forged = net.nodes[p].denials();
    assert_eq!(forged, vec!["INVALID_SIGNATURE"; 20]);
    net.nodes[p].publisher().rekey(None).unwrap();
    net.publish(p, "\"still served\"");
    assert_eq!(net.nodes[s].texts().last().unwrap(), "\"still served\"");
}

#[suite_test]
fn rotating_on_every_message_keeps_memory_bounded() {
    let mut net = Net::default();
    let p = net.add_publisher(pub_config());
    let mut config = streamr_e2ee::subscriber::SubscriberConfig::new(STREAM);
    config.max_keys = 5;
    let s = net.add_subscriber_with(config, Kex::MlKem);
    for i in 0..50 {
        net.nodes[p].publisher().rotate(None).unwrap();
        net.publish(p, &i.to_string());
    }
    assert_eq!(net.nodes[s].texts().len(), 50);
    assert!(net.nodes[s].error_codes().is_empty());
    assert_eq!(net.nodes[s].requests_sent(), 1);
    assert_eq!(net.nodes[s].subscriber().known_keys(), 5);
}
