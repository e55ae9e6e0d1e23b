//! A custodian's identity, and handing it a publisher's content identity (docs/custodian.md).
//!
//! A custodian is known by its ML-KEM-1024 public key; its user id is derived from that key
//! (`keccak256(publicKey)[12..]`, an address nobody holds a private key for), so naming the key
//! names the custodian and the two cannot disagree.
//!
//! The publisher's content identity (a `SessionSigner`'s secp256k1 session key) is handed over
//! sealed to the custodian's public key, out of band (a file, an API call), never on the stream:
//!
//! ```text
//! (kemCt[1568], ss) = Encaps(custodianPublicKey)
//! k       = HKDF-SHA-512(ikm = ss, salt = kemCt, info = "streamr-e2ee custodian identity v1", L = 32)
//! blob    = kemCt ‖ AES-256-GCM(k, nonce, sessionKey[32], aad = address[20])    -- 1568 + 12 + 32 + 16
//! ```
//!
//! Authenticated (GCM), bound to the session address (a blob for one identity does not open as
//! another), and checked on opening: the key must derive to the address in the blob.

use zeroize::Zeroizing;

use crate::cipher::seal::{NONCE_LEN, SealingKey, TAG_LEN};
use crate::error::{Error, Result};
use crate::exchange::mlkem::{self, KEM_CIPHERTEXT_LEN, MlKemKeyPair, PUBLIC_KEY_LEN};
use crate::identity::evm::{self, ADDRESS_LEN, EvmSigner};
use crate::user_id::UserId;

/// HKDF `info` of the identity hand-over: separates it from key exchange.
pub const IDENTITY_HKDF_INFO: &[u8] = b"streamr-e2ee custodian identity v1";
/// Length of a sealed identity: `kemCt ‖ address ‖ nonce ‖ ct ‖ tag`.
pub const SEALED_IDENTITY_LEN: usize = KEM_CIPHERTEXT_LEN + ADDRESS_LEN + NONCE_LEN + 32 + TAG_LEN;

/// The user id of the custodian whose ML-KEM-1024 public key is `public_key`.
/// `INVALID_KEY` for a key of the wrong length.
pub fn custodian_id(public_key: &[u8]) -> Result<UserId> {
    if public_key.len() != PUBLIC_KEY_LEN {
        return Err(Error::InvalidKey(format!(
            "a custodian's ML-KEM-1024 public key is {PUBLIC_KEY_LEN} bytes, got {}",
            public_key.len()
        )));
    }
    let hash = evm::keccak256(public_key);
    let mut id = [0u8; ADDRESS_LEN];
    id.copy_from_slice(hash.get(32 - ADDRESS_LEN..).unwrap_or_default());
    Ok(UserId::from(id))
}

fn sealing_key(shared: &[u8; 32], kem_ciphertext: &[u8]) -> Result<SealingKey> {
    let k = mlkem::hkdf_sha512(shared, kem_ciphertext, IDENTITY_HKDF_INFO, 32)?;
    SealingKey::from_bytes(&k)
}

/// Seals the secp256k1 private key `secret` for the custodian with `public_key`.
/// `INVALID_KEY` for a bad private key or public key.
pub fn seal_identity(secret: &[u8], public_key: &[u8]) -> Result<Vec<u8>> {
    let signer = EvmSigner::from_private_key(secret)?;
    custodian_id(public_key)?;
    let (kem_ciphertext, shared) = mlkem::encapsulate(public_key)?;
    let address = signer.address();
    let sealed = sealing_key(&shared, &kem_ciphertext)?.seal(secret, &address)?;
    let mut out = Vec::with_capacity(SEALED_IDENTITY_LEN);
    out.extend_from_slice(&kem_ciphertext);
    out.extend_from_slice(&address);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens a sealed identity with the custodian's key pair: the signer it holds.
/// `DECRYPT_ERROR` for a blob sealed to another key, cut or altered.
pub fn open_identity(pair: &MlKemKeyPair, blob: &[u8]) -> Result<EvmSigner> {
    if blob.len() != SEALED_IDENTITY_LEN {
        return Err(Error::Decrypt);
    }
    let (kem_ciphertext, rest) = blob
        .split_at_checked(KEM_CIPHERTEXT_LEN)
        .ok_or(Error::Decrypt)?;
    let (address, sealed) = rest.split_at_checked(ADDRESS_LEN).ok_or(Error::Decrypt)?;
    let shared = pair.decapsulate(kem_ciphertext)?;
    let secret: Zeroizing<Vec<u8>> = sealing_key(&shared, kem_ciphertext)?.open(sealed, address)?;
    let signer = EvmSigner::from_private_key(&secret)?;
    // GCM already binds the address; this catches a sealer that named the wrong one.
    if signer.address().as_slice() != address {
        return Err(Error::Decrypt);
    }
    Ok(signer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::KeyExchangeKeyPair;

    #[test]
    fn seal_open_round_trip_and_tampering() {
        let pair = MlKemKeyPair::generate().unwrap();
        let other = MlKemKeyPair::generate().unwrap();
        let secret = [7u8; 32];
        let blob = seal_identity(&secret, pair.public_key_bytes()).unwrap();
        assert_eq!(blob.len(), SEALED_IDENTITY_LEN);
        let signer = open_identity(&pair, &blob).unwrap();
        assert_eq!(
            signer.address(),
            EvmSigner::from_private_key(&secret).unwrap().address()
        );
        assert!(matches!(open_identity(&other, &blob), Err(Error::Decrypt)));
        for i in [
            0,
            KEM_CIPHERTEXT_LEN,
            KEM_CIPHERTEXT_LEN + 25,
            blob.len() - 1,
        ] {
            let mut bad = blob.clone();
            bad[i] ^= 1;
            assert!(
                matches!(open_identity(&pair, &bad), Err(Error::Decrypt)),
                "byte {i}"
            );
        }
        assert!(matches!(
            open_identity(&pair, &blob[..blob.len() - 1]),
            Err(Error::Decrypt)
        ));
        assert!(seal_identity(&[0u8; 32], pair.public_key_bytes()).is_err());
        assert!(seal_identity(&secret, &[1u8; 10]).is_err());
    }

    #[test]
    fn custodian_id_is_the_key_hash() {
        let pair = MlKemKeyPair::generate().unwrap();
        let id = custodian_id(pair.public_key_bytes()).unwrap();
        let hash = evm::keccak256(pair.public_key_bytes());
        assert_eq!(id.as_bytes(), &hash[12..]);
        assert_ne!(
            id,
            custodian_id(MlKemKeyPair::generate().unwrap().public_key_bytes()).unwrap()
        );
        assert_eq!(
            custodian_id(&[0u8; 3]).unwrap_err().code().as_str(),
            "INVALID_KEY"
        );
    }
}
