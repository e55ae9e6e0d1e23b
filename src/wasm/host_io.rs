//! The sans-IO contract as plain JS objects: [`Output`]s (with their [`Question`]s and
//! [`Event`]s) out, [`Answer`]s in, plus the small readers the `Publisher` and `Subscriber`
//! classes share (times, ids, bytes, group keys). Every object has a `type`
//! discriminator; the TypeScript unions are in `types.rs`.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use zeroize::Zeroizing;

use super::enums::{AsymmetricEncryptionType, ContentType};
use super::error::invalid_argument;
use super::fields;
use super::group_key::JsGroupKey;
use crate::cipher::GroupKey;
use crate::error::Result as CoreResult;
use crate::host::{Answer, Delivery, Event, Output, Permission, Question, QuestionId};
use crate::user_id::UserId;
use crate::wire::{self, MessageRef};

/// A non-negative safe integer given as a JS number (a time in ms, a question id).
pub(crate) fn safe_integer(value: f64, name: &str) -> CoreResult<u64> {
    fields::integer_from_f64(value, name, fields::MAX_SAFE_INTEGER)
}

/// A JS number as JS prints it (`Number.prototype.toString`). Error messages format numbers
/// through this, never through Rust's `f64` `Display`: that pulls core's float printing
/// (flt2dec, about 20 KB of wasm) into the module for a message.
pub(crate) fn js_number(value: f64) -> String {
    js_sys::Number::from(value)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default()
}

/// `nowMs`: Unix milliseconds as a non-negative integer.
pub(crate) fn now_ms(value: f64) -> CoreResult<u64> {
    safe_integer(value, "nowMs")
}

/// A `Uint8Array` argument (a Node `Buffer` is one); anything else is `INVALID_ARGUMENT`.
pub(crate) fn bytes_arg(value: &JsValue, name: &str) -> CoreResult<Vec<u8>> {
    value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| invalid_argument(format!("{name} must be a Uint8Array")))
}

/// A string argument.
pub(crate) fn string_arg(value: &JsValue, name: &str) -> CoreResult<String> {
    value
        .as_string()
        .ok_or_else(|| invalid_argument(format!("{name} must be a string")))
}

/// A user id argument: `0x` + hex.
pub(crate) fn user_id_arg(value: &JsValue, name: &str) -> CoreResult<UserId> {
    UserId::parse(&string_arg(value, name)?)
}

/// A `ContentType` given as its number.
pub(crate) fn content_type_arg(value: &JsValue) -> CoreResult<wire::ContentType> {
    wire_enum_value(value, "contentType")
}

/// A wire enum given as its number (`SignatureType.ML_DSA_87`, …).
pub(crate) fn wire_enum_value<E: TryFrom<i32>>(value: &JsValue, name: &str) -> CoreResult<E> {
    let n = value
        .as_f64()
        .ok_or_else(|| invalid_argument(format!("{name} must be a number")))?;
    let known = (n.fract() == 0.0 && (0.0..=f64::from(i32::MAX)).contains(&n))
        .then_some(n as i32)
        .and_then(|n| E::try_from(n).ok());
    known.ok_or_else(|| invalid_argument(format!("unknown {name} {}", js_number(n))))
}

/// A group key given as a `GroupKey` or as a plain `{ id, data }` (read through the same
/// property names, so a `GroupKey` instance is not consumed).
pub(crate) fn group_key_arg(value: &JsValue, name: &str) -> CoreResult<GroupKey> {
    if !value.is_object() {
        return Err(invalid_argument(format!(
            "{name} must be a GroupKey or {{ id: string, data: Uint8Array }}"
        )));
    }
    let id = fields::string(value, "id")?;
    let data = Zeroizing::new(fields::bytes(value, "data")?);
    GroupKey::new(id, &data)
}

/// An optional group key: `undefined` and `null` are `None`.
pub(crate) fn opt_group_key_arg(value: &JsValue, name: &str) -> CoreResult<Option<GroupKey>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    group_key_arg(value, name).map(Some)
}

/// An array of group keys; `undefined` and `null` are empty.
pub(crate) fn group_keys_arg(value: &JsValue, name: &str) -> CoreResult<Vec<GroupKey>> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !Array::is_array(value) {
        return Err(invalid_argument(format!("{name} must be an array of keys")));
    }
    Array::from(value)
        .iter()
        .map(|k| group_key_arg(&k, name))
        .collect()
}

/// Reads the host's answer: `{ type: 'permission', allowed }`, `{ type: 'signature',
/// signature }`, `{ type: 'groupKeyBytes', bytes }`, `{ type: 'storedKey', data? }`, the
/// `eth_call` outcomes or `{ type: 'failed', reason }`.
pub(crate) fn read_answer(value: &JsValue) -> CoreResult<Answer> {
    let kind = fields::string(value, "type")?;
    Ok(match kind.as_str() {
        "permission" => Answer::Permission(fields::bool_field(value, "allowed")?),
        "signature" => Answer::Signature(fields::bytes(value, "signature")?),
        "signatureValid" => Answer::SignatureValid(fields::bool_field(value, "valid")?),
        "groupKeyBytes" => Answer::GroupKeyBytes(fields::bytes(value, "bytes")?),
        "wrappedGroupKeys" => Answer::WrappedGroupKeys(bytes_list(value, "data")?),
        "storedKey" => Answer::StoredKey(fields::opt_bytes(value, "data")?),
        "callResult" => Answer::CallResult(fields::bytes(value, "data")?),
        "callReverted" => Answer::CallReverted(fields::bytes(value, "data")?),
        "failed" => Answer::Failed {
            reason: fields::opt_string(value, "reason")?.unwrap_or_default(),
        },
        other => {
            return Err(invalid_argument(format!(
                "unknown answer type {other:?}: expected permission, signature, signatureValid, groupKeyBytes, \
                 wrappedGroupKeys, storedKey, callResult, callReverted or failed"
            )));
        }
    })
}

/// A question id as given back by the host.
/// An array of `Uint8Array`s at `obj[name]`.
fn bytes_list(obj: &JsValue, name: &str) -> CoreResult<Vec<Vec<u8>>> {
    let value = fields::opt_value(obj, name)?
        .ok_or_else(|| invalid_argument(format!("{name} is missing")))?;
    if !Array::is_array(&value) {
        return Err(invalid_argument(format!(
            "{name} must be an array of Uint8Array"
        )));
    }
    Array::from(&value)
        .iter()
        .map(|item| bytes_arg(&item, name))
        .collect()
}

pub(crate) fn question_id(value: f64) -> CoreResult<QuestionId> {
    Ok(QuestionId(safe_integer(value, "questionId")?))
}

/// Every queued output of a state machine, converted in order.
pub(crate) fn drain(mut next: impl FnMut() -> Option<Output>) -> Result<Array, JsValue> {
    let out = Array::new();
    while let Some(o) = next() {
        out.push(&output(o)?);
    }
    Ok(out)
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn id(u: &UserId) -> JsValue {
    JsValue::from_str(&u.to_string())
}

/// One output as a plain object.
pub(crate) fn output(o: Output) -> Result<JsValue, JsValue> {
    match o {
        Output::Send { bytes, publish } => {
            let mut entries = vec![("type", s("send")), ("bytes", fields::uint8_array(&bytes))];
            if let Some(p) = publish {
                entries.push(("publishId", fields::timestamp(p.0)));
            }
            fields::object(&entries)
        }
        Output::Ask {
            id: q,
            question: qn,
        } => fields::object(&[
            ("type", s("ask")),
            ("id", fields::timestamp(q.0)),
            ("question", question(qn)?),
        ]),
        Output::Deliver(d) => delivery(d),
        Output::StoreKey {
            publisher,
            key,
            stream_id,
            latest,
            replace,
        } => fields::object(&[
            ("type", s("storeKey")),
            ("publisherId", id(&publisher)),
            ("key", JsGroupKey::from(key).into()),
            ("streamId", s(&stream_id)),
            ("latest", latest.into()),
            ("replace", replace.into()),
        ]),
        Output::Event(e) => fields::object(&[("type", s("event")), ("event", event(e)?)]),
    }
}

fn question(q: Question) -> Result<JsValue, JsValue> {
    match q {
        Question::Permission {
            stream_id,
            user,
            permission,
        } => fields::object(&[
            ("type", s("permission")),
            ("streamId", s(&stream_id)),
            ("userId", id(&user)),
            (
                "permission",
                s(match permission {
                    Permission::Publish => "PUBLISH",
                    Permission::Subscribe => "SUBSCRIBE",
                }),
            ),
        ]),
        Question::Erc1271 {
            contract,
            digest,
            signature,
        } => fields::object(&[
            ("type", s("erc1271")),
            ("contract", id(&contract)),
            ("digest", fields::uint8_array(&digest)),
            ("signature", fields::uint8_array(&signature)),
        ]),
        Question::RegistryCall { data } => fields::object(&[
            ("type", s("registryCall")),
            ("data", fields::uint8_array(&data)),
        ]),
        Question::ContractCall { to, data } => fields::object(&[
            ("type", s("contractCall")),
            ("to", id(&to)),
            ("data", fields::uint8_array(&data)),
        ]),
        Question::VerifyP256 {
            public_key,
            payload,
            signature,
        } => fields::object(&[
            ("type", s("verifyP256")),
            ("publicKey", fields::uint8_array(&public_key)),
            ("payload", fields::uint8_array(&payload)),
            ("signature", fields::uint8_array(&signature)),
        ]),
        Question::Sign { payload } => fields::object(&[
            ("type", s("sign")),
            ("payload", fields::uint8_array(&payload)),
        ]),
        Question::LoadKey {
            stream_id,
            publisher,
            key_id,
        } => fields::object(&[
            ("type", s("loadKey")),
            ("streamId", s(&stream_id)),
            ("publisherId", id(&publisher)),
            ("keyId", s(&key_id)),
        ]),
        Question::UnwrapGroupKey {
            encryption_type,
            key_id,
            data,
        } => fields::object(&[
            ("type", s("unwrapGroupKey")),
            (
                "encryptionType",
                AsymmetricEncryptionType::from(encryption_type).into(),
            ),
            ("keyId", s(&key_id)),
            ("data", fields::uint8_array(&data)),
        ]),
        Question::WrapGroupKeys {
            public_key,
            bits,
            keys,
        } => {
            let list = Array::new();
            for k in &keys {
                list.push(&fields::object(&[
                    ("id", s(k.id())),
                    ("data", fields::uint8_array(k.expose_secret())),
                ])?);
            }
            fields::object(&[
                ("type", s("wrapGroupKeys")),
                ("publicKey", fields::uint8_array(&public_key)),
                ("bits", JsValue::from_f64(bits as f64)),
                ("keys", list.into()),
            ])
        }
    }
}

fn delivery(d: Delivery) -> Result<JsValue, JsValue> {
    let mut entries = vec![
        ("type", s("deliver")),
        ("publisherId", id(&d.publisher_id)),
        ("msgChainId", s(&d.msg_chain_id)),
        ("timestamp", fields::timestamp(d.reference.timestamp)),
        ("sequenceNumber", d.reference.sequence_number.into()),
        ("contentType", ContentType::from(d.content_type).into()),
        ("content", fields::uint8_array(&d.content)),
    ];
    if let Some(key_id) = &d.group_key_id {
        entries.push(("groupKeyId", s(key_id)));
    }
    fields::object(&entries)
}

fn message_ref_object(publisher: &UserId, chain: &str, r: MessageRef) -> Result<JsValue, JsValue> {
    fields::object(&[
        ("publisherId", id(publisher)),
        ("msgChainId", s(chain)),
        ("timestamp", fields::timestamp(r.timestamp)),
        ("sequenceNumber", r.sequence_number.into()),
    ])
}

fn event(e: Event) -> Result<JsValue, JsValue> {
    match e {
        Event::KeyRequestAnswered { requester, key_ids } => {
            let ids: Array = key_ids.iter().map(|k| s(k)).collect();
            fields::object(&[
                ("type", s("keyRequestAnswered")),
                ("requesterId", id(&requester)),
                ("keyIds", ids.into()),
            ])
        }
        Event::KeyRequestDenied {
            requester,
            code,
            message,
        } => fields::object(&[
            ("type", s("keyRequestDenied")),
            ("requesterId", id(&requester)),
            ("code", s(code.as_str())),
            ("message", s(&message)),
        ]),
        Event::KeyRequestSent {
            publisher,
            key_id,
            attempt,
        } => fields::object(&[
            ("type", s("keyRequestSent")),
            ("publisherId", id(&publisher)),
            ("keyId", s(&key_id)),
            ("attempt", attempt.into()),
        ]),
        Event::PublishFailed {
            publish,
            code,
            message,
        } => fields::object(&[
            ("type", s("publishFailed")),
            ("publishId", fields::timestamp(publish.0)),
            ("code", s(code.as_str())),
            ("message", s(&message)),
        ]),
        Event::Error {
            code,
            message,
            message_ref,
        } => {
            let mut entries = vec![
                ("type", s("error")),
                ("code", s(code.as_str())),
                ("message", s(&message)),
            ];
            if let Some((publisher, chain, r)) = message_ref {
                entries.push(("messageRef", message_ref_object(&publisher, &chain, r)?));
            }
            fields::object(&entries)
        }
    }
}
