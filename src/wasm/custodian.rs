//! What a publisher needs of key custodians (docs/custodian.md): naming them (the
//! `custodians` config field, `custodianIdOf`) and handing them an identity
//! (`sealCustodianIdentity`). The `Custodian` class itself is `custodian_serve` (feature
//! `custodian`, Node module only).

use js_sys::Array;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::error::invalid_argument;
use super::fields;
use super::host_io::bytes_arg;
use crate::custodian::identity;
use crate::error::Result as CoreResult;

#[wasm_bindgen(typescript_custom_section)]
const TS_CUSTODIAN: &'static str = r#"
/** A key custodian, as a publisher names it: its ML-KEM-1024 public key (1568 bytes). */
export interface CustodianKey {
  publicKey: Uint8Array;
  /** Its user id ({@link custodianIdOf}); checked against the key when given. */
  userId?: string;
}

export interface PublisherConfig {
  /**
   * Key custodians that get every new key eagerly (a `send` output each, before the first
   * message that uses the key; `flushHandOff` sends at once). Default none.
   */
  custodians?: CustodianKey[];
}

export interface SubscriberConfig {
  /**
   * Take a key response signed by someone other than the publisher asked (a custodian under
   * its own identity), as the SDK does: addressed to us, pending, the responder holding
   * PUBLISH; the key is stored under the publisher asked. Default false (SECURITY.md).
   */
  acceptCustodianResponses?: boolean;
}
"#;

/// The `custodians` field of a publisher config: each `{ publicKey, userId? }`, the id checked.
pub(super) fn custodian_keys(obj: &JsValue) -> CoreResult<Vec<Vec<u8>>> {
    let Some(list) = fields::opt_value(obj, "custodians")? else {
        return Ok(Vec::new());
    };
    if !Array::is_array(&list) {
        return Err(invalid_argument("custodians must be an array"));
    }
    let mut out = Vec::new();
    for entry in Array::from(&list).iter() {
        let public_key = fields::bytes(&entry, "publicKey")?;
        let id = identity::custodian_id(&public_key)?;
        if let Some(named) = fields::opt_string(&entry, "userId")?
            && !named.eq_ignore_ascii_case(&id.to_string())
        {
            return Err(invalid_argument(format!(
                "custodian userId {named} is not the id of its public key ({id})"
            )));
        }
        out.push(public_key);
    }
    Ok(out)
}

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
