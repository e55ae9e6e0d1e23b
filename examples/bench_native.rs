//! The native half of `npm run bench` (benches/run.mjs): our primitives compiled for this
//! machine, timed like the browser cases (calibrated batches, median and spread over samples)
//! and printed as one JSON line for the runner. `--quick`: few, short samples.
//! `cargo run --release --example bench_native [-- --quick]`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::hint::black_box;
use std::time::Instant;

use streamr_e2ee::GroupKey;
use streamr_e2ee::cipher::aes_ctr;
use streamr_e2ee::exchange::{self, KeyExchangeKeyPair, MlKemKeyPair, RsaKeyPair};
use streamr_e2ee::identity::evm::{self, EvmSigner};
use streamr_e2ee::identity::ml_dsa87::{self, MlDsa87Signer};
use streamr_e2ee::identity::secp256r1::{self, P256Signer};
use streamr_e2ee::wire::AsymmetricEncryptionType;

struct Bench {
    sample_ms: f64,
    samples: usize,
    slow_samples: usize,
    out: Vec<String>,
}

fn summary(mut per_op: Vec<f64>, iters: u64) -> String {
    per_op.sort_by(f64::total_cmp);
    let n = per_op.len();
    let q = |p: f64| per_op[((p * (n - 1) as f64) + 0.5).floor() as usize];
    format!(
        r#""medianMs":{},"minMs":{},"maxMs":{},"p25Ms":{},"p75Ms":{},"iters":{},"samples":{}"#,
        q(0.5),
        per_op[0],
        per_op[n - 1],
        q(0.25),
        q(0.75),
        iters,
        n
    )
}

impl Bench {
    fn record(&mut self, group: &str, name: &str, bytes: Option<usize>, stats: String) {
        let bytes = bytes
            .map(|b| format!(r#","bytes":{b}"#))
            .unwrap_or_default();
        self.out.push(format!(
            r#"{{"group":"{group}","name":"{name}","impl":"ours (native)"{bytes},{stats}}}"#
        ));
    }

    /// Calibrated batches of `f`, `samples` times; per-operation milliseconds.
    fn measure<T>(
        &mut self,
        group: &str,
        name: &str,
        bytes: Option<usize>,
        mut f: impl FnMut() -> T,
    ) {
        let mut batch = |n: u64| {
            let t0 = Instant::now();
            for _ in 0..n {
                black_box(f());
            }
            t0.elapsed().as_secs_f64() * 1000.0
        };
        let mut iters = 1u64;
        let mut dt = batch(1);
        while dt < self.sample_ms / 4.0 && iters < 1_000_000 {
            iters *= 4;
            dt = batch(iters);
        }
        iters = ((iters as f64 * self.sample_ms / dt.max(1e-6)).round() as u64).max(1);
        let per_op = (0..self.samples)
            .map(|_| batch(iters) / iters as f64)
            .collect();
        let stats = summary(per_op, iters);
        self.record(group, name, bytes, stats);
    }

    /// One call per sample, for slow operations.
    fn measure_slow<T>(&mut self, group: &str, name: &str, mut f: impl FnMut() -> T) {
        let per_op = (0..self.slow_samples)
            .map(|_| {
                let t0 = Instant::now();
                black_box(f());
                t0.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        let stats = summary(per_op, 1);
        self.record(group, name, None, stats);
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let mut b = Bench {
        sample_ms: if quick { 5.0 } else { 60.0 },
        samples: if quick { 3 } else { 11 },
        slow_samples: if quick { 1 } else { 5 },
        out: Vec::new(),
    };
    let random = |n: usize| {
        let mut v = vec![0u8; n];
        getrandom::fill(&mut v).unwrap();
        v
    };

    let key: [u8; 32] = random(32).try_into().unwrap();
    for (size, label) in [
        (64, "64 B"),
        (1024, "1 KiB"),
        (16384, "16 KiB"),
        (1 << 20, "1 MiB"),
    ] {
        let data = random(size);
        let ct = aes_ctr::encrypt(&key, &data).unwrap();
        b.measure(
            "aes",
            &format!("AES-256-CTR encrypt {label}"),
            Some(size),
            || aes_ctr::encrypt(&key, &data).unwrap(),
        );
        b.measure(
            "aes",
            &format!("AES-256-CTR decrypt {label}"),
            Some(size),
            || aes_ctr::decrypt(&key, &ct).unwrap(),
        );
    }

    // The signature payload of a 1 KiB content message is about 1.1 KB.
    let payload = random(1100);
    let signer = EvmSigner::generate().unwrap();
    let sig = signer.sign(&payload).unwrap();
    assert_eq!(
        evm::recover_address(&payload, &sig).unwrap(),
        signer.address()
    );
    b.measure("sig", "secp256k1 EVM sign (1 KiB message)", None, || {
        signer.sign(&payload).unwrap()
    });
    b.measure("sig", "secp256k1 EVM verify (recover)", None, || {
        evm::recover_address(&payload, &sig).unwrap()
    });
    let p256 = P256Signer::generate().unwrap();
    let sig = p256.sign(&payload).unwrap();
    b.measure("sig", "P-256 verify (1 KiB message)", None, || {
        secp256r1::verify(p256.public_key(), &payload, &sig).unwrap()
    });
    let dsa = MlDsa87Signer::generate().unwrap();
    let sig = dsa.sign(&payload).unwrap();
    b.measure("sig", "ML-DSA-87 verify (1 KiB message)", None, || {
        ml_dsa87::verify(dsa.public_key(), &payload, &sig).unwrap()
    });

    let gk = GroupKey::generate().unwrap();
    b.measure("kem", "ML-KEM-1024 keygen", None, || {
        MlKemKeyPair::generate().unwrap()
    });
    let kp = MlKemKeyPair::generate().unwrap();
    b.measure("kem", "ML-KEM-1024 encapsulate", None, || {
        exchange::wrap_group_key(&gk, AsymmetricEncryptionType::MlKem, kp.public_key()).unwrap()
    });
    let wrapped =
        exchange::wrap_group_key(&gk, AsymmetricEncryptionType::MlKem, kp.public_key()).unwrap();
    b.measure("kem", "ML-KEM-1024 decapsulate", None, || {
        kp.unwrap_group_key(gk.id(), &wrapped).unwrap()
    });
    // As in the browser run: 2048-bit keys in the quick run.
    let bits = if quick { 2048 } else { 4096 };
    b.measure_slow("kem", &format!("RSA-{bits} keygen"), || {
        RsaKeyPair::generate(bits).unwrap()
    });
    let rsa = RsaKeyPair::generate(bits).unwrap();
    let wrapped =
        exchange::wrap_group_key(&gk, AsymmetricEncryptionType::Rsa, rsa.public_key_bytes())
            .unwrap();
    b.measure("kem", &format!("RSA-{bits} OAEP decrypt"), None, || {
        rsa.unwrap_group_key(gk.id(), &wrapped).unwrap()
    });

    let profile = if cfg!(debug_assertions) {
        "dev"
    } else {
        "release"
    };
    println!(
        r#"{{"profile":"{profile}","results":[{}]}}"#,
        b.out.join(",")
    );
}
