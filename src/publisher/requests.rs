//! Key requests on the publisher side (spec §7, "Publisher"): who may ask, how often, what
//! the host must confirm, and the response.
//!
//! Safer than the SDK in three ways: requests are rate limited per requester and the number
//! waiting for permission answers is bounded (floods cannot exhaust memory); a request too far
//! from `now` is refused (a replayed request stops working); and only keys of this
//! publisher's own stream partition are ever handed out (the SDK looks keys up by id alone).

use std::collections::{HashMap, VecDeque};

use crate::cipher::GroupKey;
use crate::error::{Error, ErrorCode, Result};
use crate::exchange;
use crate::host::{Event, Output, Permission};
use crate::identity::{self, Verification};
use crate::permissions::Verdict;
use crate::random::{self, Entropy};
use crate::rate_limit::KeyedLimiter;
use crate::user_id::UserId;
use crate::wire::{
    Body, EncryptedGroupKey, GroupKeyRequest, GroupKeyResponse, MessageId, SignatureType,
    StreamMessage,
};

use super::PublisherConfig;

/// Most key ids one request may ask for (the SDK asks for one).
pub const MAX_KEY_IDS_PER_REQUEST: usize = 16;
/// Largest key-exchange public key accepted (an RSA-4096 SPKI PEM is about 800 bytes).
pub const MAX_PUBLIC_KEY_LEN: usize = 4096;
/// Longest request id accepted (the SDK sends a 36-character uuid).
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// One request being checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ticket(u64);

/// What a question about a request checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The requester holds SUBSCRIBE.
    RequesterSubscribes,
    /// This publisher holds PUBLISH.
    PublisherPublishes,
    /// The requester's ERC-1271 contract accepts the signature.
    Erc1271Signature,
}

/// What must be found out about a request.
pub enum Need {
    /// A registry permission.
    Permission(UserId, Permission),
    /// An ERC-1271 signature check.
    Erc1271 {
        contract: UserId,
        digest: [u8; 32],
        signature: Vec<u8>,
    },
}

/// A request that passed every check.
pub struct Ready {
    pub requester: UserId,
    pub request: GroupKeyRequest,
}

struct Pending {
    requester: UserId,
    request: GroupKeyRequest,
    outstanding: usize,
}

/// Requests waiting for answers, and the limits that guard them.
pub struct RequestHandling {
    limiter: KeyedLimiter<UserId>,
    pending: HashMap<Ticket, Pending>,
    ready: VecDeque<Ready>,
    next: u64,
    max_pending: usize,
}

fn deny(outputs: &mut VecDeque<Output>, requester: &UserId, code: ErrorCode, message: String) {
    outputs.push_back(Output::Event(Event::KeyRequestDenied {
        requester: requester.clone(),
        code,
        message,
    }));
}

impl RequestHandling {
    pub fn new(config: &PublisherConfig) -> Self {
        let rate = config.max_key_requests_per_requester_per_second;
        RequestHandling {
            limiter: KeyedLimiter::new(rate.saturating_mul(2), rate, config.max_tracked_requesters),
            pending: HashMap::new(),
            ready: VecDeque::new(),
            next: 0,
            max_pending: config.max_pending_key_requests,
        }
    }

    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Checks what can be checked at once and returns the questions for the rest.
    pub fn handle(
        &mut self,
        msg: StreamMessage,
        config: &PublisherConfig,
        my_id: &UserId,
        now_ms: u64,
        outputs: &mut VecDeque<Output>,
    ) -> Vec<(Ticket, Check, Need)> {
        let Body::KeyRequest(request) = &msg.body else {
            return Vec::new();
        };
        // Requests for other publishers or other stream partitions are theirs to answer;
        // the SDK ignores them silently too.
        if &request.recipient_id != my_id
            || msg.id.stream_id != config.stream_id
            || msg.id.partition != config.partition
        {
            return Vec::new();
        }
        let requester = msg.id.publisher_id.clone();
        if now_ms.abs_diff(msg.id.timestamp) > config.max_key_request_age_ms {
            deny(
                outputs,
                &requester,
                ErrorCode::StaleRequest,
                format!(
                    "request time {} is more than {} ms from now",
                    msg.id.timestamp, config.max_key_request_age_ms
                ),
            );
            return Vec::new();
        }
        if let Err(e) = exchange::allowed(
            request.encryption_type,
            config.require_quantum_resistant_key_exchange,
        ) {
            deny(
                outputs,
                &requester,
                ErrorCode::EncryptionPolicyViolation,
                e.to_string(),
            );
            return Vec::new();
        }
        if let Err(e) = check_shape(request) {
            deny(outputs, &requester, e.code(), e.to_string());
            return Vec::new();
        }
        let erc1271 = match identity::verify_message(&msg) {
            Ok(Verification::Valid) => None,
            Ok(Verification::NeedsErc1271 {
                contract,
                digest,
                signature,
            }) => Some(Need::Erc1271 {
                contract,
                digest,
                signature,
            }),
            Err(e) => {
                deny(outputs, &requester, e.code(), e.to_string());
                return Vec::new();
            }
        };
        // Counted only once the signature checks out: forged requests in a subscriber's name
        // must not use up that subscriber's budget.
        if !self.limiter.allow(&requester, now_ms) {
            deny(
                outputs,
                &requester,
                ErrorCode::RateLimited,
                "too many key requests".into(),
            );
            return Vec::new();
        }
        if self.pending.len() >= self.max_pending {
            deny(
                outputs,
                &requester,
                ErrorCode::Overloaded,
                "too many key requests wait for permission answers".into(),
            );
            return Vec::new();
        }
        self.next += 1;
        let ticket = Ticket(self.next);
        let mut questions = vec![
            (
                ticket,
                Check::RequesterSubscribes,
                Need::Permission(requester.clone(), Permission::Subscribe),
            ),
            (
                ticket,
                Check::PublisherPublishes,
                Need::Permission(my_id.clone(), Permission::Publish),
            ),
        ];
        if let Some(need) = erc1271 {
            questions.push((ticket, Check::Erc1271Signature, need));
        }
        self.pending.insert(
            ticket,
            Pending {
                requester,
                request: request.clone(),
                outstanding: questions.len(),
            },
        );
        questions
    }

    /// Records one answer; any "no" or failure denies the request at once (fail closed).
    pub fn answer(
        &mut self,
        ticket: Ticket,
        check: Check,
        verdict: Verdict,
        outputs: &mut VecDeque<Output>,
    ) {
        let Some(pending) = self.pending.get_mut(&ticket) else {
            return; // already denied
        };
        let refusal = match (verdict, check) {
            (Ok(true), _) => None,
            (Ok(false), Check::RequesterSubscribes) => Some((
                ErrorCode::PermissionDenied,
                "requester has no SUBSCRIBE permission".to_owned(),
            )),
            (Ok(false), Check::PublisherPublishes) => Some((
                ErrorCode::PermissionDenied,
                "this publisher has no PUBLISH permission".to_owned(),
            )),
            (Ok(false), Check::Erc1271Signature) => Some((
                ErrorCode::InvalidSignature,
                "the ERC-1271 contract rejected the signature".to_owned(),
            )),
            (Err((code, message)), _) => Some((code, message)),
        };
        if let Some((code, message)) = refusal {
            if let Some(p) = self.pending.remove(&ticket) {
                deny(outputs, &p.requester, code, message);
            }
            return;
        }
        pending.outstanding = pending.outstanding.saturating_sub(1);
        if pending.outstanding == 0
            && let Some(p) = self.pending.remove(&ticket)
        {
            self.ready.push_back(Ready {
                requester: p.requester,
                request: p.request,
            });
        }
    }

    pub fn take_ready(&mut self) -> Option<Ready> {
        self.ready.pop_front()
    }
}

fn check_shape(request: &GroupKeyRequest) -> Result<()> {
    let bad = |m: &str| Err(Error::malformed(m));
    if request.group_key_ids.is_empty() {
        return bad("key request names no key");
    }
    if request.group_key_ids.len() > MAX_KEY_IDS_PER_REQUEST {
        return bad("key request names too many keys");
    }
    if request.public_key.is_empty() || request.public_key.len() > MAX_PUBLIC_KEY_LEN {
        return bad("key request public key has a bad length");
    }
    if request.request_id.is_empty() || request.request_id.len() > MAX_REQUEST_ID_LEN {
        return bad("key request id has a bad length");
    }
    Ok(())
}

/// The signed-to-be response carrying `keys` wrapped for the requester, or `None` when no
/// wanted key is known.
pub fn build_response(
    ready: &Ready,
    keys: &[&GroupKey],
    config: &PublisherConfig,
    my_id: &UserId,
    signature_type: SignatureType,
    now_ms: u64,
    entropy: &mut dyn Entropy,
) -> Result<Option<(StreamMessage, Vec<String>)>> {
    if keys.is_empty() {
        return Ok(None);
    }
    let request = &ready.request;
    let mut group_keys = Vec::with_capacity(keys.len());
    for key in keys {
        group_keys.push(EncryptedGroupKey {
            id: key.id().to_owned(),
            data: exchange::wrap_group_key(key, request.encryption_type, &request.public_key)?,
        });
    }
    let key_ids = group_keys.iter().map(|k| k.id.clone()).collect();
    let message = StreamMessage {
        id: MessageId {
            stream_id: config.stream_id.clone(),
            partition: config.partition,
            timestamp: now_ms,
            sequence_number: 0,
            publisher_id: my_id.clone(),
            msg_chain_id: random::alphanumeric(entropy, 20)?,
        },
        prev: None,
        signature: Vec::new(),
        signature_type,
        body: Body::KeyResponse(GroupKeyResponse {
            request_id: request.request_id.clone(),
            recipient_id: ready.requester.clone(),
            group_keys,
            encryption_type: request.encryption_type,
        }),
    };
    Ok(Some((message, key_ids)))
}
