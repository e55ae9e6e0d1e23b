//! One error type for the whole core, each variant with a stable string code.
//!
//! The codes are part of the public API: the wasm layer puts them on the JS `Error`
//! as `code`, and apps match on them. Never rename one; add new ones instead.

use std::fmt;

/// Everything that can go wrong in the core.
///
/// Messages name the field or rule that failed so an app developer can fix the input,
/// but never contain key material, and decryption failures are deliberately opaque
/// (see [`Error::Decrypt`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that are not a valid Streamr message: bad protobuf, a missing required field,
    /// an unknown enum value, or a rule of the SDK's validation broken.
    #[error("malformed message: {0}")]
    MalformedMessage(String),
    /// Input larger than the configured limit; refused before any work is done on it.
    #[error("message too large: {size} bytes, the limit is {limit}")]
    MessageTooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A key of the wrong length or form (group key, private key, public key, key id).
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// Decryption failed. Deliberately says nothing more, so it cannot become an oracle.
    #[error("decryption failed")]
    Decrypt,
    /// A signature that is malformed or was not made by the claimed identity.
    #[error("invalid signature: {0}")]
    InvalidSignature(String),
    /// A signature type this operation does not handle (for example signing as ERC-1271
    /// without a wallet).
    #[error("unsupported signature type: {0}")]
    UnsupportedSignatureType(String),
    /// An argument outside its documented range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The operating system or browser CSPRNG could not be read.
    #[error("no secure randomness available")]
    Randomness,
    /// Decrypted content that is not what its content type says (JSON that does not parse).
    #[error("invalid message content: {0}")]
    InvalidMessageContent(String),
    /// The StreamRegistry has no stream with this id (its `getPermissionsForUserId` reverted).
    #[error("stream not found: {0}")]
    StreamNotFound(String),
    /// Too much is pending; the call was refused rather than queued without bound.
    #[error("overloaded: {0}")]
    Overloaded(String),
    /// A policy option forbids this (e.g. RSA key exchange or non-ML-DSA signatures when
    /// quantum resistance is required, or publishing unencrypted when encryption is required).
    #[error("policy violation: {message}")]
    Policy {
        /// `EncryptionPolicyViolation` or `SignaturePolicyViolation`.
        code: ErrorCode,
        /// What was refused.
        message: String,
    },
}

impl Error {
    /// The stable code of this error, as seen by JS in `error.code`.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::MalformedMessage(_) => ErrorCode::MalformedMessage,
            Error::MessageTooLarge { .. } => ErrorCode::MessageTooLarge,
            Error::InvalidKey(_) => ErrorCode::InvalidKey,
            Error::Decrypt => ErrorCode::DecryptError,
            Error::InvalidSignature(_) => ErrorCode::InvalidSignature,
            Error::UnsupportedSignatureType(_) => ErrorCode::UnsupportedSignatureType,
            Error::InvalidArgument(_) => ErrorCode::InvalidArgument,
            Error::Randomness => ErrorCode::RandomnessUnavailable,
            Error::Overloaded(_) => ErrorCode::Overloaded,
            Error::StreamNotFound(_) => ErrorCode::StreamNotFound,
            Error::InvalidMessageContent(_) => ErrorCode::InvalidMessageContent,
            Error::Policy { code, .. } => *code,
        }
    }

    pub(crate) fn malformed(msg: impl Into<String>) -> Self {
        Error::MalformedMessage(msg.into())
    }
}

/// Stable error codes the core raises (see `docs/errors.md`). The codes only the shim raises
/// (`WALLET_*`, `CLOSED`, …) are not here: they are `ShimErrorCode` in `ts/errors.ts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `MALFORMED_MESSAGE`
    MalformedMessage,
    /// `MESSAGE_TOO_LARGE`
    MessageTooLarge,
    /// `INVALID_KEY`
    InvalidKey,
    /// `DECRYPT_ERROR`
    DecryptError,
    /// `INVALID_SIGNATURE`
    InvalidSignature,
    /// `UNSUPPORTED_SIGNATURE_TYPE`
    UnsupportedSignatureType,
    /// `INVALID_ARGUMENT`
    InvalidArgument,
    /// `RANDOMNESS_UNAVAILABLE`
    RandomnessUnavailable,
    /// `PERMISSION_DENIED`: the registry (through the host) said no.
    PermissionDenied,
    /// `PERMISSION_CHECK_FAILED`: the host could not answer a permission question (RPC down,
    /// garbage); treated as a denial (fail closed).
    PermissionCheckFailed,
    /// `KEY_REQUEST_TIMEOUT`: no usable key response arrived in time, retries included.
    KeyRequestTimeout,
    /// `ENCRYPTION_POLICY_VIOLATION`: e.g. an RSA key request when quantum resistance is required.
    EncryptionPolicyViolation,
    /// `SIGNATURE_POLICY_VIOLATION`: a non-ML-DSA signature when quantum resistance is required.
    SignaturePolicyViolation,
    /// `RATE_LIMITED`: a requester sent more key requests than allowed.
    RateLimited,
    /// `OVERLOADED`: too many operations pending; the input was refused, not queued.
    Overloaded,
    /// `BUFFER_OVERFLOW`: a held message did not fit in the bounded buffer and was dropped.
    BufferOverflow,
    /// `STALE_REQUEST`: a key request older (or further in the future) than allowed.
    StaleRequest,
    /// `SIGNER_ERROR`: the host's signer (a wallet) refused or failed to sign.
    SignerError,
    /// `MESSAGE_GAP`: messages of a chain never arrived; later ones were delivered anyway.
    MessageGap,
    /// `INVALID_MESSAGE_CONTENT`: JSON content that is not UTF-8 JSON (the SDK's code).
    InvalidMessageContent,
    /// `STREAM_NOT_FOUND`: the StreamRegistry has no such stream (a permission read reverted).
    StreamNotFound,
    /// `KEY_STORE_UNAVAILABLE`: the host's key store cannot be used (no IndexedDB, a failed
    /// open or write, a database without the SDK's object stores, a closed store).
    KeyStoreUnavailable,
    /// `REPLAYED_MESSAGE`: a message whose signature was already seen (a replay, or a genuine
    /// message re-split into other fields), or a key request answered before.
    ReplayedMessage,
    /// `TIMESTAMP_OUT_OF_RANGE`: a message timestamp further ahead of the host's clock than
    /// allowed, or before any real clock's (fewer than 13 digits).
    TimestampOutOfRange,
}

impl ErrorCode {
    /// Every code the core raises, for documentation and for keeping the TypeScript union in sync.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::MalformedMessage,
        ErrorCode::MessageTooLarge,
        ErrorCode::InvalidKey,
        ErrorCode::DecryptError,
        ErrorCode::InvalidSignature,
        ErrorCode::UnsupportedSignatureType,
        ErrorCode::InvalidArgument,
        ErrorCode::RandomnessUnavailable,
        ErrorCode::PermissionDenied,
        ErrorCode::PermissionCheckFailed,
        ErrorCode::KeyRequestTimeout,
        ErrorCode::EncryptionPolicyViolation,
        ErrorCode::SignaturePolicyViolation,
        ErrorCode::RateLimited,
        ErrorCode::Overloaded,
        ErrorCode::BufferOverflow,
        ErrorCode::StaleRequest,
        ErrorCode::SignerError,
        ErrorCode::MessageGap,
        ErrorCode::InvalidMessageContent,
        ErrorCode::StreamNotFound,
        ErrorCode::KeyStoreUnavailable,
        ErrorCode::ReplayedMessage,
        ErrorCode::TimestampOutOfRange,
    ];

    /// The code as the string JS sees.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedMessage => "MALFORMED_MESSAGE",
            ErrorCode::MessageTooLarge => "MESSAGE_TOO_LARGE",
            ErrorCode::InvalidKey => "INVALID_KEY",
            ErrorCode::DecryptError => "DECRYPT_ERROR",
            ErrorCode::InvalidSignature => "INVALID_SIGNATURE",
            ErrorCode::UnsupportedSignatureType => "UNSUPPORTED_SIGNATURE_TYPE",
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::RandomnessUnavailable => "RANDOMNESS_UNAVAILABLE",
            ErrorCode::PermissionDenied => "PERMISSION_DENIED",
            ErrorCode::PermissionCheckFailed => "PERMISSION_CHECK_FAILED",
            ErrorCode::KeyRequestTimeout => "KEY_REQUEST_TIMEOUT",
            ErrorCode::EncryptionPolicyViolation => "ENCRYPTION_POLICY_VIOLATION",
            ErrorCode::SignaturePolicyViolation => "SIGNATURE_POLICY_VIOLATION",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Overloaded => "OVERLOADED",
            ErrorCode::BufferOverflow => "BUFFER_OVERFLOW",
            ErrorCode::StaleRequest => "STALE_REQUEST",
            ErrorCode::SignerError => "SIGNER_ERROR",
            ErrorCode::MessageGap => "MESSAGE_GAP",
            ErrorCode::InvalidMessageContent => "INVALID_MESSAGE_CONTENT",
            ErrorCode::StreamNotFound => "STREAM_NOT_FOUND",
            ErrorCode::KeyStoreUnavailable => "KEY_STORE_UNAVAILABLE",
            ErrorCode::ReplayedMessage => "REPLAYED_MESSAGE",
            ErrorCode::TimestampOutOfRange => "TIMESTAMP_OUT_OF_RANGE",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted_codes(text: &str, quote: char) -> Vec<String> {
        text.split(quote)
            .skip(1)
            .step_by(2)
            .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            .map(str::to_owned)
            .collect()
    }

    /// The core's codes: Rust, the wasm module's `CoreErrorCode` union and docs/errors.md agree.
    /// The shim's codes: `ShimErrorCode` in ts/errors.ts and docs/errors.md agree, each row
    /// saying the shim raises it. The two sets are disjoint.
    #[test]
    fn codes_are_documented_and_typed() {
        let union_of = |ts: &str, name: &str| {
            let union = ts
                .split(&format!("export type {name} ="))
                .nth(1)
                .and_then(|rest| rest.split(';').next())
                .unwrap();
            let mut codes = quoted_codes(union, '\'');
            codes.sort();
            codes
        };
        let mut core: Vec<String> = ErrorCode::ALL
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        core.sort();
        let typed = union_of(include_str!("wasm/types.rs"), "CoreErrorCode");
        assert_eq!(typed, core, "src/wasm/types.rs CoreErrorCode union");
        let shim = union_of(include_str!("../ts/errors.ts"), "ShimErrorCode");
        assert!(!shim.is_empty(), "ts/errors.ts ShimErrorCode union");
        for code in &shim {
            assert!(
                !core.contains(code),
                "{code} is both a core and a shim code"
            );
        }
        let docs = include_str!("../docs/errors.md");
        // The table's rows: `| `CODE` | raised by | meaning | what to do |`.
        let rows: Vec<(String, &str)> = docs
            .lines()
            .filter_map(|line| {
                let mut cells = line.split('|').skip(1);
                let code = cells.next()?.trim().strip_prefix('`')?.strip_suffix('`')?;
                let raised_by = cells.next()?;
                let is_code = code.chars().all(|c| c.is_ascii_uppercase() || c == '_');
                is_code.then(|| (code.to_owned(), raised_by))
            })
            .collect();
        let mut documented: Vec<String> = rows.iter().map(|(c, _)| c.clone()).collect();
        documented.sort();
        let mut all = [core.clone(), shim.clone()].concat();
        all.sort();
        assert_eq!(documented, all, "docs/errors.md rows");
        for (code, raised_by) in &rows {
            if shim.contains(code) {
                assert!(
                    raised_by.contains("shim"),
                    "docs/errors.md: {code} is a shim code"
                );
            }
        }
    }
}
