//! The publisher of one stream partition: encrypts and signs content, rotates and re-keys,
//! and answers key requests from subscribers the registry allows (docs/wire.md §5-§7).
//!
//! Sans-IO: every method takes the time as input and queues [`Output`]s; the host drains them
//! with [`Publisher::poll_output`] and answers questions with [`Publisher::answer`].
//!
//! Here: the API and the run loop (publishes, rotations, answers). Beside it: `config.rs`
//! (settings), `chain.rs` and `key_queue.rs` (chain position, keys), `requests.rs` (checking
//! key requests), `seen.rs` (replays), `serving.rs` (loading keys, building responses),
//! `handoff.rs` (keys sent eagerly to key custodians).

mod chain;
mod config;
mod handoff;
mod key_queue;
mod public_check;
mod requests;
mod seen;
mod serving;

use std::collections::{HashMap, VecDeque};

use crate::cipher::GroupKey;
use crate::error::{Error, ErrorCode, Result};
use crate::host::{Answer, Event, Output, Question, QuestionId};
use crate::identity::{HostCheck, Signing};
use crate::permissions::{self, Check, Permissions};
use crate::random::{self, Entropy};
use crate::registry::PermissionQuery;
use crate::user_id::UserId;
use crate::wire::format::{self, Formats};
use crate::wire::{Body, ContentMessage, ContentType, EncryptionType, MessageId, StreamMessage};

use chain::MessageChain;
use key_queue::{KeyQueue, KeyState};
use requests::RequestHandling;

pub use crate::host::PublishId;
pub use config::{DEFAULT_MIN_RSA_KEY_BITS, PublisherConfig};

enum Command {
    Publish {
        id: PublishId,
        content: Vec<u8>,
        content_type: ContentType,
        now_ms: u64,
    },
    Rotate(Option<GroupKey>),
    Rekey(Option<GroupKey>),
}

/// A content message waiting for the host's signature, with what to restore if it never
/// comes (so a refused signature leaves no hole in the chain and no key skipped).
struct InFlight {
    question: QuestionId,
    publish: PublishId,
    message: StreamMessage,
    chain_before: MessageChain,
    keys_before: KeyState,
}

/// Why a question was asked.
enum Purpose {
    ContentSignature,
    /// Whether the stream is public (`public_check.rs`).
    PublicStream,
    /// Permission checks of key requests waiting for one answer.
    Permission(Vec<(PermissionQuery, requests::Ticket, requests::Check)>),
    RequestErc1271(requests::Ticket, HostCheck),
    /// A key the requests `tickets` want, from the host's store.
    LoadKey {
        key_id: String,
        tickets: Vec<requests::Ticket>,
    },
    ResponseSignature(Box<StreamMessage>, UserId, Vec<String>),
    /// A response waiting for the host's RSA ciphertexts of the keys `key_ids`, each
    /// `ciphertext_len` bytes.
    WrapKeys {
        ready: Box<requests::Ready>,
        key_ids: Vec<String>,
        ciphertext_len: usize,
    },
}

/// Publisher state machine for one stream partition.
pub struct Publisher {
    config: PublisherConfig,
    /// Whether content is encrypted; `None` until the public-stream answer (publishes wait).
    encrypt: Option<bool>,
    signing: Signing,
    my_id: UserId,
    entropy: Box<dyn Entropy>,
    chain: MessageChain,
    keys: KeyQueue,
    commands: VecDeque<Command>,
    in_flight: Option<InFlight>,
    requests: RequestHandling,
    permissions: Permissions,
    questions: HashMap<QuestionId, Purpose>,
    /// Open [`Question::LoadKey`]s by key id, so requests for one key share one question.
    loading: HashMap<String, QuestionId>,
    /// New keys not yet handed to the custodians (`handoff.rs`).
    hand_off: Vec<GroupKey>,
    next_question: u64,
    next_publish: u64,
    outputs: VecDeque<Output>,
}

impl Publisher {
    /// A publisher signing with `signing`, drawing ids and keys from the OS CSPRNG.
    pub fn new(config: PublisherConfig, signing: Signing) -> Result<Self> {
        Self::with_entropy(config, signing, Box::new(random::OsEntropy))
    }

    /// [`Self::new`] with an injected entropy source (reproducible tests).
    pub fn with_entropy(
        config: PublisherConfig,
        signing: Signing,
        mut entropy: Box<dyn Entropy>,
    ) -> Result<Self> {
        config.validate()?;
        let chain_id = match &config.msg_chain_id {
            // Subscribers with strict formats (the default) drop every message of a chain id
            // the SDK would not make: refuse it here, where the mistake is made.
            Some(id) if config.formats == Formats::Sdk && !format::is_sdk_chain_id(id) => {
                return Err(Error::InvalidArgument(format!(
                    "message chain id {id:?} is not 20 characters of [0-9A-Za-z], which strict \
                     subscribers require; use such an id, or formats Any (strictFormats: false)"
                )));
            }
            Some(id) if !id.is_empty() => id.clone(),
            Some(_) => return Err(Error::InvalidArgument("message chain id is empty".into())),
            None => random::alphanumeric(entropy.as_mut(), 20)?,
        };
        let my_id = signing.user_id();
        let public_question = public_check::question(&config);
        let mut publisher = Publisher {
            encrypt: public_question.is_none().then_some(config.encrypt),
            requests: RequestHandling::new(&config),
            permissions: Permissions::new(config.permissions),
            config,
            signing,
            my_id,
            entropy,
            chain: MessageChain::new(chain_id),
            keys: KeyQueue::default(),
            commands: VecDeque::new(),
            in_flight: None,
            questions: HashMap::new(),
            loading: HashMap::new(),
            hand_off: Vec::new(),
            next_question: 0,
            next_publish: 0,
            outputs: VecDeque::new(),
        };
        if let Some(q) = public_question {
            publisher.ask(Purpose::PublicStream, q);
        }
        Ok(publisher)
    }

    /// Whether content is encrypted; `None` while the public-stream question is open.
    pub fn encrypted(&self) -> Option<bool> {
        self.encrypt
    }

    /// This publisher's user id.
    pub fn user_id(&self) -> &UserId {
        &self.my_id
    }

    /// The message chain id.
    pub fn msg_chain_id(&self) -> &str {
        self.chain.id()
    }

    /// The key content is encrypted with now, if one exists yet.
    pub fn current_key(&self) -> Option<&GroupKey> {
        self.keys.current()
    }

    /// Restores keys from storage after a reload: `latest` becomes current, `old` keys are
    /// only remembered so that requests for them are still answered.
    ///
    /// Only for keys of **this** stream (`latest` from the stream's `LatestEncryptionKeyIds`
    /// entry): every key given here is handed to any subscriber of this stream who asks for
    /// it. Keys the host does not pass here are loaded on demand, bound to this stream, with
    /// [`Question::LoadKey`]; a host need not restore old keys at all.
    pub fn restore_keys(&mut self, latest: Option<GroupKey>, old: Vec<GroupKey>) {
        for k in old {
            self.keys.remember(k);
        }
        if let Some(k) = latest {
            self.queue_hand_off(&k);
            self.keys.set_current(k);
        }
    }

    /// Publishes `content`. With a local signer the signed message is queued as
    /// [`Output::Send`] at once; with an external signer a [`Question::Sign`] comes first.
    pub fn publish(
        &mut self,
        content: Vec<u8>,
        content_type: ContentType,
        now_ms: u64,
    ) -> Result<PublishId> {
        if self.commands.len() >= self.config.max_queued_publishes {
            return Err(Error::Overloaded(format!(
                "{} publishes already wait for a signature",
                self.commands.len()
            )));
        }
        self.next_publish += 1;
        let id = PublishId(self.next_publish);
        self.commands.push_back(Command::Publish {
            id,
            content,
            content_type,
            now_ms,
        });
        self.run_commands()?;
        Ok(id)
    }

    /// Rotation: `key` (or a fresh one) is carried by the next message under the current key
    /// and used after it. Subscribers get it without key exchange (forward secrecy for new
    /// content only; a revoked subscriber who holds the current key also gets it).
    pub fn rotate(&mut self, key: Option<GroupKey>) -> Result<()> {
        self.commands.push_back(Command::Rotate(key));
        self.run_commands()
    }

    /// Re-key: `key` (or a fresh one) is used from the next message on, and is never sent
    /// under an old key, so every subscriber must come back through key exchange and have its
    /// permission checked again (revocation).
    pub fn rekey(&mut self, key: Option<GroupKey>) -> Result<()> {
        self.commands.push_back(Command::Rekey(key));
        self.run_commands()
    }

    /// Handles a StreamMessage seen on the stream partition: key requests addressed to this
    /// publisher are checked (`requests.rs`), keys it does not hold are loaded for this stream,
    /// and the request is answered (`serving.rs`); everything else is ignored.
    pub fn handle_message(&mut self, bytes: &[u8], now_ms: u64) {
        let msg = match StreamMessage::from_bytes(bytes) {
            Ok(m) => m,
            // Garbage on a shared stream is not this publisher's business to report loudly,
            // but a counter-free silent drop would hide attacks: report it as an event.
            Err(e) => {
                self.event(Event::Error {
                    code: e.code(),
                    message: e.to_string(),
                    message_ref: None,
                });
                return;
            }
        };
        if let Body::KeyRequest(_) = &msg.body {
            let asks =
                self.requests
                    .handle(msg, &self.config, &self.my_id, now_ms, &mut self.outputs);
            for (ticket, check, need) in asks {
                self.resolve(ticket, check, need, now_ms);
            }
            self.serve_passed_requests(now_ms);
        }
    }

    /// The host's answer to a question this publisher asked.
    pub fn answer(&mut self, id: QuestionId, answer: Answer, now_ms: u64) -> Result<()> {
        let purpose = self
            .questions
            .remove(&id)
            .ok_or_else(|| Error::InvalidArgument(format!("no open question {}", id.0)))?;
        match purpose {
            Purpose::ContentSignature => self.content_signed(id, answer)?,
            Purpose::PublicStream => {
                let (encrypt, event) = public_check::decide(answer);
                self.encrypt = Some(encrypt);
                if let Some(e) = event {
                    self.event(e);
                }
                self.run_commands()?;
            }
            Purpose::Permission(waiting) => {
                let queries: Vec<PermissionQuery> = waiting.iter().map(|w| w.0.clone()).collect();
                let verdicts = self.permissions.answered(id, &queries, answer, now_ms);
                for ((_, ticket, check), (_, verdict)) in waiting.into_iter().zip(verdicts) {
                    self.requests
                        .answer(ticket, check, verdict, now_ms, &mut self.outputs);
                }
                self.serve_passed_requests(now_ms);
            }
            Purpose::RequestErc1271(ticket, check) => {
                let verdict = self.permissions.signature_valid(check, answer);
                self.requests.answer(
                    ticket,
                    requests::Check::Erc1271Signature,
                    verdict,
                    now_ms,
                    &mut self.outputs,
                );
                self.serve_passed_requests(now_ms);
            }
            Purpose::LoadKey { key_id, tickets } => {
                self.key_loaded(key_id, tickets, answer, now_ms);
            }
            Purpose::ResponseSignature(msg, requester, key_ids) => {
                self.response_signed(*msg, requester, key_ids, answer);
            }
            Purpose::WrapKeys {
                ready,
                key_ids,
                ciphertext_len,
            } => self.keys_wrapped(*ready, key_ids, ciphertext_len, answer, now_ms),
        }
        Ok(())
    }

    /// The next output for the host, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// How many group keys this publisher can hand out (current, queued and old).
    pub fn known_keys(&self) -> usize {
        self.keys.len()
    }

    /// Forgets every cached permission answer (registry mode; with host answers the host is
    /// asked for every request anyway): the next key request is checked again. For a host
    /// that knows a permission changed without rekeying; `rekey` does this itself.
    pub fn invalidate_permissions(&mut self) {
        self.permissions.invalidate_all();
    }

    /// Key requests in progress: waiting for permission answers or for their keys to load.
    pub fn pending_key_requests(&self) -> usize {
        self.requests.pending()
    }

    fn ask(&mut self, purpose: Purpose, question: Question) -> QuestionId {
        self.next_question += 1;
        let id = QuestionId(self.next_question);
        self.questions.insert(id, purpose);
        self.outputs.push_back(Output::Ask { id, question });
        id
    }

    /// Finds out one thing a key request needs: from the cache, by a new question, or by
    /// joining an identical question already out.
    fn resolve(
        &mut self,
        ticket: requests::Ticket,
        check: requests::Check,
        need: requests::Need,
        now_ms: u64,
    ) {
        match need {
            requests::Need::Permission(user, permission) => {
                let stream_id = self.config.stream_id.clone();
                let query = permissions::query(&stream_id, &user, permission);
                match self
                    .permissions
                    .check(&stream_id, &user, permission, now_ms)
                {
                    Check::Known(verdict) => {
                        self.requests
                            .answer(ticket, check, verdict, now_ms, &mut self.outputs);
                    }
                    Check::Ask(question, call) => {
                        let id =
                            self.ask(Purpose::Permission(vec![(query, ticket, check)]), question);
                        self.permissions.bind(call, id);
                    }
                    Check::Join(id) => {
                        if let Some(Purpose::Permission(waiting)) = self.questions.get_mut(&id) {
                            waiting.push((query, ticket, check));
                        }
                    }
                }
            }
            requests::Need::Signature(v) => {
                if let Some((check, question)) = self.permissions.signature_question(v) {
                    self.ask(Purpose::RequestErc1271(ticket, check), question);
                }
            }
        }
    }

    fn event(&mut self, e: Event) {
        self.outputs.push_back(Output::Event(e));
    }

    fn store_key(&mut self, key: &GroupKey) {
        self.queue_hand_off(key);
        self.outputs.push_back(Output::StoreKey {
            publisher: self.my_id.clone(),
            key: key.clone(),
            stream_id: self.config.stream_id.clone(),
            latest: true,
            replace: false,
        });
    }

    fn new_key(&mut self, given: Option<GroupKey>) -> Result<GroupKey> {
        match given {
            Some(k) => Ok(k),
            None => GroupKey::generate_with(self.entropy.as_mut()),
        }
    }

    /// Runs queued commands in order until one waits for a signature (or all wait for the
    /// public-stream answer).
    fn run_commands(&mut self) -> Result<()> {
        while self.in_flight.is_none() && self.encrypt.is_some() {
            let Some(cmd) = self.commands.pop_front() else {
                break;
            };
            match cmd {
                Command::Rotate(key) => {
                    let key = self.new_key(key)?;
                    self.keys.rotate(key.clone());
                    self.store_key(&key);
                }
                Command::Rekey(key) => {
                    // A rekey enforces revocations: cached "yes" answers must not hand the
                    // new key to someone revoked since they were cached.
                    self.permissions.invalidate_all();
                    let key = self.new_key(key)?;
                    self.keys.set_current(key.clone());
                    self.store_key(&key);
                }
                Command::Publish {
                    id,
                    content,
                    content_type,
                    now_ms,
                } => self.build_and_sign(id, content, content_type, now_ms)?,
            }
        }
        Ok(())
    }

    fn build_and_sign(
        &mut self,
        publish: PublishId,
        content: Vec<u8>,
        content_type: ContentType,
        now_ms: u64,
    ) -> Result<()> {
        let chain_before = self.chain.clone();
        let encrypt = self.encrypt == Some(true);
        if encrypt && self.keys.current().is_none() {
            let key = self.new_key(None)?;
            self.keys.set_current(key.clone());
            self.store_key(&key);
        }
        // Custodians get new keys before the message that uses or carries them.
        self.flush_hand_off(now_ms);
        let keys_before = self.keys.state();
        let body = if encrypt {
            let key_use = self
                .keys
                .use_key()
                .ok_or_else(|| Error::InvalidArgument("no group key".into()))?;
            let new_group_key = match &key_use.next {
                Some(next) => Some(key_use.current.encrypt_next(next)?),
                None => None,
            };
            ContentMessage {
                content: key_use.current.encrypt(&content)?,
                content_type,
                encryption_type: EncryptionType::Aes,
                group_key_id: Some(key_use.current.id().to_owned()),
                new_group_key,
            }
        } else {
            ContentMessage {
                content,
                content_type,
                encryption_type: EncryptionType::None,
                group_key_id: None,
                new_group_key: None,
            }
        };
        let (reference, prev) = self.chain.next(now_ms);
        let mut message = StreamMessage {
            id: MessageId {
                stream_id: self.config.stream_id.clone(),
                partition: self.config.partition,
                timestamp: reference.timestamp,
                sequence_number: reference.sequence_number,
                publisher_id: self.my_id.clone(),
                msg_chain_id: self.chain.id().to_owned(),
            },
            prev,
            signature: Vec::new(),
            signature_type: self.signing.signature_type(),
            body: Body::Content(body),
        };
        // A wallet, or a local key the host paused: the host signs, later publishes wait.
        if let Some(signer) = self.signing.local_now() {
            message.signature = signer.sign(&message.signature_payload())?;
            self.outputs.push_back(Output::Send {
                bytes: message.to_bytes(),
                publish: Some(publish),
            });
        } else {
            let payload = message.signature_payload();
            let question = self.ask(Purpose::ContentSignature, Question::Sign { payload });
            self.in_flight = Some(InFlight {
                question,
                publish,
                message,
                chain_before,
                keys_before,
            });
        }
        Ok(())
    }

    fn content_signed(&mut self, id: QuestionId, answer: Answer) -> Result<()> {
        let Some(flight) = self.in_flight.take() else {
            return Ok(());
        };
        if flight.question != id {
            self.in_flight = Some(flight);
            return Ok(());
        }
        match answer {
            Answer::Signature(sig) => {
                let mut message = flight.message;
                message.signature = sig;
                self.outputs.push_back(Output::Send {
                    bytes: message.to_bytes(),
                    publish: Some(flight.publish),
                });
            }
            other => {
                // Nothing was sent: put the chain and the keys back as they were, so the next
                // message links to the last one actually sent and no rotation is skipped.
                self.chain = flight.chain_before;
                self.keys.restore(flight.keys_before);
                self.event(Event::PublishFailed {
                    publish: flight.publish,
                    code: ErrorCode::SignerError,
                    message: format!(
                        "publish {} was not signed, nothing was sent: {}",
                        flight.publish.0,
                        failure_reason(&other)
                    ),
                });
            }
        }
        self.run_commands()
    }
}

fn failure_reason(answer: &Answer) -> String {
    match answer {
        Answer::Failed { reason } => reason.clone(),
        other => format!("unexpected answer {other:?}"),
    }
}
