//! Key exchange and non-EVM signing against the SDK's vectors (`vectors/README.md`):
//! `key_exchange_asymmetric.json`, `key_exchange_messages.json`, and the P-256 entry of
//! `content_messages.json`. Plus malformed input of every kind: typed errors, never a panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unreachable
)]

use serde_json::Value;
// The same tests run in Node under wasm-bindgen-test:
// `cargo test --target wasm32-unknown-unknown --test exchange_vectors`.
use streamr_e2ee::cipher::aes_ctr;
use streamr_e2ee::exchange::{
    self, KeyExchangeKeyPair, MlKemKeyPair, RsaKeyPair, RsaPublicKey, mlkem, rsa,
};
use streamr_e2ee::identity::ml_dsa87::{self, MlDsa87Signer};
use streamr_e2ee::identity::secp256r1::{self, P256Signer};
use streamr_e2ee::wire::AsymmetricEncryptionType;
use streamr_e2ee::{Error, GroupKey};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const ASYMMETRIC: &str = include_str!("vectors/key_exchange_asymmetric.json");
const MESSAGES: &str = include_str!("vectors/key_exchange_messages.json");
const CONTENT: &str = include_str!("vectors/content_messages.json");

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn vectors(text: &str) -> Vec<Value> {
    json(text)["vectors"].as_array().unwrap().clone()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

fn hx(v: &Value) -> Vec<u8> {
    hex::decode(s(v)).unwrap()
}

fn group_key(v: &Value) -> GroupKey {
    GroupKey::new(s(&v["id"]), &hx(&v["dataHex"])).unwrap()
}

fn rsa_vectors() -> Vec<Value> {
    vectors(ASYMMETRIC)
        .into_iter()
        .filter(|v| s(&v["encryptionTypeName"]) == "RSA")
        .collect()
}

fn mlkem_vector() -> Value {
    vectors(ASYMMETRIC)
        .into_iter()
        .find(|v| s(&v["encryptionTypeName"]) == "ML_KEM")
        .unwrap()
}

fn is_decrypt<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::Decrypt))
}

fn is_invalid_key<T: std::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::InvalidKey(_)))
}

// ---- key_exchange_asymmetric.json: RSA ----

#[test]
fn rsa_vectors_unwrap_with_the_recorded_private_key() {
    let vs = rsa_vectors();
    assert_eq!(vs.len(), 3);
    for v in &vs {
        let pair = RsaKeyPair::from_pkcs8_pem(s(&v["privateKeyPem"]).as_bytes()).unwrap();
        let key = group_key(&v["groupKey"]);
        let data = hx(&v["encryptedGroupKeyDataHex"]);
        let bits: usize = v["rsaModulusBits"].as_u64().unwrap() as usize;
        assert_eq!(pair.public_key().bits(), bits);
        assert_eq!(data.len(), bits / 8);
        assert_eq!(pair.unwrap_group_key(key.id(), &data).unwrap(), key);
        assert_eq!(pair.encryption_type(), AsymmetricEncryptionType::Rsa);
        assert!(!pair.is_quantum_resistant());
    }
}

#[test]
fn rsa_vector_public_keys_parse_in_both_layouts() {
    for v in rsa_vectors() {
        let pem = s(&v["publicKeyPem"]);
        assert_eq!(hx(&v["publicKeyFieldHex"]), pem.as_bytes());
        let public = RsaPublicKey::from_pem(pem.as_bytes()).unwrap();
        let pair = RsaKeyPair::from_pkcs8_pem(s(&v["privateKeyPem"]).as_bytes()).unwrap();
        assert_eq!(&public, pair.public_key());
        let single_line = pem.lines().count() == 3;
        if single_line {
            // Browser layout in; Node layout out, the same key.
            assert_ne!(public.to_pem(), pem);
            assert_eq!(
                RsaPublicKey::from_pem(public.to_pem().as_bytes()).unwrap(),
                public
            );
        } else {
            // Node layout: our encoding is byte-identical to Node's.
            assert_eq!(public.to_pem(), pem);
            assert_eq!(pair.public_key_bytes(), pem.as_bytes());
        }
    }
}

#[test]
fn rsa_private_keys_export_like_node() {
    for v in rsa_vectors() {
        let pem = s(&v["privateKeyPem"]);
        let pair = RsaKeyPair::from_pkcs8_pem(pem.as_bytes()).unwrap();
        let exported = pair.to_pkcs8_pem().unwrap();
        let again = RsaKeyPair::from_pkcs8_pem(exported.as_bytes()).unwrap();
        assert_eq!(again.public_key(), pair.public_key());
        if pem.lines().count() > 3 {
            // Node writes the same PKCS#8 document (same CRT values) with 64 columns.
            assert_eq!(exported.as_str(), pem);
        }
    }
}

#[test]
fn our_rsa_wrap_unwraps_with_the_recorded_private_key() {
    for v in rsa_vectors() {
        let pair = RsaKeyPair::from_pkcs8_pem(s(&v["privateKeyPem"]).as_bytes()).unwrap();
        let key = group_key(&v["groupKey"]);
        let pem = s(&v["publicKeyPem"]).as_bytes();
        let a = exchange::wrap_group_key(&key, AsymmetricEncryptionType::Rsa, pem).unwrap();
        let b = exchange::wrap_group_key(&key, AsymmetricEncryptionType::Rsa, pem).unwrap();
        assert_ne!(a, b, "OAEP is randomized");
        assert_eq!(a.len(), pair.public_key().ciphertext_len());
        assert_eq!(pair.unwrap_group_key(key.id(), &a).unwrap(), key);
        assert_eq!(pair.unwrap_group_key(key.id(), &b).unwrap(), key);
    }
}

#[test]
fn browser_key_through_the_host_decryption_seams() {
    use streamr_e2ee::exchange::ExternalRsaKeyPair;
    use zeroize::Zeroizing;
    let v = rsa_vectors()
        .into_iter()
        .find(|v| s(&v["publicKeyPem"]).lines().count() == 3)
        .unwrap();
    // Stand-in for the host: the private key lives "elsewhere".
    let host = RsaKeyPair::from_pkcs8_pem(s(&v["privateKeyPem"]).as_bytes()).unwrap();
    let host_decrypt = |ct: &[u8]| -> Result<Zeroizing<Vec<u8>>, Error> {
        let pending = host.public_key().begin_unwrap("k", ct)?;
        let key = host.unwrap_group_key(pending.key_id(), pending.ciphertext())?;
        Ok(Zeroizing::new(key.expose_secret().to_vec()))
    };
    let key = group_key(&v["groupKey"]);
    let data = hx(&v["encryptedGroupKeyDataHex"]);

    // Synchronous host (Node's privateDecrypt).
    let external = ExternalRsaKeyPair::new(s(&v["publicKeyPem"]).as_bytes(), host_decrypt).unwrap();
    assert_eq!(external.unwrap_group_key(key.id(), &data).unwrap(), key);
    // The request carries the key in Node's layout.
    assert_eq!(external.public_key_bytes(), host.public_key_bytes());

    // Asynchronous host (WebCrypto): the core hands out the ciphertext, the host returns bytes.
    let pending = external.public_key().begin_unwrap(key.id(), &data).unwrap();
    assert_eq!(pending.ciphertext(), &data[..]);
    let plaintext = host_decrypt(pending.ciphertext()).unwrap();
    assert_eq!(pending.complete(&plaintext).unwrap(), key);
    assert!(is_decrypt(
        external.public_key().begin_unwrap(key.id(), &data[1..])
    ));
}

// ---- key_exchange_asymmetric.json: ML-KEM ----

#[test]
fn mlkem_vector_step_by_step() {
    let v = mlkem_vector();
    let inter = &v["intermediates"];
    let secret = hx(&v["privateKeyHex"]);
    let pair = MlKemKeyPair::from_expanded_secret_key(&secret).unwrap();
    assert_eq!(pair.public_key(), hx(&v["publicKeyHex"]));
    assert_eq!(*pair.to_expanded_secret_key(), secret);

    let data = hx(&v["encryptedGroupKeyDataHex"]);
    assert_eq!(data.len(), mlkem::WRAPPED_KEY_LEN);
    let (kem_ct, rest) = data.split_at(mlkem::KEM_CIPHERTEXT_LEN);
    let (salt, aes_part) = rest.split_at(mlkem::SALT_LEN);
    assert_eq!(kem_ct, hx(&inter["kemCiphertextHex"]));
    assert_eq!(salt, hx(&inter["kdfSaltHex"]));
    assert_eq!(aes_part, hx(&inter["aesPartHex"]));

    let shared = pair.decapsulate(kem_ct).unwrap();
    assert_eq!(shared.as_slice(), hx(&inter["sharedSecretHex"]));
    let wrapping = mlkem::derive_wrapping_key(&shared, salt.try_into().unwrap()).unwrap();
    assert_eq!(wrapping.as_slice(), hx(&inter["wrappingAesKeyHex"]));
    let key = group_key(&v["groupKey"]);
    assert_eq!(
        aes_ctr::decrypt(&wrapping, aes_part).unwrap(),
        key.expose_secret()
    );
}

#[test]
fn mlkem_vector_end_to_end_and_our_wrap() {
    let v = mlkem_vector();
    let pair = MlKemKeyPair::from_expanded_secret_key(&hx(&v["privateKeyHex"])).unwrap();
    let key = group_key(&v["groupKey"]);
    let data = hx(&v["encryptedGroupKeyDataHex"]);
    assert_eq!(pair.unwrap_group_key(key.id(), &data).unwrap(), key);
    assert!(pair.is_quantum_resistant());

    let ours = exchange::wrap_group_key(
        &key,
        AsymmetricEncryptionType::MlKem,
        &hx(&v["publicKeyHex"]),
    )
    .unwrap();
    assert_eq!(ours.len(), 1680);
    assert_ne!(ours, data);
    assert_eq!(pair.unwrap_group_key(key.id(), &ours).unwrap(), key);
}

// ---- key_exchange_messages.json ----

fn subscriber_pair(v: &Value) -> Box<dyn KeyExchangeKeyPair> {
    let kp = &v["subscriberKeyExchangeKeyPair"];
    match s(&kp["type"]) {
        "RSA" => Box::new(RsaKeyPair::from_pkcs8_pem(s(&kp["privateKeyPem"]).as_bytes()).unwrap()),
        "ML_KEM" => {
            let pair = MlKemKeyPair::from_expanded_secret_key(&hx(&kp["privateKeyHex"])).unwrap();
            assert_eq!(pair.public_key(), hx(&kp["publicKeyHex"]));
            Box::new(pair)
        }
        other => panic!("unknown key pair type {other}"),
    }
}

#[test]
fn message_vectors_unwrap_the_response() {
    let vs = vectors(MESSAGES);
    assert_eq!(vs.len(), 3);
    for v in &vs {
        let pair = subscriber_pair(v);
        let request = &v["request"]["groupKeyRequest"];
        let response = &v["response"]["groupKeyResponse"];
        assert_eq!(hx(&request["publicKeyHex"]), pair.public_key_bytes());
        let wire_type = match request["encryptionType"].as_u64().unwrap() {
            0 => AsymmetricEncryptionType::Rsa,
            _ => AsymmetricEncryptionType::MlKem,
        };
        assert_eq!(pair.encryption_type(), wire_type);
        assert_eq!(
            response["encryptionType"].as_u64(),
            request["encryptionType"].as_u64()
        );
        // The publisher's policy check (spec §7 step 1) passes for what the SDK sent.
        exchange::allowed(pair.encryption_type(), pair.is_quantum_resistant()).unwrap();

        let wrapped = &response["groupKeys"][0];
        let key = pair
            .unwrap_group_key(s(&wrapped["id"]), &hx(&wrapped["dataHex"]))
            .unwrap();
        assert_eq!(key, group_key(&v["groupKey"]));
    }
}

#[test]
fn rsa_request_is_refused_when_quantum_resistance_is_required() {
    let v = &vectors(MESSAGES)[0];
    assert_eq!(s(&v["subscriberKeyExchangeKeyPair"]["type"]), "RSA");
    let pair = subscriber_pair(v);
    let err = exchange::allowed(pair.encryption_type(), true).unwrap_err();
    assert_eq!(err.code().as_str(), "ENCRYPTION_POLICY_VIOLATION");
}

#[test]
fn ml_dsa_signatures_are_reproduced_byte_for_byte() {
    let v = vectors(MESSAGES)
        .into_iter()
        .find(|v| s(&v["publisher"]["signatureType"]) == "ML_DSA_87")
        .unwrap();
    for (who, part) in [("subscriber", "request"), ("publisher", "response")] {
        let identity = &v[who];
        let public_key = hx(&identity["publicKeyHex"]);
        assert_eq!(
            s(&identity["userId"]),
            format!("0x{}", hex::encode(&public_key))
        );
        let signer = MlDsa87Signer::from_expanded_secret_key(
            &hx(&identity["privateKeyHex"]),
            Some(&public_key),
        )
        .unwrap();
        assert_eq!(signer.public_key(), public_key);
        assert_eq!(signer.user_id().to_string(), s(&identity["userId"]));
        assert_eq!(
            *signer.to_expanded_secret_key(),
            hx(&identity["privateKeyHex"])
        );

        let payload = hx(&v[part]["signaturePayloadHex"]);
        let recorded = hx(&v[part]["streamMessage"]["signatureHex"]);
        assert_eq!(recorded.len(), ml_dsa87::SIGNATURE_LEN);
        assert_eq!(signer.sign(&payload).unwrap(), recorded, "{part}");
        ml_dsa87::verify(&public_key, &payload, &recorded).unwrap();
        let mut tampered = payload.clone();
        tampered[0] ^= 1;
        assert!(ml_dsa87::verify(&public_key, &tampered, &recorded).is_err());
    }
}

#[test]
fn ml_dsa_key_of_the_other_party_is_refused() {
    let v = vectors(MESSAGES)
        .into_iter()
        .find(|v| s(&v["publisher"]["signatureType"]) == "ML_DSA_87")
        .unwrap();
    let r = MlDsa87Signer::from_expanded_secret_key(
        &hx(&v["subscriber"]["privateKeyHex"]),
        Some(&hx(&v["publisher"]["publicKeyHex"])),
    );
    assert!(is_invalid_key(r));
}

// ---- content_messages.json: P-256 ----

#[test]
fn p256_signer_matches_the_sdk_identity() {
    let v = vectors(CONTENT)
        .into_iter()
        .find(|v| v.get("signer").is_some())
        .unwrap();
    let signer = P256Signer::from_private_key(&hx(&v["signer"]["privateKeyHex"])).unwrap();
    let public_key = hx(&v["signer"]["publicKeyHex"]);
    assert_eq!(signer.public_key().as_slice(), public_key);
    assert_eq!(
        signer.user_id().to_string(),
        s(&v["streamMessage"]["publisherId"])
    );
    let payload = hx(&v["signaturePayloadHex"]);
    // The SDK's (WebCrypto, random nonce) signature verifies; so does ours.
    secp256r1::verify(
        &public_key,
        &payload,
        &hx(&v["streamMessage"]["signatureHex"]),
    )
    .unwrap();
    let ours = signer.sign(&payload).unwrap();
    secp256r1::verify(&public_key, &payload, &ours).unwrap();
}

// ---- malformed input ----

fn rsa640() -> Value {
    rsa_vectors()
        .into_iter()
        .find(|v| v["rsaModulusBits"].as_u64() == Some(640))
        .unwrap()
}

#[test]
fn bad_pem_is_invalid_key() {
    let v = rsa640();
    let public = s(&v["publicKeyPem"]).to_string();
    let private = s(&v["privateKeyPem"]).to_string();
    let body: String = public.lines().filter(|l| !l.starts_with("-----")).collect();
    let bad = [
        public.trim_end().to_string(), // no trailing newline
        format!("{public}\n"),         // two trailing newlines
        public.replace('\n', "\r\n"),  // CRLF
        public.replace("BEGIN PUBLIC KEY", "BEGIN RSA PUBLIC KEY"), // wrong header
        public.replace("-----BEGIN PUBLIC KEY-----\n", ""), // no header
        format!("junk\n{public}"),     // text before
        public.replacen('M', "!", 1),  // garbage base64
        public.replacen("MG", "GM", 1), // valid base64, bad DER
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            &body[..body.len() - 4]
        ),
        private.clone(),                              // a private key
        private.replace("PRIVATE KEY", "PUBLIC KEY"), // PKCS#8 dressed as SPKI
        String::new(),
        "x".repeat(20_000),
    ];
    for b in &bad {
        assert!(
            is_invalid_key(RsaPublicKey::from_pem(b.as_bytes())),
            "{b:?}"
        );
        let key = GroupKey::generate().unwrap();
        assert!(is_invalid_key(exchange::wrap_group_key(
            &key,
            AsymmetricEncryptionType::Rsa,
            b.as_bytes()
        )));
    }
    // Non-UTF-8 bytes.
    assert!(is_invalid_key(RsaPublicKey::from_pem(&[0xff, 0xfe, 0x00])));
    // The public key where a private one is expected, and private-key variants.
    assert!(is_invalid_key(RsaKeyPair::from_pkcs8_pem(
        public.as_bytes()
    )));
    assert!(is_invalid_key(RsaKeyPair::from_pkcs8_pem(
        private.trim_end().as_bytes()
    )));
    assert!(is_invalid_key(RsaKeyPair::from_pkcs8_pem(
        private.replacen('M', "*", 1).as_bytes()
    )));
    // Both layouts still parse.
    RsaPublicKey::from_pem(public.as_bytes()).unwrap();
    RsaPublicKey::from_pem(
        format!("-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n").as_bytes(),
    )
    .unwrap();
}

/// An SPKI PEM for a syntactically valid RSA key of exactly `bits` bits (not a real RSA
/// modulus: only size and form matter to the parser).
fn spki_pem_of_bits(bits: usize, e: u64) -> String {
    use ::rsa::pkcs8::{EncodePublicKey, LineEnding};
    let mut n = vec![0u8; bits.div_ceil(8)];
    n[0] = 1 << ((bits - 1) % 8);
    *n.last_mut().unwrap() |= 1;
    let n = ::rsa::BoxedUint::from_be_slice(&n, (n.len() * 8) as u32).unwrap();
    let e = ::rsa::BoxedUint::from(e);
    ::rsa::PublicKey::new_unchecked(n, e)
        .to_public_key_pem(LineEnding::LF)
        .unwrap()
}

#[test]
fn rsa_key_sizes_outside_640_to_4096_are_refused() {
    for bits in [512, 639, 4097, 8192] {
        let pem = spki_pem_of_bits(bits, 65537);
        assert!(
            is_invalid_key(RsaPublicKey::from_pem(pem.as_bytes())),
            "{bits}"
        );
    }
    for bits in [640, 1024, 4096] {
        let public = RsaPublicKey::from_pem(spki_pem_of_bits(bits, 65537).as_bytes()).unwrap();
        assert_eq!(public.bits(), bits);
    }
    // Even, tiny and huge exponents.
    for e in [65536, 1, 1 << 40] {
        let pem = spki_pem_of_bits(1024, e);
        assert!(
            is_invalid_key(RsaPublicKey::from_pem(pem.as_bytes())),
            "e = {e}"
        );
    }
    for bits in [0, 639, 4097] {
        assert!(is_invalid_key(RsaKeyPair::generate(bits)));
    }
    assert_eq!(rsa::MIN_BITS, 640);
    assert_eq!(rsa::MAX_BITS, 4096);
}

#[test]
fn random_and_truncated_ciphertexts() {
    let v = rsa640();
    let pair = RsaKeyPair::from_pkcs8_pem(s(&v["privateKeyPem"]).as_bytes()).unwrap();
    let data = hx(&v["encryptedGroupKeyDataHex"]);
    let id = s(&v["groupKey"]["id"]);
    for len in [0, 1, data.len() - 1, data.len() + 1, 512] {
        assert!(is_decrypt(pair.unwrap_group_key(id, &vec![0x42; len])));
    }
    for i in 0..16u8 {
        let random: Vec<u8> = (0..data.len())
            .map(|j| (j as u8).wrapping_mul(151).wrapping_add(i.wrapping_mul(67)))
            .collect();
        assert!(is_decrypt(pair.unwrap_group_key(id, &random)));
    }
    let mut flipped = data.clone();
    flipped[40] ^= 0x80;
    assert!(is_decrypt(pair.unwrap_group_key(id, &flipped)));

    let m = mlkem_vector();
    let mlkem_pair = MlKemKeyPair::from_expanded_secret_key(&hx(&m["privateKeyHex"])).unwrap();
    let key = group_key(&m["groupKey"]);
    for len in [0, 1568, 1632, 1648, 1679, 1681] {
        assert!(is_decrypt(
            mlkem_pair.unwrap_group_key(key.id(), &vec![1; len])
        ));
    }
    // Right length, random bytes: ML-KEM rejects implicitly and CTR has no tag, so this is a
    // wrong key, not an error (spec §13). It must not be the real key, and must not panic.
    let garbage = mlkem_pair
        .unwrap_group_key(key.id(), &[0x5a; 1680])
        .unwrap();
    assert_ne!(garbage, key);
    let mut tampered = hx(&m["encryptedGroupKeyDataHex"]);
    tampered[10] ^= 1;
    assert_ne!(
        mlkem_pair.unwrap_group_key(key.id(), &tampered).unwrap(),
        key
    );
}

#[test]
fn bad_mlkem_keys() {
    let key = GroupKey::generate().unwrap();
    for pk in [vec![], vec![0; 1567], vec![0; 1569], vec![0xff; 1568]] {
        assert!(is_invalid_key(exchange::wrap_group_key(
            &key,
            AsymmetricEncryptionType::MlKem,
            &pk
        )));
    }
    let m = mlkem_vector();
    let secret = hx(&m["privateKeyHex"]);
    assert!(is_invalid_key(MlKemKeyPair::from_expanded_secret_key(
        &secret[1..]
    )));
    let mut wrong_hash = secret.clone();
    wrong_hash[3104] ^= 0xff;
    assert!(is_invalid_key(MlKemKeyPair::from_expanded_secret_key(
        &wrong_hash
    )));
    // An RSA PEM is not an ML-KEM key either.
    let pem = s(&rsa640()["publicKeyPem"]).to_string();
    assert!(is_invalid_key(exchange::wrap_group_key(
        &key,
        AsymmetricEncryptionType::MlKem,
        pem.as_bytes()
    )));
}

#[test]
fn ml_dsa_expanded_key_with_out_of_range_coefficients_is_an_error() {
    let v = vectors(MESSAGES)
        .into_iter()
        .find(|v| s(&v["publisher"]["signatureType"]) == "ML_DSA_87")
        .unwrap();
    let good = hx(&v["publisher"]["privateKeyHex"]);
    // Byte 128 holds coefficients 0, 1 and the low bits of 2 of s1; 0xff makes them 7.
    for at in [128, 700, 1567] {
        let mut bad = good.clone();
        bad[at] = 0xff;
        assert!(
            is_invalid_key(MlDsa87Signer::from_expanded_secret_key(&bad, None)),
            "{at}"
        );
    }
    assert!(is_invalid_key(MlDsa87Signer::from_expanded_secret_key(
        &[0xff; 4896],
        None
    )));
    assert!(is_invalid_key(MlDsa87Signer::from_expanded_secret_key(
        &good[..4895],
        None
    )));
    assert!(is_invalid_key(MlDsa87Signer::from_seed(&[0; 31])));
    // A wrong tr (= H(pk), stored not derived): in range, but its signatures would not verify.
    let mut bad_tr = good.clone();
    bad_tr[64] ^= 1;
    assert!(is_invalid_key(MlDsa87Signer::from_expanded_secret_key(
        &bad_tr, None
    )));
    // Changed t0 bytes: in range, so refused only when the probe signature notices (t0 feeds
    // the hints, which absorb small errors some of the time). Either way: a typed result, no
    // panic. A damaged t0 is not fully detectable without recomputing t = A·s1 + s2.
    for (at, flip) in [(1568, 0x01), (3000, 0x10), (4895, 0x80)] {
        let mut odd_t0 = good.clone();
        odd_t0[at] ^= flip;
        if let Err(e) = MlDsa87Signer::from_expanded_secret_key(&odd_t0, None) {
            assert!(matches!(e, Error::InvalidKey(_)));
        }
    }
}

#[test]
fn errors_never_quote_keys() {
    let v = rsa640();
    let private = s(&v["privateKeyPem"]).to_string();
    let mut errors = vec![
        RsaPublicKey::from_pem(private.as_bytes()).unwrap_err(),
        RsaKeyPair::from_pkcs8_pem(private.replacen("MI", "IM", 1).as_bytes()).unwrap_err(),
        RsaKeyPair::from_pkcs8_pem(private.trim_end().as_bytes()).unwrap_err(),
    ];
    let ml = vectors(MESSAGES)
        .into_iter()
        .find(|v| s(&v["publisher"]["signatureType"]) == "ML_DSA_87")
        .unwrap();
    let mut bad = hx(&ml["publisher"]["privateKeyHex"]);
    bad[200] = 0xff;
    errors.push(MlDsa87Signer::from_expanded_secret_key(&bad, None).unwrap_err());
    let body_line = private.lines().nth(1).unwrap();
    for e in errors {
        let text = format!("{e} {e:?}");
        assert!(!text.contains(&body_line[..16]), "{text}");
        assert!(!text.contains(&hex::encode(&bad[128..136])), "{text}");
        assert!(text.len() < 200, "{text}");
    }
}
