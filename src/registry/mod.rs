//! The StreamRegistry seam (docs/wire.md §9): the core encodes the contract reads the SDK makes and
//! decodes their results, so the host only performs an `eth_call` with bytes it is given
//! and hands back the raw outcome.
//!
//! - [`abi`]: calldata and strict result decoding for `hasPublicPermission`,
//!   `getPermissionsForUserId` and ERC-1271 `isValidSignature`;
//! - [`permission`]: the permission types and when a grant counts as held;
//! - [`cache`]: answers with a TTL and a size bound, time passed in;
//! - [`oracle`]: [`PermissionOracle`], the sans-IO question/answer loop over the two.
//!
//! ERC-1271 checks are not cached here: their answer depends on the signature, and the
//! callers check each signature once.

pub mod abi;
pub mod cache;
pub mod oracle;
pub mod permission;

pub use cache::{CacheConfig, PermissionCache};
pub use oracle::{CallId, Decision, Lookup, OracleConfig, PermissionOracle};
pub use permission::{Grantee, PermissionQuery, PermissionType, UserPermissions};

use crate::error::{Error, ErrorCode, Result};
use crate::user_id::UserId;

/// What came back from an `eth_call` the host made for the core.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallOutcome {
    /// The call succeeded; its raw return data.
    Returned(Vec<u8>),
    /// The call reverted; its revert data (empty if the host does not have it).
    Reverted(Vec<u8>),
    /// No answer: RPC down, timeout, the wallet refused, … (fail closed).
    Failed(String),
}

/// Why a registry question has no yes/no answer. Every one counts as "no".
///
/// Wraps [`Error`] where the core has a variant for the case; the other two exist because
/// `Error` has no variant for `PERMISSION_CHECK_FAILED` or `OVERLOADED` (the state machines
/// report those as event codes).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// `STREAM_NOT_FOUND` ([`Error::StreamNotFound`]), or `INVALID_ARGUMENT` for a bad query.
    #[error(transparent)]
    Core(#[from] Error),
    /// `PERMISSION_CHECK_FAILED`: the host could not make the call, the registry reverted for
    /// another reason than a missing stream, or its answer does not decode.
    #[error("permission check failed: {0}")]
    CheckFailed(String),
    /// `OVERLOADED`: too many registry calls wait for the host.
    #[error("too many registry calls in flight (at most {limit})")]
    Overloaded {
        /// [`OracleConfig::max_in_flight`].
        limit: usize,
    },
}

impl RegistryError {
    /// The stable code, for events and JS errors.
    pub fn code(&self) -> ErrorCode {
        match self {
            RegistryError::Core(e) => e.code(),
            RegistryError::CheckFailed(_) => ErrorCode::PermissionCheckFailed,
            RegistryError::Overloaded { .. } => ErrorCode::Overloaded,
        }
    }
}

/// An `eth_call` to make to a contract other than the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractCall {
    /// The contract's address.
    pub to: [u8; 20],
    /// The calldata.
    pub data: Vec<u8>,
}

/// The call that asks ERC-1271 contract `contract` whether `signature` is valid for `digest`
/// (the EIP-191 digest of the signature payload, docs/wire.md §4).
pub fn erc1271_call(
    contract: &UserId,
    digest: &[u8; 32],
    signature: &[u8],
) -> Result<ContractCall> {
    let to: [u8; 20] = contract.as_bytes().try_into().map_err(|_| {
        Error::InvalidArgument(format!(
            "an ERC-1271 contract is a 20-byte address, not {} bytes",
            contract.as_bytes().len()
        ))
    })?;
    Ok(ContractCall {
        to,
        data: abi::is_valid_signature_call(digest, signature),
    })
}

/// Whether `isValidSignature`'s return data says "valid": exactly the magic value
/// `0x1626ba7e` (zero-padded word). `Ok(false)` for any other `bytes4`; a
/// `MALFORMED_MESSAGE` error for bytes that are not a `bytes4` at all.
pub fn erc1271_result(data: &[u8]) -> Result<bool> {
    Ok(abi::decode_is_valid_signature(data)? == abi::ERC1271_MAGIC_VALUE)
}

/// The verdict on an ERC-1271 call's outcome, failing closed:
/// - returned the magic value → `Ok(true)`; another `bytes4` → `Ok(false)`;
/// - reverted → `Ok(false)`: wallets commonly revert on a bad signature (OpenZeppelin's
///   `SignatureChecker` counts a revert as invalid), so the contract has answered;
/// - returned bytes that are not a `bytes4` (no contract at the address returns nothing),
///   or the host failed → `PERMISSION_CHECK_FAILED`.
pub fn erc1271_outcome(outcome: CallOutcome) -> Result<bool, RegistryError> {
    match outcome {
        CallOutcome::Returned(data) => erc1271_result(&data).map_err(|e| {
            RegistryError::CheckFailed(format!(
                "isValidSignature returned {} bytes that are not a bytes4 ({e})",
                data.len()
            ))
        }),
        CallOutcome::Reverted(_) => Ok(false),
        CallOutcome::Failed(reason) => Err(RegistryError::CheckFailed(reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn magic_word(magic: [u8; 4]) -> Vec<u8> {
        let mut w = vec![0u8; 32];
        w[..4].copy_from_slice(&magic);
        w
    }

    #[test]
    fn erc1271_call_targets_the_contract() {
        let contract = UserId::from([0x42; 20]);
        let call = erc1271_call(&contract, &[1; 32], &[2; 65]).unwrap();
        assert_eq!(call.to, [0x42; 20]);
        assert_eq!(call.data, abi::is_valid_signature_call(&[1; 32], &[2; 65]));
        let not_an_address = UserId::from_bytes(&[2; 33]).unwrap();
        let e = erc1271_call(&not_an_address, &[1; 32], &[]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
    }

    #[test]
    fn erc1271_results() {
        assert!(erc1271_result(&magic_word([0x16, 0x26, 0xba, 0x7e])).unwrap());
        assert!(!erc1271_result(&magic_word([0xff; 4])).unwrap());
        assert!(!erc1271_result(&magic_word([0; 4])).unwrap());
        // The magic value not left-aligned is not a bytes4 (non-zero padding).
        let mut right = vec![0u8; 32];
        right[28..].copy_from_slice(&[0x16, 0x26, 0xba, 0x7e]);
        assert_eq!(
            erc1271_result(&right).unwrap_err().code(),
            ErrorCode::MalformedMessage
        );
        assert!(erc1271_result(&[]).is_err());
    }

    #[test]
    fn erc1271_outcomes_fail_closed() {
        let ok = CallOutcome::Returned(magic_word(abi::ERC1271_MAGIC_VALUE));
        assert_eq!(erc1271_outcome(ok), Ok(true));
        assert_eq!(erc1271_outcome(CallOutcome::Reverted(vec![])), Ok(false));
        let e = erc1271_outcome(CallOutcome::Returned(vec![])).unwrap_err();
        assert_eq!(e.code(), ErrorCode::PermissionCheckFailed);
        let e = erc1271_outcome(CallOutcome::Failed("rpc".into())).unwrap_err();
        assert_eq!(e.code(), ErrorCode::PermissionCheckFailed);
    }
}
