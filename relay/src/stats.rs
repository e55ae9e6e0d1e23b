//! Counters, readable while the relay runs ([`crate::RelayHandle::stats`]) and logged at
//! shutdown.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A snapshot of the relay's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Connections that completed the WebSocket handshake and were served.
    pub connections_accepted: u64,
    /// Connections open now, those still in their WebSocket handshake included.
    pub connections_open: u64,
    /// Connections turned away because `max_connections` were open (closed with 1013 or
    /// dropped during the handshake).
    pub connections_rejected: u64,
    /// Publish frames accepted.
    pub messages_published: u64,
    /// Message frames queued for subscribers (one per subscriber per publish).
    pub messages_queued: u64,
    /// Error frames sent.
    pub protocol_errors: u64,
    /// Connections closed with 1013 because their send queue was full.
    pub slow_consumer_disconnects: u64,
    /// Connections dropped by the idle (heartbeat) timeout.
    pub idle_timeouts: u64,
    /// Connections closed with 1008 after too many protocol errors.
    pub policy_violation_closes: u64,
    /// Connections closed with 1009 for a message above the frame limit.
    pub message_too_big_closes: u64,
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub connections_accepted: AtomicU64,
    pub connections_open: AtomicU64,
    pub connections_rejected: AtomicU64,
    pub messages_published: AtomicU64,
    pub messages_queued: AtomicU64,
    pub protocol_errors: AtomicU64,
    pub slow_consumer_disconnects: AtomicU64,
    pub idle_timeouts: AtomicU64,
    pub policy_violation_closes: AtomicU64,
    pub message_too_big_closes: AtomicU64,
}

impl Counters {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    pub fn snapshot(&self) -> Stats {
        Stats {
            connections_accepted: self.connections_accepted.load(Relaxed),
            connections_open: self.connections_open.load(Relaxed),
            connections_rejected: self.connections_rejected.load(Relaxed),
            messages_published: self.messages_published.load(Relaxed),
            messages_queued: self.messages_queued.load(Relaxed),
            protocol_errors: self.protocol_errors.load(Relaxed),
            slow_consumer_disconnects: self.slow_consumer_disconnects.load(Relaxed),
            idle_timeouts: self.idle_timeouts.load(Relaxed),
            policy_violation_closes: self.policy_violation_closes.load(Relaxed),
            message_too_big_closes: self.message_too_big_closes.load(Relaxed),
        }
    }
}
