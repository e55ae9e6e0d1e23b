//! A key custodian: answers key requests for publishers that went offline (docs/custodian.md).
//!
//! It is the publisher's core in a serve-only mode. For each content identity handed to it
//! ([`identity::open_identity`], e.g. a `SessionSigner`'s session key) it runs a
//! [`Publisher`] that never publishes: it answers key requests addressed to that identity,
//! signed as that identity, so stock SDK subscribers store the key under the publisher they
//! asked. Every check is the publisher's own (`publisher/requests.rs`): signature, SUBSCRIBE of
//! the requester and PUBLISH of the identity on chain, failing closed, rate limits, replays.
//!
//! What the custodian adds:
//! - a grace period (`grace.rs`): a request waits `grace_ms` so the publisher, if online,
//!   answers first; a signed response from the publisher (or from another custodian, which
//!   signs as the same identity) settles it, and it is never answered here;
//! - the eager hand-off: a `GroupKeyResponse` from a served identity addressed to this
//!   custodian's id carries new keys wrapped for its ML-KEM key; they are remembered and stored
//!   (`storeKey`), and every cached permission answer is dropped (a rekey may follow a revoke).
//!
//! Sans-IO as the publisher: time comes in with every call ([`Custodian::tick`] at
//! [`Custodian::next_deadline`]), outputs go out through [`Custodian::poll_output`]. Keys the
//! inner publishers do not hold are asked for with [`crate::host::Question::LoadKey`] (after a restart).

mod grace;

use std::collections::{HashMap, VecDeque};

use crate::error::{Error, ErrorCode, Result};
use crate::exchange::KeyExchangeKeyPair;
use crate::exchange::mlkem::MlKemKeyPair;
use crate::host::{Answer, Event, Output, QuestionId};
use crate::identity::{Signing, Verification, verify_message};
use crate::publisher::{Publisher, PublisherConfig};
use crate::user_id::UserId;
use crate::wire::{AsymmetricEncryptionType, Body, GroupKeyResponse, StreamMessage, format};

use super::identity;
use grace::{Grace, Held};

/// Custodian settings.
#[derive(Clone, Debug)]
pub struct CustodianConfig {
    /// The stream partition, the checks and their limits: those of a publisher.
    pub publisher: PublisherConfig,
    /// How long a request waits for the publisher to answer first (default 2 s; the SDK's
    /// `keyRequestTimeout` is 30 s).
    pub grace_ms: u64,
    /// Requests in their grace period at once; more are dropped (`OVERLOADED`).
    pub max_waiting_requests: usize,
    /// Settled requests remembered, so a copy is not answered again.
    pub max_settled_requests: usize,
    /// Content identities served at once.
    pub max_identities: usize,
}

impl CustodianConfig {
    /// Defaults for `stream_id`, partition 0.
    pub fn new(stream_id: impl Into<String>) -> Self {
        CustodianConfig {
            publisher: PublisherConfig::new(stream_id),
            grace_ms: 2_000,
            max_waiting_requests: 1_000,
            max_settled_requests: 100_000,
            max_identities: 64,
        }
    }
}

struct Served {
    id: UserId,
    core: Publisher,
}

/// The custodian of one stream partition.
pub struct Custodian {
    config: CustodianConfig,
    kem: MlKemKeyPair,
    my_id: UserId,
    served: Vec<Served>,
    grace: Grace,
    /// Our question id → (served index, the inner publisher's question id).
    questions: HashMap<QuestionId, (usize, QuestionId)>,
    next_question: u64,
    outputs: VecDeque<Output>,
}

impl Custodian {
    /// A custodian whose hand-offs are wrapped for `kem` (its long-term key pair; the host keeps
    /// it sealed). Its user id is [`identity::custodian_id`] of the public key.
    pub fn new(config: CustodianConfig, kem: MlKemKeyPair) -> Result<Self> {
        // The inner publishers are made later; refuse a bad config now.
        Publisher::new(
            config.publisher.clone(),
            Signing::External {
                user_id: UserId::from([0u8; 20]),
                signature_type: crate::wire::SignatureType::EcdsaSecp256k1Evm,
            },
        )?;
        let my_id = identity::custodian_id(kem.public_key_bytes())?;
        Ok(Custodian {
            grace: Grace::new(config.max_waiting_requests, config.max_settled_requests),
            config,
            kem,
            my_id,
            served: Vec::new(),
            questions: HashMap::new(),
            next_question: 0,
            outputs: VecDeque::new(),
        })
    }

    /// This custodian's user id: publishers address hand-offs to it.
    pub fn user_id(&self) -> &UserId {
        &self.my_id
    }

    /// Its ML-KEM-1024 public key: publishers wrap hand-offs for it.
    pub fn public_key(&self) -> &[u8] {
        self.kem.public_key_bytes()
    }

    /// The identities served, in the order they were added.
    pub fn identities(&self) -> Vec<UserId> {
        self.served.iter().map(|s| s.id.clone()).collect()
    }

    /// Requests in their grace period.
    pub fn waiting_requests(&self) -> usize {
        self.grace.waiting()
    }

    /// Starts serving the content identity sealed in `blob` ([`identity::seal_identity`]);
    /// returns its user id. Adding one already served changes nothing. `DECRYPT_ERROR` for a
    /// blob that does not open with this custodian's key, `OVERLOADED` past `max_identities`.
    pub fn add_identity(&mut self, blob: &[u8]) -> Result<UserId> {
        let signer = identity::open_identity(&self.kem, blob)?;
        let id = signer.user_id();
        if self.served.iter().any(|s| s.id == id) {
            return Ok(id);
        }
        if self.served.len() >= self.config.max_identities {
            return Err(Error::Overloaded(format!(
                "this custodian serves {} identities already",
                self.served.len()
            )));
        }
        let mut config = self.config.publisher.clone();
        config.msg_chain_id = None;
        config.custodians = Vec::new();
        let core = Publisher::new(config, Signing::Local(Box::new(signer)))?;
        self.served.push(Served {
            id: id.clone(),
            core,
        });
        Ok(id)
    }

    /// Handles a StreamMessage seen on the stream partition: key requests to a served identity
    /// wait out the grace period, responses from a served identity settle them (or, addressed
    /// here, hand keys over); everything else is ignored.
    pub fn handle_message(&mut self, bytes: &[u8], now_ms: u64) {
        let msg = match StreamMessage::from_bytes(bytes) {
            Ok(m) => m,
            Err(e) => {
                self.error(e.code(), e.to_string());
                return;
            }
        };
        let publisher = &self.config.publisher;
        if msg.id.stream_id != publisher.stream_id || msg.id.partition != publisher.partition {
            return;
        }
        match &msg.body {
            Body::KeyRequest(request) => {
                if self.index_of(&request.recipient_id).is_none() {
                    return;
                }
                // Forgeries are dropped here, not after the grace period: they must not fill it.
                let unverified = match verify_message(&msg) {
                    Ok(v) => v.needs_host(),
                    Err(e) => {
                        self.error(e.code(), format!("key request: {e}"));
                        return;
                    }
                };
                let key = (
                    request.recipient_id.clone(),
                    msg.id.publisher_id.clone(),
                    request.request_id.clone(),
                );
                let due = now_ms.saturating_add(self.config.grace_ms);
                let burst = self
                    .config
                    .publisher
                    .max_key_requests_per_requester_per_second
                    .saturating_mul(2)
                    .max(1) as usize;
                if self.grace.hold(key, bytes.to_vec(), due, unverified, burst) == Held::Full {
                    self.outputs
                        .push_back(Output::Event(Event::KeyRequestDenied {
                            requester: msg.id.publisher_id.clone(),
                            code: ErrorCode::Overloaded,
                            message: "too many key requests wait out the grace period".into(),
                        }));
                }
                if self.config.grace_ms == 0 {
                    self.tick(now_ms);
                }
            }
            Body::KeyResponse(response) => {
                let Some(index) = self.index_of(&msg.id.publisher_id) else {
                    return;
                };
                // Only a genuine answer settles: a forged one must not silence the custodian.
                // A P-256 publisher's response in a build without the feature `p256` cannot be
                // checked here (no question path): it settles nothing, and is no error either.
                let verdict = verify_message(&msg);
                if matches!(verdict, Ok(Verification::NeedsP256 { .. })) {
                    return;
                }
                if !matches!(verdict, Ok(Verification::Valid)) {
                    self.error(
                        ErrorCode::InvalidSignature,
                        format!(
                            "a response in the name of {} has a bad signature",
                            msg.id.publisher_id
                        ),
                    );
                    return;
                }
                if response.recipient_id == self.my_id {
                    self.hand_off(index, response);
                } else {
                    self.grace.settle((
                        msg.id.publisher_id.clone(),
                        response.recipient_id.clone(),
                        response.request_id.clone(),
                    ));
                }
            }
            Body::Content(_) => {}
        }
    }

    /// The clock moved on: requests whose grace period is over go to the identity's publisher
    /// core, which checks and answers them as the publisher would.
    pub fn tick(&mut self, now_ms: u64) {
        for ((publisher, _, _), bytes) in self.grace.due(now_ms) {
            if let Some(index) = self.index_of(&publisher) {
                if let Some(s) = self.served.get_mut(index) {
                    s.core.handle_message(&bytes, now_ms);
                }
                self.pump(index);
            }
        }
    }

    /// When to call [`Self::tick`] next (unix ms), if a request waits.
    pub fn next_deadline(&self) -> Option<u64> {
        self.grace.next_deadline()
    }

    /// The host's answer to a question this custodian asked.
    pub fn answer(&mut self, id: QuestionId, answer: Answer, now_ms: u64) -> Result<()> {
        let (index, inner) = self
            .questions
            .remove(&id)
            .ok_or_else(|| Error::InvalidArgument(format!("no open question {}", id.0)))?;
        if let Some(s) = self.served.get_mut(index) {
            s.core.answer(inner, answer, now_ms)?;
        }
        self.pump(index);
        Ok(())
    }

    /// The next output for the host, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// Forgets every cached permission answer.
    pub fn invalidate_permissions(&mut self) {
        for s in &mut self.served {
            s.core.invalidate_permissions();
        }
    }

    fn index_of(&self, id: &UserId) -> Option<usize> {
        self.served.iter().position(|s| &s.id == id)
    }

    fn error(&mut self, code: ErrorCode, message: String) {
        self.outputs.push_back(Output::Event(Event::Error {
            code,
            message,
            message_ref: None,
        }));
    }

    /// Keys a served identity handed over (its signature was checked).
    fn hand_off(&mut self, index: usize, response: &GroupKeyResponse) {
        if response.encryption_type != AsymmetricEncryptionType::MlKem {
            self.error(
                ErrorCode::EncryptionPolicyViolation,
                "a key hand-off must be wrapped with ML-KEM".into(),
            );
            return;
        }
        if response.group_keys.len() > format::MAX_KEY_IDS {
            self.error(
                ErrorCode::MalformedMessage,
                "a key hand-off carries too many keys".into(),
            );
            return;
        }
        let stream_id = self.config.publisher.stream_id.clone();
        let Some(s) = self.served.get_mut(index) else {
            return;
        };
        let mut received = Vec::with_capacity(response.group_keys.len());
        for k in &response.group_keys {
            match self.kem.unwrap_group_key(&k.id, &k.data) {
                Ok(key) => received.push(key),
                Err(e) => {
                    let message = format!("a handed-over key {:?} did not unwrap: {e}", k.id);
                    self.error(e.code(), message);
                    return;
                }
            }
        }
        // The publisher may have rekeyed to revoke someone: read every permission anew.
        s.core.invalidate_permissions();
        s.core.restore_keys(None, received.clone());
        let publisher = s.id.clone();
        for key in received {
            self.outputs.push_back(Output::StoreKey {
                publisher: publisher.clone(),
                key,
                stream_id: stream_id.clone(),
                latest: false,
                replace: false,
            });
        }
    }

    /// Moves the inner publisher's outputs out, renumbering its questions.
    fn pump(&mut self, index: usize) {
        let Some(s) = self.served.get_mut(index) else {
            return;
        };
        while let Some(out) = s.core.poll_output() {
            match out {
                Output::Ask { id, question } => {
                    self.next_question += 1;
                    let ours = QuestionId(self.next_question);
                    self.questions.insert(ours, (index, id));
                    self.outputs.push_back(Output::Ask { id: ours, question });
                }
                other => self.outputs.push_back(other),
            }
        }
    }
}

#[cfg(test)]
mod tests;
