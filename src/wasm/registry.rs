//! StreamRegistry codecs for the host, so it only forwards bytes: `hasPublicPermission` (the
//! read a publisher makes before its first message, docs/wire.md §5), `getPermissionsForUserId` (a
//! user's grants), and the calldata of the two transactions of a session key
//! (`setPermissionsForUser`, `revokeAllPermissionsForUser`; docs/wallet.md).

use wasm_bindgen::prelude::*;

use super::error::invalid_argument;
use super::fields;
use super::host_io::safe_integer;
use crate::error::Result as CoreResult;
use crate::registry::{PermissionType, abi};
use crate::user_id::UserId;

fn permission_arg(value: &JsValue) -> Result<PermissionType, JsValue> {
    match value.as_string().as_deref() {
        Some("PUBLISH") => Ok(PermissionType::Publish),
        Some("SUBSCRIBE") => Ok(PermissionType::Subscribe),
        _ => Err(invalid_argument("permission must be 'PUBLISH' or 'SUBSCRIBE'").into()),
    }
}

fn stream_arg(stream_id: &str) -> CoreResult<&str> {
    if stream_id.is_empty() {
        return Err(invalid_argument("stream id is empty"));
    }
    Ok(stream_id)
}

/// A 20-byte EVM address (`0x` + 40 hex digits, any case).
fn address_arg(user: &str) -> CoreResult<[u8; 20]> {
    UserId::parse(user)?
        .as_bytes()
        .try_into()
        .map_err(|_| invalid_argument("user must be a 20-byte address"))
}

/// Calldata of StreamRegistry `hasPublicPermission(streamId, permission)`: send it with
/// `eth_call` to the registry and pass the returned bytes to `decodeHasPublicPermission`.
/// Throws `INVALID_ARGUMENT` for an empty stream id or another permission.
#[wasm_bindgen(js_name = hasPublicPermissionCall)]
pub fn has_public_permission_call(
    #[wasm_bindgen(js_name = streamId)] stream_id: &str,
    #[wasm_bindgen(unchecked_param_type = "Permission")] permission: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let stream_id = stream_arg(stream_id)?;
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

/// Calldata of StreamRegistry `getPermissionsForUserId(streamId, userId)` (`userId`: `0x` +
/// hex, an address or a longer key); decode the result with `decodeGetPermissionsForUserId`.
/// The registry reverts it for a stream that does not exist.
#[wasm_bindgen(js_name = getPermissionsForUserIdCall)]
pub fn get_permissions_for_user_id_call(
    #[wasm_bindgen(js_name = streamId)] stream_id: &str,
    #[wasm_bindgen(js_name = userId)] user_id: &str,
) -> Result<Vec<u8>, JsValue> {
    let stream_id = stream_arg(stream_id)?;
    Ok(abi::get_permissions_for_user_id_call(
        stream_id,
        &UserId::parse(user_id)?,
    ))
}

/// The `Permission` struct `getPermissionsForUserId` returned, decoded strictly. PUBLISH and
/// SUBSCRIBE hold while their expiration (unix seconds) is after the chain's time;
/// `grantPermission`'s "forever" (2^256 − 1) and anything past 2^53 − 1 come as
/// `Number.MAX_SAFE_INTEGER`. Throws `MALFORMED_MESSAGE` for anything else.
#[wasm_bindgen(
    js_name = decodeGetPermissionsForUserId,
    unchecked_return_type = "UserPermissions"
)]
pub fn decode_get_permissions_for_user_id(data: &[u8]) -> Result<JsValue, JsValue> {
    let p = abi::decode_get_permissions_for_user_id(data)?;
    // At most 2^53 - 1 after `min`: exact as an f64.
    let seconds = |s: u64| JsValue::from_f64(s.min((1 << 53) - 1) as f64);
    fields::object(&[
        ("canEdit", p.can_edit.into()),
        ("canDelete", p.can_delete.into()),
        ("publishExpiration", seconds(p.publish_expiration)),
        ("subscribeExpiration", seconds(p.subscribe_expiration)),
        ("canGrant", p.can_grant.into()),
    ])
}

/// Calldata of `setPermissionsForUser(streamId, user, false, false, publishExpiration,
/// subscribeExpiration, false)`: grants the address `user` PUBLISH and SUBSCRIBE until those
/// unix-second expirations (0: not at all), never EDIT, DELETE or GRANT, and replaces what it
/// held. Send it as a transaction to the registry from an account with GRANT (a session key's
/// authorisation). Throws `INVALID_ARGUMENT` for an empty stream id, a `user` that is not an
/// address, or an expiration that is not an integer in 0..2^53 − 1.
#[wasm_bindgen(js_name = setPermissionsForUserCall)]
pub fn set_permissions_for_user_call(
    #[wasm_bindgen(js_name = streamId)] stream_id: &str,
    user: &str,
    #[wasm_bindgen(js_name = publishExpiration)] publish_expiration: f64,
    #[wasm_bindgen(js_name = subscribeExpiration)] subscribe_expiration: f64,
) -> Result<Vec<u8>, JsValue> {
    Ok(abi::set_permissions_for_user_call(
        stream_arg(stream_id)?,
        &address_arg(user)?,
        safe_integer(publish_expiration, "publishExpiration")?,
        safe_integer(subscribe_expiration, "subscribeExpiration")?,
    ))
}

/// Calldata of `revokeAllPermissionsForUser(streamId, user)`, for a transaction to the registry
/// from an account with GRANT (or from `user`). Throws `INVALID_ARGUMENT` for an empty stream
/// id or a `user` that is not an address.
#[wasm_bindgen(js_name = revokeAllPermissionsForUserCall)]
pub fn revoke_all_permissions_for_user_call(
    #[wasm_bindgen(js_name = streamId)] stream_id: &str,
    user: &str,
) -> Result<Vec<u8>, JsValue> {
    Ok(abi::revoke_all_permissions_for_user_call(
        stream_arg(stream_id)?,
        &address_arg(user)?,
    ))
}
