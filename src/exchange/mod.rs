//! Key exchange: the temporary key pairs a subscriber puts in a `GroupKeyRequest`, and the
//! asymmetric wrapping of group keys in a `GroupKeyResponse` (docs/wire.md §7, §8).
//!
//! Two schemes, one seam:
//!
//! - [`mlkem`]: ML-KEM-1024 + HKDF-SHA-512 + AES-256-CTR, quantum resistant.
//! - [`rsa`]: RSAES-OAEP with SHA-1, for SDK peers that do not require quantum resistance.
//!
//! A subscriber holds one [`KeyExchangeKeyPair`] (ML-KEM, RSA in Rust, or RSA whose private
//! key lives in the host, see [`rsa::ExternalRsaKeyPair`] and [`rsa::PendingUnwrap`]). A
//! publisher answers with [`wrap_group_key`], after checking [`allowed`].
//!
//! Unwrapping is unauthenticated, as in the SDK (§13): CTR has no tag and ML-KEM rejects
//! implicitly, so a tampered ML-KEM response yields a wrong key rather than an error. Only the
//! response's signature protects it; verify that first.

pub mod mlkem;
mod pem;
#[cfg(feature = "rsa")]
mod rng;
pub mod rsa;

use crate::cipher::GroupKey;
use crate::error::{Error, ErrorCode, Result};
use crate::wire::{AsymmetricEncryptionType, SignatureType};

pub use mlkem::MlKemKeyPair;
#[cfg(feature = "rsa")]
pub use rsa::RsaKeyPair;
pub use rsa::{ExternalRsaKeyPair, PendingUnwrap, RsaDecryptor, RsaPublicKey};

/// A subscriber's key-exchange key pair: what goes into `GroupKeyRequest.publicKey`, and the
/// private half that recovers group keys from the matching `GroupKeyResponse`.
///
/// Object safe, so a client can hold a `Box<dyn KeyExchangeKeyPair>` whatever the scheme and
/// check [`allowed`] on [`Self::encryption_type`].
pub trait KeyExchangeKeyPair {
    /// The scheme, as sent in `GroupKeyRequest.encryptionType`.
    fn encryption_type(&self) -> AsymmetricEncryptionType;

    /// The bytes of `GroupKeyRequest.publicKey`: the UTF-8 SPKI PEM (with its final `\n`) for
    /// RSA, the 1568-byte encapsulation key for ML-KEM. They are also part of the signed payload.
    fn public_key_bytes(&self) -> &[u8];

    /// Whether the scheme resists a quantum adversary (only ML-KEM does).
    fn is_quantum_resistant(&self) -> bool {
        is_quantum_resistant(self.encryption_type())
    }

    /// Recovers the group key `key_id` from `data`, one `EncryptedGroupKey.data` of a response.
    ///
    /// Every failure to decrypt is the opaque [`Error::Decrypt`]; an unusable `key_id` is
    /// [`Error::InvalidKey`].
    fn unwrap_group_key(&self, key_id: &str, data: &[u8]) -> Result<GroupKey>;
}

/// Whether `encryption_type` resists a quantum adversary.
pub fn is_quantum_resistant(encryption_type: AsymmetricEncryptionType) -> bool {
    match encryption_type {
        AsymmetricEncryptionType::MlKem => true,
        AsymmetricEncryptionType::Rsa => false,
    }
}

/// The key-pair type the SDK creates (docs/wire.md §7, `utils/encryptionCompliance.ts`): ML-KEM if
/// quantum resistance is required or the identity is ML-DSA-87, RSA otherwise.
pub fn preferred_encryption_type(
    require_quantum_resistant: bool,
    identity: SignatureType,
) -> AsymmetricEncryptionType {
    if require_quantum_resistant || identity == SignatureType::MlDsa87 {
        AsymmetricEncryptionType::MlKem
    } else {
        AsymmetricEncryptionType::Rsa
    }
}

/// Checks a request's or response's scheme against `requireQuantumResistantKeyExchange`.
///
/// RSA under that setting is refused with `ENCRYPTION_POLICY_VIOLATION`, as the SDK publisher
/// does (docs/wire.md §7, step 1).
pub fn allowed(
    encryption_type: AsymmetricEncryptionType,
    require_quantum_resistant: bool,
) -> Result<()> {
    if require_quantum_resistant && !is_quantum_resistant(encryption_type) {
        return Err(Error::Policy {
            code: ErrorCode::EncryptionPolicyViolation,
            message: "RSA key exchange is refused because quantum-resistant key exchange is \
                      required"
                .into(),
        });
    }
    Ok(())
}

/// Checks a request's RSA public key against the publisher's `minRsaKeyBits` before any other
/// work is done for the request.
///
/// A key that does not parse is [`Error::InvalidKey`]; one under `min_rsa_bits` bits is refused
/// with `ENCRYPTION_POLICY_VIOLATION` (a policy, as refusing RSA altogether is). ML-KEM keys
/// pass here; [`wrap_group_key`] validates them.
pub fn check_key_size(
    encryption_type: AsymmetricEncryptionType,
    public_key: &[u8],
    min_rsa_bits: usize,
) -> Result<()> {
    if encryption_type != AsymmetricEncryptionType::Rsa {
        return Ok(());
    }
    let bits = RsaPublicKey::from_pem(public_key)?.bits();
    if bits < min_rsa_bits {
        return Err(Error::Policy {
            code: ErrorCode::EncryptionPolicyViolation,
            message: format!(
                "the request's RSA key has {bits} bits; this publisher requires at least \
                 {min_rsa_bits} (minRsaKeyBits)"
            ),
        });
    }
    Ok(())
}

/// The DER of a PKCS#8 PEM private key, layout checked as for public keys (see
/// [`rsa::RsaPublicKey::from_pem`]); the key itself is the host's to parse. [`Error::InvalidKey`]
/// otherwise, never quoting the input.
pub fn pkcs8_der_from_pem(pem: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    pem::decode(pem, pem::Label::PrivateKey).map_err(Error::InvalidKey)
}

/// Wraps `key` for a requester's `publicKey` (publisher side of docs/wire.md §7, step 5).
///
/// Without the feature `rsa`, an RSA wrap is `INVALID_ARGUMENT` after the key was checked: the
/// host does it (a publisher asks [`crate::host::Question::WrapGroupKeys`]).
///
/// The public key is validated first: a malformed PEM, an RSA key outside 640..=4096 bits, an
/// ML-KEM key of the wrong length or with unreduced coefficients gives [`Error::InvalidKey`].
/// The output is `EncryptedGroupKey.data`; it is randomized, never the same twice.
pub fn wrap_group_key(
    key: &GroupKey,
    encryption_type: AsymmetricEncryptionType,
    public_key: &[u8],
) -> Result<Vec<u8>> {
    match encryption_type {
        #[cfg(feature = "rsa")]
        AsymmetricEncryptionType::Rsa => RsaPublicKey::from_pem(public_key)?.wrap_group_key(key),
        #[cfg(not(feature = "rsa"))]
        AsymmetricEncryptionType::Rsa => {
            // Still validated, so a bad key is INVALID_KEY in both builds.
            RsaPublicKey::from_pem(public_key)?;
            Err(Error::InvalidArgument(
                "this build has no in-core RSA (feature `rsa`): RSA wraps are the host's \
                 (Question::WrapGroupKeys)"
                    .into(),
            ))
        }
        AsymmetricEncryptionType::MlKem => mlkem::wrap_group_key(key, public_key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        allowed(AsymmetricEncryptionType::MlKem, true).unwrap();
        allowed(AsymmetricEncryptionType::MlKem, false).unwrap();
        allowed(AsymmetricEncryptionType::Rsa, false).unwrap();
        let err = allowed(AsymmetricEncryptionType::Rsa, true).unwrap_err();
        assert_eq!(err.code().as_str(), "ENCRYPTION_POLICY_VIOLATION");
    }

    #[cfg(feature = "rsa")]
    #[test]
    fn rsa_key_size_floor() {
        let pem = RsaKeyPair::generate(1024).unwrap();
        let pem = pem.public_key_bytes();
        check_key_size(AsymmetricEncryptionType::Rsa, pem, 1024).unwrap();
        check_key_size(AsymmetricEncryptionType::Rsa, pem, 640).unwrap();
        let err = check_key_size(AsymmetricEncryptionType::Rsa, pem, 1025).unwrap_err();
        assert_eq!(err.code().as_str(), "ENCRYPTION_POLICY_VIOLATION");
        assert!(err.to_string().contains("1024 bits"));
        let err = check_key_size(AsymmetricEncryptionType::Rsa, b"not a key", 640).unwrap_err();
        assert_eq!(err.code().as_str(), "INVALID_KEY");
        check_key_size(
            AsymmetricEncryptionType::MlKem,
            b"checked when wrapping",
            4096,
        )
        .unwrap();
    }

    #[test]
    fn preferred_type_follows_the_sdk() {
        use AsymmetricEncryptionType::{MlKem, Rsa};
        assert_eq!(
            preferred_encryption_type(false, SignatureType::EcdsaSecp256k1Evm),
            Rsa
        );
        assert_eq!(
            preferred_encryption_type(false, SignatureType::EcdsaSecp256r1),
            Rsa
        );
        assert_eq!(
            preferred_encryption_type(true, SignatureType::EcdsaSecp256k1Evm),
            MlKem
        );
        assert_eq!(
            preferred_encryption_type(false, SignatureType::MlDsa87),
            MlKem
        );
    }

    #[cfg(feature = "rsa")]
    #[test]
    fn trait_objects_cover_both_schemes() {
        let key = GroupKey::generate().unwrap();
        let pairs: Vec<Box<dyn KeyExchangeKeyPair>> = vec![
            Box::new(MlKemKeyPair::generate().unwrap()),
            Box::new(RsaKeyPair::generate(1024).unwrap()),
        ];
        for pair in &pairs {
            let wrapped =
                wrap_group_key(&key, pair.encryption_type(), pair.public_key_bytes()).unwrap();
            assert_eq!(pair.unwrap_group_key(key.id(), &wrapped).unwrap(), key);
            assert_eq!(
                pair.is_quantum_resistant(),
                pair.encryption_type() == AsymmetricEncryptionType::MlKem
            );
        }
    }

    #[cfg(feature = "rsa")]
    #[test]
    fn wrapping_to_the_wrong_scheme_is_invalid_key() {
        let key = GroupKey::generate().unwrap();
        let mlkem = MlKemKeyPair::generate().unwrap();
        let rsa = RsaKeyPair::generate(1024).unwrap();
        assert!(matches!(
            wrap_group_key(&key, AsymmetricEncryptionType::Rsa, mlkem.public_key()),
            Err(Error::InvalidKey(_))
        ));
        assert!(matches!(
            wrap_group_key(
                &key,
                AsymmetricEncryptionType::MlKem,
                rsa.public_key_bytes()
            ),
            Err(Error::InvalidKey(_))
        ));
    }
}
