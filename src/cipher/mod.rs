//! Content encryption: group keys and AES-256-CTR payloads; AES-256-GCM sealing of stored keys.

pub mod aes_ctr;
mod group_key;
pub mod seal;

pub use group_key::{ENCRYPTED_NEXT_KEY_LEN, GroupKey, MAX_KEY_ID_LEN};
