//! `Custodian`: the sans-IO key custodian of one stream partition (`src/custodian/`,
//! docs/custodian.md). Feature `custodian`: in the Node module, not the browser's (issue #16).

use js_sys::Array;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::config::CustodianConfig;
use super::host_io::{bytes_arg, drain, now_ms, question_id, read_answer};
use crate::custodian::Custodian;
use crate::exchange::mlkem::MlKemKeyPair;

/// A key custodian of one stream partition: for each content identity handed to it, it answers
/// key requests addressed to that identity, signed as it, after a grace period in which the
/// publisher may answer first, with every check a publisher makes. It takes keys handed over by
/// the identities it serves. It does no I/O (see `docs/custodian.md`).
#[wasm_bindgen(js_name = Custodian)]
pub struct JsCustodian {
    inner: Custodian,
}

#[wasm_bindgen(js_class = Custodian)]
impl JsCustodian {
    /// A custodian with the ML-KEM-1024 key pair whose expanded secret key (3168 bytes,
    /// `MlKemKeyPair.expandedSecretKey()`) is `secretKey`. Throws `INVALID_ARGUMENT` for a bad
    /// config, `INVALID_KEY` for a bad key.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CustodianConfig")] config: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array", js_name = secretKey)]
        secret_key: JsValue,
    ) -> Result<JsCustodian, JsValue> {
        let config = CustodianConfig::read(&config)?.into_core();
        let secret = Zeroizing::new(bytes_arg(&secret_key, "secretKey")?);
        let pair = MlKemKeyPair::from_expanded_secret_key(&secret)?;
        Ok(JsCustodian {
            inner: Custodian::new(config, pair)?,
        })
    }

    /// Starts serving the identity sealed in `sealed` ({@link sealCustodianIdentity}); returns
    /// its user id. Throws `DECRYPT_ERROR` for a blob sealed to another custodian or altered,
    /// `OVERLOADED` past `maxIdentities`.
    #[wasm_bindgen(js_name = addIdentity)]
    pub fn add_identity(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] sealed: JsValue,
    ) -> Result<String, JsValue> {
        let blob = bytes_arg(&sealed, "sealed")?;
        Ok(self.inner.add_identity(&blob)?.to_string())
    }

    /// Feeds a StreamMessage seen on the stream partition. Never throws for bad bytes (an
    /// `error` event); `INVALID_ARGUMENT` for arguments of the wrong type.
    #[wasm_bindgen(js_name = handleMessage)]
    pub fn handle_message(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now: f64,
    ) -> Result<(), JsValue> {
        let bytes = bytes_arg(&bytes, "bytes")?;
        self.inner.handle_message(&bytes, now_ms(now)?);
        Ok(())
    }

    /// The clock: requests whose grace period is over are checked and answered. Call it at
    /// `nextDeadline`.
    pub fn tick(&mut self, #[wasm_bindgen(js_name = nowMs)] now: f64) -> Result<(), JsValue> {
        self.inner.tick(now_ms(now)?);
        Ok(())
    }

    /// When to call `tick` next (unix ms), or `undefined` when no request waits.
    #[wasm_bindgen(getter, js_name = nextDeadline)]
    pub fn next_deadline(&self) -> Option<f64> {
        // Unix ms are far below 2^53.
        self.inner.next_deadline().map(|t| t as f64)
    }

    /// The host's answer to the question `questionId`.
    pub fn answer(
        &mut self,
        #[wasm_bindgen(js_name = questionId)] question: f64,
        #[wasm_bindgen(unchecked_param_type = "Answer")] answer: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now: f64,
    ) -> Result<(), JsValue> {
        let id = question_id(question)?;
        let answer = read_answer(&answer)?;
        Ok(self.inner.answer(id, answer, now_ms(now)?)?)
    }

    /// Takes every queued output, oldest first. Call after each input.
    #[wasm_bindgen(js_name = pollOutputs, unchecked_return_type = "Output[]")]
    pub fn poll_outputs(&mut self) -> Result<Array, JsValue> {
        drain(|| self.inner.poll_output())
    }

    /// Forgets every cached permission answer (each hand-off does this too).
    #[wasm_bindgen(js_name = invalidatePermissions)]
    pub fn invalidate_permissions(&mut self) {
        self.inner.invalidate_permissions();
    }

    /// This custodian's user id: publishers address hand-offs to it.
    #[wasm_bindgen(getter, js_name = userId)]
    pub fn user_id(&self) -> String {
        self.inner.user_id().to_string()
    }

    /// Its ML-KEM-1024 public key: publishers name it with this.
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> Vec<u8> {
        self.inner.public_key().to_vec()
    }

    /// The identities served.
    #[wasm_bindgen(getter, unchecked_return_type = "string[]")]
    pub fn identities(&self) -> Array {
        self.inner
            .identities()
            .iter()
            .map(|id| JsValue::from_str(&id.to_string()))
            .collect()
    }

    /// Requests in their grace period.
    #[wasm_bindgen(getter, js_name = waitingRequests)]
    pub fn waiting_requests(&self) -> u32 {
        u32::try_from(self.inner.waiting_requests()).unwrap_or(u32::MAX)
    }
}
