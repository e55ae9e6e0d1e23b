//! `StreamMessage.createContentMessage`: builds a content message from JS fields and signs
//! it with an `EvmSigner` (signature type ECDSA_SECP256K1_EVM).

use wasm_bindgen::prelude::*;

use super::error::invalid_argument;
use super::fields;
use super::group_key::read_encrypted_group_key;
use super::message::JsStreamMessage;
use super::signer::JsEvmSigner;
use crate::error::Result as CoreResult;
use crate::identity::LocalSigner;
use crate::wire::{self, Body, ContentMessage, MessageId, MessageRef, SignatureType, proto};

#[wasm_bindgen(js_class = StreamMessage)]
impl JsStreamMessage {
    /// Builds a content message from `fields` with `publisherId` = the signer's address,
    /// signs it (EIP-191) and returns it. `content` is used as given: encrypt it first with
    /// `encryptWithAES` and set `encryptionType: EncryptionType.AES` and `groupKeyId`.
    /// Defaults: partition 0, sequence number 0, `JSON`, `NONE`. Throws
    /// `INVALID_ARGUMENT` for a missing or mistyped field and `MALFORMED_MESSAGE` when the
    /// result breaks an SDK rule (AES without `groupKeyId`, `prevMsgRef` not before it).
    #[wasm_bindgen(js_name = createContentMessage)]
    pub fn create_content_message(
        #[wasm_bindgen(unchecked_param_type = "ContentMessageFields")] fields: JsValue,
        signer: &JsEvmSigner,
    ) -> Result<JsStreamMessage, JsValue> {
        let built = wire::StreamMessage {
            id: MessageId {
                stream_id: fields::string(&fields, "streamId")?,
                partition: fields::opt_u32(&fields, "streamPartition")?.unwrap_or(0),
                timestamp: fields::u64_field(&fields, "timestamp")?,
                sequence_number: fields::opt_u32(&fields, "sequenceNumber")?.unwrap_or(0),
                publisher_id: signer.inner().user_id(),
                msg_chain_id: fields::string(&fields, "msgChainId")?,
            },
            prev: fields::opt_object(&fields, "prevMsgRef")?
                .map(|p| -> CoreResult<MessageRef> {
                    Ok(MessageRef {
                        timestamp: fields::u64_field(&p, "timestamp")?,
                        sequence_number: fields::u32_field(&p, "sequenceNumber")?,
                    })
                })
                .transpose()?,
            signature: Vec::new(),
            signature_type: SignatureType::EcdsaSecp256k1Evm,
            body: Body::Content(ContentMessage {
                content: fields::bytes(&fields, "content")?,
                content_type: wire_enum(&fields, "contentType")?,
                encryption_type: wire_enum(&fields, "encryptionType")?,
                group_key_id: fields::opt_string(&fields, "groupKeyId")?,
                new_group_key: fields::opt_object(&fields, "newGroupKey")?
                    .map(|k| read_encrypted_group_key(&k))
                    .transpose()?,
            }),
        };
        // The core's decoder holds the SDK's validation rules; going through the wire struct
        // applies exactly those to the built message.
        let mut msg = wire::StreamMessage::try_from(proto::StreamMessage::from(&built))?;
        msg.signature = signer.inner().sign(&msg.signature_payload())?;
        Ok(msg.into())
    }
}

/// An optional wire enum field given as its number; absent means the proto3 default (0).
fn wire_enum<E: TryFrom<i32>>(obj: &JsValue, name: &str) -> CoreResult<E> {
    let n = fields::opt_u32(obj, name)?.unwrap_or(0);
    i32::try_from(n)
        .ok()
        .and_then(|n| E::try_from(n).ok())
        .ok_or_else(|| invalid_argument(format!("unknown {name} {n}")))
}
