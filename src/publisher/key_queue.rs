//! The publisher's group keys (SDK `publish/GroupKeyQueue.ts`, docs/wire.md §6): the current key, a
//! queued next key, and every key it has used, so late requests for old keys are answered.

use std::collections::HashMap;

use crate::cipher::GroupKey;

/// What one encrypted message uses.
pub(super) struct KeyUse {
    /// The key the content is encrypted with.
    pub current: GroupKey,
    /// The next key, to be carried encrypted under `current` (rotation).
    pub next: Option<GroupKey>,
}

/// Current and queued key, to undo a [`KeyQueue::use_key`] whose message was never sent.
#[derive(Clone)]
pub(super) struct KeyState {
    current: Option<GroupKey>,
    queued: Option<GroupKey>,
}

/// Current key, queued key and all known keys of one publisher on one stream.
#[derive(Default)]
pub(super) struct KeyQueue {
    current: Option<GroupKey>,
    queued: Option<GroupKey>,
    known: HashMap<String, GroupKey>,
}

impl KeyQueue {
    /// The key content is encrypted with now, if any.
    pub(super) fn current(&self) -> Option<&GroupKey> {
        self.current.as_ref()
    }

    /// A key this publisher has used or queued.
    pub(super) fn get(&self, id: &str) -> Option<&GroupKey> {
        self.known.get(id)
    }

    /// How many keys are known.
    pub(super) fn len(&self) -> usize {
        self.known.len()
    }

    /// Remembers an old key (restored from storage) without making it current.
    pub(super) fn remember(&mut self, key: GroupKey) {
        self.known.insert(key.id().to_owned(), key);
    }

    /// Makes `key` current at once and drops any queued key (rekey, or restoring the latest).
    pub(super) fn set_current(&mut self, key: GroupKey) {
        self.remember(key.clone());
        self.current = Some(key);
        self.queued = None;
    }

    /// Queues `key`: the next message is still encrypted with the current key and carries
    /// `key`; messages after it use `key`. With no current key, `key` simply becomes current.
    pub(super) fn rotate(&mut self, key: GroupKey) {
        self.remember(key.clone());
        if self.current.is_none() {
            self.current = Some(key);
        } else {
            self.queued = Some(key);
        }
    }

    /// The current and queued key as they are now.
    pub(super) fn state(&self) -> KeyState {
        KeyState {
            current: self.current.clone(),
            queued: self.queued.clone(),
        }
    }

    /// Puts back a state taken with [`Self::state`].
    pub(super) fn restore(&mut self, state: KeyState) {
        self.current = state.current;
        self.queued = state.queued;
    }

    /// The keys for one message, then the queued key is promoted. `None` if there is no
    /// current key yet (the caller generates one).
    pub(super) fn use_key(&mut self) -> Option<KeyUse> {
        let current = self.current.clone()?;
        let next = self.queued.take();
        if let Some(n) = &next {
            self.current = Some(n.clone());
        }
        Some(KeyUse { current, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> GroupKey {
        GroupKey::new(format!("k{n}"), &[n; 32]).unwrap()
    }

    #[test]
    fn rotation_boundary_message_uses_the_old_key() {
        let mut q = KeyQueue::default();
        assert!(q.use_key().is_none());
        q.rotate(key(1));
        let u = q.use_key().unwrap();
        assert_eq!((u.current.id(), u.next.is_none()), ("k1", true));
        q.rotate(key(2));
        let u = q.use_key().unwrap();
        assert_eq!(u.current.id(), "k1");
        assert_eq!(u.next.unwrap().id(), "k2");
        let u = q.use_key().unwrap();
        assert_eq!((u.current.id(), u.next.is_none()), ("k2", true));
    }

    #[test]
    fn rekey_switches_at_once_and_drops_the_queue() {
        let mut q = KeyQueue::default();
        q.rotate(key(1));
        q.rotate(key(2));
        q.set_current(key(3));
        let u = q.use_key().unwrap();
        assert_eq!((u.current.id(), u.next.is_none()), ("k3", true));
        assert!(q.get("k1").is_some() && q.get("k2").is_some());
        assert_eq!(q.len(), 3);
    }
}
