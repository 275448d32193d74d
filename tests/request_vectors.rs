//! Replays `tests/vectors/requests.json` (generated from Persona's OpenAPI document by
//! `api/generate.py`) through the Rust client against a capturing loopback server: every one of
//! the 167 operations must send exactly the request its vector pins — method, path, query,
//! the listed headers and body, byte for byte — and read its answer as the operation declares.

#![cfg(feature = "client")]
// Test code: a failed unwrap or panic is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::mpsc;

use persona::client::{BlockingClient, Call, Client, Operation, Reply};

#[path = "support/typed_dispatch.rs"]
mod typed_dispatch;
use persona::credentials::{ApiKey, Credentials};
use serde_json::Value;

const PDF: &[u8] = b"%PDF-1.4 request vector";

/// One request as the server read it.
#[derive(Debug)]
struct Captured {
    method: String,
    target: String,
    headers: BTreeMap<String, Vec<String>>,
    body: Vec<u8>,
}

/// A loopback HTTP/1.1 server, one connection per request: reads each request whole, answers it
/// with `answer(request)` (a content type and a body) and passes the request on.
fn loopback_server(
    answer: impl Fn(&Captured) -> (&'static str, Vec<u8>) + Send + 'static,
) -> (String, mpsc::Receiver<Captured>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut parts = line.split_whitespace();
            let (method, target) = (
                parts.next().unwrap().to_owned(),
                parts.next().unwrap().to_owned(),
            );
            let mut headers: BTreeMap<String, Vec<String>> = BTreeMap::new();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                let header = line.trim_end();
                if header.is_empty() {
                    break;
                }
                let (name, value) = header.split_once(':').unwrap();
                headers
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .push(value.trim().to_owned());
            }
            let length = headers
                .get("content-length")
                .map_or(0, |v| v[0].parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let request = Captured {
                method,
                target,
                headers,
                body,
            };
            let (kind, answer) = answer(&request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nRequest-Id: req_vec\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&answer).unwrap();
            // The test may have stopped listening (the list server's requests are not read).
            let _ = sender.send(request);
        }
    });
    (format!("http://{address}"), receiver)
}

/// The capturing server of the vectors: a JSON:API document, or a PDF for `…/print`.
fn capturing_server() -> (String, mpsc::Receiver<Captured>) {
    loopback_server(|request| {
        if request
            .target
            .split('?')
            .next()
            .unwrap()
            .ends_with("/print")
        {
            ("application/pdf", PDF.to_vec())
        } else {
            ("application/json", br#"{"data":{"type":"vector","id":"vec_1","attributes":{}},"included":[],"meta":{"m":1},"links":{}}"#.to_vec())
        }
    })
}

#[test]
fn every_operation_sends_the_request_its_vector_pins() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/requests.json");
    let document: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(document["schema"], 1);
    let cases = document["cases"].as_array().unwrap();
    let (origin, captured) = capturing_server();
    let base_path = document["base_path"].as_str().unwrap();
    let client = Client::builder()
        .credentials(Credentials::ApiKey(
            ApiKey::new("persona_sandbox_vectors").unwrap(),
        ))
        .base_url(format!("{origin}{base_path}"))
        .max_retries(0)
        .build()
        .unwrap();
    let blocking = BlockingClient::new(client);
    let mut covered = std::collections::BTreeSet::new();
    let mut typed = std::collections::BTreeSet::new();
    // Each vector twice: by operation id, and through the generated typed (blocking) method.
    for (case, through_typed) in cases.iter().flat_map(|case| [(case, false), (case, true)]) {
        let name = case["name"].as_str().unwrap();
        let operation_id = case["call"]["operation"].as_str().unwrap();
        let reply = if through_typed {
            let mut call_json = case["call"].clone();
            let path = call_json
                .as_object_mut()
                .unwrap()
                .remove("path")
                .unwrap_or_default();
            let call = Call::from_json(&call_json).unwrap_or_else(|e| panic!("{name}: {e}"));
            let path_value = |param: &str| path[param].as_str().unwrap().to_owned();
            let reply = typed_dispatch::dispatch(&blocking.api(), operation_id, &path_value, call)
                .unwrap_or_else(|| panic!("{name}: no typed method"));
            typed.insert(operation_id.to_owned());
            reply
        } else {
            let call = Call::from_json(&case["call"]).unwrap_or_else(|e| panic!("{name}: {e}"));
            blocking.run(|c| async move { c.call_by_id(operation_id, &call).await })
        }
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = captured.recv().unwrap();
        let want = &case["request"];
        let (path, query) = got.target.split_once('?').unwrap_or((&got.target, ""));
        assert_eq!(got.method, want["method"], "{name}: method");
        assert_eq!(path, want["path"], "{name}: path");
        assert_eq!(query, want["query"], "{name}: query");
        for (header, value) in want["headers"].as_object().unwrap() {
            let values = got.headers.get(&header.to_ascii_lowercase());
            assert_eq!(
                values,
                Some(&vec![value.as_str().unwrap().to_owned()]),
                "{name}: header {header}"
            );
        }
        if want["method"] != "POST" {
            assert!(
                !got.headers.contains_key("idempotency-key"),
                "{name}: Idempotency-Key on a {}",
                got.method
            );
        }
        if want["body"] == "" {
            assert!(
                !got.headers.contains_key("content-type"),
                "{name}: Content-Type without a body"
            );
        }
        assert_eq!(
            String::from_utf8(got.body).unwrap(),
            want["body"],
            "{name}: body"
        );
        assert_eq!(
            got.headers["authorization"],
            ["Bearer persona_sandbox_vectors"],
            "{name}"
        );
        match (case["response"]["kind"].as_str().unwrap(), reply) {
            ("json", Reply::Json(response)) => {
                assert_eq!(response.body["meta"]["m"], 1, "{name}: meta kept");
                assert_eq!(response.request_id.as_deref(), Some("req_vec"));
            }
            ("pdf", Reply::Binary(binary)) => assert_eq!(binary.bytes, PDF, "{name}"),
            (kind, reply) => panic!("{name}: a {kind} operation answered {reply:?}"),
        }
        covered.insert(operation_id.to_owned());
    }
    let all: std::collections::BTreeSet<_> =
        Operation::all().iter().map(|o| o.id.to_owned()).collect();
    let missing: Vec<_> = all.difference(&covered).collect();
    println!(
        "Rust: {}/{} operations replayed, {}/{} typed",
        covered.len(),
        all.len(),
        typed.len(),
        all.len()
    );
    assert!(
        missing.is_empty(),
        "operations without a replayed vector: {missing:?}"
    );
    assert_eq!(
        typed, covered,
        "operations replayed without their typed method"
    );
    assert_eq!(all.len(), 167);
}

#[test]
fn persona_version_is_the_documents_settable_per_call_and_can_be_left_to_the_key() {
    let (origin, captured) = capturing_server();
    let operation = Operation::find("retrieve-an-inquiry").unwrap();
    let call = Call::new().path("inquiry-id", "inq_1");
    let version_of = |client: Client, call: Call| {
        BlockingClient::new(client)
            .run(|c| async move { c.call(operation, &call).await })
            .unwrap();
        captured
            .recv()
            .unwrap()
            .headers
            .get("persona-version")
            .cloned()
    };
    let build = |version: Option<&str>| {
        let mut builder = Client::builder()
            .credentials(Credentials::ApiKey(
                ApiKey::new("persona_sandbox_v").unwrap(),
            ))
            .base_url(format!("{origin}/api/v1"));
        if let Some(version) = version {
            builder = builder.persona_version(version);
        }
        builder.build().unwrap()
    };
    assert_eq!(
        version_of(build(None), call.clone()),
        Some(vec!["2023-01-05".to_owned()])
    );
    assert_eq!(
        version_of(build(Some("2025-10-27")), call.clone()),
        Some(vec!["2025-10-27".to_owned()])
    );
    // "none": no header at all — the API key's version (set in Persona's dashboard) applies.
    assert_eq!(version_of(build(Some("none")), call.clone()), None);
    // A call's own version wins either way.
    let pinned = call.persona_version("2023-01-05");
    assert_eq!(
        version_of(build(Some("none")), pinned),
        Some(vec!["2023-01-05".to_owned()])
    );
    assert!(
        Client::builder()
            .credentials(Credentials::ApiKey(
                ApiKey::new("persona_sandbox_v").unwrap()
            ))
            .persona_version("two words")
            .build()
            .is_err()
    );
}

/// A loopback list server over ids 1..=7, pages of 3: `page[after]=N` gives the ids after N,
/// `page[before]=N` those before N, with `links.next`/`links.prev` as Persona writes them.
fn list_server() -> String {
    let (origin, _requests) = loopback_server(|request| {
        let target = &request.target;
        let url = url::Url::parse(&format!("http://x{target}")).unwrap();
        let query: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
        let number = |key: &str| {
            query
                .get(key)
                .map(|v| v.trim_start_matches("inq_").parse::<u32>().unwrap())
        };
        let ids: Vec<u32> = match (number("page[after]"), number("page[before]")) {
            (Some(after), _) => (after + 1..=7).take(3).collect(),
            (None, Some(before)) => (1..before)
                .rev()
                .take(3)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
            (None, None) => (1..=3).collect(),
        };
        let link = |key: &str, id: u32| {
            format!("/api/v1/inquiries?page%5B{key}%5D=inq_{id}&page%5Bsize%5D=3")
        };
        let next = ids
            .last()
            .filter(|last| **last < 7)
            .map(|last| link("after", *last));
        let prev = ids
            .first()
            .filter(|first| **first > 1)
            .map(|first| link("before", *first));
        let body = serde_json::json!({
                "data": ids.iter().map(|id| serde_json::json!({"type": "inquiry", "id": format!("inq_{id}")})).collect::<Vec<_>>(),
                "links": {"next": next, "prev": prev},
            })
            .to_string();
        ("application/json", body.into_bytes())
    });
    format!("{origin}/api/v1")
}

#[test]
fn list_operations_page_forward_and_backward() {
    use persona::client::Direction;
    let client = Client::builder()
        .credentials(Credentials::ApiKey(
            ApiKey::new("persona_sandbox_pages").unwrap(),
        ))
        .base_url(list_server())
        .build()
        .unwrap();
    let blocking = BlockingClient::new(client);
    let walk = |call: Call, direction: Direction| {
        blocking
            .run(|c| async move {
                let mut pages = c.api().inquiries().list_pages(call, direction)?;
                let mut seen = Vec::new();
                while let Some(page) = pages.next().await {
                    let page = page?;
                    let ids: Vec<String> = page.body["data"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r["id"].as_str().unwrap().to_owned())
                        .collect();
                    seen.push(ids);
                }
                Ok(seen)
            })
            .unwrap()
    };
    let forward = walk(Call::new().page_size(3), Direction::Forward);
    assert_eq!(
        forward,
        [
            vec!["inq_1", "inq_2", "inq_3"],
            vec!["inq_4", "inq_5", "inq_6"],
            vec!["inq_7"]
        ]
    );
    // The blocking pages are the same walk, as an iterator.
    let blocking_forward: Vec<Vec<String>> = blocking
        .api()
        .inquiries()
        .list_pages(Call::new().page_size(3), Direction::Forward)
        .unwrap()
        .map(|page| {
            page.unwrap().body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(blocking_forward, forward);
    let backward = walk(
        Call::new().page_size(3).page_before("inq_7"),
        Direction::Backward,
    );
    assert_eq!(
        backward,
        [
            vec!["inq_4", "inq_5", "inq_6"],
            vec!["inq_1", "inq_2", "inq_3"]
        ]
    );
    let error = blocking
        .run(|c| async move {
            c.pages(
                Operation::find("retrieve-an-inquiry").unwrap(),
                Call::new(),
                Direction::Forward,
            )
            .map(|_| ())
        })
        .unwrap_err();
    assert_eq!(error.code(), "invalid_argument");
}

#[test]
fn webhook_event_names_are_the_documents_and_open() {
    use persona::webhook::EventName;
    assert_eq!(EventName::KNOWN.len(), 15);
    assert_eq!(
        EventName::parse("inquiry.completed"),
        EventName::InquiryCompleted
    );
    assert_eq!(EventName::InquiryCompleted.resource_type(), Some("inquiry"));
    assert_eq!(
        EventName::parse("account.tag-added").resource_type(),
        Some("account")
    );
    let unknown = EventName::parse("report/watchlist.matched");
    assert_eq!(unknown, EventName::Other("report/watchlist.matched".into()));
    assert_eq!(
        (unknown.as_str(), unknown.resource_type()),
        ("report/watchlist.matched", None)
    );
    for (name, _) in EventName::KNOWN {
        assert_eq!(EventName::parse(name).as_str(), name);
    }
}

#[test]
fn simulate_sends_the_documents_body_by_one_rule() {
    use persona::client::{SimulateAction, simulate_actions_body};
    let (origin, captured) = capturing_server();
    let client = Client::builder()
        .credentials(Credentials::ApiKey(
            ApiKey::new("persona_sandbox_simulate").unwrap(),
        ))
        .base_url(format!("{origin}/api/v1"))
        .build()
        .unwrap();
    let actions = [
        SimulateAction::StartInquiry,
        SimulateAction::named("approve_inquiry").unwrap(),
        SimulateAction::named("a_new_action").unwrap(),
        SimulateAction::CreatePassedVerification {
            verification_template_id: "vtmpl_1".into(),
        },
    ];
    BlockingClient::new(client)
        .api()
        .inquiries()
        .simulate("inq_1", &actions, Call::new())
        .unwrap();
    let request = captured.recv().unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.target,
        "/api/v1/inquiries/inq_1/perform-simulate-actions"
    );
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body, simulate_actions_body(&actions));
    assert_eq!(
        body,
        serde_json::json!({"meta": {"simulate-actions": [
            {"type": "start_inquiry"}, {"type": "approve_inquiry"}, {"type": "a_new_action"},
            {"type": "create_passed_verification", "data": {"verification-template-id": "vtmpl_1"}}
        ]}})
    );
    assert_eq!(
        actions[2],
        SimulateAction::Other("a_new_action".into()),
        "an unlisted action is kept by name"
    );
    let error = SimulateAction::named("create_failed_verification").unwrap_err();
    assert_eq!(error.code(), "invalid_argument");
    assert!(error.to_string().contains("verification-template-id"));
}
