//! The EVM address recovery of `src/identity/evm.rs` (EIP-191 keccak, recover, keccak of the
//! point) from each implementation built in. Errors are `None` (undefined in JS): this module
//! only measures.
#![allow(missing_docs)]

use sha3::{Digest, Keccak256};
use wasm_bindgen::prelude::*;

fn eip191(payload: &[u8]) -> [u8; 32] {
    let mut h = Keccak256::new();
    h.update(b"\x19Ethereum Signed Message:\n");
    h.update(payload.len().to_string().as_bytes());
    h.update(payload);
    h.finalize().into()
}

fn address(uncompressed: &[u8]) -> Option<Vec<u8>> {
    let d = Keccak256::digest(uncompressed.get(1..)?);
    Some(d.get(12..)?.to_vec())
}

/// The EIP-191 keccak of a payload alone (the breakdown's keccak row).
#[wasm_bindgen(js_name = eip191Keccak)]
pub fn eip191_keccak(payload: &[u8]) -> Vec<u8> {
    eip191(payload).to_vec()
}

/// k256 recovery from the digest: the breakdown's recovery row (no payload keccak).
#[cfg(feature = "k256")]
#[wasm_bindgen(js_name = recoverK256Prehash)]
pub fn recover_k256_prehash(digest: &[u8], sig: &[u8]) -> Option<Vec<u8>> {
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
    let (rs, v) = sig.split_at_checked(64)?;
    let s = Signature::from_slice(rs).ok()?;
    let id = RecoveryId::from_byte(v.first()?.checked_sub(27)?)?;
    let key = VerifyingKey::recover_from_prehash(digest, &s, id).ok()?;
    address(key.to_sec1_point(false).as_bytes())
}

/// k256 (RustCrypto), as the main crate recovers.
#[cfg(feature = "k256")]
#[wasm_bindgen(js_name = recoverK256)]
pub fn recover_k256(payload: &[u8], sig: &[u8]) -> Option<Vec<u8>> {
    use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
    let (rs, v) = sig.split_at_checked(64)?;
    let mut s = Signature::from_slice(rs).ok()?;
    let mut id = RecoveryId::from_byte(v.first()?.checked_sub(27)?)?;
    let low = s.normalize_s();
    if low != s {
        s = low;
        id = RecoveryId::new(!id.is_y_odd(), id.is_x_reduced());
    }
    let key = VerifyingKey::recover_from_prehash(&eip191(payload), &s, id).ok()?;
    address(key.to_sec1_point(false).as_bytes())
}

#[cfg(feature = "libsecp")]
std::thread_local! {
    // One context: creating it per call would be timed too.
    static CTX: secp256k1::Secp256k1<secp256k1::VerifyOnly> = secp256k1::Secp256k1::verification_only();
}

/// k256 signing as the main crate signs (RFC 6979, recoverable): with `precomputed` the first
/// call builds the basepoint table.
#[cfg(feature = "k256")]
#[wasm_bindgen(js_name = signK256)]
pub fn sign_k256(key: &[u8], payload: &[u8]) -> Option<Vec<u8>> {
    let key = k256::ecdsa::SigningKey::from_slice(key).ok()?;
    let (sig, id) = key.sign_prehash_recoverable(&eip191(payload));
    let mut out = sig.to_bytes().to_vec();
    out.push(27 + id.to_byte());
    Some(out)
}

/// libsecp256k1 (C) through the `secp256k1` crate.
#[cfg(feature = "libsecp")]
#[wasm_bindgen(js_name = recoverLibsecp)]
pub fn recover_libsecp(payload: &[u8], sig: &[u8]) -> Option<Vec<u8>> {
    use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
    use secp256k1::Message;
    let (rs, v) = sig.split_at_checked(64)?;
    let id = RecoveryId::try_from(i32::from(v.first()?.checked_sub(27)?)).ok()?;
    // libsecp256k1 recovers high-S signatures as they are (the SDK accepts them too).
    let rsig = RecoverableSignature::from_compact(rs, id).ok()?;
    let msg = Message::from_digest(eip191(payload));
    let key = CTX.with(|ctx| ctx.recover_ecdsa(msg, &rsig)).ok()?;
    address(&key.serialize_uncompressed())
}
