//! The `persona` binary, run as a user would: exit codes, output formats, and no secret ever
//! printed (every output is searched for the secret).

// Test code: a failed unwrap or panic is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const KEY_ID: &str = "kid_cli";
const SECRET: &str = "cli-SECRET-value-0123";
const WEBHOOK_SECRET: &str = "wbhsec_CLI-webhook-secret";

fn persona(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_persona"));
    command
        .args(args)
        .env_remove("PERSONA_API_KEY_ID")
        .env_remove("PERSONA_API_KEY_SECRET")
        .env_remove("PERSONA_WEBHOOK_SECRET")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or_default()).unwrap();
    drop(pipe);
    let output = child.wait_with_output().unwrap();
    let all = [output.stdout.as_slice(), output.stderr.as_slice()].concat();
    let text = String::from_utf8_lossy(&all);
    for secret in [SECRET, WEBHOOK_SECRET] {
        assert!(
            !text.contains(secret),
            "secret leaked in output of {args:?}: {text}"
        );
    }
    output
}

fn keys() -> Vec<(&'static str, &'static str)> {
    vec![
        ("PERSONA_API_KEY_ID", KEY_ID),
        ("PERSONA_API_KEY_SECRET", SECRET),
    ]
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("persona-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn sign_then_verify_request() {
    let body = temp_file("body.bin", b"{\"x\":1}\0\xff");
    let body = body.to_str().unwrap();
    let signed = persona(
        &[
            "sign",
            "--method",
            "post",
            "--url",
            "https://api.example.com/v1/x?b=2&a=1",
            "--body-file",
            body,
            "--timestamp",
            "1700000000",
            "--nonce",
            "nonce-cli-0001",
        ],
        &keys(),
        None,
    );
    assert_eq!(
        code(&signed),
        0,
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    let stdout = String::from_utf8(signed.stdout).unwrap();
    let names: Vec<&str> = stdout
        .lines()
        .map(|l| l.split_once(": ").unwrap().0)
        .collect();
    assert_eq!(
        names,
        [
            "Authorization",
            "Persona-Timestamp",
            "Persona-Nonce",
            "Persona-Signature"
        ]
    );
    let headers = temp_file("headers.txt", stdout.as_bytes());
    let headers = headers.to_str().unwrap();

    let verify = |url: &str, now: &str, env: &[(&str, &str)]| {
        persona(
            &[
                "verify-request",
                "--method",
                "POST",
                "--url",
                url,
                "--body-file",
                body,
                "--headers-file",
                headers,
                "--now",
                now,
            ],
            env,
            None,
        )
    };
    let ok = verify("/v1/x?a=1&b=2", "1700000300", &keys());
    assert_eq!(code(&ok), 0);
    assert_eq!(String::from_utf8_lossy(&ok.stdout).trim(), KEY_ID);

    let rotated = verify(
        "/v1/x?a=1&b=2",
        "1700000000",
        &[
            ("PERSONA_API_KEY_ID", KEY_ID),
            ("PERSONA_API_KEY_SECRET", &format!("old-secret,{SECRET}")),
        ],
    );
    assert_eq!(code(&rotated), 0);

    let stale = verify("/v1/x?a=1&b=2", "1700000301", &keys());
    assert_eq!(code(&stale), 1);
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert_eq!(stderr.lines().count(), 1, "one-line reason: {stderr}");
    assert!(stderr.contains("timestamp_out_of_tolerance"));

    let tampered = verify("/v1/x?a=1&b=3", "1700000000", &keys());
    assert_eq!(code(&tampered), 1);
    assert!(String::from_utf8_lossy(&tampered.stderr).contains("signature_mismatch"));
}

#[test]
fn webhook_sign_and_verify_with_stdin_body() {
    let env = [("PERSONA_WEBHOOK_SECRET", WEBHOOK_SECRET)];
    let body =
        br#"{"data":{"type":"event","id":"evt_1","attributes":{"name":"inquiry.completed"}}}"#;
    let signed = persona(
        &[
            "webhook",
            "sign",
            "--body-file",
            "-",
            "--timestamp",
            "1700000000",
        ],
        &env,
        Some(body),
    );
    assert_eq!(code(&signed), 0);
    let header = String::from_utf8(signed.stdout).unwrap().trim().to_owned();
    assert!(header.starts_with("t=1700000000,v1="));

    let verify = |header: &str, now: &str, tolerance: &str, env: &[(&str, &str)]| {
        persona(
            &[
                "webhook",
                "verify",
                "--header",
                header,
                "--body-file",
                "-",
                "--now",
                now,
                "--tolerance",
                tolerance,
            ],
            env,
            Some(body),
        )
    };
    let ok = verify(&header, "1700000000", "0", &env);
    assert_eq!(code(&ok), 0);
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout).trim(),
        "valid: inquiry.completed evt_1"
    );
    assert_eq!(code(&verify(&header, "1700000001", "0", &env)), 1);
    assert_eq!(code(&verify("", "1700000000", "300", &env)), 1);
    assert_eq!(
        code(&verify(
            &header,
            "1700000000",
            "300",
            &[(
                "PERSONA_WEBHOOK_SECRET",
                &format!("wbhsec_old,{WEBHOOK_SECRET}")
            )]
        )),
        0
    );
    assert_eq!(
        code(&verify(
            &header,
            "1700000000",
            "300",
            &[("PERSONA_WEBHOOK_SECRET", "wrong")]
        )),
        1
    );
}

/// `webhook verify` of a made-up signature over the body file at `body`.
fn webhook_verify_args(body: &str) -> [&str; 6] {
    [
        "webhook",
        "verify",
        "--header",
        "t=1,v1=00",
        "--body-file",
        body,
    ]
}

#[test]
fn configuration_and_usage_errors_exit_2() {
    let body = temp_file("empty.bin", b"");
    let body = body.to_str().unwrap();
    type Env<'a> = Vec<(&'a str, &'a str)>;
    let cases: Vec<(Vec<&str>, Env)> = vec![
        (
            vec!["sign", "--method", "GET", "--url", "https://x/"],
            vec![],
        ),
        (
            vec!["sign", "--method", "GET", "--url", "https://x/"],
            vec![
                ("PERSONA_API_KEY_ID", KEY_ID),
                ("PERSONA_API_KEY_SECRET", ""),
            ],
        ),
        (vec!["sign", "--method", "GET", "--url", "ftp://x/"], keys()),
        (
            vec![
                "sign",
                "--method",
                "GET",
                "--url",
                "https://x/",
                "--nonce",
                "short",
            ],
            keys(),
        ),
        (
            vec![
                "sign",
                "--method",
                "GET",
                "--url",
                "https://x/",
                "--timestamp",
                "-5",
            ],
            keys(),
        ),
        (
            vec![
                "sign",
                "--method",
                "GET",
                "--url",
                "https://x/",
                "--body-file",
                "/nonexistent/body",
            ],
            keys(),
        ),
        (webhook_verify_args(body).to_vec(), vec![]),
        (
            webhook_verify_args(body).to_vec(),
            vec![("PERSONA_WEBHOOK_SECRET", "a,,b")],
        ),
        (
            vec!["webhook", "sign", "--body-file", body, "--timestamp", "1.5"],
            vec![("PERSONA_WEBHOOK_SECRET", WEBHOOK_SECRET)],
        ),
        (
            vec![
                "verify-request",
                "--method",
                "GET",
                "--url",
                "/",
                "--headers-file",
                "/nonexistent",
            ],
            keys(),
        ),
        (vec!["sign", "--secret", SECRET], keys()),
        (vec!["no-such-command"], vec![]),
    ];
    for (args, env) in cases {
        let output = persona(&args, &env, None);
        assert_eq!(
            code(&output),
            2,
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Stderr's last bracketed code, e.g. `invalid_secret` from `... [invalid_secret]`.
fn error_code(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().last().unwrap_or_default();
    line.rsplit_once('[')
        .and_then(|(_, code)| code.strip_suffix(']'))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn environment_errors_carry_the_library_codes() {
    let body = temp_file("codes.bin", b"{}");
    let body = body.to_str().unwrap();
    let verify = webhook_verify_args(body);
    // An empty secret is `invalid_secret`, as on every library surface.
    for value in ["", "a,,b", "a,"] {
        let output = persona(&verify, &[("PERSONA_WEBHOOK_SECRET", value)], None);
        assert_eq!(
            (code(&output), error_code(&output).as_str()),
            (2, "invalid_secret"),
            "{value:?}"
        );
    }
    let output = persona(&verify, &[], None);
    assert_eq!(
        (code(&output), error_code(&output).as_str()),
        (2, "configuration")
    );
    let sign = ["sign", "--method", "GET", "--url", "https://x/"];
    let output = persona(
        &sign,
        &[
            ("PERSONA_API_KEY_ID", KEY_ID),
            ("PERSONA_API_KEY_SECRET", ""),
        ],
        None,
    );
    assert_eq!(error_code(&output), "invalid_secret");
    let output = persona(
        &sign,
        &[
            ("PERSONA_API_KEY_ID", ""),
            ("PERSONA_API_KEY_SECRET", SECRET),
        ],
        None,
    );
    assert_eq!(error_code(&output), "invalid_key_id");
}

#[test]
fn webhook_headers_from_a_file_or_stdin_and_secrets_with_commas() {
    let body = temp_file(
        "header-body.json",
        br#"{"data":{"type":"event","id":"evt_f","attributes":{"name":"n"}}}"#,
    );
    let body = body.to_str().unwrap();
    // A secret with a comma cannot be given in PERSONA_WEBHOOK_SECRET (a comma separates
    // secrets): a secrets file takes one per line, verbatim.
    let comma = temp_file("secret-comma.txt", b"wbhsec_with,comma\n");
    let rotation = temp_file("secrets.txt", b"old-secret\nwbhsec_with,comma\n");
    let sign = |secrets: &std::path::Path| {
        let args = [
            "webhook",
            "sign",
            "--body-file",
            body,
            "--timestamp",
            "1700000000",
            "--secrets-file",
            secrets.to_str().unwrap(),
        ];
        let signed = persona(&args, &[], None);
        assert_eq!(
            code(&signed),
            0,
            "{}",
            String::from_utf8_lossy(&signed.stderr)
        );
        String::from_utf8(signed.stdout)
            .unwrap()
            .trim_end()
            .to_owned()
    };
    let header = sign(&comma);
    let rotation = rotation.to_str().unwrap();
    let verify = |source: &[&str], stdin: Option<&[u8]>| {
        let mut args = vec![
            "webhook",
            "verify",
            "--body-file",
            body,
            "--now",
            "1700000000",
        ];
        args.extend_from_slice(source);
        args.extend_from_slice(&["--secrets-file", rotation]);
        persona(&args, &[], stdin)
    };
    let ok = verify(&["--header", &header], None);
    assert_eq!(
        (code(&ok), String::from_utf8_lossy(&ok.stdout).trim()),
        (0, "valid: n evt_f")
    );
    // Split at its comma, the secret is two other secrets: no match.
    let split = persona(
        &[
            "webhook",
            "verify",
            "--header",
            &header,
            "--body-file",
            body,
            "--now",
            "1700000000",
        ],
        &[("PERSONA_WEBHOOK_SECRET", "wbhsec_with,comma")],
        None,
    );
    assert_eq!(error_code(&split), "no_matching_signature");
    // The header from a file (one final line break dropped) and from stdin.
    let file = temp_file("header.txt", format!("{header}\n").as_bytes());
    assert_eq!(
        code(&verify(&["--header-file", file.to_str().unwrap()], None)),
        0
    );
    let piped = format!("{header}\n");
    assert_eq!(
        code(&verify(&["--header-file", "-"], Some(piped.as_bytes()))),
        0
    );
    // A header far beyond what an argument can carry (~128 KiB) reaches the library, which
    // judges it (longer than 16384 bytes: malformed) instead of the exec failing.
    let huge = format!("{header} {}", "x".repeat(200 * 1024));
    let huge_file = temp_file("huge.txt", huge.as_bytes());
    for output in [
        verify(&["--header-file", huge_file.to_str().unwrap()], None),
        verify(&["--header-file", "-"], Some(huge.as_bytes())),
    ] {
        assert_eq!(
            (code(&output), error_code(&output).as_str()),
            (1, "malformed_header")
        );
    }
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["sign", "--help"],
        vec!["verify-request", "--help"],
        vec!["webhook", "--help"],
        vec!["webhook", "sign", "--help"],
        vec!["webhook", "verify", "--help"],
        vec!["sandbox", "--help"],
        vec!["demo", "--help"],
        vec!["inquiries", "create", "--help"],
        vec!["inquiries", "list", "--help"],
        vec!["accounts", "retrieve", "--help"],
        vec![
            "list-items",
            "archive-browser-fingerprint-list-item",
            "--help",
        ],
        vec!["api", "--help"],
    ] {
        let output = persona(&args, &[], None);
        assert_eq!(code(&output), 0, "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn demo_runs_end_to_end() {
    let output = persona(&["demo"], &[], None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        code(&output),
        0,
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("inquiry.completed") || stdout.contains("webhook"),
        "{stdout}"
    );
    assert!(stdout.contains("done in"), "{stdout}");
}

/// `persona sandbox` as a subprocess (as every language's tests run it), driven by the
/// `persona inquiries`/`accounts` commands.
#[test]
fn sandbox_process_and_api_commands() {
    use std::io::BufRead;
    let api_key = "persona_sandbox_CLI-API-KEY-do-not-leak";
    let mut child = Command::new(env!("CARGO_BIN_EXE_persona"))
        .args(["sandbox", "--port", "0"])
        .env_remove("PERSONA_API_KEY_ID")
        .env_remove("PERSONA_API_KEY_SECRET")
        .env("PERSONA_API_KEY", api_key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    let mut admin_line = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first_line).unwrap();
    stdout.read_line(&mut admin_line).unwrap();
    let origin = first_line
        .trim()
        .strip_prefix("listening on ")
        .expect(&first_line)
        .to_owned();
    assert!(origin.starts_with("http://127.0.0.1:"), "{origin}");
    // No PERSONA_SANDBOX_ADMIN_TOKEN: a random admin token, printed for whoever started it.
    assert!(
        admin_line.starts_with("admin token: sbx_admin_"),
        "{admin_line}"
    );
    let base = format!("{origin}/api/v1");
    let env = [("PERSONA_API_KEY", api_key)];
    let run = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_persona"));
        command
            .args(args)
            .args(["--base-url", &base])
            .env_remove("PERSONA_API_KEY_ID")
            .env_remove("PERSONA_API_KEY_SECRET")
            .envs(env);
        let output = command.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!text.contains(api_key), "API key leaked: {text}");
        (
            output.status.code().unwrap(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (status, created) = run(&[
        "inquiries",
        "create",
        "--body",
        r#"{"data":{"attributes":{"inquiry-template-id":"itmpl_cli","reference-id":"cli-1"}}}"#,
    ]);
    assert_eq!(status, 0, "{created}");
    let created: serde_json::Value = serde_json::from_str(&created).unwrap();
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let (status, fetched) = run(&["inquiries", "retrieve", &id, "--include", "sessions"]);
    assert_eq!(status, 0);
    assert!(fetched.contains("cli-1"));
    let (status, simulated) = run(&[
        "inquiries",
        "perform-simulate-actions",
        &id,
        "--body",
        r#"{"meta":{"simulate-actions":[{"type":"start_inquiry"},{"type":"complete_inquiry"}]}}"#,
    ]);
    assert_eq!(status, 0, "{simulated}");
    assert!(simulated.contains("\"completed\""));
    let (status, listed) = run(&[
        "inquiries",
        "list",
        "--filter",
        "status=completed",
        "--page-size",
        "1",
        "--all",
    ]);
    assert_eq!(status, 0, "{listed}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&listed)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        run(&[
            "accounts",
            "create",
            "--body",
            r#"{"data":{"attributes":{"reference-id":"a1"}}}"#
        ])
        .0,
        0
    );
    assert_eq!(run(&["accounts", "list", "--all"]).0, 0);
    assert_eq!(run(&["inquiries", "retrieve", "inq_missing"]).0, 1);
    // Anything the document does not declare is refused before a request: exit 2, with the code.
    let (status, _) = run(&["inquiries", "list", "--filter", "reference_id=x"]);
    assert_eq!(status, 2);
    // The raw escape hatch.
    let (status, raw) = run(&["api", "GET", &format!("/inquiries/{id}")]);
    assert_eq!(status, 0);
    assert!(raw.contains("\"completed\""));

    // SIGTERM stops it cleanly.
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn sandbox_refuses_a_non_loopback_address_unless_allowed() {
    let output = Command::new(env!("CARGO_BIN_EXE_persona"))
        .args(["sandbox", "--host", "0.0.0.0", "--port", "0"])
        .env("PERSONA_API_KEY", "persona_sandbox_CLI-host-test")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--allow-non-loopback"), "{stderr}");
}

#[test]
fn trigger_delivers_the_event_to_the_forward_to_url() {
    use std::io::BufRead;
    let api_key = "persona_sandbox_CLI-trigger";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut receiver = runtime
        .block_on(persona_sandbox::WebhookReceiver::start(
            persona::WebhookVerifier::new([WEBHOOK_SECRET]).unwrap(),
            0,
        ))
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_persona"))
        .args(["sandbox", "--port", "0", "--forward-to", &receiver.url()])
        .env_remove("PERSONA_API_KEY_ID")
        .env_remove("PERSONA_API_KEY_SECRET")
        .env("PERSONA_API_KEY", api_key)
        .env("PERSONA_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    // Kept open to the end: the sandbox prints its admin token on the next line.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first_line).unwrap();
    let base = format!(
        "{}/api/v1",
        first_line.trim().strip_prefix("listening on ").unwrap()
    );
    let trigger = |event: &str| {
        Command::new(env!("CARGO_BIN_EXE_persona"))
            .args(["trigger", event, "--base-url", &base])
            .env_remove("PERSONA_API_KEY_ID")
            .env_remove("PERSONA_API_KEY_SECRET")
            .env("PERSONA_API_KEY", api_key)
            .output()
            .unwrap()
    };
    for event in [
        "inquiry.approved",
        "account.tag-added",
        "verification.failed",
    ] {
        let output = trigger(event);
        assert_eq!(code(&output), 0, "{output:?}");
        assert!(String::from_utf8_lossy(&output.stdout).starts_with(&format!("triggered {event}")));
        // Everything the steps emit is delivered, verified, in order; the event asked for among them.
        let mut seen = Vec::new();
        while !seen.contains(&event.to_owned()) {
            let delivery = runtime
                .block_on(receiver.next(std::time::Duration::from_secs(10)))
                .unwrap_or_else(|| panic!("no {event} delivered; saw {seen:?}"));
            seen.push(delivery.event.unwrap().kind().as_str().to_owned());
        }
    }
    let unknown = trigger("inquiry.teleported");
    assert_eq!(code(&unknown), 2);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("inquiry.completed"));
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdout);
}

/// A raw HTTP/1.1 POST of JSON to loopback (the sandbox's admin routes take no API key, so the
/// CLI's own client is not the tool); the status line.
fn post_json(origin: &str, path: &str, token: &str, body: &str) -> String {
    use std::io::Read;
    let address = origin.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

/// The cross-language matrix, the CLI's row: every operation of Persona's document as its
/// `persona <group> <operation>` command against a sandbox holding the matrix's fixtures
/// (tests/vectors/matrix.json), answering one of the statuses the matrix expects (exit 0 for a
/// success; exit 1 with Persona's `HTTP <status>` otherwise).
#[test]
fn matrix_every_operation_as_its_command_against_the_sandbox() {
    use std::io::BufRead;
    let api_key = "persona_sandbox_CLI-matrix";
    let admin = "sbx_admin_cli-matrix";
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/matrix.json");
    let matrix: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_persona"))
        .args(["sandbox", "--port", "0", "--rate-limit", "0"])
        .env_remove("PERSONA_API_KEY_ID")
        .env_remove("PERSONA_API_KEY_SECRET")
        .env("PERSONA_API_KEY", api_key)
        .env("PERSONA_SANDBOX_ADMIN_TOKEN", admin)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let origin = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let fixtures = serde_json::json!({ "fixtures": matrix["fixtures"] }).to_string();
    let status = post_json(&origin, "/_sandbox/fixtures", admin, &fixtures);
    assert!(status.contains(" 201 "), "{status}");
    let base = format!("{origin}/api/v1");
    let calls = matrix["calls"].as_array().unwrap();
    let mut failures = Vec::new();
    for entry in calls {
        let call = &entry["call"];
        let id = call["operation"].as_str().unwrap();
        let operation = persona::client::Operation::find(id).unwrap();
        let mut args: Vec<String> = vec![
            operation.group.replace('_', "-"),
            operation.name.replace('_', "-"),
        ];
        for parameter in operation.path_params {
            args.push(call["path"][*parameter].as_str().unwrap().to_owned());
        }
        if let Some(body) = call.get("body") {
            args.extend(["--body".to_owned(), body.to_string()]);
        }
        for (name, value) in call["filter"].as_object().into_iter().flatten() {
            args.extend([
                "--filter".to_owned(),
                format!("{name}={}", value.as_str().unwrap()),
            ]);
        }
        for pair in call["form"].as_array().into_iter().flatten() {
            let (name, value) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            args.extend(["--form".to_owned(), format!("{name}={value}")]);
        }
        if operation.response == persona::client::operation::ResponseKind::Pdf {
            args.extend(["--output".to_owned(), "-".to_owned()]);
        }
        let output = Command::new(env!("CARGO_BIN_EXE_persona"))
            .args(&args)
            .args(["--base-url", &base])
            .env_remove("PERSONA_API_KEY_ID")
            .env_remove("PERSONA_API_KEY_SECRET")
            .env("PERSONA_API_KEY", api_key)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let want: Vec<u64> = entry["status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|status| status.as_u64().unwrap())
            .collect();
        let ok = if output.status.success() {
            want.iter().any(|status| (200..300).contains(status))
        } else {
            stderr
                .split("HTTP ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .and_then(|status| status.parse::<u64>().ok())
                .is_some_and(|status| code(&output) == 1 && want.contains(&status))
        };
        if !ok {
            failures.push(format!("{id} ({}): {stderr}", args.join(" ")));
        }
    }
    println!(
        "CLI matrix: {}/{} operations as their commands against the sandbox",
        calls.len() - failures.len(),
        calls.len()
    );
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdout);
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(calls.len(), 167);
}
