//! One client connection: the WebSocket handshake, then a reader and a writer running side
//! by side until the connection ends, then a bounded closing phase.
//!
//! - The reader parses the client's frames, answers control requests through the
//!   connection's [`Outbox`], fans publishes out through the [`Router`](crate::router), and
//!   watches the idle deadline and the relay's shutdown.
//! - The writer drains the outbox into the socket and sends the heartbeat pings. A write
//!   that blocks (the client does not read) can always be abandoned: it waits in a
//!   `select!` with the [`EndSignal`].
//! - Whoever decides the end sets the [`EndSignal`]. The writer then sends what is queued
//!   (not for a slow consumer: its queue is dropped) and the close frame, the reader reads
//!   until the client's close, and the TCP connection is shut down gracefully, all within
//!   one close timeout of the decision.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, sleep_until, timeout, timeout_at};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::error::ProtocolError as WsProtocolError;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::SEC_WEBSOCKET_PROTOCOL;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use crate::log::Level;
use crate::outbox::{EndSignal, Ending, Outbox};
use crate::protocol::{self, ClientControl, ErrorCode, ProtocolError, StreamPartition, close_code};
use crate::router::ConnId;
use crate::server::{Shared, shutting_down};
use crate::stats::Counters;

type Ws = WebSocketStream<TcpStream>;

/// Frames the writer hands to the socket before it flushes.
const WRITE_BATCH: usize = 64;

/// Serves one accepted TCP connection until it ends.
pub(crate) async fn serve(tcp: TcpStream, peer: SocketAddr, conn: ConnId, shared: Arc<Shared>) {
    let Some(ws) = handshake(tcp, peer, conn, &shared).await else {
        return;
    };
    Counters::bump(&shared.counters.connections_accepted);
    shared
        .log
        .log(Level::Info, format_args!("conn {conn}: open from {peer}"));

    let config = &shared.config;
    let end = Arc::new(EndSignal::new(config.close_timeout));
    let (outbox, queue) = Outbox::new(
        config.send_queue_frames,
        config.send_queue_bytes,
        end.clone(),
        shared.counters.clone(),
        conn,
        shared.log,
    );
    outbox.push(Message::text(protocol::hello(&shared.announced_limits())));

    let (sink, stream) = ws.split();
    let mut reader = Reader {
        conn,
        shared: &shared,
        outbox: &outbox,
        end: &end,
        subscriptions: HashSet::new(),
        errors: 0,
    };
    let writer = Writer {
        shared: &shared,
        outbox: &outbox,
        end: &end,
    };
    let (stream, sink) = tokio::join!(reader.run(stream), writer.run(sink, queue));
    shared.router.remove_connection(conn, &reader.subscriptions);
    let (ending, close_by) = end.ended().await;

    // Graceful TCP close: send FIN, then read and discard until the client closes too, so
    // that unread input (say, the rest of an oversized frame) does not turn the close into
    // a reset that could destroy our close frame before the client reads it.
    if let Ok(ws) = stream.reunite(sink) {
        let mut tcp = ws.into_inner();
        let _ = timeout_at(close_by, async {
            let _ = tcp.shutdown().await;
            let mut sink = [0u8; 4096];
            while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {}
        })
        .await;
    }
    shared.log.log(
        Level::Info,
        format_args!("conn {conn}: closed ({})", describe(&ending)),
    );
}

/// Completes the handshake of a connection the relay has no room for, and closes it with
/// 1013.
pub(crate) async fn reject(tcp: TcpStream, peer: SocketAddr, conn: ConnId, shared: Arc<Shared>) {
    let Some(mut ws) = handshake(tcp, peer, conn, &shared).await else {
        return;
    };
    shared.log.log(
        Level::Warn,
        format_args!("conn {conn}: from {peer} rejected: too many connections"),
    );
    let frame = close_frame(
        close_code::TRY_AGAIN_LATER,
        "relay full: too many connections",
    );
    let _ = timeout(shared.config.close_timeout, async {
        let _ = ws.close(Some(frame)).await;
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

async fn handshake(tcp: TcpStream, peer: SocketAddr, conn: ConnId, shared: &Shared) -> Option<Ws> {
    let _ = tcp.set_nodelay(true);
    let accept =
        tokio_tungstenite::accept_hdr_async_with_config(tcp, negotiate, Some(shared.ws_config));
    let mut shutdown = shared.shutdown.subscribe();
    let result = tokio::select! {
        r = timeout(shared.config.handshake_timeout, accept) => r,
        () = shutting_down(&mut shutdown) => return None,
    };
    let why = match result {
        Ok(Ok(ws)) => return Some(ws),
        Ok(Err(e)) => format!("handshake failed: {e}"),
        Err(_) => "handshake timed out".to_owned(),
    };
    shared
        .log
        .log(Level::Info, format_args!("conn {conn}: from {peer}: {why}"));
    None
}

/// Selects the relay's subprotocol when the client offers it. A client that offers only
/// other subprotocols gets none back, and a browser then fails the connection: it asked
/// for a protocol this relay does not speak.
#[allow(clippy::result_large_err)] // the signature tungstenite's callback requires
fn negotiate(request: &Request, mut response: Response) -> Result<Response, ErrorResponse> {
    let offered = request
        .headers()
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == protocol::SUBPROTOCOL);
    if offered {
        response.headers_mut().insert(
            SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(protocol::SUBPROTOCOL),
        );
    }
    Ok(response)
}

fn close_frame(code: u16, reason: &'static str) -> CloseFrame {
    CloseFrame {
        code: code.into(),
        reason: Utf8Bytes::from_static(reason),
    }
}

fn describe(ending: &Ending) -> String {
    match ending {
        Ending::Close { code, reason } => format!("{code} {reason}"),
        Ending::Gone(why) => (*why).to_owned(),
    }
}

struct Reader<'a> {
    conn: ConnId,
    shared: &'a Shared,
    outbox: &'a Arc<Outbox>,
    end: &'a EndSignal,
    subscriptions: HashSet<StreamPartition>,
    errors: u32,
}

impl Reader<'_> {
    async fn run(&mut self, mut stream: SplitStream<Ws>) -> SplitStream<Ws> {
        let config = &self.shared.config;
        let mut shutdown = self.shared.shutdown.subscribe();
        let mut deadline = Instant::now() + config.idle_timeout;
        loop {
            let next = tokio::select! {
                biased;
                _ = self.end.ended() => break,
                () = shutting_down(&mut shutdown) => {
                    self.end.end(Ending::Close {
                        code: close_code::GOING_AWAY,
                        reason: "relay shutting down",
                    });
                    break;
                }
                // Input first: a frame that arrived is proof of life even if the
                // deadline passed meanwhile (a busy machine).
                next = stream.next() => next,
                () = sleep_until(deadline) => {
                    let idle = Ending::Close { code: close_code::IDLE_TIMEOUT, reason: "idle timeout" };
                    if self.end.end(idle) {
                        Counters::bump(&self.shared.counters.idle_timeouts);
                    }
                    break;
                }
            };
            match next {
                None => {
                    self.end.end(Ending::Gone("connection lost"));
                    return stream;
                }
                Some(Err(e)) => {
                    self.end.end(self.read_error(&e));
                    break;
                }
                Some(Ok(message)) => {
                    // Any frame, a pong included, shows the client is alive.
                    deadline = Instant::now() + config.idle_timeout;
                    self.handle(message);
                }
            }
        }
        // Closing: read until the client's close (or the end of the stream), bounded.
        let (_, close_by) = self.end.ended().await;
        let _ = timeout_at(close_by, async {
            while let Some(Ok(_)) = stream.next().await {}
        })
        .await;
        stream
    }

    fn read_error(&self, e: &WsError) -> Ending {
        match e {
            WsError::Capacity(_) => {
                Counters::bump(&self.shared.counters.message_too_big_closes);
                self.shared.log.log(
                    Level::Warn,
                    format_args!("conn {}: message above the frame limit", self.conn),
                );
                Ending::Close {
                    code: close_code::MESSAGE_TOO_BIG,
                    reason: "message too big",
                }
            }
            // The client dropped the TCP connection without a closing handshake: not a
            // protocol error worth a warning, just a lost connection.
            WsError::Protocol(WsProtocolError::ResetWithoutClosingHandshake) => {
                Ending::Gone("connection lost")
            }
            WsError::Protocol(_) | WsError::Utf8(_) => {
                self.shared.log.log(
                    Level::Warn,
                    format_args!("conn {}: WebSocket protocol error: {e}", self.conn),
                );
                Ending::Close {
                    code: close_code::PROTOCOL_ERROR,
                    reason: "WebSocket protocol error",
                }
            }
            _ => Ending::Gone("connection lost"),
        }
    }

    fn handle(&mut self, message: Message) {
        match message {
            Message::Text(text) => match protocol::parse_control(text.as_str()) {
                Ok(control) => self.control(control),
                Err(e) => self.protocol_error(e),
            },
            Message::Binary(frame) => self.publish(frame),
            Message::Close(_) => {
                // tungstenite queues the reply; the next read sends it and ends the stream.
                self.end.end(Ending::Gone("closed by the client"));
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
    }

    fn control(&mut self, control: ClientControl) {
        let shared = self.shared;
        match control {
            ClientControl::Subscribe {
                id,
                stream_partition,
            } => {
                if self.subscriptions.contains(&stream_partition) {
                    self.reply(protocol::ack(id.as_ref()));
                } else if self.subscriptions.len() >= shared.config.max_subscriptions {
                    let limit = shared.config.max_subscriptions;
                    self.protocol_error(
                        ProtocolError::new(
                            ErrorCode::SubscriptionLimit,
                            format!("at most {limit} subscriptions per connection"),
                        )
                        .with_id(id),
                    );
                } else {
                    shared.log.log(
                        Level::Debug,
                        format_args!("conn {}: subscribe {stream_partition}", self.conn),
                    );
                    let ack = Message::text(protocol::ack(id.as_ref()));
                    shared
                        .router
                        .subscribe(&stream_partition, self.conn, self.outbox, ack);
                    self.subscriptions.insert(stream_partition);
                }
            }
            ClientControl::Unsubscribe {
                id,
                stream_partition,
            } => {
                if self.subscriptions.remove(&stream_partition) {
                    shared.log.log(
                        Level::Debug,
                        format_args!("conn {}: unsubscribe {stream_partition}", self.conn),
                    );
                    let ack = Message::text(protocol::ack(id.as_ref()));
                    shared
                        .router
                        .unsubscribe(&stream_partition, self.conn, self.outbox, ack);
                } else {
                    self.reply(protocol::ack(id.as_ref()));
                }
            }
            ClientControl::Ping { id } => self.reply(protocol::pong(id.as_ref())),
        }
    }

    fn publish(&mut self, frame: Bytes) {
        match protocol::parse_publish(frame, self.shared.config.max_payload_bytes) {
            Ok(publish) => {
                let counters = &self.shared.counters;
                Counters::bump(&counters.messages_published);
                let queued = self.shared.router.publish(
                    &publish.stream_partition,
                    self.conn,
                    &publish.message_frame,
                );
                counters
                    .messages_queued
                    .fetch_add(queued, std::sync::atomic::Ordering::Relaxed);
            }
            Err(e) => self.protocol_error(e),
        }
    }

    fn reply(&self, text: String) {
        self.outbox.push(Message::text(text));
    }

    /// Sends an error frame; past the connection's error budget, closes it with 1008.
    fn protocol_error(&mut self, e: ProtocolError) {
        let shared = self.shared;
        Counters::bump(&shared.counters.protocol_errors);
        let id = e.id.as_ref().map(Value::to_string).unwrap_or_default();
        shared.log.log(
            Level::Warn,
            format_args!(
                "conn {}: {} {}{}",
                self.conn,
                e.code.as_str(),
                e.message,
                if id.is_empty() {
                    String::new()
                } else {
                    format!(" (request {id})")
                }
            ),
        );
        self.reply(protocol::error(&e));
        self.errors = self.errors.saturating_add(1);
        if self.errors >= shared.config.max_protocol_errors {
            let abuse = Ending::Close {
                code: close_code::POLICY_VIOLATION,
                reason: "too many protocol errors",
            };
            if self.end.end(abuse) {
                Counters::bump(&shared.counters.policy_violation_closes);
            }
        }
    }
}

struct Writer<'a> {
    shared: &'a Shared,
    outbox: &'a Outbox,
    end: &'a EndSignal,
}

impl Writer<'_> {
    async fn run(
        &self,
        mut sink: SplitSink<Ws, Message>,
        mut queue: mpsc::Receiver<Message>,
    ) -> SplitSink<Ws, Message> {
        let config = &self.shared.config;
        let period = config.ping_interval;
        let mut ping = tokio::time::interval_at(Instant::now() + period, period);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            let first = tokio::select! {
                biased;
                (ending, deadline) = self.end.ended() => {
                    self.close(&mut sink, &mut queue, ending, deadline).await;
                    return sink;
                }
                // Pings before data: a subscriber that only receives proves it is alive
                // by its pongs, so a busy stream must not starve them.
                _ = ping.tick() => Message::Ping(Bytes::new()),
                frame = queue.recv() => match frame {
                    Some(frame) => frame,
                    // Unreachable: the outbox holds the sender until this task ends.
                    None => return sink,
                },
            };
            let ending = {
                let write = self.write_batch(&mut sink, &mut queue, first);
                tokio::pin!(write);
                tokio::select! {
                    biased;
                    written = &mut write => match written {
                        Ok(()) => None,
                        Err(_) => {
                            self.end.end(Ending::Gone("connection lost"));
                            Some(self.end.ended().await)
                        }
                    },
                    (ending, deadline) = self.end.ended() => {
                        // A write that blocks is abandoned at once for a slow consumer,
                        // and finished within the close timeout otherwise.
                        if ending.flushes_queue() {
                            let _ = timeout_at(deadline, &mut write).await;
                        }
                        Some((ending, deadline))
                    }
                }
            };
            if let Some((ending, deadline)) = ending {
                self.close(&mut sink, &mut queue, ending, deadline).await;
                return sink;
            }
        }
    }

    /// Writes `first` and whatever else is queued (up to a batch), then flushes.
    async fn write_batch(
        &self,
        sink: &mut SplitSink<Ws, Message>,
        queue: &mut mpsc::Receiver<Message>,
        first: Message,
    ) -> Result<(), WsError> {
        let mut next = Some(first);
        let mut fed = 0;
        while let Some(frame) = next.take() {
            // Pings do not come from the queue, so they are not in its byte count.
            let queued_len = if matches!(frame, Message::Ping(_)) {
                0
            } else {
                frame.len()
            };
            sink.feed(frame).await?;
            self.outbox.sent(queued_len);
            fed += 1;
            if fed < WRITE_BATCH {
                next = queue.try_recv().ok();
            }
        }
        sink.flush().await
    }

    /// Sends the close frame. Frames already queued go first, except for a slow consumer,
    /// whose queue is what it cannot take; the whole is bounded by the close timeout.
    async fn close(
        &self,
        sink: &mut SplitSink<Ws, Message>,
        queue: &mut mpsc::Receiver<Message>,
        ending: Ending,
        deadline: Instant,
    ) {
        let flush = ending.flushes_queue();
        let Ending::Close { code, reason } = ending else {
            return;
        };
        let _ = timeout_at(deadline, async {
            if flush {
                // No new frames from here on; the ones queued before the end go out.
                queue.close();
                while let Some(frame) = queue.recv().await {
                    let len = frame.len();
                    sink.feed(frame).await?;
                    self.outbox.sent(len);
                }
            }
            sink.send(Message::Close(Some(close_frame(code, reason))))
                .await
        })
        .await;
    }
}
