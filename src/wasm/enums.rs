//! The wire enums as JS enums (numbers, as the SDK's protobuf enums; `SignatureType[1]`
//! gives the name back).

#![allow(non_camel_case_types)]

use wasm_bindgen::prelude::*;

use crate::wire;

/// How a message was signed (`StreamMessage.signatureType`).
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureType {
    /// Old EVM signature over a text payload (verify only).
    ECDSA_SECP256K1_LEGACY = 0,
    /// EIP-191 `personal_sign` by the publisher's address.
    ECDSA_SECP256K1_EVM = 1,
    /// Signed by an EOA for the contract in `publisherId`; needs an on-chain check.
    ERC_1271 = 2,
    /// FIPS 204 ML-DSA-87; the publisher id is the public key.
    ML_DSA_87 = 3,
    /// WebCrypto ECDSA P-256; the publisher id is the compressed public key.
    ECDSA_SECP256R1 = 4,
}

/// How content is serialized (`StreamMessage.contentType`).
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentType {
    /// `utf8(JSON.stringify(value))`.
    JSON = 0,
    /// Raw bytes.
    BINARY = 1,
}

/// Whether content is encrypted (`StreamMessage.encryptionType`).
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncryptionType {
    /// Plaintext (public streams).
    NONE = 0,
    /// AES-256-CTR under the group key `groupKeyId`.
    AES = 1,
}

/// The key-exchange scheme of a group key request or response.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsymmetricEncryptionType {
    /// RSA-OAEP with SHA-1; the public key is SPKI PEM text.
    RSA = 0,
    /// ML-KEM-1024 + HKDF-SHA512 + AES.
    ML_KEM = 1,
}

impl From<wire::SignatureType> for SignatureType {
    fn from(t: wire::SignatureType) -> Self {
        match t {
            wire::SignatureType::EcdsaSecp256k1Legacy => Self::ECDSA_SECP256K1_LEGACY,
            wire::SignatureType::EcdsaSecp256k1Evm => Self::ECDSA_SECP256K1_EVM,
            wire::SignatureType::Erc1271 => Self::ERC_1271,
            wire::SignatureType::MlDsa87 => Self::ML_DSA_87,
            wire::SignatureType::EcdsaSecp256r1 => Self::ECDSA_SECP256R1,
        }
    }
}

impl SignatureType {
    /// The SDK's name of the type, e.g. `ECDSA_SECP256K1_EVM`.
    pub fn name(self) -> &'static str {
        match self {
            Self::ECDSA_SECP256K1_LEGACY => "ECDSA_SECP256K1_LEGACY",
            Self::ECDSA_SECP256K1_EVM => "ECDSA_SECP256K1_EVM",
            Self::ERC_1271 => "ERC_1271",
            Self::ML_DSA_87 => "ML_DSA_87",
            Self::ECDSA_SECP256R1 => "ECDSA_SECP256R1",
        }
    }
}

impl From<wire::ContentType> for ContentType {
    fn from(t: wire::ContentType) -> Self {
        match t {
            wire::ContentType::Json => Self::JSON,
            wire::ContentType::Binary => Self::BINARY,
        }
    }
}

impl From<wire::EncryptionType> for EncryptionType {
    fn from(t: wire::EncryptionType) -> Self {
        match t {
            wire::EncryptionType::None => Self::NONE,
            wire::EncryptionType::Aes => Self::AES,
        }
    }
}

impl From<wire::AsymmetricEncryptionType> for AsymmetricEncryptionType {
    fn from(t: wire::AsymmetricEncryptionType) -> Self {
        match t {
            wire::AsymmetricEncryptionType::Rsa => Self::RSA,
            wire::AsymmetricEncryptionType::MlKem => Self::ML_KEM,
        }
    }
}
