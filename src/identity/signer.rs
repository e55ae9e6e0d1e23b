//! Who a state machine signs as: a key held in the core, or the host's wallet.

use crate::error::Result;
use crate::user_id::UserId;
use crate::wire::SignatureType;

use super::evm::EvmSigner;
use super::ml_dsa87::MlDsa87Signer;
use super::secp256r1::P256Signer;

/// A signer whose key lives in the core and signs synchronously.
pub trait LocalSigner {
    /// The id that goes in `publisherId`.
    fn user_id(&self) -> UserId;
    /// The signature type it produces.
    fn signature_type(&self) -> SignatureType;
    /// Signs a payload.
    fn sign(&self, payload: &[u8]) -> Result<Vec<u8>>;
}

impl LocalSigner for EvmSigner {
    fn user_id(&self) -> UserId {
        EvmSigner::user_id(self)
    }

    fn signature_type(&self) -> SignatureType {
        SignatureType::EcdsaSecp256k1Evm
    }

    fn sign(&self, payload: &[u8]) -> Result<Vec<u8>> {
        Ok(EvmSigner::sign(self, payload)?.to_vec())
    }
}

impl LocalSigner for P256Signer {
    fn user_id(&self) -> UserId {
        P256Signer::user_id(self).clone()
    }

    fn signature_type(&self) -> SignatureType {
        SignatureType::EcdsaSecp256r1
    }

    fn sign(&self, payload: &[u8]) -> Result<Vec<u8>> {
        Ok(P256Signer::sign(self, payload)?.to_vec())
    }
}

impl LocalSigner for MlDsa87Signer {
    fn user_id(&self) -> UserId {
        MlDsa87Signer::user_id(self).clone()
    }

    fn signature_type(&self) -> SignatureType {
        SignatureType::MlDsa87
    }

    fn sign(&self, payload: &[u8]) -> Result<Vec<u8>> {
        MlDsa87Signer::sign(self, payload)
    }
}

/// How a state machine signs what it sends.
pub enum Signing {
    /// In the core, at once.
    Local(Box<dyn LocalSigner>),
    /// By the host: every signature becomes a [`crate::host::Question::Sign`]. For a wallet
    /// (EIP-1193 `personal_sign`, one prompt each) or an ERC-1271 contract's owner.
    External {
        /// The id the messages carry (the EOA, or the ERC-1271 contract).
        user_id: UserId,
        /// `EcdsaSecp256k1Evm` for a wallet, `Erc1271` for a contract.
        signature_type: SignatureType,
    },
}

impl Signing {
    /// The id that goes in `publisherId`.
    pub fn user_id(&self) -> UserId {
        match self {
            Signing::Local(s) => s.user_id(),
            Signing::External { user_id, .. } => user_id.clone(),
        }
    }

    /// The signature type of everything signed.
    pub fn signature_type(&self) -> SignatureType {
        match self {
            Signing::Local(s) => s.signature_type(),
            Signing::External { signature_type, .. } => *signature_type,
        }
    }
}

impl std::fmt::Debug for Signing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Signing::Local(s) => write!(f, "Signing::Local({})", s.user_id()),
            Signing::External { user_id, .. } => write!(f, "Signing::External({user_id})"),
        }
    }
}
