//! The logic of every fuzz target, shared by the cargo-fuzz binaries (`fuzz/fuzz_targets/`)
//! and by `tests/fuzz_regressions.rs`, which replays the seeds and every kept crashing input
//! under the normal `cargo test` (this file is included there with `#[path]`).
//!
//! A target panics only when an invariant breaks; an `Err` is the expected answer to bad
//! input. The structured targets (`subscriber`, `publisher`) build valid-ish messages from
//! `arbitrary` choices and sign them with fixed keys, so the fuzzer gets past signature checks
//! into the state machines, then mutates, replays and reorders them. Their ids have the SDK's
//! forms (20-character chain ids, uuid request ids, `<uuid>-GroupKey<n>` key ids), so the
//! machines' strict format checks let them through; `Other`/`Raw` choices try any id.
//!
//! Both structured targets answer the machines' questions as a host would, including
//! `LoadKey` from a model of the host's key store ([`KeyStore`]). The store is seeded with a
//! key of this stream from an earlier session ([`STORED_KEY_ID`]) and with a key of the same
//! publisher bound to another stream ([`OTHER_STREAM_KEY_ID`]), both ids the fuzzer can name:
//! the machines may load the first, and must never hand out or use the second.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};

use streamr_e2ee::cipher::GroupKey;
use streamr_e2ee::error::Error;
use streamr_e2ee::exchange::{self, KeyExchangeKeyPair, MlKemKeyPair, RsaKeyPair, RsaPublicKey};
use streamr_e2ee::host::{Answer, Output, Permission, Question};
use streamr_e2ee::identity::evm::EvmSigner;
use streamr_e2ee::identity::{self, Signing};
use streamr_e2ee::publisher::{Publisher, PublisherConfig};
use streamr_e2ee::random::Entropy;
use streamr_e2ee::registry::{self, abi};
use streamr_e2ee::subscriber::{KeyExchange, Subscriber, SubscriberConfig};
use streamr_e2ee::wire::format::{self, Formats};
use streamr_e2ee::wire::{
    AsymmetricEncryptionType, Body, ContentMessage, ContentType, EncryptedGroupKey, EncryptionType,
    GroupKeyRequest, GroupKeyResponse, MessageId, MessageRef, SignatureType,
};
use streamr_e2ee::{StreamMessage, UserId};

/// The stream every structured target works on.
pub(crate) const STREAM: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/fuzz";
/// Another stream of the same owner: its keys sit in the same host key store.
pub(crate) const OTHER_STREAM: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/other";
/// Start time (ms).
pub(crate) const T0: u64 = 1_800_000_000_000;

/// The id of a key in the host's store bound to [`STREAM`] (kept from an earlier session):
/// the machines may load it.
pub(crate) const STORED_KEY_ID: &str = "55555555-5555-4555-8555-555555555555-GroupKey5";
const STORED_KEY_FILL: u8 = 0x55;
/// The id of the publisher's key in the host's store bound to [`OTHER_STREAM`] only: never
/// handed out on [`STREAM`], never used to decrypt its content unless it came over this stream.
pub(crate) const OTHER_STREAM_KEY_ID: &str = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee-GroupKey14";
const OTHER_STREAM_KEY_FILL: u8 = 0xee;

// Anvil's well-known test keys: fixed, so a crashing input replays the same way.
const PUBLISHER_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const SUBSCRIBER_KEY: &str = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ATTACKER_KEY: &str = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

/// The SDK's 640-bit test key pair (tests/vectors/key_exchange_asymmetric.json): small, so
/// RSA decryption does not dominate the fuzzing time.
const RSA_640_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIBnAIBADANBgkqhkiG9w0BAQEFAASCAYYwggGCAgEAAlEAqZtYyIJ99LNUkIeF\nUy2+NjU5n18LaLI3d+uvGwCba8Rf7M6zZXddVHjKykj0rLluTvEf09Vvv6CztSC1\nJ+51nWW0xUvpTs2xQtlPJ4dM57UCAwEAAQJQDsEBvyeC13eGIrB3S54ODt8gbRmy\nf2AJbTgmWl36JyzE/2+XsXrptlwq3c7O2NRrS8ob9C5APejUbY58aLcLB2OcNZuC\n4TW6x+87intFkT0CKQDWmADd+28OlpBaDx5IJ5C/4XtS279PXIsrHtIHUkLwJywy\nenK5MeQ3AikAylUvRpJWFVmwP1VmYFBNuWzE93ooTE5DddUqd83XnTyZO6rpwXw1\ncwIoQmvIEO1rQYuu4IE/cTv13L5xCoOD4o+Vb+JZRfTbTTQCxRkLe3EK3wIpAJ8s\nFo35L1mKfjnE0E4yvoKCDA34ft1QsIdxVAB94gKjmpSzJ0P8l/sCKEGPFtYF+Qou\nW5R6ITGtAZuDhrf07U88KdGN8rckEQ11N+Ih+U5+iuM=\n-----END PRIVATE KEY-----\n";

fn signer(hex_key: &str) -> EvmSigner {
    let bytes = hex::decode(hex_key).expect("fixed key is hex");
    EvmSigner::from_private_key(&bytes).expect("fixed key is valid")
}

fn rsa_pair() -> RsaKeyPair {
    RsaKeyPair::from_pkcs8_pem(RSA_640_PEM.as_bytes()).expect("fixed RSA key")
}

/// One ML-KEM key pair for the whole process (its expanded secret key, re-imported per run).
fn mlkem_secret() -> &'static [u8] {
    static SECRET: OnceLock<Vec<u8>> = OnceLock::new();
    SECRET.get_or_init(|| {
        MlKemKeyPair::generate()
            .expect("CSPRNG")
            .to_expanded_secret_key()
            .to_vec()
    })
}

fn mlkem_pair() -> MlKemKeyPair {
    MlKemKeyPair::from_expanded_secret_key(mlkem_secret()).expect("own key")
}

/// Deterministic ids and keys (a linear congruential generator): same input, same run.
struct Counter(u64);

impl Entropy for Counter {
    fn fill(&mut self, buf: &mut [u8]) -> streamr_e2ee::Result<()> {
        for b in buf {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            *b = (self.0 >> 56) as u8;
        }
        Ok(())
    }
}

fn key(id: &str, fill: u8) -> GroupKey {
    GroupKey::new(id, &[fill; 32]).expect("fixed key")
}

/// A request id in the SDK's form (a lower-case uuid), numbered.
fn uuid_request_id(n: u8) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

// ---------------------------------------------------------------------------------------
// The host's key store

/// The host's key store as the shim keeps it (and as `tests/suite/net.rs` models it):
/// `(publisher, key id)` → (key bytes, the streams the key is bound to). `LoadKey` finds a key
/// only for a stream it is bound to; `StoreKey` never overwrites a stored key unless it says
/// `replace`, and binds a stream to a stored key only when the bytes are the same key (a
/// different key under a known id must not make the stored one loadable on a new stream).
#[derive(Default)]
pub(crate) struct KeyStore(HashMap<(UserId, String), (Vec<u8>, Vec<String>)>);

impl KeyStore {
    /// `owner`'s key of [`STREAM`] from an earlier session and its key of [`OTHER_STREAM`].
    fn seeded(owner: &UserId) -> Self {
        let mut store = KeyStore::default();
        store.0.insert(
            (owner.clone(), STORED_KEY_ID.to_owned()),
            (vec![STORED_KEY_FILL; 32], vec![STREAM.to_owned()]),
        );
        store.0.insert(
            (owner.clone(), OTHER_STREAM_KEY_ID.to_owned()),
            (
                vec![OTHER_STREAM_KEY_FILL; 32],
                vec![OTHER_STREAM.to_owned()],
            ),
        );
        store
    }

    fn load(&self, stream_id: &str, publisher: &UserId, key_id: &str) -> Option<Vec<u8>> {
        self.0
            .get(&(publisher.clone(), key_id.to_owned()))
            .filter(|(_, streams)| streams.iter().any(|s| s == stream_id))
            .map(|(bytes, _)| bytes.clone())
    }

    fn store(&mut self, publisher: UserId, key: &GroupKey, stream_id: String, replace: bool) {
        let bytes = key.expose_secret().to_vec();
        let entry = self
            .0
            .entry((publisher, key.id().to_owned()))
            .or_insert_with(|| (bytes.clone(), Vec::new()));
        if replace {
            entry.0 = bytes.clone();
        }
        if entry.0 == bytes && !entry.1.contains(&stream_id) {
            entry.1.push(stream_id);
        }
    }
}

/// How the host answers `LoadKey`.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreMode {
    /// From the store.
    Honest,
    /// "Not there", whatever the store holds.
    Missing,
    /// The store failed (`Answer::Failed`).
    Failed,
    /// The stored bytes cut or zero-padded to this many (mod 65; 32 is the honest answer).
    Resized(u8),
    /// An answer of the wrong kind.
    WrongKind,
}

impl StoreMode {
    /// Whether the answers are of the right kind and size: the machine must take them without
    /// an error. Malformed answers may be refused with one (never with a panic).
    fn well_formed(self) -> bool {
        match self {
            StoreMode::Honest | StoreMode::Missing | StoreMode::Failed => true,
            StoreMode::Resized(n) => usize::from(n) % 65 == 32,
            StoreMode::WrongKind => false,
        }
    }

    fn answer(self, found: Option<Vec<u8>>) -> Answer {
        match self {
            StoreMode::Honest => Answer::StoredKey(found),
            StoreMode::Missing => Answer::StoredKey(None),
            StoreMode::Failed => Answer::Failed {
                reason: "key store unavailable".into(),
            },
            StoreMode::Resized(n) => Answer::StoredKey(found.map(|mut b| {
                b.resize(usize::from(n) % 65, 0);
                b
            })),
            StoreMode::WrongKind => Answer::Permission(true),
        }
    }
}

// ---------------------------------------------------------------------------------------
// StreamMessage decoding

/// Any bytes: decoding never panics; what decodes re-encodes to a message that decodes to
/// the same value; payload building, verification and the format checks never panic, and
/// the SDK forms are a subset of any forms.
pub(crate) fn stream_message(data: &[u8]) {
    let Ok(msg) = StreamMessage::from_bytes(data) else {
        return;
    };
    let again = StreamMessage::from_bytes(&msg.to_bytes()).expect("a decoded message re-encodes");
    assert_eq!(
        again, msg,
        "decode ∘ encode is the identity on decoded messages"
    );
    let _ = msg.signature_payload();
    let _ = msg.legacy_signature_payload();
    let _ = identity::verify_message(&msg);
    if format::check(&msg, Formats::Sdk).is_ok() {
        assert!(
            format::check(&msg, Formats::Any).is_ok(),
            "a message in the SDK's forms fails the relaxed check"
        );
    }
    if let Some(c) = msg.content() {
        let _ = streamr_e2ee::content::json_text(c.content_type, &c.content);
    }
}

// ---------------------------------------------------------------------------------------
// The subscriber handling arbitrary messages

/// Who signs a structured message.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub(crate) enum Signer {
    /// The real publisher (or requester), validly.
    Genuine,
    /// The attacker, in the genuine party's name (a forged signature).
    Forged,
    /// The attacker in its own name (valid signature, no permission).
    Attacker,
    /// 65 fixed bytes in the genuine party's name.
    Garbage(u8),
}

/// Which group key a field refers to.
#[derive(Arbitrary, Debug, Clone)]
pub(crate) enum KeyChoice {
    /// `k1`, which the subscriber is given at the start.
    Known,
    /// `k2`, which the subscriber must fetch (or learn by rotation).
    Fetched,
    /// The key in the host's store bound to this stream ([`STORED_KEY_ID`]): loadable.
    Stored,
    /// The publisher's key bound to another stream in the host's store
    /// ([`OTHER_STREAM_KEY_ID`]): usable only once it came over this stream.
    OtherStream,
    /// Any id, with a fixed key.
    Other(String),
}

const K1: &str = "11111111-1111-4111-8111-111111111111-GroupKey1";
const K2: &str = "22222222-2222-4222-8222-222222222222-GroupKey2";
const K3: &str = "33333333-3333-4333-8333-333333333333-GroupKey3";

fn group_key(choice: &KeyChoice) -> GroupKey {
    match choice {
        KeyChoice::Known => key(K1, 1),
        KeyChoice::Fetched => key(K2, 2),
        KeyChoice::Stored => key(STORED_KEY_ID, STORED_KEY_FILL),
        KeyChoice::OtherStream => key(OTHER_STREAM_KEY_ID, OTHER_STREAM_KEY_FILL),
        KeyChoice::Other(id) => GroupKey::new(id.clone(), &[3; 32]).unwrap_or_else(|_| key(K3, 3)),
    }
}

#[derive(Arbitrary, Debug)]
pub(crate) enum Wrapped {
    /// The chosen key, wrapped for the subscriber's real public key.
    Real(KeyChoice),
    /// Raw bytes as the wrapped key.
    Raw(String, Vec<u8>),
}

#[derive(Arbitrary, Debug)]
pub(crate) enum SubStep {
    Content {
        second_chain: bool,
        time: u8,
        seq: u8,
        prev: Option<(u8, u8)>,
        plaintext: Vec<u8>,
        encrypt_with: Option<KeyChoice>,
        /// Changes the unsigned fields after signing (in-transit tampering).
        claimed_key: Option<KeyChoice>,
        claimed_encryption: Option<bool>,
        binary: bool,
        next_key: Option<(KeyChoice, Option<Vec<u8>>)>,
        signer: Signer,
    },
    Response {
        /// `None`: answer the subscriber's latest real request.
        request_id: Option<String>,
        to_someone_else: bool,
        keys: Vec<Wrapped>,
        rsa: bool,
        signer: Signer,
    },
    Raw(Vec<u8>),
    /// Flip one byte of a message sent earlier and send it again.
    Flip {
        which: u8,
        at: u16,
        xor: u8,
    },
    /// Send an earlier message again.
    Replay(u8),
    Advance(u16),
    /// From now on the host answers `LoadKey` this way.
    Store(StoreMode),
}

fn sign_as(msg: &mut StreamMessage, who: Signer, genuine: &EvmSigner, attacker: &EvmSigner) {
    match who {
        Signer::Genuine => {
            msg.id.publisher_id = genuine.user_id();
            msg.signature = genuine
                .sign(&msg.signature_payload())
                .expect("sign")
                .to_vec();
        }
        Signer::Forged => {
            msg.id.publisher_id = genuine.user_id();
            msg.signature = attacker
                .sign(&msg.signature_payload())
                .expect("sign")
                .to_vec();
        }
        Signer::Attacker => {
            msg.id.publisher_id = attacker.user_id();
            msg.signature = attacker
                .sign(&msg.signature_payload())
                .expect("sign")
                .to_vec();
        }
        Signer::Garbage(b) => {
            msg.id.publisher_id = genuine.user_id();
            msg.signature = vec![b; 65];
        }
    }
}

/// Whether `bytes` could teach a subscriber [`OTHER_STREAM_KEY_ID`]: a key response carrying
/// that id, or content announcing it as the next key (whoever signed it).
fn offers_other_stream_key(bytes: &[u8]) -> bool {
    match StreamMessage::from_bytes(bytes).map(|m| m.body) {
        Ok(Body::KeyResponse(r)) => r.group_keys.iter().any(|k| k.id == OTHER_STREAM_KEY_ID),
        Ok(Body::Content(c)) => c.new_group_key.is_some_and(|k| k.id == OTHER_STREAM_KEY_ID),
        _ => false,
    }
}

/// What the subscriber did, and the host it talks to; checked after every step.
struct Observed {
    delivered: HashSet<(String, u64, u32)>,
    last: HashMap<String, MessageRef>,
    requests: Vec<String>,
    sent: Vec<Vec<u8>>,
    store: KeyStore,
    store_mode: StoreMode,
    /// A message that could teach [`OTHER_STREAM_KEY_ID`] reached the subscriber.
    other_stream_key_offered: bool,
}

fn drain_subscriber(sub: &mut Subscriber, publisher: &UserId, now: u64, seen: &mut Observed) {
    for _ in 0..10_000 {
        let Some(out) = sub.poll_output() else { return };
        match out {
            Output::Send { bytes, .. } => {
                if let Ok(m) = StreamMessage::from_bytes(&bytes)
                    && let Body::KeyRequest(r) = m.body
                {
                    assert_eq!(m.id.stream_id, STREAM, "a key request on another stream");
                    assert_eq!(
                        &r.recipient_id, publisher,
                        "a key request to someone without PUBLISH"
                    );
                    seen.requests.push(r.request_id);
                }
            }
            Output::Ask { id, question } => {
                let mut lenient = false;
                let answer = match question {
                    // Only the genuine publisher may publish.
                    Question::Permission {
                        user, permission, ..
                    } => {
                        Answer::Permission(permission == Permission::Publish && &user == publisher)
                    }
                    Question::LoadKey {
                        stream_id,
                        publisher: owner,
                        key_id,
                    } => {
                        assert_eq!(stream_id, STREAM, "asked for a key of another stream");
                        assert_eq!(
                            &owner, publisher,
                            "asked for a key of someone without PUBLISH"
                        );
                        lenient = !seen.store_mode.well_formed();
                        seen.store_mode
                            .answer(seen.store.load(&stream_id, &owner, &key_id))
                    }
                    _ => Answer::Permission(false),
                };
                let answered = sub.answer(id, answer, now);
                if !lenient {
                    answered.expect("the question is open");
                }
            }
            Output::Deliver(d) => {
                assert_eq!(
                    &d.publisher_id, publisher,
                    "delivered without PUBLISH or signature"
                );
                assert!(
                    seen.delivered.insert((
                        d.msg_chain_id.clone(),
                        d.reference.timestamp,
                        d.reference.sequence_number
                    )),
                    "delivered twice: {:?}",
                    d.reference
                );
                if let Some(last) = seen.last.get(&d.msg_chain_id) {
                    assert!(*last < d.reference, "chain order broken");
                }
                seen.last.insert(d.msg_chain_id.clone(), d.reference);
                if d.group_key_id.as_deref() == Some(OTHER_STREAM_KEY_ID) {
                    assert!(
                        seen.other_stream_key_offered,
                        "decrypted with a key bound to another stream that never came over this one"
                    );
                }
            }
            Output::StoreKey {
                publisher: owner,
                key,
                stream_id,
                replace,
                ..
            } => {
                assert_eq!(stream_id, STREAM, "stored a key for another stream");
                seen.store.store(owner, &key, stream_id, replace);
            }
            Output::Event(_) => {}
            // Output is #[non_exhaustive]: a new kind must be handled here first.
            other => panic!("unexpected output {other:?}"),
        }
    }
    panic!("the subscriber never stops producing output");
}

/// A subscriber (ML-KEM or RSA) fed structured, signed, tampered, replayed and raw messages,
/// with a host whose key store holds a key of this stream and one of another stream.
/// Invariants: no panic; nothing delivered twice or out of chain order, nothing delivered
/// from anyone but the permitted publisher; keys loaded and requests sent only for this
/// stream and the permitted publisher, keys stored only for this stream; nothing decrypted
/// with the other stream's key unless it came over this stream; memory counters within
/// their configured bounds.
pub(crate) fn subscriber(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(use_rsa) = bool::arbitrary(&mut u) else {
        return;
    };
    let Ok(steps) = Vec::<SubStep>::arbitrary(&mut u) else {
        return;
    };
    let publisher = signer(PUBLISHER_KEY);
    let attacker = signer(ATTACKER_KEY);
    let me = signer(SUBSCRIBER_KEY);
    let (kex, wrap_type, wrap_pk): (KeyExchange, _, Vec<u8>) = if use_rsa {
        let pair = rsa_pair();
        let pk = pair.public_key_bytes().to_vec();
        (
            KeyExchange::Internal(Box::new(pair)),
            AsymmetricEncryptionType::Rsa,
            pk,
        )
    } else {
        let pair = mlkem_pair();
        let pk = pair.public_key().to_vec();
        (
            KeyExchange::Internal(Box::new(pair)),
            AsymmetricEncryptionType::MlKem,
            pk,
        )
    };
    let mut config = SubscriberConfig::new(STREAM);
    config.max_held_messages = 8;
    config.max_held_per_chain = 4;
    config.max_chains = 4;
    config.max_keys = 4;
    config.max_key_fetches = 4;
    let mut now = T0;
    let mut sub = Subscriber::with_entropy(
        config,
        Signing::Local(Box::new(signer(SUBSCRIBER_KEY))),
        kex,
        Box::new(Counter(1)),
        now,
    )
    .expect("valid config");
    let pid = publisher.user_id();
    let mut seen = Observed {
        delivered: HashSet::new(),
        last: HashMap::new(),
        requests: Vec::new(),
        sent: Vec::new(),
        store: KeyStore::seeded(&pid),
        store_mode: StoreMode::Honest,
        other_stream_key_offered: false,
    };
    sub.add_key(pid.clone(), key(K1, 1), now);
    drain_subscriber(&mut sub, &pid, now, &mut seen);
    for step in steps.into_iter().take(24) {
        let bytes = match step {
            SubStep::Content {
                second_chain,
                time,
                seq,
                prev,
                plaintext,
                encrypt_with,
                claimed_key,
                claimed_encryption,
                binary,
                next_key,
                signer: who,
            } => {
                let k = encrypt_with.as_ref().map(group_key);
                let content = match &k {
                    Some(k) => k.encrypt(&plaintext).expect("encrypt"),
                    None => plaintext,
                };
                let new_group_key = match (&k, next_key) {
                    (Some(k), Some((next, None))) => {
                        Some(k.encrypt_next(&group_key(&next)).expect("encrypt"))
                    }
                    (_, Some((next, Some(data)))) => Some(EncryptedGroupKey {
                        id: group_key(&next).id().to_owned(),
                        data,
                    }),
                    _ => None,
                };
                let mut msg = StreamMessage {
                    id: MessageId {
                        stream_id: STREAM.into(),
                        partition: 0,
                        timestamp: T0 + u64::from(time) * 1000,
                        sequence_number: u32::from(seq),
                        publisher_id: pid.clone(),
                        msg_chain_id: if second_chain {
                            "fuzzChainB0000000000"
                        } else {
                            "fuzzChainA0000000000"
                        }
                        .into(),
                    },
                    prev: prev.map(|(t, s)| MessageRef {
                        timestamp: T0 + u64::from(t) * 1000,
                        sequence_number: u32::from(s),
                    }),
                    signature: Vec::new(),
                    signature_type: SignatureType::EcdsaSecp256k1Evm,
                    body: Body::Content(ContentMessage {
                        content,
                        content_type: if binary {
                            ContentType::Binary
                        } else {
                            ContentType::Json
                        },
                        encryption_type: if k.is_some() {
                            EncryptionType::Aes
                        } else {
                            EncryptionType::None
                        },
                        group_key_id: k.as_ref().map(|k| k.id().to_owned()),
                        new_group_key,
                    }),
                };
                if msg.prev.is_some_and(|p| p >= msg.id.reference()) {
                    msg.prev = None;
                }
                sign_as(&mut msg, who, &publisher, &attacker);
                if let Body::Content(c) = &mut msg.body {
                    if let Some(claimed) = claimed_key {
                        c.group_key_id = Some(group_key(&claimed).id().to_owned());
                    }
                    if let Some(aes) = claimed_encryption {
                        c.encryption_type = if aes {
                            EncryptionType::Aes
                        } else {
                            EncryptionType::None
                        };
                        if aes && c.group_key_id.is_none() {
                            c.group_key_id = Some(K1.into());
                        }
                    }
                }
                msg.to_bytes()
            }
            SubStep::Response {
                request_id,
                to_someone_else,
                keys,
                rsa,
                signer: who,
            } => {
                let request_id = request_id
                    .or_else(|| seen.requests.last().cloned())
                    .unwrap_or_default();
                let mut group_keys = Vec::new();
                for w in keys.into_iter().take(4) {
                    group_keys.push(match w {
                        Wrapped::Real(choice) => {
                            let k = group_key(&choice);
                            EncryptedGroupKey {
                                id: k.id().to_owned(),
                                data: exchange::wrap_group_key(&k, wrap_type, &wrap_pk)
                                    .expect("own key"),
                            }
                        }
                        Wrapped::Raw(id, data) => EncryptedGroupKey { id, data },
                    });
                }
                let mut msg = StreamMessage {
                    id: MessageId {
                        stream_id: STREAM.into(),
                        partition: 0,
                        timestamp: now,
                        sequence_number: 0,
                        publisher_id: pid.clone(),
                        msg_chain_id: "fuzzResponseChain000".into(),
                    },
                    prev: None,
                    signature: Vec::new(),
                    signature_type: SignatureType::EcdsaSecp256k1Evm,
                    body: Body::KeyResponse(GroupKeyResponse {
                        request_id,
                        recipient_id: if to_someone_else {
                            attacker.user_id()
                        } else {
                            me.user_id()
                        },
                        group_keys,
                        encryption_type: if rsa {
                            AsymmetricEncryptionType::Rsa
                        } else {
                            AsymmetricEncryptionType::MlKem
                        },
                    }),
                };
                sign_as(&mut msg, who, &publisher, &attacker);
                msg.to_bytes()
            }
            SubStep::Raw(bytes) => bytes,
            SubStep::Flip { which, at, xor } => {
                let Some(old) = pick(&seen.sent, which) else {
                    continue;
                };
                let mut bytes = old.clone();
                if let Some(b) = bytes.get_mut(usize::from(at) % old.len().max(1)) {
                    *b ^= xor;
                }
                bytes
            }
            SubStep::Replay(which) => match pick(&seen.sent, which) {
                Some(old) => old.clone(),
                None => continue,
            },
            SubStep::Advance(ms) => {
                now += u64::from(ms) * 10;
                sub.handle_timeout(now);
                drain_subscriber(&mut sub, &pid, now, &mut seen);
                continue;
            }
            SubStep::Store(mode) => {
                seen.store_mode = mode;
                continue;
            }
        };
        seen.other_stream_key_offered |= offers_other_stream_key(&bytes);
        sub.handle_message(&bytes, now);
        seen.sent.push(bytes);
        drain_subscriber(&mut sub, &pid, now, &mut seen);
        assert!(sub.held_messages() <= 8, "held messages over the bound");
        assert!(sub.known_chains() <= 4, "chains over the bound");
        assert!(sub.known_keys() <= 4, "keys over the bound");
        assert!(sub.pending_key_fetches() <= 4, "fetches over the bound");
    }
}

fn pick(list: &[Vec<u8>], which: u8) -> Option<&Vec<u8>> {
    if list.is_empty() {
        return None;
    }
    list.get(usize::from(which) % list.len())
}

// ---------------------------------------------------------------------------------------
// The publisher handling arbitrary key requests

#[derive(Arbitrary, Debug)]
pub(crate) enum PublicKeyChoice {
    MlKem,
    Rsa,
    /// A real key with one byte changed.
    Flipped {
        rsa: bool,
        at: u16,
        xor: u8,
    },
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
pub(crate) enum KeyIdChoice {
    /// The publisher's current key.
    Current,
    /// A key the publisher had (current once, stored, or loaded), by position.
    Had(u8),
    /// The key in the host's store bound to this stream ([`STORED_KEY_ID`]).
    Stored,
    /// The publisher's key bound to another stream in the host's store
    /// ([`OTHER_STREAM_KEY_ID`]): never handed out here.
    OtherStream,
    Other(String),
}

#[derive(Arbitrary, Debug)]
pub(crate) enum RequestIdChoice {
    /// A uuid, as the SDK makes them (numbered, so the fuzzer can reuse one).
    Uuid(u8),
    Raw(String),
}

#[derive(Arbitrary, Debug)]
pub(crate) enum PubStep {
    Request {
        signer: Signer,
        request_id: RequestIdChoice,
        to_someone_else: bool,
        other_stream: bool,
        partition: u8,
        public_key: PublicKeyChoice,
        key_ids: Vec<KeyIdChoice>,
        rsa: bool,
        age_s: i16,
    },
    Publish(Vec<u8>),
    Rotate,
    Rekey,
    Raw(Vec<u8>),
    Replay(u8),
    Advance(u16),
    /// From now on the registry says this about the requester's SUBSCRIBE and the publisher's
    /// PUBLISH (both granted at the start).
    Permissions {
        subscribe: bool,
        publish: bool,
    },
    /// From now on the host answers `LoadKey` this way.
    Store(StoreMode),
}

/// A genuine request the publisher may answer: signed by the requester, addressed to this
/// publisher, on its stream partition, while both permissions were granted.
#[derive(Clone, Debug)]
struct Asked {
    public_key: Vec<u8>,
    encryption_type: AsymmetricEncryptionType,
    key_ids: Vec<String>,
}

/// A publisher fed structured key requests (genuine, forged, re-targeted, with odd public
/// keys and key ids, stale or from the future), raw bytes and replays, between publishes,
/// rotations, re-keys and permission changes, with a host whose key store holds a key of
/// this stream and one of another stream. All questions are answered at once, so every
/// request is settled within its step.
///
/// Invariants: no panic; every key response goes to the requester (the one identity with
/// SUBSCRIBE), in a step where both permissions hold, and answers a genuine request by its
/// request id (never more responses than such requests), in the scheme it asked for, with
/// only key ids it asked for and never the other stream's key. Each response is judged
/// against the public keys its request id carried: if every one was the requester's genuine
/// key, every key must unwrap with the genuine secret key to a key the publisher had (was
/// current, stored, or loaded from the store). A key wrapped for any other public key
/// (flipped or raw) is only checked for its recipient: ML-KEM's implicit rejection and
/// AES-CTR without a MAC "unwrap" it with the genuine secret key to garbage rather than
/// fail. `LoadKey` is asked only for this publisher's keys of this stream, only in a step
/// where both permissions hold, and only for ids a genuine request of that step named; keys
/// are stored only for this stream. Pending requests stay within the bound.
pub(crate) fn publisher(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(steps) = Vec::<PubStep>::arbitrary(&mut u) else {
        return;
    };
    let me = signer(PUBLISHER_KEY);
    let requester = signer(SUBSCRIBER_KEY);
    let attacker = signer(ATTACKER_KEY);
    let my_id = me.user_id();
    let mut config = PublisherConfig::new(STREAM);
    config.max_pending_key_requests = 4;
    config.max_tracked_requesters = 4;
    config.msg_chain_id = Some("fuzzPublisherChain00".into());
    let mut publisher = Publisher::with_entropy(
        config,
        Signing::Local(Box::new(signer(PUBLISHER_KEY))),
        Box::new(Counter(7)),
    )
    .expect("valid config");
    let mlkem = mlkem_pair();
    let rsa = rsa_pair();
    let genuine_pk = |t: AsymmetricEncryptionType| -> Vec<u8> {
        match t {
            AsymmetricEncryptionType::MlKem => mlkem.public_key().to_vec(),
            AsymmetricEncryptionType::Rsa => rsa.public_key_bytes().to_vec(),
        }
    };
    let mut now = T0;
    let mut store = KeyStore::seeded(&my_id);
    let mut store_mode = StoreMode::Honest;
    let (mut subscribe_ok, mut publish_ok) = (true, true);
    // Request id → the genuine requests that carried it; responses per request id.
    let mut asked: HashMap<String, Vec<Asked>> = HashMap::new();
    let mut answered: HashMap<String, usize> = HashMap::new();
    let mut sent: Vec<(Vec<u8>, Option<Asked>)> = Vec::new();
    // Every key the publisher had: current after a step, stored, or loaded.
    let mut had: Vec<GroupKey> = Vec::new();
    let remember = |had: &mut Vec<GroupKey>, k: &GroupKey| {
        if !had.contains(k) {
            had.push(k.clone());
        }
    };
    for step in steps.into_iter().take(24) {
        // Key ids genuine requests of this step named (all its questions are answered in it).
        let mut named: HashSet<String> = HashSet::new();
        let granted = subscribe_ok && publish_ok;
        match step {
            PubStep::Request {
                signer: who,
                request_id,
                to_someone_else,
                other_stream,
                partition,
                public_key,
                key_ids,
                rsa: claims_rsa,
                age_s,
            } => {
                let pk = match public_key {
                    PublicKeyChoice::MlKem => mlkem.public_key().to_vec(),
                    PublicKeyChoice::Rsa => rsa.public_key_bytes().to_vec(),
                    PublicKeyChoice::Flipped { rsa: r, at, xor } => {
                        let mut pk = if r {
                            rsa.public_key_bytes().to_vec()
                        } else {
                            mlkem.public_key().to_vec()
                        };
                        let n = pk.len();
                        if let Some(b) = pk.get_mut(usize::from(at) % n) {
                            *b ^= xor;
                        }
                        pk
                    }
                    PublicKeyChoice::Raw(b) => b,
                };
                let current = publisher
                    .current_key()
                    .map(|k| k.id().to_owned())
                    .unwrap_or_default();
                let group_key_ids: Vec<String> = key_ids
                    .into_iter()
                    .take(20)
                    .map(|c| match c {
                        KeyIdChoice::Current => current.clone(),
                        KeyIdChoice::Had(i) => had
                            .get(usize::from(i) % had.len().max(1))
                            .map_or_else(|| current.clone(), |k| k.id().to_owned()),
                        KeyIdChoice::Stored => STORED_KEY_ID.into(),
                        KeyIdChoice::OtherStream => OTHER_STREAM_KEY_ID.into(),
                        KeyIdChoice::Other(s) => s,
                    })
                    .collect();
                let request_id = match request_id {
                    RequestIdChoice::Uuid(n) => uuid_request_id(n),
                    RequestIdChoice::Raw(s) => s,
                };
                let encryption_type = if claims_rsa {
                    AsymmetricEncryptionType::Rsa
                } else {
                    AsymmetricEncryptionType::MlKem
                };
                let mut msg = StreamMessage {
                    id: MessageId {
                        stream_id: if other_stream { OTHER_STREAM } else { STREAM }.into(),
                        partition: u32::from(partition % 2),
                        timestamp: now.saturating_add_signed(i64::from(age_s) * 1000),
                        sequence_number: 0,
                        publisher_id: requester.user_id(),
                        msg_chain_id: "fuzzRequestChain0000".into(),
                    },
                    prev: None,
                    signature: Vec::new(),
                    signature_type: SignatureType::EcdsaSecp256k1Evm,
                    body: Body::KeyRequest(GroupKeyRequest {
                        request_id: request_id.clone(),
                        recipient_id: if to_someone_else {
                            attacker.user_id()
                        } else {
                            my_id.clone()
                        },
                        public_key: pk.clone(),
                        group_key_ids: group_key_ids.clone(),
                        encryption_type,
                    }),
                };
                sign_as(&mut msg, who, &requester, &attacker);
                let info = (matches!(who, Signer::Genuine)
                    && !to_someone_else
                    && !other_stream
                    && partition % 2 == 0)
                    .then_some(Asked {
                        public_key: pk,
                        encryption_type,
                        key_ids: group_key_ids,
                    });
                if let Some(info) = &info {
                    take_request(&request_id, info, granted, &mut named, &mut asked);
                }
                let bytes = msg.to_bytes();
                publisher.handle_message(&bytes, now);
                sent.push((bytes, info));
            }
            PubStep::Publish(content) => {
                let _ = publisher.publish(content, ContentType::Binary, now);
            }
            PubStep::Rotate => {
                let _ = publisher.rotate(None);
            }
            PubStep::Rekey => {
                let _ = publisher.rekey(None);
            }
            PubStep::Raw(bytes) => publisher.handle_message(&bytes, now),
            PubStep::Replay(which) => {
                if !sent.is_empty() {
                    let (old, info) = sent[usize::from(which) % sent.len()].clone();
                    // A replay of a genuine request is genuine: the signature is real. It may
                    // be answered again while fresh; staleness (and replay memory) bound it.
                    if let Some(info) = &info
                        && let Ok(m) = StreamMessage::from_bytes(&old)
                        && let Body::KeyRequest(r) = &m.body
                    {
                        take_request(&r.request_id, info, granted, &mut named, &mut asked);
                    }
                    publisher.handle_message(&old, now);
                }
            }
            PubStep::Advance(s) => now += u64::from(s) * 1000,
            PubStep::Permissions { subscribe, publish } => {
                subscribe_ok = subscribe;
                publish_ok = publish;
            }
            PubStep::Store(mode) => store_mode = mode,
        }
        if let Some(k) = publisher.current_key() {
            remember(&mut had, k);
        }
        for _ in 0..10_000 {
            let Some(out) = publisher.poll_output() else {
                break;
            };
            match out {
                Output::Ask { id, question } => {
                    let mut lenient = false;
                    let answer = match question {
                        Question::Permission {
                            user, permission, ..
                        } => Answer::Permission(match permission {
                            Permission::Publish => publish_ok && user == my_id,
                            Permission::Subscribe => subscribe_ok && user == requester.user_id(),
                        }),
                        Question::LoadKey {
                            stream_id,
                            publisher: owner,
                            key_id,
                        } => {
                            assert_eq!(stream_id, STREAM, "asked for a key of another stream");
                            assert_eq!(owner, my_id, "asked for someone else's key");
                            assert!(
                                subscribe_ok && publish_ok,
                                "loaded a key while a permission was refused"
                            );
                            assert!(
                                named.contains(&key_id),
                                "loaded a key no genuine request named: {key_id:?}"
                            );
                            lenient = !store_mode.well_formed();
                            let answer = store_mode.answer(store.load(&stream_id, &owner, &key_id));
                            if let Answer::StoredKey(Some(bytes)) = &answer
                                && let Ok(k) = GroupKey::new(key_id.clone(), bytes)
                            {
                                remember(&mut had, &k);
                            }
                            answer
                        }
                        _ => Answer::Failed {
                            reason: "not asked of this host".into(),
                        },
                    };
                    let result = publisher.answer(id, answer, now);
                    if !lenient {
                        result.expect("the question is open");
                    }
                }
                Output::StoreKey {
                    publisher: owner,
                    key,
                    stream_id,
                    replace,
                    ..
                } => {
                    assert_eq!(owner, my_id, "stored a key as someone else's");
                    assert_eq!(stream_id, STREAM, "stored a key for another stream");
                    remember(&mut had, &key);
                    store.store(owner, &key, stream_id, replace);
                }
                Output::Send { bytes, .. } => {
                    let msg = StreamMessage::from_bytes(&bytes)
                        .expect("the publisher sends valid messages");
                    if let Body::KeyResponse(r) = &msg.body {
                        check_response(
                            r,
                            &requester.user_id(),
                            &asked,
                            &mut answered,
                            &had,
                            |k| match r.encryption_type {
                                AsymmetricEncryptionType::MlKem => {
                                    mlkem.unwrap_group_key(&k.id, &k.data)
                                }
                                AsymmetricEncryptionType::Rsa => {
                                    rsa.unwrap_group_key(&k.id, &k.data)
                                }
                            },
                            &genuine_pk(r.encryption_type),
                        );
                        assert!(
                            subscribe_ok && publish_ok,
                            "a key handed out while a permission was refused"
                        );
                    }
                }
                Output::Deliver(_) | Output::Event(_) => {}
                // Output is #[non_exhaustive]: a new kind must be handled here first.
                other => panic!("unexpected output {other:?}"),
            }
        }
        assert!(
            publisher.pending_key_requests() <= 4,
            "pending requests over the bound"
        );
    }
}

/// Records a genuine request: its key ids may be loaded in this step, and, if both
/// permissions are granted, it may be answered.
fn take_request(
    request_id: &str,
    info: &Asked,
    granted: bool,
    named: &mut HashSet<String>,
    asked: &mut HashMap<String, Vec<Asked>>,
) {
    named.extend(info.key_ids.iter().cloned());
    if granted {
        asked
            .entry(request_id.to_owned())
            .or_default()
            .push(info.clone());
    }
}

/// Judges one key response against the genuine requests that carried its request id.
fn check_response(
    r: &GroupKeyResponse,
    requester: &UserId,
    asked: &HashMap<String, Vec<Asked>>,
    answered: &mut HashMap<String, usize>,
    had: &[GroupKey],
    unwrap: impl Fn(&EncryptedGroupKey) -> Result<GroupKey, Error>,
    genuine_pk: &[u8],
) {
    assert_eq!(
        &r.recipient_id, requester,
        "a key went to someone without SUBSCRIBE"
    );
    let carried: Vec<&Asked> = asked
        .get(&r.request_id)
        .map(|v| {
            v.iter()
                .filter(|a| a.encryption_type == r.encryption_type)
                .collect()
        })
        .unwrap_or_default();
    assert!(
        !carried.is_empty(),
        "a response without a genuine request (id {:?}, {:?})",
        r.request_id,
        r.encryption_type
    );
    let n = answered.entry(r.request_id.clone()).or_default();
    *n += 1;
    assert!(
        *n <= asked.get(&r.request_id).map_or(0, Vec::len),
        "more responses than genuine requests for {:?}",
        r.request_id
    );
    // Wrapped for the requester's genuine key only if no request with this id carried another.
    let for_genuine_key = carried.iter().all(|a| a.public_key == genuine_pk);
    for k in &r.group_keys {
        assert_ne!(
            k.id, OTHER_STREAM_KEY_ID,
            "handed out a key bound to another stream"
        );
        assert!(
            carried.iter().any(|a| a.key_ids.contains(&k.id)),
            "handed out a key nobody asked for: {:?}",
            k.id
        );
        if for_genuine_key {
            let got = unwrap(k).expect("a key wrapped for the genuine public key unwraps");
            assert_ne!(
                got.expose_secret(),
                &[OTHER_STREAM_KEY_FILL; 32],
                "handed out another stream's key under another id"
            );
            assert!(had.contains(&got), "handed out a key it never had");
        }
    }
}

// ---------------------------------------------------------------------------------------
// PEM and SPKI

/// Arbitrary bytes as an RSA SPKI PEM, a PKCS#8 PEM and an ML-KEM public key.
pub(crate) fn pem_spki(data: &[u8]) {
    if let Ok(pk) = RsaPublicKey::from_pem(data) {
        assert!(
            (640..=4096).contains(&pk.bits()),
            "key size outside the accepted range"
        );
        let again = RsaPublicKey::from_pem(pk.to_pem().as_bytes()).expect("own PEM parses");
        assert_eq!(again.bits(), pk.bits());
        let wrapped = pk
            .wrap_group_key(&key("k1", 1))
            .expect("wrap with a valid key");
        assert_eq!(wrapped.len(), pk.ciphertext_len());
    }
    let _ = RsaKeyPair::from_pkcs8_pem(data);
    let _ = exchange::wrap_group_key(&key("k1", 1), AsymmetricEncryptionType::MlKem, data);
    let _ = MlKemKeyPair::from_expanded_secret_key(data);
}

// ---------------------------------------------------------------------------------------
// ABI results

/// Arbitrary `eth_call` results and revert data for every decoder.
pub(crate) fn abi(data: &[u8]) {
    let _ = abi::decode_has_public_permission(data);
    let _ = abi::decode_get_permissions_for_user_id(data);
    let _ = abi::decode_is_valid_signature(data);
    let _ = abi::decode_revert_reason(data);
    let _ = registry::erc1271_result(data);
    let _ = registry::erc1271_outcome(registry::CallOutcome::Returned(data.to_vec()));
    let _ = registry::erc1271_outcome(registry::CallOutcome::Reverted(data.to_vec()));
}

// ---------------------------------------------------------------------------------------
// Ciphertexts and wrapped keys

#[derive(Arbitrary, Debug)]
pub(crate) enum Decrypt {
    Payload(Vec<u8>),
    NextKey(String, Vec<u8>),
    MlKem(String, Vec<u8>),
    Rsa(String, Vec<u8>),
    /// The host-side RSA path: ciphertext to the host, then its answer back.
    RsaExternal(String, Vec<u8>, Vec<u8>),
}

fn opaque(r: Result<GroupKey, Error>) {
    match r {
        Ok(_) | Err(Error::Decrypt) | Err(Error::InvalidKey(_)) => {}
        Err(e) => panic!("unwrap failed with a non-opaque error: {e:?}"),
    }
}

/// AES payloads, next keys, ML-KEM and RSA wrapped keys: never a panic, failures are only
/// `Decrypt` (or `InvalidKey` for an unusable key id), so no oracle is built from them.
pub(crate) fn decrypt(data: &[u8]) {
    let u = Unstructured::new(data);
    let Ok(op) = Decrypt::arbitrary_take_rest(u) else {
        return;
    };
    let k = key("k1", 1);
    match op {
        Decrypt::Payload(ct) => match k.decrypt(&ct) {
            Ok(pt) => assert_eq!(pt.len(), ct.len().saturating_sub(16)),
            Err(e) => assert_eq!(e, Error::Decrypt),
        },
        Decrypt::NextKey(id, data) => opaque(k.decrypt_next(&EncryptedGroupKey { id, data })),
        Decrypt::MlKem(id, data) => opaque(mlkem_pair().unwrap_group_key(&id, &data)),
        Decrypt::Rsa(id, data) => opaque(rsa_pair().unwrap_group_key(&id, &data)),
        Decrypt::RsaExternal(id, data, answer) => {
            match rsa_pair().public_key().begin_unwrap(&id, &data) {
                Ok(pending) => opaque(pending.complete(&answer)),
                Err(Error::Decrypt | Error::InvalidKey(_)) => {}
                Err(e) => panic!("begin_unwrap failed with a non-opaque error: {e:?}"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Relay frames

/// Arbitrary text and binary frames for the relay's parsers. A parsed `publish` re-labels to
/// a `message` frame that decodes to the same stream partition and payload.
pub(crate) fn relay_frame(data: &[u8]) {
    use streamr_e2ee_relay::protocol;
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    match selector % 3 {
        0 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = protocol::parse_control(text);
                let _ = protocol::StreamPartition::parse(text);
            }
        }
        1 => {
            if let Ok(p) = protocol::parse_publish(bytes::Bytes::copy_from_slice(rest), 1 << 20) {
                let (kind, name, payload) =
                    protocol::decode_frame(&p.message_frame).expect("a re-labelled frame decodes");
                assert_eq!(kind, protocol::KIND_MESSAGE);
                assert_eq!(name, p.stream_partition.as_str());
                assert_eq!(payload.len(), p.payload_len);
                assert_eq!(
                    p.message_frame.get(1..),
                    rest.get(1..),
                    "only the kind byte changes"
                );
            }
        }
        _ => {
            if let Some((kind, name, payload)) = protocol::decode_frame(rest) {
                assert_eq!(protocol::encode_frame(kind, name, payload), rest);
            }
        }
    }
}
