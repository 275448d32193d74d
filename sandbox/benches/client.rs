//! Client throughput against the sandbox over loopback, beside a baseline in the same run: a bare
//! reqwest client sending the same GETs with a bearer header, no signing, no retries.
//!
//! Run: `cargo bench -p persona-sandbox --bench client` (prints a Markdown table; ~20 s).

// Bench code: a failed unwrap is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

#[path = "../tests/support/mod.rs"]
mod support;
use support::loopback_http;

use std::sync::Arc;
use std::time::{Duration, Instant};

use persona::client::{Call, Client};
use persona::{ApiKey, Credentials, KeyPair, Secret};
use persona_sandbox::{self as sandbox, SandboxConfig};
use serde_json::json;

const API_KEY: &str = "persona_sandbox_bench";
const KEY_ID: &str = "kid_bench";
const SECRET: &str = "bench-secret";
const REQUESTS: usize = 4000;

struct Result {
    label: String,
    concurrency: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

async fn measure<F, Fut>(label: &str, concurrency: usize, call: F) -> Result
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let call = Arc::new(call);
    // Warm-up: connections, caches.
    for _ in 0..200 {
        call().await;
    }
    let started = Instant::now();
    let per_task = REQUESTS / concurrency;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let call = Arc::clone(&call);
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let t = Instant::now();
                    call().await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(REQUESTS);
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Result {
        label: label.to_owned(),
        concurrency,
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: latencies[latencies.len() / 2],
        p99: latencies[latencies.len() * 99 / 100],
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sandbox = sandbox::start(SandboxConfig {
            api_key: Some(ApiKey::new(API_KEY).unwrap()),
            key_pair: Some((KEY_ID.into(), Secret::new(SECRET))),
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let base = sandbox.base_url();
        let build = |credentials| {
            Client::builder()
                .credentials(credentials)
                .base_url(base.clone())
                .build()
                .unwrap()
        };
        let bearer = build(Credentials::ApiKey(ApiKey::new(API_KEY).unwrap()));
        let signed = build(Credentials::KeyPair(KeyPair::new(KEY_ID, SECRET).unwrap()));
        let created = bearer
            .api()
            .inquiries()
            .create(
                Call::new()
                    .body(json!({"data": {"attributes": {"inquiry-template-id": "itmpl_bench"}}})),
            )
            .await
            .unwrap();
        let id = created.id().unwrap().to_owned();
        let url = format!("{base}/inquiries/{id}");

        let mut results = Vec::new();
        for concurrency in [1, 32] {
            let (http, url2) = (loopback_http(), url.clone());
            results.push(
                measure(
                    "baseline: bare reqwest (bearer, no signing/retries)",
                    concurrency,
                    move || {
                        let (http, url) = (http.clone(), url2.clone());
                        async move {
                            let response =
                                http.get(&url).bearer_auth(API_KEY).send().await.unwrap();
                            assert!(response.status().is_success());
                            let _: serde_json::Value =
                                serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
                        }
                    },
                )
                .await,
            );
            for (label, client) in [
                ("libpersona client, bearer key", &bearer),
                ("libpersona client, v1-signed", &signed),
            ] {
                let (client, id2) = (client.clone(), id.clone());
                results.push(
                    measure(label, concurrency, move || {
                        let (client, id) = (client.clone(), id2.clone());
                        async move {
                            client
                                .api()
                                .inquiries()
                                .retrieve(&id, Call::new())
                                .await
                                .unwrap();
                        }
                    })
                    .await,
                );
            }
        }
        println!("| client | concurrency | requests/s | p50 | p99 | throughput vs baseline |");
        println!("|---|---|---|---|---|---|");
        for chunk in results.chunks(3) {
            let baseline = chunk[0].per_second;
            for r in chunk {
                println!(
                    "| {} | {} | {:.0} | {:.0} µs | {:.0} µs | {:.2}x |",
                    r.label,
                    r.concurrency,
                    r.per_second,
                    r.p50.as_secs_f64() * 1e6,
                    r.p99.as_secs_f64() * 1e6,
                    r.per_second / baseline
                );
            }
        }
    });
}
