//! Key requests on the publisher side (docs/wire.md §7, "Publisher"): who may ask, how often, what
//! the host must confirm, and the bookkeeping until the response goes out.
//!
//! Safer than the SDK:
//! - every check that needs nothing from the host comes first (field forms and bounds, the
//!   age window, key-exchange policy and RSA size, no LEGACY signatures, the signature, replays),
//!   so a bad request costs no question;
//! - requests are rate limited per requester, counted only once the signature is known to be
//!   the requester's (for ERC-1271, once the contract said so), and the number in progress is
//!   bounded (floods cannot exhaust memory);
//! - a replayed request is refused (`seen.rs`);
//! - only keys of this publisher's own stream are handed out: keys it does not hold are loaded
//!   from the host only after every check passed, and only if the host has them bound to this
//!   stream (`serving.rs`; the SDK looks keys up by id alone).

use std::collections::{HashMap, VecDeque};

use crate::error::{Error, ErrorCode, Result};
use crate::exchange;
use crate::host::{Event, Output, Permission};
use crate::identity::{self, Verification};
use crate::permissions::Verdict;
use crate::rate_limit::KeyedLimiter;
use crate::user_id::UserId;
use crate::wire::{Body, GroupKeyRequest, SignatureType, StreamMessage, format};

use super::PublisherConfig;
use super::seen::{Mark, SeenRequests};

/// Most key ids one request may ask for (the SDK asks for one).
pub(super) const MAX_KEY_IDS_PER_REQUEST: usize = format::MAX_KEY_IDS;
/// Largest key-exchange public key accepted (an RSA-4096 SPKI PEM is about 800 bytes).
pub(super) const MAX_PUBLIC_KEY_LEN: usize = 4096;
/// Longest request id accepted (the SDK sends a 36-character uuid).
pub(super) const MAX_REQUEST_ID_LEN: usize = 128;

/// One request in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Ticket(u64);

/// What a question about a request checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Check {
    /// The requester holds SUBSCRIBE.
    RequesterSubscribes,
    /// This publisher holds PUBLISH.
    PublisherPublishes,
    /// The host accepts the signature: the requester's ERC-1271 contract, or the host's
    /// P-256 verification (a build without the feature `p256`).
    Erc1271Signature,
}

/// What must be found out about a request.
pub(super) enum Need {
    /// A registry permission.
    Permission(UserId, Permission),
    /// A signature the host must check (ERC-1271 or P-256).
    Signature(Verification),
}

/// A request that passed every check and is served now.
pub(super) struct Ready {
    pub requester: UserId,
    pub request: GroupKeyRequest,
}

enum Stage {
    /// Waiting for `outstanding` answers; `erc1271` is recorded as seen once the contract
    /// confirms the signature.
    Checking {
        outstanding: usize,
        erc1271: Option<Mark>,
    },
    /// Every check passed; waiting for the serving side to look at it.
    Passed,
    /// Waiting for `outstanding` keys to load.
    Loading { outstanding: usize },
}

struct Pending {
    requester: UserId,
    request: GroupKeyRequest,
    stage: Stage,
}

/// Requests in progress, and the limits that guard them.
pub(super) struct RequestHandling {
    limiter: KeyedLimiter<UserId>,
    seen: SeenRequests,
    pending: HashMap<Ticket, Pending>,
    passed: VecDeque<Ticket>,
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

fn replayed(outputs: &mut VecDeque<Output>, requester: &UserId) {
    deny(
        outputs,
        requester,
        ErrorCode::ReplayedMessage,
        "this request (or its signature) was seen before".into(),
    );
}

impl RequestHandling {
    pub(super) fn new(config: &PublisherConfig) -> Self {
        let rate = config.max_key_requests_per_requester_per_second;
        RequestHandling {
            limiter: KeyedLimiter::new(rate.saturating_mul(2), rate, config.max_tracked_requesters),
            seen: SeenRequests::new(
                config.max_remembered_key_requests,
                config.max_tracked_requesters,
            ),
            pending: HashMap::new(),
            passed: VecDeque::new(),
            next: 0,
            max_pending: config.max_pending_key_requests,
        }
    }

    /// Requests being checked or waiting for keys.
    pub(super) fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Checks what can be checked at once and returns the questions for the rest.
    pub(super) fn handle(
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
        if let Err(e) = check_before_signature(&msg, request, config, now_ms) {
            deny(outputs, &requester, e.code(), e.to_string());
            return Vec::new();
        }
        let fresh_until = msg
            .id
            .timestamp
            .saturating_add(config.max_key_request_age_ms);
        let mark = Mark::new(&requester, &request.request_id, &msg.signature, fresh_until);
        // ERC-1271 and (without the feature `p256`) P-256 signatures wait for the host.
        let erc1271 = match identity::verify_message(&msg) {
            Ok(Verification::Valid) => None,
            Ok(v) => Some(Need::Signature(v)),
            Err(e) => {
                deny(outputs, &requester, e.code(), e.to_string());
                return Vec::new();
            }
        };
        // After the signature check, so that a forgery is reported as one. Only verified
        // requests are recorded: a forgery cannot get here first and block the genuine one.
        if self.seen.contains(&mark, now_ms) {
            replayed(outputs, &requester);
            return Vec::new();
        }
        let erc1271_mark = match erc1271 {
            // Recorded and counted once the contract confirms the signature: forged requests
            // in a contract's name must not use up its budget or block its genuine request.
            Some(_) => Some(mark),
            None => {
                self.seen.insert(mark, now_ms);
                // Counted only once the signature checks out: forged requests in a
                // subscriber's name must not use up that subscriber's budget.
                if !self.limiter.allow(&requester, now_ms) {
                    deny(
                        outputs,
                        &requester,
                        ErrorCode::RateLimited,
                        "too many key requests".into(),
                    );
                    return Vec::new();
                }
                None
            }
        };
        if self.pending.len() >= self.max_pending {
            deny(
                outputs,
                &requester,
                ErrorCode::Overloaded,
                "too many key requests are being checked or wait for their keys".into(),
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
                stage: Stage::Checking {
                    outstanding: questions.len(),
                    erc1271: erc1271_mark,
                },
            },
        );
        questions
    }

    /// Records one answer; any "no" or failure denies the request at once (fail closed).
    pub(super) fn answer(
        &mut self,
        ticket: Ticket,
        check: Check,
        verdict: Verdict,
        now_ms: u64,
        outputs: &mut VecDeque<Output>,
    ) {
        let Some(pending) = self.pending.get_mut(&ticket) else {
            return; // already denied
        };
        let Stage::Checking {
            outstanding,
            erc1271,
        } = &mut pending.stage
        else {
            return;
        };
        let mut refusal = match (verdict, check) {
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
                "the signature was rejected (ERC-1271 contract or P-256 check)".to_owned(),
            )),
            (Err((code, message)), _) => Some((code, message)),
        };
        if refusal.is_none()
            && check == Check::Erc1271Signature
            && let Some(mark) = erc1271.take()
        {
            // The signature is the contract's now: a copy confirmed first was the replay of
            // this one, or this is the replay of it.
            if !self.seen.insert(mark, now_ms) {
                refusal = Some((
                    ErrorCode::ReplayedMessage,
                    "this request (or its signature) was seen before".to_owned(),
                ));
            } else if !self.limiter.allow(&pending.requester, now_ms) {
                refusal = Some((ErrorCode::RateLimited, "too many key requests".to_owned()));
            }
        }
        if let Some((code, message)) = refusal {
            if let Some(p) = self.pending.remove(&ticket) {
                deny(outputs, &p.requester, code, message);
            }
            return;
        }
        *outstanding = outstanding.saturating_sub(1);
        if *outstanding == 0 {
            pending.stage = Stage::Passed;
            self.passed.push_back(ticket);
        }
    }

    /// The next request that passed every check, and the key ids it wants (each once, in
    /// the order asked).
    pub(super) fn take_passed(&mut self) -> Option<(Ticket, Vec<String>)> {
        while let Some(ticket) = self.passed.pop_front() {
            if let Some(p) = self.pending.get(&ticket) {
                let mut ids: Vec<String> = Vec::with_capacity(p.request.group_key_ids.len());
                for id in &p.request.group_key_ids {
                    if !ids.contains(id) {
                        ids.push(id.clone());
                    }
                }
                return Some((ticket, ids));
            }
        }
        None
    }

    /// The request waits for `keys` keys to load (still counted as pending).
    pub(super) fn await_loads(&mut self, ticket: Ticket, keys: usize) {
        if let Some(p) = self.pending.get_mut(&ticket) {
            p.stage = Stage::Loading { outstanding: keys };
        }
    }

    /// One of the keys the request waits for was loaded (or not found); `true` when it was the
    /// last one.
    pub(super) fn key_loaded(&mut self, ticket: Ticket) -> bool {
        match self.pending.get_mut(&ticket).map(|p| &mut p.stage) {
            Some(Stage::Loading { outstanding }) => {
                *outstanding = outstanding.saturating_sub(1);
                *outstanding == 0
            }
            _ => false,
        }
    }

    /// Ends the request's bookkeeping; the caller serves it.
    pub(super) fn finish(&mut self, ticket: Ticket) -> Option<Ready> {
        self.pending.remove(&ticket).map(|p| Ready {
            requester: p.requester,
            request: p.request,
        })
    }
}

/// Everything that can be judged from the message alone, cheapest first.
fn check_before_signature(
    msg: &StreamMessage,
    request: &GroupKeyRequest,
    config: &PublisherConfig,
    now_ms: u64,
) -> Result<()> {
    // Id lengths and counts in every mode; the SDK's forms in strict mode. Fixed forms pin
    // the boundaries of the separator-free signature payload.
    format::check(msg, config.formats)?;
    if now_ms.abs_diff(msg.id.timestamp) > config.max_key_request_age_ms {
        return Err(Error::Policy {
            code: ErrorCode::StaleRequest,
            message: format!(
                "request time {} is more than {} ms from now",
                msg.id.timestamp, config.max_key_request_age_ms
            ),
        });
    }
    exchange::allowed(
        request.encryption_type,
        config.require_quantum_resistant_key_exchange,
    )?;
    check_shape(request)?;
    // The SDK verifies LEGACY on any message type, but no SDK version signs a key request
    // that way, and the legacy payload reads the protobuf body as lossy UTF-8: bytes that are
    // not UTF-8 all become U+FFFD, so many different requests share one signature.
    if msg.signature_type == SignatureType::EcdsaSecp256k1Legacy {
        return Err(Error::UnsupportedSignatureType(
            "ECDSA_SECP256K1_LEGACY signatures are refused on key requests".into(),
        ));
    }
    exchange::check_key_size(
        request.encryption_type,
        &request.public_key,
        config.min_rsa_key_bits,
    )
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
