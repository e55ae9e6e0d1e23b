//! The subscriber of one stream partition: verifies every message, decrypts with the keys it
//! has, asks publishers for the keys it lacks, and delivers in chain order (spec §5, §7).
//!
//! Sans-IO: inputs are messages, answers and time; outputs are queued for
//! [`Subscriber::poll_output`]. [`Subscriber::poll_timeout`] says when to call
//! [`Subscriber::handle_timeout`] next.

mod chains;
mod fetch;

use std::collections::{HashMap, HashSet, VecDeque};

use crate::cipher::GroupKey;
use crate::error::{Error, ErrorCode, Result};
use crate::exchange::KeyExchangeKeyPair;
use crate::host::{Answer, Delivery, Event, Output, Permission, Question, QuestionId};
use crate::identity::{self, Signing, Verification};
use crate::permissions::{self, Check as PermissionCheck, PermissionSource, Permissions};
use crate::random::{self, Entropy};
use crate::registry::PermissionQuery;
use crate::user_id::UserId;
use crate::wire::{
    AsymmetricEncryptionType, Body, DEFAULT_MAX_MESSAGE_BYTES, EncryptedGroupKey, EncryptionType,
    GroupKeyRequest, MessageId, MessageRef, SignatureType, StreamMessage,
};

use chains::{Arrival, ChainKey, Chains, Check, Held};
use fetch::{FetchKey, FetchPolicy, Fetches};

/// Subscriber settings. Defaults follow the SDK where it has the option.
#[derive(Clone, Debug)]
pub struct SubscriberConfig {
    /// The stream.
    pub stream_id: String,
    /// The partition.
    pub partition: u32,
    /// `keyRequestTimeout`: give up on a key this long after first asking (SDK: 30 s).
    pub key_request_timeout_ms: u64,
    /// Requests after the first within the timeout (the SDK sends one and never retries).
    pub key_request_retries: u32,
    /// Wait before the first retry; doubles each time.
    pub key_request_retry_base_ms: u64,
    /// `maxKeyRequestsPerSecond` (SDK: 20).
    pub max_key_requests_per_second: u32,
    /// Keys fetched at once.
    pub max_key_fetches: usize,
    /// Messages held (waiting for a key, a check or a predecessor) across all chains.
    pub max_held_messages: usize,
    /// Messages held in one chain.
    pub max_held_per_chain: usize,
    /// (publisher, chain) pairs remembered for ordering and duplicate detection.
    pub max_chains: usize,
    /// Group keys remembered; the oldest learned are forgotten first.
    pub max_keys: usize,
    /// How long a message waits for a missing predecessor before delivery goes on.
    pub gap_timeout_ms: u64,
    /// How long a publisher's PUBLISH permission answer is trusted.
    pub permission_cache_ttl_ms: u64,
    /// Retry a permission question the host failed to answer after this long.
    pub permission_retry_ms: u64,
    /// `requireQuantumResistantSignatures`: only ML-DSA-87 content is accepted.
    pub require_quantum_resistant_signatures: bool,
    /// Drop unencrypted content (`ENCRYPTION_POLICY_VIOLATION`). `encryptionType` is unsigned,
    /// so on a stream known to be encrypted this stops a relabelled message from delivering
    /// ciphertext as plaintext. Off by default: the SDK accepts NONE on receipt.
    pub require_encryption: bool,
    /// Largest StreamMessage accepted.
    pub max_message_bytes: usize,
    /// Where permission answers come from (host questions, or registry calls cached here).
    pub permissions: PermissionSource,
}

impl SubscriberConfig {
    /// Defaults for `stream_id`, partition 0.
    pub fn new(stream_id: impl Into<String>) -> Self {
        SubscriberConfig {
            stream_id: stream_id.into(),
            partition: 0,
            key_request_timeout_ms: 30_000,
            key_request_retries: 3,
            key_request_retry_base_ms: 2_000,
            max_key_requests_per_second: 20,
            max_key_fetches: 1_000,
            max_held_messages: 10_000,
            max_held_per_chain: 1_000,
            max_chains: 10_000,
            max_keys: 10_000,
            gap_timeout_ms: 5_000,
            permission_cache_ttl_ms: 5 * 60 * 1000,
            permission_retry_ms: 5_000,
            require_quantum_resistant_signatures: false,
            require_encryption: false,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            permissions: PermissionSource::Host,
        }
    }
}

/// The subscriber's key-exchange key pair: held in the core, or held by the host (RSA in
/// WebCrypto), in which case unwrapping is a [`Question::UnwrapGroupKey`].
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

enum Verdict {
    Asked,
    Known { allowed: bool, until: u64 },
    RetryAt(u64),
}

enum Standing {
    Allowed,
    Denied,
    Waiting,
}

struct Parked {
    fetch: FetchKey,
    key: EncryptedGroupKey,
    awaiting_erc1271: bool,
}

enum Purpose {
    ContentErc1271(ChainKey, MessageRef),
    ResponseErc1271(u64),
    /// PUBLISH checks of publishers waiting for one answer.
    Permission(Vec<(PermissionQuery, UserId)>),
    RequestSignature(Box<StreamMessage>),
    Unwrap(FetchKey),
}

/// Most responses parked (waiting for a permission or ERC-1271 answer) at once. Requests are
/// broadcast, so their ids are public: without a bound, fake ERC-1271 responses could make
/// the host run unlimited contract calls.
const MAX_PARKED_RESPONSES: usize = 64;

/// Subscriber state machine for one stream partition.
pub struct Subscriber {
    config: SubscriberConfig,
    signing: Signing,
    my_id: UserId,
    key_exchange: KeyExchange,
    entropy: Box<dyn Entropy>,
    keys: HashMap<FetchKey, GroupKey>,
    key_order: VecDeque<FetchKey>,
    chains: Chains,
    fetches: Fetches,
    expired: HashSet<FetchKey>,
    publishers: HashMap<UserId, Verdict>,
    /// Chains that delivered AES content: unencrypted content there is a relabelled message.
    encrypted_chains: HashSet<ChainKey>,
    permissions: Permissions,
    parked: HashMap<u64, Parked>,
    questions: HashMap<QuestionId, Purpose>,
    next_id: u64,
    now_ms: u64,
    stats: SubscriberStats,
    outputs: VecDeque<Output>,
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
        let policy = FetchPolicy {
            timeout_ms: config.key_request_timeout_ms,
            retries: config.key_request_retries,
            retry_base_ms: config.key_request_retry_base_ms,
            requests_per_second: config.max_key_requests_per_second,
            max_fetches: config.max_key_fetches,
        };
        let permissions = Permissions::new(config.permissions);
        Ok(Subscriber {
            chains: Chains::new(
                config.max_held_messages,
                config.max_held_per_chain,
                config.max_chains,
                config.gap_timeout_ms,
            ),
            fetches: Fetches::new(policy, now_ms),
            my_id: signing.user_id(),
            config,
            signing,
            key_exchange,
            entropy,
            keys: HashMap::new(),
            key_order: VecDeque::new(),
            expired: HashSet::new(),
            publishers: HashMap::new(),
            encrypted_chains: HashSet::new(),
            permissions,
            parked: HashMap::new(),
            questions: HashMap::new(),
            next_id: 0,
            now_ms,
            stats: SubscriberStats::default(),
            outputs: VecDeque::new(),
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

    /// Keys being fetched right now.
    pub fn pending_key_fetches(&self) -> usize {
        self.fetches.len()
    }

    /// Messages held back right now.
    pub fn held_messages(&self) -> usize {
        self.chains.held()
    }

    /// Adds a key the app already has (restored from storage, or configured explicitly).
    pub fn add_key(&mut self, publisher: UserId, key: GroupKey, now_ms: u64) {
        self.remember_key(publisher, key);
        self.run(now_ms);
    }

    /// Keeps a key, forgetting the oldest beyond `max_keys` (a publisher rotating on every
    /// message must not grow memory without bound).
    fn remember_key(&mut self, publisher: UserId, key: GroupKey) {
        let slot = (publisher, key.id().to_owned());
        if self.keys.insert(slot.clone(), key).is_none() {
            self.key_order.push_back(slot);
        }
        while self.keys.len() > self.config.max_keys.max(1) {
            match self.key_order.pop_front() {
                Some(old) => {
                    self.keys.remove(&old);
                }
                None => break,
            }
        }
    }

    /// Whether the key `(publisher, key_id)` is known.
    pub fn has_key(&self, publisher: &UserId, key_id: &str) -> bool {
        self.keys
            .contains_key(&(publisher.clone(), key_id.to_owned()))
    }

    /// Handles a StreamMessage from the stream partition.
    pub fn handle_message(&mut self, bytes: &[u8], now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
        match StreamMessage::from_bytes_with_limit(bytes, self.config.max_message_bytes) {
            Ok(msg) => {
                if msg.id.stream_id == self.config.stream_id
                    && msg.id.partition == self.config.partition
                {
                    match &msg.body {
                        Body::Content(_) => self.on_content(msg, now_ms),
                        Body::KeyResponse(_) => self.on_response(msg, now_ms),
                        Body::KeyRequest(_) => {}
                    }
                }
            }
            Err(e) => {
                self.stats.dropped += 1;
                self.error(e.code(), e.to_string(), None);
            }
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
            Purpose::Permission(waiting) => {
                let queries: Vec<PermissionQuery> = waiting.iter().map(|w| w.0.clone()).collect();
                let verdicts = self.permissions.answered(id, &queries, answer, now_ms);
                for ((_, publisher), (_, verdict)) in waiting.into_iter().zip(verdicts) {
                    self.settle_verdict(publisher, verdict, now_ms);
                }
                self.try_parked(now_ms);
            }
            Purpose::ContentErc1271(chain, reference) => {
                let valid = self.permissions.erc1271_valid(answer) == Ok(true);
                if let Some(held) = self.chains.find_mut(&chain, reference) {
                    held.check = if valid {
                        Check::Verified
                    } else {
                        Check::Rejected
                    };
                }
                if !valid {
                    self.stats.dropped += 1;
                    self.error(
                        ErrorCode::InvalidSignature,
                        "the ERC-1271 contract rejected the signature".into(),
                        Some((chain.0, chain.1, reference)),
                    );
                }
            }
            Purpose::ResponseErc1271(parked) => {
                if self.permissions.erc1271_valid(answer) == Ok(true) {
                    if let Some(p) = self.parked.get_mut(&parked) {
                        p.awaiting_erc1271 = false;
                    }
                    self.try_parked(now_ms);
                } else if self.parked.remove(&parked).is_some() {
                    self.error(
                        ErrorCode::InvalidSignature,
                        "key response: the ERC-1271 contract rejected the signature".into(),
                        None,
                    );
                }
            }
            Purpose::RequestSignature(mut msg) => match answer {
                Answer::Signature(sig) => {
                    msg.signature = sig;
                    self.outputs.push_back(Output::Send {
                        bytes: msg.to_bytes(),
                        publish: None,
                    });
                }
                other => self.error(
                    ErrorCode::SignerError,
                    format!("key request not signed: {other:?}"),
                    None,
                ),
            },
            Purpose::Unwrap(fetch) => match answer {
                Answer::GroupKeyBytes(bytes) => match GroupKey::new(fetch.1.clone(), &bytes) {
                    Ok(key) => self.key_arrived(fetch.0, key),
                    Err(e) => self.error(e.code(), e.to_string(), None),
                },
                _ => self.error(ErrorCode::DecryptError, "key unwrap failed".into(), None),
            },
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

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn ask(&mut self, purpose: Purpose, question: Question) -> QuestionId {
        let id = QuestionId(self.next_id());
        self.questions.insert(id, purpose);
        self.outputs.push_back(Output::Ask { id, question });
        id
    }

    /// Records a PUBLISH answer for `publisher`; a failed check is retried later.
    fn settle_verdict(&mut self, publisher: UserId, verdict: permissions::Verdict, now_ms: u64) {
        let settled = match verdict {
            Ok(allowed) => Verdict::Known {
                allowed,
                until: now_ms.saturating_add(self.config.permission_cache_ttl_ms),
            },
            Err((code, message)) => {
                self.error(
                    code,
                    format!("PUBLISH check for {publisher} failed: {message}"),
                    None,
                );
                Verdict::RetryAt(now_ms.saturating_add(self.config.permission_retry_ms))
            }
        };
        self.publishers.insert(publisher, settled);
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

    fn on_content(&mut self, msg: StreamMessage, now_ms: u64) {
        let reference = msg.id.reference();
        let where_ = Some(locate(&msg));
        if self.config.require_quantum_resistant_signatures
            && msg.signature_type != SignatureType::MlDsa87
        {
            self.stats.dropped += 1;
            self.error(
                ErrorCode::SignaturePolicyViolation,
                "only ML-DSA-87 signatures are accepted".into(),
                where_,
            );
            return;
        }
        // The signature is checked before anything else is done with the message.
        let (check, erc1271) = match identity::verify_message(&msg) {
            Ok(Verification::Valid) => (Check::Verified, None),
            Ok(Verification::NeedsErc1271 {
                contract,
                digest,
                signature,
            }) => (
                Check::AwaitingErc1271,
                Some(
                    self.permissions
                        .erc1271_question(contract, digest, signature),
                ),
            ),
            Err(e) => {
                self.stats.dropped += 1;
                self.error(e.code(), e.to_string(), where_);
                return;
            }
        };
        let chain: ChainKey = (msg.id.publisher_id.clone(), msg.id.msg_chain_id.clone());
        match self.chains.arrive(Held { msg, check }, now_ms) {
            Arrival::Accepted => {
                if let Some(q) = erc1271 {
                    self.ask(Purpose::ContentErc1271(chain, reference), q);
                }
            }
            Arrival::Duplicate => self.stats.duplicates += 1,
            Arrival::Overflow => {
                self.stats.dropped += 1;
                self.error(
                    ErrorCode::BufferOverflow,
                    "too many messages held; this one was dropped".into(),
                    where_,
                );
            }
        }
    }

    fn on_response(&mut self, msg: StreamMessage, now_ms: u64) {
        let Body::KeyResponse(response) = &msg.body else {
            return;
        };
        // Responses to others, to requests we never made, or to requests already served
        // (replays) are ignored, as in the SDK.
        if response.recipient_id != self.my_id {
            return;
        }
        let Some(fetch) = self.fetches.by_request(&response.request_id).cloned() else {
            return;
        };
        if msg.id.publisher_id != fetch.0 {
            self.error(
                ErrorCode::InvalidSignature,
                format!(
                    "key response from {}, but the key was asked from {}",
                    msg.id.publisher_id, fetch.0
                ),
                None,
            );
            return;
        }
        if response.encryption_type != self.key_exchange.encryption_type() {
            self.error(
                ErrorCode::MalformedMessage,
                "key response uses another key-exchange scheme than requested".into(),
                None,
            );
            return;
        }
        let Some(key) = response
            .group_keys
            .iter()
            .find(|k| k.id == fetch.1)
            .cloned()
        else {
            return;
        };
        // A forged response is reported and the fetch goes on: it must not cancel the real one.
        let erc1271 = match identity::verify_message(&msg) {
            Ok(Verification::Valid) => None,
            Ok(Verification::NeedsErc1271 {
                contract,
                digest,
                signature,
            }) => Some(
                self.permissions
                    .erc1271_question(contract, digest, signature),
            ),
            Err(e) => {
                self.error(e.code(), format!("key response: {e}"), None);
                return;
            }
        };
        if self.parked.len() >= MAX_PARKED_RESPONSES {
            self.error(
                ErrorCode::Overloaded,
                "too many key responses wait for checks".into(),
                None,
            );
            return;
        }
        let id = self.next_id();
        self.parked.insert(
            id,
            Parked {
                fetch,
                key,
                awaiting_erc1271: erc1271.is_some(),
            },
        );
        if let Some(q) = erc1271 {
            self.ask(Purpose::ResponseErc1271(id), q);
        }
        self.try_parked(now_ms);
    }

    /// Serves parked responses whose checks are done: the responder must hold PUBLISH.
    fn try_parked(&mut self, now_ms: u64) {
        let ids: Vec<u64> = self
            .parked
            .iter()
            .filter(|(_, p)| !p.awaiting_erc1271)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let Some(publisher) = self.parked.get(&id).map(|p| p.fetch.0.clone()) else {
                continue;
            };
            match self.standing(&publisher, now_ms) {
                Standing::Waiting => {}
                Standing::Denied => {
                    self.parked.remove(&id);
                    self.error(
                        ErrorCode::PermissionDenied,
                        format!("key response from {publisher}, who has no PUBLISH permission"),
                        None,
                    );
                }
                Standing::Allowed => {
                    if let Some(p) = self.parked.remove(&id)
                        && self.fetches.contains(&p.fetch)
                    {
                        self.unwrap(p.fetch, p.key);
                    }
                }
            }
        }
    }

    fn unwrap(&mut self, fetch: FetchKey, key: EncryptedGroupKey) {
        match &self.key_exchange {
            KeyExchange::Internal(pair) => match pair.unwrap_group_key(&key.id, &key.data) {
                Ok(group_key) => self.key_arrived(fetch.0, group_key),
                Err(e) => self.error(e.code(), format!("key response: {e}"), None),
            },
            KeyExchange::External {
                encryption_type, ..
            } => {
                let question = Question::UnwrapGroupKey {
                    encryption_type: *encryption_type,
                    key_id: key.id,
                    data: key.data,
                };
                self.ask(Purpose::Unwrap(fetch), question);
            }
        }
    }

    fn key_arrived(&mut self, publisher: UserId, key: GroupKey) {
        let fetch = (publisher.clone(), key.id().to_owned());
        self.fetches.complete(&fetch);
        self.learn(publisher, key);
    }

    fn learn(&mut self, publisher: UserId, key: GroupKey) {
        self.stats.keys_learned += 1;
        self.outputs.push_back(Output::StoreKey {
            publisher: publisher.clone(),
            key: key.clone(),
            stream_id: self.config.stream_id.clone(),
            latest: false,
            replace: false,
        });
        self.remember_key(publisher, key);
    }

    /// Whether `publisher` may publish, asking the host when the answer is not known.
    fn standing(&mut self, publisher: &UserId, now_ms: u64) -> Standing {
        match self.publishers.get(publisher) {
            Some(Verdict::Asked) => return Standing::Waiting,
            Some(Verdict::Known { allowed, until }) if now_ms < *until => {
                return if *allowed {
                    Standing::Allowed
                } else {
                    Standing::Denied
                };
            }
            Some(Verdict::RetryAt(t)) if now_ms < *t => return Standing::Waiting,
            _ => {}
        }
        if self.publishers.len() >= self.config.max_chains {
            // Bounded like the chains: forget expired answers, then everything settled.
            self.publishers.retain(|_, v| match v {
                Verdict::Asked => true,
                Verdict::Known { until, .. } => *until > now_ms,
                Verdict::RetryAt(_) => false,
            });
            if self.publishers.len() >= self.config.max_chains {
                self.publishers.retain(|_, v| matches!(v, Verdict::Asked));
            }
        }
        let stream_id = self.config.stream_id.clone();
        let query = permissions::query(&stream_id, publisher, Permission::Publish);
        match self
            .permissions
            .check(&stream_id, publisher, Permission::Publish, now_ms)
        {
            PermissionCheck::Known(verdict) => {
                let allowed = verdict == Ok(true);
                let failed = verdict.is_err();
                self.settle_verdict(publisher.clone(), verdict, now_ms);
                if failed {
                    Standing::Waiting
                } else if allowed {
                    Standing::Allowed
                } else {
                    Standing::Denied
                }
            }
            PermissionCheck::Ask(question, call) => {
                self.publishers.insert(publisher.clone(), Verdict::Asked);
                let id = self.ask(
                    Purpose::Permission(vec![(query, publisher.clone())]),
                    question,
                );
                self.permissions.bind(call, id);
                Standing::Waiting
            }
            PermissionCheck::Join(id) => {
                self.publishers.insert(publisher.clone(), Verdict::Asked);
                if let Some(Purpose::Permission(waiting)) = self.questions.get_mut(&id) {
                    waiting.push((query, publisher.clone()));
                }
                Standing::Waiting
            }
        }
    }

    /// Delivers, decrypts or fetches for every chain head until nothing moves, sending the
    /// key requests that are due.
    fn run(&mut self, now_ms: u64) {
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

    fn send_due_requests(&mut self, now_ms: u64) {
        let (expired, attempts) = self.fetches.due(now_ms);
        self.expired.extend(expired);
        for attempt in attempts {
            if let Err(e) = self.send_request(&attempt.key, attempt.number, now_ms) {
                self.error(e.code(), format!("key request not sent: {e}"), None);
            }
        }
    }

    fn send_request(&mut self, fetch: &FetchKey, attempt: u32, now_ms: u64) -> Result<()> {
        let request_id = random::uuid_v4(self.entropy.as_mut())?;
        let mut msg = StreamMessage {
            id: MessageId {
                stream_id: self.config.stream_id.clone(),
                partition: self.config.partition,
                timestamp: now_ms,
                sequence_number: 0,
                publisher_id: self.my_id.clone(),
                msg_chain_id: random::alphanumeric(self.entropy.as_mut(), 20)?,
            },
            prev: None,
            signature: Vec::new(),
            signature_type: self.signing.signature_type(),
            body: Body::KeyRequest(GroupKeyRequest {
                request_id: request_id.clone(),
                recipient_id: fetch.0.clone(),
                public_key: self.key_exchange.public_key().to_vec(),
                group_key_ids: vec![fetch.1.clone()],
                encryption_type: self.key_exchange.encryption_type(),
            }),
        };
        self.fetches.record_request(fetch, request_id);
        match &self.signing {
            Signing::Local(signer) => {
                msg.signature = signer.sign(&msg.signature_payload())?;
                self.outputs.push_back(Output::Send {
                    bytes: msg.to_bytes(),
                    publish: None,
                });
            }
            Signing::External { .. } => {
                let payload = msg.signature_payload();
                self.ask(
                    Purpose::RequestSignature(Box::new(msg)),
                    Question::Sign { payload },
                );
            }
        }
        self.stats.key_requests_sent += 1;
        self.outputs.push_back(Output::Event(Event::KeyRequestSent {
            publisher: fetch.0.clone(),
            key_id: fetch.1.clone(),
            attempt,
        }));
        Ok(())
    }

    /// One pass over the chain heads; `true` if anything was delivered or dropped.
    fn process_heads(&mut self, now_ms: u64) -> bool {
        let mut moved = false;
        for chain in self.chains.keys_with_head() {
            while let Some(step) = self.head_step(&chain, now_ms) {
                moved = true;
                if let Some(held) = self.chains.pop_head(&chain) {
                    self.finish(held, step);
                }
            }
        }
        moved
    }

    /// What to do with a chain's head: `None` to wait.
    fn head_step(&mut self, chain: &ChainKey, now_ms: u64) -> Option<Step> {
        let (check, publisher, encryption, key_id) = {
            let head = self.chains.head(chain)?;
            let content = head.msg.content()?;
            (
                head.check,
                head.msg.id.publisher_id.clone(),
                content.encryption_type,
                content.group_key_id.clone(),
            )
        };
        match check {
            Check::Rejected => return Some(Step::Discard),
            Check::AwaitingErc1271 => return None,
            Check::Verified => {}
        }
        let fetch: FetchKey = (publisher, key_id.unwrap_or_default());
        let key = match encryption {
            EncryptionType::None => None,
            EncryptionType::Aes => self.keys.get(&fetch).cloned(),
        };
        // Every message that waited for a key that never came fails together.
        if encryption == EncryptionType::Aes && key.is_none() && self.expired.contains(&fetch) {
            return Some(Step::Fail(ErrorCode::KeyRequestTimeout));
        }
        match self.standing(&fetch.0, now_ms) {
            Standing::Waiting => return None,
            Standing::Denied => return Some(Step::Fail(ErrorCode::PermissionDenied)),
            Standing::Allowed => {}
        }
        // `encryptionType` is not signed: NONE in a chain that was encrypted is a downgrade
        // in transit (ciphertext must never be delivered as plaintext, spec §13).
        if encryption == EncryptionType::None
            && (self.config.require_encryption || self.encrypted_chains.contains(chain))
        {
            return Some(Step::Fail(ErrorCode::EncryptionPolicyViolation));
        }
        if encryption == EncryptionType::None || key.is_some() {
            return Some(Step::Deliver(key));
        }
        if !self.fetches.want(fetch, now_ms) {
            return Some(Step::Fail(ErrorCode::Overloaded));
        }
        None
    }

    fn finish(&mut self, held: Held, step: Step) {
        let msg = held.msg;
        let reference = msg.id.reference();
        let where_ = Some(locate(&msg));
        let Body::Content(content) = msg.body else {
            return;
        };
        match step {
            Step::Discard => {}
            Step::Fail(code) => {
                self.stats.dropped += 1;
                let text = match code {
                    ErrorCode::KeyRequestTimeout => "no key arrived in time; message dropped",
                    ErrorCode::PermissionDenied => "publisher has no PUBLISH permission",
                    ErrorCode::EncryptionPolicyViolation => {
                        "unencrypted content where encryption is expected; message dropped"
                    }
                    _ => "message dropped",
                };
                if code == ErrorCode::KeyRequestTimeout {
                    // The answer may have changed since; ask again next time (SDK behaviour).
                    self.publishers.remove(&msg.id.publisher_id);
                    self.permissions.invalidate_user(&msg.id.publisher_id);
                }
                self.error(code, text.into(), where_);
            }
            Step::Deliver(key) => {
                let plaintext = match &key {
                    None => content.content,
                    Some(k) => match k.decrypt(&content.content) {
                        Ok(p) => p,
                        Err(e) => {
                            self.stats.dropped += 1;
                            self.publishers.remove(&msg.id.publisher_id);
                            self.permissions.invalidate_user(&msg.id.publisher_id);
                            self.error(e.code(), e.to_string(), where_);
                            return;
                        }
                    },
                };
                // The next key travels under the current one (rotation, spec §5 step 3).
                if let (Some(k), Some(next)) = (&key, &content.new_group_key) {
                    match k.decrypt_next(next) {
                        Ok(next) => {
                            if !self.has_key(&msg.id.publisher_id, next.id()) {
                                self.learn(msg.id.publisher_id.clone(), next);
                            }
                        }
                        Err(e) => self.error(
                            e.code(),
                            "newGroupKey: decryption failed".into(),
                            where_.clone(),
                        ),
                    }
                }
                if key.is_some() {
                    // Bounded like the chains: past the bound, forget (fail open, as before).
                    if self.encrypted_chains.len() >= self.config.max_chains.max(1) {
                        self.encrypted_chains.clear();
                    }
                    self.encrypted_chains
                        .insert((msg.id.publisher_id.clone(), msg.id.msg_chain_id.clone()));
                }
                self.stats.delivered += 1;
                self.outputs.push_back(Output::Deliver(Delivery {
                    publisher_id: msg.id.publisher_id,
                    msg_chain_id: msg.id.msg_chain_id,
                    reference,
                    content_type: content.content_type,
                    content: plaintext,
                    group_key_id: key.map(|k| k.id().to_owned()),
                }));
            }
        }
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

enum Step {
    Deliver(Option<GroupKey>),
    Fail(ErrorCode),
    Discard,
}
