//! The custodian between real publisher and subscriber cores (`world.rs` plays the host).

mod world;

use super::*;
use crate::exchange::KeyExchangeKeyPair;
use crate::host::Permission;
use crate::identity::evm::EvmSigner;
use crate::subscriber::{KeyExchange, Subscriber, SubscriberConfig};
use world::{Core, STREAM, T0, World};
/// A world with a publisher that names one custodian and has handed it its identity.
fn with_custodian(grace_ms: u64) -> (World, usize, usize) {
    let mut w = World::new();
    let c = w.custodian(grace_ms);
    let public_key = w.cust(c).public_key().to_vec();
    let (p, secret) = w.publisher(vec![public_key.clone()]);
    let blob = identity::seal_identity(&secret, &public_key).unwrap();
    let served = w.cust(c).add_identity(&blob).unwrap();
    assert_eq!(w.cust(c).identities(), vec![served]);
    (w, p, c)
}

#[test]
fn the_publisher_leaves_and_the_custodian_answers_after_the_grace_period() {
    let (mut w, p, c) = with_custodian(2_000);
    w.publish(p, 0);
    w.publish(p, 1);
    assert_eq!(
        w.parties[c].store.len(),
        1,
        "the first key was handed over before content"
    );
    w.parties[p].online = false; // the tab closed
    let s = w.subscriber(true);
    // A subscriber that joins later gets the messages again (a resend from storage).
    for bytes in w.log.clone() {
        w.deliver(s, &bytes);
    }
    w.run();
    assert!(w.texts(s).is_empty());
    assert_eq!(
        w.cust(c).waiting_requests(),
        1,
        "waiting out the grace period"
    );
    w.advance(1_999);
    assert_eq!(w.answered(c), 0);
    w.advance(1);
    assert_eq!(w.answered(c), 1);
    assert_eq!(w.texts(s), ["{\"n\":0}", "{\"n\":1}"]);
}

#[test]
fn rotated_keys_reach_the_custodian_before_the_message_that_carries_them() {
    let (mut w, p, c) = with_custodian(0);
    w.publish(p, 0);
    if let Core::Pub(core) = &mut w.parties[p].core {
        core.rotate(None).unwrap();
        assert_eq!(
            core.pending_hand_offs(),
            1,
            "queued until a message uses or carries it"
        );
    }
    w.publish(p, 1); // carries the new key
    w.publish(p, 2); // uses it
    assert_eq!(w.parties[c].store.len(), 2);
    // A subscriber that saw only the last message gets its key from the custodian.
    w.parties[p].online = false;
    let s = w.subscriber(true);
    let last = w.log.last().unwrap().clone();
    w.deliver(s, &last);
    w.run();
    assert_eq!(w.texts(s), ["{\"n\":2}"]);
}

#[test]
fn an_online_publisher_answers_first_and_the_request_is_settled_once() {
    let (mut w, p, c) = with_custodian(2_000);
    let s = w.subscriber(true);
    w.publish(p, 0);
    assert_eq!(w.texts(s), ["{\"n\":0}"]);
    w.advance(5_000);
    assert_eq!(w.answered(c), 0, "the publisher's answer settled it");
    assert_eq!(w.answered(p), 2, "the hand-off and the answer");
    assert_eq!(w.cust(c).waiting_requests(), 0);
}

#[test]
fn no_subscribe_no_key_and_a_rekey_revokes_at_the_custodian() {
    let (mut w, p, c) = with_custodian(0);
    w.parties[p].online = false;
    let outsider = w.subscriber(false);
    let member = w.subscriber(true);
    w.publish(p, 0);
    assert_eq!(w.texts(member), ["{\"n\":0}"]);
    assert!(w.texts(outsider).is_empty());
    assert!(w.denials(c).contains(&"PERMISSION_DENIED"));
    // Revoke the member, rekey: the custodian reads permissions anew and refuses it.
    let member_id = match &w.parties[member].core {
        Core::Sub(s) => s.user_id().clone(),
        _ => unreachable!(),
    };
    w.allowed
        .remove(&(member_id.clone(), Permission::Subscribe));
    if let Core::Pub(core) = &mut w.parties[p].core {
        core.rekey(None).unwrap();
    }
    w.publish(p, 1);
    w.advance(60_000);
    assert_eq!(w.texts(member), ["{\"n\":0}"], "nothing after the rekey");
    assert_eq!(
        w.parties[c].store.len(),
        2,
        "the rekey's key reached the custodian"
    );
    let member_denied = w.parties[c]
        .events
        .iter()
        .filter(|e| {
            matches!(e, Event::KeyRequestDenied { requester, code: ErrorCode::PermissionDenied, .. }
                if *requester == member_id)
        })
        .count();
    assert!(member_denied >= 1, "the revoked member was refused");
}

#[test]
fn a_restarted_custodian_loads_keys_from_its_store() {
    let (mut w, p, c) = with_custodian(0);
    w.publish(p, 0);
    w.parties[p].online = false;
    // The restart: a new core with the same ML-KEM key and identity, the old store.
    let store = w.parties[c].store.clone();
    let mut fresh = CustodianConfig::new(STREAM);
    fresh.grace_ms = 0;
    let secret = [0x42u8; 32];
    let pair = {
        let old = match &w.parties[c].core {
            Core::Cust(c) => c.kem.to_expanded_secret_key(),
            _ => unreachable!(),
        };
        MlKemKeyPair::from_expanded_secret_key(&old).unwrap()
    };
    let blob = identity::seal_identity(&secret, pair.public_key_bytes()).unwrap();
    let mut again = Custodian::new(fresh, pair).unwrap();
    again.add_identity(&blob).unwrap();
    w.parties[c].core = Core::Cust(Box::new(again));
    w.parties[c].store = store;
    let s = w.subscriber(true);
    for bytes in w.log.clone() {
        w.deliver(s, &bytes);
    }
    w.run();
    assert_eq!(w.texts(s), ["{\"n\":0}"]);
}

#[test]
fn forged_settlements_and_hand_offs_are_refused() {
    let (mut w, _p, c) = with_custodian(1_000);
    let forger = EvmSigner::generate().unwrap();
    let served = w.cust(c).identities()[0].clone();
    // A response claiming to be the served identity, signed by someone else.
    let mut msg = StreamMessage {
        id: crate::wire::MessageId {
            stream_id: STREAM.into(),
            partition: 0,
            timestamp: T0,
            sequence_number: 0,
            publisher_id: served,
            msg_chain_id: "aaaaaaaaaaaaaaaaaaaa".into(),
        },
        prev: None,
        signature: Vec::new(),
        signature_type: crate::wire::SignatureType::EcdsaSecp256k1Evm,
        body: Body::KeyResponse(GroupKeyResponse {
            request_id: "r".into(),
            recipient_id: w.cust(c).user_id().clone(),
            group_keys: vec![],
            encryption_type: AsymmetricEncryptionType::MlKem,
        }),
    };
    msg.signature = forger.sign(&msg.signature_payload()).unwrap().to_vec();
    w.deliver(c, &msg.to_bytes());
    w.run();
    assert!(w.parties[c].events.iter().any(|e| matches!(
        e,
        Event::Error {
            code: ErrorCode::InvalidSignature,
            ..
        }
    )));
    assert!(w.parties[c].store.is_empty());
    // A request in someone else's name never waits out the grace period.
    let mut request = msg.clone();
    request.id.publisher_id = EvmSigner::generate().unwrap().user_id();
    request.body = Body::KeyRequest(crate::wire::GroupKeyRequest {
        request_id: "q".into(),
        recipient_id: w.cust(c).identities()[0].clone(),
        public_key: MlKemKeyPair::generate()
            .unwrap()
            .public_key_bytes()
            .to_vec(),
        group_key_ids: vec!["k".into()],
        encryption_type: AsymmetricEncryptionType::MlKem,
    });
    request.signature = forger.sign(&request.signature_payload()).unwrap().to_vec();
    let errors_before = w.parties[c].events.len();
    w.deliver(c, &request.to_bytes());
    w.run();
    assert_eq!(w.cust(c).waiting_requests(), 0);
    assert!(matches!(
        w.parties[c].events.get(errors_before),
        Some(Event::Error {
            code: ErrorCode::InvalidSignature,
            ..
        })
    ));
    // A blob for another custodian does not open here.
    let other = MlKemKeyPair::generate().unwrap();
    let blob = identity::seal_identity(&[9u8; 32], other.public_key_bytes()).unwrap();
    assert_eq!(
        w.cust(c).add_identity(&blob).unwrap_err().code().as_str(),
        "DECRYPT_ERROR"
    );
}

/// A response to our request from `responder` (not the publisher asked) with `key`.
fn third_party_response(
    request: &[u8],
    responder: &EvmSigner,
    key: &crate::cipher::GroupKey,
) -> Vec<u8> {
    let req = StreamMessage::from_bytes(request).unwrap();
    let Body::KeyRequest(r) = &req.body else {
        panic!("not a request")
    };
    let mut msg = StreamMessage {
        id: crate::wire::MessageId {
            stream_id: STREAM.into(),
            partition: 0,
            timestamp: req.id.timestamp,
            sequence_number: 0,
            publisher_id: responder.user_id(),
            msg_chain_id: "bbbbbbbbbbbbbbbbbbbb".into(),
        },
        prev: None,
        signature: Vec::new(),
        signature_type: crate::wire::SignatureType::EcdsaSecp256k1Evm,
        body: Body::KeyResponse(GroupKeyResponse {
            request_id: r.request_id.clone(),
            recipient_id: req.id.publisher_id.clone(),
            group_keys: vec![crate::wire::EncryptedGroupKey {
                id: key.id().to_owned(),
                data: crate::exchange::wrap_group_key(key, r.encryption_type, &r.public_key)
                    .unwrap(),
            }],
            encryption_type: r.encryption_type,
        }),
    };
    msg.signature = responder.sign(&msg.signature_payload()).unwrap().to_vec();
    msg.to_bytes()
}

#[test]
fn our_subscriber_takes_a_custodians_own_response_only_when_allowed_and_it_holds_publish() {
    for (accept, responder_publishes, decrypts) in [
        (false, true, false),
        (true, false, false),
        (true, true, true),
    ] {
        let mut w = World::new();
        let (p, _) = w.publisher(vec![]);
        let responder = EvmSigner::generate().unwrap();
        if responder_publishes {
            w.allowed.insert((responder.user_id(), Permission::Publish));
        }
        let signer = EvmSigner::generate().unwrap();
        w.allowed.insert((signer.user_id(), Permission::Subscribe));
        let mut config = SubscriberConfig::new(STREAM);
        config.accept_custodian_responses = accept;
        let kex = KeyExchange::Internal(Box::new(MlKemKeyPair::generate().unwrap()));
        let sub = Subscriber::new(config, Signing::Local(Box::new(signer)), kex, w.now).unwrap();
        let s = w.add(Core::Sub(Box::new(sub)));
        w.parties[p].online = false;
        w.parties[s].online = false; // the test carries the messages itself
        w.publish(p, 0);
        let content = w.log[0].clone();
        let key = match &w.parties[p].core {
            Core::Pub(c) => c.current_key().unwrap().clone(),
            _ => unreachable!(),
        };
        w.deliver(s, &content);
        w.run();
        let request = w.log.last().unwrap().clone();
        assert!(matches!(
            StreamMessage::from_bytes(&request).unwrap().body,
            Body::KeyRequest(_)
        ));
        w.deliver(s, &third_party_response(&request, &responder, &key));
        w.run();
        assert_eq!(
            w.texts(s).len(),
            usize::from(decrypts),
            "accept {accept}, responder publishes {responder_publishes}"
        );
        if decrypts {
            let Core::Sub(core) = &w.parties[s].core else {
                unreachable!()
            };
            let publisher = EvmSigner::from_private_key(&[0x42u8; 32])
                .unwrap()
                .user_id();
            assert!(
                core.has_key(&publisher, key.id()),
                "stored under the publisher asked"
            );
        }
    }
}
