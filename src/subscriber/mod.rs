//! The subscriber of one stream partition: verifies every message, decrypts with the keys it
//! has, loads or asks publishers for the keys it lacks, and delivers in chain order (docs/wire.md §5,
//! §7).
//!
//! Sans-IO: inputs are messages, answers and time; outputs are queued for
//! [`Subscriber::poll_output`]. [`Subscriber::poll_timeout`] says when to call
//! [`Subscriber::handle_timeout`] next.
//!
//! The pipeline, one idea per module: `inbound` checks what arrives (id forms, clock,
//! signature, replays) before anything else looks at it, and holds ERC-1271 content in
//! `unverified` until its contract answers; `chains` orders verified messages; `heads`
//! decrypts, decodes and delivers each chain's head, keeping `trail` (which keys a chain
//! used) and `keys` (which keys are held, and how they came); `requests` fetches missing
//! keys (store first, then key exchange), and `responses` takes the publishers' answers;
//! `standing` caches who may publish.

mod chains;
mod config;
mod fetch;
mod heads;
mod inbound;
mod keys;
mod pooled;
mod requests;
mod responses;
mod standing;
mod trail;
mod unverified;

pub use config::{SubscriberConfig, key_exchange_algorithm};
pub use pooled::PoolStats;

use std::collections::{HashMap, HashSet, VecDeque};

use crate::cipher::GroupKey;
use crate::error::{Error, ErrorCode, Result};
use crate::exchange::KeyExchangeKeyPair;
use crate::host::{Answer, Event, Output, QuestionId};
use crate::identity::evm::ADDRESS_LEN;
use crate::identity::{HostCheck, Signing};
use crate::permissions::Permissions;
use crate::random::{self, Entropy};
use crate::registry::PermissionQuery;
use crate::replay::SignatureMemory;
use crate::user_id::UserId;
use crate::wire::{AsymmetricEncryptionType, MessageRef, SignatureType, StreamMessage};

use chains::{ChainKey, Chains};
use fetch::{FetchKey, FetchPolicy, Fetches};
use keys::{KeyRing, Origin};
use responses::Parked;
use standing::Verdict;
use unverified::Unverified;

/// The subscriber's key-exchange key pair: held in the core, or held by the host (RSA in
/// WebCrypto), in which case unwrapping is a [`crate::host::Question::UnwrapGroupKey`].
#[non_exhaustive]
pub enum KeyExchange {
    /// Private key in the core.
    Internal(Box<dyn KeyExchangeKeyPair>),
    /// Private key in the host.
    External {
        /// The scheme.
        encryption_type: AsymmetricEncryptionType,
        /// `GroupKeyRequest.publicKey`.
        public_key: Vec<u8>,
    },
}

impl KeyExchange {
    fn encryption_type(&self) -> AsymmetricEncryptionType {
        match self {
            KeyExchange::Internal(k) => k.encryption_type(),
            KeyExchange::External {
                encryption_type, ..
            } => *encryption_type,
        }
    }

    fn public_key(&self) -> &[u8] {
        match self {
            KeyExchange::Internal(k) => k.public_key_bytes(),
            KeyExchange::External { public_key, .. } => public_key,
        }
    }
}

/// Counters for monitoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SubscriberStats {
    /// Messages delivered to the app.
    pub delivered: u64,
    /// Duplicates dropped.
    pub duplicates: u64,
    /// Messages dropped with an error event.
    pub dropped: u64,
    /// Key requests sent (retries included).
    pub key_requests_sent: u64,
    /// Keys learned (responses and rotations).
    pub keys_learned: u64,
}

/// What an open question is for.
enum Purpose {
    /// PUBLISH checks of publishers waiting for one answer.
    Permission(Vec<(PermissionQuery, UserId)>),
    /// The contract's verdict on an ERC-1271 content message waiting in `unverified`.
    ContentErc1271(ChainKey, u64, HostCheck),
    /// The contract's verdict on a parked key response.
    ResponseErc1271(u64, HostCheck),
    /// The wallet's signature on a key request.
    RequestSignature(Box<StreamMessage>),
    /// The host's unwrap of a key response.
    Unwrap(FetchKey),
    /// The host's key store, asked before a key request.
    Load(FetchKey),
}

/// Subscriber state machine for one stream partition.
pub struct Subscriber {
    config: SubscriberConfig,
    signing: Signing,
    my_id: UserId,
    key_exchange: KeyExchange,
    entropy: Box<dyn Entropy>,
    keys: KeyRing,
    chains: Chains,
    unverified: Unverified,
    fetches: Fetches,
    /// Fetches that timed out during this run: their messages fail together.
    expired: HashSet<FetchKey>,
    publishers: HashMap<UserId, Verdict>,
    /// Chains that delivered AES content: unencrypted content there is a relabelled message.
    encrypted_chains: HashSet<ChainKey>,
    /// Signatures of content delivered and responses accepted, per publisher.
    signatures: SignatureMemory,
    permissions: Permissions,
    parked: HashMap<u64, Parked>,
    questions: HashMap<QuestionId, Purpose>,
    next_id: u64,
    now_ms: u64,
    stats: SubscriberStats,
    outputs: VecDeque<Output>,
    /// The key of the host's verification pool (issue #20), made on first use.
    pool_key: Option<crate::identity::pool::PoolKey>,
    pooled: PoolStats,
}

impl Subscriber {
    /// A subscriber that signs its key requests with `signing`.
    pub fn new(
        config: SubscriberConfig,
        signing: Signing,
        key_exchange: KeyExchange,
        now_ms: u64,
    ) -> Result<Self> {
        Self::with_entropy(
            config,
            signing,
            key_exchange,
            Box::new(random::OsEntropy),
            now_ms,
        )
    }

    /// [`Self::new`] with an injected entropy source (reproducible tests).
    pub fn with_entropy(
        config: SubscriberConfig,
        signing: Signing,
        key_exchange: KeyExchange,
        entropy: Box<dyn Entropy>,
        now_ms: u64,
    ) -> Result<Self> {
        if config.stream_id.is_empty() {
            return Err(Error::InvalidArgument("stream id is empty".into()));
        }
        if config.require_quantum_resistant_signatures
            && signing.signature_type() != SignatureType::MlDsa87
        {
            return Err(Error::Policy {
                code: ErrorCode::SignaturePolicyViolation,
                message: "requireQuantumResistantSignatures needs an ML-DSA-87 identity".into(),
            });
        }
        config::key_exchange_algorithm(
            Some(key_exchange.encryption_type()),
            config.require_quantum_resistant_key_exchange,
        )?;
        let policy = FetchPolicy {
            timeout_ms: config.key_request_timeout_ms,
            retries: config.key_request_retries,
            retry_base_ms: config.key_request_retry_base_ms,
            requests_per_second: config.max_key_requests_per_second,
            max_fetches: config.max_key_fetches,
        };
        Ok(Subscriber {
            chains: Chains::new(
                config.max_held_messages,
                config.max_held_per_chain,
                config.max_chains,
                config.gap_timeout_ms,
            ),
            unverified: Unverified::new(
                config.max_unverified_messages,
                config.max_unverified_per_publisher,
            ),
            fetches: Fetches::new(policy, now_ms),
            keys: KeyRing::new(config.max_keys, config.max_key_fetches),
            signatures: SignatureMemory::new(
                config.replay_memory_per_publisher,
                config.replay_memory_publishers,
            ),
            permissions: Permissions::new(config.permissions),
            my_id: signing.user_id(),
            config,
            signing,
            key_exchange,
            entropy,
            expired: HashSet::new(),
            publishers: HashMap::new(),
            encrypted_chains: HashSet::new(),
            parked: HashMap::new(),
            questions: HashMap::new(),
            next_id: 0,
            now_ms,
            stats: SubscriberStats::default(),
            outputs: VecDeque::new(),
            pool_key: None,
            pooled: PoolStats::default(),
        })
    }

    /// This subscriber's user id.
    pub fn user_id(&self) -> &UserId {
        &self.my_id
    }

    /// Counters.
    pub fn stats(&self) -> SubscriberStats {
        self.stats
    }

    /// (publisher, chain) pairs remembered.
    pub fn known_chains(&self) -> usize {
        self.chains.chains()
    }

    /// Group keys held.
    pub fn known_keys(&self) -> usize {
        self.keys.len()
    }

    /// Forgets every cached answer about publishers' PUBLISH permission: the next message of
    /// each publisher is checked again (the subscriber also forgets a publisher's answer by
    /// itself after a message of theirs fails to decrypt).
    pub fn invalidate_permissions(&mut self) {
        // Questions still in flight stay: their answers settle the messages waiting on them.
        self.publishers.retain(|_, v| matches!(v, Verdict::Asked));
        self.permissions.invalidate_all();
    }

    /// Keys being fetched right now (loads from the host's store included).
    pub fn pending_key_fetches(&self) -> usize {
        self.fetches.len()
    }

    /// Messages held back right now: waiting in a chain (for a key or a predecessor) or for
    /// the checks of an ERC-1271 signature.
    pub fn held_messages(&self) -> usize {
        self.chains.held().saturating_add(self.unverified.len())
    }

    /// Whether the host should hold further input for now: the messages waiting for a host
    /// verdict on their signature (ERC-1271, P-256 without in-core P-256) fill half of their
    /// bound, overall or for one publisher. It turns false as answers come in. Input given
    /// anyway is still taken up to the bound, and dropped `OVERLOADED` past it; holding instead
    /// keeps a burst read from the network at once from losing messages.
    pub fn input_backlogged(&self) -> bool {
        self.unverified.half_full()
    }

    /// Adds a key the app already has (restored from storage, or configured explicitly). A
    /// key already held under that id is kept (keys are never overwritten); if content under
    /// this one does not decode, it is forgotten and fetched again by key exchange.
    pub fn add_key(&mut self, publisher: UserId, key: GroupKey, now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
        let slot = (publisher, key.id().to_owned());
        self.keys.insert(slot, key, Origin::Stored);
        self.run(now_ms);
    }

    /// Whether the key `(publisher, key_id)` is known.
    pub fn has_key(&self, publisher: &UserId, key_id: &str) -> bool {
        self.keys.contains(&(publisher.clone(), key_id.to_owned()))
    }

    /// Handles a StreamMessage from the stream partition.
    pub fn handle_message(&mut self, bytes: &[u8], now_ms: u64) {
        self.handle(bytes, now_ms, None);
    }

    /// [`Subscriber::handle_message`], with the EVM signer a pool worker vouched for (`pooled.rs`).
    fn handle(&mut self, bytes: &[u8], now_ms: u64, vouched: Option<[u8; ADDRESS_LEN]>) {
        self.now_ms = self.now_ms.max(now_ms);
        match StreamMessage::from_bytes_with_limit(bytes, self.config.max_message_bytes) {
            Ok(msg) => {
                if msg.id.stream_id == self.config.stream_id
                    && msg.id.partition == self.config.partition
                {
                    match &msg.body {
                        crate::wire::Body::Content(_) => self.on_content(msg, now_ms, vouched),
                        crate::wire::Body::KeyResponse(_) => self.on_response(msg, now_ms),
                        crate::wire::Body::KeyRequest(_) => {}
                    }
                }
            }
            Err(e) => self.drop_message(e.code(), e.to_string(), None),
        }
        self.run(now_ms);
    }

    /// The host's answer to a question.
    pub fn answer(&mut self, id: QuestionId, answer: Answer, now_ms: u64) -> Result<()> {
        self.now_ms = self.now_ms.max(now_ms);
        let purpose = self
            .questions
            .remove(&id)
            .ok_or_else(|| Error::InvalidArgument(format!("no open question {}", id.0)))?;
        match purpose {
            Purpose::Permission(waiting) => self.on_permission_answer(id, waiting, answer, now_ms),
            Purpose::ContentErc1271(chain, entry, check) => {
                self.on_content_erc1271(&chain, entry, check, answer)
            }
            Purpose::ResponseErc1271(parked, check) => {
                self.on_response_erc1271(parked, check, answer, now_ms)
            }
            Purpose::RequestSignature(msg) => self.on_request_signed(*msg, answer),
            Purpose::Unwrap(fetch) => self.on_unwrapped(fetch, answer),
            Purpose::Load(fetch) => self.on_loaded(fetch, id, answer),
        }
        self.run(now_ms);
        Ok(())
    }

    /// Advances time: gap timeouts, retries, key request timeouts.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
        // A failed permission question is asked again when a message next needs it.
        self.publishers
            .retain(|_, v| !matches!(v, Verdict::RetryAt(t) if *t <= now_ms));
        for ((publisher, chain), after) in self.chains.expire_gaps(now_ms) {
            self.error(
                ErrorCode::MessageGap,
                "messages missing from the chain; delivery continues after the gap".into(),
                Some((publisher, chain, after)),
            );
        }
        self.run(now_ms);
    }

    /// When to call [`Self::handle_timeout`] next (ms), if anything waits on time.
    pub fn poll_timeout(&mut self) -> Option<u64> {
        let retry = self.publishers.values().filter_map(|v| match v {
            Verdict::RetryAt(t) => Some(*t),
            _ => None,
        });
        [
            self.chains.next_deadline(),
            self.fetches.next_deadline(self.now_ms),
        ]
        .into_iter()
        .flatten()
        .chain(retry)
        .min()
    }

    /// The next output for the host, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// Moves everything on that can move: unverified messages whose checks are done,
    /// chain heads (delivered, dropped, or their keys fetched), key requests that are due.
    fn run(&mut self, now_ms: u64) {
        self.check_unverified(now_ms);
        loop {
            self.send_due_requests(now_ms);
            let moved = self.process_heads(now_ms);
            self.send_due_requests(now_ms);
            if !moved {
                break;
            }
        }
        self.expired.clear();
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn ask(&mut self, purpose: Purpose, question: crate::host::Question) -> QuestionId {
        let id = QuestionId(self.next_id());
        self.questions.insert(id, purpose);
        self.outputs.push_back(Output::Ask { id, question });
        id
    }

    fn error(
        &mut self,
        code: ErrorCode,
        message: String,
        message_ref: Option<(UserId, String, MessageRef)>,
    ) {
        self.outputs.push_back(Output::Event(Event::Error {
            code,
            message,
            message_ref,
        }));
    }

    /// Reports a message dropped.
    fn drop_message(
        &mut self,
        code: ErrorCode,
        message: String,
        message_ref: Option<(UserId, String, MessageRef)>,
    ) {
        self.stats.dropped += 1;
        self.error(code, message, message_ref);
    }
}

/// Names a message in events: publisher, chain and place in it.
fn locate(msg: &StreamMessage) -> (UserId, String, MessageRef) {
    (
        msg.id.publisher_id.clone(),
        msg.id.msg_chain_id.clone(),
        msg.id.reference(),
    )
}
