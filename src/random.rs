//! The one place the core reads randomness: the OS CSPRNG natively, `crypto.getRandomValues`
//! in browsers and Node (getrandom's `wasm_js` backend).

use crate::error::{Error, Result};

/// Fill `buf` from the CSPRNG.
pub fn fill(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|_| Error::Randomness)
}

/// `N` random bytes.
pub fn bytes<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}

/// A source of the randomness that shows in the protocol (message chain ids, request ids,
/// generated group keys). State machines take one so tests can make runs reproducible.
///
/// IVs, KEM encapsulations and OAEP seeds always come from the CSPRNG directly: nothing is
/// gained by reproducing them, and a hook there would be a foot-gun.
pub trait Entropy {
    /// Fill `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]) -> Result<()>;
}

/// The OS or browser CSPRNG: the only [`Entropy`] to use outside tests.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        fill(buf)
    }
}

const ALPHANUMERIC: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A random `[0-9a-zA-Z]` string, as the SDK's message chain ids (20 characters).
pub fn alphanumeric(entropy: &mut dyn Entropy, len: usize) -> Result<String> {
    let mut out = String::with_capacity(len);
    let mut byte = [0u8; 1];
    while out.len() < len {
        entropy.fill(&mut byte)?;
        // Rejection sampling keeps the 62 characters equally likely (248 = 4 * 62).
        if byte[0] < 248
            && let Some(&c) = ALPHANUMERIC.get(usize::from(byte[0] % 62))
        {
            out.push(char::from(c));
        }
    }
    Ok(out)
}

/// A random uuid v4 string (the SDK's request ids and group key id prefixes).
pub fn uuid_v4(entropy: &mut dyn Entropy) -> Result<String> {
    let mut b = [0u8; 16];
    entropy.fill(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    let part = |r: std::ops::Range<usize>| h.get(r).unwrap_or_default().to_owned();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    ))
}
