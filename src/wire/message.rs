//! The validated view of a StreamMessage: typed enums, non-negative numbers, the SDK's
//! validation rules applied. Converting back gives the wire struct field for field, so a
//! decoded SDK message re-encodes to the same bytes.

use prost::Message as _;

use super::proto;
use crate::error::{Error, Result};
use crate::user_id::UserId;

pub use proto::{AsymmetricEncryptionType, ContentType, EncryptionType, SignatureType};

/// Default upper bound for an encoded StreamMessage. The SDK's network refuses frames around
/// this size too; larger inputs are rejected before decoding (`MESSAGE_TOO_LARGE`).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// Identity of one message: its place in a stream partition and a publisher's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageId {
    /// Stream id, e.g. `0xabc…/path`.
    pub stream_id: String,
    /// Stream partition (non-negative).
    pub partition: u32,
    /// Unix milliseconds.
    pub timestamp: u64,
    /// Sequence number within the same timestamp.
    pub sequence_number: u32,
    /// The publisher (or the ERC-1271 contract it publishes for).
    pub publisher_id: UserId,
    /// The publisher's message chain on this partition.
    pub msg_chain_id: String,
}

impl MessageId {
    /// This message's place in its chain.
    pub fn reference(&self) -> MessageRef {
        MessageRef {
            timestamp: self.timestamp,
            sequence_number: self.sequence_number,
        }
    }
}

/// Reference to the previous message of the same chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MessageRef {
    /// Unix milliseconds.
    pub timestamp: u64,
    /// Sequence number.
    pub sequence_number: u32,
}

/// A group key encrypted for someone: under the current group key (rotation) or under a
/// subscriber's key-exchange public key (key response).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedGroupKey {
    /// The id of the key inside, in clear.
    pub id: String,
    /// The wrapped key bytes.
    pub data: Vec<u8>,
}

/// Stream content (body field 5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentMessage {
    /// The bytes as sent: ciphertext (`iv ‖ ct`) when encrypted.
    pub content: Vec<u8>,
    /// How to read the plaintext. Not signed: a hint only.
    pub content_type: ContentType,
    /// NONE or AES. Not signed: a hint only.
    pub encryption_type: EncryptionType,
    /// The id of the key the content is encrypted with. Not signed.
    pub group_key_id: Option<String>,
    /// The next group key encrypted under the current one (rotation).
    pub new_group_key: Option<EncryptedGroupKey>,
}

/// A subscriber's request for group keys (body field 6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupKeyRequest {
    /// Random id (a uuid v4 in the SDK) matched by the response.
    pub request_id: String,
    /// The publisher asked.
    pub recipient_id: UserId,
    /// The requester's key-exchange public key: SPKI PEM text for RSA, 1568 bytes for ML-KEM.
    pub public_key: Vec<u8>,
    /// The wanted key ids (the SDK asks for exactly one).
    pub group_key_ids: Vec<String>,
    /// Which key-exchange scheme `public_key` is for. Not signed.
    pub encryption_type: AsymmetricEncryptionType,
}

/// A publisher's answer carrying wrapped group keys (body field 7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupKeyResponse {
    /// The request this answers.
    pub request_id: String,
    /// The requester.
    pub recipient_id: UserId,
    /// The keys, each encrypted for the requester's public key.
    pub group_keys: Vec<EncryptedGroupKey>,
    /// The scheme the keys are wrapped with. Not signed.
    pub encryption_type: AsymmetricEncryptionType,
}

/// What a StreamMessage carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// Stream data.
    Content(ContentMessage),
    /// A key request.
    KeyRequest(GroupKeyRequest),
    /// A key response.
    KeyResponse(GroupKeyResponse),
}

/// A decoded and validated StreamMessage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamMessage {
    /// Where the message belongs.
    pub id: MessageId,
    /// The previous message of the chain, if any.
    pub prev: Option<MessageRef>,
    /// The signature over [`StreamMessage::signature_payload`].
    pub signature: Vec<u8>,
    /// How `signature` was made.
    pub signature_type: SignatureType,
    /// The payload.
    pub body: Body,
}

impl StreamMessage {
    /// Decodes and validates wire bytes, refusing inputs over [`DEFAULT_MAX_MESSAGE_BYTES`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_bytes_with_limit(bytes, DEFAULT_MAX_MESSAGE_BYTES)
    }

    /// Decodes and validates wire bytes, refusing inputs over `max_bytes`.
    pub fn from_bytes_with_limit(bytes: &[u8], max_bytes: usize) -> Result<Self> {
        if bytes.len() > max_bytes {
            return Err(Error::MessageTooLarge {
                size: bytes.len(),
                limit: max_bytes,
            });
        }
        let raw = proto::StreamMessage::decode(bytes)
            .map_err(|e| Error::malformed(format!("not a StreamMessage: {e}")))?;
        Self::try_from(raw)
    }

    /// Encodes to the bytes the SDK would produce for the same fields.
    pub fn to_bytes(&self) -> Vec<u8> {
        proto::StreamMessage::from(self).encode_to_vec()
    }

    /// The content body, if this is a content message.
    pub fn content(&self) -> Option<&ContentMessage> {
        match &self.body {
            Body::Content(c) => Some(c),
            _ => None,
        }
    }
}

fn non_negative_u32(value: i32, field: &str) -> Result<u32> {
    u32::try_from(value).map_err(|_| Error::malformed(format!("{field} is negative")))
}

fn non_negative_u64(value: i64, field: &str) -> Result<u64> {
    u64::try_from(value).map_err(|_| Error::malformed(format!("{field} is negative")))
}

fn known_enum<E: TryFrom<i32>>(value: i32, field: &str) -> Result<E> {
    E::try_from(value).map_err(|_| Error::malformed(format!("unknown {field} {value}")))
}

// Values within i32/i64 by construction: they came from the wire or were checked on the
// way in. Saturation only matters for hand-built messages with absurd numbers.
fn to_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl TryFrom<proto::StreamMessage> for StreamMessage {
    type Error = Error;

    fn try_from(raw: proto::StreamMessage) -> Result<Self> {
        let mid = raw
            .message_id
            .ok_or_else(|| Error::malformed("messageId is missing"))?;
        let id = MessageId {
            stream_id: mid.stream_id,
            partition: non_negative_u32(mid.stream_partition, "streamPartition")?,
            timestamp: non_negative_u64(mid.timestamp, "timestamp")?,
            sequence_number: non_negative_u32(mid.sequence_number, "sequenceNumber")?,
            publisher_id: UserId::from_bytes(&mid.publisher_id)
                .map_err(|e| Error::malformed(format!("publisherId: {e}")))?,
            msg_chain_id: mid.message_chain_id,
        };
        if id.stream_id.is_empty() {
            return Err(Error::malformed("streamId is empty"));
        }
        let prev = raw
            .previous_message_ref
            .map(|r| -> Result<MessageRef> {
                Ok(MessageRef {
                    timestamp: non_negative_u64(r.timestamp, "previousMessageRef.timestamp")?,
                    sequence_number: non_negative_u32(
                        r.sequence_number,
                        "previousMessageRef.sequenceNumber",
                    )?,
                })
            })
            .transpose()?;
        // The SDK refuses a chain link that does not point strictly backwards.
        if let Some(p) = prev
            && (p.timestamp, p.sequence_number) >= (id.timestamp, id.sequence_number)
        {
            return Err(Error::malformed(
                "previousMessageRef is not before the message",
            ));
        }
        let signature_type = known_enum(raw.signature_type, "signatureType")?;
        let body = match raw
            .body
            .ok_or_else(|| Error::malformed("body is missing"))?
        {
            proto::Body::ContentMessage(c) => Body::Content(ContentMessage::try_from(c)?),
            proto::Body::GroupKeyRequest(r) => Body::KeyRequest(GroupKeyRequest::try_from(r)?),
            proto::Body::GroupKeyResponse(r) => Body::KeyResponse(GroupKeyResponse::try_from(r)?),
        };
        Ok(StreamMessage {
            id,
            prev,
            signature: raw.signature,
            signature_type,
            body,
        })
    }
}

impl TryFrom<proto::ContentMessage> for ContentMessage {
    type Error = Error;

    fn try_from(raw: proto::ContentMessage) -> Result<Self> {
        let encryption_type = known_enum(raw.encryption_type, "encryptionType")?;
        if encryption_type == EncryptionType::Aes && raw.group_key_id.is_none() {
            return Err(Error::malformed("AES content without groupKeyId"));
        }
        Ok(ContentMessage {
            content: raw.content,
            content_type: known_enum(raw.content_type, "contentType")?,
            encryption_type,
            group_key_id: raw.group_key_id,
            new_group_key: raw.new_group_key.map(EncryptedGroupKey::from),
        })
    }
}

impl TryFrom<proto::GroupKeyRequest> for GroupKeyRequest {
    type Error = Error;

    fn try_from(raw: proto::GroupKeyRequest) -> Result<Self> {
        Ok(GroupKeyRequest {
            request_id: raw.request_id,
            recipient_id: UserId::from_bytes(&raw.recipient_id)
                .map_err(|e| Error::malformed(format!("recipientId: {e}")))?,
            public_key: raw.public_key,
            group_key_ids: raw.group_key_ids,
            encryption_type: known_enum(raw.encryption_type, "encryptionType")?,
        })
    }
}

impl TryFrom<proto::GroupKeyResponse> for GroupKeyResponse {
    type Error = Error;

    fn try_from(raw: proto::GroupKeyResponse) -> Result<Self> {
        Ok(GroupKeyResponse {
            request_id: raw.request_id,
            recipient_id: UserId::from_bytes(&raw.recipient_id)
                .map_err(|e| Error::malformed(format!("recipientId: {e}")))?,
            group_keys: raw
                .group_keys
                .into_iter()
                .map(EncryptedGroupKey::from)
                .collect(),
            encryption_type: known_enum(raw.encryption_type, "encryptionType")?,
        })
    }
}

impl From<proto::EncryptedGroupKey> for EncryptedGroupKey {
    fn from(raw: proto::EncryptedGroupKey) -> Self {
        EncryptedGroupKey {
            id: raw.id,
            data: raw.data,
        }
    }
}

impl From<&EncryptedGroupKey> for proto::EncryptedGroupKey {
    fn from(k: &EncryptedGroupKey) -> Self {
        proto::EncryptedGroupKey {
            id: k.id.clone(),
            data: k.data.clone(),
        }
    }
}

impl From<&ContentMessage> for proto::ContentMessage {
    fn from(c: &ContentMessage) -> Self {
        proto::ContentMessage {
            content: c.content.clone(),
            content_type: c.content_type as i32,
            encryption_type: c.encryption_type as i32,
            group_key_id: c.group_key_id.clone(),
            new_group_key: c.new_group_key.as_ref().map(Into::into),
        }
    }
}

impl From<&GroupKeyRequest> for proto::GroupKeyRequest {
    fn from(r: &GroupKeyRequest) -> Self {
        proto::GroupKeyRequest {
            request_id: r.request_id.clone(),
            recipient_id: r.recipient_id.as_bytes().to_vec(),
            public_key: r.public_key.clone(),
            group_key_ids: r.group_key_ids.clone(),
            encryption_type: r.encryption_type as i32,
        }
    }
}

impl From<&GroupKeyResponse> for proto::GroupKeyResponse {
    fn from(r: &GroupKeyResponse) -> Self {
        proto::GroupKeyResponse {
            request_id: r.request_id.clone(),
            recipient_id: r.recipient_id.as_bytes().to_vec(),
            group_keys: r.group_keys.iter().map(Into::into).collect(),
            encryption_type: r.encryption_type as i32,
        }
    }
}

impl From<&StreamMessage> for proto::StreamMessage {
    fn from(m: &StreamMessage) -> Self {
        proto::StreamMessage {
            message_id: Some(proto::MessageId {
                stream_id: m.id.stream_id.clone(),
                stream_partition: to_i32(m.id.partition),
                timestamp: to_i64(m.id.timestamp),
                sequence_number: to_i32(m.id.sequence_number),
                publisher_id: m.id.publisher_id.as_bytes().to_vec(),
                message_chain_id: m.id.msg_chain_id.clone(),
            }),
            previous_message_ref: m.prev.map(|p| proto::MessageRef {
                timestamp: to_i64(p.timestamp),
                sequence_number: to_i32(p.sequence_number),
            }),
            signature: m.signature.clone(),
            signature_type: m.signature_type as i32,
            body: Some(match &m.body {
                Body::Content(c) => proto::Body::ContentMessage(c.into()),
                Body::KeyRequest(r) => proto::Body::GroupKeyRequest(r.into()),
                Body::KeyResponse(r) => proto::Body::GroupKeyResponse(r.into()),
            }),
        }
    }
}
