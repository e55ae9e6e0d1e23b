//! The StreamMessage protobuf family exactly as `NetworkRpc.proto` of
//! `@streamr/trackerless-network` 103.x defines it (docs/wire.md §2).
//!
//! These are the raw wire structs: enum fields are `i32` so that unknown values survive
//! decoding and can be reported. Code outside `wire` uses the validated view in
//! [`super::message`]. prost writes fields in tag order and omits proto3 defaults, which
//! reproduces the bytes protobuf-ts produces.

#![allow(missing_docs)]

/// `StreamMessage`: the envelope of everything that travels on a stream partition.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StreamMessage {
    #[prost(message, optional, tag = "1")]
    pub message_id: Option<MessageId>,
    #[prost(message, optional, tag = "2")]
    pub previous_message_ref: Option<MessageRef>,
    #[prost(bytes = "vec", tag = "3")]
    pub signature: Vec<u8>,
    #[prost(enumeration = "SignatureType", tag = "4")]
    pub signature_type: i32,
    #[prost(oneof = "Body", tags = "5, 6, 7")]
    pub body: Option<Body>,
}

/// The `oneof body` of [`StreamMessage`].
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum Body {
    #[prost(message, tag = "5")]
    ContentMessage(ContentMessage),
    #[prost(message, tag = "6")]
    GroupKeyRequest(GroupKeyRequest),
    #[prost(message, tag = "7")]
    GroupKeyResponse(GroupKeyResponse),
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct MessageId {
    #[prost(string, tag = "1")]
    pub stream_id: String,
    #[prost(int32, tag = "2")]
    pub stream_partition: i32,
    #[prost(int64, tag = "3")]
    pub timestamp: i64,
    #[prost(int32, tag = "4")]
    pub sequence_number: i32,
    #[prost(bytes = "vec", tag = "5")]
    pub publisher_id: Vec<u8>,
    #[prost(string, tag = "6")]
    pub message_chain_id: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct MessageRef {
    #[prost(int64, tag = "1")]
    pub timestamp: i64,
    #[prost(int32, tag = "2")]
    pub sequence_number: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ContentMessage {
    #[prost(bytes = "vec", tag = "1")]
    pub content: Vec<u8>,
    #[prost(enumeration = "ContentType", tag = "2")]
    pub content_type: i32,
    #[prost(enumeration = "EncryptionType", tag = "3")]
    pub encryption_type: i32,
    #[prost(string, optional, tag = "4")]
    pub group_key_id: Option<String>,
    #[prost(message, optional, tag = "5")]
    pub new_group_key: Option<EncryptedGroupKey>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct GroupKeyRequest {
    #[prost(string, tag = "1")]
    pub request_id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub recipient_id: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    pub public_key: Vec<u8>,
    #[prost(string, repeated, tag = "4")]
    pub group_key_ids: Vec<String>,
    #[prost(enumeration = "AsymmetricEncryptionType", tag = "5")]
    pub encryption_type: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct GroupKeyResponse {
    #[prost(string, tag = "1")]
    pub request_id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub recipient_id: Vec<u8>,
    #[prost(message, repeated, tag = "3")]
    pub group_keys: Vec<EncryptedGroupKey>,
    #[prost(enumeration = "AsymmetricEncryptionType", tag = "4")]
    pub encryption_type: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct EncryptedGroupKey {
    #[prost(string, tag = "1")]
    pub id: String,
    #[prost(bytes = "vec", tag = "2")]
    pub data: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum ContentType {
    Json = 0,
    Binary = 1,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum EncryptionType {
    None = 0,
    Aes = 1,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum AsymmetricEncryptionType {
    Rsa = 0,
    MlKem = 1,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum SignatureType {
    EcdsaSecp256k1Legacy = 0,
    EcdsaSecp256k1Evm = 1,
    Erc1271 = 2,
    MlDsa87 = 3,
    EcdsaSecp256r1 = 4,
}
