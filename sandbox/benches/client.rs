//! What the API client costs over the HTTP stack under it (issue 14 item 7): the libpersona client
//! (bearer key, and `v1`-signed) beside bare reqwest sending the same requests (the same headers,
//! an Idempotency-Key on a POST), in the same run,
//! at concurrency 1 and 64, for a create (POST) and a retrieve (GET).
//!
//! The server is the same for every row and as cheap as possible, so that the clients' own cost
//! is what differs: a keep-alive HTTP/1.1 responder on loopback, on its own thread, answering
//! every request with the bytes the sandbox answered to a real create (so the client parses a
//! faithful inquiry document). It does not verify signatures: Persona's API takes a bearer key,
//! and the sandbox's verification would be the server's cost, not the client's.
//!
//! Run: `cargo bench -p persona-sandbox --bench client` (~2 minutes). Prints a Markdown table and
//! exits 1 when a target is missed: the bearer client ≥ 0.95× bare reqwest's throughput, the
//! `v1`-signed client ≥ 0.9× the bearer client's, and each p99 ≤ 1.1× bare reqwest's. Each row is
//! the median of 9 rounds, the three clients interleaved within each round (each round starting
//! with another). Under `cargo test` it
//! runs once, small, without targets.

// Bench code: a failed unwrap is a failed run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

#[path = "../tests/support/mod.rs"]
mod support;
use support::loopback_http;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use persona::client::{Call, Client};
use persona::{ApiKey, Credentials, KeyPair};
use persona_sandbox::{self as sandbox, SandboxConfig};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const API_KEY: &str = "persona_sandbox_bench";
const KEY_ID: &str = "kid_bench";
const SECRET: &str = "bench-secret";
/// What the Rust client sends (`libpersona/<version> (rust)`): the same length on both sides.
const USER_AGENT: &str = "libpersona/0.1.0 (rust)";

/// A real create's answer from the sandbox: (status line's code, body).
async fn sandbox_answer() -> (u16, Vec<u8>) {
    let sandbox = sandbox::start(SandboxConfig {
        api_key: Some(ApiKey::new(API_KEY).unwrap()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let response = loopback_http()
        .post(format!("{}/inquiries", sandbox.base_url()))
        .bearer_auth(API_KEY)
        .header("Key-Inflection", "kebab")
        .header("Content-Type", "application/json")
        .body(json!({"data": {"attributes": {"inquiry-template-id": "itmpl_bench"}}}).to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

/// Answers every request on every connection with `status` and `body`, until the process ends.
fn start_responder(status: u16, body: Vec<u8>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let mut answer = format!(
        "HTTP/1.1 {status} OK\r\nContent-Type: application/json; charset=utf-8\r\nRequest-Id: req_bench\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    let answer: Arc<[u8]> = answer.into();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = TcpListener::from_std(listener).unwrap();
            loop {
                let (mut stream, _) = listener.accept().await.unwrap();
                stream.set_nodelay(true).unwrap();
                let answer = Arc::clone(&answer);
                tokio::spawn(async move {
                    let mut buffer = Vec::with_capacity(8192);
                    let mut chunk = [0u8; 8192];
                    loop {
                        // One request: headers to the blank line, then Content-Length bytes.
                        let (head_end, length) = loop {
                            if let Some(end) = find(&buffer, b"\r\n\r\n") {
                                break (end + 4, content_length(&buffer[..end]));
                            }
                            match stream.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                            }
                        };
                        while buffer.len() < head_end + length {
                            match stream.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                            }
                        }
                        buffer.drain(..head_end + length);
                        if stream.write_all(&answer).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    format!("http://{address}")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// The Content-Length of a request head (names are case-insensitive), without allocating.
fn content_length(head: &[u8]) -> usize {
    head.split(|&byte| byte == b'\n')
        .find_map(|line| {
            let (name, value) = line.split_at(line.iter().position(|&b| b == b':')?);
            name.eq_ignore_ascii_case(b"content-length").then(|| {
                value[1..]
                    .iter()
                    .filter(|b| b.is_ascii_digit())
                    .fold(0usize, |n, b| n * 10 + usize::from(b - b'0'))
            })
        })
        .unwrap_or(0)
}

struct Sample {
    per_second: f64,
    p99: Duration,
}

/// `requests` calls of `call`, `concurrency` at a time.
async fn measure<F, Fut>(requests: usize, concurrency: usize, call: Arc<F>) -> Sample
where
    F: Fn() -> Fut + Send + Sync + ?Sized + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let per_task = requests / concurrency;
    let started = Instant::now();
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
    let mut latencies = Vec::with_capacity(requests);
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Sample {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p99: latencies[latencies.len() * 99 / 100],
    }
}

fn median<T: Copy + PartialOrd>(mut values: Vec<T>) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

type Job =
    Arc<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send + Sync>;

fn main() -> ExitCode {
    let benching = std::env::args().any(|arg| arg == "--bench");
    // Rows of about half a second at either concurrency: long enough to average out scheduling.
    let (requests, rounds) = if benching { (12_000, 9) } else { (64, 1) };
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    // The clients get one worker thread; the responder has its own thread: one core each.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let missed = runtime.block_on(async move {
        let (status, body) = sandbox_answer().await;
        let base = start_responder(status, body);
        let build = |credentials| {
            Client::builder()
                .credentials(credentials)
                .base_url(base.clone())
                .build()
                .unwrap()
        };
        let bearer = build(Credentials::ApiKey(ApiKey::new(API_KEY).unwrap()));
        let signed = build(Credentials::KeyPair(KeyPair::new(KEY_ID, SECRET).unwrap()));
        let http = loopback_http();
        let create_body = json!({"data": {"attributes": {"inquiry-template-id": "itmpl_bench"}}});

        let mut missed = Vec::new();
        println!("Client overhead over bare reqwest, {cpu}; median of {rounds} rounds, {requests} requests a row at concurrency 64 ({} at 1)\n", requests / 4);
        println!("| call | client | concurrency | requests/s | p99 | throughput vs bare reqwest | p99 vs bare reqwest |");
        println!("|---|---|---|---|---|---|---|");
        for operation in ["create (POST /inquiries)", "retrieve (GET /inquiries/{id})"] {
            let create = operation.starts_with("create");
            let jobs: Vec<(&str, Job)> = vec![
                ("bare reqwest (bearer, the same headers)", {
                    let (http, base, body) = (http.clone(), base.clone(), create_body.clone());
                    Arc::new(move || {
                        let (http, base, body) = (http.clone(), base.clone(), body.clone());
                        Box::pin(async move {
                            let request = if create {
                                http.post(format!("{base}/inquiries"))
                                    .header("Content-Type", "application/json")
                                    .body(serde_json::to_vec(&body).unwrap())
                            } else {
                                http.get(format!("{base}/inquiries/inq_bench"))
                            };
                            // The headers the libpersona client sends, so the server reads the
                            // same bytes from both (an Idempotency-Key on a POST, as a careful
                            // hand-written client sends one).
                            let request = if create {
                                request.header("Idempotency-Key", "1f0e3c8a-9a59-4d2c-8a4e-2b6f1c0d7e55")
                            } else {
                                request
                            };
                            let response = request
                                .bearer_auth(API_KEY)
                                .header("Accept", "application/json")
                                .header("Key-Inflection", "kebab")
                                .header("User-Agent", USER_AGENT)
                                .send()
                                .await
                                .unwrap();
                            assert!(response.status().is_success());
                            let _: serde_json::Value =
                                serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
                        })
                    })
                }),
                ("libpersona, bearer key", client_job(&bearer, create, &create_body)),
                ("libpersona, v1-signed", client_job(&signed, create, &create_body)),
            ];
            for concurrency in [1, 64] {
                // Warm-up: connections for every task, caches.
                for (_, job) in &jobs {
                    measure(concurrency * 4, concurrency, Arc::clone(job)).await;
                }
                let mut samples: Vec<Vec<Sample>> = jobs.iter().map(|_| Vec::new()).collect();
                let requests = if concurrency == 1 { requests / 4 } else { requests };
                for round in 0..rounds {
                    // Each round starts with another client, so no client always runs first.
                    for turn in 0..jobs.len() {
                        let index = (round + turn) % jobs.len();
                        let sample = measure(requests, concurrency, Arc::clone(&jobs[index].1)).await;
                        samples[index].push(sample);
                    }
                }
                let rate = |index: usize| median(samples[index].iter().map(|s| s.per_second).collect());
                let p99 = |index: usize| median(samples[index].iter().map(|s| s.p99).collect());
                for (index, (label, _)) in jobs.iter().enumerate() {
                    println!(
                        "| {operation} | {label} | {concurrency} | {:.0} | {:.0} µs | {:.2}x | {:.2}x |",
                        rate(index),
                        p99(index).as_secs_f64() * 1e6,
                        rate(index) / rate(0),
                        p99(index).as_secs_f64() / p99(0).as_secs_f64(),
                    );
                }
                let at = format!("{operation} at concurrency {concurrency}");
                if rate(1) < 0.95 * rate(0) {
                    missed.push(format!("{at}: the bearer client at {:.2}x bare reqwest (target >= 0.95x)", rate(1) / rate(0)));
                }
                if rate(2) < 0.9 * rate(1) {
                    missed.push(format!("{at}: the v1 client at {:.2}x the bearer client (target >= 0.9x)", rate(2) / rate(1)));
                }
                for index in [1, 2] {
                    let ratio = p99(index).as_secs_f64() / p99(0).as_secs_f64();
                    if ratio > 1.1 {
                        missed.push(format!("{at}: {} p99 {ratio:.2}x bare reqwest's (target <= 1.1x)", jobs[index].0));
                    }
                }
            }
        }
        missed
    });
    if !benching {
        println!("(smoke run under cargo test: targets not checked)");
        return ExitCode::SUCCESS;
    }
    for line in &missed {
        eprintln!("TARGET MISSED: {line}");
    }
    if missed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn client_job(client: &Client, create: bool, body: &serde_json::Value) -> Job {
    let (client, body) = (client.clone(), body.clone());
    Arc::new(move || {
        let (client, body) = (client.clone(), body.clone());
        Box::pin(async move {
            if create {
                client
                    .api()
                    .inquiries()
                    .create(Call::new().body(body))
                    .await
                    .unwrap();
            } else {
                client
                    .api()
                    .inquiries()
                    .retrieve("inq_bench", Call::new())
                    .await
                    .unwrap();
            }
        })
    })
}
