//! The StreamRegistry permission model (docs/wire.md §9): the five permission types, who holds them,
//! and when a decoded grant counts as held.

use crate::error::{Error, Result};
use crate::user_id::UserId;

/// The contract's `PermissionType` (`uint8` on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PermissionType {
    /// May edit the stream's metadata.
    Edit = 0,
    /// May delete the stream.
    Delete = 1,
    /// May publish; held until `publishExpiration`.
    Publish = 2,
    /// May subscribe; held until `subscribeExpiration`.
    Subscribe = 3,
    /// May grant and revoke permissions.
    Grant = 4,
}

impl PermissionType {
    /// All five, in contract order.
    pub const ALL: [PermissionType; 5] = [
        PermissionType::Edit,
        PermissionType::Delete,
        PermissionType::Publish,
        PermissionType::Subscribe,
        PermissionType::Grant,
    ];

    /// The `uint8` the contract takes.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// The permission with this contract value.
    pub fn from_u8(value: u8) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_u8() == value)
            .ok_or_else(|| Error::InvalidArgument(format!("no permission type {value}")))
    }

    /// The SDK's name (`StreamPermission`), for messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            PermissionType::Edit => "EDIT",
            PermissionType::Delete => "DELETE",
            PermissionType::Publish => "PUBLISH",
            PermissionType::Subscribe => "SUBSCRIBE",
            PermissionType::Grant => "GRANT",
        }
    }
}

impl From<crate::host::Permission> for PermissionType {
    fn from(p: crate::host::Permission) -> Self {
        match p {
            crate::host::Permission::Publish => PermissionType::Publish,
            crate::host::Permission::Subscribe => PermissionType::Subscribe,
        }
    }
}

/// Whose permission: one user, or everyone (public grants live under the zero address).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grantee {
    /// A user id (EVM address, ERC-1271 contract, P-256 or ML-DSA-87 key), as the registry's
    /// `*ForUserId` functions take it: the raw id bytes.
    User(UserId),
    /// Anyone: `hasPublicPermission`.
    Public,
}

/// One permission question: does `grantee` hold `permission` on `stream_id`?
///
/// Also the key of [`super::PermissionCache`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PermissionQuery {
    /// The full stream id (`0xowner/path` or an ENS name + path), as the registry keys it.
    pub stream_id: String,
    /// Whose permission.
    pub grantee: Grantee,
    /// Which one.
    pub permission: PermissionType,
}

/// The result of `getPermissionsForUserId`: a user's permissions, public grants included
/// (the contract takes the later of the user's and the public expiration).
///
/// Expirations are unix seconds. The contract stores `uint256`; anything at or above 2^64 is
/// far beyond any clock and is kept here as `u64::MAX` ("forever": `grantPermission` stores
/// 2^256 − 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserPermissions {
    /// `canEdit`.
    pub can_edit: bool,
    /// `canDelete`.
    pub can_delete: bool,
    /// `publishExpiration`, saturated to `u64::MAX`.
    pub publish_expiration: u64,
    /// `subscribeExpiration`, saturated to `u64::MAX`.
    pub subscribe_expiration: u64,
    /// `canGrant`.
    pub can_grant: bool,
}

impl UserPermissions {
    /// Whether `permission` is held at `now_ms`.
    ///
    /// PUBLISH and SUBSCRIBE hold while `expiration > now` (the SDK's
    /// `convertChainPermissionsToStreamPermissions`). The SDK compares against
    /// `Math.round(Date.now() / 1000)`; we compare exactly (`expiration · 1000 > now_ms`), which
    /// differs from it only in the half second before expiry, where we say "no" first.
    pub fn allows(&self, permission: PermissionType, now_ms: u64) -> bool {
        match permission {
            PermissionType::Edit => self.can_edit,
            PermissionType::Delete => self.can_delete,
            PermissionType::Publish => expires_after(self.publish_expiration, now_ms),
            PermissionType::Subscribe => expires_after(self.subscribe_expiration, now_ms),
            PermissionType::Grant => self.can_grant,
        }
    }

    /// Until when (unix ms) a "yes" for `permission` may be believed: the expiration of a
    /// time-limited grant, `None` for the boolean ones. Caches cap their entries with it, so
    /// a grant that expires is not reported as held from cache.
    pub fn held_until_ms(&self, permission: PermissionType) -> Option<u64> {
        match permission {
            PermissionType::Publish => Some(self.publish_expiration.saturating_mul(1000)),
            PermissionType::Subscribe => Some(self.subscribe_expiration.saturating_mul(1000)),
            PermissionType::Edit | PermissionType::Delete | PermissionType::Grant => None,
        }
    }
}

fn expires_after(expiration_s: u64, now_ms: u64) -> bool {
    u128::from(expiration_s) * 1000 > u128::from(now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perms(publish: u64, subscribe: u64) -> UserPermissions {
        UserPermissions {
            can_edit: false,
            can_delete: true,
            publish_expiration: publish,
            subscribe_expiration: subscribe,
            can_grant: false,
        }
    }

    #[test]
    fn contract_values() {
        let values: Vec<u8> = PermissionType::ALL.iter().map(|p| p.as_u8()).collect();
        assert_eq!(values, [0, 1, 2, 3, 4]);
        for p in PermissionType::ALL {
            assert_eq!(PermissionType::from_u8(p.as_u8()).unwrap(), p);
        }
        assert!(PermissionType::from_u8(5).is_err());
        assert_eq!(
            PermissionType::from(crate::host::Permission::Subscribe),
            PermissionType::Subscribe
        );
    }

    #[test]
    fn expiration_is_strictly_after_now() {
        let p = perms(1_000, 0);
        assert!(p.allows(PermissionType::Publish, 999_999));
        // Exactly at the expiration second the grant is gone (`expiration > now`).
        assert!(!p.allows(PermissionType::Publish, 1_000_000));
        assert!(!p.allows(PermissionType::Publish, 1_000_001));
        assert!(!p.allows(PermissionType::Subscribe, 0));
        assert_eq!(p.held_until_ms(PermissionType::Publish), Some(1_000_000));
    }

    #[test]
    fn forever_and_booleans() {
        let p = perms(u64::MAX, u64::MAX);
        assert!(p.allows(PermissionType::Publish, u64::MAX));
        assert!(p.allows(PermissionType::Subscribe, u64::MAX));
        assert_eq!(p.held_until_ms(PermissionType::Subscribe), Some(u64::MAX));
        assert!(p.allows(PermissionType::Delete, 0));
        assert!(!p.allows(PermissionType::Edit, 0));
        assert!(!p.allows(PermissionType::Grant, 0));
        assert_eq!(p.held_until_ms(PermissionType::Grant), None);
    }
}
