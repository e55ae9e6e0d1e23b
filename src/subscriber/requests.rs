//! Fetching a missing key: first the host's key store (one `loadKey` per key, bound to this
//! stream), then key requests to the publisher. A fetch starts only for a verified message of
//! a publisher that holds PUBLISH, and fetches are bounded (`max_key_fetches`), loads
//! included. A key whose stored copy failed to decode content skips the store.

use super::fetch::{FetchKey, Source, Want};
use super::heads::Step;
use super::keys::Origin;
use super::{Purpose, Subscriber};
use crate::cipher::GroupKey;
use crate::error::{ErrorCode, Result};
use crate::host::{Answer, Event, Output, Question, QuestionId};
use crate::random;
use crate::wire::{Body, GroupKeyRequest, MessageId, StreamMessage};

impl Subscriber {
    /// Starts fetching `fetch` for a chain head that needs it: `None` to wait for it, or the
    /// head's failure if no fetch may start.
    pub(super) fn fetch_missing(&mut self, fetch: FetchKey, now_ms: u64) -> Option<Step> {
        let source = if self.keys.is_distrusted(&fetch) {
            Source::ExchangeReplacing
        } else {
            Source::StoreFirst
        };
        self.start_fetch(fetch, now_ms, source)
    }

    pub(super) fn start_fetch(
        &mut self,
        fetch: FetchKey,
        now_ms: u64,
        source: Source,
    ) -> Option<Step> {
        match self.fetches.want(fetch.clone(), now_ms, source) {
            Want::Underway | Want::Request => None,
            Want::Refused => Some(Step::Fail(
                ErrorCode::Overloaded,
                "too many keys are being fetched; message dropped",
            )),
            Want::Load => {
                let question = Question::LoadKey {
                    stream_id: self.config.stream_id.clone(),
                    publisher: fetch.0.clone(),
                    key_id: fetch.1.clone(),
                };
                let id = self.ask(Purpose::Load(fetch.clone()), question);
                self.fetches.loading(&fetch, id);
                None
            }
        }
    }

    /// The store's answer: the key, or on to key requests.
    pub(super) fn on_loaded(&mut self, fetch: FetchKey, id: QuestionId, answer: Answer) {
        if !self.fetches.awaits_load(&fetch, id) {
            return; // the fetch ended meanwhile (timed out, or the key came another way)
        }
        if let Answer::StoredKey(Some(bytes)) = answer
            && !self.keys.is_distrusted(&fetch)
        {
            match GroupKey::new(fetch.1.clone(), &bytes) {
                Ok(key) => {
                    self.fetches.complete(&fetch);
                    self.keys.insert(fetch, key, Origin::Stored);
                    return;
                }
                Err(e) => self.error(
                    e.code(),
                    format!("the key store's copy of {} is unusable: {e}", fetch.1),
                    None,
                ),
            }
        }
        self.fetches.load_missed(&fetch);
    }

    pub(super) fn send_due_requests(&mut self, now_ms: u64) {
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
        match self.signing.local_now() {
            Some(signer) => {
                msg.signature = signer.sign(&msg.signature_payload())?;
                self.outputs.push_back(Output::Send {
                    bytes: msg.to_bytes(),
                    publish: None,
                });
            }
            None => {
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

    /// The wallet's signature on a key request.
    pub(super) fn on_request_signed(&mut self, mut msg: StreamMessage, answer: Answer) {
        match answer {
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
        }
    }
}
