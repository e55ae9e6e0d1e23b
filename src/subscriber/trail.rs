//! Which keys a chain has used. `groupKeyId` is not signed (docs/wire.md §4), so a relabelled
//! message can name any key the subscriber holds; an honest chain's keys only move forward
//! (the current key, then the one it announced in a rotation, or a fresh one after a
//! re-key), and a rotation announces one next key. Holding a chain to that pins what a
//! relabel can do: a message naming a key the chain has left is dropped, and a `newGroupKey`
//! is learned only from a message under the chain's current or announced key.

use std::collections::VecDeque;

use crate::replay::{self, Fingerprint};

/// Keys left behind, remembered per chain (as fingerprints); older ones are forgotten.
const MAX_LEFT: usize = 16;

fn fingerprint(key_id: &str) -> Fingerprint {
    replay::fingerprint(&[key_id.as_bytes()])
}

/// Where a key stands in a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Position {
    /// The key of the chain's last delivered encrypted message.
    Current,
    /// The key that message announced (rotation).
    Announced,
    /// A key the chain has not used: its first encrypted message, or a re-key.
    Fresh,
    /// A key the chain used before and moved on from.
    Left,
}

/// Why a rotation announcement is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// It names the key it travels under.
    NamesItself,
    /// It names a key the chain has left.
    NamesLeftKey,
    /// The chain already announced another next key under this one.
    Conflicts,
}

impl Refusal {
    pub(super) fn text(self) -> &'static str {
        match self {
            Refusal::NamesItself => "newGroupKey names the key the message is encrypted with",
            Refusal::NamesLeftKey => "newGroupKey names a key the chain has already left",
            Refusal::Conflicts => {
                "newGroupKey differs from the next key this chain already announced"
            }
        }
    }
}

/// One chain's keys.
#[derive(Debug, Default)]
pub(super) struct KeyTrail {
    current: Option<String>,
    announced: Option<String>,
    left: VecDeque<Fingerprint>,
}

impl KeyTrail {
    pub(super) fn position(&self, key_id: &str) -> Position {
        if self.current.as_deref() == Some(key_id) {
            Position::Current
        } else if self.announced.as_deref() == Some(key_id) {
            Position::Announced
        } else if self.left.contains(&fingerprint(key_id)) {
            Position::Left
        } else {
            Position::Fresh
        }
    }

    /// Whether a message under `key_id` may announce `next_id`: `Ok(true)` to learn it,
    /// `Ok(false)` to ignore it (a fresh key: the next one comes by key exchange if needed).
    pub(super) fn may_announce(&self, key_id: &str, next_id: &str) -> Result<bool, Refusal> {
        if key_id == next_id {
            return Err(Refusal::NamesItself);
        }
        if self.left.contains(&fingerprint(next_id)) || self.current.as_deref() == Some(next_id) {
            return Err(Refusal::NamesLeftKey);
        }
        match self.position(key_id) {
            Position::Current => match &self.announced {
                Some(announced) if announced != next_id => Err(Refusal::Conflicts),
                _ => Ok(true),
            },
            Position::Announced => Ok(true),
            Position::Fresh | Position::Left => Ok(false),
        }
    }

    /// Records a delivered message under `key_id` that announced `next` (when learned).
    pub(super) fn advance(&mut self, key_id: &str, next: Option<&str>) {
        match self.position(key_id) {
            Position::Current => {
                if let Some(next) = next {
                    self.announced = Some(next.to_owned());
                }
            }
            Position::Announced | Position::Fresh | Position::Left => {
                if let Some(old) = self.current.take() {
                    self.left.push_back(fingerprint(&old));
                    while self.left.len() > MAX_LEFT {
                        self.left.pop_front();
                    }
                }
                self.current = Some(key_id.to_owned());
                self.announced = next.map(str::to_owned);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_move_forward() {
        let mut t = KeyTrail::default();
        assert_eq!(t.position("k1"), Position::Fresh);
        assert_eq!(
            t.may_announce("k1", "k2"),
            Ok(false),
            "a fresh key teaches nothing"
        );
        t.advance("k1", None);
        assert_eq!(t.may_announce("k1", "k2"), Ok(true));
        t.advance("k1", Some("k2"));
        assert_eq!(t.may_announce("k1", "k3"), Err(Refusal::Conflicts));
        assert_eq!(t.may_announce("k1", "k1"), Err(Refusal::NamesItself));
        assert_eq!(t.position("k2"), Position::Announced);
        t.advance("k2", None);
        assert_eq!(t.position("k1"), Position::Left);
        assert_eq!(t.may_announce("k2", "k1"), Err(Refusal::NamesLeftKey));
        // A re-key: a fresh key becomes current.
        t.advance("k9", None);
        assert_eq!(t.position("k2"), Position::Left);
        assert_eq!(t.position("k9"), Position::Current);
    }

    #[test]
    fn left_keys_are_bounded() {
        let mut t = KeyTrail::default();
        for n in 0..=MAX_LEFT + 1 {
            t.advance(&format!("k{n}"), None);
        }
        assert_eq!(t.position("k0"), Position::Fresh, "forgotten");
        assert_eq!(t.position("k2"), Position::Left);
    }
}
