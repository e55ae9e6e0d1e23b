//! Secret hygiene: `Debug` of every type holding a secret is redacted, key material is
//! zeroized on drop (checked at compile time through `ZeroizeOnDrop` bounds on the types that
//! hold it), secrets never appear in error messages or events, secret compares are constant
//! time, and the core and the relay deny `unwrap`/`expect`/`panic!`/indexing outside tests.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::indexing_slicing
)]

// Only the in-memory network of the shared suite: `mod suite;` would also register its tests here.
#[path = "suite/net.rs"]
#[allow(dead_code)]
mod net;

use streamr_e2ee::cipher::GroupKey;
use streamr_e2ee::exchange::{
    ExternalRsaKeyPair, KeyExchangeKeyPair, MlKemKeyPair, RsaKeyPair, wrap_group_key,
};
use streamr_e2ee::host::{Answer, Event, Output};
use streamr_e2ee::identity::Signing;
use streamr_e2ee::identity::evm::EvmSigner;
use streamr_e2ee::identity::ml_dsa87::MlDsa87Signer;
use streamr_e2ee::identity::secp256r1::P256Signer;
use streamr_e2ee::wire::AsymmetricEncryptionType;
use streamr_e2ee::{Error, UserId};
use zeroize::{ZeroizeOnDrop, Zeroizing};

/// Every rendering of `secret` that could leak it: hex (both cases), base64, and Rust's
/// `{:?}` of the bytes, each at least 8 bytes long.
fn renderings(secret: &[u8]) -> Vec<String> {
    let part = &secret[..secret.len().min(12)];
    let dbg = format!("{part:?}");
    vec![
        hex::encode(part),
        hex::encode_upper(part),
        base64(part)[..12].to_owned(),
        dbg[..dbg.len() - 1].to_owned(),
    ]
}

/// Standard base64 (no dependency for one test helper).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn assert_hidden(text: &str, secret: &[u8], what: &str) {
    for r in renderings(secret) {
        assert!(!text.contains(&r), "{what} shows the secret ({r}): {text}");
    }
}

const SECRET: [u8; 32] = [
    0x4c, 0x0b, 0x3a, 0x91, 0xd2, 0x7e, 0x55, 0x19, 0xa8, 0x6f, 0x02, 0xe3, 0x37, 0xc4, 0x80, 0x1d,
    0x9b, 0x66, 0x2f, 0xf0, 0x13, 0x48, 0xbe, 0x71, 0x0c, 0xd5, 0x3e, 0x87, 0x5a, 0xa1, 0x24, 0x6b,
];

#[test]
fn debug_of_every_secret_type_is_redacted() {
    let gk = GroupKey::new("kid", &SECRET).unwrap();
    assert_hidden(&format!("{gk:?}"), &SECRET, "GroupKey");
    assert_hidden(&format!("{gk:#?}"), &SECRET, "GroupKey");
    let store = Output::StoreKey {
        publisher: UserId::from_bytes(&[1; 20]).unwrap(),
        key: gk.clone(),
        stream_id: "s".into(),
        latest: false,
        replace: false,
    };
    assert_hidden(&format!("{store:?}"), &SECRET, "Output::StoreKey");
    assert_hidden(
        &format!("{:?}", Answer::StoredKey(Some(SECRET.to_vec()))),
        &SECRET,
        "Answer::StoredKey",
    );
    assert_hidden(
        &format!("{:?}", Answer::GroupKeyBytes(SECRET.to_vec())),
        &SECRET,
        "Answer",
    );

    let evm = EvmSigner::from_private_key(&SECRET).unwrap();
    assert_hidden(&format!("{evm:?}"), &SECRET, "EvmSigner");
    let signing = Signing::Local(Box::new(EvmSigner::from_private_key(&SECRET).unwrap()));
    assert_hidden(&format!("{signing:?}"), &SECRET, "Signing");
    let p256 = P256Signer::from_private_key(&SECRET).unwrap();
    assert_hidden(&format!("{p256:?}"), &SECRET, "P256Signer");
    let dsa = MlDsa87Signer::from_seed(&SECRET).unwrap();
    assert_hidden(&format!("{dsa:?}"), &SECRET, "MlDsa87Signer");
    let expanded = dsa.to_expanded_secret_key();
    // The expanded key starts with public material (rho); check its secret part (K, tr, s1).
    assert_hidden(&format!("{dsa:?}"), &expanded[32..], "MlDsa87Signer");

    let kem = MlKemKeyPair::generate().unwrap();
    let kem_secret = kem.to_expanded_secret_key();
    assert_hidden(&format!("{kem:?}"), &kem_secret[..32], "MlKemKeyPair");

    let rsa = RsaKeyPair::generate(1024).unwrap();
    let pem = rsa.to_pkcs8_pem().unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let dbg = format!("{rsa:?}");
    assert!(
        !dbg.contains(&body[40..80]),
        "RsaKeyPair shows its PEM: {dbg}"
    );
    let external = ExternalRsaKeyPair::new(rsa.public_key_bytes(), |_: &[u8]| {
        Ok(Zeroizing::new(SECRET.to_vec()))
    })
    .unwrap();
    let _ = format!("{external:?}");
    let wrapped = rsa.public_key().wrap_group_key(&gk).unwrap();
    let pending = rsa.public_key().begin_unwrap("kid", &wrapped).unwrap();
    assert_hidden(&format!("{pending:?}"), &SECRET, "PendingUnwrap");
}

/// `ZeroizeOnDrop` on every type that holds key material, so a change of dependency feature
/// (e.g. dropping `ml-kem`'s `zeroize`) breaks the build of this test. Memory after drop is
/// not inspected: reading freed memory is undefined behaviour.
#[test]
fn key_material_is_zeroized_on_drop() {
    fn zeroized_on_drop<T: ZeroizeOnDrop + ?Sized>() {}
    zeroized_on_drop::<GroupKey>(); // GroupKey's key bytes
    zeroized_on_drop::<k256::ecdsa::SigningKey>(); // EvmSigner
    zeroized_on_drop::<p256::ecdsa::SigningKey>(); // P256Signer
    zeroized_on_drop::<ml_dsa::ExpandedSigningKey<ml_dsa::MlDsa87>>(); // MlDsa87Signer
    zeroized_on_drop::<ml_kem::DecapsulationKey<ml_kem::MlKem1024>>(); // MlKemKeyPair
    zeroized_on_drop::<rsa::PrivateKey>(); // RsaKeyPair
    zeroized_on_drop::<Zeroizing<Vec<u8>>>(); // exported secrets, unwrapped plaintexts
    // Exports come back in `Zeroizing` wrappers (a type error if that changes).
    let _: Zeroizing<Vec<u8>> = MlKemKeyPair::generate().unwrap().to_expanded_secret_key();
    let _: Zeroizing<Vec<u8>> = MlDsa87Signer::from_seed(&SECRET)
        .unwrap()
        .to_expanded_secret_key();
    let _: Zeroizing<String> = RsaKeyPair::generate(1024).unwrap().to_pkcs8_pem().unwrap();
}

fn error_text(e: &Error) -> String {
    format!("{e} {e:?}")
}

/// Keys fed into failing paths: the errors say what is wrong, never what the key was.
#[test]
fn no_secret_in_errors() {
    // Wrong lengths and out-of-range keys.
    let long = [SECRET.as_slice(), &SECRET].concat();
    for e in [
        GroupKey::new("kid", &SECRET[..31]).unwrap_err(),
        GroupKey::new("kid", &long).unwrap_err(),
        EvmSigner::from_private_key(&long).unwrap_err(),
        EvmSigner::from_private_key(&[0xff; 32]).unwrap_err(),
        P256Signer::from_private_key(&[0xff; 32]).unwrap_err(),
        P256Signer::from_private_key(&SECRET[..31]).unwrap_err(),
        MlDsa87Signer::from_seed(&long).unwrap_err(),
    ] {
        assert_hidden(&error_text(&e), &SECRET, "error");
        assert_hidden(&error_text(&e), &[0xff; 12], "error");
    }
    // Expanded secret keys, truncated or corrupted.
    let kem = MlKemKeyPair::generate().unwrap().to_expanded_secret_key();
    let e = MlKemKeyPair::from_expanded_secret_key(&kem[..kem.len() - 1]).unwrap_err();
    assert_hidden(&error_text(&e), &kem[..32], "ML-KEM import error");
    let mut corrupt = kem.to_vec();
    corrupt[kem.len() - 40] ^= 1; // the embedded public-key hash
    if let Err(e) = MlKemKeyPair::from_expanded_secret_key(&corrupt) {
        assert_hidden(&error_text(&e), &kem[..32], "ML-KEM import error");
    }
    let dsa = MlDsa87Signer::from_seed(&SECRET)
        .unwrap()
        .to_expanded_secret_key();
    let e = MlDsa87Signer::from_expanded_secret_key(&dsa[..dsa.len() - 1], None).unwrap_err();
    assert_hidden(&error_text(&e), &dsa[32..], "ML-DSA import error");
    // A PKCS#8 PEM with one character changed: the message never quotes the input.
    let rsa = RsaKeyPair::generate(1024).unwrap();
    let pem = rsa.to_pkcs8_pem().unwrap();
    let mut bad = pem.as_bytes().to_vec();
    bad[100] = if bad[100] == b'A' { b'B' } else { b'A' };
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    if let Err(e) = RsaKeyPair::from_pkcs8_pem(&bad) {
        let text = error_text(&e);
        assert!(!text.contains(&body[30..60]), "PEM quoted: {text}");
    }
    let e = RsaKeyPair::from_pkcs8_pem(&pem.as_bytes()[..pem.len() / 2]).unwrap_err();
    assert!(!error_text(&e).contains(&body[30..60]));
    // Decryption with the wrong key: one opaque message.
    let gk = GroupKey::new("kid", &SECRET).unwrap();
    let other = GroupKey::new("kid", &[7; 32]).unwrap();
    let next = other.encrypt_next(&gk).unwrap();
    let mut tampered = next.clone();
    tampered.data.pop();
    let e = other.decrypt_next(&tampered).unwrap_err();
    assert_eq!(e.to_string(), "decryption failed");
    let kex = MlKemKeyPair::generate().unwrap();
    let wrapped = wrap_group_key(&gk, AsymmetricEncryptionType::MlKem, kex.public_key()).unwrap();
    let e = kex.unwrap_group_key("k", &wrapped[..100]).unwrap_err();
    assert_eq!(e.to_string(), "decryption failed");
    let e = rsa.unwrap_group_key("k", &[1; 128]).unwrap_err();
    assert_eq!(e.to_string(), "decryption failed");
    // A key unwrapped to a bad id: the error names the id rule, not the key.
    let e = kex
        .unwrap_group_key(&"x".repeat(300), &wrapped)
        .unwrap_err();
    assert_hidden(&error_text(&e), &SECRET, "unwrap error");
}

/// Events from a full exchange (including failures) never carry key bytes.
#[test]
fn no_secret_in_events() {
    use net::{Kex, Net, STREAM};
    let mut net = Net::default();
    let p = net.add_publisher(streamr_e2ee::publisher::PublisherConfig::new(STREAM));
    let s = net.add_subscriber(Kex::Rsa);
    let denied = net.add_subscriber(Kex::MlKem);
    let id = net.nodes[denied].id.clone();
    net.subscribers_allowed.remove(&id);
    net.publish(p, "\"x\"");
    net.nodes[p].publisher().rotate(None).unwrap();
    net.publish(p, "\"y\"");
    net.nodes[p].publisher().rekey(None).unwrap();
    net.publish(p, "\"z\"");
    net.inject(p, vec![0x0a, 0xff, 0x01]);
    net.advance(31_000);
    assert_eq!(net.nodes[s].texts().len(), 3);
    let keys: Vec<GroupKey> = {
        let publisher = net.nodes[p].publisher();
        vec![publisher.current_key().unwrap().clone()]
    };
    for node in &net.nodes {
        for e in &node.events {
            let text = match e {
                Event::Error { message, .. } | Event::KeyRequestDenied { message, .. } => {
                    message.clone()
                }
                other => format!("{other:?}"),
            };
            for k in &keys {
                assert_hidden(&text, k.expose_secret(), "event");
            }
        }
    }
    assert!(
        !net.nodes[denied].error_codes().is_empty(),
        "failures happened"
    );
}

/// Secret compares go through `subtle` (constant time): group keys, and the ML-DSA public key
/// check on import; and the compare itself behaves.
#[test]
fn secret_compares_are_constant_time() {
    let a = GroupKey::new("kid", &SECRET).unwrap();
    let mut flipped = SECRET;
    flipped[31] ^= 1;
    assert_eq!(a, GroupKey::new("kid", &SECRET).unwrap());
    assert_ne!(a, GroupKey::new("kid", &flipped).unwrap());
    assert_ne!(a, GroupKey::new("kid2", &SECRET).unwrap());
    let sources = [
        (
            "src/cipher/group_key.rs",
            include_str!("../src/cipher/group_key.rs"),
        ),
        (
            "src/identity/ml_dsa87.rs",
            include_str!("../src/identity/ml_dsa87.rs"),
        ),
        (
            "src/identity/evm.rs",
            include_str!("../src/identity/evm.rs"),
        ),
    ];
    for (file, text) in sources {
        assert!(
            text.contains("ConstantTimeEq") && text.contains("ct_eq("),
            "{file} compares without subtle"
        );
    }
    // No derived (short-circuiting) PartialEq on the key type.
    let group_key = sources[0].1;
    let decl = group_key.find("pub struct GroupKey").unwrap();
    assert!(
        !group_key[..decl]
            .rsplit("///")
            .next()
            .unwrap()
            .contains("PartialEq")
    );
}

/// The core and the relay deny unwrap, expect, panic! and unchecked indexing outside tests.
#[test]
fn panicking_constructs_are_denied_by_lints() {
    for (name, manifest) in [
        ("core", include_str!("../Cargo.toml")),
        ("relay", include_str!("../relay/Cargo.toml")),
    ] {
        let lints = manifest
            .split("[lints.clippy]")
            .nth(1)
            .unwrap_or_else(|| panic!("{name}: no [lints.clippy]"));
        for lint in ["unwrap_used", "expect_used", "panic", "indexing_slicing"] {
            assert!(
                lints.contains(&format!("{lint} = \"deny\"")),
                "{name}: {lint} is not denied"
            );
        }
    }
    // Only tests opt out (`cfg_attr(test, allow(...))`), never the library as a whole.
    for (name, lib) in [
        ("core", include_str!("../src/lib.rs")),
        ("relay", include_str!("../relay/src/lib.rs")),
    ] {
        for line in lib
            .lines()
            .filter(|l| l.trim_start().starts_with("#![allow"))
        {
            assert!(
                !line.contains("unwrap") && !line.contains("panic") && !line.contains("indexing"),
                "{name}: {line}"
            );
        }
    }
}
