//! `encodeContent` / `decodeContent`: what the SDK's `MessageFactory` and subscriber do with
//! content before encryption and after decryption.

use js_sys::{JSON, Uint8Array};
use wasm_bindgen::prelude::*;

use super::enums::ContentType;
use super::error::invalid_argument;
use crate::content;
use crate::error::Error;
use crate::wire;

/// Serialises content as the SDK publishes it: a `Uint8Array` (or Buffer) as BINARY, raw;
/// anything else as JSON, the UTF-8 of `JSON.stringify(value)` (top-level scalars included).
/// Returns `{ content, contentType }`. Throws INVALID_ARGUMENT for values JSON cannot hold
/// (`undefined`, functions, symbols, cycles, BigInt).
#[wasm_bindgen(js_name = encodeContent, unchecked_return_type = "EncodedContent")]
pub fn encode_content(value: JsValue) -> Result<JsValue, JsValue> {
    let (bytes, content_type) = if value.is_instance_of::<Uint8Array>() {
        (Uint8Array::from(value).to_vec(), ContentType::BINARY)
    } else {
        let text = JSON::stringify(&value)
            .map_err(|_| invalid_argument("content cannot be serialised as JSON"))?
            .as_string()
            .ok_or_else(|| invalid_argument("content cannot be serialised as JSON"))?;
        (text.into_bytes(), ContentType::JSON)
    };
    let out = js_sys::Object::new();
    set(&out, "content", &Uint8Array::from(bytes.as_slice()).into())?;
    set(&out, "contentType", &JsValue::from(content_type as u32))?;
    Ok(out.into())
}

/// The app-level value of decrypted content: BINARY as a `Uint8Array`, JSON parsed.
/// Throws INVALID_MESSAGE_CONTENT when JSON content is not UTF-8 or not JSON (the SDK's code
/// for the same case; with AES-CTR it is also what a wrong key usually looks like).
#[wasm_bindgen(js_name = decodeContent)]
pub fn decode_content(content: &[u8], content_type: ContentType) -> Result<JsValue, JsValue> {
    match content_type {
        ContentType::BINARY => Ok(Uint8Array::from(content).into()),
        ContentType::JSON => {
            let text = content::json_text(wire::ContentType::Json, content)?;
            JSON::parse(text).map_err(|_| {
                Error::InvalidMessageContent("content is not valid JSON".into()).into()
            })
        }
    }
}

fn set(target: &js_sys::Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    js_sys::Reflect::set(target, &JsValue::from_str(key), value).map(|_| ())
}

#[wasm_bindgen(typescript_custom_section)]
const TS_CONTENT: &'static str = r#"
/** Content serialised as the SDK does: what goes into a ContentMessage before encryption. */
export interface EncodedContent {
  content: Uint8Array;
  contentType: ContentType;
}
"#;
