//! An in-memory stream partition for scenario tests: publishers and subscribers broadcast to
//! each other, a permission table answers the registry questions, and time is a number.

use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use streamr_e2ee::StreamMessage;
use streamr_e2ee::UserId;
use streamr_e2ee::exchange::{MlKemKeyPair, RsaKeyPair};
use streamr_e2ee::host::{Answer, Delivery, Event, Output, Permission, Question, QuestionId};
use streamr_e2ee::identity::evm::EvmSigner;
use streamr_e2ee::identity::{LocalSigner, PausableSigner, Signing};
use streamr_e2ee::publisher::{Publisher, PublisherConfig};
use streamr_e2ee::subscriber::{KeyExchange, Subscriber, SubscriberConfig};
use streamr_e2ee::wire::{Body, ContentType, SignatureType};

pub(crate) const STREAM: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/scenarios";
pub(crate) const T0: u64 = 1_800_000_000_000;

pub(crate) enum Role {
    Pub(Box<Publisher>),
    Sub(Box<Subscriber>),
}

/// Decides which broadcasts a lossy network drops.
pub(crate) type DropFilter = Box<dyn FnMut(&[u8]) -> bool>;

pub(crate) struct Node {
    pub role: Role,
    pub id: UserId,
    /// Signs `Question::Sign` for nodes with an external signer (a wallet).
    pub wallet: Option<EvmSigner>,
    /// A key the host can pause (a session key): it answers `Question::Sign` while paused.
    pub session: Option<Rc<PausableSigner<EvmSigner>>>,
    /// How many of the next signature questions the wallet refuses.
    pub wallet_refusals: usize,
    pub delivered: Vec<Delivery>,
    pub events: Vec<Event>,
    pub stored: Vec<(UserId, String)>,
    /// The host's key store, as the shim keeps it: `(publisher, key id)` → (bytes, the
    /// streams it is bound to). Answers `loadKey` only for a bound stream; never overwritten
    /// unless the output says `replace`.
    pub key_store: HashMap<(UserId, String), (Vec<u8>, Vec<String>)>,
    pub sent: Vec<Vec<u8>>,
    pub asked: Vec<Question>,
    /// Questions left unanswered (see `Net::hold_answers`).
    pub held: Vec<(QuestionId, Question)>,
    pub hold_answers: bool,
}

impl Node {
    pub(crate) fn publisher(&mut self) -> &mut Publisher {
        match &mut self.role {
            Role::Pub(p) => p,
            Role::Sub(_) => panic!("not a publisher"),
        }
    }

    pub(crate) fn subscriber(&mut self) -> &mut Subscriber {
        match &mut self.role {
            Role::Sub(s) => s,
            Role::Pub(_) => panic!("not a subscriber"),
        }
    }

    pub(crate) fn texts(&self) -> Vec<String> {
        self.delivered
            .iter()
            .map(|d| String::from_utf8(d.content.clone()).unwrap())
            .collect()
    }

    pub(crate) fn error_codes(&self) -> Vec<&'static str> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Error { code, .. } | Event::PublishFailed { code, .. } => {
                    Some(code.as_str())
                }
                _ => None,
            })
            .collect()
    }

    pub(crate) fn denials(&self) -> Vec<&'static str> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::KeyRequestDenied { code, .. } => Some(code.as_str()),
                _ => None,
            })
            .collect()
    }

    pub(crate) fn answered(&self) -> usize {
        self.events
            .iter()
            .filter(|e| matches!(e, Event::KeyRequestAnswered { .. }))
            .count()
    }

    pub(crate) fn requests_sent(&self) -> usize {
        self.events
            .iter()
            .filter(|e| matches!(e, Event::KeyRequestSent { .. }))
            .count()
    }
}

/// Which key-exchange scheme subscribers use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kex {
    MlKem,
    Rsa,
}

pub(crate) struct Net {
    pub now: u64,
    pub nodes: Vec<Node>,
    pub subscribers_allowed: HashSet<UserId>,
    pub publishers_allowed: HashSet<UserId>,
    /// Registry answers fail (RPC down) for these nodes.
    pub registry_down: HashSet<usize>,
    /// Drop in-flight messages for which this returns true (a lossy network).
    pub drop_if: Option<DropFilter>,
    /// Broadcasts are delivered in reverse batch order while set (reordering network).
    pub reorder: bool,
    /// Every broadcast is delivered twice while set.
    pub duplicate: bool,
    wire: VecDeque<(usize, Vec<u8>)>,
}

impl Default for Net {
    fn default() -> Self {
        Net {
            now: T0,
            nodes: Vec::new(),
            subscribers_allowed: HashSet::new(),
            publishers_allowed: HashSet::new(),
            registry_down: HashSet::new(),
            drop_if: None,
            reorder: false,
            duplicate: false,
            wire: VecDeque::new(),
        }
    }
}

fn node(role: Role, id: UserId, wallet: Option<EvmSigner>) -> Node {
    Node {
        role,
        id,
        wallet,
        session: None,
        wallet_refusals: 0,
        delivered: vec![],
        events: vec![],
        stored: vec![],
        key_store: HashMap::new(),
        sent: vec![],
        asked: vec![],
        held: vec![],
        hold_answers: false,
    }
}

impl Net {
    pub(crate) fn add_publisher(&mut self, config: PublisherConfig) -> usize {
        let signer = EvmSigner::generate().unwrap();
        let id = signer.user_id();
        let publisher = Publisher::new(config, Signing::Local(Box::new(signer))).unwrap();
        self.publishers_allowed.insert(id.clone());
        self.nodes
            .push(node(Role::Pub(Box::new(publisher)), id, None));
        self.nodes.len() - 1
    }

    /// A publisher whose signatures come from a wallet through `Question::Sign`.
    pub(crate) fn add_wallet_publisher(&mut self) -> usize {
        let wallet = EvmSigner::generate().unwrap();
        let id = wallet.user_id();
        let signing = Signing::External {
            user_id: id.clone(),
            signature_type: SignatureType::EcdsaSecp256k1Evm,
        };
        let publisher = Publisher::new(PublisherConfig::new(STREAM), signing).unwrap();
        self.publishers_allowed.insert(id.clone());
        self.nodes
            .push(node(Role::Pub(Box::new(publisher)), id, Some(wallet)));
        self.nodes.len() - 1
    }

    /// A publisher signing with a key the host can pause (a session key, shared with the host).
    pub(crate) fn add_session_publisher(&mut self) -> (usize, Rc<PausableSigner<EvmSigner>>) {
        let key = Rc::new(PausableSigner::new(EvmSigner::generate().unwrap()));
        let id = key.user_id();
        let signing = Signing::Local(Box::new(key.clone()));
        let publisher = Publisher::new(PublisherConfig::new(STREAM), signing).unwrap();
        self.publishers_allowed.insert(id.clone());
        let mut n = node(Role::Pub(Box::new(publisher)), id, None);
        n.session = Some(key.clone());
        self.nodes.push(n);
        (self.nodes.len() - 1, key)
    }

    /// A subscriber signing its key requests with a key the host can pause.
    pub(crate) fn add_session_subscriber(&mut self) -> (usize, Rc<PausableSigner<EvmSigner>>) {
        let key = Rc::new(PausableSigner::new(EvmSigner::generate().unwrap()));
        let id = key.user_id();
        let pair = KeyExchange::Internal(Box::new(MlKemKeyPair::generate().unwrap()));
        let signing = Signing::Local(Box::new(key.clone()));
        let sub = Subscriber::new(SubscriberConfig::new(STREAM), signing, pair, self.now).unwrap();
        self.subscribers_allowed.insert(id.clone());
        let mut n = node(Role::Sub(Box::new(sub)), id, None);
        n.session = Some(key.clone());
        self.nodes.push(n);
        (self.nodes.len() - 1, key)
    }

    pub(crate) fn add_subscriber_with(&mut self, config: SubscriberConfig, kex: Kex) -> usize {
        let signer = EvmSigner::generate().unwrap();
        let id = signer.user_id();
        let pair: KeyExchange = match kex {
            Kex::MlKem => KeyExchange::Internal(Box::new(MlKemKeyPair::generate().unwrap())),
            // 2048 bits: the smallest a publisher serves by default (`min_rsa_key_bits`).
            Kex::Rsa => KeyExchange::Internal(Box::new(RsaKeyPair::generate(2048).unwrap())),
        };
        let sub =
            Subscriber::new(config, Signing::Local(Box::new(signer)), pair, self.now).unwrap();
        self.subscribers_allowed.insert(id.clone());
        self.nodes.push(node(Role::Sub(Box::new(sub)), id, None));
        self.nodes.len() - 1
    }

    pub(crate) fn add_subscriber(&mut self, kex: Kex) -> usize {
        self.add_subscriber_with(SubscriberConfig::new(STREAM), kex)
    }

    pub(crate) fn publish(&mut self, n: usize, text: &str) {
        let now = self.now;
        self.nodes[n]
            .publisher()
            .publish(text.as_bytes().to_vec(), ContentType::Json, now)
            .unwrap();
        self.settle();
    }

    /// Puts raw bytes on the wire as if node `from` had sent them.
    pub(crate) fn inject(&mut self, from: usize, bytes: Vec<u8>) {
        self.wire.push_back((from, bytes));
        self.settle();
    }

    fn answer_for(&mut self, n: usize, q: &Question) -> Answer {
        match q {
            Question::Permission {
                stream_id,
                user,
                permission,
            } => {
                if self.registry_down.contains(&n) {
                    return Answer::Failed {
                        reason: "RPC unreachable".into(),
                    };
                }
                assert_eq!(stream_id, STREAM);
                let table = match permission {
                    Permission::Subscribe => &self.subscribers_allowed,
                    Permission::Publish => &self.publishers_allowed,
                };
                Answer::Permission(table.contains(user))
            }
            Question::LoadKey {
                stream_id,
                publisher,
                key_id,
            } => Answer::StoredKey(
                self.nodes[n]
                    .key_store
                    .get(&(publisher.clone(), key_id.clone()))
                    .filter(|(_, streams)| streams.contains(stream_id))
                    .map(|(bytes, _)| bytes.clone()),
            ),
            Question::Sign { payload } => {
                let node = &mut self.nodes[n];
                if node.wallet_refusals > 0 {
                    node.wallet_refusals -= 1;
                    return Answer::Failed {
                        reason: "user rejected the request (4001)".into(),
                    };
                }
                if let Some(session) = &node.session {
                    return match session.sign(payload) {
                        Ok(sig) => Answer::Signature(sig),
                        Err(e) => Answer::Failed {
                            reason: e.to_string(),
                        },
                    };
                }
                let wallet = node.wallet.as_ref().expect("wallet");
                Answer::Signature(LocalSigner::sign(wallet, payload).unwrap())
            }
            other => panic!("unexpected question {other:?}"),
        }
    }

    fn drain(&mut self, n: usize) -> bool {
        let mut any = false;
        loop {
            let out = match &mut self.nodes[n].role {
                Role::Pub(p) => p.poll_output(),
                Role::Sub(s) => s.poll_output(),
            };
            let Some(out) = out else { break };
            any = true;
            match out {
                Output::Send { bytes, .. } => {
                    self.nodes[n].sent.push(bytes.clone());
                    self.wire.push_back((n, bytes));
                }
                Output::Ask { id, question } => {
                    self.nodes[n].asked.push(question.clone());
                    if self.nodes[n].hold_answers {
                        self.nodes[n].held.push((id, question));
                        continue;
                    }
                    let answer = self.answer_for(n, &question);
                    self.give_answer(n, id, answer);
                }
                Output::Deliver(d) => self.nodes[n].delivered.push(d),
                Output::Event(e) => self.nodes[n].events.push(e),
                Output::StoreKey {
                    publisher,
                    key,
                    stream_id,
                    replace,
                    ..
                } => {
                    let node = &mut self.nodes[n];
                    node.stored.push((publisher.clone(), key.id().to_owned()));
                    // Add-only: other bytes under a stored id are neither stored nor bound
                    // (binding the old bytes to this stream would release them here).
                    let bytes = key.expose_secret().to_vec();
                    let slot = (publisher, key.id().to_owned());
                    match node.key_store.get_mut(&slot) {
                        Some(entry) if replace => *entry = (bytes, vec![stream_id]),
                        Some(entry) if entry.0 == bytes => {
                            if !entry.1.contains(&stream_id) {
                                entry.1.push(stream_id);
                            }
                        }
                        Some(_) => {}
                        None => {
                            node.key_store.insert(slot, (bytes, vec![stream_id]));
                        }
                    }
                }
                // Output is #[non_exhaustive]: a new kind must be handled here first.
                other => panic!("unexpected output {other:?}"),
            }
        }
        any
    }

    pub(crate) fn give_answer(&mut self, n: usize, id: QuestionId, answer: Answer) {
        let now = self.now;
        match &mut self.nodes[n].role {
            Role::Pub(p) => p.answer(id, answer, now).unwrap(),
            Role::Sub(s) => s.answer(id, answer, now).unwrap(),
        }
    }

    /// Answers the questions node `n` held back, in order.
    pub(crate) fn release_answers(&mut self, n: usize) {
        self.nodes[n].hold_answers = false;
        let held = std::mem::take(&mut self.nodes[n].held);
        for (id, q) in held {
            let a = self.answer_for(n, &q);
            self.give_answer(n, id, a);
        }
        self.settle();
    }

    /// Runs until no node has output and nothing is on the wire.
    pub(crate) fn settle(&mut self) {
        for _ in 0..10_000 {
            let mut any = false;
            for n in 0..self.nodes.len() {
                any |= self.drain(n);
            }
            let mut batch: Vec<(usize, Vec<u8>)> = self.wire.drain(..).collect();
            if batch.is_empty() && !any {
                return;
            }
            if self.reorder {
                batch.reverse();
            }
            for (from, bytes) in batch {
                if let Some(f) = &mut self.drop_if
                    && f(&bytes)
                {
                    continue;
                }
                let copies = if self.duplicate { 2 } else { 1 };
                for _ in 0..copies {
                    let now = self.now;
                    for (n, node) in self.nodes.iter_mut().enumerate() {
                        if n == from {
                            continue;
                        }
                        match &mut node.role {
                            Role::Pub(p) => p.handle_message(&bytes, now),
                            Role::Sub(s) => s.handle_message(&bytes, now),
                        }
                    }
                }
            }
        }
        panic!("network did not settle");
    }

    /// Moves time forward to `now + ms`, firing every timer on the way.
    pub(crate) fn advance(&mut self, ms: u64) {
        let end = self.now + ms;
        loop {
            let next = self
                .nodes
                .iter_mut()
                .filter_map(|n| match &mut n.role {
                    Role::Sub(s) => s.poll_timeout(),
                    Role::Pub(_) => None,
                })
                .filter(|t| *t <= end)
                .min();
            self.now = next.unwrap_or(end).max(self.now);
            let now = self.now;
            for node in &mut self.nodes {
                if let Role::Sub(s) = &mut node.role {
                    s.handle_timeout(now);
                }
            }
            self.settle();
            if next.is_none() {
                break;
            }
        }
        self.now = end;
    }
}

/// Counts how often each key id was requested in `net` (from the wire).
pub(crate) fn request_counts(net: &Net) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for node in &net.nodes {
        for bytes in &node.sent {
            let msg = streamr_e2ee::StreamMessage::from_bytes(bytes).unwrap();
            if let streamr_e2ee::wire::Body::KeyRequest(r) = msg.body {
                for id in r.group_key_ids {
                    *counts.entry(id).or_default() += 1;
                }
            }
        }
    }
    counts
}

/// Decodes bytes a test built or a machine sent (they are valid by construction).
pub(crate) fn decoded(bytes: &[u8]) -> StreamMessage {
    StreamMessage::from_bytes(bytes).unwrap()
}

pub(crate) fn is_content(body: &Body) -> bool {
    matches!(body, Body::Content(_))
}

pub(crate) fn is_request(body: &Body) -> bool {
    matches!(body, Body::KeyRequest(_))
}

pub(crate) fn is_response(body: &Body) -> bool {
    matches!(body, Body::KeyResponse(_))
}

impl Net {
    /// The id of the key publisher `p` encrypts with now.
    pub(crate) fn current_key_id(&mut self, p: usize) -> String {
        self.nodes[p]
            .publisher()
            .current_key()
            .unwrap()
            .id()
            .to_owned()
    }
}
