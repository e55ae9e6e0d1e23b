//! AES-256-CTR payloads as the SDK's `EncryptionUtil` makes them (docs/wire.md §5): a fresh random
//! 16-byte IV that is the first counter block, the whole 128-bit block counting big-endian,
//! output `iv ‖ ct`, no tag, no padding.

use ctr::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};

use crate::error::{Error, Result};
use crate::random;

type Aes256Ctr = ctr::Ctr128BE<aes::Aes256>;

/// Length of the IV prefix.
pub const IV_LEN: usize = 16;
/// Length of an AES-256 key.
pub const KEY_LEN: usize = 32;

/// A 32-byte AES key from a slice of any length (`INVALID_KEY` unless exactly 32 bytes).
pub fn key_from_slice(key: &[u8]) -> Result<zeroize::Zeroizing<[u8; KEY_LEN]>> {
    let key: [u8; KEY_LEN] = key.try_into().map_err(|_| {
        Error::InvalidKey(format!(
            "AES key must be {KEY_LEN} bytes, got {}",
            key.len()
        ))
    })?;
    Ok(zeroize::Zeroizing::new(key))
}

/// Encrypts under `key` with a fresh random IV; returns `iv ‖ ct`.
pub fn encrypt(key: &[u8; KEY_LEN], plaintext: &[u8]) -> Result<Vec<u8>> {
    let iv = random::bytes::<IV_LEN>()?;
    encrypt_with_iv(key, &iv, plaintext)
}

/// Encrypts with a caller-chosen IV. Only for known-answer tests: reusing an IV under the
/// same key reveals the XOR of the plaintexts.
#[doc(hidden)]
pub fn encrypt_with_iv(
    key: &[u8; KEY_LEN],
    iv: &[u8; IV_LEN],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(IV_LEN + plaintext.len());
    out.extend_from_slice(iv);
    out.extend_from_slice(plaintext);
    let (_, body) = out.split_at_mut(IV_LEN);
    apply(key, iv, body)?;
    Ok(out)
}

/// Decrypts `iv ‖ ct`. Inputs shorter than the IV fail with the opaque [`Error::Decrypt`].
pub fn decrypt(key: &[u8; KEY_LEN], data: &[u8]) -> Result<Vec<u8>> {
    let (iv, ct) = data.split_at_checked(IV_LEN).ok_or(Error::Decrypt)?;
    let iv: &[u8; IV_LEN] = iv.try_into().map_err(|_| Error::Decrypt)?;
    let mut out = ct.to_vec();
    apply(key, iv, &mut out)?;
    Ok(out)
}

/// XORs `buf` with the keystream of (`key`, `iv`) starting `offset` bytes in: a streaming
/// cipher object (Node's `createCipheriv('aes-256-ctr')`) calls this once per `update`.
pub fn apply_at(key: &[u8; KEY_LEN], iv: &[u8; IV_LEN], offset: u64, buf: &mut [u8]) -> Result<()> {
    let mut cipher = Aes256Ctr::new(key.into(), iv.into());
    cipher
        .try_seek(offset)
        .map_err(|_| Error::InvalidArgument("AES-CTR offset out of range".into()))?;
    cipher
        .try_apply_keystream(buf)
        .map_err(|_| Error::InvalidArgument("payload too long for AES-CTR".into()))
}

fn apply(key: &[u8; KEY_LEN], iv: &[u8; IV_LEN], buf: &mut [u8]) -> Result<()> {
    let mut cipher = Aes256Ctr::new(key.into(), iv.into());
    // 2^128 blocks of keystream cannot run out for any buffer that fits in memory, but the
    // fallible call keeps a panic path out of the module.
    cipher
        .try_apply_keystream(buf)
        .map_err(|_| Error::InvalidArgument("payload too long for AES-CTR".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_at_continues_the_keystream() {
        let key = [9u8; KEY_LEN];
        let iv = [3u8; IV_LEN];
        let pt: Vec<u8> = (0..100u8).collect();
        let whole = encrypt_with_iv(&key, &iv, &pt).unwrap();
        for split in [0usize, 1, 15, 16, 17, 99, 100] {
            let (a, b) = pt.split_at(split);
            let mut a = a.to_vec();
            let mut b = b.to_vec();
            apply_at(&key, &iv, 0, &mut a).unwrap();
            apply_at(&key, &iv, split as u64, &mut b).unwrap();
            a.extend_from_slice(&b);
            assert_eq!(a, whole[IV_LEN..]);
        }
    }

    #[test]
    fn round_trip_and_layout() {
        let key = [7u8; KEY_LEN];
        for len in [0usize, 1, 15, 16, 17, 1000] {
            let pt: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let ct = encrypt(&key, &pt).unwrap();
            assert_eq!(ct.len(), IV_LEN + len);
            assert_eq!(decrypt(&key, &ct).unwrap(), pt);
        }
    }

    #[test]
    fn fresh_iv_every_call() {
        let key = [1u8; KEY_LEN];
        assert_ne!(encrypt(&key, b"x").unwrap(), encrypt(&key, b"x").unwrap());
    }

    #[test]
    fn short_input_is_decrypt_error() {
        for len in 0..IV_LEN {
            assert_eq!(decrypt(&[0; KEY_LEN], &vec![0; len]), Err(Error::Decrypt));
        }
        assert_eq!(
            decrypt(&[0; KEY_LEN], &[0; IV_LEN]).unwrap(),
            Vec::<u8>::new()
        );
    }
}
