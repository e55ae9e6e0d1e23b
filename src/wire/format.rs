//! The forms the SDK always gives its ids and timestamps (read in `@streamr/sdk` 103.3.2:
//! `createRandomMsgChainId` = `randomString(20)`, `GroupKey.generate` =
//! `uniqueId(uuidv4 + '-GroupKey')`, request ids = `uuid()`, timestamps = `Date.now()`).
//!
//! Why check them: the signature payload concatenates fields with no separators (docs/wire.md §4),
//! so a relayed genuine message can be re-split and keep a valid signature. Fixed forms pin
//! the boundaries: a `msgChainId` is exactly 20 alphanumerics, so `prev` digits cannot move
//! into it; a key id is a uuid with a `-GroupKey<n>` suffix, so ciphertext bytes cannot pose
//! as a rotated key's id; a timestamp has 13 digits, so digits cannot move between it and
//! the sequence number without leaving the range of real clocks. Producers other than the
//! SDK may relax this ([`Formats::Any`]); the signature memory in `replay.rs` still catches
//! re-splits of messages already seen.

use super::message::{Body, StreamMessage};
use crate::error::{Error, ErrorCode, Result};

/// Length of the SDK's random message chain ids.
pub const CHAIN_ID_LEN: usize = 20;
/// No real clock gives less (2001-09-09): 13-digit timestamps until the year 2286.
pub const MIN_TIMESTAMP_MS: u64 = 1_000_000_000_000;
/// Longest id (key id, request id, chain id) accepted in any mode.
pub const MAX_ID_LEN: usize = 256;
/// Most key ids one request or response may carry (the SDK sends one).
pub const MAX_KEY_IDS: usize = 16;

/// Which producers' field forms a machine accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Formats {
    /// Only what `@streamr/sdk` (and this crate) produce. The default.
    #[default]
    Sdk,
    /// Any non-empty id up to [`MAX_ID_LEN`], any timestamp: for other producers (custom
    /// key ids, chain ids, test clocks). Re-splits of unseen messages are then possible.
    Any,
}

/// `randomString(20)`: 20 characters of `[0-9A-Za-z]`.
pub fn is_sdk_chain_id(id: &str) -> bool {
    id.len() == CHAIN_ID_LEN && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A lower-case hex uuid, `8-4-4-4-12`.
pub fn is_uuid(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
}

/// `<uuid>-GroupKey<n>`, `n` a decimal counter from 1.
pub fn is_sdk_key_id(id: &str) -> bool {
    let Some((uuid, rest)) = id.split_at_checked(36) else {
        return false;
    };
    let Some(n) = rest.strip_prefix("-GroupKey") else {
        return false;
    };
    is_uuid(uuid)
        && !n.is_empty()
        && n.len() <= 16
        && !n.starts_with('0')
        && n.bytes().all(|c| c.is_ascii_digit())
}

/// Checks the ids and the timestamp of `msg` against `formats`. Length and count bounds
/// ([`MAX_ID_LEN`], [`MAX_KEY_IDS`]) hold in every mode. Errors are `MALFORMED_MESSAGE`,
/// or `TIMESTAMP_OUT_OF_RANGE` for a timestamp no real clock gives.
pub fn check(msg: &StreamMessage, formats: Formats) -> Result<()> {
    let sdk = formats == Formats::Sdk;
    let id = |what: &str, value: &str, sdk_form: fn(&str) -> bool| -> Result<()> {
        if value.is_empty() || value.len() > MAX_ID_LEN {
            return Err(Error::malformed(format!(
                "{what} must have 1 to {MAX_ID_LEN} characters"
            )));
        }
        if sdk && !sdk_form(value) {
            return Err(Error::malformed(format!(
                "{what} {value:?} is not in the SDK's form (strict formats)"
            )));
        }
        Ok(())
    };
    id("msgChainId", &msg.id.msg_chain_id, is_sdk_chain_id)?;
    if sdk && msg.id.timestamp < MIN_TIMESTAMP_MS {
        return Err(Error::Policy {
            code: ErrorCode::TimestampOutOfRange,
            message: format!(
                "timestamp {} is before any real clock's (strict formats)",
                msg.id.timestamp
            ),
        });
    }
    let key_ids = |ids: &mut dyn Iterator<Item = &String>| -> Result<()> {
        let mut n = 0;
        for k in ids {
            n += 1;
            if n > MAX_KEY_IDS {
                return Err(Error::malformed(format!(
                    "more than {MAX_KEY_IDS} group key ids"
                )));
            }
            id("group key id", k, is_sdk_key_id)?;
        }
        Ok(())
    };
    match &msg.body {
        Body::Content(c) => {
            key_ids(&mut c.group_key_id.iter())?;
            key_ids(&mut c.new_group_key.iter().map(|k| &k.id))?;
        }
        Body::KeyRequest(r) => {
            id("requestId", &r.request_id, is_uuid)?;
            if r.group_key_ids.is_empty() {
                return Err(Error::malformed("key request names no key"));
            }
            key_ids(&mut r.group_key_ids.iter())?;
        }
        Body::KeyResponse(r) => {
            id("requestId", &r.request_id, is_uuid)?;
            key_ids(&mut r.group_keys.iter().map(|k| &k.id))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_forms() {
        assert!(is_sdk_chain_id("165lWPardI9giepksI9Q"));
        assert!(
            !is_sdk_chain_id("165lWPardI9giepksI9Q1"),
            "prev digits moved in"
        );
        assert!(!is_sdk_chain_id("165lWPardI9giepksI9"));
        assert!(!is_sdk_chain_id("165lWPardI9giepks-9Q"));
        assert!(is_uuid("d750adec-d51b-4d35-abad-f0ada7dafff7"));
        assert!(!is_uuid("D750ADEC-d51b-4d35-abad-f0ada7dafff7"));
        assert!(!is_uuid("d750adec-d51b-4d35-abad-f0ada7dafff"));
        assert!(is_sdk_key_id(
            "11111111-2222-4333-8444-555555555555-GroupKey1"
        ));
        assert!(is_sdk_key_id(
            "11111111-2222-4333-8444-555555555555-GroupKey1024"
        ));
        for bad in [
            "11111111-2222-4333-8444-555555555555-GroupKey",
            "11111111-2222-4333-8444-555555555555-GroupKey01",
            "11111111-2222-4333-8444-555555555555-GroupKey1x",
            "11111111-2222-4333-8444-555555555555GroupKey1",
            "k1",
            "",
            "é1111111-2222-4333-8444-555555555555-GroupKey1",
        ] {
            assert!(!is_sdk_key_id(bad), "{bad:?}");
        }
    }
}
