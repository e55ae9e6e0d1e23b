//! Primitives for the `@streamr/sdk` drop-in backend (`streamr-e2ee/sdk-backend`): the exact
//! operations the SDK imports from `@streamr/utils` and `@noble/post-quantum/ml-kem`, one
//! export each, so the TypeScript stand-ins stay thin. Not needed by `Publisher`/`Subscriber`.
//!
//! Verifiers return `false` for a signature that does not verify (as the SDK's do) and throw
//! only for arguments of the wrong kind.

use wasm_bindgen::prelude::*;

use super::fields;
use super::host_io::safe_integer;
use crate::cipher::aes_ctr;
use crate::error::{Error, Result as CoreResult};
use crate::exchange::mlkem;
#[cfg(feature = "p256")]
use crate::identity::secp256r1;
use crate::identity::{evm, ml_dsa87};

/// `Ok(())` → true, an invalid signature → false, any other error → thrown.
fn verified(result: CoreResult<()>) -> Result<bool, JsValue> {
    match result {
        Ok(()) => Ok(true),
        Err(Error::InvalidSignature(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// `keccak256(data)`: 32 bytes.
#[wasm_bindgen(js_name = keccak256)]
pub fn keccak256(data: &[u8]) -> Result<Vec<u8>, JsValue> {
    Ok(evm::keccak256(data).to_vec())
}

/// `keccak256("\x19Ethereum Signed Message:\n" + len ‖ payload)`: the EIP-191 digest an EVM
/// signature and an ERC-1271 `isValidSignature` call are made over.
#[wasm_bindgen(js_name = eip191Hash)]
pub fn eip191_hash(payload: &[u8]) -> Result<Vec<u8>, JsValue> {
    Ok(evm::eip191_hash(payload).to_vec())
}

/// The 65-byte uncompressed public key that made an EVM `signature` over `payload`. Throws
/// `INVALID_SIGNATURE` if none recovers.
#[wasm_bindgen(js_name = recoverEvmPublicKey)]
pub fn recover_evm_public_key(payload: &[u8], signature: &[u8]) -> Result<Vec<u8>, JsValue> {
    Ok(evm::recover_public_key(payload, signature)?.to_vec())
}

/// The 20-byte address that made an EVM `signature` over `payload`. Throws
/// `INVALID_SIGNATURE` if none recovers.
#[wasm_bindgen(js_name = recoverEvmAddressBytes)]
pub fn recover_evm_address_bytes(payload: &[u8], signature: &[u8]) -> Result<Vec<u8>, JsValue> {
    Ok(evm::recover_address(payload, signature)?.to_vec())
}

/// Whether `signature` over `payload` was made by the 20-byte `address` (EIP-191).
#[wasm_bindgen(js_name = verifyEvmSignature)]
pub fn verify_evm_signature(
    address: &[u8],
    payload: &[u8],
    signature: &[u8],
) -> Result<bool, JsValue> {
    verified(evm::verify(address, payload, signature))
}

/// Whether the 64-byte P-256 `signature` (SHA-256, `r ‖ s`) over `payload` verifies under the
/// 33- or 65-byte SEC1 `publicKey`. Only with the feature `p256`: the npm package verifies
/// P-256 on the platform (`verifyP256Signature` of the shim, docs/p256.md).
#[cfg(feature = "p256")]
#[wasm_bindgen(js_name = verifyP256Signature)]
pub fn verify_p256_signature(
    public_key: &[u8],
    payload: &[u8],
    signature: &[u8],
) -> Result<bool, JsValue> {
    verified(secp256r1::verify(public_key, payload, signature))
}

/// Whether the ML-DSA-87 `signature` (empty context) over `payload` verifies under the
/// 2592-byte `publicKey`.
#[wasm_bindgen(js_name = verifyMlDsa87Signature)]
pub fn verify_ml_dsa87_signature(
    public_key: &[u8],
    payload: &[u8],
    signature: &[u8],
) -> Result<bool, JsValue> {
    verified(ml_dsa87::verify(public_key, payload, signature))
}

/// AES-256-CTR keystream XOR of `data`, `offset` bytes into the stream of (`key`, `iv`): one
/// `update` of Node's `createCipheriv('aes-256-ctr', key, iv)`. Throws `INVALID_KEY` unless
/// the key is 32 bytes, `INVALID_ARGUMENT` unless the IV is 16.
#[wasm_bindgen(js_name = aes256CtrApply)]
pub fn aes256_ctr_apply(
    key: &[u8],
    iv: &[u8],
    offset: f64,
    data: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let key = aes_ctr::key_from_slice(key)?;
    let iv: &[u8; aes_ctr::IV_LEN] = iv.try_into().map_err(|_| {
        Error::InvalidArgument(format!("AES-CTR IV must be 16 bytes, got {}", iv.len()))
    })?;
    let offset = safe_integer(offset, "offset")?;
    let mut out = data.to_vec();
    aes_ctr::apply_at(&key, iv, offset, &mut out)?;
    Ok(out)
}

/// The RSA primitives, only with in-core RSA (feature `rsa`): the npm package's main module
/// has none, and the shim's `rsaOaepEncrypt` / `rsaOaepDecrypt` replace them.
#[cfg(feature = "rsa")]
pub mod rsa_oaep {
    use wasm_bindgen::prelude::*;
    use zeroize::Zeroizing;

    use super::super::host_io::{bytes_arg, string_arg};
    use crate::error::Result as CoreResult;
    use crate::exchange::{RsaKeyPair, RsaPublicKey};

    fn pem_arg(value: &JsValue, name: &str) -> CoreResult<Zeroizing<Vec<u8>>> {
        Ok(Zeroizing::new(if value.is_string() {
            string_arg(value, name)?.into_bytes()
        } else {
            bytes_arg(value, name)?
        }))
    }

    /// RSAES-OAEP-SHA1 of `data` to an SPKI PEM public key (feature `rsa` only; the shim's
    /// `rsaOaepEncrypt` replaces it in the npm package) (Node's `publicEncrypt(pem, data)`).
    /// Throws `INVALID_KEY` for a key that does not parse or is outside 640..=4096 bits.
    #[wasm_bindgen(js_name = rsaOaepEncrypt)]
    pub fn rsa_oaep_encrypt(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array", js_name = publicKeyPem)]
        public_key_pem: JsValue,
        data: &[u8],
    ) -> Result<Vec<u8>, JsValue> {
        let pem = pem_arg(&public_key_pem, "publicKeyPem")?;
        Ok(RsaPublicKey::from_pem(&pem)?.oaep_encrypt(data)?)
    }

    /// RSAES-OAEP-SHA1 decryption with a PKCS#8 PEM private key (Node's `privateDecrypt(pem,
    /// data)`). Throws `INVALID_KEY` for a key that does not parse, `DECRYPT_ERROR` otherwise.
    #[wasm_bindgen(js_name = rsaOaepDecrypt)]
    pub fn rsa_oaep_decrypt(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array", js_name = privateKeyPem)]
        private_key_pem: JsValue,
        data: &[u8],
    ) -> Result<Vec<u8>, JsValue> {
        let pem = pem_arg(&private_key_pem, "privateKeyPem")?;
        let key = RsaKeyPair::from_pkcs8_pem(&pem)?;
        Ok(key.oaep_decrypt(data)?.to_vec())
    }
}

/// HKDF-SHA-512 of `ikm` with `salt` and `info`, `length` bytes (1..=16320).
#[wasm_bindgen(js_name = hkdfSha512)]
pub fn hkdf_sha512(ikm: &[u8], salt: &[u8], info: &[u8], length: u32) -> Result<Vec<u8>, JsValue> {
    let len = usize::try_from(length).map_err(|_| Error::InvalidArgument("length".into()))?;
    Ok(mlkem::hkdf_sha512(ikm, salt, info, len)?.to_vec())
}

/// ML-KEM-1024 encapsulation to a 1568-byte public key (noble's
/// `ml_kem1024.encapsulate(publicKey)`). Throws `INVALID_KEY` for a key FIPS 203 rejects.
#[wasm_bindgen(
    js_name = mlKem1024Encapsulate,
    unchecked_return_type = "{ cipherText: Uint8Array; sharedSecret: Uint8Array }"
)]
pub fn ml_kem1024_encapsulate(public_key: &[u8]) -> Result<JsValue, JsValue> {
    let (cipher_text, shared) = mlkem::encapsulate(public_key)?;
    fields::object(&[
        ("cipherText", fields::uint8_array(&cipher_text)),
        ("sharedSecret", fields::uint8_array(shared.as_slice())),
    ])
}

/// ML-KEM-1024 decapsulation with the 3168-byte expanded secret key (noble's
/// `ml_kem1024.decapsulate(cipherText, secretKey)`): the 32-byte shared secret. Throws
/// `INVALID_KEY` for a bad secret key, `DECRYPT_ERROR` for a ciphertext of the wrong length.
#[wasm_bindgen(js_name = mlKem1024Decapsulate)]
pub fn ml_kem1024_decapsulate(cipher_text: &[u8], secret_key: &[u8]) -> Result<Vec<u8>, JsValue> {
    let pair = mlkem::MlKemKeyPair::from_expanded_secret_key(secret_key)?;
    Ok(pair.decapsulate(cipher_text)?.to_vec())
}

/// `EncryptionUtil.encryptForPublicKey` for ML-KEM: `plaintext` encrypted for the 1568-byte
/// public key as `kemCt ‖ salt ‖ iv ‖ ct` (KEM, HKDF-SHA-512 and AES-256-CTR in one call; the
/// shared secret stays in wasm). Throws `INVALID_KEY` for a key FIPS 203 rejects.
#[wasm_bindgen(js_name = mlKemEncryptForPublicKey)]
pub fn ml_kem_encrypt_for_public_key(
    plaintext: &[u8],
    #[wasm_bindgen(js_name = publicKey)] public_key: &[u8],
) -> Result<Vec<u8>, JsValue> {
    Ok(mlkem::encrypt_for(public_key, plaintext)?)
}

/// `EncryptionUtil.decryptWithPrivateKey` for ML-KEM, with the 3168-byte expanded secret key.
/// Throws `INVALID_KEY` for a bad secret key, `DECRYPT_ERROR` for data too short.
#[wasm_bindgen(js_name = mlKemDecryptWithPrivateKey)]
pub fn ml_kem_decrypt_with_private_key(
    cipher: &[u8],
    #[wasm_bindgen(js_name = privateKey)] private_key: &[u8],
) -> Result<Vec<u8>, JsValue> {
    let pair = mlkem::MlKemKeyPair::from_expanded_secret_key(private_key)?;
    Ok(pair.decrypt(cipher)?.to_vec())
}
