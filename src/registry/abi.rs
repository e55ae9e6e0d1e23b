//! Calldata and result codecs for the three contract reads the SDK makes (docs/wire.md §9):
//! `hasPublicPermission`, `getPermissionsForUserId` on the StreamRegistry, and ERC-1271
//! `isValidSignature` on a publisher's wallet contract; and the calldata of the two
//! transactions that authorise and revoke a session key (`setPermissionsForUser`,
//! `revokeAllPermissionsForUser`; docs/wallet.md).
//!
//! The host only forwards bytes: it sends our calldata with `eth_call` and hands back the raw
//! return (or revert) data, which is decoded here.
//!
//! Encoding and decoding use `alloy-sol-types` (`sol!` derives the selectors and codecs from
//! the Solidity signatures below). Results are decoded in its *strict* mode: exactly the
//! canonical encoding is accepted (bools 0 or 1, zero padding, canonical offsets, no
//! trailing bytes), and every failure is an [`Error::MalformedMessage`], never a panic.
//! It builds for `wasm32-unknown-unknown` with default features off. Measured cost in a
//! release wasm that exports the whole core plus this module: +18 KB (+6.5 KB gzipped) for
//! alloy's codecs compared with trivial stand-ins, well under what a hand-written strict
//! codec would have had to save to be worth its own parsing code.

use alloy_primitives::{Address, Bytes, FixedBytes, U256};
use alloy_sol_types::abi::AbiDecoderConfig;
use alloy_sol_types::{Revert, SolCall, SolError};

use super::permission::{PermissionType, UserPermissions};
use crate::error::{Error, Result};
use crate::user_id::UserId;

mod sol {
    // The StreamRegistryV5 (network-contracts 8.2.0 / 9.1.0) and ERC-1271 signatures.
    alloy_sol_types::sol! {
        struct Permission {
            bool canEdit;
            bool canDelete;
            uint256 publishExpiration;
            uint256 subscribeExpiration;
            bool canGrant;
        }
        function hasPublicPermission(string streamId, uint8 permissionType)
            external view returns (bool userHasPermission);
        function getPermissionsForUserId(string streamId, bytes user)
            external view returns (Permission permission);
        function isValidSignature(bytes32 hash, bytes signature)
            external view returns (bytes4 magicValue);
        function setPermissionsForUser(string streamId, address user, bool canEdit,
            bool canDelete, uint256 publishExpiration, uint256 subscribeExpiration, bool canGrant);
        function revokeAllPermissionsForUser(string streamId, address user);
    }
}

/// Selector of `hasPublicPermission(string,uint8)`.
pub const HAS_PUBLIC_PERMISSION_SELECTOR: [u8; 4] = sol::hasPublicPermissionCall::SELECTOR;
/// Selector of `getPermissionsForUserId(string,bytes)`.
pub const GET_PERMISSIONS_FOR_USER_ID_SELECTOR: [u8; 4] =
    sol::getPermissionsForUserIdCall::SELECTOR;
/// Selector of `isValidSignature(bytes32,bytes)`, which is also the ERC-1271 magic value a
/// contract returns for a valid signature.
pub const IS_VALID_SIGNATURE_SELECTOR: [u8; 4] = sol::isValidSignatureCall::SELECTOR;
/// Selector of `setPermissionsForUser(string,address,bool,bool,uint256,uint256,bool)`.
pub const SET_PERMISSIONS_FOR_USER_SELECTOR: [u8; 4] = sol::setPermissionsForUserCall::SELECTOR;
/// Selector of `revokeAllPermissionsForUser(string,address)`.
pub const REVOKE_ALL_PERMISSIONS_FOR_USER_SELECTOR: [u8; 4] =
    sol::revokeAllPermissionsForUserCall::SELECTOR;
/// What `isValidSignature` returns for a valid signature.
pub const ERC1271_MAGIC_VALUE: [u8; 4] = [0x16, 0x26, 0xba, 0x7e];

/// The revert reason of `getPermissionsForUserId` (the `streamExists` modifier) when the
/// stream does not exist.
pub const STREAM_DOES_NOT_EXIST_REASON: &str = "error_streamDoesNotExist";

/// Results are tiny (32 or 160 bytes; a revert reason a few dozen): refuse to allocate
/// more than this while decoding, whatever lengths the bytes claim.
const DECODE_MEMORY_LIMIT: usize = 64 * 1024;

fn strict() -> AbiDecoderConfig {
    AbiDecoderConfig::new()
        .strict(true)
        .memory_limit(DECODE_MEMORY_LIMIT)
}

fn malformed(what: &str, e: alloy_sol_types::Error) -> Error {
    Error::malformed(format!("{what}: {e}"))
}

/// Calldata for `hasPublicPermission(streamId, permission)`.
pub fn has_public_permission_call(stream_id: &str, permission: PermissionType) -> Vec<u8> {
    sol::hasPublicPermissionCall {
        streamId: stream_id.to_owned(),
        permissionType: permission.as_u8(),
    }
    .abi_encode()
}

/// Decodes the `bool` that `hasPublicPermission` returns.
pub fn decode_has_public_permission(data: &[u8]) -> Result<bool> {
    sol::hasPublicPermissionCall::abi_decode_returns_with_config(data, strict())
        .map_err(|e| malformed("hasPublicPermission result", e))
}

/// Calldata for `getPermissionsForUserId(streamId, user)`; `user` goes as its raw id bytes.
pub fn get_permissions_for_user_id_call(stream_id: &str, user: &UserId) -> Vec<u8> {
    sol::getPermissionsForUserIdCall {
        streamId: stream_id.to_owned(),
        user: Bytes::copy_from_slice(user.as_bytes()),
    }
    .abi_encode()
}

/// Decodes the `Permission` struct that `getPermissionsForUserId` returns.
pub fn decode_get_permissions_for_user_id(data: &[u8]) -> Result<UserPermissions> {
    let p = sol::getPermissionsForUserIdCall::abi_decode_returns_with_config(data, strict())
        .map_err(|e| malformed("getPermissionsForUserId result", e))?;
    Ok(UserPermissions {
        can_edit: p.canEdit,
        can_delete: p.canDelete,
        publish_expiration: p.publishExpiration.saturating_to::<u64>(),
        subscribe_expiration: p.subscribeExpiration.saturating_to::<u64>(),
        can_grant: p.canGrant,
    })
}

/// Calldata for `setPermissionsForUser(streamId, user, false, false, publishExpiration,
/// subscribeExpiration, false)`: the grant of a session key. Never EDIT, DELETE or GRANT, so a
/// leaked session key can do nothing on the stream beyond publishing/subscribing until its
/// expirations (unix seconds; 0 = not granted, as `block.timestamp` is past it). The call
/// replaces every permission `user` held. The sender needs GRANT on the stream.
pub fn set_permissions_for_user_call(
    stream_id: &str,
    user: &[u8; 20],
    publish_expiration: u64,
    subscribe_expiration: u64,
) -> Vec<u8> {
    sol::setPermissionsForUserCall {
        streamId: stream_id.to_owned(),
        user: Address::from(*user),
        canEdit: false,
        canDelete: false,
        publishExpiration: U256::from(publish_expiration),
        subscribeExpiration: U256::from(subscribe_expiration),
        canGrant: false,
    }
    .abi_encode()
}

/// Calldata for `revokeAllPermissionsForUser(streamId, user)`. The sender needs GRANT (or is
/// `user` itself).
pub fn revoke_all_permissions_for_user_call(stream_id: &str, user: &[u8; 20]) -> Vec<u8> {
    sol::revokeAllPermissionsForUserCall {
        streamId: stream_id.to_owned(),
        user: Address::from(*user),
    }
    .abi_encode()
}

/// Calldata for ERC-1271 `isValidSignature(digest, signature)`.
pub fn is_valid_signature_call(digest: &[u8; 32], signature: &[u8]) -> Vec<u8> {
    sol::isValidSignatureCall {
        hash: FixedBytes(*digest),
        signature: Bytes::copy_from_slice(signature),
    }
    .abi_encode()
}

/// Decodes the `bytes4` that `isValidSignature` returns.
///
/// Strict: exactly one 32-byte word whose last 28 bytes are zero. (OpenZeppelin's
/// `SignatureChecker` compares the whole first word too; a contract that returns anything
/// else is not accepted.)
pub fn decode_is_valid_signature(data: &[u8]) -> Result<[u8; 4]> {
    sol::isValidSignatureCall::abi_decode_returns_with_config(data, strict())
        .map(|magic| magic.0)
        .map_err(|e| malformed("isValidSignature result", e))
}

/// The reason string of a Solidity `Error(string)` revert (`require(cond, "reason")`), or
/// `None` for empty, custom-error or malformed revert data.
pub fn decode_revert_reason(data: &[u8]) -> Option<String> {
    Revert::abi_decode_with_config(data, strict())
        .ok()
        .map(|r| r.reason)
}

#[cfg(test)]
#[path = "abi_tests.rs"]
mod tests;
