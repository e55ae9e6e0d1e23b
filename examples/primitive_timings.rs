//! Rough per-operation timings of the key-exchange and signature primitives, natively:
//! `cargo run --release --example primitive_timings`. A report, not a test (the side-by-side
//! benchmarks against WebCrypto and the SDK live in the benchmark command).

#![allow(clippy::unwrap_used)]

use std::time::Instant;

use streamr_e2ee::cipher::GroupKey;
use streamr_e2ee::exchange::{self, KeyExchangeKeyPair, MlKemKeyPair, RsaKeyPair};
use streamr_e2ee::identity::ml_dsa87::{self, MlDsa87Signer};
use streamr_e2ee::identity::secp256r1::P256Signer;
use streamr_e2ee::wire::AsymmetricEncryptionType;

fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) -> T {
    let start = Instant::now();
    let mut out = None;
    for _ in 0..runs {
        out = Some(f());
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
    println!("{label:<28} {ms:>10.2} ms  (mean of {runs})");
    out.unwrap()
}

fn main() {
    let key = GroupKey::generate().unwrap();
    let rsa = time("RSA-4096 keygen", 5, || RsaKeyPair::generate(4096).unwrap());
    let pem = rsa.public_key_bytes().to_vec();
    let wrapped = time("RSA-4096 wrap (parse+OAEP)", 20, || {
        exchange::wrap_group_key(&key, AsymmetricEncryptionType::Rsa, &pem).unwrap()
    });
    time("RSA-4096 unwrap", 20, || {
        rsa.unwrap_group_key(key.id(), &wrapped).unwrap()
    });
    let private = rsa.to_pkcs8_pem().unwrap();
    time("RSA-4096 PKCS#8 import", 20, || {
        RsaKeyPair::from_pkcs8_pem(private.as_bytes()).unwrap()
    });
    time("RSA-640 keygen", 20, || RsaKeyPair::generate(640).unwrap());

    let ml = time("ML-KEM-1024 keygen", 50, || {
        MlKemKeyPair::generate().unwrap()
    });
    let wrapped = time("ML-KEM-1024 wrap", 50, || {
        exchange::wrap_group_key(&key, AsymmetricEncryptionType::MlKem, ml.public_key()).unwrap()
    });
    time("ML-KEM-1024 unwrap", 50, || {
        ml.unwrap_group_key(key.id(), &wrapped).unwrap()
    });
    let expanded = ml.to_expanded_secret_key();
    time("ML-KEM-1024 expanded import", 50, || {
        MlKemKeyPair::from_expanded_secret_key(&expanded).unwrap()
    });

    let dsa = MlDsa87Signer::generate().unwrap();
    let dsa_secret = dsa.to_expanded_secret_key();
    time("ML-DSA-87 expanded import", 20, || {
        MlDsa87Signer::from_expanded_secret_key(&dsa_secret, Some(dsa.public_key())).unwrap()
    });
    let sig = time("ML-DSA-87 sign (1 KB)", 20, || {
        dsa.sign(&[7; 1024]).unwrap()
    });
    time("ML-DSA-87 verify (1 KB)", 20, || {
        ml_dsa87::verify(dsa.public_key(), &[7; 1024], &sig).unwrap()
    });
    let p256 = P256Signer::generate().unwrap();
    time("P-256 sign (1 KB)", 50, || p256.sign(&[7; 1024]).unwrap());
}
