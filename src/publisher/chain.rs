//! A publisher's message chain (SDK `publish/messageChain.ts`): sequence numbers within a
//! millisecond and the link to the previous message.

use crate::wire::MessageRef;

/// Position bookkeeping for one chain.
#[derive(Clone, Debug)]
pub(super) struct MessageChain {
    id: String,
    prev: Option<MessageRef>,
}

impl MessageChain {
    /// A chain with the given id.
    pub(super) fn new(id: String) -> Self {
        MessageChain { id, prev: None }
    }

    /// The chain id.
    pub(super) fn id(&self) -> &str {
        &self.id
    }

    /// The reference for a message at `now_ms` and the previous reference.
    ///
    /// The SDK throws when the clock goes backwards; we keep the last timestamp instead and
    /// count up the sequence number, so a clock step never loses a message.
    pub(super) fn next(&mut self, now_ms: u64) -> (MessageRef, Option<MessageRef>) {
        let reference = match self.prev {
            Some(p) if now_ms <= p.timestamp => MessageRef {
                timestamp: p.timestamp,
                sequence_number: p.sequence_number.saturating_add(1),
            },
            _ => MessageRef {
                timestamp: now_ms,
                sequence_number: 0,
            },
        };
        let prev = self.prev.replace(reference);
        (reference, prev)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_and_links() {
        let mut c = MessageChain::new("c".into());
        let (a, p) = c.next(1000);
        assert_eq!((a.timestamp, a.sequence_number, p), (1000, 0, None));
        let (b, p) = c.next(1000);
        assert_eq!((b.sequence_number, p), (1, Some(a)));
        let (d, p) = c.next(999);
        assert_eq!((d.timestamp, d.sequence_number, p), (1000, 2, Some(b)));
        let (e, _) = c.next(2000);
        assert_eq!((e.timestamp, e.sequence_number), (2000, 0));
    }
}
