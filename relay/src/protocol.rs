//! The relay's wire protocol, version 1 (normative text: `docs/relay-protocol.md`).
//!
//! Control frames are JSON text frames; data frames are binary frames with a small header:
//!
//! ```text
//! kind (1 byte) | L (u16, big-endian) | stream partition (L bytes UTF-8, `streamId#partition`) | payload
//! ```
//!
//! Everything here is pure: parsing returns typed errors, encoding returns bytes. The
//! payload is never looked at.

use bytes::{Bytes, BytesMut};
use serde::Deserialize;
use serde_json::{Value, json};

/// Protocol version, sent in the `hello` frame. Bumped only for incompatible changes.
pub const PROTOCOL_VERSION: u32 = 1;

/// The WebSocket subprotocol a client may ask for (`new WebSocket(url, SUBPROTOCOL)`).
pub const SUBPROTOCOL: &str = "streamr-e2ee-relay.v1";

/// Binary frame kind: a client publishes a payload to a stream partition.
pub const KIND_PUBLISH: u8 = 0x01;

/// Binary frame kind: the relay delivers a payload published by another connection.
pub const KIND_MESSAGE: u8 = 0x02;

/// Bytes before the stream partition in a binary frame (kind and length).
pub const HEADER_FIXED_BYTES: usize = 3;

/// Longest stream partition (`streamId#partition`, UTF-8 bytes).
pub const MAX_STREAM_PARTITION_BYTES: usize = 512;

/// Longest binary header: the fixed part plus the longest stream partition.
pub const MAX_HEADER_BYTES: usize = HEADER_FIXED_BYTES + MAX_STREAM_PARTITION_BYTES;

/// Largest partition number (Streamr allows 100 partitions, 0..=99).
pub const MAX_PARTITION: u32 = 99;

/// Largest accepted JSON control frame, in bytes.
pub const MAX_CONTROL_FRAME_BYTES: usize = 16 * 1024;

/// WebSocket close codes the relay sends (RFC 6455 section 7.4, and one private code).
pub mod close_code {
    /// The client closed; the relay echoes its close.
    pub const NORMAL: u16 = 1000;
    /// The relay is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// The client broke the WebSocket protocol itself (bad framing, invalid UTF-8 text).
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// Too many protocol errors on this connection.
    pub const POLICY_VIOLATION: u16 = 1008;
    /// A WebSocket message larger than the relay's frame limit.
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    /// The connection's send queue overflowed (slow consumer), or the relay is full.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// The client sent nothing, not even a pong, for the idle timeout.
    pub const IDLE_TIMEOUT: u16 = 4000;
}

/// Stable error codes of `error` frames. Never renamed; new ones may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// Not JSON, not an object, a missing or mistyped field, or a binary header that does not
    /// parse (too short, a length beyond the frame, not UTF-8).
    MalformedFrame,
    /// A JSON `type` or binary kind the relay does not know (or that only the relay sends).
    UnknownType,
    /// A stream partition that is not `streamId#partition` with a partition in 0..=99.
    InvalidStreamPartition,
    /// A payload above `maxPayloadBytes`, or a control frame above `maxControlFrameBytes`.
    FrameTooLarge,
    /// A subscribe beyond `maxSubscriptions` on this connection.
    SubscriptionLimit,
}

impl ErrorCode {
    /// The code as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedFrame => "MALFORMED_FRAME",
            ErrorCode::UnknownType => "UNKNOWN_TYPE",
            ErrorCode::InvalidStreamPartition => "INVALID_STREAM_PARTITION",
            ErrorCode::FrameTooLarge => "FRAME_TOO_LARGE",
            ErrorCode::SubscriptionLimit => "SUBSCRIPTION_LIMIT",
        }
    }
}

/// A protocol error: the code, a human-readable message and the request id if there was one.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtocolError {
    /// Stable code.
    pub code: ErrorCode,
    /// Human-readable detail (never contains payload bytes).
    pub message: String,
    /// The `id` of the offending request, when it had a usable one.
    pub id: Option<Value>,
}

impl ProtocolError {
    /// An error without a request id.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ProtocolError {
            code,
            message: message.into(),
            id: None,
        }
    }

    /// The same error, naming the request it answers.
    pub fn with_id(mut self, id: Option<Value>) -> Self {
        self.id = id;
        self
    }
}

/// A validated stream partition in its canonical text form, `streamId#partition`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamPartition(Box<str>);

impl StreamPartition {
    /// Parses `streamId#partition`: the partition is the decimal number after the last `#`,
    /// in 0..=99 and without leading zeros; the stream id is non-empty and has no control
    /// characters; the whole is at most [`MAX_STREAM_PARTITION_BYTES`].
    pub fn parse(text: &str) -> Result<Self, ProtocolError> {
        let invalid = |why: &str| {
            ProtocolError::new(
                ErrorCode::InvalidStreamPartition,
                format!("stream partition {why}; expected streamId#partition"),
            )
        };
        if text.len() > MAX_STREAM_PARTITION_BYTES {
            return Err(invalid("too long"));
        }
        let Some((stream_id, partition)) = text.rsplit_once('#') else {
            return Err(invalid("has no '#'"));
        };
        if stream_id.is_empty() {
            return Err(invalid("has an empty stream id"));
        }
        if stream_id.chars().any(char::is_control) {
            return Err(invalid("has a control character"));
        }
        let canonical = !partition.is_empty()
            && partition.bytes().all(|b| b.is_ascii_digit())
            && (partition == "0" || !partition.starts_with('0'));
        match partition.parse::<u32>() {
            Ok(n) if canonical && n <= MAX_PARTITION => Ok(StreamPartition(text.into())),
            _ => Err(invalid("has a partition outside 0..=99")),
        }
    }

    /// The canonical text form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for StreamPartition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A control request from a client (a JSON text frame).
#[derive(Clone, Debug, PartialEq)]
pub enum ClientControl {
    /// Start receiving the stream partition's messages.
    Subscribe {
        /// Request id, echoed in the ack or error.
        id: Option<Value>,
        /// What to subscribe to.
        stream_partition: StreamPartition,
    },
    /// Stop receiving the stream partition's messages.
    Unsubscribe {
        /// Request id, echoed in the ack or error.
        id: Option<Value>,
        /// What to unsubscribe from.
        stream_partition: StreamPartition,
    },
    /// Application-level liveness check; answered with `pong`.
    Ping {
        /// Request id, echoed in the pong.
        id: Option<Value>,
    },
}

#[derive(Deserialize)]
struct RawControl {
    #[serde(rename = "type")]
    kind: Option<Value>,
    id: Option<Value>,
    #[serde(rename = "streamPartition")]
    stream_partition: Option<Value>,
}

/// Parses a JSON control frame.
pub fn parse_control(text: &str) -> Result<ClientControl, ProtocolError> {
    if text.len() > MAX_CONTROL_FRAME_BYTES {
        return Err(ProtocolError::new(
            ErrorCode::FrameTooLarge,
            format!("control frame above {MAX_CONTROL_FRAME_BYTES} bytes"),
        ));
    }
    let raw: RawControl = serde_json::from_str(text).map_err(|_| {
        ProtocolError::new(ErrorCode::MalformedFrame, "not a JSON object with a type")
    })?;
    // An id is echoed only when it is a string or a number; anything else is an error.
    let id = match raw.id {
        None | Some(Value::Null) => None,
        Some(v @ (Value::String(_) | Value::Number(_))) => Some(v),
        Some(_) => {
            return Err(ProtocolError::new(
                ErrorCode::MalformedFrame,
                "id must be a string or a number",
            ));
        }
    };
    let kind = match raw.kind {
        Some(Value::String(kind)) => kind,
        _ => {
            return Err(
                ProtocolError::new(ErrorCode::MalformedFrame, "type must be a string").with_id(id),
            );
        }
    };
    let stream_partition = |raw: Option<Value>, id: &Option<Value>| match raw {
        Some(Value::String(s)) => StreamPartition::parse(&s).map_err(|e| e.with_id(id.clone())),
        _ => Err(ProtocolError::new(
            ErrorCode::MalformedFrame,
            "streamPartition must be a string",
        )
        .with_id(id.clone())),
    };
    match kind.as_str() {
        "subscribe" => Ok(ClientControl::Subscribe {
            stream_partition: stream_partition(raw.stream_partition, &id)?,
            id,
        }),
        "unsubscribe" => Ok(ClientControl::Unsubscribe {
            stream_partition: stream_partition(raw.stream_partition, &id)?,
            id,
        }),
        "ping" => Ok(ClientControl::Ping { id }),
        _ => Err(ProtocolError::new(
            ErrorCode::UnknownType,
            format!("unknown control type {}", truncate(&kind, 64)),
        )
        .with_id(id)),
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    let mut out: String = s.chars().take(max_chars).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    format!("{out:?}")
}

/// A parsed `publish` frame: where to, and the frame re-labelled as a `message` for the
/// subscribers (same bytes, kind byte changed), so fan-out copies nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct Publish {
    /// The destination.
    pub stream_partition: StreamPartition,
    /// The whole frame with kind [`KIND_MESSAGE`], ready to send to subscribers.
    pub message_frame: Bytes,
    /// The payload length in bytes.
    pub payload_len: usize,
}

/// Parses a binary frame from a client. Only `publish` is valid in that direction.
pub fn parse_publish(frame: Bytes, max_payload_bytes: usize) -> Result<Publish, ProtocolError> {
    let malformed = |why: &str| ProtocolError::new(ErrorCode::MalformedFrame, why.to_owned());
    let (&kind, rest) = frame
        .split_first()
        .ok_or_else(|| malformed("empty binary frame"))?;
    if kind != KIND_PUBLISH {
        return Err(ProtocolError::new(
            ErrorCode::UnknownType,
            format!("unknown binary frame kind 0x{kind:02x}"),
        ));
    }
    let (len, rest) = rest
        .split_first_chunk::<2>()
        .ok_or_else(|| malformed("binary header shorter than 3 bytes"))?;
    let len = usize::from(u16::from_be_bytes(*len));
    if len > MAX_STREAM_PARTITION_BYTES {
        return Err(ProtocolError::new(
            ErrorCode::InvalidStreamPartition,
            format!("stream partition longer than {MAX_STREAM_PARTITION_BYTES} bytes"),
        ));
    }
    let (name, payload) = rest
        .split_at_checked(len)
        .ok_or_else(|| malformed("stream partition length beyond the frame"))?;
    let name = std::str::from_utf8(name).map_err(|_| malformed("stream partition is not UTF-8"))?;
    let stream_partition = StreamPartition::parse(name)?;
    let payload_len = payload.len();
    if payload_len > max_payload_bytes {
        return Err(ProtocolError::new(
            ErrorCode::FrameTooLarge,
            format!("payload of {payload_len} bytes above the limit of {max_payload_bytes}"),
        ));
    }
    // Re-label in place: no copy when the frame buffer is not shared (the usual case).
    let mut message = BytesMut::from(frame);
    if let Some(first) = message.first_mut() {
        *first = KIND_MESSAGE;
    }
    Ok(Publish {
        stream_partition,
        message_frame: message.freeze(),
        payload_len,
    })
}

/// Encodes a binary frame: `kind | len | stream partition | payload`. For clients (and
/// tests) that build frames; the relay itself only re-labels.
pub fn encode_frame(kind: u8, stream_partition: &str, payload: &[u8]) -> Vec<u8> {
    let name = stream_partition.as_bytes();
    // Longer names do not fit the u16; truncating would send to another partition, so
    // saturate and let the relay reject the frame.
    let len = u16::try_from(name.len()).unwrap_or(u16::MAX);
    let mut out = Vec::with_capacity(HEADER_FIXED_BYTES + name.len() + payload.len());
    out.push(kind);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(name);
    out.extend_from_slice(payload);
    out
}

/// Splits a binary frame into kind, stream partition and payload, without validating the
/// stream partition. For clients (and tests) reading `message` frames.
pub fn decode_frame(frame: &[u8]) -> Option<(u8, &str, &[u8])> {
    let (&kind, rest) = frame.split_first()?;
    let (len, rest) = rest.split_first_chunk::<2>()?;
    let (name, payload) = rest.split_at_checked(usize::from(u16::from_be_bytes(*len)))?;
    Some((kind, std::str::from_utf8(name).ok()?, payload))
}

/// Limits announced to every client in the `hello` frame.
#[derive(Clone, Copy, Debug)]
pub struct AnnouncedLimits {
    /// Largest publish payload.
    pub max_payload_bytes: usize,
    /// Most subscriptions per connection.
    pub max_subscriptions: usize,
    /// How often the relay sends WebSocket pings.
    pub ping_interval_ms: u128,
    /// Silence after which the relay drops a connection.
    pub idle_timeout_ms: u128,
}

/// The `hello` frame, the first frame on every connection.
pub fn hello(limits: &AnnouncedLimits) -> String {
    json!({
        "type": "hello",
        "protocol": "streamr-e2ee-relay",
        "version": PROTOCOL_VERSION,
        "limits": {
            "maxPayloadBytes": limits.max_payload_bytes,
            "maxHeaderBytes": MAX_HEADER_BYTES,
            "maxControlFrameBytes": MAX_CONTROL_FRAME_BYTES,
            "maxSubscriptions": limits.max_subscriptions,
            "pingIntervalMs": limits.ping_interval_ms,
            "idleTimeoutMs": limits.idle_timeout_ms,
        }
    })
    .to_string()
}

/// The `ack` frame answering a subscribe or unsubscribe.
pub fn ack(id: Option<&Value>) -> String {
    json!({ "type": "ack", "id": id }).to_string()
}

/// The `pong` frame answering a `ping`.
pub fn pong(id: Option<&Value>) -> String {
    json!({ "type": "pong", "id": id }).to_string()
}

/// The `error` frame.
pub fn error(e: &ProtocolError) -> String {
    json!({ "type": "error", "id": e.id, "code": e.code.as_str(), "message": e.message })
        .to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn stream_partitions() {
        for ok in [
            "0xabc/foo#0",
            "a#99",
            "x#1#2",
            "ens.eth/path/with spaces#10",
        ] {
            assert_eq!(StreamPartition::parse(ok).unwrap().as_str(), ok);
        }
        let long = format!("{}#0", "s".repeat(MAX_STREAM_PARTITION_BYTES));
        for bad in [
            "", "abc", "#0", "abc#", "abc#100", "abc#01", "abc#-1", "abc#+1", "abc# 1", "a\nb#0",
            "abc#0x1", &long,
        ] {
            let e = StreamPartition::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidStreamPartition, "{bad:?}");
        }
    }

    #[test]
    fn control_frames() {
        assert_eq!(
            parse_control(r#"{"type":"subscribe","id":7,"streamPartition":"s#1"}"#).unwrap(),
            ClientControl::Subscribe {
                id: Some(json!(7)),
                stream_partition: StreamPartition::parse("s#1").unwrap()
            }
        );
        assert_eq!(
            parse_control(r#"{"type":"ping","extra":[1]}"#).unwrap(),
            ClientControl::Ping { id: None }
        );
        let cases = [
            ("garbage", ErrorCode::MalformedFrame, None),
            ("[1,2]", ErrorCode::MalformedFrame, None),
            (r#"{"id":"a"}"#, ErrorCode::MalformedFrame, Some(json!("a"))),
            (r#"{"type":"x","id":{}}"#, ErrorCode::MalformedFrame, None),
            (
                r#"{"type":"nope","id":"b"}"#,
                ErrorCode::UnknownType,
                Some(json!("b")),
            ),
            (
                r#"{"type":"subscribe","id":3}"#,
                ErrorCode::MalformedFrame,
                Some(json!(3)),
            ),
            (
                r#"{"type":"unsubscribe","id":4,"streamPartition":"s"}"#,
                ErrorCode::InvalidStreamPartition,
                Some(json!(4)),
            ),
        ];
        for (text, code, id) in cases {
            let e = parse_control(text).unwrap_err();
            assert_eq!((e.code, e.id), (code, id), "{text}");
        }
        let big = format!(
            r#"{{"type":"ping","pad":"{}"}}"#,
            "x".repeat(MAX_CONTROL_FRAME_BYTES)
        );
        assert_eq!(
            parse_control(&big).unwrap_err().code,
            ErrorCode::FrameTooLarge
        );
    }

    #[test]
    fn publish_frames() {
        let frame = encode_frame(KIND_PUBLISH, "s#3", b"payload");
        let p = parse_publish(Bytes::from(frame), 7).unwrap();
        assert_eq!(p.stream_partition.as_str(), "s#3");
        assert_eq!(p.payload_len, 7);
        assert_eq!(
            decode_frame(&p.message_frame),
            Some((KIND_MESSAGE, "s#3", &b"payload"[..]))
        );

        let code = |frame: Vec<u8>| parse_publish(Bytes::from(frame), 4).unwrap_err().code;
        assert_eq!(code(vec![]), ErrorCode::MalformedFrame);
        assert_eq!(code(vec![1, 0]), ErrorCode::MalformedFrame);
        assert_eq!(code(vec![1, 0, 9, b'a']), ErrorCode::MalformedFrame);
        assert_eq!(
            code(vec![1, 0, 3, 0xff, b'#', b'0']),
            ErrorCode::MalformedFrame
        );
        assert_eq!(
            code(encode_frame(KIND_MESSAGE, "s#0", b"")),
            ErrorCode::UnknownType
        );
        assert_eq!(code(encode_frame(9, "s#0", b"")), ErrorCode::UnknownType);
        assert_eq!(
            code(encode_frame(1, "s", b"")),
            ErrorCode::InvalidStreamPartition
        );
        assert_eq!(
            code(encode_frame(1, "s#0", b"12345")),
            ErrorCode::FrameTooLarge
        );
        let long = "s".repeat(MAX_STREAM_PARTITION_BYTES + 1);
        assert_eq!(
            code(encode_frame(1, &long, b"")),
            ErrorCode::InvalidStreamPartition
        );
        // An empty payload is relayed: the relay does not judge payloads.
        assert!(parse_publish(Bytes::from(encode_frame(1, "s#0", b"")), 4).is_ok());
    }

    #[test]
    fn server_frames() {
        let e = ProtocolError::new(ErrorCode::UnknownType, "m").with_id(Some(json!("r1")));
        let v: Value = serde_json::from_str(&error(&e)).unwrap();
        assert_eq!(
            v,
            json!({"type": "error", "id": "r1", "code": "UNKNOWN_TYPE", "message": "m"})
        );
        let v: Value = serde_json::from_str(&ack(None)).unwrap();
        assert_eq!(v, json!({"type": "ack", "id": null}));
    }
}
