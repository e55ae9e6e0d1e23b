//! The native half of `npm run bench` (benches/run.mjs): our primitives compiled for this
//! machine, timed like the browser cases (calibrated batches, median and spread over samples)
//! and printed as one JSON line for the runner. `--quick`: few, short samples.
//! `cargo run --release --example bench_native [-- --quick]`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::hint::black_box;
use std::time::Instant;

use streamr_e2ee::GroupKey;
use streamr_e2ee::StreamMessage;
use streamr_e2ee::cipher::aes_ctr;
use streamr_e2ee::exchange::{self, KeyExchangeKeyPair, MlKemKeyPair, RsaKeyPair};
use streamr_e2ee::host::{Answer, Output, Question, QuestionId};
use streamr_e2ee::identity::Signing;
use streamr_e2ee::identity::evm::{self, EvmSigner};
use streamr_e2ee::identity::ml_dsa87::{self, MlDsa87Signer};
use streamr_e2ee::identity::secp256r1::{self, P256Signer};
use streamr_e2ee::publisher::{Publisher, PublisherConfig};
use streamr_e2ee::subscriber::{KeyExchange, Subscriber, SubscriberConfig};
use streamr_e2ee::wire::{AsymmetricEncryptionType, ContentType};

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
    // --breakdown-only: the issue #20 breakdown alone (a quick look at it during the work).
    if std::env::args().any(|a| a == "--breakdown-only") {
        breakdown(&mut b);
        println!(r#"{{"profile":"-","results":[{}]}}"#, b.out.join(","));
        return;
    }
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

    breakdown(&mut b);

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

/// Drains `m`, granting permissions and answering key-store questions with "no key" (as the
/// browser benchmark's `pump`); returns the outputs that are not questions.
fn pump(
    poll: &mut dyn FnMut() -> Option<Output>,
    answer: &mut dyn FnMut(QuestionId, Answer),
) -> Vec<Output> {
    let mut out = Vec::new();
    while let Some(o) = poll() {
        match o {
            Output::Ask { id, question } => match question {
                Question::Permission { .. } => answer(id, Answer::Permission(true)),
                Question::LoadKey { .. } => answer(id, Answer::StoredKey(None)),
                q => panic!("unexpected question {q:?}"),
            },
            o => out.push(o),
        }
    }
    out
}

/// Issue #20: one 1 KiB content message through the subscriber, part by part, natively (the
/// browser half is benches/browser/perf20.mjs; the report sets them side by side).
fn breakdown(b: &mut Bench) {
    const T0: u64 = 1_800_000_000_000;
    const STREAM: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/bench";
    let n = 1001;
    let signer = EvmSigner::generate().unwrap();
    let publisher_id = signer.user_id();
    let mut publisher = Publisher::new(
        PublisherConfig::new(STREAM),
        Signing::Local(Box::new(signer)),
    )
    .unwrap();
    let mut content = vec![0u8; 1024];
    getrandom::fill(&mut content).unwrap();
    let mut sent = Vec::new();
    let mut key = None;
    for i in 0..n {
        let now = T0 + i as u64;
        publisher
            .publish(content.clone(), ContentType::Binary, now)
            .unwrap();
        let pubr = std::cell::RefCell::new(&mut publisher);
        let outs = pump(&mut || pubr.borrow_mut().poll_output(), &mut |id, a| {
            pubr.borrow_mut().answer(id, a, now).unwrap()
        });
        for o in outs {
            match o {
                Output::Send { bytes, .. } => sent.push(bytes),
                Output::StoreKey { key: k, .. } => key = Some(k),
                _ => {}
            }
        }
    }
    let key = key.unwrap();
    let bytes = &sent[1];
    let msg = StreamMessage::from_bytes(bytes).unwrap();
    let payload = msg.signature_payload();
    let digest = evm::eip191_hash(&payload);
    let sig = msg.signature.clone();
    let (rs, v) = sig.split_at(64);
    let rsig = k256::ecdsa::Signature::from_slice(rs).unwrap();
    let recid = k256::ecdsa::RecoveryId::from_byte(v[0] - 27).unwrap();
    let ct = msg.content().unwrap().content.clone();
    let aes_key: [u8; 32] = *key.expose_secret();
    assert_eq!(aes_ctr::decrypt(&aes_key, &ct).unwrap(), content);

    let g = "perf20";
    b.measure(g, BD_DECODE, None, || {
        StreamMessage::from_bytes(bytes).unwrap()
    });
    b.measure(g, BD_PAYLOAD, None, || msg.signature_payload());
    b.measure(g, BD_KECCAK, None, || evm::eip191_hash(&payload));
    b.measure(g, BD_RECOVER, None, || {
        let k = k256::ecdsa::VerifyingKey::recover_from_prehash(&digest, &rsig, recid).unwrap();
        evm::address_of(&k)
    });
    b.measure(g, BD_AES, None, || aes_ctr::decrypt(&aes_key, &ct).unwrap());
    b.measure(g, LEVER_RECOVER, None, || {
        evm::recover_address(&payload, &sig).unwrap()
    });

    // The whole pipeline: a fresh subscriber per sample (chain state, replay memory), the first
    // message (the permission question) outside the timing.
    let samples = b.samples;
    let mut per_op = Vec::new();
    let mut iters = 0;
    for _ in 0..samples {
        let mut sub = Subscriber::new(
            SubscriberConfig::new(STREAM),
            Signing::Local(Box::new(EvmSigner::generate().unwrap())),
            KeyExchange::Internal(Box::new(MlKemKeyPair::generate().unwrap())),
            T0,
        )
        .unwrap();
        sub.add_key(publisher_id.clone(), key.clone(), T0);
        let mut delivered = 0;
        let mut feed = |sub: &mut Subscriber, i: usize| {
            let now = T0 + i as u64;
            sub.handle_message(&sent[i], now);
            let subr = std::cell::RefCell::new(sub);
            let outs = pump(&mut || subr.borrow_mut().poll_output(), &mut |id, a| {
                subr.borrow_mut().answer(id, a, now).unwrap()
            });
            delivered += outs
                .iter()
                .filter(|o| matches!(o, Output::Deliver(_)))
                .count();
        };
        feed(&mut sub, 0);
        let t0 = Instant::now();
        for i in 1..n {
            feed(&mut sub, i);
        }
        per_op.push(t0.elapsed().as_secs_f64() * 1000.0 / (n - 1) as f64);
        assert_eq!(delivered, n);
        iters = n - 1;
    }
    b.record(g, BD_WHOLE, None, summary(per_op, iters as u64));
}

// The breakdown's case names: the browser rows (benches/browser/perf20.mjs) use the same ones.
const BD_DECODE: &str = "Breakdown: decode (protobuf to StreamMessage)";
const BD_PAYLOAD: &str = "Breakdown: signature payload building";
const BD_KECCAK: &str = "Breakdown: EIP-191 keccak of the payload";
const BD_RECOVER: &str = "Breakdown: secp256k1 recovery + address keccak";
const BD_AES: &str = "Breakdown: AES-256-CTR decrypt 1 KiB";
const BD_WHOLE: &str = "Breakdown: whole handleMessage + pollOutputs";
const LEVER_RECOVER: &str = "Lever: secp256k1 EVM recovery (keccak + recover + address)";
