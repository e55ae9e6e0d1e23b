//! `hasPublicPermissionCall` / `decodeHasPublicPermission`: the StreamRegistry read a
//! publisher makes before its first message to decide whether the stream is public (spec §5),
//! encoded and strictly decoded here so the host only forwards bytes with `eth_call`.

use wasm_bindgen::prelude::*;

use super::error::invalid_argument;
use crate::registry::{PermissionType, abi};

fn permission_arg(value: &JsValue) -> Result<PermissionType, JsValue> {
    match value.as_string().as_deref() {
        Some("PUBLISH") => Ok(PermissionType::Publish),
        Some("SUBSCRIBE") => Ok(PermissionType::Subscribe),
        _ => Err(invalid_argument("permission must be 'PUBLISH' or 'SUBSCRIBE'").into()),
    }
}

/// Calldata of StreamRegistry `hasPublicPermission(streamId, permission)`: send it with
/// `eth_call` to the registry and pass the returned bytes to `decodeHasPublicPermission`.
/// Throws `INVALID_ARGUMENT` for an empty stream id or another permission.
#[wasm_bindgen(js_name = hasPublicPermissionCall)]
pub fn has_public_permission_call(
    #[wasm_bindgen(js_name = streamId)] stream_id: &str,
    #[wasm_bindgen(unchecked_param_type = "Permission")] permission: JsValue,
) -> Result<Vec<u8>, JsValue> {
    if stream_id.is_empty() {
        return Err(invalid_argument("stream id is empty").into());
    }
    let permission = permission_arg(&permission)?;
    Ok(abi::has_public_permission_call(stream_id, permission))
}

/// The `bool` that `hasPublicPermission` returned, decoded strictly (exactly one canonical
/// word). Throws `MALFORMED_MESSAGE` for anything else: a garbage answer never reads as
/// "public".
#[wasm_bindgen(js_name = decodeHasPublicPermission)]
pub fn decode_has_public_permission(data: &[u8]) -> Result<bool, JsValue> {
    Ok(abi::decode_has_public_permission(data)?)
}
