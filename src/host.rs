//! What the state machines hand to their host, and what the host answers.
//!
//! [`crate::publisher::Publisher`] and [`crate::subscriber::Subscriber`] never do I/O.
//! Each input (a message, an answer, a tick of time) queues [`Output`]s that the host takes
//! with `poll_output`. Some outputs are [`Question`]s: the host answers each, maybe much
//! later, with `answer(id, Answer, now)`.

use crate::cipher::GroupKey;
use crate::error::ErrorCode;
use crate::user_id::UserId;
use crate::wire::{AsymmetricEncryptionType, ContentType, MessageRef};

/// Identifies one `publish` call: [`Output::Send`] of its content message carries it, and
/// an event names it if the signer refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublishId(pub u64);

/// Identifies one question until it is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QuestionId(pub u64);

/// A stream registry permission (the contract's `PermissionType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// May publish to the stream.
    Publish,
    /// May subscribe to the stream.
    Subscribe,
}

/// Something only the host can find out or do.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Question {
    /// Does `user` hold `permission` on `stream_id` now? (StreamRegistry
    /// `getPermissionsForUserId`, public grants included.) Answer with [`Answer::Permission`].
    Permission {
        /// The stream.
        stream_id: String,
        /// Whose permission.
        user: UserId,
        /// Which one.
        permission: Permission,
    },
    /// Does the contract accept this signature (`isValidSignature(digest, signature)` returns
    /// `0x1626ba7e`)? Answer with [`Answer::Permission`] (true = valid).
    Erc1271 {
        /// The contract.
        contract: UserId,
        /// The EIP-191 digest of the signature payload.
        digest: [u8; 32],
        /// The signature.
        signature: Vec<u8>,
    },
    /// `eth_call` the StreamRegistry contract with `data` and answer with the raw result
    /// ([`Answer::CallResult`]), the revert data ([`Answer::CallReverted`]) or
    /// [`Answer::Failed`]. Asked instead of [`Question::Permission`] when the state machine
    /// uses [`crate::permissions::PermissionSource::Registry`].
    RegistryCall {
        /// Calldata (selector and ABI-encoded arguments).
        data: Vec<u8>,
    },
    /// `eth_call` the contract at `to` (an ERC-1271 wallet's `isValidSignature`); answered
    /// like [`Question::RegistryCall`]. Asked instead of [`Question::Erc1271`] in registry
    /// mode.
    ContractCall {
        /// The contract.
        to: UserId,
        /// Calldata.
        data: Vec<u8>,
    },
    /// Does ECDSA P-256 with SHA-256 verify `signature` (64 bytes `r ‖ s`, high S allowed) over
    /// `payload` with `public_key` (SEC1, 33 or 65 bytes)? Asked for ECDSA_SECP256R1 messages
    /// by a build without the feature `p256`, after the core checked the encodings, the clock,
    /// the signature policy (and, for content, the publisher's PUBLISH permission). The host
    /// only computes (WebCrypto `verify`, Node `crypto.verify` with `dsaEncoding:
    /// 'ieee-p1363'`). Answer with [`Answer::SignatureValid`]; [`Answer::Failed`] is "invalid".
    VerifyP256 {
        /// The publisher id's bytes.
        public_key: Vec<u8>,
        /// The exact signed bytes (the SDK's signature payload).
        payload: Vec<u8>,
        /// 64 bytes `r ‖ s`.
        signature: Vec<u8>,
    },
    /// Sign this payload with the host's signer (a wallet's `personal_sign`).
    /// Answer with [`Answer::Signature`].
    Sign {
        /// The exact bytes to sign.
        payload: Vec<u8>,
    },
    /// Load the group key `key_id` of `publisher` from the host's key store, **only if it is
    /// bound to `stream_id`** there (stored for that stream, or the stream's latest key in the
    /// SDK's `LatestEncryptionKeyIds`). Answer with [`Answer::StoredKey`].
    ///
    /// Asked only after the core's own checks: by a publisher once a key request's signature
    /// and both permissions have passed, by a subscriber before it sends a key request for a
    /// verified message of a publisher that holds PUBLISH. The host never reads keys
    /// on its own initiative.
    LoadKey {
        /// The stream the key must be bound to.
        stream_id: String,
        /// Whose key.
        publisher: UserId,
        /// Which key.
        key_id: String,
    },
    /// Decrypt a wrapped group key with the key-exchange private key the host holds (WebCrypto
    /// RSA-OAEP in a browser). Answer with [`Answer::GroupKeyBytes`].
    UnwrapGroupKey {
        /// The scheme.
        encryption_type: AsymmetricEncryptionType,
        /// The id of the key inside.
        key_id: String,
        /// The wrapped bytes.
        data: Vec<u8>,
    },
    /// RSA-OAEP-SHA1-encrypt each of `keys`' 32 bytes to `public_key` (a publisher serving an
    /// RSA key request when its RSA is the host's: `PublisherConfig::rsa_by_host`, always in
    /// a build without the feature `rsa`). The core has checked the request, its signature,
    /// permissions, rate limits and the key's size against `minRsaKeyBits`; the host only
    /// computes (WebCrypto `encrypt`, Node `publicEncrypt`). Answer with
    /// [`Answer::WrappedGroupKeys`], one ciphertext per key in order, or [`Answer::Failed`].
    WrapGroupKeys {
        /// The requester's public key as SPKI DER (checked: rsaEncryption, 640..=4096 bits).
        public_key: Vec<u8>,
        /// Its modulus size in bits; every ciphertext must be `bits / 8` bytes.
        bits: usize,
        /// The keys to wrap (secret; their `Debug` is redacted).
        keys: Vec<GroupKey>,
    },
}

/// The host's answer to a [`Question`].
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// Yes or no (permissions, ERC-1271).
    Permission(bool),
    /// A signature over the payload.
    Signature(Vec<u8>),
    /// The host's ECDSA verdict on a [`Question::VerifyP256`].
    SignatureValid(bool),
    /// The unwrapped 32 key bytes.
    GroupKeyBytes(Vec<u8>),
    /// The RSA ciphertexts of a [`Question::WrapGroupKeys`], one per key, in order.
    WrappedGroupKeys(Vec<Vec<u8>>),
    /// The stored key's 32 bytes, or `None` if the store has no such key bound to the stream.
    StoredKey(Option<Vec<u8>>),
    /// The return data of an `eth_call`.
    CallResult(Vec<u8>),
    /// The call reverted, with this revert data (empty if the node gave none).
    CallReverted(Vec<u8>),
    /// The host could not answer (RPC failure, wallet rejection, …). Always treated as "no".
    Failed {
        /// What went wrong, for the app's error event.
        reason: String,
    },
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Answer::Permission(b) => write!(f, "Permission({b})"),
            Answer::Signature(s) => write!(f, "Signature({} bytes)", s.len()),
            Answer::SignatureValid(b) => write!(f, "SignatureValid({b})"),
            Answer::GroupKeyBytes(_) => f.write_str("GroupKeyBytes(<redacted>)"),
            Answer::WrappedGroupKeys(k) => write!(f, "WrappedGroupKeys({} keys)", k.len()),
            Answer::StoredKey(None) => f.write_str("StoredKey(None)"),
            Answer::StoredKey(Some(_)) => f.write_str("StoredKey(<redacted>)"),
            Answer::CallResult(d) => write!(f, "CallResult(0x{})", hex::encode(d)),
            Answer::CallReverted(d) => write!(f, "CallReverted(0x{})", hex::encode(d)),
            Answer::Failed { reason } => write!(f, "Failed({reason:?})"),
        }
    }
}

/// A decrypted (or public) message, in chain order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The publisher.
    pub publisher_id: UserId,
    /// The publisher's chain.
    pub msg_chain_id: String,
    /// Timestamp and sequence number.
    pub reference: MessageRef,
    /// JSON (UTF-8 text) or binary.
    pub content_type: ContentType,
    /// The plaintext.
    pub content: Vec<u8>,
    /// The key it was encrypted with, or `None` for an unencrypted message.
    pub group_key_id: Option<String>,
}

/// Something the app may want to know; none of it needs an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The publisher answered a key request.
    KeyRequestAnswered {
        /// Who asked.
        requester: UserId,
        /// The keys sent.
        key_ids: Vec<String>,
    },
    /// The publisher refused (or could not serve) a key request.
    KeyRequestDenied {
        /// Who asked.
        requester: UserId,
        /// Why: `PERMISSION_DENIED`, `PERMISSION_CHECK_FAILED`, `INVALID_SIGNATURE`,
        /// `RATE_LIMITED`, `OVERLOADED`, `STALE_REQUEST`, `ENCRYPTION_POLICY_VIOLATION`, ….
        code: ErrorCode,
        /// Details for logs.
        message: String,
    },
    /// The subscriber sent a key request.
    KeyRequestSent {
        /// The publisher asked.
        publisher: UserId,
        /// The key wanted.
        key_id: String,
        /// Which attempt (1 = first).
        attempt: u32,
    },
    /// A `publish` was not sent: the host's signer refused or failed (`SIGNER_ERROR`). The
    /// chain and the keys were rolled back, so the next message links to the last one sent.
    PublishFailed {
        /// The `publish` call, as it returned.
        publish: PublishId,
        /// Why (`SIGNER_ERROR`).
        code: ErrorCode,
        /// Details.
        message: String,
    },
    /// Something went wrong with an input; `message_ref` names the message it concerns.
    Error {
        /// Stable code.
        code: ErrorCode,
        /// Details.
        message: String,
        /// The affected message (publisher, chain, reference), if any.
        message_ref: Option<(UserId, String, MessageRef)>,
    },
}

/// Everything the state machines hand out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// StreamMessage bytes to broadcast on the stream partition.
    Send {
        /// The encoded StreamMessage.
        bytes: Vec<u8>,
        /// The `publish` call whose content message this is; `None` for key requests and
        /// responses. The host resolves that call once the transport has the bytes.
        publish: Option<PublishId>,
    },
    /// A question for the host.
    Ask {
        /// Quote it in `answer`.
        id: QuestionId,
        /// What to find out.
        question: Question,
    },
    /// A message for the app.
    Deliver(Delivery),
    /// Persist this key under `(publisher, key.id())` (SDK store `EncryptionKeys`) and bind
    /// it to `stream_id` (the store's own index beside the SDK's schema), so that a later
    /// [`Question::LoadKey`] for another stream does not find it.
    StoreKey {
        /// Whose key.
        publisher: UserId,
        /// The key.
        key: GroupKey,
        /// The stream the key belongs to.
        stream_id: String,
        /// Also record it as the stream's latest key (`LatestEncryptionKeyIds`; publisher
        /// side only).
        latest: bool,
        /// Overwrite a stored key of the same id. Otherwise a stored key is never
        /// overwritten (a planted key must not replace a genuine one). Set only for a key
        /// that came through key exchange to replace one that failed to decrypt its content.
        replace: bool,
    },
    /// Informational.
    Event(Event),
}
