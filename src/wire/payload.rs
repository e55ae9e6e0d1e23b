//! Signature payloads, byte for byte as the SDK's `createSignaturePayload` builds them
//! (docs/wire.md §4): decimal numbers and the `0x` publisher id as UTF-8 text, raw bytes for binary
//! fields, no separators and no length prefixes.

use std::fmt::Write as _;

use super::message::{Body, StreamMessage};

impl StreamMessage {
    /// The bytes the publisher signed (ECDSA_SECP256K1_EVM, ERC_1271, ML_DSA_87, SECP256R1).
    pub fn signature_payload(&self) -> Vec<u8> {
        let mut out = self.header();
        match &self.body {
            Body::Content(c) => {
                out.extend_from_slice(&c.content);
                if let Some(k) = &c.new_group_key {
                    out.extend_from_slice(k.id.as_bytes());
                    out.extend_from_slice(&k.data);
                }
            }
            Body::KeyRequest(r) => {
                out.extend_from_slice(r.request_id.as_bytes());
                out.extend_from_slice(r.recipient_id.as_bytes());
                out.extend_from_slice(&r.public_key);
                for id in &r.group_key_ids {
                    out.extend_from_slice(id.as_bytes());
                }
            }
            Body::KeyResponse(r) => {
                out.extend_from_slice(r.request_id.as_bytes());
                out.extend_from_slice(r.recipient_id.as_bytes());
                for k in &r.group_keys {
                    out.extend_from_slice(k.id.as_bytes());
                    out.extend_from_slice(&k.data);
                }
            }
        }
        out
    }

    fn header(&self) -> Vec<u8> {
        let id = &self.id;
        let mut s = String::with_capacity(id.stream_id.len() + id.msg_chain_id.len() + 64);
        // Writing to a String cannot fail.
        let _ = write!(
            s,
            "{}{}{}{}{}{}",
            id.stream_id,
            id.partition,
            id.timestamp,
            id.sequence_number,
            id.publisher_id,
            id.msg_chain_id
        );
        if let Some(p) = &self.prev {
            let _ = write!(s, "{}{}", p.timestamp, p.sequence_number);
        }
        s.into_bytes()
    }
}

impl StreamMessage {
    /// The payload of ECDSA_SECP256K1_LEGACY signatures (`createLegacySignaturePayload`):
    /// one UTF-8 string, with encrypted content as lower-case hex and plaintext content as
    /// its (lossily decoded) text, and a rotated key as `JSON.stringify([id, hex(data)])`.
    pub fn legacy_signature_payload(&self) -> Vec<u8> {
        let mut s = String::from_utf8(self.header()).unwrap_or_default();
        match &self.body {
            Body::Content(c) => {
                if c.encryption_type == super::EncryptionType::None {
                    s.push_str(&String::from_utf8_lossy(&c.content));
                } else {
                    s.push_str(&hex::encode(&c.content));
                }
                if let Some(k) = &c.new_group_key {
                    s.push_str("[\"");
                    push_json_escaped(&mut s, &k.id);
                    s.push_str("\",\"");
                    s.push_str(&hex::encode(&k.data));
                    s.push_str("\"]");
                }
            }
            // Legacy signing predates key exchange over the stream; the SDK still treats the
            // encoded body as unencrypted content.
            Body::KeyRequest(_) | Body::KeyResponse(_) => {
                let proto = super::proto::StreamMessage::from(self);
                let inner = match proto.body {
                    Some(super::proto::Body::GroupKeyRequest(r)) => {
                        prost::Message::encode_to_vec(&r)
                    }
                    Some(super::proto::Body::GroupKeyResponse(r)) => {
                        prost::Message::encode_to_vec(&r)
                    }
                    _ => Vec::new(),
                };
                s.push_str(&String::from_utf8_lossy(&inner));
            }
        }
        s.into_bytes()
    }
}

/// The string-content escaping of `JSON.stringify`.
fn push_json_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
}
