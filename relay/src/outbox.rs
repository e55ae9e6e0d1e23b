//! A connection's bounded send queue, and the signal that ends the connection.
//!
//! Publishers never wait for a subscriber: they [`Outbox::push`] without blocking, and a
//! push that would exceed the queue's frame or byte bound ends the subscriber's connection
//! (close 1013) instead of growing memory. One slow consumer therefore costs at most its
//! own queue bound and never slows the publisher or the other subscribers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::log::{Level, Logger};
use crate::protocol::close_code;
use crate::router::ConnId;
use crate::stats::Counters;

/// How a connection ends. The first reason given wins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Send this close frame, then wait (bounded) for the peer's close.
    Close { code: u16, reason: &'static str },
    /// The socket is finished (the peer closed it, or I/O failed): nothing more to send.
    /// The text says why, for the log.
    Gone(&'static str),
}

impl Ending {
    /// Whether the frames queued before the end are sent before the close frame: yes,
    /// except for a slow consumer, whose full queue is the reason it is closed.
    pub fn flushes_queue(&self) -> bool {
        match self {
            Ending::Close { code, .. } => *code != close_code::TRY_AGAIN_LATER,
            Ending::Gone(_) => false,
        }
    }
}

/// Shared by a connection's reader, writer and the publishers that fill its queue.
///
/// Also fixes the closing deadline: everything after the end (the close frame, waiting for
/// the client's close, the TCP shutdown) happens within one close timeout of the moment
/// the end was decided.
#[derive(Debug)]
pub(crate) struct EndSignal {
    state: watch::Sender<Option<(Ending, Instant)>>,
    close_timeout: Duration,
}

impl EndSignal {
    pub fn new(close_timeout: Duration) -> Self {
        EndSignal {
            state: watch::Sender::new(None),
            close_timeout,
        }
    }

    /// Ends the connection for `ending`, unless it already ends for another reason.
    /// Returns whether this call decided the ending.
    pub fn end(&self, ending: Ending) -> bool {
        let close_by = Instant::now() + self.close_timeout;
        self.state.send_if_modified(|current| {
            if current.is_some() {
                return false;
            }
            *current = Some((ending, close_by));
            true
        })
    }

    /// Waits until the connection ends; says how, and by when closing must be done.
    pub async fn ended(&self) -> (Ending, Instant) {
        let mut rx = self.state.subscribe();
        let ended = match rx.wait_for(Option::is_some).await {
            Ok(ended) => ended.clone(),
            // Unreachable while `self` holds the sender.
            Err(_) => None,
        };
        ended.unwrap_or_else(|| (Ending::Gone("relay stopped"), Instant::now()))
    }
}

/// The sending half of a connection's queue.
#[derive(Debug)]
pub(crate) struct Outbox {
    frames: mpsc::Sender<Message>,
    queued_bytes: AtomicUsize,
    max_bytes: usize,
    end: Arc<EndSignal>,
    counters: Arc<Counters>,
    conn: ConnId,
    log: Logger,
}

impl Outbox {
    /// The queue of connection `conn`, bounded by `max_frames` and `max_bytes`, and the
    /// receiver its writer drains.
    pub fn new(
        max_frames: usize,
        max_bytes: usize,
        end: Arc<EndSignal>,
        counters: Arc<Counters>,
        conn: ConnId,
        log: Logger,
    ) -> (Arc<Self>, mpsc::Receiver<Message>) {
        let (frames, rx) = mpsc::channel(max_frames.max(1));
        let outbox = Outbox {
            frames,
            queued_bytes: AtomicUsize::new(0),
            max_bytes,
            end,
            counters,
            conn,
            log,
        };
        (Arc::new(outbox), rx)
    }

    /// Queues a frame without waiting. When the queue is full the connection is ended with
    /// 1013 (counted once) and `false` is returned; a closed queue also returns `false`.
    pub fn push(&self, frame: Message) -> bool {
        let len = frame.len();
        let before = self.queued_bytes.fetch_add(len, Ordering::AcqRel);
        if before.saturating_add(len) > self.max_bytes {
            self.queued_bytes.fetch_sub(len, Ordering::AcqRel);
            self.overflow();
            return false;
        }
        match self.frames.try_send(frame) {
            Ok(()) => true,
            Err(e) => {
                self.queued_bytes.fetch_sub(len, Ordering::AcqRel);
                if matches!(e, mpsc::error::TrySendError::Full(_)) {
                    self.overflow();
                }
                false
            }
        }
    }

    /// The writer handed a frame of `len` bytes to the socket.
    pub fn sent(&self, len: usize) {
        self.queued_bytes.fetch_sub(len, Ordering::AcqRel);
    }

    fn overflow(&self) {
        let slow = Ending::Close {
            code: close_code::TRY_AGAIN_LATER,
            reason: "slow consumer: send queue full",
        };
        if self.end.end(slow) {
            Counters::bump(&self.counters.slow_consumer_disconnects);
            self.log.log(
                Level::Warn,
                format_args!(
                    "conn {}: slow consumer, send queue full ({} frames, {} bytes queued): closing with 1013",
                    self.conn,
                    self.frames.max_capacity() - self.frames.capacity(),
                    self.queued_bytes.load(Ordering::Acquire),
                ),
            );
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn full_queue_ends_the_connection_once() {
        let end = Arc::new(EndSignal::new(Duration::from_secs(1)));
        let counters = Arc::new(Counters::default());
        let log = Logger::new(Level::Off);
        let (outbox, mut rx) = Outbox::new(2, 10, end.clone(), counters.clone(), 1, log);
        assert!(outbox.push(Message::binary(vec![0; 4])));
        assert!(outbox.push(Message::binary(vec![0; 4])));
        // Bytes: 8 + 4 > 10.
        assert!(!outbox.push(Message::binary(vec![0; 4])));
        assert_eq!(
            end.ended().await.0,
            Ending::Close {
                code: 1013,
                reason: "slow consumer: send queue full"
            }
        );
        let frame = rx.recv().await.unwrap();
        outbox.sent(frame.len());
        // Frames: 2 queued slots, one free now; then the frame bound refuses the next.
        assert!(outbox.push(Message::binary(vec![0; 1])));
        assert!(!outbox.push(Message::binary(vec![0; 1])));
        assert_eq!(counters.snapshot().slow_consumer_disconnects, 1);
        assert!(!end.end(Ending::Gone("test")));
    }
}
