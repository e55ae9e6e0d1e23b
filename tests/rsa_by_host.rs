//! A publisher whose RSA is the host's (`PublisherConfig::rsa_by_host`, the only mode without
//! the feature `rsa`, as in the npm package's main wasm module): the core still decides
//! everything (signature, permissions, `minRsaKeyBits`) and asks `WrapGroupKeys` only for a
//! request that passed; the host's ciphertexts are checked before they are sent.
//!
//! The host here computes with the rsa-wasm crate (the shim's fallback module), the subscriber
//! unwraps through an `ExternalRsaKeyPair` over the same crate, so this file also runs without
//! the feature: `cargo test --no-default-features --test rsa_by_host`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::indexing_slicing
)]

use streamr_e2ee::StreamMessage;
use streamr_e2ee::cipher::GroupKey;
use streamr_e2ee::error::{Error, Result};
use streamr_e2ee::exchange::{ExternalRsaKeyPair, KeyExchangeKeyPair, MlKemKeyPair, RsaPublicKey};
use streamr_e2ee::host::{Answer, Event, Output, Question};
use streamr_e2ee::identity::evm::EvmSigner;
use streamr_e2ee::identity::{LocalSigner, Signing};
use streamr_e2ee::publisher::{Publisher, PublisherConfig};
use streamr_e2ee::wire::{Body, ContentType, GroupKeyRequest, MessageId, SignatureType};
use streamr_e2ee_rsa_wasm as rsa_wasm;
use zeroize::Zeroizing;

const S: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/s";
const T0: u64 = 1_800_000_000_000;

fn identity() -> EvmSigner {
    EvmSigner::from_private_key(&[7; 32]).unwrap()
}

/// A subscriber whose RSA private key is in the rsa-wasm crate (as the shim's fallback keeps it).
fn rsa_subscriber(bits: usize) -> Box<dyn KeyExchangeKeyPair> {
    let key = rsa_wasm::Key::generate(bits).unwrap();
    let spki = key.public_key_der().unwrap();
    let pem = RsaPublicKey::from_der(&spki).unwrap().to_pem().to_owned();
    let decrypt = move |ct: &[u8]| -> Result<Zeroizing<Vec<u8>>> {
        key.decrypt(ct).map_err(|_| Error::Decrypt)
    };
    Box::new(ExternalRsaKeyPair::new(pem.as_bytes(), decrypt).unwrap())
}

fn request(kex: &dyn KeyExchangeKeyPair, signer: &EvmSigner, key_id: &str) -> Vec<u8> {
    let mut msg = StreamMessage {
        id: MessageId {
            stream_id: S.into(),
            partition: 0,
            timestamp: T0,
            sequence_number: 0,
            publisher_id: signer.user_id(),
            msg_chain_id: "reqchain000000000001".into(),
        },
        prev: None,
        signature: vec![],
        signature_type: SignatureType::EcdsaSecp256k1Evm,
        body: Body::KeyRequest(GroupKeyRequest {
            request_id: "00000001-0000-4000-8000-000000001eef".into(),
            recipient_id: identity().user_id(),
            public_key: kex.public_key_bytes().to_vec(),
            group_key_ids: vec![key_id.into()],
            encryption_type: kex.encryption_type(),
        }),
    };
    msg.signature = LocalSigner::sign(signer, &msg.signature_payload()).unwrap();
    msg.to_bytes()
}

/// What one request made the publisher do.
#[derive(Default)]
struct Seen {
    wraps: Vec<(Vec<u8>, usize, Vec<GroupKey>)>,
    responses: Vec<Vec<(String, Vec<u8>)>>,
    denials: Vec<(&'static str, String)>,
}

/// A publisher that published once, with `min_rsa_key_bits` and host RSA.
fn publisher(min_rsa_key_bits: usize) -> (Publisher, GroupKey) {
    let mut config = PublisherConfig::new(S);
    config.min_rsa_key_bits = min_rsa_key_bits;
    config.rsa_by_host = true;
    let mut p = Publisher::new(config, Signing::Local(Box::new(identity()))).unwrap();
    p.publish(b"\"x\"".to_vec(), ContentType::Json, T0).unwrap();
    while p.poll_output().is_some() {}
    let key = p.current_key().unwrap().clone();
    (p, key)
}

/// Feeds `bytes`, allows every permission, and answers `WrapGroupKeys` with `wrap`.
fn run(p: &mut Publisher, bytes: &[u8], wrap: &dyn Fn(&[u8], &[GroupKey]) -> Answer) -> Seen {
    let mut seen = Seen::default();
    p.handle_message(bytes, T0);
    while let Some(out) = p.poll_output() {
        match out {
            Output::Ask { id, question } => {
                let answer = match question {
                    Question::Permission { .. } => Answer::Permission(true),
                    Question::WrapGroupKeys {
                        public_key,
                        bits,
                        keys,
                    } => {
                        let answer = wrap(&public_key, &keys);
                        seen.wraps.push((public_key, bits, keys));
                        answer
                    }
                    other => panic!("unexpected question {other:?}"),
                };
                p.answer(id, answer, T0).unwrap();
            }
            Output::Send { bytes, .. } => {
                if let Body::KeyResponse(r) = StreamMessage::from_bytes(&bytes).unwrap().body {
                    seen.responses
                        .push(r.group_keys.into_iter().map(|k| (k.id, k.data)).collect());
                }
            }
            Output::Event(Event::KeyRequestDenied { code, message, .. }) => {
                seen.denials.push((code.as_str(), message))
            }
            _ => {}
        }
    }
    seen
}

/// How a test host answers `WrapGroupKeys`.
type Wrapper = dyn Fn(&[u8], &[GroupKey]) -> Answer;

fn rsa_wasm_wrap(spki: &[u8], keys: &[GroupKey]) -> Answer {
    Answer::WrappedGroupKeys(
        keys.iter()
            .map(|k| rsa_wasm::encrypt(spki, k.expose_secret()).unwrap())
            .collect(),
    )
}

#[test]
fn rsa_request_is_wrapped_by_the_host_and_unwraps() {
    for bits in [640, 1024] {
        let (mut p, key) = publisher(640);
        let kex = rsa_subscriber(bits);
        let signer = EvmSigner::generate().unwrap();
        let seen = run(
            &mut p,
            &request(kex.as_ref(), &signer, key.id()),
            &rsa_wasm_wrap,
        );
        assert!(seen.denials.is_empty(), "{:?}", seen.denials);
        assert_eq!(seen.wraps.len(), 1, "one question per response");
        let (spki, asked_bits, keys) = &seen.wraps[0];
        assert_eq!(*asked_bits, bits);
        assert_eq!(keys, std::slice::from_ref(&key));
        // The DER of exactly the requester's key.
        let pem = RsaPublicKey::from_der(spki).unwrap().to_pem().to_owned();
        assert_eq!(pem.as_bytes(), kex.public_key_bytes());
        assert_eq!(seen.responses.len(), 1);
        let (id, data) = &seen.responses[0][0];
        assert_eq!(data.len(), bits / 8);
        assert_eq!(kex.unwrap_group_key(id, data).unwrap(), key);
    }
}

#[test]
fn the_floor_is_the_core_s_and_costs_the_host_nothing() {
    let (mut p, key) = publisher(2048);
    let kex = rsa_subscriber(1024);
    let signer = EvmSigner::generate().unwrap();
    let seen = run(
        &mut p,
        &request(kex.as_ref(), &signer, key.id()),
        &rsa_wasm_wrap,
    );
    assert!(seen.wraps.is_empty() && seen.responses.is_empty());
    assert_eq!(seen.denials[0].0, "ENCRYPTION_POLICY_VIOLATION");
    assert!(
        seen.denials[0].1.contains("1024 bits"),
        "{}",
        seen.denials[0].1
    );
}

#[test]
fn bad_host_answers_send_nothing() {
    let kex = rsa_subscriber(640);
    let signer = EvmSigner::generate().unwrap();
    let answers: [&Wrapper; 4] = [
        &|_, _| Answer::Failed {
            reason: "WebCrypto refused the key".into(),
        },
        &|_, _| Answer::WrappedGroupKeys(vec![]),
        &|spki, keys| {
            let Answer::WrappedGroupKeys(mut d) = rsa_wasm_wrap(spki, keys) else {
                unreachable!()
            };
            d[0].pop();
            Answer::WrappedGroupKeys(d)
        },
        &|_, _| Answer::Signature(vec![1; 65]),
    ];
    for answer in answers {
        let (mut p, key) = publisher(640);
        let seen = run(&mut p, &request(kex.as_ref(), &signer, key.id()), answer);
        assert_eq!(seen.wraps.len(), 1);
        assert!(seen.responses.is_empty());
        assert_eq!(seen.denials.len(), 1);
        assert_eq!(seen.denials[0].0, "INVALID_KEY", "{}", seen.denials[0].1);
    }
}

#[test]
fn ml_kem_stays_in_the_core() {
    let (mut p, key) = publisher(640);
    let kex = MlKemKeyPair::generate().unwrap();
    let signer = EvmSigner::generate().unwrap();
    let seen = run(&mut p, &request(&kex, &signer, key.id()), &|_, _| {
        panic!("ML-KEM must not be asked")
    });
    assert_eq!(seen.responses.len(), 1);
    let (id, data) = &seen.responses[0][0];
    assert_eq!(kex.unwrap_group_key(id, data).unwrap(), key);
}

/// Without in-core RSA a publisher cannot be told to wrap RSA itself.
#[cfg(not(feature = "rsa"))]
#[test]
fn in_core_rsa_is_refused_without_the_feature() {
    let mut config = PublisherConfig::new(S);
    assert!(config.rsa_by_host, "the default without the feature");
    config.rsa_by_host = false;
    let err = Publisher::new(config, Signing::Local(Box::new(identity()))).err();
    assert_eq!(err.map(|e| e.code().as_str()), Some("INVALID_ARGUMENT"));
}

/// The SPKI checks without big integers agree with the rsa crate's.
#[test]
fn spki_checks_match_the_rsa_crate() {
    let key = rsa_wasm::Key::generate(640).unwrap();
    let der = key.public_key_der().unwrap();
    let pk = RsaPublicKey::from_der(&der).unwrap();
    assert_eq!(
        (pk.bits(), pk.ciphertext_len(), pk.to_der()),
        (640, 80, &der[..])
    );
    // Flip the modulus' low bit (even modulus), then the exponent to 1 and to 2^33.
    let n_last = der.len() - 6; // ... n's last byte, 0x02 0x03 0x01 0x00 0x01 (e = 65537)
    assert_eq!(&der[n_last + 1..], &[0x02, 0x03, 0x01, 0x00, 0x01]);
    let mut even = der.clone();
    even[n_last] &= 0xfe;
    let mut e1 = der.clone();
    e1[der.len() - 3..].copy_from_slice(&[0, 0, 1]);
    for bad in [even, e1, der[..der.len() - 1].to_vec(), b"junk".to_vec()] {
        assert!(matches!(
            RsaPublicKey::from_der(&bad),
            Err(Error::InvalidKey(_))
        ));
        assert_eq!(
            rsa_wasm::encrypt(&bad, &[0; 1]).unwrap_err().code,
            "INVALID_KEY"
        );
    }
}
