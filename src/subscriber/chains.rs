//! Per-chain ordering: messages of one (publisher, message chain) are delivered in chain
//! order, duplicates are dropped, and a message that arrives before its predecessor waits
//! for it (up to a gap timeout). Only messages whose signature has been verified enter a
//! chain: what a message says about its place in the chain is signed, so only then may it
//! move the chain on. Each chain also keeps its [`KeyTrail`].

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::trail::KeyTrail;
use crate::user_id::UserId;
use crate::wire::{MessageRef, StreamMessage};

/// One chain's identity.
pub(super) type ChainKey = (UserId, String);

/// A verified message waiting in its chain.
#[derive(Debug)]
pub(super) struct Held {
    pub msg: StreamMessage,
}

impl Held {
    pub(super) fn reference(&self) -> MessageRef {
        self.msg.id.reference()
    }
}

/// What happened to an arriving message.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Arrival {
    /// Queued in order (or held for a missing predecessor).
    Accepted,
    /// Seen before, or older than what was already delivered.
    Duplicate,
    /// No room; dropped.
    Overflow,
}

#[derive(Default, Debug)]
struct Chain {
    last: Option<MessageRef>,
    queue: VecDeque<Held>,
    early: BTreeMap<MessageRef, Held>,
    gap_deadline: Option<u64>,
    trail: KeyTrail,
}

impl Chain {
    fn len(&self) -> usize {
        self.queue.len() + self.early.len()
    }

    /// Queues `held` and whatever waited for it; returns how many stale entries were dropped.
    fn admit(&mut self, held: Held) -> usize {
        let mut dropped = 0;
        self.last = Some(held.reference());
        self.queue.push_back(held);
        // Whatever was waiting for this one can follow now.
        while let Some(entry) = self.early.first_entry() {
            let follows = match (entry.get().msg.prev, self.last) {
                (Some(prev), Some(last)) => prev <= last,
                _ => true,
            };
            if !follows {
                break;
            }
            let held = entry.remove();
            if Some(held.reference()) > self.last {
                self.last = Some(held.reference());
                self.queue.push_back(held);
            } else {
                // Only an inconsistent publisher gets here (a link that skips backwards).
                dropped += 1;
            }
        }
        if self.early.is_empty() {
            self.gap_deadline = None;
        }
        dropped
    }
}

/// All chains, with bounds on what they hold.
#[derive(Debug)]
pub(super) struct Chains {
    chains: HashMap<ChainKey, Chain>,
    /// Chains in the order they were created, to forget the oldest idle one first.
    created: VecDeque<ChainKey>,
    max_chains: usize,
    held: usize,
    max_held: usize,
    max_per_chain: usize,
    gap_timeout_ms: u64,
}

impl Chains {
    /// `max_chains` bounds the chains remembered; idle ones (nothing held) are forgotten
    /// oldest first, so a forgotten chain's old messages could be delivered again, which is
    /// why the bound is generous.
    pub(super) fn new(
        max_held: usize,
        max_per_chain: usize,
        max_chains: usize,
        gap_timeout_ms: u64,
    ) -> Self {
        Chains {
            chains: HashMap::new(),
            created: VecDeque::new(),
            max_chains: max_chains.max(1),
            held: 0,
            max_held,
            max_per_chain,
            gap_timeout_ms,
        }
    }

    /// Messages held across all chains.
    pub(super) fn held(&self) -> usize {
        self.held
    }

    /// Whether `msg` was seen in its chain before (or is older than what the chain passed).
    pub(super) fn is_duplicate(&self, msg: &StreamMessage) -> bool {
        let key = (msg.id.publisher_id.clone(), msg.id.msg_chain_id.clone());
        let reference = msg.id.reference();
        self.chains.get(&key).is_some_and(|chain| {
            chain.last.is_some_and(|last| reference <= last) || chain.early.contains_key(&reference)
        })
    }

    /// Places an arriving (verified) message.
    pub(super) fn arrive(&mut self, held: Held, now_ms: u64) -> Arrival {
        let key = (
            held.msg.id.publisher_id.clone(),
            held.msg.id.msg_chain_id.clone(),
        );
        let reference = held.reference();
        if !self.chains.contains_key(&key) {
            if self.chains.len() >= self.max_chains && !self.forget_idle_chain() {
                return Arrival::Overflow;
            }
            self.created.push_back(key.clone());
        }
        let chain = self.chains.entry(key).or_default();
        if chain.last.is_some_and(|last| reference <= last) || chain.early.contains_key(&reference)
        {
            return Arrival::Duplicate;
        }
        if self.held >= self.max_held || chain.len() >= self.max_per_chain {
            // Count it as passed so later messages do not wait for it as a gap; the caller
            // reports the drop.
            chain.last = Some(reference);
            return Arrival::Overflow;
        }
        self.held += 1;
        let waits_for_predecessor = match (chain.last, held.msg.prev) {
            (Some(last), Some(prev)) => prev > last,
            // The first message seen of a chain is taken as it is: a subscriber that joins
            // late never sees the earlier ones (as the SDK does).
            _ => false,
        };
        if waits_for_predecessor {
            chain.early.insert(reference, held);
            chain
                .gap_deadline
                .get_or_insert(now_ms.saturating_add(self.gap_timeout_ms));
        } else {
            let dropped = chain.admit(held);
            self.held = self.held.saturating_sub(dropped);
        }
        Arrival::Accepted
    }

    /// Forgets the oldest chain that holds nothing; `false` if every chain holds something.
    fn forget_idle_chain(&mut self) -> bool {
        for _ in 0..self.created.len() {
            let Some(key) = self.created.pop_front() else {
                return false;
            };
            if self.chains.get(&key).is_some_and(|c| c.len() == 0) {
                self.chains.remove(&key);
                return true;
            }
            self.created.push_back(key);
        }
        false
    }

    /// Chains remembered.
    pub(super) fn chains(&self) -> usize {
        self.chains.len()
    }

    /// Gives up waiting for missing messages whose gap timed out; returns, per chain, the
    /// reference after which messages went missing.
    pub(super) fn expire_gaps(&mut self, now_ms: u64) -> Vec<(ChainKey, MessageRef)> {
        let mut gaps = Vec::new();
        let mut dropped = 0;
        for (key, chain) in &mut self.chains {
            if chain.gap_deadline.is_some_and(|d| now_ms >= d)
                && let Some((_, first)) = chain.early.pop_first()
            {
                if let Some(last) = chain.last {
                    gaps.push((key.clone(), last));
                }
                dropped += chain.admit(first);
                if !chain.early.is_empty() {
                    chain.gap_deadline = Some(now_ms.saturating_add(self.gap_timeout_ms));
                }
            }
        }
        self.held = self.held.saturating_sub(dropped);
        gaps
    }

    /// The earliest gap deadline.
    pub(super) fn next_deadline(&self) -> Option<u64> {
        self.chains.values().filter_map(|c| c.gap_deadline).min()
    }

    /// The chains that have a message ready to look at.
    pub(super) fn keys_with_head(&self) -> Vec<ChainKey> {
        self.chains
            .iter()
            .filter(|(_, c)| !c.queue.is_empty())
            .map(|(k, _)| k.clone())
            .collect()
    }

    pub(super) fn head(&self, key: &ChainKey) -> Option<&Held> {
        self.chains.get(key).and_then(|c| c.queue.front())
    }

    pub(super) fn pop_head(&mut self, key: &ChainKey) -> Option<Held> {
        let held = self.chains.get_mut(key)?.queue.pop_front()?;
        self.held = self.held.saturating_sub(1);
        Some(held)
    }

    /// The keys a chain has used.
    pub(super) fn trail(&self, key: &ChainKey) -> Option<&KeyTrail> {
        self.chains.get(key).map(|c| &c.trail)
    }

    pub(super) fn trail_mut(&mut self, key: &ChainKey) -> Option<&mut KeyTrail> {
        self.chains.get_mut(key).map(|c| &mut c.trail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{
        Body, ContentMessage, ContentType, EncryptionType, MessageId, SignatureType,
    };

    fn msg(ts: u64, prev: Option<u64>) -> Held {
        Held {
            msg: StreamMessage {
                id: MessageId {
                    stream_id: "s".into(),
                    partition: 0,
                    timestamp: ts,
                    sequence_number: 0,
                    publisher_id: UserId::from([1; 20]),
                    msg_chain_id: "c".into(),
                },
                prev: prev.map(|t| MessageRef {
                    timestamp: t,
                    sequence_number: 0,
                }),
                signature: vec![],
                signature_type: SignatureType::EcdsaSecp256k1Evm,
                body: Body::Content(ContentMessage {
                    content: vec![],
                    content_type: ContentType::Binary,
                    encryption_type: EncryptionType::None,
                    group_key_id: None,
                    new_group_key: None,
                }),
            },
        }
    }

    fn drain(c: &mut Chains) -> Vec<u64> {
        let key = (UserId::from([1; 20]), "c".to_owned());
        let mut out = vec![];
        while let Some(h) = c.pop_head(&key) {
            out.push(h.msg.id.timestamp);
        }
        out
    }

    #[test]
    fn reorders_and_drops_duplicates() {
        let mut c = Chains::new(100, 100, 100, 1000);
        assert_eq!(c.arrive(msg(1, None), 0), Arrival::Accepted);
        assert_eq!(c.arrive(msg(3, Some(2)), 0), Arrival::Accepted);
        assert_eq!(drain(&mut c), vec![1], "3 waits for 2");
        assert_eq!(c.arrive(msg(3, Some(2)), 0), Arrival::Duplicate);
        assert_eq!(c.arrive(msg(2, Some(1)), 0), Arrival::Accepted);
        assert_eq!(drain(&mut c), vec![2, 3]);
        assert_eq!(c.arrive(msg(2, Some(1)), 0), Arrival::Duplicate);
        assert_eq!(c.held(), 0);
    }

    #[test]
    fn gap_times_out() {
        let mut c = Chains::new(100, 100, 100, 1000);
        c.arrive(msg(1, None), 0);
        c.arrive(msg(5, Some(4)), 10);
        assert_eq!(c.next_deadline(), Some(1010));
        assert!(c.expire_gaps(1009).is_empty());
        assert_eq!(c.expire_gaps(1010).len(), 1);
        assert_eq!(drain(&mut c), vec![1, 5]);
        assert_eq!(c.next_deadline(), None);
    }

    #[test]
    fn idle_chains_are_forgotten_first() {
        let mut c = Chains::new(100, 100, 2, 1000);
        let mut other = msg(1, None);
        other.msg.id.msg_chain_id = "d".into();
        assert_eq!(
            c.arrive(other, 0),
            Arrival::Accepted,
            "chain d holds a message"
        );
        assert_eq!(c.arrive(msg(1, None), 0), Arrival::Accepted);
        drain(&mut c);
        let mut third = msg(1, None);
        third.msg.id.msg_chain_id = "e".into();
        assert_eq!(
            c.arrive(third, 0),
            Arrival::Accepted,
            "idle chain c forgotten"
        );
        assert_eq!(c.chains(), 2);
        let mut fourth = msg(1, None);
        fourth.msg.id.msg_chain_id = "f".into();
        assert_eq!(
            c.arrive(fourth, 0),
            Arrival::Overflow,
            "d and e both hold messages"
        );
    }

    #[test]
    fn bounded() {
        let mut c = Chains::new(2, 10, 100, 1000);
        c.arrive(msg(1, None), 0);
        c.arrive(msg(2, Some(1)), 0);
        assert_eq!(c.arrive(msg(3, Some(2)), 0), Arrival::Overflow);
        assert_eq!(
            c.arrive(msg(4, Some(3)), 0),
            Arrival::Overflow,
            "no artificial gap"
        );
        assert_eq!(drain(&mut c), vec![1, 2]);
        assert_eq!(c.arrive(msg(5, Some(4)), 0), Arrival::Accepted);
        assert_eq!(drain(&mut c), vec![5]);
    }
}
