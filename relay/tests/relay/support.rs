//! A relay on 127.0.0.1 port 0 and real WebSocket clients for it.
//!
//! Every wait is on an event with a generous bound ([`WAIT`]): on a loaded machine things
//! take longer, never shorter, and no test asserts on how long something took.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use streamr_e2ee_relay::log::Level;
use streamr_e2ee_relay::protocol::{self, KIND_MESSAGE, KIND_PUBLISH};
use streamr_e2ee_relay::{Config, Relay, RelayHandle, Stats};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Response;

/// Bound on any single wait. Generous: only a broken relay gets near it.
pub const WAIT: Duration = Duration::from_secs(30);

/// A test configuration: port 0, no logs (set `RELAY_TEST_LOG=debug` to see them).
pub fn config() -> Config {
    let log_level = std::env::var("RELAY_TEST_LOG")
        .ok()
        .and_then(|l| Level::parse(&l))
        .unwrap_or(Level::Off);
    Config {
        port: 0,
        log_level,
        ..Config::default()
    }
}

/// An in-process relay, served by a task of the test's runtime.
pub struct TestRelay {
    pub handle: RelayHandle,
    task: JoinHandle<()>,
}

impl TestRelay {
    pub async fn start(config: Config) -> TestRelay {
        let relay = Relay::bind(config).await.expect("bind 127.0.0.1:0");
        assert!(relay.local_addr().ip().is_loopback());
        let handle = relay.handle();
        let task = tokio::spawn(relay.run());
        TestRelay { handle, task }
    }

    pub fn addr(&self) -> SocketAddr {
        self.handle.local_addr()
    }

    pub fn stats(&self) -> Stats {
        self.handle.stats()
    }

    /// Waits until the counters satisfy `ready`.
    pub async fn wait_for_stats(&self, what: &str, ready: impl Fn(&Stats) -> bool) -> Stats {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let stats = self.stats();
            if ready(&stats) {
                return stats;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {what}: {stats:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn connect(&self) -> Client {
        Client::connect(self.addr()).await
    }

    /// Shuts the relay down and waits for `run` to return.
    pub async fn stop(self) {
        self.handle.shutdown();
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("relay stops")
            .expect("relay task");
    }
}

/// What a client saw.
#[derive(Debug, PartialEq)]
pub enum Event {
    /// A JSON control frame.
    Json(Value),
    /// A binary `message` frame.
    Message {
        stream_partition: String,
        payload: Vec<u8>,
    },
    /// A close frame, with its code.
    Closed(Option<u16>),
    /// The stream ended without (further) close frame, or failed.
    Ended(String),
}

pub struct Client {
    ws: WebSocketStream<TcpStream>,
    pub response: Response,
    next_id: u64,
}

impl Client {
    /// Connects and reads the `hello` frame.
    pub async fn connect(addr: SocketAddr) -> Client {
        let mut client = Client::connect_raw(addr).await;
        let hello = client.expect_json().await;
        assert_eq!(hello["type"], "hello", "{hello}");
        assert_eq!(hello["version"], 1, "{hello}");
        client
    }

    /// Connects without reading anything.
    pub async fn connect_raw(addr: SocketAddr) -> Client {
        let tcp = TcpStream::connect(addr).await.expect("tcp connect");
        Client::handshake(addr, tcp, None).await
    }

    /// Connects with a small receive buffer, so that a client that stops reading fills up
    /// quickly.
    pub async fn connect_small_buffer(addr: SocketAddr) -> Client {
        let socket = TcpSocket::new_v4().expect("socket");
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let tcp = socket.connect(addr).await.expect("tcp connect");
        let mut client = Client::handshake(addr, tcp, None).await;
        assert_eq!(client.expect_json().await["type"], "hello");
        client
    }

    /// Connects offering `subprotocol`.
    pub async fn connect_with_subprotocol(addr: SocketAddr, subprotocol: &str) -> Client {
        let tcp = TcpStream::connect(addr).await.expect("tcp connect");
        Client::handshake(addr, tcp, Some(subprotocol)).await
    }

    async fn handshake(addr: SocketAddr, tcp: TcpStream, subprotocol: Option<&str>) -> Client {
        let mut request = format!("ws://{addr}/")
            .into_client_request()
            .expect("request");
        if let Some(p) = subprotocol {
            request
                .headers_mut()
                .insert("sec-websocket-protocol", p.parse().expect("header"));
        }
        let (ws, response) =
            tokio::time::timeout(WAIT, tokio_tungstenite::client_async(request, tcp))
                .await
                .expect("handshake in time")
                .expect("handshake");
        Client {
            ws,
            response,
            next_id: 0,
        }
    }

    pub async fn send(&mut self, message: Message) {
        tokio::time::timeout(WAIT, self.ws.send(message))
            .await
            .expect("send in time")
            .expect("send");
    }

    pub async fn send_json(&mut self, value: Value) {
        self.send(Message::text(value.to_string())).await;
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Subscribes and waits for the ack (which must be the next frame).
    pub async fn subscribe(&mut self, stream_partition: &str) {
        let id = self.id();
        self.send_json(json!({"type": "subscribe", "id": id, "streamPartition": stream_partition}))
            .await;
        assert_eq!(self.expect_json().await, json!({"type": "ack", "id": id}));
    }

    /// Unsubscribes and waits for the ack (which must be the next frame).
    pub async fn unsubscribe(&mut self, stream_partition: &str) {
        let id = self.id();
        self.send_json(
            json!({"type": "unsubscribe", "id": id, "streamPartition": stream_partition}),
        )
        .await;
        assert_eq!(self.expect_json().await, json!({"type": "ack", "id": id}));
    }

    pub async fn publish(&mut self, stream_partition: &str, payload: &[u8]) {
        self.feed(stream_partition, payload).await;
        self.flush().await;
    }

    /// Queues a publish without flushing (for bursts).
    pub async fn feed(&mut self, stream_partition: &str, payload: &[u8]) {
        let frame = protocol::encode_frame(KIND_PUBLISH, stream_partition, payload);
        tokio::time::timeout(WAIT, self.ws.feed(Message::binary(frame)))
            .await
            .expect("feed in time")
            .expect("feed");
    }

    pub async fn flush(&mut self) {
        tokio::time::timeout(WAIT, self.ws.flush())
            .await
            .expect("flush in time")
            .expect("flush");
    }

    /// The next event, skipping WebSocket pings and pongs (answered automatically).
    pub async fn next_event(&mut self) -> Event {
        loop {
            let next = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("an event in time");
            return match next {
                None => Event::Ended("end of stream".into()),
                Some(Err(e)) => Event::Ended(e.to_string()),
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                Some(Ok(Message::Close(frame))) => Event::Closed(frame.map(|f| f.code.into())),
                Some(Ok(Message::Text(text))) => {
                    Event::Json(serde_json::from_str(text.as_str()).expect("relay sends JSON"))
                }
                Some(Ok(Message::Binary(frame))) => {
                    let (kind, stream_partition, payload) =
                        protocol::decode_frame(&frame).expect("relay sends valid frames");
                    assert_eq!(kind, KIND_MESSAGE);
                    Event::Message {
                        stream_partition: stream_partition.to_owned(),
                        payload: payload.to_vec(),
                    }
                }
            };
        }
    }

    pub async fn expect_json(&mut self) -> Value {
        match self.next_event().await {
            Event::Json(v) => v,
            other => panic!("expected a JSON frame, got {other:?}"),
        }
    }

    /// Expects an `error` frame with `code`, and returns it.
    pub async fn expect_error(&mut self, code: &str) -> Value {
        let v = self.expect_json().await;
        assert_eq!(
            (&v["type"], &v["code"]),
            (&json!("error"), &json!(code)),
            "{v}"
        );
        v
    }

    pub async fn expect_message(&mut self) -> (String, Vec<u8>) {
        match self.next_event().await {
            Event::Message {
                stream_partition,
                payload,
            } => (stream_partition, payload),
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// Reads until the connection closes; returns the close code (None if the stream ended
    /// without a close frame) and how many messages and JSON frames came before.
    pub async fn expect_end(&mut self) -> (Option<u16>, usize) {
        let mut before = 0;
        loop {
            match self.next_event().await {
                Event::Closed(code) => return (code, before),
                Event::Ended(_) => return (None, before),
                Event::Json(_) | Event::Message { .. } => before += 1,
            }
        }
    }

    /// Reads until the connection closes and returns the close frame's code; fails if the
    /// stream ended without one.
    pub async fn expect_close(&mut self) -> u16 {
        match self.expect_end().await {
            (Some(code), _) => code,
            (None, _) => panic!("the connection ended without a close frame"),
        }
    }

    /// A round trip: sends a `ping` and expects its `pong` as the very next frame. Since
    /// the relay queues a connection's frames in order, this proves nothing else was
    /// queued for this client before the ping was handled.
    pub async fn barrier(&mut self) {
        let id = format!("barrier-{}", self.id());
        self.send_json(json!({"type": "ping", "id": id})).await;
        assert_eq!(
            self.next_event().await,
            Event::Json(json!({"type": "pong", "id": id}))
        );
    }

    pub async fn close(mut self) {
        let _ = tokio::time::timeout(WAIT, self.ws.close(None)).await;
        let _ = tokio::time::timeout(WAIT, async { while self.ws.next().await.is_some() {} }).await;
    }
}

/// A message event.
pub fn message(stream_partition: &str, payload: &[u8]) -> Event {
    Event::Message {
        stream_partition: stream_partition.to_owned(),
        payload: payload.to_vec(),
    }
}
