//! The worker pool's exports (issue #20, `docs/verify-pool.md`): `recoverSigner` for the
//! workers, `Subscriber.poolKey` and `Subscriber.handleMessageRecovered` for the host.

use wasm_bindgen::prelude::*;

use super::fields;
use super::host_io::{bytes_arg, now_ms};
use super::subscriber::JsSubscriber;
use crate::identity::pool::{self, PoolKey};

#[wasm_bindgen(typescript_custom_section)]
const TS_POOL: &'static str = r#"
/** A pool worker's answer for one message (`recoverSigner`). */
export interface RecoveredSigner {
  /** The 20-byte address the signature recovers to. */
  address: Uint8Array;
  /** HMAC-SHA-256 under the subscriber's pool key over the address and the message bytes. */
  tag: Uint8Array;
}
/** Counters of `handleMessageRecovered`. */
export interface PoolStats {
  /** Recoveries whose tag checked out. */
  accepted: number;
  /** Hints refused (no valid tag): those messages were verified in the core. */
  refused: number;
}
"#;

/// A pool worker's job (docs/verify-pool.md): decodes the StreamMessage `bytes`, recovers the
/// signer of its ECDSA_SECP256K1_EVM signature and tags the result with `poolKey` (the
/// subscriber's `poolKey`, 32 bytes). Throws `INVALID_ARGUMENT` for a bad key or another
/// signature type, the message's own error code for bytes that do not decode or a signature
/// that recovers no key.
#[wasm_bindgen(js_name = recoverSigner, unchecked_return_type = "RecoveredSigner")]
pub fn recover_signer(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array", js_name = poolKey)] pool_key: JsValue,
) -> Result<JsValue, JsValue> {
    let bytes = bytes_arg(&bytes, "bytes")?;
    let key = PoolKey::from_bytes(&bytes_arg(&pool_key, "poolKey")?)?;
    let r = pool::recover_signer(&key, &bytes)?;
    fields::object(&[
        ("address", fields::uint8_array(&r.address)),
        ("tag", fields::uint8_array(&r.tag)),
    ])
}

#[wasm_bindgen(js_class = Subscriber)]
impl JsSubscriber {
    /// The key this subscriber's own pool workers tag their recoveries with (32 bytes, made
    /// on first use). Hand it to those workers only: a tag under it lets a recovery stand in
    /// for the core's own.
    #[wasm_bindgen(getter, js_name = poolKey)]
    pub fn pool_key(&mut self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.pool_key()?.as_bytes().to_vec())
    }

    /// `handleMessage` with a pool worker's `recoverSigner` result for these bytes. With a
    /// valid tag the core skips its own recovery (and still compares the address with the
    /// publisher); with any other `recovered` the message is verified in the core as usual.
    /// Feed messages in arrival order. Throws only `INVALID_ARGUMENT` for arguments of the
    /// wrong type.
    #[wasm_bindgen(js_name = handleMessageRecovered)]
    pub fn handle_message_recovered(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RecoveredSigner")] recovered: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now: f64,
    ) -> Result<(), JsValue> {
        let bytes = bytes_arg(&bytes, "bytes")?;
        let address = fields::bytes(&recovered, "address")?;
        let tag = fields::bytes(&recovered, "tag")?;
        let now = now_ms(now)?;
        self.inner
            .handle_message_recovered(&bytes, &address, &tag, now);
        Ok(())
    }

    /// How many pool recoveries were taken and how many refused.
    #[wasm_bindgen(getter, js_name = poolStats, unchecked_return_type = "PoolStats")]
    pub fn pool_stats(&self) -> Result<JsValue, JsValue> {
        let s = self.inner.pool_stats();
        fields::object(&[
            ("accepted", fields::timestamp(s.accepted)),
            ("refused", fields::timestamp(s.refused)),
        ])
    }
}
