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
