//! Attacks on the publisher's key-request handling (issue #13, publisher side), each driven in
//! memory with time as input against a host model that behaves like the shim: a key store
//! shared by every stream the identity publishes, bound per stream; a registry per stream; an
//! ERC-1271 contract that accepts the signatures its owner made.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::indexing_slicing
)]

use std::collections::{HashMap, HashSet};

use streamr_e2ee::cipher::GroupKey;
use streamr_e2ee::exchange::{KeyExchangeKeyPair, MlKemKeyPair, RsaKeyPair};
use streamr_e2ee::host::{Answer, Event, Output, Permission, Question, QuestionId};
use streamr_e2ee::identity::evm::{self, EvmSigner};
use streamr_e2ee::identity::{LocalSigner, Signing};
use streamr_e2ee::publisher::{Publisher, PublisherConfig};
use streamr_e2ee::wire::format::Formats;
use streamr_e2ee::wire::{
    Body, ContentType, GroupKeyRequest, GroupKeyResponse, MessageId, SignatureType,
};
use streamr_e2ee::{StreamMessage, UserId};

const S: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/s";
const T: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/t";
const T0: u64 = 1_800_000_000_000;

/// The identity both publishers of a test share (one wallet, one key store).
fn identity() -> EvmSigner {
    EvmSigner::from_private_key(&[7; 32]).unwrap()
}

fn publisher(config: PublisherConfig) -> Publisher {
    Publisher::new(config, Signing::Local(Box::new(identity()))).unwrap()
}

/// The host's key store as the shim keeps it: `(publisher, key id)` → bytes and the streams
/// the key is bound to. Written add-only (unless `replace`), read only for a bound stream.
#[derive(Default)]
struct KeyStore {
    keys: HashMap<(UserId, String), (Vec<u8>, HashSet<String>)>,
}

impl KeyStore {
    fn put(&mut self, publisher: UserId, key: &GroupKey, stream: String, replace: bool) {
        let entry = self
            .keys
            .entry((publisher, key.id().to_owned()))
            .or_insert_with(|| (key.expose_secret().to_vec(), HashSet::new()));
        if replace {
            entry.0 = key.expose_secret().to_vec();
        }
        entry.1.insert(stream);
    }

    fn load(&self, stream: &str, publisher: &UserId, key_id: &str) -> Option<Vec<u8>> {
        self.keys
            .get(&(publisher.clone(), key_id.to_owned()))
            .filter(|(_, streams)| streams.contains(stream))
            .map(|(bytes, _)| bytes.clone())
    }
}

/// Everything a host saw come out of one publisher.
#[derive(Default)]
struct Log {
    responses: Vec<(StreamMessage, GroupKeyResponse)>,
    asked: Vec<Question>,
    denials: Vec<&'static str>,
    errors: Vec<&'static str>,
    /// Every event's message text.
    messages: Vec<String>,
    answered: usize,
}

impl Log {
    fn loads(&self) -> usize {
        self.asked
            .iter()
            .filter(|q| matches!(q, Question::LoadKey { .. }))
            .count()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Hold {
    Nothing,
    Everything,
    Loads,
}

/// The host of the publishers of one identity: a registry (per stream), ERC-1271 contracts,
/// the shared key store.
struct Host {
    now: u64,
    store: KeyStore,
    subscribers: HashSet<(String, UserId)>,
    publishers: HashSet<(String, UserId)>,
    /// `(digest, signature)` pairs the ERC-1271 contracts accept.
    erc1271_valid: HashSet<([u8; 32], Vec<u8>)>,
    /// Which questions are collected in `held` instead of answered.
    hold: Hold,
    /// `loadKey` is answered `failed` while set (an IndexedDB error).
    store_down: bool,
    held: Vec<(QuestionId, Question)>,
}

impl Host {
    fn new() -> Self {
        let me = identity().user_id();
        Host {
            now: T0,
            store: KeyStore::default(),
            subscribers: HashSet::new(),
            publishers: [(S.to_owned(), me.clone()), (T.to_owned(), me)]
                .into_iter()
                .collect(),
            erc1271_valid: HashSet::new(),
            hold: Hold::Nothing,
            held: Vec::new(),
            store_down: false,
        }
    }

    fn allow_subscriber(&mut self, stream: &str, user: &UserId) {
        self.subscribers.insert((stream.to_owned(), user.clone()));
    }

    fn answer_for(&self, question: &Question) -> Answer {
        match question {
            Question::Permission {
                stream_id,
                user,
                permission,
            } => {
                let table = match permission {
                    Permission::Subscribe => &self.subscribers,
                    Permission::Publish => &self.publishers,
                };
                Answer::Permission(table.contains(&(stream_id.clone(), user.clone())))
            }
            Question::Erc1271 {
                digest, signature, ..
            } => Answer::Permission(self.erc1271_valid.contains(&(*digest, signature.clone()))),
            Question::LoadKey {
                stream_id,
                publisher,
                key_id,
            } => match self.store_down {
                true => Answer::Failed {
                    reason: "IndexedDB: the connection was closed".into(),
                },
                false => Answer::StoredKey(self.store.load(stream_id, publisher, key_id)),
            },
            Question::Sign { payload } => {
                Answer::Signature(LocalSigner::sign(&identity(), payload).unwrap())
            }
            other => panic!("unexpected question {other:?}"),
        }
    }

    /// Feeds `bytes` to `p` and acts on everything that comes out.
    fn feed(&mut self, p: &mut Publisher, bytes: &[u8]) -> Log {
        p.handle_message(bytes, self.now);
        self.drain(p)
    }

    fn publish(&mut self, p: &mut Publisher, text: &str) -> Log {
        p.publish(text.as_bytes().to_vec(), ContentType::Json, self.now)
            .unwrap();
        self.drain(p)
    }

    /// Answers the held questions, in order.
    fn release(&mut self, p: &mut Publisher) -> Log {
        self.hold = Hold::Nothing;
        for (id, q) in std::mem::take(&mut self.held) {
            let a = self.answer_for(&q);
            p.answer(id, a, self.now).unwrap();
        }
        self.drain(p)
    }

    fn drain(&mut self, p: &mut Publisher) -> Log {
        let mut log = Log::default();
        while let Some(out) = p.poll_output() {
            match out {
                Output::Send { bytes, .. } => {
                    let msg = StreamMessage::from_bytes(&bytes).unwrap();
                    if let Body::KeyResponse(r) = &msg.body {
                        log.responses.push((msg.clone(), r.clone()));
                    }
                }
                Output::Ask { id, question } => {
                    log.asked.push(question.clone());
                    let held = match self.hold {
                        Hold::Nothing => false,
                        Hold::Everything => true,
                        Hold::Loads => matches!(question, Question::LoadKey { .. }),
                    };
                    if held {
                        self.held.push((id, question));
                    } else {
                        let a = self.answer_for(&question);
                        p.answer(id, a, self.now).unwrap();
                    }
                }
                Output::StoreKey {
                    publisher,
                    key,
                    stream_id,
                    replace,
                    ..
                } => self.store.put(publisher, &key, stream_id, replace),
                Output::Event(Event::KeyRequestDenied { code, message, .. }) => {
                    log.denials.push(code.as_str());
                    log.messages.push(message);
                }
                Output::Event(Event::KeyRequestAnswered { .. }) => log.answered += 1,
                Output::Event(Event::Error { code, message, .. }) => {
                    log.errors.push(code.as_str());
                    log.messages.push(message);
                }
                Output::Event(_) | Output::Deliver(_) => {}
                // Output is #[non_exhaustive]: a new kind must be handled here first.
                other => panic!("unexpected output {other:?}"),
            }
        }
        log
    }
}

/// A subscriber as seen by the publisher: an identity and a key-exchange key pair.
struct Requester {
    signer: EvmSigner,
    kex: Box<dyn KeyExchangeKeyPair>,
    next: u32,
}

impl Requester {
    fn ml_kem() -> Self {
        Self::with(Box::new(MlKemKeyPair::generate().unwrap()))
    }

    fn with(kex: Box<dyn KeyExchangeKeyPair>) -> Self {
        Requester {
            signer: EvmSigner::generate().unwrap(),
            kex,
            next: 0,
        }
    }

    fn id(&self) -> UserId {
        self.signer.user_id()
    }

    /// An unsigned request in the SDK's forms (uuid request id, 20-character chain id).
    fn unsigned(&mut self, stream: &str, key_ids: &[&str], now: u64) -> StreamMessage {
        self.next += 1;
        StreamMessage {
            id: MessageId {
                stream_id: stream.into(),
                partition: 0,
                timestamp: now,
                sequence_number: 0,
                publisher_id: self.id(),
                msg_chain_id: format!("reqchain{:012}", self.next),
            },
            prev: None,
            signature: vec![],
            signature_type: SignatureType::EcdsaSecp256k1Evm,
            body: Body::KeyRequest(GroupKeyRequest {
                request_id: uuid(self.next),
                recipient_id: identity().user_id(),
                public_key: self.kex.public_key_bytes().to_vec(),
                group_key_ids: key_ids.iter().map(|s| (*s).to_owned()).collect(),
                encryption_type: self.kex.encryption_type(),
            }),
        }
    }

    fn sign(&self, msg: &mut StreamMessage) {
        msg.signature = LocalSigner::sign(&self.signer, &msg.signature_payload()).unwrap();
    }

    /// A signed request in the SDK's forms.
    fn request(&mut self, stream: &str, key_ids: &[&str], now: u64) -> StreamMessage {
        let mut msg = self.unsigned(stream, key_ids, now);
        self.sign(&mut msg);
        msg
    }

    /// The keys a response holds for this requester.
    fn unwrap(&self, response: &GroupKeyResponse) -> Vec<GroupKey> {
        response
            .group_keys
            .iter()
            .map(|k| self.kex.unwrap_group_key(&k.id, &k.data).unwrap())
            .collect()
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A lower-case uuid v4 made from `n`.
fn uuid(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-{:012x}", u64::from(n) * 7919)
}

/// A publisher on `stream` that has published once, and its key.
fn started(host: &mut Host, stream: &str) -> (Publisher, GroupKey) {
    let mut p = publisher(PublisherConfig::new(stream));
    host.publish(&mut p, "\"first\"");
    let key = p.current_key().unwrap().clone();
    (p, key)
}

// ---------------------------------------------------------------------------------------
// High: a key of another stream is released

/// One identity publishes on S and T with one key store (as the SDK's and the shim's store:
/// keyed by publisher and key id). A subscriber allowed on S only copies T's key id (ids travel
/// in clear) and asks the S publisher for it. The publisher, restarted with only its latest
/// key, loads keys it does not hold from the store, for its own stream, once the request's
/// checks passed: an old key of S is served, T's key is not.
#[test]
fn key_of_another_stream_is_not_released() {
    let mut host = Host::new();
    let (mut on_s, s1) = started(&mut host, S);
    on_s.rotate(None).unwrap();
    host.publish(&mut on_s, "\"boundary\"");
    let s2 = on_s.current_key().unwrap().clone();
    assert_ne!(s1, s2);
    let (mut on_t, t_key) = started(&mut host, T);
    // A reload: the shim restores only the stream's latest key (LatestEncryptionKeyIds).
    let mut on_s = publisher(PublisherConfig::new(S));
    on_s.restore_keys(Some(s2.clone()), vec![]);
    let mut sub = Requester::ml_kem();
    host.allow_subscriber(S, &sub.id());
    let me = identity().user_id();
    let load = |key: &GroupKey| Question::LoadKey {
        stream_id: S.into(),
        publisher: me.clone(),
        key_id: key.id().into(),
    };

    // An old key of S: loaded from the store for S, and served.
    let log = host.feed(&mut on_s, &sub.request(S, &[s1.id()], host.now).to_bytes());
    assert!(log.asked.contains(&load(&s1)), "{:?}", log.asked);
    assert_eq!(log.answered, 1, "{:?}", log.denials);
    assert_eq!(sub.unwrap(&log.responses[0].1), vec![s1.clone()]);
    // Remembered: asked again, no second load. A loaded key is never made current.
    let log = host.feed(&mut on_s, &sub.request(S, &[s1.id()], host.now).to_bytes());
    assert_eq!((log.loads(), log.answered), (0, 1));
    assert_eq!(on_s.current_key(), Some(&s2));

    // T's key: asked for S, not found, nothing sent.
    let log = host.feed(
        &mut on_s,
        &sub.request(S, &[t_key.id()], host.now).to_bytes(),
    );
    assert_eq!(log.asked.last(), Some(&load(&t_key)));
    assert!(
        log.responses.is_empty(),
        "the key of stream T was released on S"
    );
    assert_eq!(log.answered, 0);
    // Named beside a key of S: only the key of S goes out.
    let log = host.feed(
        &mut on_s,
        &sub.request(S, &[t_key.id(), s2.id()], host.now).to_bytes(),
    );
    assert_eq!(log.responses.len(), 1);
    assert_eq!(sub.unwrap(&log.responses[0].1), [s2]);
    // On T, where it has no SUBSCRIBE, it is denied before any load.
    let log = host.feed(
        &mut on_t,
        &sub.request(T, &[t_key.id()], host.now).to_bytes(),
    );
    assert_eq!(log.denials, ["PERMISSION_DENIED"]);
    assert_eq!((log.loads(), log.responses.len()), (0, 0));
}

/// A publisher that made `n` keys on S (rotating), restarted with only the latest restored:
/// the older ones are in the store only. Returns it and every key, oldest first.
fn reloaded(host: &mut Host, config: PublisherConfig, n: usize) -> (Publisher, Vec<GroupKey>) {
    let mut p = publisher(PublisherConfig::new(S));
    let mut keys = Vec::new();
    for i in 0..n {
        if i > 0 {
            p.rotate(None).unwrap();
        }
        host.publish(&mut p, "\"x\"");
        host.publish(&mut p, "\"y\"");
        keys.push(p.current_key().unwrap().clone());
    }
    let mut again = publisher(config);
    again.restore_keys(keys.last().cloned(), vec![]);
    (again, keys)
}

/// Requests waiting for their keys to load count against `max_pending_key_requests`; requests
/// for one key share one load; a request may cause up to 16 loads, one per distinct id.
#[test]
fn loads_are_bounded_and_shared() {
    let mut host = Host::new();
    let mut config = PublisherConfig::new(S);
    config.max_pending_key_requests = 2;
    let (mut p, keys) = reloaded(&mut host, config, 2);
    let mut sub = Requester::ml_kem();
    host.allow_subscriber(S, &sub.id());
    host.hold = Hold::Loads;
    let a = host.feed(
        &mut p,
        &sub.request(S, &[keys[0].id()], host.now).to_bytes(),
    );
    let b = host.feed(
        &mut p,
        &sub.request(S, &[keys[0].id()], host.now).to_bytes(),
    );
    assert_eq!((a.loads(), b.loads()), (1, 0), "one load for both");
    assert_eq!(p.pending_key_requests(), 2);
    let c = host.feed(
        &mut p,
        &sub.request(S, &[keys[1].id()], host.now).to_bytes(),
    );
    assert_eq!(c.denials, ["OVERLOADED"], "loads count as pending");
    let log = host.release(&mut p);
    assert_eq!(log.answered, 2);
    for (_, r) in &log.responses {
        assert_eq!(sub.unwrap(r), vec![keys[0].clone()]);
    }
    assert_eq!(p.pending_key_requests(), 0);
    // 16 distinct ids the publisher does not hold: 16 loads, then nothing to send.
    let ids: Vec<String> = (0..16)
        .map(|i| format!("{}-GroupKey{}", uuid(100 + i), i + 1))
        .collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let log = host.feed(&mut p, &sub.request(S, &refs, host.now).to_bytes());
    assert_eq!(log.loads(), 16);
    assert!(log.responses.is_empty() && log.denials.is_empty());
}

/// A store that fails, or holds something that is not a key, releases nothing and says so;
/// the next request asks again.
#[test]
fn unusable_store_answers_release_nothing() {
    let mut host = Host::new();
    let (mut p, keys) = reloaded(&mut host, PublisherConfig::new(S), 2);
    let mut sub = Requester::ml_kem();
    host.allow_subscriber(S, &sub.id());
    host.store_down = true;
    let log = host.feed(
        &mut p,
        &sub.request(S, &[keys[0].id()], host.now).to_bytes(),
    );
    assert_eq!((log.loads(), log.responses.len()), (1, 0));
    assert_eq!(log.errors, ["KEY_STORE_UNAVAILABLE"]);
    host.store_down = false;
    let me = identity().user_id();
    let entry = host
        .store
        .keys
        .get_mut(&(me, keys[0].id().to_owned()))
        .unwrap();
    let genuine = std::mem::replace(&mut entry.0, vec![1; 31]);
    let log = host.feed(
        &mut p,
        &sub.request(S, &[keys[0].id()], host.now).to_bytes(),
    );
    assert_eq!((log.loads(), log.responses.len()), (1, 0));
    assert_eq!(log.errors, ["INVALID_KEY"]);
    for m in &log.messages {
        assert!(
            !m.contains(&hex_of(&[1; 31])) && !m.contains(&hex_of(&genuine)),
            "{m}"
        );
    }
    let me = identity().user_id();
    host.store
        .keys
        .get_mut(&(me, keys[0].id().to_owned()))
        .unwrap()
        .0 = genuine;
    let log = host.feed(
        &mut p,
        &sub.request(S, &[keys[0].id()], host.now).to_bytes(),
    );
    assert_eq!((log.loads(), log.answered), (1, 1));
}

/// With a wallet, a loaded key's response is signed by the wallet like any other.
#[test]
fn wallet_publisher_serves_loaded_keys() {
    let mut host = Host::new();
    let (_, keys) = reloaded(&mut host, PublisherConfig::new(S), 2);
    let signing = Signing::External {
        user_id: identity().user_id(),
        signature_type: SignatureType::EcdsaSecp256k1Evm,
    };
    let mut p = Publisher::new(PublisherConfig::new(S), signing).unwrap();
    let mut sub = Requester::ml_kem();
    host.allow_subscriber(S, &sub.id());
    let log = host.feed(
        &mut p,
        &sub.request(S, &[keys[0].id()], host.now).to_bytes(),
    );
    let kinds: Vec<&str> = log
        .asked
        .iter()
        .map(|q| match q {
            Question::Permission { .. } => "permission",
            Question::LoadKey { .. } => "loadKey",
            Question::Sign { .. } => "sign",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["permission", "permission", "loadKey", "sign"]);
    assert_eq!(log.answered, 1);
    let (msg, r) = &log.responses[0];
    assert!(streamr_e2ee::identity::verify_message(msg).is_ok());
    assert_eq!(sub.unwrap(r), vec![keys[0].clone()]);
}

// ---------------------------------------------------------------------------------------
// Low: replayed key requests

/// A genuine request replayed 30 times within the age window: answered once, every replay
/// refused without a question, and the requester's budget is not charged by the replays.
#[test]
fn replayed_request_is_refused_without_charging_the_requester() {
    let mut host = Host::new();
    let (mut p, key) = started(&mut host, S);
    let mut sub = Requester::ml_kem();
    host.allow_subscriber(S, &sub.id());
    let request = sub.request(S, &[key.id()], host.now).to_bytes();
    let first = host.feed(&mut p, &request);
    assert_eq!(first.answered, 1);
    let mut replays = Log::default();
    for _ in 0..30 {
        let log = host.feed(&mut p, &request);
        replays.answered += log.answered;
        replays.asked.extend(log.asked);
        replays.denials.extend(log.denials);
    }
    assert_eq!(replays.answered, 0, "a replay is answered again");
    assert!(replays.asked.is_empty(), "a replay asked the host");
    assert_eq!(replays.denials, vec!["REPLAYED_MESSAGE"; 30]);
    // The genuine subscriber's next request is served: the replays used none of its budget.
    let next = sub.request(S, &[key.id()], host.now);
    let log = host.feed(&mut p, &next.to_bytes());
    assert_eq!(
        (log.answered, log.denials.len()),
        (1, 0),
        "{:?}",
        log.denials
    );
}

/// The signature payload has no separators: the last character of `msgChainId` moved to the
/// front of `requestId` leaves the signed bytes as they were. The re-split copy of a request
/// already answered is not answered again: strict formats refuse its 19-character chain id;
/// without them, the signature memory knows the signature.
#[test]
fn re_split_request_is_not_answered_again() {
    for formats in [Formats::Sdk, Formats::Any] {
        let mut host = Host::new();
        let mut config = PublisherConfig::new(S);
        config.formats = formats;
        let mut p = publisher(config);
        host.publish(&mut p, "\"x\"");
        let key = p.current_key().unwrap().clone();
        let mut sub = Requester::ml_kem();
        host.allow_subscriber(S, &sub.id());
        let request = sub.request(S, &[key.id()], host.now);
        assert_eq!(host.feed(&mut p, &request.to_bytes()).answered, 1);
        let mut re_split = request.clone();
        let moved = re_split.id.msg_chain_id.pop().unwrap();
        if let Body::KeyRequest(r) = &mut re_split.body {
            r.request_id.insert(0, moved);
        }
        assert_eq!(re_split.signature_payload(), request.signature_payload());
        let log = host.feed(&mut p, &re_split.to_bytes());
        assert_eq!(log.answered, 0, "the re-split request was answered");
        assert!(log.asked.is_empty());
        let expected = match formats {
            Formats::Sdk => "MALFORMED_MESSAGE",
            Formats::Any => "REPLAYED_MESSAGE",
        };
        assert_eq!(log.denials, [expected]);
    }
}

/// The memory lasts as long as the request is fresh: a replay at the far edge of the age
/// window is still refused as a replay, one millisecond later as stale. A request stamped
/// at the future edge is remembered until its own timestamp has aged out.
#[test]
fn replays_are_remembered_for_the_whole_age_window() {
    let window = 10 * 60 * 1000;
    let mut host = Host::new();
    let (mut p, key) = started(&mut host, S);
    let mut sub = Requester::ml_kem();
    host.allow_subscriber(S, &sub.id());
    let now = host.now;
    let present = sub.request(S, &[key.id()], now).to_bytes();
    let future = sub.request(S, &[key.id()], now + window).to_bytes();
    assert_eq!(host.feed(&mut p, &present).answered, 1);
    assert_eq!(host.feed(&mut p, &future).answered, 1);
    host.now = now + window;
    assert_eq!(host.feed(&mut p, &present).denials, ["REPLAYED_MESSAGE"]);
    host.now = now + window + 1;
    assert_eq!(host.feed(&mut p, &present).denials, ["STALE_REQUEST"]);
    host.now = now + 2 * window;
    assert_eq!(host.feed(&mut p, &future).denials, ["REPLAYED_MESSAGE"]);
    host.now = now + 2 * window + 1;
    assert_eq!(host.feed(&mut p, &future).denials, ["STALE_REQUEST"]);
}

/// ERC-1271 requests in a contract's name: forgeries (the contract says no) must not use up
/// the contract's rate budget, so its genuine request is still served.
#[test]
fn erc1271_forgeries_do_not_use_up_the_contract_budget() {
    let mut host = Host::new();
    let (mut p, key) = started(&mut host, S);
    let contract = UserId::from([0xc0; 20]);
    host.allow_subscriber(S, &contract);
    let mut sub = Requester::ml_kem();
    let in_contract_name = |sub: &mut Requester, sig: Vec<u8>| {
        let mut msg = sub.unsigned(S, &[key.id()], T0);
        msg.id.publisher_id = contract.clone();
        msg.signature_type = SignatureType::Erc1271;
        msg.signature = sig;
        msg
    };
    let mut forged = Log::default();
    for i in 0..20u8 {
        let log = host.feed(&mut p, &in_contract_name(&mut sub, vec![i; 65]).to_bytes());
        forged.denials.extend(log.denials);
        forged.answered += log.answered;
    }
    assert_eq!(forged.answered, 0);
    assert_eq!(forged.denials, vec!["INVALID_SIGNATURE"; 20]);
    let genuine = in_contract_name(&mut sub, vec![0xaa; 65]);
    let digest = evm::eip191_hash(&genuine.signature_payload());
    host.erc1271_valid.insert((digest, vec![0xaa; 65]));
    let log = host.feed(&mut p, &genuine.to_bytes());
    assert_eq!((log.answered, log.denials), (1, vec![]));
}

/// Two copies of a genuine ERC-1271 request both wait for the contract: the first confirmed
/// is served, the other is a replay; a copy arriving later is refused without a question.
#[test]
fn erc1271_request_is_served_once() {
    let mut host = Host::new();
    let (mut p, key) = started(&mut host, S);
    let contract = UserId::from([0xc1; 20]);
    host.allow_subscriber(S, &contract);
    let mut sub = Requester::ml_kem();
    let mut msg = sub.unsigned(S, &[key.id()], host.now);
    msg.id.publisher_id = contract.clone();
    msg.signature_type = SignatureType::Erc1271;
    msg.signature = vec![0xbb; 65];
    host.erc1271_valid
        .insert((evm::eip191_hash(&msg.signature_payload()), vec![0xbb; 65]));
    host.hold = Hold::Everything;
    let bytes = msg.to_bytes();
    let first = host.feed(&mut p, &bytes);
    let second = host.feed(&mut p, &bytes);
    for log in [&first, &second] {
        assert!(
            log.asked
                .iter()
                .any(|q| matches!(q, Question::Erc1271 { .. }))
        );
    }
    assert_eq!(p.pending_key_requests(), 2);
    let log = host.release(&mut p);
    assert_eq!((log.answered, log.denials), (1, vec!["REPLAYED_MESSAGE"]));
    let later = host.feed(&mut p, &bytes);
    assert_eq!(later.denials, ["REPLAYED_MESSAGE"]);
    assert!(later.asked.is_empty());
}

// ---------------------------------------------------------------------------------------
// Field forms and bounds

/// With the default (strict) formats, a validly signed request whose ids or timestamp are not
/// in the SDK's forms is refused before any question.
#[test]
fn request_fields_outside_the_sdk_forms_are_refused_before_any_question() {
    let mut host = Host::new();
    let (mut p, key) = started(&mut host, S);
    let mut sub = Requester::ml_kem();
    host.allow_subscriber(S, &sub.id());
    let cases: [fn(&mut StreamMessage); 3] = [
        |m| m.id.msg_chain_id = "custom-chain".into(),
        |m| {
            if let Body::KeyRequest(r) = &mut m.body {
                r.request_id = "req-1".into();
            }
        },
        |m| {
            if let Body::KeyRequest(r) = &mut m.body {
                r.group_key_ids.push("k1".into());
            }
        },
    ];
    for change in cases {
        let mut msg = sub.unsigned(S, &[key.id()], host.now);
        change(&mut msg);
        sub.sign(&mut msg);
        let log = host.feed(&mut p, &msg.to_bytes());
        assert_eq!(log.denials, ["MALFORMED_MESSAGE"]);
        assert!(log.asked.is_empty() && log.responses.is_empty());
    }
    // Without strict formats the same requests are served (a publisher with a custom key id
    // on a test clock).
    host.now = 5_000;
    let mut config = PublisherConfig::new(S);
    config.formats = Formats::Any;
    let mut relaxed = publisher(config);
    let custom = GroupKey::new("k1", &[1; 32]).unwrap();
    relaxed.rekey(Some(custom.clone())).unwrap();
    host.publish(&mut relaxed, "\"x\"");
    let mut msg = sub.unsigned(S, &["k1"], 5_000);
    msg.id.msg_chain_id = "custom-chain".into();
    if let Body::KeyRequest(r) = &mut msg.body {
        r.request_id = "req-1".into();
    }
    sub.sign(&mut msg);
    let log = host.feed(&mut relaxed, &msg.to_bytes());
    assert_eq!((log.answered, log.denials), (1, vec![]));
    assert_eq!(sub.unwrap(&log.responses[0].1), [custom]);
    // A timestamp no real clock gives (a test clock's), at that clock's now: strict refuses it.
    let mut fresh = publisher(PublisherConfig::new(S));
    host.publish(&mut fresh, "\"x\"");
    let key = fresh.current_key().unwrap().id().to_owned();
    let msg = sub.request(S, &[&key], 5_000);
    let log = host.feed(&mut fresh, &msg.to_bytes());
    assert_eq!(log.denials, ["TIMESTAMP_OUT_OF_RANGE"]);
    assert!(log.asked.is_empty() && log.responses.is_empty());
}

/// Ids longer than 256 characters and more than 16 key ids are refused in every mode, before
/// any question (SECURITY.md claims this).
#[test]
fn overlong_ids_are_refused_before_any_question() {
    for formats in [Formats::Sdk, Formats::Any] {
        let mut host = Host::new();
        let mut config = PublisherConfig::new(S);
        config.formats = formats;
        let mut p = publisher(config);
        host.publish(&mut p, "\"x\"");
        let key = p.current_key().unwrap().clone();
        let mut sub = Requester::ml_kem();
        host.allow_subscriber(S, &sub.id());
        // 257 characters, in the SDK's form but for the length.
        let long_id = format!("{}-GroupKey1{}", &key.id()[..36], "0".repeat(211));
        assert_eq!(long_id.len(), 257);
        let at_limit = &long_id[..256];
        for (ids, refused) in [
            (vec![long_id.clone()], true),
            (vec![key.id().to_owned(), "x".repeat(100_000)], true),
            (vec![key.id().to_owned(); 17], true),
            // Any form (only without strict formats), 256 characters, 16 times: accepted.
            (vec![at_limit.to_owned(); 16], formats == Formats::Sdk),
        ] {
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let msg = sub.request(S, &refs, host.now);
            let log = host.feed(&mut p, &msg.to_bytes());
            if refused {
                let longest = ids.iter().map(String::len).max();
                assert_eq!(log.denials, ["MALFORMED_MESSAGE"], "{longest:?}");
                assert!(log.asked.is_empty() && log.responses.is_empty());
            } else {
                // Within the bounds: checked, then one load for the one (unknown) id.
                assert_eq!(formats, Formats::Any);
                assert!(log.denials.is_empty(), "{:?}", log.denials);
                assert_eq!(log.loads(), 1);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Legacy signatures and weak RSA keys

/// A request signed ECDSA_SECP256K1_LEGACY (over the lossy UTF-8 of its protobuf body) is
/// refused before any question, although the signature is genuine.
#[test]
fn legacy_signed_request_is_refused() {
    let mut host = Host::new();
    let (mut p, key) = started(&mut host, S);
    let mut sub = Requester::ml_kem();
    host.allow_subscriber(S, &sub.id());
    let mut msg = sub.unsigned(S, &[key.id()], host.now);
    msg.signature_type = SignatureType::EcdsaSecp256k1Legacy;
    msg.signature = LocalSigner::sign(&sub.signer, &msg.legacy_signature_payload()).unwrap();
    assert!(
        streamr_e2ee::identity::verify_message(&msg).is_ok(),
        "genuine"
    );
    let log = host.feed(&mut p, &msg.to_bytes());
    assert_eq!(log.denials, ["UNSUPPORTED_SIGNATURE_TYPE"]);
    assert!(log.asked.is_empty() && log.responses.is_empty());
}

/// By default an RSA key under 2048 bits is refused before any question; 2048 is served.
#[test]
fn small_rsa_keys_are_refused_by_default() {
    let mut host = Host::new();
    let (mut p, key) = started(&mut host, S);
    for bits in [640, 1024, 2040] {
        let mut sub = Requester::with(Box::new(RsaKeyPair::generate(bits).unwrap()));
        host.allow_subscriber(S, &sub.id());
        let log = host.feed(&mut p, &sub.request(S, &[key.id()], host.now).to_bytes());
        assert_eq!(log.denials, ["ENCRYPTION_POLICY_VIOLATION"], "{bits} bits");
        assert!(log.asked.is_empty() && log.responses.is_empty());
    }
    let mut sub = Requester::with(Box::new(RsaKeyPair::generate(2048).unwrap()));
    host.allow_subscriber(S, &sub.id());
    let log = host.feed(&mut p, &sub.request(S, &[key.id()], host.now).to_bytes());
    assert_eq!(log.answered, 1);
    assert_eq!(sub.unwrap(&log.responses[0].1), [key]);
}

/// The SDK's test configuration (`rsaKeyLength: 640`) interoperates with `min_rsa_key_bits`
/// set to 640; a floor above 4096 (no RSA key could meet it) is a configuration error.
#[test]
fn sdk_test_rsa_keys_are_served_when_the_floor_is_lowered() {
    let mut host = Host::new();
    let mut config = PublisherConfig::new(S);
    config.min_rsa_key_bits = 640;
    let mut p = publisher(config);
    host.publish(&mut p, "\"x\"");
    let key = p.current_key().unwrap().clone();
    let mut sub = Requester::with(Box::new(RsaKeyPair::generate(640).unwrap()));
    host.allow_subscriber(S, &sub.id());
    let log = host.feed(&mut p, &sub.request(S, &[key.id()], host.now).to_bytes());
    assert_eq!(log.answered, 1);
    assert_eq!(sub.unwrap(&log.responses[0].1), [key]);
    let mut config = PublisherConfig::new(S);
    config.min_rsa_key_bits = 4097;
    let err = Publisher::new(config, Signing::Local(Box::new(identity()))).err();
    assert_eq!(err.map(|e| e.code().as_str()), Some("INVALID_ARGUMENT"));
}
