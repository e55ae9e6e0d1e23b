//! Our publisher and subscriber against the key-exchange messages the real SDK made
//! (`key_exchange_messages.json`): the SDK publisher's responses satisfy our subscriber, and
//! the SDK subscriber's requests are answered by our publisher with keys that unwrap under the
//! recorded subscriber private keys.

use std::collections::VecDeque;

use serde_json::Value;
use streamr_e2ee::Result;
use streamr_e2ee::cipher::GroupKey;
use streamr_e2ee::exchange::{KeyExchangeKeyPair, MlKemKeyPair, RsaKeyPair};
use streamr_e2ee::host::{Answer, Event, Output};
use streamr_e2ee::identity::evm::EvmSigner;
use streamr_e2ee::identity::ml_dsa87::MlDsa87Signer;
use streamr_e2ee::identity::{LocalSigner, Signing};
use streamr_e2ee::publisher::{Publisher, PublisherConfig};
use streamr_e2ee::random::{Entropy, OsEntropy};
use streamr_e2ee::subscriber::{KeyExchange, Subscriber, SubscriberConfig};
use streamr_e2ee::wire::{Body, ContentType, StreamMessage};

use super::{hex_of, json, str_of, suite_test};

const KEY_EXCHANGE: &str = include_str!("../vectors/key_exchange_messages.json");

/// Entropy that plays back given bytes first, then the CSPRNG: lets our subscriber pick the
/// SDK's recorded request id.
struct Scripted(VecDeque<u8>);

impl Entropy for Scripted {
    fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        for b in buf.iter_mut() {
            match self.0.pop_front() {
                Some(x) => *b = x,
                None => return OsEntropy.fill(buf),
            }
        }
        Ok(())
    }
}

fn key_pair(v: &Value) -> Box<dyn KeyExchangeKeyPair> {
    let kx = &v["subscriberKeyExchangeKeyPair"];
    match str_of(&kx["type"]) {
        "RSA" => {
            Box::new(RsaKeyPair::from_pkcs8_pem(str_of(&kx["privateKeyPem"]).as_bytes()).unwrap())
        }
        _ => {
            Box::new(MlKemKeyPair::from_expanded_secret_key(&hex_of(&kx["privateKeyHex"])).unwrap())
        }
    }
}

fn all_vectors(d: &Value) -> Vec<&Value> {
    d["vectors"].as_array().unwrap().iter().collect()
}

/// The vector identity as a signer in the core: secp256k1 or ML-DSA-87 (expanded key).
fn signer(identity: &Value) -> Box<dyn LocalSigner> {
    let secret = hex_of(&identity["privateKeyHex"]);
    match str_of(&identity["signatureType"]) {
        "ECDSA_SECP256K1_EVM" => Box::new(EvmSigner::from_private_key(&secret).unwrap()),
        "ML_DSA_87" => {
            let public = hex_of(&identity["publicKeyHex"]);
            Box::new(MlDsa87Signer::from_expanded_secret_key(&secret, Some(&public)).unwrap())
        }
        other => panic!("identity type {other}"),
    }
}

fn group_key(v: &Value) -> GroupKey {
    GroupKey::new(
        str_of(&v["groupKey"]["id"]),
        &hex_of(&v["groupKey"]["dataHex"]),
    )
    .unwrap()
}

fn stream_id(v: &Value) -> String {
    str_of(&v["request"]["streamMessage"]["streamId"]).to_owned()
}

/// Our subscriber, holding the SDK subscriber's identity and key-exchange key, gets a message
/// it cannot decrypt, sends a request (with the SDK's recorded request id), is handed the SDK
/// publisher's recorded response, and decrypts.
#[suite_test]
fn our_subscriber_accepts_sdk_responses() {
    let d = json(KEY_EXCHANGE);
    let vectors = all_vectors(&d);
    assert_eq!(vectors.len(), 3);
    for v in vectors {
        let stream = stream_id(v);
        let request = &v["request"]["groupKeyRequest"];
        let request_id = str_of(&request["requestId"]).replace('-', "");
        let now = v["response"]["streamMessage"]["timestamp"]
            .as_u64()
            .unwrap();
        let sub_signer = signer(&v["subscriber"]);
        let mut config = SubscriberConfig::new(stream.clone());
        config.max_key_requests_per_second = 20;
        let mut sub = Subscriber::with_entropy(
            config,
            Signing::Local(sub_signer),
            KeyExchange::Internal(key_pair(v)),
            Box::new(Scripted(hex::decode(request_id).unwrap().into())),
            now,
        )
        .unwrap();
        // A content message under the vector's group key, from the vector's publisher.
        let pub_signer = signer(&v["publisher"]);
        let mut publisher = Publisher::new(
            PublisherConfig::new(stream.clone()),
            Signing::Local(pub_signer),
        )
        .unwrap();
        publisher.restore_keys(Some(group_key(v)), vec![]);
        publisher
            .publish(
                b"{\"from\":\"sdk vectors\"}".to_vec(),
                ContentType::Json,
                now,
            )
            .unwrap();
        let content = sent(&mut publisher).remove(0);
        sub.handle_message(&content, now);
        let mut sent_request = None;
        while let Some(out) = sub.poll_output() {
            match out {
                Output::Send { bytes: b, .. } => {
                    sent_request = Some(StreamMessage::from_bytes(&b).unwrap())
                }
                Output::Ask { id, .. } => sub.answer(id, Answer::Permission(true), now).unwrap(),
                _ => {}
            }
        }
        let sent = sent_request.expect("a key request");
        let Body::KeyRequest(r) = &sent.body else {
            panic!("request")
        };
        assert_eq!(r.request_id, str_of(&request["requestId"]));
        assert_eq!(
            r.public_key,
            hex_of(&request["publicKeyHex"]),
            "same key-exchange public key"
        );
        assert_eq!(
            r.encryption_type as i64,
            request["encryptionType"].as_i64().unwrap()
        );
        // The SDK publisher's recorded response.
        sub.handle_message(&hex_of(&v["response"]["streamMessageProtobufHex"]), now);
        let mut delivered = Vec::new();
        let mut stored = Vec::new();
        while let Some(out) = sub.poll_output() {
            match out {
                Output::Deliver(d) => delivered.push(d.content),
                Output::StoreKey { key, .. } => stored.push(key),
                Output::Ask { id, .. } => sub.answer(id, Answer::Permission(true), now).unwrap(),
                Output::Event(Event::Error { code, message, .. }) => panic!("{code}: {message}"),
                _ => {}
            }
        }
        assert_eq!(stored, vec![group_key(v)], "{}", v["label"]);
        assert_eq!(delivered, vec![b"{\"from\":\"sdk vectors\"}".to_vec()]);
    }
}

/// What the publisher sent so far.
fn sent(p: &mut Publisher) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| p.poll_output())
        .filter_map(|o| match o {
            Output::Send { bytes: b, .. } => Some(b),
            _ => None,
        })
        .collect()
}

/// Our publisher, holding the SDK publisher's identity and the group key, answers the SDK
/// subscriber's recorded request; the answer unwraps with the recorded private key.
#[suite_test]
fn our_publisher_answers_sdk_requests() {
    let d = json(KEY_EXCHANGE);
    for v in all_vectors(&d) {
        let stream = stream_id(v);
        let now = v["request"]["streamMessage"]["timestamp"].as_u64().unwrap() + 25;
        let pub_signer = signer(&v["publisher"]);
        let mut publisher = Publisher::new(
            PublisherConfig::new(stream.clone()),
            Signing::Local(pub_signer),
        )
        .unwrap();
        publisher.restore_keys(Some(group_key(v)), vec![]);
        publisher.handle_message(&hex_of(&v["request"]["streamMessageProtobufHex"]), now);
        let mut questions = Vec::new();
        let mut response = None;
        for _ in 0..2 {
            while let Some(out) = publisher.poll_output() {
                match out {
                    Output::Ask { id, question } => questions.push((id, question)),
                    Output::Send { bytes: b, .. } => {
                        response = Some(StreamMessage::from_bytes(&b).unwrap())
                    }
                    Output::Event(Event::KeyRequestDenied { code, message, .. }) => {
                        panic!("{code}: {message}")
                    }
                    _ => {}
                }
            }
            for (id, _) in questions.drain(..) {
                publisher.answer(id, Answer::Permission(true), now).unwrap();
            }
        }
        let response = response.expect("a response");
        assert_eq!(
            streamr_e2ee::identity::verify_message(&response).unwrap(),
            streamr_e2ee::identity::Verification::Valid
        );
        let Body::KeyResponse(r) = &response.body else {
            panic!("response")
        };
        let request = &v["request"]["groupKeyRequest"];
        assert_eq!(r.request_id, str_of(&request["requestId"]));
        assert_eq!(
            r.recipient_id.to_string(),
            str_of(&v["subscriber"]["userId"])
        );
        assert_eq!(r.group_keys.len(), 1);
        let key = key_pair(v)
            .unwrap_group_key(&r.group_keys[0].id, &r.group_keys[0].data)
            .unwrap();
        assert_eq!(key, group_key(v), "{}", v["label"]);
    }
}
