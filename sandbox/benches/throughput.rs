//! The sandbox server's own throughput: `persona sandbox` processes (one or more builds, so a
//! build from before a change runs in the same session as the one after it) driven over loopback
//! at concurrency 1, 8 and 64 by a bare HTTP client (reqwest, keep-alive, no signing, no retries):
//! the work the server does, not the client's.
//!
//! ```sh
//! cargo build --release --bin persona
//! THROUGHPUT_BINS="after=$PWD/target/release/persona,before=/tmp/before/persona" \
//!   cargo bench -p persona-sandbox --bench throughput
//! ```
//!
//! Without `THROUGHPUT_BINS` it measures `target/release/persona`. Under `cargo test` (no
//! `--bench`) it runs one 1-second round against `target/debug/persona` as a smoke test.
//!
//! Workload per request, alternating: `POST /inquiries` (validated against the document,
//! stored, `inquiry.created` emitted) and `GET /inquiries/{id}` of one created at the start.
//! Each (build, concurrency) runs `THROUGHPUT_SECONDS` (default 3) per round, in
//! `THROUGHPUT_ROUNDS` (default 3) rounds that alternate the builds; the median round is reported.

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

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const API_KEY: &str = "persona_sandbox_throughput";
const CONCURRENCY: [usize; 3] = [1, 8, 64];

struct Server {
    child: Child,
    base: String,
    /// Held open: the sandbox prints a second line (its admin token), and a closed pipe would
    /// end it.
    _stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(binary: &str) -> Server {
    let help = Command::new(binary)
        .args(["sandbox", "--help"])
        .output()
        .unwrap();
    let mut command = Command::new(binary);
    command.args(["sandbox", "--port", "0"]);
    // Builds from before the rate limit existed have no flag (and no limit).
    if String::from_utf8_lossy(&help.stdout).contains("--rate-limit") {
        command.args(["--rate-limit", "0"]);
    }
    let mut child = command
        .env("PERSONA_API_KEY", API_KEY)
        .env_remove("PERSONA_API_KEY_ID")
        .env_remove("PERSONA_API_KEY_SECRET")
        .env_remove("PERSONA_WEBHOOK_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let origin = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    Server {
        child,
        base: format!("{origin}/api/v1"),
        _stdout: stdout,
    }
}

/// Requests per second and the p50/p99 latency of one run.
async fn run(base: &str, inquiry: &str, concurrency: usize, seconds: u64) -> Run {
    let workload = Workload::from_env();
    let client = loopback_http();
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        let (client, stop) = (client.clone(), stop.clone());
        let (create, retrieve) = (
            format!("{base}/inquiries"),
            format!("{base}/inquiries/{inquiry}"),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0_u64;
            let mut n = worker;
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let create_now = match workload {
                    Workload::Mixed => n % 2 == 0,
                    Workload::Create => true,
                    Workload::Retrieve => false,
                };
                let request = if create_now {
                    client.post(&create).header("Content-Type", "application/json").body(
                        r#"{"data":{"attributes":{"inquiry-template-id":"itmpl_throughput","reference-id":"bench"}}}"#,
                    )
                } else {
                    client.get(&retrieve)
                };
                n += 1;
                // A connection the server closed as the request went out (keep-alive race) is
                // counted, not measured; an error status is a broken run.
                let Ok(response) = request.bearer_auth(API_KEY).send().await else {
                    errors += 1;
                    continue;
                };
                assert!(response.status().is_success(), "{}", response.status());
                if response.bytes().await.is_err() {
                    errors += 1;
                    continue;
                }
                latencies.push(started.elapsed().as_secs_f64());
            }
            (latencies, errors)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies: Vec<f64> = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (measured, failed) = task.await.unwrap();
        latencies.extend(measured);
        errors += failed;
    }
    assert!(
        !latencies.is_empty(),
        "{base}: no request succeeded at concurrency {concurrency} ({errors} closed connections)"
    );
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize] * 1e3;
    Run {
        per_second: latencies.len() as f64 / seconds as f64,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        errors,
    }
}

/// What each request is: `THROUGHPUT_WORKLOAD` = `mixed` (default: creates and retrieves
/// alternating), `create` or `retrieve`.
#[derive(Clone, Copy)]
enum Workload {
    Mixed,
    Create,
    Retrieve,
}

impl Workload {
    fn from_env() -> Self {
        match std::env::var("THROUGHPUT_WORKLOAD").as_deref() {
            Ok("create") => Self::Create,
            Ok("retrieve") => Self::Retrieve,
            _ => Self::Mixed,
        }
    }
}

/// One timed run.
#[derive(Clone, Copy)]
struct Run {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Requests lost to a closed connection (not in the rate).
    errors: u64,
}

fn main() {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    // `cargo test` runs a bench without `--bench`: one short round against the debug build, so
    // the bench is known to work without costing a measurement.
    let measuring = std::env::args().any(|arg| arg == "--bench");
    let default = if measuring {
        format!("current={}", target.join("release/persona").display())
    } else {
        format!("debug={}", target.join("debug/persona").display())
    };
    let bins = std::env::var("THROUGHPUT_BINS").unwrap_or(default);
    let builds: Vec<(String, String)> = bins
        .split(',')
        .map(|pair| {
            let (name, path) = pair
                .split_once('=')
                .expect("THROUGHPUT_BINS: name=path,...");
            (name.to_owned(), path.to_owned())
        })
        .collect();
    let (seconds, rounds) = if measuring {
        (
            std::env::var("THROUGHPUT_SECONDS").map_or(3, |s| s.parse().unwrap()),
            std::env::var("THROUGHPUT_ROUNDS").map_or(3, |s| s.parse().unwrap()),
        )
    } else {
        (1, 1)
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // results[build][concurrency] = one (req/s, p50, p99) per round
    let mut results = vec![vec![Vec::new(); CONCURRENCY.len()]; builds.len()];
    for _ in 0..rounds {
        for (b, (_, binary)) in builds.iter().enumerate() {
            let server = start(binary);
            runtime.block_on(async {
                let created = loopback_http()
                    .post(format!("{}/inquiries", server.base))
                    .bearer_auth(API_KEY)
                    .header("Content-Type", "application/json")
                    .body(r#"{"data":{"attributes":{"inquiry-template-id":"itmpl_throughput"}}}"#)
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                let created: serde_json::Value = serde_json::from_slice(&created).unwrap();
                let inquiry = created["data"]["id"].as_str().unwrap().to_owned();
                for (c, &concurrency) in CONCURRENCY.iter().enumerate() {
                    results[b][c].push(run(&server.base, &inquiry, concurrency, seconds).await);
                }
            });
        }
    }
    println!("| build | concurrency | requests/s | p50 ms | p99 ms | closed connections |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (b, (name, _)) in builds.iter().enumerate() {
        for (c, concurrency) in CONCURRENCY.iter().enumerate() {
            let mut rows: Vec<Run> = results[b][c].clone();
            rows.sort_by(|x, y| x.per_second.total_cmp(&y.per_second));
            let median = rows[rows.len() / 2];
            println!(
                "| {name} | {concurrency} | {:.0} | {:.2} | {:.2} | {} |",
                median.per_second, median.p50_ms, median.p99_ms, median.errors
            );
        }
    }
}
