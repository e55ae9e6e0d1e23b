//! Key requests already accepted, so that a replay is refused (`REPLAYED_MESSAGE`) before it
//! asks the host anything or uses up the requester's rate budget.
//!
//! Two memories, because the signature payload has no separators (docs/wire.md §4):
//!
//! - `(requester, requestId)` for as long as the request is fresh (its timestamp plus
//!   `max_key_request_age_ms`; after that a replay is stale anyway). Catches a replay as it
//!   was sent, in every format mode.
//! - the request's signature ([`SignatureMemory`]). Catches a re-split copy: characters moved
//!   between `msgChainId` and `requestId` (possible outside the SDK's strict forms) give another
//!   request id under the same signature.
//!
//! Only requests whose signature verified are recorded (for ERC-1271, once the contract said
//! yes): recording a forgery would let it block the genuine request it copies.

use std::collections::{HashSet, VecDeque};

use crate::replay::{Fingerprint, SignatureMemory, fingerprint};
use crate::user_id::UserId;

/// Signatures remembered per requester: a requester's burst (twice its rate) several times.
const SIGNATURES_PER_REQUESTER: usize = 16;

/// One request, ready to be looked up and recorded.
pub(super) struct Mark {
    id: Fingerprint,
    requester: UserId,
    signature: Vec<u8>,
    /// Past this time the request is stale and need not be remembered.
    fresh_until: u64,
}

impl Mark {
    /// `request_id` of `requester`, signed `signature`, fresh until `fresh_until`.
    pub(super) fn new(
        requester: &UserId,
        request_id: &str,
        signature: &[u8],
        fresh_until: u64,
    ) -> Self {
        Mark {
            id: fingerprint(&[requester.as_bytes(), request_id.as_bytes()]),
            requester: requester.clone(),
            signature: signature.to_vec(),
            fresh_until,
        }
    }
}

/// Requests seen, at most `max` at once (the oldest forgotten first).
pub(super) struct SeenRequests {
    ids: HashSet<Fingerprint>,
    order: VecDeque<(Fingerprint, u64)>,
    max: usize,
    signatures: SignatureMemory,
}

impl SeenRequests {
    /// Remembers at most `max` requests and the signatures of at most `max_requesters`.
    pub(super) fn new(max: usize, max_requesters: usize) -> Self {
        SeenRequests {
            ids: HashSet::new(),
            order: VecDeque::new(),
            max: max.max(1),
            signatures: SignatureMemory::new(SIGNATURES_PER_REQUESTER, max_requesters),
        }
    }

    /// Whether this request (or its signature) was recorded before.
    pub(super) fn contains(&mut self, mark: &Mark, now_ms: u64) -> bool {
        self.forget_stale(now_ms);
        self.ids.contains(&mark.id) || self.signatures.contains(&mark.requester, &mark.signature)
    }

    /// Records the request; `false` if it (or its signature) was already there.
    pub(super) fn insert(&mut self, mark: Mark, now_ms: u64) -> bool {
        if self.contains(&mark, now_ms) || !self.signatures.insert(&mark.requester, &mark.signature)
        {
            return false;
        }
        self.ids.insert(mark.id);
        self.order.push_back((mark.id, mark.fresh_until));
        while self.order.len() > self.max {
            if let Some((old, _)) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        true
    }

    /// Requests remembered.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Forgets, from the oldest on, requests that are stale by now. One still fresh stops the
    /// sweep, so a stale one behind it waits; the bound still holds.
    fn forget_stale(&mut self, now_ms: u64) {
        while let Some((old, fresh_until)) = self.order.front() {
            if *fresh_until >= now_ms {
                break;
            }
            self.ids.remove(old);
            self.order.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(n: u8, request: &str, sig: &[u8], until: u64) -> Mark {
        Mark::new(&UserId::from([n; 20]), request, sig, until)
    }

    #[test]
    fn repeats_and_re_splits_are_caught() {
        let mut seen = SeenRequests::new(10, 10);
        assert!(!seen.contains(&mark(1, "r1", b"s1", 100), 0));
        assert!(seen.insert(mark(1, "r1", b"s1", 100), 0));
        assert!(seen.contains(&mark(1, "r1", b"s1", 100), 0), "a replay");
        assert!(seen.contains(&mark(1, "xr1", b"s1", 100), 0), "a re-split");
        assert!(!seen.insert(mark(1, "xr1", b"s1", 100), 0));
        assert!(
            !seen.contains(&mark(2, "r1", b"s2", 100), 0),
            "another requester"
        );
        // Length-prefixed: requester bytes cannot move into the request id.
        let a = Mark::new(&UserId::from([1; 20]), "r", b"", 0).id;
        let b = Mark::new(&UserId::from_bytes(&[1; 19]).unwrap(), "\u{1}r", b"", 0).id;
        assert_ne!(a, b);
    }

    #[test]
    fn fresh_requests_are_kept_and_the_oldest_go_first() {
        let mut seen = SeenRequests::new(2, 10);
        assert!(seen.insert(mark(1, "a", b"a", 100), 0));
        assert!(seen.insert(mark(1, "b", b"b", 300), 0));
        assert!(
            seen.contains(&mark(1, "a", b"-", 100), 100),
            "fresh until 100"
        );
        assert!(
            !seen.contains(&mark(1, "a", b"-", 100), 101),
            "stale by 101"
        );
        assert_eq!(seen.len(), 1);
        assert!(seen.insert(mark(1, "c", b"c", 300), 101));
        assert!(seen.insert(mark(1, "d", b"d", 300), 101));
        assert_eq!(seen.len(), 2);
        assert!(
            !seen.contains(&mark(1, "b", b"-", 300), 101),
            "over the bound"
        );
    }
}
