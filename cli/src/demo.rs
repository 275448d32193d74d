//! `persona demo`: the main job, end to end against an embedded sandbox on loopback.
//!
//! Starts the sandbox on an ephemeral port and a webhook receiver; creates an inquiry with a
//! `v1`-signed request; retrieves it; completes it through simulate-actions; waits for the
//! `inquiry.completed` webhook and verifies it with the library; lists inquiries. Credentials and
//! the webhook secret are generated for this run and never printed.

use std::time::{Duration, Instant};

use persona::client::{Call, Client, SimulateAction};
use persona::{Credentials, KeyPair, Secret, WebhookVerifier};
use persona_sandbox::{self as sandbox, SandboxConfig, WebhookReceiver};
use serde_json::json;

use super::{CommandResult, Failure};

fn random_hex(bytes: usize) -> Result<String, Failure> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|err| Failure::Usage(format!("no randomness: {err}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

fn step(number: u32, what: &str, result: &str, started: Instant) {
    println!(
        "  {number}. {what:<58} {result:<28} {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
}

pub(crate) fn run() -> CommandResult {
    let key_id = format!("kid_demo_{}", random_hex(4)?);
    let secret = random_hex(24)?;
    let webhook_secret = format!("wbhsec_{}", random_hex(24)?);
    persona::runtime::runtime()?.block_on(async move {
        let total = Instant::now();
        let mut receiver =
            WebhookReceiver::start(WebhookVerifier::new([webhook_secret.as_str()])?, 0).await?;
        let sandbox = sandbox::start(SandboxConfig {
            key_pair: Some((key_id.clone(), Secret::new(secret.clone()))),
            webhook_url: Some(receiver.url()),
            webhook_secret: Some(Secret::new(webhook_secret.clone())),
            ..SandboxConfig::default()
        })
        .await?;
        println!("libpersona {} demo", persona::VERSION);
        println!("  sandbox   {} (embedded, in-memory)", sandbox.base_url());
        println!(
            "  webhooks  {} (verifies Persona-Signature with the library)",
            receiver.url()
        );
        println!("  key id    {key_id} (v1 request signing; the secret is never printed)\n");

        let client = Client::builder()
            .credentials(Credentials::KeyPair(KeyPair::new(key_id, secret)?))
            .base_url(sandbox.base_url())
            .binding("demo")
            .build()?;

        // Every call below is a generated method of Persona's API (client.api()), sending the
        // request its OpenAPI document defines.
        let inquiries = client.api().inquiries();
        let status = |response: &persona::client::ApiResponse| {
            response.attribute_str("status").unwrap_or("?").to_owned()
        };
        let t = Instant::now();
        let created = inquiries
            .create(Call::new().body(json!({"data": {"attributes":
                {"inquiry-template-id": "itmpl_demo", "reference-id": "user-42"}}})))
            .await?;
        let inquiry_id = created
            .id()
            .ok_or_else(|| Failure::Invalid("the created inquiry has no id".into()))?
            .to_owned();
        step(
            1,
            "create inquiry (v1-signed POST with an Idempotency-Key)",
            &format!("{inquiry_id} {}", status(&created)),
            t,
        );

        let t = Instant::now();
        let fetched = inquiries.retrieve(&inquiry_id, Call::new()).await?;
        step(2, "retrieve it", &format!("status={}", status(&fetched)), t);

        let t = Instant::now();
        let completed = inquiries
            .simulate(
                &inquiry_id,
                &[
                    SimulateAction::StartInquiry,
                    SimulateAction::CompleteInquiry,
                ],
                Call::new(),
            )
            .await?;
        step(
            3,
            "complete it: simulate start_inquiry, complete_inquiry",
            &format!("status={}", status(&completed)),
            t,
        );

        let t = Instant::now();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut verified = None;
        while verified.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(delivery) = receiver.next(left).await else {
                break;
            };
            match delivery.event {
                Ok(event) if event.name == "inquiry.completed" => {
                    verified = Some((event, delivery.attempt))
                }
                Ok(_) => {}
                Err(code) => {
                    return Err(Failure::Invalid(format!(
                        "a webhook failed verification: {code}"
                    )));
                }
            }
        }
        let (event, attempt) = verified
            .ok_or_else(|| Failure::Invalid("no inquiry.completed webhook within 10 s".into()))?;
        step(
            4,
            "receive the inquiry.completed webhook and verify it",
            &format!("{} (attempt {})", event.id, attempt.unwrap_or(1)),
            t,
        );

        let t = Instant::now();
        let page = inquiries.list(Call::new().page_size(10)).await?;
        let listed = page
            .data()
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        step(5, "list inquiries", &format!("{} inquiry", listed.len()), t);
        if listed.first().and_then(|i| i["id"].as_str()) != Some(inquiry_id.as_str()) {
            return Err(Failure::Invalid(
                "the listed inquiry is not the one created".into(),
            ));
        }

        println!(
            "\ndone in {:.1} ms: one inquiry created, completed, its webhook verified.",
            total.elapsed().as_secs_f64() * 1000.0
        );
        Ok(())
    })
}
