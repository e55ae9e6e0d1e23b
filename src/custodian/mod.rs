//! Key custodians (docs/custodian.md).
//!
//! [`identity`] is what a publisher needs to name a custodian and hand it an identity (a
//! custodian's id, sealing a session key for it), so it is always built. The custodian itself
//! ([`Custodian`], a serve-only publisher core with a grace period) is a Node service: it is
//! behind the feature `custodian`, which the npm package's browser module is built without
//! (issue #16; scripts/build-pkg.sh).

pub mod identity;
#[cfg(feature = "custodian")]
mod serve;

#[cfg(feature = "custodian")]
pub use serve::{Custodian, CustodianConfig};
