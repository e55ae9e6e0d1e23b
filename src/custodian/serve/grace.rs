//! The grace period: a key request addressed to a served publisher waits here, so that the
//! publisher (or another custodian) may answer first. A signed response to it settles it: it
//! is dropped unanswered. A request is settled once: later copies (the network may deliver one
//! twice, a subscriber may re-send it) are dropped too, whether it was settled by someone
//! else's answer or released to be answered here.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::user_id::UserId;

/// A request: the publisher asked, the requester, the request id.
pub(super) type RequestKey = (UserId, UserId, String);

struct Waiting {
    due_ms: u64,
    bytes: Vec<u8>,
    /// An ERC-1271 request: its signature is checked only when it is answered.
    unverified: bool,
}

/// Most ERC-1271 requests waiting at once: nothing is known of them yet (anyone can name any
/// contract), so they must not crowd out the verified ones.
const MAX_UNVERIFIED: usize = 64;

/// Requests in their grace period, and the ones already settled.
pub(super) struct Grace {
    waiting: HashMap<RequestKey, Waiting>,
    settled: HashSet<RequestKey>,
    settled_order: VecDeque<RequestKey>,
    max_waiting: usize,
    max_settled: usize,
}

/// What became of a request offered to [`Grace::hold`].
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Held {
    /// Waiting now.
    Waiting,
    /// Seen before (waiting or settled): dropped.
    Duplicate,
    /// Too many wait already: dropped.
    Full,
}

impl Grace {
    pub(super) fn new(max_waiting: usize, max_settled: usize) -> Self {
        Grace {
            waiting: HashMap::new(),
            settled: HashSet::new(),
            settled_order: VecDeque::new(),
            max_waiting,
            max_settled: max_settled.max(1),
        }
    }

    /// Holds the request `key` (its message `bytes`) until `due_ms`: at most `per_requester`
    /// of one requester at once (a publisher's rate-limit burst: the rest would be refused at
    /// release anyway), and few `unverified` (ERC-1271) ones.
    pub(super) fn hold(
        &mut self,
        key: RequestKey,
        bytes: Vec<u8>,
        due_ms: u64,
        unverified: bool,
        per_requester: usize,
    ) -> Held {
        if self.settled.contains(&key) || self.waiting.contains_key(&key) {
            return Held::Duplicate;
        }
        let (mut mine, mut unchecked) = (0, 0);
        for (k, w) in &self.waiting {
            mine += usize::from(k.1 == key.1);
            unchecked += usize::from(w.unverified);
        }
        if self.waiting.len() >= self.max_waiting
            || mine >= per_requester
            || (unverified && unchecked >= MAX_UNVERIFIED)
        {
            return Held::Full;
        }
        self.waiting.insert(
            key,
            Waiting {
                due_ms,
                bytes,
                unverified,
            },
        );
        Held::Waiting
    }

    /// Someone answered `key`: it is not answered here. `true` if it was waiting.
    pub(super) fn settle(&mut self, key: RequestKey) -> bool {
        let was_waiting = self.waiting.remove(&key).is_some();
        self.remember(key);
        was_waiting
    }

    /// The requests whose grace period is over at `now_ms`, each settled (answered here),
    /// oldest deadline first.
    pub(super) fn due(&mut self, now_ms: u64) -> Vec<(RequestKey, Vec<u8>)> {
        let mut keys: Vec<(u64, RequestKey)> = self
            .waiting
            .iter()
            .filter(|(_, w)| w.due_ms <= now_ms)
            .map(|(k, w)| (w.due_ms, k.clone()))
            .collect();
        keys.sort_by_key(|(due, _)| *due);
        let mut out = Vec::with_capacity(keys.len());
        for (_, key) in keys {
            if let Some(w) = self.waiting.remove(&key) {
                self.remember(key.clone());
                out.push((key, w.bytes));
            }
        }
        out
    }

    /// The earliest deadline, if any request waits: when the host should tick next.
    pub(super) fn next_deadline(&self) -> Option<u64> {
        self.waiting.values().map(|w| w.due_ms).min()
    }

    /// Requests waiting now.
    pub(super) fn waiting(&self) -> usize {
        self.waiting.len()
    }

    fn remember(&mut self, key: RequestKey) {
        if !self.settled.insert(key.clone()) {
            return;
        }
        self.settled_order.push_back(key);
        while self.settled_order.len() > self.max_settled {
            if let Some(old) = self.settled_order.pop_front() {
                self.settled.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> RequestKey {
        (
            UserId::from([1u8; 20]),
            UserId::from([n; 20]),
            format!("r{n}"),
        )
    }

    #[test]
    fn held_until_due_then_settled_once() {
        let mut g = Grace::new(2, 10);
        assert_eq!(g.hold(key(2), vec![2], 200, false, 9), Held::Waiting);
        assert_eq!(g.hold(key(3), vec![3], 100, false, 9), Held::Waiting);
        assert_eq!(g.hold(key(3), vec![3], 100, false, 9), Held::Duplicate);
        assert_eq!(g.hold(key(4), vec![4], 100, false, 9), Held::Full);
        assert_eq!(g.next_deadline(), Some(100));
        assert!(g.due(99).is_empty());
        let out = g.due(250);
        assert_eq!(
            out.iter().map(|(_, b)| b[0]).collect::<Vec<_>>(),
            vec![3, 2]
        );
        assert_eq!(g.waiting(), 0);
        assert_eq!(g.next_deadline(), None);
        // Answered here already: a second copy is dropped.
        assert_eq!(g.hold(key(2), vec![2], 300, false, 9), Held::Duplicate);
    }

    #[test]
    fn an_answer_from_elsewhere_settles() {
        let mut g = Grace::new(10, 10);
        g.hold(key(2), vec![2], 100, false, 9);
        assert!(g.settle(key(2)));
        assert!(g.due(1000).is_empty());
        // An answer seen before the request (or a copy after): never answered here.
        assert!(!g.settle(key(5)));
        assert_eq!(g.hold(key(5), vec![5], 100, false, 9), Held::Duplicate);
    }

    #[test]
    fn one_requester_and_unverified_requests_are_bounded() {
        let mut g = Grace::new(1000, 10);
        let mine = |n: u8| {
            (
                UserId::from([1u8; 20]),
                UserId::from([7u8; 20]),
                format!("m{n}"),
            )
        };
        assert_eq!(g.hold(mine(1), vec![], 1, false, 2), Held::Waiting);
        assert_eq!(g.hold(mine(2), vec![], 1, false, 2), Held::Waiting);
        assert_eq!(g.hold(mine(3), vec![], 1, false, 2), Held::Full);
        assert_eq!(
            g.hold(key(3), vec![], 1, false, 2),
            Held::Waiting,
            "others still fit"
        );
        for n in 0..MAX_UNVERIFIED {
            let k = (
                UserId::from([1u8; 20]),
                UserId::from([9u8; 20]),
                format!("u{n}"),
            );
            assert_eq!(g.hold(k, vec![], 1, true, usize::MAX), Held::Waiting);
        }
        let k = (
            UserId::from([1u8; 20]),
            UserId::from([10u8; 20]),
            "u".into(),
        );
        assert_eq!(g.hold(k.clone(), vec![], 1, true, usize::MAX), Held::Full);
        assert_eq!(g.hold(k, vec![], 1, false, usize::MAX), Held::Waiting);
    }

    #[test]
    fn settled_memory_is_bounded() {
        let mut g = Grace::new(10, 2);
        for n in 2..6 {
            g.settle(key(n));
        }
        assert_eq!(
            g.hold(key(2), vec![2], 1, false, 9),
            Held::Waiting,
            "forgotten, oldest first"
        );
        assert_eq!(g.hold(key(5), vec![5], 1, false, 9), Held::Duplicate);
    }
}
