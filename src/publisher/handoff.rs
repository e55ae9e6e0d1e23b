//! The eager hand-off of group keys to key custodians (docs/custodian.md): so that a key
//! reaches a custodian before the publisher leaves, every new key (the first, a rotation's, a
//! rekey's, the latest one restored) is sent to each custodian named in
//! [`super::PublisherConfig::custodians`], before the first message that uses or carries it
//! (or at once with [`Publisher::flush_hand_off`], which `close()` calls).
//!
//! A hand-off is an ordinary `GroupKeyResponse` on the stream partition, signed by this
//! publisher, addressed to the custodian's id, the keys wrapped for its ML-KEM-1024 key: other
//! parties ignore a response not addressed to them, and only the custodian can unwrap it.

use crate::cipher::GroupKey;
use crate::custodian::identity::custodian_id;
use crate::error::Result;
use crate::exchange;
use crate::host::{Event, Output, Question};
use crate::random;
use crate::user_id::UserId;
use crate::wire::{
    AsymmetricEncryptionType, Body, EncryptedGroupKey, GroupKeyResponse, MessageId, StreamMessage,
    format,
};

use super::{Publisher, Purpose};

impl Publisher {
    /// Queues `key` for the custodians (if any are named).
    pub(super) fn queue_hand_off(&mut self, key: &GroupKey) {
        if !self.config.custodians.is_empty() && !self.hand_off.iter().any(|k| k.id() == key.id()) {
            self.hand_off.push(key.clone());
        }
    }

    /// Sends every queued key to every custodian now (signed here, or after a `sign` question).
    pub fn flush_hand_off(&mut self, now_ms: u64) {
        if self.hand_off.is_empty() {
            return;
        }
        let keys = std::mem::take(&mut self.hand_off);
        let custodians = self.config.custodians.clone();
        for chunk in keys.chunks(format::MAX_KEY_IDS) {
            for public_key in &custodians {
                if let Err(e) = self.hand_off_to(public_key, chunk, now_ms) {
                    self.event(Event::Error {
                        code: e.code(),
                        message: format!("key hand-off to a custodian failed: {e}"),
                        message_ref: None,
                    });
                }
            }
        }
    }

    /// Keys queued for the custodians and not sent yet.
    pub fn pending_hand_offs(&self) -> usize {
        self.hand_off.len()
    }

    fn hand_off_to(&mut self, public_key: &[u8], keys: &[GroupKey], now_ms: u64) -> Result<()> {
        let custodian: UserId = custodian_id(public_key)?;
        let mut group_keys = Vec::with_capacity(keys.len());
        for key in keys {
            group_keys.push(EncryptedGroupKey {
                id: key.id().to_owned(),
                data: exchange::wrap_group_key(key, AsymmetricEncryptionType::MlKem, public_key)?,
            });
        }
        let key_ids: Vec<String> = keys.iter().map(|k| k.id().to_owned()).collect();
        let mut message = StreamMessage {
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
            body: Body::KeyResponse(GroupKeyResponse {
                request_id: random::uuid_v4(self.entropy.as_mut())?,
                recipient_id: custodian.clone(),
                group_keys,
                encryption_type: AsymmetricEncryptionType::MlKem,
            }),
        };
        match self.signing.local_now() {
            Some(signer) => {
                message.signature = signer.sign(&message.signature_payload())?;
                self.outputs.push_back(Output::Send {
                    bytes: message.to_bytes(),
                    publish: None,
                });
                self.event(Event::KeyRequestAnswered {
                    requester: custodian,
                    key_ids,
                });
            }
            None => {
                let payload = message.signature_payload();
                self.ask(
                    Purpose::ResponseSignature(Box::new(message), custodian, key_ids),
                    Question::Sign { payload },
                );
            }
        }
        Ok(())
    }
}
