//! ERC-1271-signed content waiting for its checks: first the publisher's PUBLISH permission
//! (cached, and free for a publisher already known), then the contract's verdict (an
//! `eth_call`). Until both pass, a message stays here, outside the chains: nothing it says
//! (its timestamp, its place in the chain) changes chain state, so a forgery cannot make a
//! chain skip genuine messages. The queue is bounded overall and per publisher, and a copy
//! of a message already waiting costs nothing more.
//!
//! Messages of one chain leave in the order they arrived, whatever order the answers come
//! in, so the chain sees them as the network delivered them.

use std::collections::{HashMap, VecDeque};

use super::chains::ChainKey;
use crate::user_id::UserId;
use crate::wire::StreamMessage;

/// Where a waiting message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum State {
    /// Its publisher's PUBLISH answer is awaited.
    AwaitingPermission,
    /// The contract's answer is awaited.
    AwaitingContract,
    /// Valid: leaves for its chain when the messages before it have left.
    Verified,
    /// Invalid: discarded when it reaches the front.
    Rejected,
}

struct Entry {
    id: u64,
    msg: StreamMessage,
    state: State,
}

/// Why a message was not queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The same message (publisher and signature) already waits.
    Duplicate,
    /// No room (overall or for this publisher).
    Full,
}

/// The waiting messages, by chain.
pub(super) struct Unverified {
    chains: HashMap<ChainKey, VecDeque<Entry>>,
    per_publisher: HashMap<UserId, usize>,
    total: usize,
    max_total: usize,
    max_per_publisher: usize,
}

impl Unverified {
    pub(super) fn new(max_total: usize, max_per_publisher: usize) -> Self {
        Unverified {
            chains: HashMap::new(),
            per_publisher: HashMap::new(),
            total: 0,
            max_total,
            max_per_publisher,
        }
    }

    /// Messages waiting.
    pub(super) fn len(&self) -> usize {
        self.total
    }

    /// Half full, overall or for one publisher: past this the host should hold its input until
    /// answers drain the queue, so that a burst waits instead of being dropped at the bound.
    pub(super) fn half_full(&self) -> bool {
        self.total.saturating_mul(2) >= self.max_total
            || self
                .per_publisher
                .values()
                .any(|n| n.saturating_mul(2) >= self.max_per_publisher)
    }

    /// Queues `msg` under `id`, waiting for its publisher's PUBLISH answer.
    pub(super) fn admit(&mut self, id: u64, msg: StreamMessage) -> Result<(), Refusal> {
        let chain: ChainKey = (msg.id.publisher_id.clone(), msg.id.msg_chain_id.clone());
        let publisher = &msg.id.publisher_id;
        let same = |e: &Entry| e.msg.signature == msg.signature;
        if self
            .chains
            .values()
            .flatten()
            .any(|e| &e.msg.id.publisher_id == publisher && same(e))
        {
            return Err(Refusal::Duplicate);
        }
        let of_publisher = self.per_publisher.get(publisher).copied().unwrap_or(0);
        if self.total >= self.max_total || of_publisher >= self.max_per_publisher {
            return Err(Refusal::Full);
        }
        self.per_publisher
            .insert(publisher.clone(), of_publisher.saturating_add(1));
        self.total += 1;
        self.chains.entry(chain).or_default().push_back(Entry {
            id,
            msg,
            state: State::AwaitingPermission,
        });
        Ok(())
    }

    /// Publishers with messages waiting for a PUBLISH answer.
    pub(super) fn awaiting_permission(&self) -> Vec<UserId> {
        let mut out: Vec<UserId> = Vec::new();
        for e in self.chains.values().flatten() {
            if e.state == State::AwaitingPermission && !out.contains(&e.msg.id.publisher_id) {
                out.push(e.msg.id.publisher_id.clone());
            }
        }
        out
    }

    /// `publisher` may publish: its messages move on to the contract check. Returns them
    /// (chain, id, message) so the caller can ask the contract about each.
    pub(super) fn permitted(&mut self, publisher: &UserId) -> Vec<(ChainKey, u64, StreamMessage)> {
        let mut out = Vec::new();
        for (chain, entries) in &mut self.chains {
            if &chain.0 != publisher {
                continue;
            }
            for e in entries.iter_mut() {
                if e.state == State::AwaitingPermission {
                    e.state = State::AwaitingContract;
                    out.push((chain.clone(), e.id, e.msg.clone()));
                }
            }
        }
        out
    }

    /// `publisher` may not publish: its waiting messages are removed and returned.
    pub(super) fn denied(&mut self, publisher: &UserId) -> Vec<StreamMessage> {
        let mut out = Vec::new();
        for (chain, entries) in &mut self.chains {
            if &chain.0 != publisher {
                continue;
            }
            out.extend(entries.drain(..).map(|e| e.msg));
        }
        self.chains.retain(|_, e| !e.is_empty());
        self.total = self.total.saturating_sub(out.len());
        self.per_publisher.remove(publisher);
        out
    }

    /// The contract's verdict on message `id` of `chain`. Returns the message if found.
    pub(super) fn verdict(
        &mut self,
        chain: &ChainKey,
        id: u64,
        valid: bool,
    ) -> Option<&StreamMessage> {
        let e = self
            .chains
            .get_mut(chain)?
            .iter_mut()
            .find(|e| e.id == id)?;
        if e.state != State::AwaitingContract {
            return None;
        }
        e.state = if valid {
            State::Verified
        } else {
            State::Rejected
        };
        Some(&e.msg)
    }

    /// Takes the verified messages that may leave (in arrival order within each chain), and
    /// discards rejected ones at the front.
    pub(super) fn take_ready(&mut self) -> Vec<StreamMessage> {
        let mut out = Vec::new();
        let mut left: Vec<UserId> = Vec::new();
        for entries in self.chains.values_mut() {
            while let Some(front) = entries.front() {
                if !matches!(front.state, State::Verified | State::Rejected) {
                    break;
                }
                let Some(e) = entries.pop_front() else { break };
                left.push(e.msg.id.publisher_id.clone());
                if e.state == State::Verified {
                    out.push(e.msg);
                }
            }
        }
        self.chains.retain(|_, e| !e.is_empty());
        self.total = self.total.saturating_sub(left.len());
        for publisher in left {
            if let Some(n) = self.per_publisher.get_mut(&publisher) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.per_publisher.remove(&publisher);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{
        Body, ContentMessage, ContentType, EncryptionType, MessageId, SignatureType,
    };

    fn msg(publisher: u8, chain: &str, ts: u64) -> StreamMessage {
        StreamMessage {
            id: MessageId {
                stream_id: "s".into(),
                partition: 0,
                timestamp: ts,
                sequence_number: 0,
                publisher_id: UserId::from([publisher; 20]),
                msg_chain_id: chain.into(),
            },
            prev: None,
            signature: format!("{publisher}{chain}{ts}").into_bytes(),
            signature_type: SignatureType::Erc1271,
            body: Body::Content(ContentMessage {
                content: vec![],
                content_type: ContentType::Binary,
                encryption_type: EncryptionType::None,
                group_key_id: None,
                new_group_key: None,
            }),
        }
    }

    fn chain(publisher: u8, chain: &str) -> ChainKey {
        (UserId::from([publisher; 20]), chain.into())
    }

    #[test]
    fn bounded_and_deduplicated() {
        let mut q = Unverified::new(3, 2);
        assert_eq!(q.admit(1, msg(1, "a", 1)), Ok(()));
        assert_eq!(q.admit(2, msg(1, "a", 1)), Err(Refusal::Duplicate));
        assert_eq!(q.admit(3, msg(1, "a", 2)), Ok(()));
        assert_eq!(
            q.admit(4, msg(1, "b", 1)),
            Err(Refusal::Full),
            "per publisher"
        );
        assert_eq!(q.admit(5, msg(2, "a", 1)), Ok(()));
        assert_eq!(q.admit(6, msg(3, "a", 1)), Err(Refusal::Full), "overall");
        assert_eq!(q.len(), 3);
        assert_eq!(q.denied(&UserId::from([1; 20])).len(), 2);
        assert_eq!(q.len(), 1);
        assert_eq!(q.admit(7, msg(1, "b", 1)), Ok(()));
    }

    #[test]
    fn half_full_overall_or_per_publisher() {
        let mut q = Unverified::new(8, 4);
        q.admit(1, msg(1, "a", 1)).unwrap();
        assert!(!q.half_full());
        q.admit(2, msg(1, "a", 2)).unwrap();
        assert!(q.half_full(), "one publisher at half its bound");
        assert_eq!(q.denied(&UserId::from([1; 20])).len(), 2);
        assert!(!q.half_full(), "drained");
        for p in 1..=4 {
            assert!(!q.half_full());
            q.admit(u64::from(p), msg(p, "a", 1)).unwrap();
        }
        assert!(q.half_full(), "half the overall bound");
    }

    #[test]
    fn leaves_in_arrival_order() {
        let mut q = Unverified::new(10, 10);
        for (id, ts) in [(1, 1), (2, 2), (3, 3)] {
            q.admit(id, msg(1, "a", ts)).unwrap();
        }
        assert_eq!(q.awaiting_permission(), vec![UserId::from([1; 20])]);
        assert_eq!(q.permitted(&UserId::from([1; 20])).len(), 3);
        assert!(q.awaiting_permission().is_empty());
        assert!(q.verdict(&chain(1, "a"), 3, true).is_some());
        assert!(q.take_ready().is_empty(), "1 and 2 first");
        q.verdict(&chain(1, "a"), 2, false);
        assert!(q.take_ready().is_empty());
        q.verdict(&chain(1, "a"), 1, true);
        let ts: Vec<u64> = q.take_ready().iter().map(|m| m.id.timestamp).collect();
        assert_eq!(ts, [1, 3]);
        assert_eq!(q.len(), 0);
        assert!(q.verdict(&chain(1, "a"), 1, true).is_none(), "gone");
    }
}
