//! The group keys a subscriber holds, and how it came by each: a key that arrived by key
//! exchange in this session is authentic (its id and bytes are signed together by the
//! publisher), one learned from a rotation or loaded from the host's store may not be
//! (`groupKeyId` is unsigned, so a relabelled rotation message can teach garbage under a
//! genuine id, docs/wire.md §13). Keys are never overwritten: a planted key must not replace a real
//! one, and a real one is only ever put back after the old one was forgotten.

use std::collections::{HashMap, HashSet, VecDeque};

use super::fetch::FetchKey;
use crate::cipher::GroupKey;

/// How a key came to be held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    /// A key response to this subscriber's request, in this session.
    Exchange,
    /// A rotation message's `newGroupKey`.
    Rotation,
    /// The host's key store (`loadKey`) or the app (`add_key`).
    Stored,
}

/// Keys held, oldest forgotten first beyond a bound; and keys whose stored copy turned out
/// wrong, to be fetched by key exchange only.
pub(super) struct KeyRing {
    keys: HashMap<FetchKey, (GroupKey, Origin)>,
    order: VecDeque<FetchKey>,
    max_keys: usize,
    distrusted: HashSet<FetchKey>,
    distrusted_order: VecDeque<FetchKey>,
    max_distrusted: usize,
}

impl KeyRing {
    /// At most `max_keys` keys and `max_distrusted` distrusted ids (each at least 1).
    pub(super) fn new(max_keys: usize, max_distrusted: usize) -> Self {
        KeyRing {
            keys: HashMap::new(),
            order: VecDeque::new(),
            max_keys: max_keys.max(1),
            distrusted: HashSet::new(),
            distrusted_order: VecDeque::new(),
            max_distrusted: max_distrusted.max(1),
        }
    }

    /// The key and its origin.
    pub(super) fn get(&self, slot: &FetchKey) -> Option<&(GroupKey, Origin)> {
        self.keys.get(slot)
    }

    pub(super) fn contains(&self, slot: &FetchKey) -> bool {
        self.keys.contains_key(slot)
    }

    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Holds `key` of `publisher` unless a key with its id is held already (never overwrites);
    /// `true` if it was added.
    pub(super) fn insert(&mut self, slot: FetchKey, key: GroupKey, origin: Origin) -> bool {
        if self.keys.contains_key(&slot) {
            return false;
        }
        self.keys.insert(slot.clone(), (key, origin));
        self.order.push_back(slot);
        while self.keys.len() > self.max_keys {
            match self.order.pop_front() {
                Some(old) => {
                    self.keys.remove(&old);
                }
                None => break,
            }
        }
        true
    }

    /// Forgets a key (its content did not decode), and remembers not to trust a stored copy
    /// of it: it comes back by key exchange only.
    pub(super) fn forget_and_distrust(&mut self, slot: &FetchKey) {
        if self.keys.remove(slot).is_some() {
            self.order.retain(|s| s != slot);
        }
        if self.distrusted.insert(slot.clone()) {
            self.distrusted_order.push_back(slot.clone());
            while self.distrusted.len() > self.max_distrusted {
                match self.distrusted_order.pop_front() {
                    Some(old) => {
                        self.distrusted.remove(&old);
                    }
                    None => break,
                }
            }
        }
    }

    /// Whether the stored copy of this key is known to be wrong.
    pub(super) fn is_distrusted(&self, slot: &FetchKey) -> bool {
        self.distrusted.contains(slot)
    }

    /// The key arrived by key exchange: the store's copy has been replaced.
    pub(super) fn trust(&mut self, slot: &FetchKey) {
        if self.distrusted.remove(slot) {
            self.distrusted_order.retain(|s| s != slot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user_id::UserId;

    fn slot(n: u8) -> FetchKey {
        (UserId::from([n; 20]), format!("k{n}"))
    }

    fn key(n: u8, byte: u8) -> GroupKey {
        GroupKey::new(format!("k{n}"), &[byte; 32]).unwrap()
    }

    #[test]
    fn never_overwrites_and_forgets_the_oldest() {
        let mut ring = KeyRing::new(2, 2);
        assert!(ring.insert(slot(1), key(1, 1), Origin::Exchange));
        assert!(!ring.insert(slot(1), key(1, 9), Origin::Rotation));
        assert_eq!(ring.get(&slot(1)).unwrap(), &(key(1, 1), Origin::Exchange));
        ring.insert(slot(2), key(2, 2), Origin::Rotation);
        ring.insert(slot(3), key(3, 3), Origin::Stored);
        assert!(!ring.contains(&slot(1)));
        assert_eq!(ring.len(), 2);
    }

    #[test]
    fn forgotten_keys_are_distrusted_until_exchanged() {
        let mut ring = KeyRing::new(10, 1);
        ring.insert(slot(1), key(1, 1), Origin::Stored);
        ring.forget_and_distrust(&slot(1));
        assert!(!ring.contains(&slot(1)) && ring.is_distrusted(&slot(1)));
        assert!(ring.insert(slot(1), key(1, 2), Origin::Exchange));
        ring.trust(&slot(1));
        assert!(!ring.is_distrusted(&slot(1)));
        ring.forget_and_distrust(&slot(2));
        ring.forget_and_distrust(&slot(3));
        assert!(!ring.is_distrusted(&slot(2)), "bounded");
    }
}
