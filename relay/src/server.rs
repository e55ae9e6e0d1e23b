//! The listener: accepts connections within the connection limit, and shuts down cleanly.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::config::Config;
use crate::connection;
use crate::log::{Level, Logger};
use crate::protocol::{AnnouncedLimits, MAX_HEADER_BYTES};
use crate::router::Router;
use crate::stats::{Counters, Stats};

/// Connections over the limit that may be in their handshake at once, to be told 1013;
/// beyond that, connections over the limit are dropped without a handshake.
const REJECT_SLOTS: u64 = 16;

/// Socket buffers of tungstenite, per connection (its defaults are 128 KiB each).
const SOCKET_BUFFER_BYTES: usize = 32 * 1024;

/// State shared by the listener and every connection.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    pub ws_config: WebSocketConfig,
    pub router: Router,
    pub counters: Arc<Counters>,
    pub log: Logger,
    /// `true` once the relay is shutting down.
    pub shutdown: watch::Sender<bool>,
    next_conn: AtomicU64,
    rejecting: AtomicU64,
}

impl Shared {
    pub fn announced_limits(&self) -> AnnouncedLimits {
        AnnouncedLimits {
            max_payload_bytes: self.config.max_payload_bytes,
            max_subscriptions: self.config.max_subscriptions,
            ping_interval_ms: self.config.ping_interval.as_millis(),
            idle_timeout_ms: self.config.idle_timeout.as_millis(),
        }
    }
}

/// Resolves once the relay is shutting down. (Returns `()` rather than the watch's guard,
/// which must not be held across an await.)
pub(crate) async fn shutting_down(shutdown: &mut watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens when the relay is dropped.
    let _ = shutdown.wait_for(|down| *down).await;
}

/// A bound relay, not yet serving. [`Relay::run`] serves until [`RelayHandle::shutdown`].
#[derive(Debug)]
pub struct Relay {
    listener: TcpListener,
    addr: SocketAddr,
    shared: Arc<Shared>,
}

/// Controls a relay from elsewhere: its address, its counters, and shutdown.
#[derive(Clone, Debug)]
pub struct RelayHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl RelayHandle {
    /// The address the relay listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://host:port`.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot()
    }

    /// The relay's logger (for the binary's own lines).
    pub fn logger(&self) -> Logger {
        self.shared.log
    }

    /// Stops accepting, closes every connection with 1001 and makes [`Relay::run`] return
    /// (within the shutdown timeout, plus a little).
    pub fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
    }
}

impl Relay {
    /// Validates `config` and binds its address. Port 0 picks a free port: see
    /// [`Relay::local_addr`].
    pub async fn bind(config: Config) -> io::Result<Relay> {
        config
            .validate()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind((config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let frame_limit = config.max_payload_bytes + MAX_HEADER_BYTES;
        let ws_config = WebSocketConfig::default()
            .read_buffer_size(SOCKET_BUFFER_BYTES)
            .write_buffer_size(SOCKET_BUFFER_BYTES)
            .max_message_size(Some(frame_limit))
            .max_frame_size(Some(frame_limit));
        let shared = Shared {
            log: Logger::new(config.log_level),
            config,
            ws_config,
            router: Router::default(),
            counters: Arc::new(Counters::default()),
            shutdown: watch::Sender::new(false),
            next_conn: AtomicU64::new(1),
            rejecting: AtomicU64::new(0),
        };
        Ok(Relay {
            listener,
            addr,
            shared: Arc::new(shared),
        })
    }

    /// The address the relay listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle to the relay, valid after [`Relay::run`] took it.
    pub fn handle(&self) -> RelayHandle {
        RelayHandle {
            addr: self.addr,
            shared: self.shared.clone(),
        }
    }

    /// Serves until shutdown, then closes every connection with 1001 and returns once they
    /// are closed, or once the shutdown timeout has passed (dropping the rest).
    pub async fn run(self) {
        let Relay {
            listener,
            addr,
            shared,
        } = self;
        let log = shared.log;
        let config = &shared.config;
        log.log(
            Level::Info,
            format_args!(
                "listening on ws://{addr} (max {} connections, {} subscriptions each, payloads up to {} bytes)",
                config.max_connections, config.max_subscriptions, config.max_payload_bytes
            ),
        );
        let mut tasks = JoinSet::new();
        let mut shutdown = shared.shutdown.subscribe();
        loop {
            tokio::select! {
                biased;
                () = shutting_down(&mut shutdown) => break,
                Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Err(e) = done {
                        log.log(Level::Error, format_args!("connection task failed: {e}"));
                    }
                }
                accepted = listener.accept() => match accepted {
                    Ok((tcp, peer)) => accept(&shared, &mut tasks, tcp, peer),
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        log.log(Level::Warn, format_args!("accept failed: {e}"));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
            }
        }
        drop(listener);

        let open = tasks.len();
        log.log(
            Level::Info,
            format_args!("shutting down: closing {open} connection(s) with 1001"),
        );
        let drained = tokio::time::timeout(config.shutdown_timeout, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            log.log(
                Level::Warn,
                format_args!(
                    "{} connection(s) still closing after the shutdown timeout: dropped",
                    tasks.len()
                ),
            );
            tasks.shutdown().await;
        }
        let s = shared.counters.snapshot();
        log.log(
            Level::Info,
            format_args!(
                "stopped: {} connections served, {} rejected, {} published, {} queued to subscribers, \
                 {} protocol errors, {} slow consumers, {} idle timeouts, {} policy closes, {} too-big closes",
                s.connections_accepted,
                s.connections_rejected,
                s.messages_published,
                s.messages_queued,
                s.protocol_errors,
                s.slow_consumer_disconnects,
                s.idle_timeouts,
                s.policy_violation_closes,
                s.message_too_big_closes,
            ),
        );
    }
}

/// Starts serving (or rejecting) an accepted TCP connection.
fn accept(
    shared: &Arc<Shared>,
    tasks: &mut JoinSet<()>,
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
) {
    let conn = shared.next_conn.fetch_add(1, Ordering::Relaxed);
    if let Some(slot) = Slot::take(shared, SlotKind::Open) {
        let shared = shared.clone();
        tasks.spawn(async move {
            let _slot = slot;
            connection::serve(tcp, peer, conn, shared).await;
        });
        return;
    }
    Counters::bump(&shared.counters.connections_rejected);
    if let Some(slot) = Slot::take(shared, SlotKind::Rejecting) {
        let shared = shared.clone();
        tasks.spawn(async move {
            let _slot = slot;
            connection::reject(tcp, peer, conn, shared).await;
        });
    } else {
        shared.log.log(
            Level::Warn,
            format_args!("conn {conn}: from {peer} dropped: too many connections"),
        );
    }
}

#[derive(Clone, Copy)]
enum SlotKind {
    /// A served connection, counted in `connections_open` against `max_connections`.
    Open,
    /// A connection being told 1013, against [`REJECT_SLOTS`].
    Rejecting,
}

/// A counted place for one connection task; freed when the task ends (or is aborted).
struct Slot {
    shared: Arc<Shared>,
    kind: SlotKind,
}

impl Slot {
    fn counter(shared: &Shared, kind: SlotKind) -> (&AtomicU64, u64) {
        match kind {
            SlotKind::Open => (
                &shared.counters.connections_open,
                u64::try_from(shared.config.max_connections).unwrap_or(u64::MAX),
            ),
            SlotKind::Rejecting => (&shared.rejecting, REJECT_SLOTS),
        }
    }

    fn take(shared: &Arc<Shared>, kind: SlotKind) -> Option<Slot> {
        let (counter, max) = Slot::counter(shared, kind);
        counter
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()?;
        Some(Slot {
            shared: shared.clone(),
            kind,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let (counter, _) = Slot::counter(&self.shared, self.kind);
        counter.fetch_sub(1, Ordering::AcqRel);
    }
}
