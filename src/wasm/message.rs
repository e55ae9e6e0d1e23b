//! `StreamMessage`: decode and encode the wire bytes, a typed camelCase view of every field,
//! the signature payload and signature verification (docs/wire.md §2, §4).

use prost::Message as _;
use wasm_bindgen::prelude::*;

use super::enums::{AsymmetricEncryptionType, ContentType, EncryptionType, SignatureType};
use super::fields;
use super::group_key::encrypted_group_key;
use crate::identity::{self, Verification};
use crate::wire::{self, Body, DEFAULT_MAX_MESSAGE_BYTES, proto};

/// A decoded and validated Streamr StreamMessage. Immutable; re-encodes to the same bytes.
#[wasm_bindgen(js_name = StreamMessage)]
pub struct JsStreamMessage {
    inner: wire::StreamMessage,
}

impl From<wire::StreamMessage> for JsStreamMessage {
    fn from(inner: wire::StreamMessage) -> Self {
        JsStreamMessage { inner }
    }
}

#[wasm_bindgen(js_class = StreamMessage)]
impl JsStreamMessage {
    /// Decodes and validates protobuf wire bytes (the SDK's `convertBytesToStreamMessage`).
    /// Throws `MESSAGE_TOO_LARGE` over `maxBytes` (default 1 MiB) and `MALFORMED_MESSAGE`
    /// for bad protobuf, a missing field, an unknown enum value or a broken SDK rule.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8], max_bytes: Option<u32>) -> Result<JsStreamMessage, JsValue> {
        let limit = max_bytes.map_or(DEFAULT_MAX_MESSAGE_BYTES, |n| n as usize);
        Ok(wire::StreamMessage::from_bytes_with_limit(bytes, limit)?.into())
    }

    /// Encodes to protobuf wire bytes, byte-identical to the SDK's encoding.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.to_bytes())
    }

    /// The bytes `signature` is over (`createSignaturePayload`). For
    /// `ECDSA_SECP256K1_LEGACY` messages the signature covers `legacySignaturePayload()`.
    #[wasm_bindgen(js_name = signaturePayload)]
    pub fn signature_payload(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.signature_payload())
    }

    /// The payload of `ECDSA_SECP256K1_LEGACY` signatures (`createLegacySignaturePayload`).
    #[wasm_bindgen(js_name = legacySignaturePayload)]
    pub fn legacy_signature_payload(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.legacy_signature_payload())
    }

    /// Checks the signature against `publisherId` by `signatureType`. Returns
    /// `{ status: 'VALID' }`, or for `ERC_1271` `{ status: 'NEEDS_ERC1271', contract, digest,
    /// signature }`: not valid until the contract confirms it on chain. Throws
    /// `INVALID_SIGNATURE` when the signature is malformed or made by someone else.
    #[wasm_bindgen(js_name = verifySignature, unchecked_return_type = "SignatureCheck")]
    pub fn verify_signature(&self) -> Result<JsValue, JsValue> {
        match identity::verify_message(&self.inner)? {
            Verification::Valid => fields::object(&[("status", "VALID".into())]),
            Verification::NeedsErc1271 {
                contract,
                digest,
                signature,
            } => fields::object(&[
                ("status", "NEEDS_ERC1271".into()),
                ("contract", contract.to_string().into()),
                ("digest", fields::uint8_array(&digest)),
                ("signature", fields::uint8_array(&signature)),
            ]),
            Verification::NeedsP256 {
                public_key,
                payload,
                signature,
            } => fields::object(&[
                ("status", "NEEDS_P256".into()),
                ("publicKey", fields::uint8_array(&public_key)),
                ("payload", fields::uint8_array(&payload)),
                ("signature", fields::uint8_array(&signature)),
            ]),
        }
    }

    /// `'MESSAGE'`, `'GROUP_KEY_REQUEST'` or `'GROUP_KEY_RESPONSE'`, from the body.
    #[wasm_bindgen(getter, js_name = messageType, unchecked_return_type = "MessageType")]
    pub fn message_type(&self) -> Result<JsValue, JsValue> {
        Ok(match self.inner.body {
            Body::Content(_) => "MESSAGE",
            Body::KeyRequest(_) => "GROUP_KEY_REQUEST",
            Body::KeyResponse(_) => "GROUP_KEY_RESPONSE",
        }
        .into())
    }

    /// The stream id, e.g. `0xabc…/path`.
    #[wasm_bindgen(getter, js_name = streamId)]
    pub fn stream_id(&self) -> Result<String, JsValue> {
        Ok(self.inner.id.stream_id.clone())
    }

    /// The stream partition.
    #[wasm_bindgen(getter, js_name = streamPartition)]
    pub fn stream_partition(&self) -> Result<u32, JsValue> {
        Ok(self.inner.id.partition)
    }

    /// Unix milliseconds.
    #[wasm_bindgen(getter)]
    pub fn timestamp(&self) -> Result<f64, JsValue> {
        Ok(self.inner.id.timestamp as f64)
    }

    /// Sequence number within the same timestamp.
    #[wasm_bindgen(getter, js_name = sequenceNumber)]
    pub fn sequence_number(&self) -> Result<u32, JsValue> {
        Ok(self.inner.id.sequence_number)
    }

    /// The publisher: `0x` + lower-case hex (20 bytes for EVM, longer for other identities).
    #[wasm_bindgen(getter, js_name = publisherId)]
    pub fn publisher_id(&self) -> Result<String, JsValue> {
        Ok(self.inner.id.publisher_id.to_string())
    }

    /// The publisher's message chain id.
    #[wasm_bindgen(getter, js_name = msgChainId)]
    pub fn msg_chain_id(&self) -> Result<String, JsValue> {
        Ok(self.inner.id.msg_chain_id.clone())
    }

    /// The previous message of the chain, or `undefined`.
    #[wasm_bindgen(
        getter,
        js_name = prevMsgRef,
        unchecked_return_type = "MessageRef | undefined"
    )]
    pub fn prev_msg_ref(&self) -> Result<JsValue, JsValue> {
        match self.inner.prev {
            None => Ok(JsValue::UNDEFINED),
            Some(p) => fields::object(&[
                ("timestamp", fields::timestamp(p.timestamp)),
                ("sequenceNumber", p.sequence_number.into()),
            ]),
        }
    }

    /// The signature bytes.
    #[wasm_bindgen(getter)]
    pub fn signature(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.signature.clone())
    }

    /// How the message was signed.
    #[wasm_bindgen(getter, js_name = signatureType)]
    pub fn signature_type(&self) -> Result<SignatureType, JsValue> {
        Ok(self.inner.signature_type.into())
    }

    /// The name of `signatureType`, e.g. `'ECDSA_SECP256K1_EVM'`.
    #[wasm_bindgen(getter, js_name = signatureTypeName)]
    pub fn signature_type_name(&self) -> Result<String, JsValue> {
        Ok(SignatureType::from(self.inner.signature_type)
            .name()
            .to_owned())
    }

    /// The content as sent (`iv ‖ ct` when encrypted). As in the SDK, for key requests and
    /// responses it is the encoded inner message.
    #[wasm_bindgen(getter)]
    pub fn content(&self) -> Result<Vec<u8>, JsValue> {
        Ok(match &self.inner.body {
            Body::Content(c) => c.content.clone(),
            Body::KeyRequest(r) => proto::GroupKeyRequest::from(r).encode_to_vec(),
            Body::KeyResponse(r) => proto::GroupKeyResponse::from(r).encode_to_vec(),
        })
    }

    /// How to read the plaintext; `BINARY` for key requests and responses, as in the SDK.
    #[wasm_bindgen(getter, js_name = contentType)]
    pub fn content_type(&self) -> Result<ContentType, JsValue> {
        Ok(self
            .inner
            .content()
            .map_or(ContentType::BINARY, |c| c.content_type.into()))
    }

    /// `AES` or `NONE`; `NONE` for key requests and responses, as in the SDK.
    #[wasm_bindgen(getter, js_name = encryptionType)]
    pub fn encryption_type(&self) -> Result<EncryptionType, JsValue> {
        Ok(self
            .inner
            .content()
            .map_or(EncryptionType::NONE, |c| c.encryption_type.into()))
    }

    /// The id of the key the content is encrypted with, or `undefined`.
    #[wasm_bindgen(getter, js_name = groupKeyId)]
    pub fn group_key_id(&self) -> Result<Option<String>, JsValue> {
        Ok(self.inner.content().and_then(|c| c.group_key_id.clone()))
    }

    /// The next group key encrypted under the current one (rotation), or `undefined`.
    #[wasm_bindgen(
        getter,
        js_name = newGroupKey,
        unchecked_return_type = "EncryptedGroupKey | undefined"
    )]
    pub fn new_group_key(&self) -> Result<JsValue, JsValue> {
        match self.inner.content().and_then(|c| c.new_group_key.as_ref()) {
            None => Ok(JsValue::UNDEFINED),
            Some(k) => encrypted_group_key(k),
        }
    }

    /// The body of a `GROUP_KEY_REQUEST`, or `undefined`.
    #[wasm_bindgen(
        getter,
        js_name = groupKeyRequest,
        unchecked_return_type = "GroupKeyRequestFields | undefined"
    )]
    pub fn group_key_request(&self) -> Result<JsValue, JsValue> {
        let Body::KeyRequest(r) = &self.inner.body else {
            return Ok(JsValue::UNDEFINED);
        };
        let ids: js_sys::Array = r.group_key_ids.iter().map(JsValue::from).collect();
        fields::object(&[
            ("requestId", JsValue::from_str(&r.request_id)),
            ("recipientId", r.recipient_id.to_string().into()),
            ("publicKey", fields::uint8_array(&r.public_key)),
            ("groupKeyIds", ids.into()),
            (
                "encryptionType",
                AsymmetricEncryptionType::from(r.encryption_type).into(),
            ),
        ])
    }

    /// The body of a `GROUP_KEY_RESPONSE`, or `undefined`.
    #[wasm_bindgen(
        getter,
        js_name = groupKeyResponse,
        unchecked_return_type = "GroupKeyResponseFields | undefined"
    )]
    pub fn group_key_response(&self) -> Result<JsValue, JsValue> {
        let Body::KeyResponse(r) = &self.inner.body else {
            return Ok(JsValue::UNDEFINED);
        };
        let keys = r
            .group_keys
            .iter()
            .map(encrypted_group_key)
            .collect::<Result<js_sys::Array, JsValue>>()?;
        fields::object(&[
            ("requestId", JsValue::from_str(&r.request_id)),
            ("recipientId", r.recipient_id.to_string().into()),
            ("groupKeys", keys.into()),
            (
                "encryptionType",
                AsymmetricEncryptionType::from(r.encryption_type).into(),
            ),
        ])
    }
}
