//! The vectors the real `@streamr/sdk` 103.3.2 produced (tests/vectors/README.md).

use prost::Message as _;
use serde_json::Value;
use streamr_e2ee::UserId;
use streamr_e2ee::cipher::{GroupKey, aes_ctr};
use streamr_e2ee::identity::{self, Verification, evm};
use streamr_e2ee::wire::{
    Body, ContentMessage, ContentType, EncryptedGroupKey, EncryptionType, MessageId, MessageRef,
    SignatureType, StreamMessage, proto,
};

use super::{hex_of, json, str_of, suite_test};

const AES: &str = include_str!("../vectors/aes_payload.json");
const ROTATION: &str = include_str!("../vectors/group_key_rotation.json");
const SIGNATURES: &str = include_str!("../vectors/signatures_secp256k1.json");
const CONTENT: &str = include_str!("../vectors/content_messages.json");
const KEY_EXCHANGE: &str = include_str!("../vectors/key_exchange_messages.json");

fn key32(v: &Value) -> [u8; 32] {
    hex_of(v).try_into().expect("32-byte key")
}

fn group_key(v: &Value) -> GroupKey {
    GroupKey::new(str_of(&v["id"]), &hex_of(&v["dataHex"])).unwrap()
}

#[suite_test]
fn aes_payload_vectors() {
    let d = json(AES);
    let vectors = d["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 8);
    for v in vectors {
        let key = key32(&v["keyHex"]);
        let pt = hex_of(&v["plaintextHex"]);
        let ct = hex_of(&v["ciphertextHex"]);
        let iv: [u8; 16] = hex_of(&v["ivHex"]).try_into().unwrap();
        assert_eq!(ct.len(), 16 + pt.len());
        assert_eq!(
            aes_ctr::decrypt(&key, &ct).unwrap(),
            pt,
            "{}",
            v["description"]
        );
        assert_eq!(aes_ctr::encrypt_with_iv(&key, &iv, &pt).unwrap(), ct);
        let gk = GroupKey::new(str_of(&v["groupKeyId"]), &key).unwrap();
        assert_eq!(gk.decrypt(&ct).unwrap(), pt);
        let fresh = gk.encrypt(&pt).unwrap();
        assert_eq!(fresh.len(), 16 + pt.len());
        assert_eq!(gk.decrypt(&fresh).unwrap(), pt);
    }
}

/// The whole 128-bit IV counts big-endian and wraps mod 2^128 (not a 96+32-bit split).
#[suite_test]
fn aes_counter_edge_vectors() {
    let d = json(AES);
    let vectors = d["counterEdgeVectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 3);
    for v in vectors {
        let key = key32(&v["keyHex"]);
        let pt = hex_of(&v["plaintextHex"]);
        let iv: [u8; 16] = hex_of(&v["ivHex"]).try_into().unwrap();
        let ct = hex_of(&v["ciphertextHex"]);
        assert_eq!(
            aes_ctr::encrypt_with_iv(&key, &iv, &pt).unwrap(),
            ct,
            "{}",
            v["description"]
        );
        assert_eq!(aes_ctr::decrypt(&key, &ct).unwrap(), pt);
    }
}

#[suite_test]
fn group_key_rotation_vectors() {
    let d = json(ROTATION);
    let vectors = d["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 2);
    for v in vectors {
        let current = group_key(&v["currentKey"]);
        let next = group_key(&v["nextKey"]);
        let enc = EncryptedGroupKey {
            id: str_of(&v["encryptedGroupKey"]["id"]).to_owned(),
            data: hex_of(&v["encryptedGroupKey"]["dataHex"]),
        };
        assert_eq!(enc.id, next.id(), "the next key id travels in clear");
        assert_eq!(current.decrypt_next(&enc).unwrap(), next);
        let iv: [u8; 16] = enc.data[..16].try_into().unwrap();
        let again = aes_ctr::encrypt_with_iv(current.expose_secret(), &iv, next.expose_secret());
        assert_eq!(again.unwrap(), enc.data);
        let ours = current.encrypt_next(&next).unwrap();
        assert_eq!(current.decrypt_next(&ours).unwrap(), next);
        assert_eq!(
            proto::EncryptedGroupKey::from(&enc).encode_to_vec(),
            hex_of(&v["encryptedGroupKeyProtobufHex"])
        );
        // A different current key recovers garbage, never the next key.
        let wrong = GroupKey::generate().unwrap();
        assert_ne!(wrong.decrypt_next(&enc).unwrap(), next);
    }
}

#[suite_test]
fn secp256k1_signature_vectors() {
    let d = json(SIGNATURES);
    let signer = evm::EvmSigner::from_private_key(&hex_of(&d["signer"]["privateKeyHex"])).unwrap();
    assert_eq!(
        signer.user_id().to_string(),
        str_of(&d["signer"]["address"])
    );
    let vectors = d["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 3);
    for v in vectors {
        let payload = hex_of(&v["payloadHex"]);
        let sig = hex_of(&v["signatureHex"]);
        assert_eq!(
            evm::eip191_hash(&payload).to_vec(),
            hex_of(&v["keccakDigestHex"])
        );
        assert_eq!(
            signer.sign(&payload).unwrap().to_vec(),
            sig,
            "RFC 6979 is deterministic"
        );
        assert_eq!(
            evm::recover_address(&payload, &sig).unwrap(),
            signer.address()
        );
        evm::verify(&signer.address(), &payload, &sig).unwrap();
        let mut flipped = payload.clone();
        flipped.push(0);
        assert!(evm::verify(&signer.address(), &flipped, &sig).is_err());
        let mut bad_sig = sig.clone();
        bad_sig[10] ^= 1;
        assert!(evm::verify(&signer.address(), &payload, &bad_sig).is_err());
    }
}

fn decode_vector(v: &Value) -> (Vec<u8>, StreamMessage) {
    let bytes = hex_of(&v["streamMessageProtobufHex"]);
    let msg = StreamMessage::from_bytes(&bytes).unwrap();
    (bytes, msg)
}

/// Decode, re-encode byte-identically, rebuild the payload, verify, decrypt.
#[suite_test]
fn content_message_vectors() {
    let d = json(CONTENT);
    let vectors = d["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 7);
    for v in vectors {
        let label = str_of(&v["label"]);
        let (bytes, msg) = decode_vector(v);
        assert_eq!(msg.to_bytes(), bytes, "{label}: re-encoding");
        assert_eq!(
            msg.signature_payload(),
            hex_of(&v["signaturePayloadHex"]),
            "{label}"
        );
        let sm = &v["streamMessage"];
        assert_eq!(msg.id.publisher_id.to_string(), str_of(&sm["publisherId"]));
        assert_eq!(msg.id.timestamp, sm["timestamp"].as_u64().unwrap());
        assert_eq!(
            msg.signature_type as i64,
            sm["signatureType"].as_i64().unwrap()
        );
        assert_eq!(
            identity::verify_message(&msg).unwrap(),
            Verification::Valid,
            "{label}: signature"
        );
        let content = msg.content().unwrap();
        assert_eq!(content.content, hex_of(&sm["contentHex"]));
        assert_eq!(
            content.content_type as i64,
            sm["contentType"].as_i64().unwrap()
        );
        let plaintext = match content.encryption_type {
            EncryptionType::None => content.content.clone(),
            EncryptionType::Aes => {
                let key = group_key(&v["groupKey"]);
                assert_eq!(content.group_key_id.as_deref(), Some(key.id()));
                key.decrypt(&content.content).unwrap()
            }
        };
        assert_eq!(plaintext, hex_of(&v["plaintextHex"]), "{label}: plaintext");
        if content.content_type == ContentType::Json {
            let text = std::str::from_utf8(&plaintext).unwrap();
            assert!(serde_json::from_str::<Value>(text).is_ok(), "{label}: JSON");
        }
        match (&content.new_group_key, v["decryptedNewGroupKey"].is_null()) {
            (None, true) => {}
            (Some(enc), false) => {
                let current = group_key(&v["groupKey"]);
                assert_eq!(
                    current.decrypt_next(enc).unwrap(),
                    group_key(&v["decryptedNewGroupKey"])
                );
            }
            _ => panic!("{label}: newGroupKey presence mismatch"),
        }
        // Any change to a signed byte breaks the signature.
        let mut tampered = msg.clone();
        tampered.id.timestamp += 1;
        assert!(identity::verify_message(&tampered).is_err(), "{label}");
    }
}

/// The secp256k1 messages rebuilt from their JSON fields and signed by us are the SDK's bytes.
#[suite_test]
fn content_messages_rebuilt_from_fields() {
    let d = json(CONTENT);
    let signer =
        evm::EvmSigner::from_private_key(&hex_of(&d["publisher"]["privateKeyHex"])).unwrap();
    let mut rebuilt = 0;
    for v in d["vectors"].as_array().unwrap() {
        let sm = &v["streamMessage"];
        if sm["signatureType"].as_i64() != Some(1) {
            continue;
        }
        let mut msg = StreamMessage {
            id: MessageId {
                stream_id: str_of(&sm["streamId"]).to_owned(),
                partition: sm["streamPartition"].as_u64().unwrap() as u32,
                timestamp: sm["timestamp"].as_u64().unwrap(),
                sequence_number: sm["sequenceNumber"].as_u64().unwrap() as u32,
                publisher_id: UserId::parse(str_of(&sm["publisherId"])).unwrap(),
                msg_chain_id: str_of(&sm["msgChainId"]).to_owned(),
            },
            prev: sm["prevMsgRef"].as_object().map(|p| MessageRef {
                timestamp: p["timestamp"].as_u64().unwrap(),
                sequence_number: p["sequenceNumber"].as_u64().unwrap() as u32,
            }),
            signature: Vec::new(),
            signature_type: SignatureType::EcdsaSecp256k1Evm,
            body: Body::Content(ContentMessage {
                content: hex_of(&sm["contentHex"]),
                content_type: if sm["contentType"].as_i64() == Some(0) {
                    ContentType::Json
                } else {
                    ContentType::Binary
                },
                encryption_type: if sm["encryptionType"].as_i64() == Some(1) {
                    EncryptionType::Aes
                } else {
                    EncryptionType::None
                },
                group_key_id: sm["groupKeyId"].as_str().map(str::to_owned),
                new_group_key: sm["newGroupKey"].as_object().map(|k| EncryptedGroupKey {
                    id: k["id"].as_str().unwrap().to_owned(),
                    data: hex_of(&k["dataHex"]),
                }),
            }),
        };
        msg.signature = signer.sign(&msg.signature_payload()).unwrap().to_vec();
        assert_eq!(msg.signature, hex_of(&sm["signatureHex"]));
        assert_eq!(
            msg.to_bytes(),
            hex_of(&v["streamMessageProtobufHex"]),
            "{}",
            v["label"]
        );
        rebuilt += 1;
    }
    assert_eq!(rebuilt, 6);
}

/// Key requests and responses (EVM and ML-DSA-87 identities): envelope round trip, payload,
/// signature, and the inner message against the SDK's own protobuf bytes.
#[suite_test]
fn key_exchange_envelopes() {
    let d = json(KEY_EXCHANGE);
    let vectors = d["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 3);
    for v in vectors {
        for side in ["request", "response"] {
            let m = &v[side];
            let (bytes, msg) = decode_vector(m);
            assert_eq!(msg.to_bytes(), bytes, "{side} re-encoding");
            assert_eq!(
                msg.signature_payload(),
                hex_of(&m["signaturePayloadHex"]),
                "{side}"
            );
            assert_eq!(
                identity::verify_message(&msg).unwrap(),
                Verification::Valid,
                "{side}"
            );
            let raw = proto::StreamMessage::decode(bytes.as_slice()).unwrap();
            match (side, &msg.body, raw.body.unwrap()) {
                ("request", Body::KeyRequest(r), proto::Body::GroupKeyRequest(p)) => {
                    assert_eq!(p.encode_to_vec(), hex_of(&m["groupKeyRequestProtobufHex"]));
                    assert_eq!(r.request_id, str_of(&m["groupKeyRequest"]["requestId"]));
                    assert_eq!(r.group_key_ids.len(), 1);
                    assert_eq!(r.public_key, hex_of(&m["groupKeyRequest"]["publicKeyHex"]));
                }
                ("response", Body::KeyResponse(r), proto::Body::GroupKeyResponse(p)) => {
                    assert_eq!(p.encode_to_vec(), hex_of(&m["groupKeyResponseProtobufHex"]));
                    assert_eq!(
                        r.recipient_id.as_bytes(),
                        hex_of(&m["groupKeyResponse"]["recipientIdHex"])
                    );
                    assert_eq!(r.group_keys.len(), 1);
                }
                _ => panic!("{side}: wrong body"),
            }
            let mut forged = msg.clone();
            forged.id.stream_id.push('x');
            assert!(identity::verify_message(&forged).is_err());
        }
    }
}

/// ECDSA_SECP256K1_LEGACY (verify only): the payload is one string with encrypted content as
/// hex and the rotated key as `JSON.stringify([id, hex])` (`createLegacySignaturePayload`).
#[suite_test]
fn legacy_signatures_verify() {
    let d = json(CONTENT);
    let signer =
        evm::EvmSigner::from_private_key(&hex_of(&d["publisher"]["privateKeyHex"])).unwrap();
    for index in [2, 5] {
        let v = &d["vectors"][index];
        let (_, mut msg) = decode_vector(v);
        msg.signature_type = SignatureType::EcdsaSecp256k1Legacy;
        let payload = String::from_utf8(msg.legacy_signature_payload()).unwrap();
        let sm = &v["streamMessage"];
        let content = msg.content().unwrap().clone();
        let expected_content = match content.encryption_type {
            EncryptionType::Aes => str_of(&sm["contentHex"]).to_owned(),
            EncryptionType::None => String::from_utf8(content.content.clone()).unwrap(),
        };
        let mut expected = format!(
            "{}{}{}{}{}{}",
            str_of(&sm["streamId"]),
            sm["streamPartition"],
            sm["timestamp"],
            sm["sequenceNumber"],
            str_of(&sm["publisherId"]),
            str_of(&sm["msgChainId"])
        );
        if let Some(p) = sm["prevMsgRef"].as_object() {
            expected.push_str(&format!("{}{}", p["timestamp"], p["sequenceNumber"]));
        }
        expected.push_str(&expected_content);
        if let Some(k) = sm["newGroupKey"].as_object() {
            expected.push_str(&format!(
                "[\"{}\",\"{}\"]",
                str_of(&k["id"]),
                str_of(&k["dataHex"])
            ));
        }
        assert_eq!(payload, expected);
        msg.signature = signer.sign(payload.as_bytes()).unwrap().to_vec();
        assert_eq!(identity::verify_message(&msg).unwrap(), Verification::Valid);
        // For encrypted content the two payloads differ (hex vs raw bytes), so a signature
        // over the modern payload does not pass as legacy. For UTF-8 plaintext they coincide.
        msg.signature = signer.sign(&msg.signature_payload()).unwrap().to_vec();
        let modern_passes = identity::verify_message(&msg).is_ok();
        assert_eq!(
            modern_passes,
            content.encryption_type == EncryptionType::None
        );
    }
}
