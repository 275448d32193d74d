//! Runs the shared known-answer vectors (`tests/vectors/*.json`) against the Rust core.
//!
//! The vectors were produced by an independent Python implementation (`tests/vectors/generate.py`).
//! Each failure names the case and the first intermediate step that diverged.

// Test code: a failed unwrap or panic is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use base64::Engine as _;
use persona::canonical::{RequestTarget, body_sha256_hex, canonical_query};
use persona::{
    PersonaError, RequestSigner, RequestVerifier, WebhookEvent, WebhookVerifier, sign_webhook,
};
use serde_json::Value;

fn load(name: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["schema"], 1, "{name}: unknown schema");
    let cases = doc["cases"].as_array().unwrap().clone();
    assert!(cases.len() >= 30, "{name}: only {} cases", cases.len());
    cases
}

fn body(value: &Value) -> Vec<u8> {
    body_of(value)
}

fn body_of(value: &Value) -> Vec<u8> {
    if let Some(text) = value.get("utf8") {
        text.as_str().unwrap().as_bytes().to_vec()
    } else if let Some(b64) = value.get("base64") {
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap()
    } else if let Some(unit) = value.get("repeat") {
        unit.as_str()
            .unwrap()
            .repeat(usize::try_from(value["times"].as_u64().unwrap()).unwrap())
            .into_bytes()
    } else {
        panic!("unknown body form {value}")
    }
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing string `{key}` in {value}"))
}

/// "ok", or the error's code and message: both are part of the contract, the same in every
/// language.
fn outcome(result: Result<impl Sized, PersonaError>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(err) => format!("{} ({err})", err.code()),
    }
}

/// What an `expected` object (or an event's error) says the outcome is.
fn expected_outcome(expected: &Value) -> String {
    match expected.get("error") {
        Some(code) => format!(
            "{} ({})",
            code.as_str().unwrap(),
            str_of(expected, "message")
        ),
        None => "ok".into(),
    }
}

#[test]
fn request_signing_vectors() {
    let mut failures = Vec::new();
    let mut counted = 0;
    for case in load("request_signing.json") {
        let name = str_of(&case, "name");
        counted += 1;
        match str_of(&case, "op") {
            "sign" => check_sign(name, &case, &mut failures),
            "verify" => check_verify(name, &case, &mut failures),
            op => failures.push(format!("{name}: unknown op {op}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {counted} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check_sign(name: &str, case: &Value, failures: &mut Vec<String>) {
    let input = &case["input"];
    let expected = &case["expected"];
    let body = body(&input["body"]);
    let result =
        RequestSigner::new(str_of(input, "key_id"), str_of(input, "secret")).and_then(|signer| {
            signer.sign_with(
                str_of(input, "method"),
                str_of(input, "url"),
                &body,
                input["timestamp"].as_i64(),
                Some(str_of(input, "nonce")),
            )
        });
    if expected.get("error").is_some() {
        let (want, got) = (expected_outcome(expected), outcome(result));
        if got != want {
            failures.push(format!("{name}:\n  want {want}\n  got  {got}"));
        }
        return;
    }
    let signed = match result {
        Ok(signed) => signed,
        Err(err) => return failures.push(format!("{name}: unexpected error {}", err.code())),
    };
    // Intermediate steps first, so the report names the step that diverged.
    if signed.body_sha256() != str_of(expected, "body_sha256") {
        failures.push(format!("{name}: body hash differs"));
    } else if signed.canonical_request() != str_of(expected, "canonical_request") {
        failures.push(format!(
            "{name}: canonical request differs\n  want {:?}\n  got  {:?}",
            str_of(expected, "canonical_request"),
            signed.canonical_request()
        ));
    } else if signed.signature() != str_of(expected, "signature") {
        failures.push(format!("{name}: signature differs (MAC step)"));
    }
    let want: Vec<(String, String)> = serde_json::from_value(expected["headers"].clone()).unwrap();
    let got: Vec<(String, String)> = signed
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    if want != got {
        failures.push(format!(
            "{name}: headers differ\n  want {want:?}\n  got  {got:?}"
        ));
    }
    let mac = base64::engine::general_purpose::STANDARD
        .decode(signed.signature())
        .unwrap();
    if hex::encode(mac) != str_of(expected, "mac_hex") {
        failures.push(format!("{name}: mac_hex differs"));
    }
}

fn check_verify(name: &str, case: &Value, failures: &mut Vec<String>) {
    let config = &case["verifier"];
    let mut builder =
        RequestVerifier::builder().tolerance_secs(config["tolerance"].as_u64().unwrap());
    for key in config["keys"].as_array().unwrap() {
        for secret in key["secrets"].as_array().unwrap() {
            builder = builder.key(str_of(key, "key_id"), secret.as_str().unwrap());
        }
    }
    if config["replay_cache"].as_bool().unwrap() {
        builder = builder.replay_cache(10_000);
    }
    let verifier = builder.build().unwrap();
    for (index, step) in case["steps"].as_array().unwrap().iter().enumerate() {
        let request = &step["request"];
        let headers: Vec<(String, String)> =
            serde_json::from_value(request["headers"].clone()).unwrap();
        let result = verifier.verify_at(
            str_of(request, "method"),
            str_of(request, "url"),
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            &body(&request["body"]),
            step["now"].as_i64().unwrap(),
        );
        let expected = &step["expected"];
        let got = match &result {
            Ok(ok) => format!("valid {}", ok.key_id),
            Err(PersonaError::RequestRejected(persona::RequestRejection::MissingHeader(h))) => {
                format!("missing_header {h} ({})", result.as_ref().unwrap_err())
            }
            Err(err) => format!("{} ({err})", err.code()),
        };
        let want = if expected["valid"].as_bool().unwrap() {
            format!("valid {}", str_of(expected, "key_id"))
        } else if str_of(expected, "error") == "missing_header" {
            format!(
                "missing_header {} ({})",
                str_of(expected, "header"),
                str_of(expected, "message")
            )
        } else {
            expected_outcome(expected)
        };
        if got != want {
            let mut hint = String::new();
            if let Some(canonical) = step.get("canonical_request").and_then(Value::as_str) {
                let target = RequestTarget::parse(str_of(request, "url"));
                if let Ok(target) = target {
                    let ours = (
                        &*target.path,
                        canonical_query(&target.query),
                        body_sha256_hex(&body(&request["body"])),
                    );
                    hint = format!(
                        "\n  vector canonical {canonical:?}\n  our path/query/hash {ours:?}"
                    );
                }
            }
            failures.push(format!("{name} step {index}: want {want}, got {got}{hint}"));
        }
    }
}

#[test]
fn webhook_vectors() {
    let mut failures = Vec::new();
    let cases = load("webhooks.json");
    for case in &cases {
        let name = str_of(case, "name");
        let body = body(&case["body"]);
        match str_of(case, "op") {
            "sign" => {
                let got = sign_webhook(
                    str_of(case, "secret"),
                    &body,
                    case["timestamp"].as_i64().unwrap(),
                );
                let want = str_of(&case["expected"], "header");
                if got.as_deref().ok() != Some(want) {
                    failures.push(format!("{name}: want {want}, got {got:?}"));
                }
            }
            "verify" => {
                let secrets: Vec<String> = serde_json::from_value(case["secrets"].clone()).unwrap();
                let verifier = WebhookVerifier::new(secrets)
                    .unwrap()
                    .with_tolerance_secs(case["tolerance"].as_u64().unwrap());
                // A string, null (absent: the core is given ""), or a BODY object (a NUL inside).
                let header = match &case["header"] {
                    Value::Null => String::new(),
                    Value::String(text) => text.clone(),
                    other => String::from_utf8(body_of(other)).unwrap(),
                };
                let now = case["now"].as_i64().unwrap();
                let got = outcome(verifier.verify_at(&header, &body, now));
                let expected = &case["expected"];
                let want = if expected["valid"].as_bool().unwrap() {
                    "ok".to_owned()
                } else {
                    expected_outcome(expected)
                };
                if got != want {
                    failures.push(format!("{name}:\n  want {want}\n  got  {got}"));
                }
                if let Some(event) = case.get("event").filter(|e| !e.is_null()) {
                    check_event(
                        name,
                        event,
                        verifier.verify_event_at(&header, &body, now),
                        &mut failures,
                    );
                }
            }
            op => failures.push(format!("{name}: unknown op {op}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The event a verified body gives: its fields and payload, or the vector's error and message.
fn check_event(
    name: &str,
    event: &Value,
    result: Result<WebhookEvent, PersonaError>,
    failures: &mut Vec<String>,
) {
    let got = match result {
        Ok(got) => got,
        Err(err) => {
            let got = format!("{} ({err})", err.code());
            if got != expected_outcome(event) {
                failures.push(format!("{name}: event\n  want {event}\n  got  {got}"));
            }
            return;
        }
    };
    if event.get("error").is_some() {
        return failures.push(format!("{name}: event want {event}, got {got:?}"));
    }
    let fields = (
        got.id.as_str(),
        got.name.as_str(),
        got.created_at.as_deref(),
    );
    let want = (
        str_of(event, "id"),
        str_of(event, "name"),
        event["created_at"].as_str(),
    );
    if fields != want {
        failures.push(format!("{name}: event want {want:?}, got {fields:?}"));
    }
    let payload: Value = serde_json::from_str(&got.payload_json).unwrap();
    if payload != event["payload"] {
        failures.push(format!(
            "{name}: payload want {}, got {payload}",
            event["payload"]
        ));
    }
}
