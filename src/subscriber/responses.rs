//! Key responses addressed to this subscriber. A response is taken only for an open request,
//! from the publisher it was asked of, with the id forms and clock checks of content, never
//! with a LEGACY signature, and never twice (its signature is remembered: a response re-split
//! into content, or replayed, is refused). The responder must hold PUBLISH and its
//! signature must verify (ERC-1271: the contract's verdict) before the key is unwrapped.

use super::fetch::FetchKey;
use super::keys::Origin;
use super::standing::Standing;
use super::{Purpose, Subscriber};
use crate::cipher::GroupKey;
use crate::error::ErrorCode;
use crate::host::{Answer, Output, Question};
use crate::identity::{self, HostCheck};
use crate::user_id::UserId;
use crate::wire::{Body, EncryptedGroupKey, SignatureType, StreamMessage};

use super::KeyExchange;

/// Most responses parked (waiting for a permission or ERC-1271 answer) at once. Requests are
/// broadcast, so their ids are public: without a bound, fake ERC-1271 responses could make
/// the host run unlimited contract calls.
const MAX_PARKED_RESPONSES: usize = 64;

/// A response waiting for its checks.
pub(super) struct Parked {
    fetch: FetchKey,
    key: EncryptedGroupKey,
    signer: UserId,
    signature: Vec<u8>,
    awaiting_erc1271: bool,
}

impl Subscriber {
    pub(super) fn on_response(&mut self, msg: StreamMessage, now_ms: u64) {
        let Body::KeyResponse(response) = &msg.body else {
            return;
        };
        // Responses to others, to requests we never made, or to requests already served
        // (replays) are ignored, as in the SDK.
        if response.recipient_id != self.my_id {
            return;
        }
        if let Err(e) = self.check_shape_and_clock(&msg) {
            self.error(e.code(), format!("key response: {e}"), None);
            return;
        }
        let Some(fetch) = self.fetches.by_request(&response.request_id).cloned() else {
            return;
        };
        // A custodian answering under its own identity is taken only if the app allows it
        // (`accept_custodian_responses`, SECURITY.md); it must hold PUBLISH, as the SDK asks.
        if msg.id.publisher_id != fetch.0 && !self.config.accept_custodian_responses {
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
        // No SDK version signs key exchange messages LEGACY, and the LEGACY payload of a
        // response decodes its protobuf body lossily as UTF-8: malleable, so refused here
        // (content may still be LEGACY-signed).
        if msg.signature_type == SignatureType::EcdsaSecp256k1Legacy {
            self.error(
                ErrorCode::InvalidSignature,
                "key response: LEGACY signatures are not accepted on key exchange messages".into(),
                None,
            );
            return;
        }
        if self
            .signatures
            .contains(&msg.id.publisher_id, &msg.signature)
        {
            self.error(
                ErrorCode::ReplayedMessage,
                "key response: this signature was already accepted".into(),
                None,
            );
            return;
        }
        // A forged response is reported and the fetch goes on: it must not cancel the real one.
        let erc1271 = match identity::verify_message(&msg) {
            Ok(v) => self.permissions.signature_question(v),
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
                signer: msg.id.publisher_id.clone(),
                signature: msg.signature.clone(),
                awaiting_erc1271: erc1271.is_some(),
            },
        );
        if let Some((check, q)) = erc1271 {
            self.ask(Purpose::ResponseErc1271(id, check), q);
        }
        self.try_parked(now_ms);
    }

    /// The contract's verdict on a parked response.
    pub(super) fn on_response_erc1271(
        &mut self,
        parked: u64,
        check: HostCheck,
        answer: Answer,
        now_ms: u64,
    ) {
        if self.permissions.signature_valid(check, answer) == Ok(true) {
            if let Some(p) = self.parked.get_mut(&parked) {
                p.awaiting_erc1271 = false;
            }
            self.try_parked(now_ms);
        } else if self.parked.remove(&parked).is_some() {
            self.error(
                ErrorCode::InvalidSignature,
                "key response: the signature was rejected (ERC-1271 contract or P-256 check)"
                    .into(),
                None,
            );
        }
    }

    /// Serves parked responses whose checks are done: the responder (the publisher asked, or a
    /// custodian) must hold PUBLISH. The key is stored under the publisher asked.
    pub(super) fn try_parked(&mut self, now_ms: u64) {
        let ids: Vec<u64> = self
            .parked
            .iter()
            .filter(|(_, p)| !p.awaiting_erc1271)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let Some(publisher) = self.parked.get(&id).map(|p| p.signer.clone()) else {
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
                    let Some(p) = self.parked.remove(&id) else {
                        continue;
                    };
                    if !self.fetches.contains(&p.fetch) {
                        continue;
                    }
                    if !self.signatures.insert(&p.signer, &p.signature) {
                        self.error(
                            ErrorCode::ReplayedMessage,
                            "key response: this signature was already accepted".into(),
                            None,
                        );
                        continue;
                    }
                    self.unwrap(p.fetch, p.key);
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

    /// The host's unwrap of a response.
    pub(super) fn on_unwrapped(&mut self, fetch: FetchKey, answer: Answer) {
        match answer {
            Answer::GroupKeyBytes(bytes) => match GroupKey::new(fetch.1.clone(), &bytes) {
                Ok(key) => self.key_arrived(fetch.0, key),
                Err(e) => self.error(e.code(), e.to_string(), None),
            },
            _ => self.error(ErrorCode::DecryptError, "key unwrap failed".into(), None),
        }
    }

    /// A key arrived by key exchange: authentic, held and stored (over a stored copy that
    /// failed to decode content, if that is why it was fetched).
    fn key_arrived(&mut self, publisher: UserId, key: GroupKey) {
        let slot = (publisher.clone(), key.id().to_owned());
        let replace = self.fetches.replaces(&slot) || self.keys.is_distrusted(&slot);
        self.fetches.complete(&slot);
        self.keys.trust(&slot);
        if self.keys.insert(slot, key.clone(), Origin::Exchange) {
            self.stats.keys_learned += 1;
            self.outputs.push_back(Output::StoreKey {
                publisher,
                key,
                stream_id: self.config.stream_id.clone(),
                latest: false,
                replace,
            });
        }
    }
}
