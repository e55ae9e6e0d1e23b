//! The subscriber's settings and their defaults.

use crate::error::{Error, ErrorCode, Result};
use crate::permissions::PermissionSource;
use crate::wire::AsymmetricEncryptionType;
use crate::wire::DEFAULT_MAX_MESSAGE_BYTES;
use crate::wire::format::Formats;

/// Subscriber settings. Defaults follow the SDK where it has the option.
#[derive(Clone, Debug)]
pub struct SubscriberConfig {
    /// The stream.
    pub stream_id: String,
    /// The partition.
    pub partition: u32,
    /// `keyRequestTimeout`: give up on a key this long after first asking (SDK: 30 s).
    pub key_request_timeout_ms: u64,
    /// Requests after the first within the timeout (the SDK sends one and never retries).
    pub key_request_retries: u32,
    /// Wait before the first retry; doubles each time.
    pub key_request_retry_base_ms: u64,
    /// `maxKeyRequestsPerSecond` (SDK: 20).
    pub max_key_requests_per_second: u32,
    /// Keys fetched at once, key-store loads included (a fetch starts with a
    /// [`crate::host::Question::LoadKey`], then key requests).
    pub max_key_fetches: usize,
    /// Messages held (waiting for a key, a check or a predecessor) across all chains.
    pub max_held_messages: usize,
    /// Messages held in one chain.
    pub max_held_per_chain: usize,
    /// (publisher, chain) pairs remembered for ordering and duplicate detection.
    pub max_chains: usize,
    /// Group keys remembered; the oldest learned are forgotten first.
    pub max_keys: usize,
    /// How long a message waits for a missing predecessor before delivery goes on.
    pub gap_timeout_ms: u64,
    /// How long a publisher's PUBLISH permission answer is trusted.
    pub permission_cache_ttl_ms: u64,
    /// Retry a permission question the host failed to answer after this long.
    pub permission_retry_ms: u64,
    /// `requireQuantumResistantSignatures`: only ML-DSA-87 content is accepted.
    pub require_quantum_resistant_signatures: bool,
    /// Drop unencrypted content (`ENCRYPTION_POLICY_VIOLATION`). `encryptionType` is unsigned,
    /// so on a stream known to be encrypted this stops a relabelled message from delivering
    /// ciphertext as plaintext. Off by default: the SDK accepts NONE on receipt.
    pub require_encryption: bool,
    /// `requireQuantumResistantKeyExchange`: receive keys with ML-KEM only; a subscriber with
    /// an RSA key pair is refused (`ENCRYPTION_POLICY_VIOLATION`). See
    /// [`key_exchange_algorithm`].
    pub require_quantum_resistant_key_exchange: bool,
    /// Largest StreamMessage accepted.
    pub max_message_bytes: usize,
    /// Where permission answers come from (host questions, or registry calls cached here).
    pub permissions: PermissionSource,
    /// Messages (content and key responses) whose timestamp is further than this ahead of
    /// the host's clock are dropped `TIMESTAMP_OUT_OF_RANGE`: a forgery that moves sequence
    /// digits into the timestamp, or a publisher whose clock is badly wrong.
    pub max_clock_skew_ms: u64,
    /// Which producers' id forms are accepted ([`Formats::Sdk`]: only what the SDK
    /// generates, which pins the boundaries a re-split forgery would move). Length (≤ 256)
    /// and count (≤ 16 key ids) bounds hold either way.
    pub formats: Formats,
    /// Signatures remembered per publisher to refuse replays and re-splits
    /// (`REPLAYED_MESSAGE`); the oldest are forgotten first.
    pub replay_memory_per_publisher: usize,
    /// Publishers whose signatures are remembered; the first seen is forgotten first.
    pub replay_memory_publishers: usize,
    /// ERC-1271-signed content messages waiting for their publisher's PUBLISH answer or the
    /// contract's verdict, all publishers together. They wait outside the chains: nothing an
    /// unverified message says changes chain state. More are dropped `OVERLOADED`.
    pub max_unverified_messages: usize,
    /// The same, for one publisher (forgeries in one contract's name must not crowd out
    /// another's messages).
    pub max_unverified_per_publisher: usize,
    /// Take a key response signed by someone other than the publisher asked (a key custodian
    /// answering under its own identity), as the SDK does: addressed to us, for a pending
    /// request, the responder holding PUBLISH. The key is stored under the publisher asked.
    /// Off by default: any PUBLISH holder could then plant a key under another publisher's
    /// key id (SECURITY.md, "Key custodians").
    pub accept_custodian_responses: bool,
}

impl SubscriberConfig {
    /// Defaults for `stream_id`, partition 0.
    pub fn new(stream_id: impl Into<String>) -> Self {
        SubscriberConfig {
            stream_id: stream_id.into(),
            partition: 0,
            key_request_timeout_ms: 30_000,
            key_request_retries: 3,
            key_request_retry_base_ms: 2_000,
            max_key_requests_per_second: 20,
            max_key_fetches: 1_000,
            max_held_messages: 10_000,
            max_held_per_chain: 1_000,
            max_chains: 10_000,
            max_keys: 10_000,
            gap_timeout_ms: 5_000,
            permission_cache_ttl_ms: 5 * 60 * 1000,
            permission_retry_ms: 5_000,
            require_quantum_resistant_signatures: false,
            require_encryption: false,
            require_quantum_resistant_key_exchange: false,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            permissions: PermissionSource::Host,
            max_clock_skew_ms: 10 * 60 * 1000,
            formats: Formats::Sdk,
            replay_memory_per_publisher: 1_000,
            replay_memory_publishers: 1_000,
            max_unverified_messages: 256,
            max_unverified_per_publisher: 64,
            accept_custodian_responses: false,
        }
    }
}

/// The key-exchange scheme a subscriber receives keys with: `requested`, ML-KEM-1024 by
/// default. RSA contradicts `require_quantum_resistant` (`ENCRYPTION_POLICY_VIOLATION`).
pub fn key_exchange_algorithm(
    requested: Option<AsymmetricEncryptionType>,
    require_quantum_resistant: bool,
) -> Result<AsymmetricEncryptionType> {
    match requested.unwrap_or(AsymmetricEncryptionType::MlKem) {
        AsymmetricEncryptionType::Rsa if require_quantum_resistant => Err(Error::Policy {
            code: ErrorCode::EncryptionPolicyViolation,
            message: "keyExchange 'RSA' contradicts requireQuantumResistantKeyExchange".into(),
        }),
        algorithm => Ok(algorithm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AsymmetricEncryptionType::{MlKem, Rsa};

    #[test]
    fn ml_kem_by_default_rsa_only_when_allowed() {
        assert_eq!(key_exchange_algorithm(None, false).unwrap(), MlKem);
        assert_eq!(key_exchange_algorithm(None, true).unwrap(), MlKem);
        assert_eq!(key_exchange_algorithm(Some(Rsa), false).unwrap(), Rsa);
        assert_eq!(key_exchange_algorithm(Some(MlKem), true).unwrap(), MlKem);
        let e = key_exchange_algorithm(Some(Rsa), true).unwrap_err();
        assert_eq!(e.code(), ErrorCode::EncryptionPolicyViolation);
    }

    #[test]
    fn a_subscriber_with_an_rsa_key_pair_is_refused_under_the_policy() {
        use crate::exchange::mlkem::MlKemKeyPair;
        use crate::identity::{Signing, evm::EvmSigner};
        use crate::subscriber::{KeyExchange, Subscriber};
        let signing = || Signing::Local(Box::new(EvmSigner::generate().unwrap()));
        let rsa = || KeyExchange::External {
            encryption_type: Rsa,
            public_key: b"-----BEGIN PUBLIC KEY-----\n".to_vec(),
        };
        let mut strict = SubscriberConfig::new("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/qr");
        strict.require_quantum_resistant_key_exchange = true;
        let e = Subscriber::new(strict.clone(), signing(), rsa(), 0)
            .err()
            .unwrap();
        assert_eq!(e.code(), ErrorCode::EncryptionPolicyViolation);
        let ml_kem = KeyExchange::Internal(Box::new(MlKemKeyPair::generate().unwrap()));
        assert!(Subscriber::new(strict.clone(), signing(), ml_kem, 0).is_ok());
        strict.require_quantum_resistant_key_exchange = false;
        assert!(Subscriber::new(strict, signing(), rsa(), 0).is_ok());
    }
}
