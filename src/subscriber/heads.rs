//! Each chain's head, in chain order: the publisher must hold PUBLISH, the key must not be
//! one the chain has left, then the content is decrypted and must decode (JSON that parses)
//! before anything is delivered or learned. Content that does not decode under a key that
//! did not come by key exchange means that key is wrong (planted by a relabelled rotation
//! or in the store): it is forgotten and fetched again by key exchange, and the message
//! waits for it. Under a key from key exchange (authentic: id and bytes signed together) it
//! means the message was relabelled: dropped. A rotated key is learned only from a message
//! that decoded, under its chain's current or announced key; keys are never overwritten.

use super::fetch::{FetchKey, Source};
use super::keys::Origin;
use super::standing::Standing;
use super::trail::{KeyTrail, Position};
use super::{ChainKey, Subscriber, locate};
use crate::cipher::GroupKey;
use crate::content;
use crate::error::ErrorCode;
use crate::host::{Delivery, Output};
use crate::wire::{Body, ContentMessage, EncryptionType};

use super::chains::Held;

/// What to do with a chain's head.
pub(super) enum Step {
    Deliver(Opened),
    Fail(ErrorCode, &'static str),
}

/// Decrypted content that decoded.
pub(super) struct Opened {
    plaintext: Vec<u8>,
    key_id: Option<String>,
    /// The rotated key to learn, if the message may teach one.
    next: Option<GroupKey>,
}

/// Why content did not open.
enum Problem {
    Drop(ErrorCode, &'static str),
    /// Does not decode under a key that did not come by key exchange.
    WrongKey,
}

impl Subscriber {
    /// One pass over the chain heads; `true` if anything was delivered or dropped.
    pub(super) fn process_heads(&mut self, now_ms: u64) -> bool {
        let mut moved = false;
        for chain in self.chains.keys_with_head() {
            while let Some(step) = self.head_step(&chain, now_ms) {
                moved = true;
                if let Some(held) = self.chains.pop_head(&chain) {
                    self.finish(&chain, held, step);
                }
            }
        }
        moved
    }

    /// What to do with a chain's head: `None` to wait.
    fn head_step(&mut self, chain: &ChainKey, now_ms: u64) -> Option<Step> {
        let (encryption, key_id) = {
            let content = self.chains.head(chain)?.msg.content()?;
            (content.encryption_type, content.group_key_id.clone())
        };
        let publisher = chain.0.clone();
        let aes = encryption == EncryptionType::Aes;
        let fetch: FetchKey = (publisher.clone(), key_id.unwrap_or_default());
        let have_key = aes && self.keys.contains(&fetch);
        // Every message that waited for a key that never came fails together.
        if aes && !have_key && self.expired.contains(&fetch) {
            return Some(Step::Fail(
                ErrorCode::KeyRequestTimeout,
                "no key arrived in time; message dropped",
            ));
        }
        match self.standing(&publisher, now_ms) {
            Standing::Waiting => return None,
            Standing::Denied => {
                return Some(Step::Fail(
                    ErrorCode::PermissionDenied,
                    "publisher has no PUBLISH permission",
                ));
            }
            Standing::Allowed => {}
        }
        if aes
            && self
                .chains
                .trail(chain)
                .is_some_and(|t| t.position(&fetch.1) == Position::Left)
        {
            return Some(Step::Fail(
                ErrorCode::MalformedMessage,
                "the message names a key its chain has already left (a relabelled groupKeyId)",
            ));
        }
        // `encryptionType` is not signed: NONE in a chain that was encrypted is a downgrade
        // in transit (ciphertext must never be delivered as plaintext, docs/wire.md §13).
        if !aes && (self.config.require_encryption || self.encrypted_chains.contains(chain)) {
            return Some(Step::Fail(
                ErrorCode::EncryptionPolicyViolation,
                "unencrypted content where encryption is expected; message dropped",
            ));
        }
        if self
            .chains
            .head(chain)
            .is_some_and(|h| self.signatures.contains(&publisher, &h.msg.signature))
        {
            return Some(Step::Fail(
                ErrorCode::ReplayedMessage,
                "this signature was already accepted on another message",
            ));
        }
        if aes && !have_key {
            return self.fetch_missing(fetch, now_ms);
        }
        let opened = {
            let content = self.chains.head(chain)?.msg.content()?;
            // Present (checked above); never open AES content as if it were plaintext.
            let key = if aes {
                Some(self.keys.get(&fetch)?)
            } else {
                None
            };
            open(content, key, self.chains.trail(chain))
        };
        match opened {
            Ok(opened) => Some(Step::Deliver(opened)),
            Err(Problem::Drop(code, text)) => Some(Step::Fail(code, text)),
            Err(Problem::WrongKey) => {
                let where_ = self.chains.head(chain).map(|h| locate(&h.msg));
                self.error(
                    ErrorCode::InvalidMessageContent,
                    format!(
                        "content does not decode under the key {} (from a rotation or the \
                         key store); fetching it again by key exchange",
                        fetch.1
                    ),
                    where_,
                );
                self.keys.forget_and_distrust(&fetch);
                self.start_fetch(fetch, now_ms, Source::ExchangeReplacing)
            }
        }
    }

    fn finish(&mut self, chain: &ChainKey, held: Held, step: Step) {
        let msg = held.msg;
        let where_ = Some(locate(&msg));
        let publisher = msg.id.publisher_id.clone();
        let Body::Content(content) = msg.body else {
            return;
        };
        let opened = match step {
            Step::Fail(code, text) => {
                if matches!(code, ErrorCode::KeyRequestTimeout | ErrorCode::DecryptError) {
                    // The answer may have changed since; ask again next time (SDK behaviour).
                    // Not for content that does not decode: a relabelled message (anyone can
                    // make one) must not cost a registry call.
                    self.forget_publisher(&publisher);
                }
                self.drop_message(code, text.into(), where_);
                return;
            }
            Step::Deliver(opened) => opened,
        };
        if !self.signatures.insert(&publisher, &msg.signature) {
            self.drop_message(
                ErrorCode::ReplayedMessage,
                "this signature was already accepted on another message".into(),
                where_,
            );
            return;
        }
        let next_id = opened.next.as_ref().map(|k| k.id().to_owned());
        if let Some(next) = opened.next {
            let slot = (publisher.clone(), next.id().to_owned());
            if self.keys.insert(slot, next.clone(), Origin::Rotation) {
                self.stats.keys_learned += 1;
                self.outputs.push_back(Output::StoreKey {
                    publisher: publisher.clone(),
                    key: next,
                    stream_id: self.config.stream_id.clone(),
                    latest: false,
                    replace: false,
                });
            }
        }
        if let Some(key_id) = &opened.key_id {
            if let Some(trail) = self.chains.trail_mut(chain) {
                trail.advance(key_id, next_id.as_deref());
            }
            // Bounded like the chains: past the bound, forget (fail open, as before).
            if self.encrypted_chains.len() >= self.config.max_chains.max(1) {
                self.encrypted_chains.clear();
            }
            self.encrypted_chains.insert(chain.clone());
        }
        self.stats.delivered += 1;
        let reference = msg.id.reference();
        self.outputs.push_back(Output::Deliver(Delivery {
            publisher_id: msg.id.publisher_id,
            msg_chain_id: msg.id.msg_chain_id,
            reference,
            content_type: content.content_type,
            content: opened.plaintext,
            group_key_id: opened.key_id,
        }));
    }
}

/// Decrypts and decodes a head's content, and decides whether its `newGroupKey` is learned.
fn open(
    content: &ContentMessage,
    key: Option<&(GroupKey, Origin)>,
    trail: Option<&KeyTrail>,
) -> Result<Opened, Problem> {
    let Some((key, origin)) = key else {
        content::check(content.content_type, &content.content).map_err(|_| {
            Problem::Drop(ErrorCode::InvalidMessageContent, "content does not decode")
        })?;
        return Ok(Opened {
            plaintext: content.content.clone(),
            key_id: None,
            next: None,
        });
    };
    // The rotation's ids are in clear: check them before any decryption.
    let learn = match (&content.new_group_key, trail) {
        (Some(next), Some(trail)) => trail
            .may_announce(key.id(), &next.id)
            .map_err(|r| Problem::Drop(ErrorCode::MalformedMessage, r.text()))?,
        _ => false,
    };
    let plaintext = key
        .decrypt(&content.content)
        .map_err(|_| Problem::Drop(ErrorCode::DecryptError, "decryption failed"))?;
    if content::check(content.content_type, &plaintext).is_err() {
        return Err(if *origin == Origin::Exchange {
            Problem::Drop(
                ErrorCode::InvalidMessageContent,
                "content does not decode under its key (a relabelled groupKeyId); message dropped",
            )
        } else {
            Problem::WrongKey
        });
    }
    let next = match &content.new_group_key {
        None => None,
        Some(encrypted) => {
            // Decoded even when not learned: a message that raised an error is not delivered.
            let next = key.decrypt_next(encrypted).map_err(|_| {
                Problem::Drop(ErrorCode::MalformedMessage, "newGroupKey does not decode")
            })?;
            learn.then_some(next)
        }
    };
    Ok(Opened {
        plaintext,
        key_id: Some(key.id().to_owned()),
        next,
    })
}
