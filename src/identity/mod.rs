//! Identities: who signed a message, and checking that they did (docs/wire.md §3, §4).

pub mod evm;
pub mod ml_dsa87;
pub mod pool;
pub mod secp256r1;
mod signer;

pub use signer::{LocalSigner, PausableSigner, Signing};

use crate::error::{Error, Result};
use crate::user_id::UserId;
use crate::wire::{SignatureType, StreamMessage};

/// The outcome of checking a message's signature without outside help.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// The signature is valid for the message's publisher id.
    Valid,
    /// An ERC-1271 signature: valid only if the contract at `contract` answers
    /// `isValidSignature(digest, signature)` with `0x1626ba7e`. The host must ask the chain.
    NeedsErc1271 {
        /// The contract that claims to have published the message.
        contract: UserId,
        /// The EIP-191 digest of the signature payload.
        digest: [u8; 32],
        /// The signature to pass to the contract.
        signature: Vec<u8>,
    },
    /// An ECDSA_SECP256R1 signature in a build without the feature `p256`: its encoding passed
    /// [`secp256r1::check_encoding`]; valid only if the host's ECDSA P-256 / SHA-256 verifies
    /// `signature` over `payload` with `public_key` (`Question::VerifyP256`).
    NeedsP256 {
        /// The publisher id: a SEC1 public key (33 or 65 bytes).
        public_key: Vec<u8>,
        /// The signature payload.
        payload: Vec<u8>,
        /// 64 bytes `r ‖ s`.
        signature: Vec<u8>,
    },
}

/// Which of the host's checks a signature waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HostCheck {
    /// The contract's `isValidSignature`.
    Erc1271,
    /// The host's ECDSA P-256 verification.
    P256,
}

impl Verification {
    /// Whether the host must answer before the signature counts.
    pub fn needs_host(&self) -> bool {
        !matches!(self, Verification::Valid)
    }
}

/// Checks the signature of `msg` against its publisher id, by its signature type.
///
/// Errors are [`Error::InvalidSignature`]; nothing else about the message is judged here.
pub fn verify_message(msg: &StreamMessage) -> Result<Verification> {
    let publisher = msg.id.publisher_id.as_bytes();
    match msg.signature_type {
        SignatureType::EcdsaSecp256k1Evm => {
            evm::verify(publisher, &msg.signature_payload(), &msg.signature)?;
        }
        SignatureType::EcdsaSecp256k1Legacy => {
            evm::verify(publisher, &msg.legacy_signature_payload(), &msg.signature)?;
        }
        #[cfg(feature = "p256")]
        SignatureType::EcdsaSecp256r1 => {
            secp256r1::verify(publisher, &msg.signature_payload(), &msg.signature)?;
        }
        #[cfg(not(feature = "p256"))]
        SignatureType::EcdsaSecp256r1 => {
            secp256r1::check_encoding(publisher, &msg.signature)?;
            return Ok(Verification::NeedsP256 {
                public_key: publisher.to_vec(),
                payload: msg.signature_payload(),
                signature: msg.signature.clone(),
            });
        }
        SignatureType::MlDsa87 => {
            ml_dsa87::verify(publisher, &msg.signature_payload(), &msg.signature)?;
        }
        SignatureType::Erc1271 => {
            if publisher.len() != evm::ADDRESS_LEN {
                return Err(Error::InvalidSignature(
                    "ERC-1271 publisher id is not a contract address".into(),
                ));
            }
            return Ok(Verification::NeedsErc1271 {
                contract: msg.id.publisher_id.clone(),
                digest: evm::eip191_hash(&msg.signature_payload()),
                signature: msg.signature.clone(),
            });
        }
    }
    Ok(Verification::Valid)
}
