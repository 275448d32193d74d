//! Signing and verification cost beside two baselines measured in the same run: one raw
//! HMAC-SHA256 over the same body bytes keyed per call (as hand-written code does), and the same
//! from a state keyed once (`baseline_hmac_prekeyed`).
//!
//! Run: `cargo bench --bench signing`, then `python3 benches/report.py` for medians and ratios.

// Test code: a failed unwrap or panic is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use persona::{RequestSigner, RequestVerifier, WebhookVerifier, sign_webhook};
use sha2::Sha256;

const SECRET: &str = "bench-secret-0123456789";
const URL: &str =
    "https://api.withpersona.com/api/v1/inquiries?page%5Bsize%5D=10&filter%5Bstatus%5D=completed";
const NOW: i64 = 1_700_000_000;
const SIZES: [(usize, &str); 3] = [(64, "64B"), (1024, "1KiB"), (64 * 1024, "64KiB")];

fn raw_hmac(body: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// The same MAC from a state keyed once (what a careful hand-written verifier keeps around).
fn prekeyed_hmac(keyed: &Hmac<Sha256>, body: &[u8]) -> [u8; 32] {
    keyed
        .clone()
        .chain_update(body)
        .finalize()
        .into_bytes()
        .into()
}

fn body(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn request_signing(c: &mut Criterion) {
    let signer = RequestSigner::new("kid_bench", SECRET).unwrap();
    let verifier = RequestVerifier::builder()
        .key("kid_bench", SECRET)
        .build()
        .unwrap();
    for (len, label) in SIZES {
        let body = body(len);
        let mut group = c.benchmark_group(format!("v1/{label}"));
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function(BenchmarkId::new("baseline_hmac", label), |b| {
            b.iter(|| raw_hmac(black_box(&body)))
        });
        let keyed = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        group.bench_function(BenchmarkId::new("baseline_hmac_prekeyed", label), |b| {
            b.iter(|| prekeyed_hmac(&keyed, black_box(&body)))
        });
        group.bench_function(BenchmarkId::new("sign", label), |b| {
            b.iter(|| {
                signer
                    .sign_with(
                        "POST",
                        black_box(URL),
                        black_box(&body),
                        Some(NOW),
                        Some("0123456789abcdef0123456789abcdef"),
                    )
                    .unwrap()
            })
        });
        let signed = signer
            .sign_with(
                "POST",
                URL,
                &body,
                Some(NOW),
                Some("0123456789abcdef0123456789abcdef"),
            )
            .unwrap();
        let headers: Vec<(&str, &str)> = signed.headers().iter().map(|(n, v)| (*n, *v)).collect();
        group.bench_function(BenchmarkId::new("verify", label), |b| {
            b.iter(|| {
                verifier
                    .verify_at(
                        "POST",
                        black_box(URL),
                        headers.iter().copied(),
                        black_box(&body),
                        NOW,
                    )
                    .unwrap()
            })
        });
        // As users call it: a fresh nonce from the CSPRNG and the clock, on every signature.
        group.bench_function(BenchmarkId::new("sign_random_nonce_now", label), |b| {
            b.iter(|| {
                signer
                    .sign("POST", black_box(URL), black_box(&body))
                    .unwrap()
            })
        });
        group.finish();
    }
}

fn webhook(c: &mut Criterion) {
    let body = body(1024);
    let header = sign_webhook(SECRET, &body, NOW).unwrap();
    let verifier = WebhookVerifier::new([SECRET]).unwrap();
    let mut group = c.benchmark_group("webhook/1KiB");
    group.throughput(Throughput::Bytes(1024));
    group.bench_function("baseline_hmac", |b| b.iter(|| raw_hmac(black_box(&body))));
    group.bench_function("verify", |b| {
        b.iter(|| {
            verifier
                .verify_at(black_box(&header), black_box(&body), NOW)
                .unwrap()
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(60).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = request_signing, webhook
}
criterion_main!(benches);
