//! Broken input of every kind gives its typed error; nothing panics.

use prost::Message as _;
use streamr_e2ee::cipher::GroupKey;
use streamr_e2ee::identity::{self, Verification, evm};
use streamr_e2ee::wire::{Body, ContentType, EncryptionType, StreamMessage, proto};
use streamr_e2ee::{Error, ErrorCode};

use super::{hex_of, json, suite_test};

const CONTENT: &str = include_str!("../vectors/content_messages.json");

fn first_vector_bytes() -> Vec<u8> {
    hex_of(&json(CONTENT)["vectors"][2]["streamMessageProtobufHex"])
}

fn code_of<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
    r.expect_err("must fail").code().as_str()
}

#[suite_test]
fn truncated_ciphertext() {
    let key = GroupKey::generate().unwrap();
    for len in 0..16 {
        assert_eq!(code_of(key.decrypt(&vec![0xaa; len])), "DECRYPT_ERROR");
    }
    let enc = key.encrypt_next(&GroupKey::generate().unwrap()).unwrap();
    for cut in 0..enc.data.len() {
        let mut short = enc.clone();
        short.data.truncate(cut);
        assert_eq!(code_of(key.decrypt_next(&short)), "DECRYPT_ERROR");
    }
}

#[suite_test]
fn wrong_key_lengths() {
    for len in [0usize, 1, 16, 24, 31, 33, 64] {
        assert_eq!(code_of(GroupKey::new("id", &vec![1; len])), "INVALID_KEY");
        assert_eq!(
            code_of(evm::EvmSigner::from_private_key(&vec![1; len])),
            "INVALID_KEY"
        );
    }
    // Zero and the group order are not private keys.
    assert_eq!(
        code_of(evm::EvmSigner::from_private_key(&[0; 32])),
        "INVALID_KEY"
    );
    let n =
        hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").unwrap();
    assert_eq!(code_of(evm::EvmSigner::from_private_key(&n)), "INVALID_KEY");
}

#[suite_test]
fn not_protobuf() {
    let inputs: [&[u8]; 5] = [
        b"",
        b"hello world, not protobuf",
        b"{\"streamId\":\"x\"}",
        &[0xff; 64],
        &[0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f],
    ];
    for input in inputs {
        assert_eq!(
            code_of(StreamMessage::from_bytes(input)),
            "MALFORMED_MESSAGE"
        );
    }
}

#[suite_test]
fn truncated_protobuf() {
    let bytes = first_vector_bytes();
    for cut in 0..bytes.len() {
        let r = StreamMessage::from_bytes(&bytes[..cut]);
        assert_eq!(code_of(r), "MALFORMED_MESSAGE", "cut at {cut}");
    }
    assert!(StreamMessage::from_bytes(&bytes).is_ok());
}

fn raw() -> proto::StreamMessage {
    proto::StreamMessage::decode(first_vector_bytes().as_slice()).unwrap()
}

fn content_mut(m: &mut proto::StreamMessage) -> &mut proto::ContentMessage {
    match m.body.as_mut().unwrap() {
        proto::Body::ContentMessage(c) => c,
        _ => panic!("content vector"),
    }
}

fn decode_code(m: &proto::StreamMessage) -> &'static str {
    code_of(StreamMessage::from_bytes(&m.encode_to_vec()))
}

#[suite_test]
fn unknown_enum_values() {
    let mut m = raw();
    m.signature_type = 5;
    assert_eq!(decode_code(&m), "MALFORMED_MESSAGE");
    let mut m = raw();
    content_mut(&mut m).content_type = 2;
    assert_eq!(decode_code(&m), "MALFORMED_MESSAGE");
    let mut m = raw();
    content_mut(&mut m).encryption_type = 7;
    assert_eq!(decode_code(&m), "MALFORMED_MESSAGE");
    let mut m = raw();
    m.body = Some(proto::Body::GroupKeyRequest(proto::GroupKeyRequest {
        request_id: "r".into(),
        recipient_id: vec![1; 20],
        public_key: vec![2; 8],
        group_key_ids: vec!["k".into()],
        encryption_type: 2,
    }));
    assert_eq!(decode_code(&m), "MALFORMED_MESSAGE");
}

#[suite_test]
fn missing_required_fields() {
    let mut m = raw();
    m.message_id = None;
    assert_eq!(decode_code(&m), "MALFORMED_MESSAGE");
    let mut m = raw();
    m.body = None;
    assert_eq!(decode_code(&m), "MALFORMED_MESSAGE");
    let mut m = raw();
    content_mut(&mut m).group_key_id = None;
    assert_eq!(
        decode_code(&m),
        "MALFORMED_MESSAGE",
        "AES without groupKeyId"
    );
    let mut m = raw();
    m.message_id.as_mut().unwrap().timestamp = -1;
    assert_eq!(decode_code(&m), "MALFORMED_MESSAGE");
    let mut m = raw();
    m.message_id.as_mut().unwrap().publisher_id.clear();
    assert_eq!(decode_code(&m), "MALFORMED_MESSAGE");
    let mut m = raw();
    let id = m.message_id.clone().unwrap();
    m.previous_message_ref = Some(proto::MessageRef {
        timestamp: id.timestamp,
        sequence_number: id.sequence_number,
    });
    assert_eq!(decode_code(&m), "MALFORMED_MESSAGE", "prev ref not before");
}

fn valid_message() -> StreamMessage {
    StreamMessage::from_bytes(&first_vector_bytes()).unwrap()
}

#[suite_test]
fn bad_v() {
    for v in [0u8, 1, 26, 29, 30, 0xff] {
        let mut msg = valid_message();
        msg.signature[64] = v;
        assert_eq!(
            code_of(identity::verify_message(&msg)),
            "INVALID_SIGNATURE",
            "v={v}"
        );
    }
    let mut msg = valid_message();
    msg.signature.truncate(64);
    assert_eq!(code_of(identity::verify_message(&msg)), "INVALID_SIGNATURE");
}

#[suite_test]
fn signature_by_another_key() {
    let mut msg = valid_message();
    let other = evm::EvmSigner::generate().unwrap();
    msg.signature = other.sign(&msg.signature_payload()).unwrap().to_vec();
    assert_eq!(code_of(identity::verify_message(&msg)), "INVALID_SIGNATURE");
    // Signed by the other key under its own id, the message is valid: the failure above is
    // the identity, not the signature.
    msg.id.publisher_id = other.user_id();
    msg.signature = other.sign(&msg.signature_payload()).unwrap().to_vec();
    assert_eq!(identity::verify_message(&msg).unwrap(), Verification::Valid);
}

#[suite_test]
fn ten_megabyte_message() {
    let huge = vec![0u8; 10 * 1024 * 1024];
    assert_eq!(
        code_of(StreamMessage::from_bytes(&huge)),
        "MESSAGE_TOO_LARGE"
    );
    let mut m = raw();
    content_mut(&mut m).content = vec![7; 10 * 1024 * 1024];
    let bytes = m.encode_to_vec();
    let err = StreamMessage::from_bytes(&bytes).unwrap_err();
    assert_eq!(err.code(), ErrorCode::MessageTooLarge);
    assert_eq!(
        err,
        Error::MessageTooLarge {
            size: bytes.len(),
            limit: streamr_e2ee::wire::DEFAULT_MAX_MESSAGE_BYTES
        }
    );
    // An explicit, larger limit lets a large message through.
    assert!(StreamMessage::from_bytes_with_limit(&bytes, bytes.len()).is_ok());
}

/// The SDK recovers with `secp256k1.ecdsaRecover` (libsecp256k1 / elliptic), which accepts
/// high-S signatures. So do we: `(r, n - s, v ^ 1)` recovers the same address. Rejecting
/// them would refuse messages the SDK accepts; malleability is harmless here because
/// messages are identified by their ids, not by signature bytes.
#[suite_test]
fn high_s_accepted_like_the_sdk() {
    let msg = valid_message();
    let n =
        hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").unwrap();
    let s = &msg.signature[32..64];
    let mut high = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(n[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        high[i] = (d + 256 * borrow) as u8;
    }
    let mut malleated = msg.clone();
    malleated.signature[32..64].copy_from_slice(&high);
    malleated.signature[64] = if msg.signature[64] == 27 { 28 } else { 27 };
    assert_ne!(malleated.signature, msg.signature);
    assert_eq!(
        identity::verify_message(&malleated).unwrap(),
        Verification::Valid
    );
    // Flipping S without flipping v recovers a different key: rejected.
    malleated.signature[64] = msg.signature[64];
    assert_eq!(
        code_of(identity::verify_message(&malleated)),
        "INVALID_SIGNATURE"
    );
}

/// contentType, encryptionType and groupKeyId are outside the signature (spec §4, §13):
/// changing them in transit leaves the signature valid. Consumers must treat them as hints;
/// this test pins the fact so nobody builds on the opposite assumption.
#[suite_test]
fn tampered_unsigned_fields_keep_the_signature_valid() {
    let mut msg = valid_message();
    match &mut msg.body {
        Body::Content(c) => {
            c.content_type = ContentType::Binary;
            c.encryption_type = EncryptionType::None;
            c.group_key_id = Some("attacker-chosen".into());
        }
        _ => panic!("content vector"),
    }
    assert_eq!(identity::verify_message(&msg).unwrap(), Verification::Valid);
}
