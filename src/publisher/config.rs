//! The publisher's settings and their defaults.

use crate::error::{Error, ErrorCode, Result};
use crate::exchange::rsa;
use crate::permissions::PermissionSource;
use crate::wire::format::Formats;

/// Default [`PublisherConfig::min_rsa_key_bits`].
///
/// 2048 bits, not the SDK's floor of 640: a group key wrapped for the requester's RSA key is
/// broadcast on the stream partition, where anyone may record it, so the requester's modulus
/// protects the publisher's content. RSA-640 was factored publicly in 2005 and RSA-768 in 2009;
/// NIST SP 800-131A has disallowed RSA under 2048 bits for key transport since 2014. Every SDK
/// in production uses 4096 (`rsaKeyLength`), as does this package, so 2048 refuses only test
/// setups (the SDK's tests use 640: set `min_rsa_key_bits` to 640 there).
pub const DEFAULT_MIN_RSA_KEY_BITS: usize = 2048;

/// Publisher settings. Defaults follow the SDK where it has the option.
#[derive(Clone, Debug)]
pub struct PublisherConfig {
    /// The stream.
    pub stream_id: String,
    /// The partition.
    pub partition: u32,
    /// Encrypt content (AES). `false` only for public streams, as the SDK does when the
    /// stream has public SUBSCRIBE; refused when `require_encryption` is set.
    pub encrypt: bool,
    /// `requireQuantumResistantEncryption`: never publish unencrypted.
    pub require_encryption: bool,
    /// Encrypt unless the stream's SUBSCRIBE permission is public, as the SDK decides: the
    /// publisher asks once at start (`public_check.rs`) and holds publishes until the answer;
    /// an answer that does not say "public" means encrypt. Needs `encrypt`; with
    /// `require_encryption` nothing is asked.
    pub encrypt_unless_public: bool,
    /// `requireQuantumResistantKeyExchange`: refuse RSA key requests.
    pub require_quantum_resistant_key_exchange: bool,
    /// Smallest RSA modulus, in bits, a key request may carry (`minRsaKeyBits`); smaller ones
    /// are denied `ENCRYPTION_POLICY_VIOLATION` before any question. At most 4096 (the largest
    /// RSA key accepted at all); values under 640 act as 640. See
    /// [`DEFAULT_MIN_RSA_KEY_BITS`].
    pub min_rsa_key_bits: usize,
    /// Who computes RSA-OAEP for RSA key requests: the host, through
    /// [`crate::host::Question::WrapGroupKeys`] (`true`), or the core's `rsa` crate. Every
    /// decision stays in the core either way. Default: `false` with the feature `rsa`, `true`
    /// without it, where `false` is refused.
    pub rsa_by_host: bool,
    /// Which field forms key requests may have (`strictFormats`): the SDK's only (the
    /// default), or any. Id lengths (at most 256) and key id counts (at most 16) are enforced
    /// in both modes. See [`crate::wire::format`].
    pub formats: Formats,
    /// Key requests one requester may send per second (burst: twice this).
    pub max_key_requests_per_requester_per_second: u32,
    /// Requesters tracked by the rate limiter at once.
    pub max_tracked_requesters: usize,
    /// Key requests being checked or waiting for their keys to load at once; more are refused
    /// (`OVERLOADED`).
    pub max_pending_key_requests: usize,
    /// How far a request's timestamp may be from `now`, either way (`STALE_REQUEST`): replayed
    /// requests stop working after this long.
    pub max_key_request_age_ms: u64,
    /// Key requests remembered (by requester and request id) while they are fresh, so that a
    /// replay is refused (`REPLAYED_MESSAGE`); past this many the oldest are forgotten first.
    pub max_remembered_key_requests: usize,
    /// Publishes waiting for a wallet signature at once; more are refused (`OVERLOADED`).
    pub max_queued_publishes: usize,
    /// The message chain id; random (20 alphanumeric characters, as the SDK) if `None`.
    pub msg_chain_id: Option<String>,
    /// Where permission answers come from (host questions, or registry calls cached here).
    pub permissions: PermissionSource,
    /// Key custodians (their ML-KEM-1024 public keys) that get every new key eagerly, wrapped
    /// for them, before the first message that uses it (`handoff.rs`, docs/custodian.md).
    pub custodians: Vec<Vec<u8>>,
}

impl PublisherConfig {
    /// Defaults for `stream_id`, partition 0, encrypted.
    pub fn new(stream_id: impl Into<String>) -> Self {
        PublisherConfig {
            stream_id: stream_id.into(),
            partition: 0,
            encrypt: true,
            require_encryption: false,
            encrypt_unless_public: false,
            require_quantum_resistant_key_exchange: false,
            min_rsa_key_bits: DEFAULT_MIN_RSA_KEY_BITS,
            rsa_by_host: !cfg!(feature = "rsa"),
            formats: Formats::Sdk,
            max_key_requests_per_requester_per_second: 5,
            max_tracked_requesters: 10_000,
            max_pending_key_requests: 1_000,
            max_key_request_age_ms: 10 * 60 * 1000,
            max_remembered_key_requests: 100_000,
            max_queued_publishes: 10_000,
            msg_chain_id: None,
            permissions: PermissionSource::Host,
            custodians: Vec::new(),
        }
    }

    /// Refuses settings that contradict each other or could never work.
    pub(super) fn validate(&self) -> Result<()> {
        if !self.encrypt && self.require_encryption {
            return Err(Error::Policy {
                code: ErrorCode::EncryptionPolicyViolation,
                message: "publishing unencrypted is refused by requireQuantumResistantEncryption"
                    .into(),
            });
        }
        if self.encrypt_unless_public && !self.encrypt {
            return Err(Error::InvalidArgument(
                "encrypt false contradicts encryptUnlessPublic".into(),
            ));
        }
        if self.stream_id.is_empty() {
            return Err(Error::InvalidArgument("stream id is empty".into()));
        }
        if self.min_rsa_key_bits > rsa::MAX_BITS {
            return Err(Error::InvalidArgument(format!(
                "minRsaKeyBits {} is above the largest RSA key accepted ({}); to refuse RSA, \
                 require quantum-resistant key exchange",
                self.min_rsa_key_bits,
                rsa::MAX_BITS
            )));
        }
        for key in &self.custodians {
            crate::custodian::identity::custodian_id(key)?;
        }
        if !self.rsa_by_host && !cfg!(feature = "rsa") {
            return Err(Error::InvalidArgument(
                "this build has no in-core RSA (feature `rsa`): rsa_by_host must be set".into(),
            ));
        }
        Ok(())
    }
}
