//! Who a state machine signs as: a key held in the core, or the host's wallet.

use std::cell::{Cell, RefCell};

use crate::error::{Error, Result};
use crate::user_id::UserId;
use crate::wire::SignatureType;

use super::evm::EvmSigner;
use super::ml_dsa87::MlDsa87Signer;
#[cfg(feature = "p256")]
use super::secp256r1::P256Signer;

/// A signer whose key lives in the core and signs synchronously.
pub trait LocalSigner {
    /// The id that goes in `publisherId`.
    fn user_id(&self) -> UserId;
    /// The signature type it produces.
    fn signature_type(&self) -> SignatureType;
    /// Signs a payload.
    fn sign(&self, payload: &[u8]) -> Result<Vec<u8>>;
    /// Whether the state machines may sign with this key now. While it is false they ask the
    /// host instead ([`crate::host::Question::Sign`]), as for a wallet. Only a
    /// [`PausableSigner`] is ever not ready.
    fn ready(&self) -> bool {
        true
    }
}

/// A key shared by several state machines (and the host) signs as the key.
impl<T: LocalSigner + ?Sized> LocalSigner for std::rc::Rc<T> {
    fn user_id(&self) -> UserId {
        (**self).user_id()
    }

    fn signature_type(&self) -> SignatureType {
        (**self).signature_type()
    }

    fn sign(&self, payload: &[u8]) -> Result<Vec<u8>> {
        (**self).sign(payload)
    }

    fn ready(&self) -> bool {
        (**self).ready()
    }
}

/// A local signer the host can pause, resume and wipe, for a key whose right to sign can
/// lapse: a session key whose registry grant expires (the shim's `SessionSigner`). Shared
/// (`Rc`) between the host's object and the state machines that sign with it.
///
/// While paused, the machines do not sign with it: each signature becomes a `sign` question,
/// which the host answers when it may sign again (after renewing the grant), so publishes
/// wait in order behind the first one and nothing is sent unsigned. [`LocalSigner::sign`]
/// itself still signs: that is how the host answers. Wiping drops the key for every holder
/// at once (the key zeroizes itself on drop); a wiped signer is never ready and signs nothing.
pub struct PausableSigner<S> {
    user_id: UserId,
    signature_type: SignatureType,
    key: RefCell<Option<S>>,
    paused: Cell<bool>,
}

impl<S: LocalSigner> PausableSigner<S> {
    /// `key`, ready to sign.
    pub fn new(key: S) -> Self {
        PausableSigner {
            user_id: key.user_id(),
            signature_type: key.signature_type(),
            key: RefCell::new(Some(key)),
            paused: Cell::new(false),
        }
    }

    /// From now on the state machines ask the host for every signature.
    pub fn pause(&self) {
        self.paused.set(true);
    }

    /// The state machines sign with the key again (unless it was wiped).
    pub fn resume(&self) {
        self.paused.set(false);
    }

    /// Whether it is paused (a wiped signer stays paused).
    pub fn is_paused(&self) -> bool {
        self.paused.get() || self.is_wiped()
    }

    /// Drops the key for every holder; the user id stays.
    pub fn wipe(&self) {
        self.paused.set(true);
        self.key.replace(None);
    }

    /// Whether [`Self::wipe`] was called.
    pub fn is_wiped(&self) -> bool {
        self.key.borrow().is_none()
    }
}

impl<S: LocalSigner> LocalSigner for PausableSigner<S> {
    fn user_id(&self) -> UserId {
        self.user_id.clone()
    }

    fn signature_type(&self) -> SignatureType {
        self.signature_type
    }

    fn sign(&self, payload: &[u8]) -> Result<Vec<u8>> {
        match self.key.borrow().as_ref() {
            Some(key) => key.sign(payload),
            None => Err(Error::InvalidKey("the key was wiped".into())),
        }
    }

    fn ready(&self) -> bool {
        !self.is_paused()
    }
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

#[cfg(feature = "p256")]
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
#[non_exhaustive]
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

    /// The key to sign with here and now; `None` when the host signs (a wallet, or a local key
    /// the host paused): the caller then asks a [`crate::host::Question::Sign`].
    pub fn local_now(&self) -> Option<&dyn LocalSigner> {
        match self {
            Signing::Local(s) if s.ready() => Some(s.as_ref()),
            _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pausable_signer() {
        let key = EvmSigner::from_private_key(&[7; 32]).unwrap();
        let id = key.user_id();
        let expected = key.sign(b"x").unwrap().to_vec();
        let shared = std::rc::Rc::new(PausableSigner::new(key));
        let signing = Signing::Local(Box::new(shared.clone()));
        assert!(signing.local_now().is_some());
        shared.pause();
        assert!(shared.is_paused() && !shared.ready());
        // Paused: the machines ask the host, who still signs with it.
        assert!(signing.local_now().is_none());
        assert_eq!(shared.sign(b"x").unwrap(), expected);
        shared.resume();
        assert_eq!(signing.local_now().unwrap().sign(b"x").unwrap(), expected);
        shared.wipe();
        shared.resume();
        assert!(shared.is_wiped() && shared.is_paused() && signing.local_now().is_none());
        assert_eq!(
            shared.sign(b"x").unwrap_err().code(),
            crate::ErrorCode::InvalidKey
        );
        assert_eq!(signing.user_id(), id, "the id outlives the key");
        let external = Signing::External {
            user_id: id,
            signature_type: SignatureType::EcdsaSecp256k1Evm,
        };
        assert!(external.local_now().is_none());
    }
}
