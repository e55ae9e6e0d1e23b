//! User ids: raw bytes on the wire, `0x` + lower-case hex in the SDK and in signature payloads.

use std::fmt;

use crate::error::{Error, Result};

/// Longest user id accepted: an ML-DSA-87 public key (2592 bytes) is the largest the SDK uses.
pub const MAX_USER_ID_LEN: usize = 2592;

/// A user id (EVM address, ERC-1271 contract, compressed P-256 key or ML-DSA-87 key).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(Vec<u8>);

impl UserId {
    /// Wraps raw id bytes; rejects empty and oversized ids.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.is_empty() {
            return Err(Error::malformed("user id is empty"));
        }
        if bytes.len() > MAX_USER_ID_LEN {
            return Err(Error::malformed(format!(
                "user id is {} bytes, at most {MAX_USER_ID_LEN} allowed",
                bytes.len()
            )));
        }
        Ok(UserId(bytes.to_vec()))
    }

    /// Parses the SDK's string form: `0x` followed by hex (either case, as `toUserId` accepts).
    pub fn parse(s: &str) -> Result<Self> {
        let digits = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .ok_or_else(|| Error::InvalidArgument("user id must start with 0x".into()))?;
        let bytes = hex::decode(digits)
            .map_err(|_| Error::InvalidArgument("user id is not valid hex".into()))?;
        Self::from_bytes(&bytes).map_err(|e| Error::InvalidArgument(e.to_string()))
    }

    /// The raw bytes, as on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl From<[u8; 20]> for UserId {
    fn from(address: [u8; 20]) -> Self {
        UserId(address.to_vec())
    }
}

impl fmt::Display for UserId {
    /// `0x` + lower-case hex: the SDK's `toUserId` form, used in signature payloads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(&self.0))
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_lower_case() {
        let id = UserId::parse("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266").unwrap();
        assert_eq!(id.to_string(), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        assert_eq!(id.as_bytes().len(), 20);
    }

    #[test]
    fn rejects_bad_forms() {
        for bad in ["", "0x", "f39f", "0xzz", "0x123"] {
            assert!(UserId::parse(bad).is_err(), "{bad}");
        }
        assert!(UserId::from_bytes(&vec![1; MAX_USER_ID_LEN + 1]).is_err());
    }
}
