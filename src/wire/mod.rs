//! The Streamr wire format: the StreamMessage protobuf family and signature payloads.

pub mod format;
pub mod message;
mod payload;
pub mod proto;

pub use message::{
    AsymmetricEncryptionType, Body, ContentMessage, ContentType, DEFAULT_MAX_MESSAGE_BYTES,
    EncryptedGroupKey, EncryptionType, GroupKeyRequest, GroupKeyResponse, MessageId, MessageRef,
    SignatureType, StreamMessage,
};
