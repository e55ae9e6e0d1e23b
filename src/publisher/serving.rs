//! Serving a key request that passed every check: loading the keys this publisher does not
//! hold from the host's store, then building, signing and sending the response (docs/wire.md §7,
//! "Publisher", steps 4 and 5).
//!
//! The SDK looks each wanted key up by `(publisher, key id)` alone, so a subscriber of one
//! stream who copies a key id seen on another stream of the same publisher gets that key. Here
//! a key is served only if this publisher holds it (it made it, or the host restored it) or the
//! host's store has it **bound to this publisher's stream** ([`Question::LoadKey`]). The store is
//! asked only now, after the signature and both permissions were confirmed, so unchecked
//! requests cause no store reads.

use zeroize::Zeroizing;

use crate::cipher::GroupKey;
use crate::error::{ErrorCode, Result};
use crate::exchange::{self, RsaPublicKey};
use crate::host::{Answer, Event, Output, Question};
use crate::random;
use crate::user_id::UserId;
use crate::wire::{
    AsymmetricEncryptionType, Body, EncryptedGroupKey, GroupKeyResponse, MessageId, SignatureType,
    StreamMessage,
};

use super::requests::{Ready, Ticket};
use super::{Publisher, Purpose, failure_reason};

impl Publisher {
    /// Serves every request whose checks all passed: at once if this publisher holds every
    /// key it wants, otherwise once the missing keys were asked for and answered.
    pub(super) fn serve_passed_requests(&mut self, now_ms: u64) {
        while let Some((ticket, wanted)) = self.requests.take_passed() {
            let missing: Vec<String> = wanted
                .into_iter()
                .filter(|id| self.keys.get(id).is_none())
                .collect();
            if missing.is_empty() {
                self.respond(ticket, now_ms);
                continue;
            }
            // At most MAX_KEY_IDS_PER_REQUEST (16) loads: the ids were counted and deduplicated.
            self.requests.await_loads(ticket, missing.len());
            for key_id in missing {
                self.load(ticket, key_id);
            }
        }
    }

    /// Asks the host for `key_id` of this stream, or joins the same question already out.
    fn load(&mut self, ticket: Ticket, key_id: String) {
        if let Some(id) = self.loading.get(&key_id)
            && let Some(Purpose::LoadKey { tickets, .. }) = self.questions.get_mut(id)
        {
            tickets.push(ticket);
            return;
        }
        let question = Question::LoadKey {
            stream_id: self.config.stream_id.clone(),
            publisher: self.my_id.clone(),
            key_id: key_id.clone(),
        };
        let purpose = Purpose::LoadKey {
            key_id: key_id.clone(),
            tickets: vec![ticket],
        };
        let id = self.ask(purpose, question);
        self.loading.insert(key_id, id);
    }

    /// The host's answer to a [`Question::LoadKey`]: a key found is remembered (it is bound to
    /// this stream) and every request waiting for it moves on.
    pub(super) fn key_loaded(
        &mut self,
        key_id: String,
        tickets: Vec<Ticket>,
        answer: Answer,
        now_ms: u64,
    ) {
        self.loading.remove(&key_id);
        match answer {
            Answer::StoredKey(Some(bytes)) => {
                let bytes = Zeroizing::new(bytes);
                match GroupKey::new(key_id.clone(), &bytes) {
                    Ok(key) => self.keys.remember(key),
                    Err(_) => self.event(Event::Error {
                        code: ErrorCode::InvalidKey,
                        message: format!(
                            "the key store's key {key_id:?} is not a 32-byte group key; not served"
                        ),
                        message_ref: None,
                    }),
                }
            }
            Answer::StoredKey(None) => {}
            Answer::Failed { reason } => self.event(Event::Error {
                code: ErrorCode::KeyStoreUnavailable,
                message: format!("loading key {key_id:?} failed: {reason}; not served"),
                message_ref: None,
            }),
            other => self.event(Event::Error {
                code: ErrorCode::InvalidArgument,
                message: format!("unexpected answer to loadKey: {other:?}; not served"),
                message_ref: None,
            }),
        }
        for ticket in tickets {
            if self.requests.key_loaded(ticket) {
                self.respond(ticket, now_ms);
            }
        }
    }

    /// Builds the response with the wanted keys this publisher holds now and signs it (or asks
    /// the wallet to). With none of them, nothing is sent, as in the SDK.
    fn respond(&mut self, ticket: Ticket, now_ms: u64) {
        let Some(ready) = self.requests.finish(ticket) else {
            return;
        };
        // Each wanted key this publisher holds now, once (at most 16 clones).
        let mut keys: Vec<GroupKey> = Vec::new();
        for id in &ready.request.group_key_ids {
            if let Some(k) = self.keys.get(id)
                && !keys.iter().any(|held| held.id() == id)
            {
                keys.push(k.clone());
            }
        }
        if keys.is_empty() {
            return;
        }
        let request = &ready.request;
        if request.encryption_type == AsymmetricEncryptionType::Rsa && self.config.rsa_by_host {
            // Checked here, so the host gets DER it can import and the length to expect.
            match RsaPublicKey::from_pem(&request.public_key) {
                Ok(public_key) => {
                    let purpose = Purpose::WrapKeys {
                        key_ids: keys.iter().map(|k| k.id().to_owned()).collect(),
                        ciphertext_len: public_key.ciphertext_len(),
                        ready: Box::new(ready),
                    };
                    let question = Question::WrapGroupKeys {
                        public_key: public_key.to_der().to_vec(),
                        bits: public_key.bits(),
                        keys,
                    };
                    self.ask(purpose, question);
                }
                Err(e) => self.event(Event::KeyRequestDenied {
                    requester: ready.requester,
                    code: e.code(),
                    message: e.to_string(),
                }),
            }
            return;
        }
        let wrapped = keys
            .iter()
            .map(|key| {
                Ok(EncryptedGroupKey {
                    id: key.id().to_owned(),
                    data: exchange::wrap_group_key(
                        key,
                        request.encryption_type,
                        &request.public_key,
                    )?,
                })
            })
            .collect::<Result<Vec<_>>>();
        match wrapped {
            Ok(group_keys) => self.send_response(ready, group_keys, now_ms),
            Err(e) => self.event(Event::KeyRequestDenied {
                requester: ready.requester,
                code: e.code(),
                message: e.to_string(),
            }),
        }
    }

    /// The host's answer to a [`Question::WrapGroupKeys`]: one ciphertext of the key's length
    /// per key, or the request is denied (nothing is sent).
    pub(super) fn keys_wrapped(
        &mut self,
        ready: Ready,
        key_ids: Vec<String>,
        ciphertext_len: usize,
        answer: Answer,
        now_ms: u64,
    ) {
        let denied = |message: String| Event::KeyRequestDenied {
            requester: ready.requester.clone(),
            code: ErrorCode::InvalidKey,
            message,
        };
        match answer {
            Answer::WrappedGroupKeys(data)
                if data.len() == key_ids.len()
                    && data.iter().all(|d| d.len() == ciphertext_len) =>
            {
                let group_keys = key_ids
                    .into_iter()
                    .zip(data)
                    .map(|(id, data)| EncryptedGroupKey { id, data })
                    .collect();
                self.send_response(ready, group_keys, now_ms);
            }
            Answer::WrappedGroupKeys(data) => {
                let event = denied(format!(
                    "the host's RSA wrap gave {} ciphertexts for {} keys, or not {ciphertext_len} \
                     bytes each; not served",
                    data.len(),
                    key_ids.len()
                ));
                self.event(event);
            }
            other => {
                let event = denied(format!(
                    "the host's RSA wrap failed: {}; not served",
                    failure_reason(&other)
                ));
                self.event(event);
            }
        }
    }

    /// Builds, signs (or asks the wallet to sign) and sends the response carrying `group_keys`.
    fn send_response(&mut self, ready: Ready, group_keys: Vec<EncryptedGroupKey>, now_ms: u64) {
        let built = random::alphanumeric(self.entropy.as_mut(), 20).map(|chain_id| {
            let envelope = MessageId {
                stream_id: self.config.stream_id.clone(),
                partition: self.config.partition,
                timestamp: now_ms,
                sequence_number: 0,
                publisher_id: self.my_id.clone(),
                msg_chain_id: chain_id,
            };
            build_response(envelope, self.signing.signature_type(), &ready, group_keys)
        });
        let (mut message, key_ids) = match built {
            Ok(x) => x,
            Err(e) => {
                self.event(Event::KeyRequestDenied {
                    requester: ready.requester,
                    code: e.code(),
                    message: e.to_string(),
                });
                return;
            }
        };
        match self.signing.local_now() {
            Some(signer) => match signer.sign(&message.signature_payload()) {
                Ok(sig) => {
                    message.signature = sig;
                    self.outputs.push_back(Output::Send {
                        bytes: message.to_bytes(),
                        publish: None,
                    });
                    self.event(Event::KeyRequestAnswered {
                        requester: ready.requester,
                        key_ids,
                    });
                }
                Err(e) => self.event(Event::KeyRequestDenied {
                    requester: ready.requester,
                    code: ErrorCode::SignerError,
                    message: e.to_string(),
                }),
            },
            None => {
                let payload = message.signature_payload();
                self.ask(
                    Purpose::ResponseSignature(Box::new(message), ready.requester, key_ids),
                    Question::Sign { payload },
                );
            }
        }
    }

    /// The host's answer to the signature of a response.
    pub(super) fn response_signed(
        &mut self,
        mut message: StreamMessage,
        requester: UserId,
        key_ids: Vec<String>,
        answer: Answer,
    ) {
        match answer {
            Answer::Signature(sig) => {
                message.signature = sig;
                self.outputs.push_back(Output::Send {
                    bytes: message.to_bytes(),
                    publish: None,
                });
                self.event(Event::KeyRequestAnswered { requester, key_ids });
            }
            other => self.event(Event::KeyRequestDenied {
                requester,
                code: ErrorCode::SignerError,
                message: failure_reason(&other),
            }),
        }
    }
}

/// The response to be signed in `envelope`, carrying `group_keys` (wrapped for the requester).
fn build_response(
    envelope: MessageId,
    signature_type: SignatureType,
    ready: &Ready,
    group_keys: Vec<EncryptedGroupKey>,
) -> (StreamMessage, Vec<String>) {
    let request = &ready.request;
    let key_ids = group_keys.iter().map(|k| k.id.clone()).collect();
    let message = StreamMessage {
        id: envelope,
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
    (message, key_ids)
}
