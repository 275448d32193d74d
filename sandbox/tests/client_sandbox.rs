//! The client against the real sandbox over loopback sockets: every resource, auth failures,
//! pagination, every injected fault (never two objects per logical create), Retry-After, the
//! deadline, concurrency, webhook delivery, and no secret in any output.

// Test code: a failed unwrap or panic is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
use support::loopback_http;

use std::time::{Duration, Instant};

use persona::client::{ApiResponse, Call, Client, Direction, RequestOptions, SimulateAction};
use persona::model::{InquiryStatus, Resource};
use persona::{ApiErrorKind, ApiKey, Credentials, KeyPair, PersonaError, Secret};
use persona_sandbox::{self as sandbox, SandboxConfig, SandboxHandle};
use serde_json::{Value, json};

const API_KEY: &str = "persona_sandbox_TESTKEY-do-not-leak-1234";
const KEY_ID: &str = "kid_sandbox_test";
const SECRET: &str = "v1-SECRET-do-not-leak-5678";

async fn start() -> SandboxHandle {
    sandbox::start(SandboxConfig {
        api_key: Some(ApiKey::new(API_KEY).unwrap()),
        key_pair: Some((KEY_ID.into(), Secret::new(SECRET))),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn client(sandbox: &SandboxHandle, credentials: Credentials) -> Client {
    Client::builder()
        .credentials(credentials)
        .base_url(sandbox.base_url())
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(100))
        .build()
        .unwrap()
}

fn bearer() -> Credentials {
    Credentials::ApiKey(ApiKey::new(API_KEY).unwrap())
}

fn signed() -> Credentials {
    Credentials::KeyPair(KeyPair::new(KEY_ID, SECRET).unwrap())
}

/// A sandbox (both credential kinds accepted) delivering webhooks, signed with `secret`, to a
/// receiver that refuses its first `failures_first` deliveries.
async fn start_with_webhooks(
    secret: &str,
    failures_first: u32,
) -> (persona_sandbox::WebhookReceiver, SandboxHandle) {
    let receiver = persona_sandbox::WebhookReceiver::start(
        persona::WebhookVerifier::new([secret]).unwrap(),
        failures_first,
    )
    .await
    .unwrap();
    let sandbox = sandbox::start(SandboxConfig {
        api_key: Some(ApiKey::new(API_KEY).unwrap()),
        key_pair: Some((KEY_ID.into(), Secret::new(SECRET))),
        webhook_url: Some(receiver.url()),
        webhook_secret: Some(Secret::new(secret)),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    (receiver, sandbox)
}

/// The names of the newest events (the first page).
async fn event_names(client: &Client) -> Vec<String> {
    let events = client.api().events().list(Call::new()).await.unwrap();
    events
        .data()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn inject(sandbox: &SandboxHandle, rule: Value) {
    let response = loopback_http()
        .post(format!("{}/_sandbox/faults", sandbox.origin()))
        .bearer_auth(sandbox.admin_token().expose())
        .header("Content-Type", "application/json")
        .body(serde_json::to_vec(&rule).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

fn assert_no_secret(text: &str) {
    for secret in [API_KEY, SECRET] {
        assert!(!text.contains(secret), "secret leaked: {text}");
    }
}

fn template() -> Value {
    json!({ "inquiry-template-id": "itmpl_sandbox", "reference-id": "user-1" })
}

/// A create body: `{"data": {"attributes": ...}}`.
fn body(attributes: Value) -> Call {
    Call::new().body(json!({ "data": { "attributes": attributes } }))
}

async fn create(client: &Client) -> Result<ApiResponse, PersonaError> {
    client.api().inquiries().create(body(template())).await
}

fn simulate(actions: &[&str]) -> Call {
    let actions: Vec<Value> = actions.iter().map(|a| json!({ "type": a })).collect();
    Call::new().body(json!({ "meta": { "simulate-actions": actions } }))
}

fn id(response: &ApiResponse) -> String {
    response.id().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inquiry_lifecycle_and_every_resource() {
    let sandbox = start().await;
    for credentials in [bearer(), signed()] {
        let client = client(&sandbox, credentials);
        let api = client.api();
        let inquiries = api.inquiries();
        let inquiry = create(&client).await.unwrap();
        let inquiry_id = id(&inquiry);
        assert!(inquiry_id.starts_with("inq_"));
        assert_eq!(inquiry.attribute_str("status"), Some("created"));
        assert_eq!(inquiry.attribute_str("reference-id"), Some("user-1"));
        let fetched = inquiries.retrieve(&inquiry_id, Call::new()).await.unwrap();
        assert_eq!(fetched.id(), Some(inquiry_id.as_str()));
        let updated = inquiries
            .update(&inquiry_id, body(json!({"note": "x"})))
            .await
            .unwrap();
        assert_eq!(updated.attribute_str("note"), Some("x"));
        let completed = inquiries
            .perform_simulate_actions(
                &inquiry_id,
                simulate(&["start_inquiry", "complete_inquiry"]),
            )
            .await
            .unwrap();
        assert_eq!(completed.attribute_str("status"), Some("completed"));
        let verification_id = completed.data()["relationships"]["verifications"]["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let verification = api
            .verifications()
            .retrieve(&verification_id, Call::new())
            .await
            .unwrap();
        assert_eq!(verification.attribute_str("status"), Some("passed"));
        let approved = inquiries.approve(&inquiry_id, Call::new()).await.unwrap();
        assert_eq!(approved.attribute_str("status"), Some("approved"));
        let resumed = inquiries.resume(&inquiry_id, Call::new()).await.unwrap();
        assert!(
            resumed.body["meta"]["session-token"]
                .as_str()
                .unwrap()
                .starts_with("sess_")
        );
        let other = id(&create(&client).await.unwrap());
        let expired = inquiries.expire(&other, Call::new()).await.unwrap();
        assert_eq!(expired.attribute_str("status"), Some("expired"));
        assert!(expired.attribute_str("expired-at").is_some());
        let declined = inquiries.decline(&other, Call::new()).await.unwrap();
        assert_eq!(declined.attribute_str("status"), Some("declined"));
        assert!(declined.attribute_str("decisioned-at").is_some());
        // A decision is not reversed by another, and an expired inquiry does not expire again.
        for refused in [
            inquiries.approve(&other, Call::new()).await.unwrap_err(),
            inquiries
                .expire(&inquiry_id, Call::new())
                .await
                .unwrap_err(),
        ] {
            let PersonaError::Api(error) = refused else {
                panic!("{refused:?}")
            };
            assert_eq!(error.status, 422, "{error:?}");
        }
        let redacted = inquiries.redact(&other, Call::new()).await.unwrap();
        // Persona nulls the personal attributes, empties the tags and keeps the status.
        assert_eq!(redacted.attribute_str("status"), Some("declined"));
        assert!(redacted.attribute_str("redacted-at").is_some());
        for nulled in ["name-first", "birthdate", "note", "address-street-1"] {
            assert_eq!(redacted.attribute(nulled), Some(&Value::Null), "{nulled}");
        }
        assert_eq!(redacted.attribute("tags"), Some(&json!([])));

        let accounts = api.accounts();
        let account = accounts
            .create(body(json!({"reference-id": "acct-1"})))
            .await
            .unwrap();
        let account_id = id(&account);
        let fetched = accounts.retrieve(&account_id, Call::new()).await.unwrap();
        assert_eq!(fetched.attribute_str("reference-id"), Some("acct-1"));
        let account = accounts
            .update(&account_id, body(json!({"reference-id": "acct-2"})))
            .await
            .unwrap();
        assert_eq!(account.attribute_str("reference-id"), Some("acct-2"));
        let mut pages = accounts
            .list_pages(Call::new(), Direction::Forward)
            .unwrap();
        assert!(pages.next().await.unwrap().is_ok());

        let events = api.events().list(Call::new()).await.unwrap();
        let event = &events.data()[0];
        assert_eq!(event["type"], "event");
        let event_id = event["id"].as_str().unwrap();
        let fetched = api.events().retrieve(event_id, Call::new()).await.unwrap();
        assert_eq!(fetched.id(), Some(event_id));
        let webhooks = api.webhooks().list(Call::new()).await.unwrap();
        assert_eq!(webhooks.data().as_array().map(Vec::len), Some(0));

        // The raw escape hatch.
        let raw = client
            .request(
                reqwest::Method::GET,
                &format!("/inquiries/{inquiry_id}"),
                &[],
                None,
                &RequestOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(raw.body["data"]["attributes"]["status"], "approved");
        assert!(raw.request_id.unwrap().starts_with("req_"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_errors() {
    let sandbox = start().await;
    let client = client(&sandbox, bearer());
    let kind = |e: PersonaError| match e {
        PersonaError::Api(api) => (
            api.kind,
            api.status,
            api.errors.first().and_then(|d| d.pointer.clone()),
        ),
        other => panic!("not an API error: {other}"),
    };
    let inquiries = client.api().inquiries();
    let (k, status, _) = kind(
        inquiries
            .retrieve("inq_missing", Call::new())
            .await
            .unwrap_err(),
    );
    assert_eq!((k, status), (ApiErrorKind::NotFound, 404));
    let (k, status, pointer) = kind(inquiries.create(body(json!({}))).await.unwrap_err());
    assert_eq!((k, status), (ApiErrorKind::Validation, 422));
    assert_eq!(
        pointer.as_deref(),
        Some("/data/attributes/inquiry-template-id")
    );
    // Same idempotency key, different parameters.
    inquiries
        .create(body(template()).idempotency_key("key-reuse-1"))
        .await
        .unwrap();
    let (k, status, _) = kind(
        inquiries
            .create(body(json!({"inquiry-template-id": "other"})).idempotency_key("key-reuse-1"))
            .await
            .unwrap_err(),
    );
    assert_eq!((k, status), (ApiErrorKind::Conflict, 409));
    // Bad credentials.
    for credentials in [
        Credentials::ApiKey(ApiKey::new("persona_sandbox_wrong").unwrap()),
        Credentials::KeyPair(KeyPair::new(KEY_ID, "wrong-secret").unwrap()),
        Credentials::KeyPair(KeyPair::new("kid_unknown", SECRET).unwrap()),
    ] {
        let err = self::client(&sandbox, credentials)
            .api()
            .inquiries()
            .retrieve("inq_x", Call::new())
            .await
            .unwrap_err();
        assert_no_secret(&format!("{err} {err:?}"));
        assert_eq!(kind(err).0, ApiErrorKind::Authentication);
    }
    assert!(
        inquiries
            .retrieve("../accounts", Call::new())
            .await
            .is_err(),
        "ids cannot change the path"
    );
    assert_no_secret(&format!("{client:?}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_replayed_signatures_are_refused() {
    let sandbox = start().await;
    let signer = persona::RequestSigner::new(KEY_ID, SECRET).unwrap();
    let url = format!("{}/inquiries", sandbox.base_url());
    let http = loopback_http();
    let send = |signed: persona::SignedRequest| {
        let mut request = http.get(&url);
        for (name, value) in signed.headers() {
            request = request.header(name, value);
        }
        request.send()
    };
    let fresh = signer.sign("GET", &url, b"").unwrap();
    assert_eq!(send(fresh.clone()).await.unwrap().status(), 200);
    let reason = |response: &reqwest::Response| {
        response.headers()["persona-sandbox-auth-error"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let replay = send(fresh).await.unwrap();
    assert_eq!(replay.status(), 401);
    assert_eq!(reason(&replay), "replayed_nonce");
    let stale = signer
        .sign_with(
            "GET",
            &url,
            b"",
            Some(persona::clock::unix_now() - 3600),
            None,
        )
        .unwrap();
    let stale = send(stale).await.unwrap();
    assert_eq!(stale.status(), 401);
    assert_eq!(reason(&stale), "timestamp_out_of_tolerance");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_gives_at_most_one_inquiry_per_create() {
    let sandbox = start().await;
    let faults = [
        json!({"kind": "status", "status": 429, "retry_after": 0}),
        json!({"kind": "status", "status": 502}),
        json!({"kind": "status", "status": 503}),
        json!({"kind": "status", "status": 504}),
        json!({"kind": "reset"}),
        json!({"kind": "lose_response"}),
        json!({"kind": "status", "status": 429, "ratelimit_reset": 0}),
    ];
    for credentials in [bearer(), signed()] {
        let client = client(&sandbox, credentials);
        for fault in &faults {
            let before = sandbox.inquiry_count();
            let mut rule = fault.clone();
            rule["method"] = json!("POST");
            rule["path"] = json!("/api/v1/inquiries");
            rule["count"] = json!(2);
            inject(&sandbox, rule).await;
            let inquiry = create(&client).await;
            assert!(inquiry.is_ok(), "{fault}: {inquiry:?}");
            assert_eq!(
                sandbox.inquiry_count(),
                before + 1,
                "{fault}: exactly one inquiry"
            );
        }
        // A 500 on a POST is surfaced with its idempotency key, not retried blindly.
        let before = sandbox.inquiry_count();
        inject(
            &sandbox,
            json!({"method": "POST", "path": "/api/v1/inquiries", "kind": "status", "status": 500}),
        )
        .await;
        match create(&client).await.unwrap_err() {
            PersonaError::Api(api) => {
                assert_eq!((api.kind, api.status), (ApiErrorKind::Server, 500));
                assert!(api.idempotency_key.is_some());
            }
            other => panic!("{other}"),
        }
        assert!(sandbox.inquiry_count() <= before + 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured_and_the_deadline_fires() {
    let sandbox = start().await;
    let client = client(&sandbox, bearer());
    inject(
        &sandbox,
        json!({"method": "GET", "kind": "status", "status": 429, "retry_after": 1}),
    )
    .await;
    let started = Instant::now();
    client.api().inquiries().list(Call::new()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );

    let impatient = Client::builder()
        .credentials(bearer())
        .base_url(sandbox.base_url())
        .request_timeout(Duration::from_millis(300))
        .total_timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    inject(
        &sandbox,
        json!({"method": "GET", "kind": "delay", "delay_ms": 2000, "count": 10}),
    )
    .await;
    let started = Instant::now();
    let err = impatient
        .api()
        .inquiries()
        .list(Call::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "timeout", "{err}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "deadline overrun: {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_and_pagination() {
    let sandbox = start().await;
    let client = client(&sandbox, signed());
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let created = client
                    .api()
                    .inquiries()
                    .create(body(
                        json!({"inquiry-template-id": "itmpl_x", "reference-id": format!("c{i}")}),
                    ))
                    .await
                    .unwrap();
                id(&created)
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap());
    }
    assert_eq!(ids.len(), 64);
    assert_eq!(sandbox.inquiry_count(), 64);

    let inquiries = client.api().inquiries();
    let page_ids = |page: &ApiResponse| -> Vec<String> {
        page.data()
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut pages = inquiries
        .list_pages(Call::new().page_size(25), Direction::Forward)
        .unwrap();
    let mut listed = Vec::new();
    let mut page_count = 0;
    while let Some(page) = pages.next().await {
        page_count += 1;
        listed.extend(page_ids(&page.unwrap()));
    }
    assert_eq!(page_count, 3);
    assert_eq!(
        listed
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len(),
        64
    );

    // Resume from a cursor: the second page onwards.
    let first = inquiries.list(Call::new().page_size(25)).await.unwrap();
    let cursor = persona::client::next_cursor(&first.body).unwrap();
    let mut rest = inquiries
        .list_pages(
            Call::new().page_size(25).page_after(cursor),
            Direction::Forward,
        )
        .unwrap();
    let mut remaining = 0;
    while let Some(page) = rest.next().await {
        remaining += page_ids(&page.unwrap()).len();
    }
    assert_eq!(remaining, 39);

    let filtered = inquiries
        .list(Call::new().filter("reference-id", "c7"))
        .await
        .unwrap();
    assert_eq!(page_ids(&filtered).len(), 1);
}

#[test]
fn blocking_client_and_configuration_errors() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime.block_on(start());
    let blocking = persona::client::BlockingClient::new(client(&sandbox, bearer()));
    let inquiry = blocking.run(|c| async move { create(&c).await }).unwrap();
    let inquiry_id = id(&inquiry);
    let fetched = blocking
        .run(|c| async move { c.api().inquiries().retrieve(&inquiry_id, Call::new()).await })
        .unwrap();
    assert_eq!(fetched.attribute_str("status"), Some("created"));
    let listed = blocking
        .run(|c| async move { c.api().inquiries().list(Call::new()).await })
        .unwrap();
    assert_eq!(listed.data().as_array().map(Vec::len), Some(1));

    for base in [
        "http://api.withpersona.com/api/v1",
        "ftp://x",
        "http://10.1.2.3/api/v1",
    ] {
        let err = Client::builder()
            .credentials(bearer())
            .base_url(base)
            .build()
            .unwrap_err();
        assert_eq!(err.code(), "configuration");
    }
    let err = Client::builder()
        .credentials(Credentials::ApiKey(
            ApiKey::new("persona_production_abc").unwrap(),
        ))
        .expected_environment(persona::Environment::Sandbox)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("production"));
    drop(sandbox);
    drop(runtime);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_delivered_signed_and_retried_after_a_failure() {
    let (mut receiver, sandbox) = start_with_webhooks("wbhsec_delivery-test", 1).await;
    let client = client(&sandbox, bearer());
    let inquiry = id(&create(&client).await.unwrap());
    let first = receiver
        .next(Duration::from_secs(5))
        .await
        .expect("first delivery");
    assert_eq!(
        (first.answered, first.attempt),
        (500, Some(1)),
        "the receiver refused the first attempt"
    );
    let retried = receiver
        .next(Duration::from_secs(5))
        .await
        .expect("retried delivery");
    assert_eq!((retried.answered, retried.attempt), (200, Some(2)));
    // The delivery headers of Persona's document: attempts left out of 8 (the first and up to 7
    // retries), and the first attempt's time, the same on every attempt.
    assert_eq!(
        (first.attempts_left, retried.attempts_left),
        (Some(7), Some(6))
    );
    assert!(first.first_attempted_at.is_some());
    assert_eq!(first.first_attempted_at, retried.first_attempted_at);
    let event = retried.event.unwrap();
    assert_eq!(event.name, "inquiry.created");
    assert!(event.payload_json.contains(&inquiry));
    let listed = client.api().webhooks().list(Call::new()).await.unwrap();
    assert_eq!(
        listed.data()[0]["attributes"]["url"].as_str(),
        Some(receiver.url().as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_rotate_on_a_live_client() {
    let sandbox = start().await;
    let client = client(
        &sandbox,
        Credentials::ApiKey(ApiKey::new("persona_sandbox_old").unwrap()),
    );
    let retrieve = || async {
        client
            .api()
            .inquiries()
            .retrieve("inq_x", Call::new())
            .await
    };
    assert_eq!(retrieve().await.unwrap_err().code(), "authentication");
    client.set_credentials(&signed()).unwrap();
    assert_eq!(retrieve().await.unwrap_err().code(), "not_found");
    client.set_credentials(&bearer()).unwrap();
    assert!(create(&client).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_inflection_is_honoured() {
    let sandbox = start().await;
    let created = id(&create(&client(&sandbox, bearer())).await.unwrap());
    let url = format!("{}/inquiries/{created}", sandbox.base_url());
    for (inflection, key) in [
        ("camel", "createdAt"),
        ("snake", "created_at"),
        ("kebab", "created-at"),
    ] {
        let response = loopback_http()
            .get(&url)
            .bearer_auth(API_KEY)
            .header("Key-Inflection", inflection)
            .send()
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert!(
            body["data"]["attributes"].get(key).is_some(),
            "{inflection}: {body}"
        );
    }
    // Input in any inflection is accepted.
    let response = loopback_http()
        .post(format!("{}/inquiries", sandbox.base_url()))
        .bearer_auth(API_KEY)
        .header("Content-Type", "application/json")
        .body(r#"{"data":{"attributes":{"inquiryTemplateId":"itmpl_camel"}}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_actions_take_persona_names_only() {
    // The body of POST /inquiries/{inquiry-id}/perform-simulate-actions in Persona's OpenAPI
    // document: {"meta": {"simulate-actions": [{"type": <inquiry-status-action>}]}}. Anything else
    // is refused, so a client that passes here sends what Persona takes.
    let sandbox = start().await;
    let client = client(&sandbox, bearer());
    let inquiry = id(&create(&client).await.unwrap());
    let url = format!(
        "{}/inquiries/{inquiry}/perform-simulate-actions",
        sandbox.base_url()
    );
    let post = |body: Value| {
        loopback_http()
            .post(&url)
            .bearer_auth(API_KEY)
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
    };
    for refused in [
        json!({"meta": {"actions": [{"type": "start_inquiry"}]}}),
        json!({"meta": {"simulate-actions": [{"type": "start"}]}}),
        json!({"meta": {"simulate-actions": [{"type": "mark_for_review"}]}}),
    ] {
        let status = post(refused.clone()).await.unwrap().status();
        assert_eq!(status, 400, "{refused}");
    }
    let response = post(json!({"meta": {"simulate-actions": [
        {"type": "start_inquiry"}, {"type": "mark_for_review_inquiry"}
    ]}}))
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["data"]["attributes"]["status"], "needs_review");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_simulate_webhook_retrieve_with_typed_calls_only() {
    // The generated methods (Client::api), as a user of the whole-API surface writes the flow.
    let (mut receiver, sandbox) = start_with_webhooks("wbhsec_typed-flow", 0).await;
    let client = client(&sandbox, signed());
    let inquiries = client.api().inquiries();
    let id = id(&inquiries.create(body(template())).await.unwrap());
    let simulated = inquiries
        .simulate(
            &id,
            &[
                SimulateAction::StartInquiry,
                SimulateAction::CompleteInquiry,
            ],
            Call::new(),
        )
        .await
        .unwrap();
    assert_eq!(simulated.body["data"]["attributes"]["status"], "completed");
    let mut names = Vec::new();
    while let Some(delivery) = receiver.next(Duration::from_secs(5)).await {
        let event = delivery.event.unwrap();
        assert!(event.payload_json.contains(&id));
        names.push(event.name.clone());
        if event.name == "inquiry.completed" {
            // The typed payload: inquiry.completed carries an inquiry.
            let Some(Resource::Inquiry(inquiry)) = event.model().unwrap() else {
                panic!("inquiry.completed without an inquiry");
            };
            assert_eq!(inquiry.id, id);
            assert_eq!(inquiry.status, Some(InquiryStatus::Completed));
            break;
        }
    }
    assert_eq!(
        names.last().map(String::as_str),
        Some("inquiry.completed"),
        "{names:?}"
    );
    let retrieved = inquiries.retrieve(&id, Call::new()).await.unwrap();
    let Some(Resource::Inquiry(inquiry)) = retrieved.model().unwrap() else {
        panic!("retrieve-an-inquiry answered something else");
    };
    assert_eq!(inquiry.status, Some(InquiryStatus::Completed));
    assert!(inquiry.completed_at.is_some());
    // Arguments the operation does not declare never reach the wire.
    let error = inquiries
        .retrieve(&id, Call::new().filter("status", "completed"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "invalid_argument");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_counts_and_persona_version_is_checked() {
    let sandbox = sandbox::start(SandboxConfig {
        api_key: Some(ApiKey::new(API_KEY).unwrap()),
        rate_limit: Some(3),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let get = |version: Option<&'static str>| {
        let mut request = loopback_http()
            .get(format!("{}/inquiries", sandbox.base_url()))
            .bearer_auth(API_KEY);
        if let Some(version) = version {
            request = request.header("Persona-Version", version);
        }
        request.send()
    };
    let header = |response: &reqwest::Response, name: &str| {
        response.headers()[name]
            .to_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
    };
    // A version Persona does not publish is refused; the document's and later ones are not.
    let refused = get(Some("garbage")).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(header(&refused, "ratelimit-remaining"), 2);
    assert_eq!(get(Some("2025-12-08")).await.unwrap().status(), 200);
    let last = get(Some("2023-01-05")).await.unwrap();
    assert_eq!(last.status(), 200);
    assert_eq!(header(&last, "ratelimit-limit"), 3);
    assert_eq!(header(&last, "ratelimit-remaining"), 0);
    let reset = header(&last, "ratelimit-reset");
    assert!((1..=60).contains(&reset), "{reset}");
    // The fourth request in the minute is 429, with Retry-After (unless the minute just turned).
    let over = get(None).await.unwrap();
    if over.status() != 200 {
        assert_eq!(over.status(), 429);
        assert!((1..=60).contains(&header(&over, "retry-after")));
        assert_eq!(header(&over, "ratelimit-remaining"), 0);
    }
    // Unauthenticated requests are not counted and carry no limit headers.
    let anonymous = loopback_http()
        .get(format!("{}/inquiries", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().get("ratelimit-limit").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_routes_need_the_admin_token_and_binding_needs_loopback() {
    let sandbox = start().await;
    let stats = |token: Option<String>| {
        let mut request = loopback_http().get(format!("{}/_sandbox/stats", sandbox.origin()));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(stats(None).await.unwrap().status(), 401);
    assert_eq!(stats(Some(API_KEY.into())).await.unwrap().status(), 401);
    let token = sandbox.admin_token().expose().to_owned();
    assert!(token.starts_with("sbx_admin_"));
    assert_eq!(stats(Some(token)).await.unwrap().status(), 200);
    let exposed = sandbox::start(SandboxConfig {
        api_key: Some(ApiKey::new(API_KEY).unwrap()),
        bind: Some("0.0.0.0:0".parse().unwrap()),
        ..SandboxConfig::default()
    })
    .await
    .unwrap_err();
    assert!(
        exposed.to_string().contains("--allow-non-loopback"),
        "{exposed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_filter_as_the_document_declares_and_page_both_ways() {
    let sandbox = start().await;
    let client = client(&sandbox, bearer());
    let inquiries = client.api().inquiries();
    let mut ids = Vec::new();
    for n in 0..5 {
        let created = inquiries
            .create(body(
                json!({"inquiry-template-id": "itmpl_lists", "reference-id": format!("ref-{n}")}),
            ))
            .await
            .unwrap();
        ids.push(id(&created));
    }
    inquiries
        .simulate(&ids[1], &[SimulateAction::StartInquiry], Call::new())
        .await
        .unwrap();
    inquiries
        .simulate(
            &ids[2],
            &[
                SimulateAction::StartInquiry,
                SimulateAction::CompleteInquiry,
            ],
            Call::new(),
        )
        .await
        .unwrap();
    let listed = |call: Call| {
        let inquiries = client.api().inquiries();
        async move {
            let page = inquiries.list(call).await.unwrap();
            let ids: Vec<String> = page
                .data()
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect();
            (ids, page)
        }
    };
    // A comma-separated filter is any of its values (newest first).
    let (pending_or_completed, _) = listed(Call::new().filter("status", "pending,completed")).await;
    assert_eq!(pending_or_completed, [ids[2].clone(), ids[1].clone()]);
    // Date ranges bound created-at.
    let (in_range, _) = listed(
        Call::new()
            .filter("created-at-start", "2000-01-01T00:00:00.000Z")
            .filter("created-at-end", "2999-01-01T00:00:00.000Z")
            .page_size(100),
    )
    .await;
    assert_eq!(in_range.len(), 5);
    let (none, _) = listed(Call::new().filter("created-at-end", "2000-01-01T00:00:00.000Z")).await;
    assert!(none.is_empty());
    // Forward by links.next, then back by links.prev, two at a time.
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();
    let (first, page) = listed(Call::new().page_size(2)).await;
    assert_eq!(first, newest_first[..2]);
    assert!(page.body["links"]["prev"].is_null());
    let (second, page) = listed(Call::new().page_size(2).page_after(&first[1])).await;
    assert_eq!(second, newest_first[2..4]);
    let prev = page.body["links"]["prev"].as_str().unwrap();
    assert!(prev.contains("page%5Bbefore%5D="), "{prev}");
    let (back, _) = listed(Call::new().page_size(2).page_before(&second[0])).await;
    assert_eq!(back, first);
    // The client's backward walk from the oldest reaches the newest.
    let mut pages = inquiries
        .list_pages(
            Call::new().page_size(2).page_before(&ids[0]),
            Direction::Backward,
        )
        .unwrap();
    let mut walked = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        walked.extend(
            page.data()
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
    }
    assert_eq!(walked, [2, 1, 4, 3].map(|n: usize| ids[n].clone()));
    // A filter the operation does not declare is refused by the sandbox too.
    let raw = loopback_http()
        .get(format!(
            "{}/inquiries?filter%5Bcolor%5D=red",
            sandbox.base_url()
        ))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_verifications_are_created_linked_and_announced() {
    let sandbox = start().await;
    let client = client(&sandbox, bearer());
    let inquiries = client.api().inquiries();
    let inquiry = id(&create(&client).await.unwrap());
    let simulated = inquiries
        .simulate(
            &inquiry,
            &[
                SimulateAction::StartInquiry,
                SimulateAction::CreatePassedVerification {
                    verification_template_id: "vtmpl_pass".into(),
                },
                SimulateAction::CreateFailedVerification {
                    verification_template_id: "vtmpl_fail".into(),
                },
            ],
            Call::new(),
        )
        .await
        .unwrap();
    assert_eq!(simulated.attribute_str("status"), Some("pending"));
    let links = simulated.data()["relationships"]["verifications"]["data"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(links.len(), 2);
    let mut statuses = Vec::new();
    for link in &links {
        let verification = client
            .api()
            .verifications()
            .retrieve(link["id"].as_str().unwrap(), Call::new())
            .await
            .unwrap();
        assert_eq!(
            verification.data()["relationships"]["inquiry"]["data"]["id"],
            inquiry.as_str()
        );
        statuses.push(verification.attribute_str("status").unwrap().to_owned());
    }
    assert_eq!(statuses, ["passed", "failed"]);
    // `include` brings them along, and the client's related() resolves them.
    let with_included = inquiries
        .retrieve(&inquiry, Call::new().include(["verifications"]))
        .await
        .unwrap();
    let related = with_included.related("verifications", None);
    assert_eq!(related.len(), 2);
    assert_eq!(related[1]["attributes"]["status"], "failed");
    let names = event_names(&client).await;
    assert!(
        names.iter().any(|n| n == "verification.passed")
            && names.iter().any(|n| n == "verification.failed"),
        "{names:?}"
    );
    // A verification action without its template is Persona's 400.
    let refused = loopback_http()
        .post(format!(
            "{}/inquiries/{inquiry}/perform-simulate-actions",
            sandbox.base_url()
        ))
        .bearer_auth(API_KEY)
        .header("Content-Type", "application/json")
        .body(r#"{"meta":{"simulate-actions":[{"type":"create_passed_verification"}]}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags_are_added_removed_and_set_with_the_documents_events() {
    let sandbox = start().await;
    let client = client(&sandbox, bearer());
    let accounts = client.api().accounts();
    let account = id(&accounts
        .create(body(json!({"reference-id": "tagged"})))
        .await
        .unwrap());
    let tag = |name: Value| Call::new().body(json!({"meta": {"tag-name": name}}));
    accounts.add_tag(&account, tag(json!("vip"))).await.unwrap();
    let added = accounts
        .add_tag(&account, tag(json!("beta")))
        .await
        .unwrap();
    assert_eq!(added.attribute("tags"), Some(&json!(["vip", "beta"])));
    let removed = accounts
        .remove_tag(&account, tag(json!("vip")))
        .await
        .unwrap();
    assert_eq!(removed.attribute("tags"), Some(&json!(["beta"])));
    let set = accounts
        .set_tags(&account, tag(json!(["x", "y"])))
        .await
        .unwrap();
    assert_eq!(set.attribute("tags"), Some(&json!(["x", "y"])));
    let names = event_names(&client).await;
    assert_eq!(
        names.iter().filter(|n| *n == "account.tag-added").count(),
        2,
        "{names:?}"
    );
    assert!(names.iter().any(|n| n == "account.tag-removed"));
    // Inquiries carry tags the same way (no tag events in the document for them).
    let inquiry = id(&create(&client).await.unwrap());
    let tagged = client
        .api()
        .inquiries()
        .add_tag(&inquiry, tag(json!("apple")))
        .await
        .unwrap();
    assert_eq!(tagged.attribute("tags"), Some(&json!(["apple"])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_made_through_the_api_drive_delivery_and_rotate_their_secret() {
    let sandbox = start().await;
    let client = client(&sandbox, bearer());
    let webhooks = client.api().webhooks();
    let receiver_for = |secret: String| async move {
        persona_sandbox::WebhookReceiver::start(persona::WebhookVerifier::new([secret]).unwrap(), 0)
            .await
            .unwrap()
    };
    // Created with its secret (webhook-with-secret), disabled until enabled.
    let probe = receiver_for("unused".into()).await;
    let created = webhooks
        .create(body(
            json!({"url": probe.url(), "enabled-events": ["inquiry.created"]}),
        ))
        .await
        .unwrap();
    let webhook = id(&created);
    let first_secret = created.attribute_str("secret").unwrap().to_owned();
    assert!(first_secret.starts_with("wbhsec_"));
    assert_eq!(created.attribute_str("status"), Some("disabled"));
    drop(probe);
    let mut old = receiver_for(first_secret.clone()).await;
    webhooks
        .update(&webhook, body(json!({"url": old.url()})))
        .await
        .unwrap();
    create(&client).await.unwrap();
    assert!(
        old.next(Duration::from_millis(500)).await.is_none(),
        "a disabled webhook delivers nothing"
    );
    let enabled = webhooks.enable(&webhook, Call::new()).await.unwrap();
    assert_eq!(enabled.attribute_str("status"), Some("enabled"));
    assert!(
        enabled.attribute("secret").is_none(),
        "secrets only where the schema has them"
    );
    create(&client).await.unwrap();
    let delivered = old.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!(delivered.event.unwrap().name, "inquiry.created");
    // Events it does not listen for are not sent.
    let inquiry = id(&create(&client).await.unwrap());
    old.next(Duration::from_secs(5)).await.unwrap();
    client
        .api()
        .inquiries()
        .simulate(&inquiry, &[SimulateAction::StartInquiry], Call::new())
        .await
        .unwrap();
    assert!(old.next(Duration::from_millis(500)).await.is_none());
    // Rotation: the old secret keeps signing for the overlap, beside the new one.
    let rotated = webhooks
        .rotate_secret(
            &webhook,
            Call::new().body(json!({"meta": {"expires-in-seconds": 3600}})),
        )
        .await
        .unwrap();
    let second_secret = rotated.attribute_str("secret").unwrap().to_owned();
    assert_ne!(second_secret, first_secret);
    assert_eq!(
        rotated
            .attribute("secrets")
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    create(&client).await.unwrap();
    assert!(
        old.next(Duration::from_secs(5))
            .await
            .unwrap()
            .event
            .is_ok(),
        "the old secret still verifies"
    );
    let mut new = receiver_for(second_secret).await;
    webhooks
        .update(&webhook, body(json!({"url": new.url()})))
        .await
        .unwrap();
    create(&client).await.unwrap();
    assert!(
        new.next(Duration::from_secs(5))
            .await
            .unwrap()
            .event
            .is_ok(),
        "the new secret verifies"
    );
    // Disabled again: silence.
    webhooks.disable(&webhook, Call::new()).await.unwrap();
    create(&client).await.unwrap();
    assert!(new.next(Duration::from_millis(500)).await.is_none());
    let listed = webhooks.list(Call::new()).await.unwrap();
    assert!(listed.data()[0]["attributes"].get("secret").is_none());
}

/// The lifecycles of Persona's docs beyond the inquiry's (sandbox/src/lifecycle.rs), and the
/// objects Persona makes on its own appearing when it would make them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycles_and_objects_persona_makes() {
    let sandbox = start().await;
    let client = client(&sandbox, bearer());
    let api = client.api();
    let status = |response: &ApiResponse| response.attribute("status").cloned();

    // A case opens in its template's initial status, is assigned, and resolves on an end status.
    let case = api
        .cases()
        .create(Call::new().body(json!({
            "data": {"attributes": {"case-template-id": "ctmpl_test"}},
            "meta": {"sla-expires-in-seconds": 7200},
        })))
        .await
        .unwrap();
    let case_id = id(&case);
    assert_eq!(status(&case), Some(json!("Open")));
    assert!(case.attribute("sla-expires-at").unwrap().is_string());
    let assigned = api
        .cases()
        .assign(
            &case_id,
            Call::new().body(json!({"meta": {"user-email-address": "reviewer@example.com"}})),
        )
        .await
        .unwrap();
    assert_eq!(
        assigned.attribute("assignee-id"),
        Some(&json!("reviewer@example.com"))
    );
    assert!(assigned.attribute("assigned-at").unwrap().is_string());
    let set = |status: &'static str| Call::new().body(json!({"meta": {"status": status}}));
    let resolved = api
        .cases()
        .set_status(&case_id, set("Approved"))
        .await
        .unwrap();
    assert_eq!(resolved.attribute("resolution"), Some(&json!("Approved")));
    assert!(resolved.attribute("resolved-at").unwrap().is_string());
    let reopened = api
        .cases()
        .set_status(&case_id, set("Pending"))
        .await
        .unwrap();
    assert_eq!(reopened.attribute("resolved-at"), Some(&Value::Null));

    // A report is pending when made and ready by the next request; a re-run is pending again.
    let report = api
        .reports()
        .create(
            Call::new().body(json!({"data": {"attributes": {"report-template-id": "rptp_test"}}})),
        )
        .await
        .unwrap();
    let report_id = id(&report);
    assert_eq!(status(&report), Some(json!("pending")));
    let ready = api
        .reports()
        .retrieve(&report_id, Call::new())
        .await
        .unwrap();
    assert_eq!(status(&ready), Some(json!("ready")));
    assert!(ready.attribute("completed-at").unwrap().is_string());
    let rerun = api.reports().run(&report_id, Call::new()).await.unwrap();
    assert_eq!(status(&rerun), Some(json!("pending")));
    let resumed = api.reports().resume(&report_id, Call::new()).await.unwrap();
    assert_eq!(resumed.attribute("is-continuous"), Some(&json!(true)));
    assert_eq!(status(&resumed), Some(json!("ready")));
    let paused = api.reports().pause(&report_id, Call::new()).await.unwrap();
    assert_eq!(paused.attribute("is-continuous"), Some(&json!(false)));

    // An API key expires when told (it has no status).
    let key = api.api_keys().create(Call::new()).await.unwrap();
    let expired = api
        .api_keys()
        .expire(
            &id(&key),
            Call::new().body(json!({"meta": {"expires-in-seconds": 60}})),
        )
        .await
        .unwrap();
    assert!(expired.attribute("expires-at").unwrap().is_string());

    // Triggering a workflow makes a run, in progress, then completed.
    let run = api
        .workflows()
        .trigger(
            "wfl_test",
            Call::new().body(json!({"data": {"attributes": {}}})),
        )
        .await
        .unwrap();
    assert_eq!(run.data()["type"], "workflow-run");
    assert_eq!(status(&run), Some(json!("in_progress")));
    let done = api
        .workflows()
        .retrieve_workflow_run(&id(&run), Call::new())
        .await
        .unwrap();
    assert_eq!(status(&done), Some(json!("completed")));

    // A session opening records its device; the template id names a verification's type.
    let inquiry = create(&client).await.unwrap();
    let inquiry_id = id(&inquiry);
    let resumed = api
        .inquiries()
        .resume(&inquiry_id, Call::new())
        .await
        .unwrap();
    let session_id = resumed.data()["relationships"]["sessions"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let devices = api
        .devices()
        .list(Call::new().filter("inquiry-session-id", session_id.as_str()))
        .await
        .unwrap();
    let device_id = devices.data()[0]["id"].as_str().unwrap().to_owned();
    assert!(device_id.starts_with("dev_"));
    api.devices()
        .retrieve(&device_id, Call::new())
        .await
        .unwrap();
    api.inquiries()
        .simulate(
            &inquiry_id,
            &[
                SimulateAction::StartInquiry,
                SimulateAction::CreatePassedVerification {
                    verification_template_id: "vtmpl_selfie_test".into(),
                },
            ],
            Call::new(),
        )
        .await
        .unwrap();
    let with = api
        .inquiries()
        .retrieve(&inquiry_id, Call::new().include(["verifications"]))
        .await
        .unwrap();
    let selfie = with.body["included"]
        .as_array()
        .unwrap()
        .iter()
        .find(|object| object["type"] == "verification/selfie")
        .expect("a selfie verification");
    api.selfie_verifications()
        .retrieve(selfie["id"].as_str().unwrap(), Call::new())
        .await
        .unwrap();

    // A request to the sandbox's admin routes (its dashboard) is a user audit log.
    let stats = loopback_http()
        .get(format!("{}/_sandbox/stats", sandbox.origin()))
        .bearer_auth(sandbox.admin_token().expose())
        .send()
        .await
        .unwrap();
    assert!(stats.status().is_success());
    let logs = api.user_audit_logs().list(Call::new()).await.unwrap();
    assert_eq!(logs.data()[0]["attributes"]["path"], "/_sandbox/stats");
}
