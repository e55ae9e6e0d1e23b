//! The core's CSPRNG ([`crate::random`]) as a `rand_core` 0.10 RNG, for the `rsa` crate.
//!
//! Failures surface as [`Error::Randomness`] instead of the panic that `rsa`'s own
//! `getrandom` feature (`UnwrapErr(SysRng)`) would raise.

use ::rsa::rand_core::{TryCryptoRng, TryRng};

use crate::error::Error;
use crate::random;

/// Reads [`random::fill`]; carries no state.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CoreRng;

impl TryRng for CoreRng {
    type Error = Error;

    fn try_next_u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(random::bytes::<4>()?))
    }

    fn try_next_u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(random::bytes::<8>()?))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Error> {
        random::fill(dst)
    }
}

impl TryCryptoRng for CoreRng {}
