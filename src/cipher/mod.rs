//! Content encryption: group keys and AES-256-CTR payloads.

pub mod aes_ctr;
mod group_key;

pub use group_key::{ENCRYPTED_NEXT_KEY_LEN, GroupKey, MAX_KEY_ID_LEN};
