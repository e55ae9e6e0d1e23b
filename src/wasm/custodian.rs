//! What a publisher needs of key custodians (docs/custodian.md): naming them (`custodianIdOf`;
//! the `custodians` config field is read in `config`) and handing them an identity
//! (`sealCustodianIdentity`). The `Custodian` class itself is `custodian_serve` (feature
//! `custodian`, Node module only).

use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::host_io::bytes_arg;
use crate::custodian::identity;

/// The user id of the custodian with this ML-KEM-1024 public key (`0x` + 40 hex digits).
/// Throws `INVALID_KEY` for a key that is not 1568 bytes.
#[wasm_bindgen(js_name = custodianIdOf)]
pub fn custodian_id_of(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array", js_name = publicKey)] public_key: JsValue,
) -> Result<String, JsValue> {
    let public_key = bytes_arg(&public_key, "publicKey")?;
    Ok(identity::custodian_id(&public_key)?.to_string())
}

/// Seals a secp256k1 private key (32 bytes: a session key) for the custodian with
/// `publicKey`, for {@link Custodian.addIdentity}. Hand it over out of band. Throws
/// `INVALID_KEY` for a bad private or public key.
#[wasm_bindgen(js_name = sealCustodianIdentity)]
pub fn seal_custodian_identity(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array", js_name = privateKey)] private_key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array", js_name = publicKey)] public_key: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let secret = Zeroizing::new(bytes_arg(&private_key, "privateKey")?);
    let public_key = bytes_arg(&public_key, "publicKey")?;
    Ok(identity::seal_identity(&secret, &public_key)?)
}
