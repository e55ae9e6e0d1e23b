//! What every arriving content message goes through before it may touch any state, cheapest
//! first: the id forms and bounds of `format::check` and the clock (so a re-split forgery is
//! refused whatever it says), the shape of a rotated key, the signature policy, the signature
//! itself, then duplicates and replays (a signature already accepted, whatever fields now
//! surround it). Verified messages enter their chain; ERC-1271 ones wait in `unverified`
//! for their publisher's PUBLISH answer and then their contract's verdict.

use super::standing::Standing;
use super::unverified::Refusal;
use super::{ChainKey, Purpose, Subscriber, locate};
use crate::cipher::ENCRYPTED_NEXT_KEY_LEN;
use crate::error::{Error, ErrorCode, Result};
use crate::host::Answer;
use crate::identity::evm::ADDRESS_LEN;
use crate::identity::{self, HostCheck};
use crate::wire::format;
use crate::wire::{Body, EncryptionType, SignatureType, StreamMessage};

use super::chains::{Arrival, Held};

impl Subscriber {
    /// The checks content and key responses share: id forms and bounds, then the clock.
    pub(super) fn check_shape_and_clock(&self, msg: &StreamMessage) -> Result<()> {
        format::check(msg, self.config.formats)?;
        let latest = self.now_ms.saturating_add(self.config.max_clock_skew_ms);
        if msg.id.timestamp > latest {
            return Err(Error::Policy {
                code: ErrorCode::TimestampOutOfRange,
                message: format!(
                    "timestamp {} is more than {} ms ahead of the clock ({})",
                    msg.id.timestamp, self.config.max_clock_skew_ms, self.now_ms
                ),
            });
        }
        Ok(())
    }

    /// A content message. `vouched` is the EVM signer a pool worker recovered from exactly
    /// these bytes, its tag already checked (`pooled.rs`): it replaces the recovery itself,
    /// never any other check.
    pub(super) fn on_content(
        &mut self,
        msg: StreamMessage,
        now_ms: u64,
        vouched: Option<[u8; ADDRESS_LEN]>,
    ) {
        let where_ = Some(locate(&msg));
        if let Err(e) = self
            .check_shape_and_clock(&msg)
            .and_then(|()| check_rotated_key(&msg))
        {
            self.drop_message(e.code(), e.to_string(), where_);
            return;
        }
        if self.config.require_quantum_resistant_signatures
            && msg.signature_type != SignatureType::MlDsa87
        {
            self.drop_message(
                ErrorCode::SignaturePolicyViolation,
                "only ML-DSA-87 signatures are accepted".into(),
                where_,
            );
            return;
        }
        // ERC-1271 and (without the feature `p256`) P-256 signatures wait for the host.
        let erc1271 = match vouched {
            Some(address) if msg.signature_type == SignatureType::EcdsaSecp256k1Evm => {
                self.pooled.accepted += 1;
                if msg.id.publisher_id.as_bytes() != address.as_slice() {
                    self.drop_message(
                        ErrorCode::InvalidSignature,
                        "invalid signature: signed by a different address".into(),
                        where_,
                    );
                    return;
                }
                false
            }
            _ => match identity::verify_message(&msg) {
                Ok(v) => v.needs_host(),
                Err(e) => {
                    self.drop_message(e.code(), e.to_string(), where_);
                    return;
                }
            },
        };
        if self.chains.is_duplicate(&msg) {
            self.stats.duplicates += 1;
            return;
        }
        if self
            .signatures
            .contains(&msg.id.publisher_id, &msg.signature)
        {
            self.drop_message(
                ErrorCode::ReplayedMessage,
                "this signature was already accepted on another message".into(),
                where_,
            );
            return;
        }
        if !erc1271 {
            self.admit_verified(msg, now_ms);
            return;
        }
        let id = self.next_id();
        match self.unverified.admit(id, msg) {
            Ok(()) => {}
            Err(Refusal::Duplicate) => self.stats.duplicates += 1,
            Err(Refusal::Full) => self.drop_message(
                ErrorCode::Overloaded,
                "too many messages wait for their signature checks; this one was dropped".into(),
                where_,
            ),
        }
    }

    /// A verified message enters its chain.
    fn admit_verified(&mut self, msg: StreamMessage, now_ms: u64) {
        let where_ = Some(locate(&msg));
        match self.chains.arrive(Held { msg }, now_ms) {
            Arrival::Accepted => {}
            Arrival::Duplicate => self.stats.duplicates += 1,
            Arrival::Overflow => self.drop_message(
                ErrorCode::BufferOverflow,
                "too many messages held; this one was dropped".into(),
                where_,
            ),
        }
    }

    /// Moves ERC-1271 messages on: PUBLISH first (cached; a publisher without it costs no
    /// contract call), then the contract; verified ones enter their chains in arrival order.
    pub(super) fn check_unverified(&mut self, now_ms: u64) {
        for publisher in self.unverified.awaiting_permission() {
            match self.standing(&publisher, now_ms) {
                Standing::Waiting => {}
                Standing::Denied => {
                    for msg in self.unverified.denied(&publisher) {
                        self.drop_message(
                            ErrorCode::PermissionDenied,
                            "publisher has no PUBLISH permission".into(),
                            Some(locate(&msg)),
                        );
                    }
                }
                Standing::Allowed => {
                    for (chain, id, msg) in self.unverified.permitted(&publisher) {
                        self.ask_contract(chain, id, &msg);
                    }
                }
            }
        }
        for msg in self.unverified.take_ready() {
            self.admit_verified(msg, now_ms);
        }
    }

    fn ask_contract(&mut self, chain: ChainKey, id: u64, msg: &StreamMessage) {
        let question = identity::verify_message(msg)
            .ok()
            .and_then(|v| self.permissions.signature_question(v));
        if let Some((check, question)) = question {
            self.ask(Purpose::ContentErc1271(chain, id, check), question);
        } else {
            // Only messages that need the host wait here; anything else is refused.
            self.unverified.verdict(&chain, id, false);
        }
    }

    /// The contract's (or the host's P-256) verdict on a waiting message.
    pub(super) fn on_content_erc1271(
        &mut self,
        chain: &ChainKey,
        id: u64,
        check: HostCheck,
        answer: Answer,
    ) {
        let verdict = self.permissions.signature_valid(check, answer);
        let rejected = match check {
            HostCheck::Erc1271 => "the ERC-1271 contract rejected the signature",
            HostCheck::P256 => "the P-256 signature does not verify",
        };
        let valid = verdict == Ok(true);
        let Some(msg) = self.unverified.verdict(chain, id, valid) else {
            return;
        };
        let where_ = Some(locate(msg));
        match verdict {
            Ok(true) => {}
            Ok(false) => self.drop_message(ErrorCode::InvalidSignature, rejected.into(), where_),
            Err((code, reason)) => self.drop_message(
                code,
                format!("the signature could not be checked: {reason}"),
                where_,
            ),
        }
    }
}

/// A rotated key travels only in encrypted content, as 48 bytes (iv ‖ the key under the
/// current key). Anything else is a message whose tail was moved into a fake `newGroupKey`
/// (the signature payload does not separate the fields).
fn check_rotated_key(msg: &StreamMessage) -> Result<()> {
    let Body::Content(content) = &msg.body else {
        return Ok(());
    };
    let Some(next) = &content.new_group_key else {
        return Ok(());
    };
    if content.encryption_type == EncryptionType::None {
        return Err(Error::malformed("newGroupKey on unencrypted content"));
    }
    if next.data.len() != ENCRYPTED_NEXT_KEY_LEN {
        return Err(Error::malformed(format!(
            "newGroupKey does not decode: {} bytes, a rotated key has {ENCRYPTED_NEXT_KEY_LEN}",
            next.data.len()
        )));
    }
    Ok(())
}
