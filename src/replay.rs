//! A bounded memory of the signatures a machine has accepted, per signer.
//!
//! The SDK's signature payload concatenates fields with no separators (docs/wire.md §4), so one
//! genuine signature can fit several messages: digits moved from `prev` into `msgChainId`,
//! content bytes moved into `newGroupKey`, a key response replayed as content. Each such
//! forgery keeps the original signature bytes, so remembering signatures already accepted
//! catches every re-split of a message this machine has seen, whatever the fields say.
//!
//! Only signatures that verified are remembered: recording unverified ones would let a
//! forger copy a genuine signature ahead of its message and have the real one dropped.

use std::collections::{HashMap, HashSet, VecDeque};

use sha2::{Digest, Sha256};

use crate::user_id::UserId;

/// 128 bits of SHA-256: what the bounded memories keep instead of the bytes they recognise
/// (signatures, request ids, key ids). Collisions need 2^64 work even for someone who tries,
/// and honest signatures never repeat (RFC 6979 nonces differ per payload).
pub(crate) type Fingerprint = [u8; 16];

#[derive(Default)]
struct Seen {
    set: HashSet<Fingerprint>,
    order: VecDeque<Fingerprint>,
}

/// Signatures seen, at most `per_signer` for each of at most `max_signers` signers; the
/// oldest are forgotten first (signers too, by when they were first seen).
pub struct SignatureMemory {
    per_signer: usize,
    max_signers: usize,
    signers: HashMap<UserId, Seen>,
    order: VecDeque<UserId>,
}

impl SignatureMemory {
    /// An empty memory with these bounds (each at least 1).
    pub fn new(per_signer: usize, max_signers: usize) -> Self {
        SignatureMemory {
            per_signer: per_signer.max(1),
            max_signers: max_signers.max(1),
            signers: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Whether `signature` of `signer` was recorded and not yet forgotten.
    pub fn contains(&self, signer: &UserId, signature: &[u8]) -> bool {
        self.signers
            .get(signer)
            .is_some_and(|s| s.set.contains(&fingerprint(&[signature])))
    }

    /// Records `signature` of `signer`; `false` if it was already there (a replay).
    pub fn insert(&mut self, signer: &UserId, signature: &[u8]) -> bool {
        let print = fingerprint(&[signature]);
        if !self.signers.contains_key(signer) {
            while self.signers.len() >= self.max_signers {
                match self.order.pop_front() {
                    Some(old) => {
                        self.signers.remove(&old);
                    }
                    None => break,
                }
            }
            self.order.push_back(signer.clone());
        }
        let seen = self.signers.entry(signer.clone()).or_default();
        if !seen.set.insert(print) {
            return false;
        }
        seen.order.push_back(print);
        while seen.order.len() > self.per_signer {
            if let Some(old) = seen.order.pop_front() {
                seen.set.remove(&old);
            }
        }
        true
    }

    /// Signatures remembered, all signers together.
    pub fn len(&self) -> usize {
        self.signers.values().map(|s| s.order.len()).sum()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.signers.is_empty()
    }
}

/// The [`Fingerprint`] of `parts`, each but the last length-prefixed, so that no two ways of
/// splitting the same bytes into parts give the same fingerprint.
pub(crate) fn fingerprint(parts: &[&[u8]]) -> Fingerprint {
    let mut h = Sha256::new();
    let (last, rest) = parts.split_last().unwrap_or((&(&[] as &[u8]), &[]));
    for part in rest {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.update(last);
    let digest = h.finalize();
    let mut out = [0u8; 16];
    for (o, d) in out.iter_mut().zip(digest.iter()) {
        *o = *d;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: u8) -> UserId {
        UserId::from([n; 20])
    }

    #[test]
    fn repeats_are_refused_until_forgotten() {
        let mut m = SignatureMemory::new(2, 10);
        assert!(m.insert(&user(1), b"a"));
        assert!(!m.insert(&user(1), b"a"), "the same signature again");
        assert!(
            m.insert(&user(2), b"a"),
            "another signer's memory is separate"
        );
        assert!(m.insert(&user(1), b"b"));
        assert!(m.insert(&user(1), b"c"), "a is forgotten: 2 per signer");
        assert!(!m.contains(&user(1), b"a"));
        assert!(m.contains(&user(1), b"b") && m.contains(&user(1), b"c"));
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn fingerprints_tell_splits_apart() {
        assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
        assert_eq!(fingerprint(&[b"abc"]), fingerprint(&[b"abc"]));
        assert_ne!(fingerprint(&[b"abc"]), fingerprint(&[b"abd"]));
    }

    #[test]
    fn signers_are_bounded() {
        let mut m = SignatureMemory::new(4, 2);
        m.insert(&user(1), b"a");
        m.insert(&user(2), b"a");
        m.insert(&user(3), b"a");
        assert!(
            !m.contains(&user(1), b"a"),
            "the oldest signer is forgotten"
        );
        assert!(m.contains(&user(2), b"a") && m.contains(&user(3), b"a"));
    }
}
