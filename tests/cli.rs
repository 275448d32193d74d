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
        (
            vec![
                "webhook",
                "verify",
                "--header",
                "t=1,v1=00",
                "--body-file",
                body,
            ],
            vec![],
        ),
        (
            vec![
                "webhook",
                "verify",
                "--header",
                "t=1,v1=00",
                "--body-file",
                body,
            ],
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

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["sign", "--help"],
        vec!["verify-request", "--help"],
        vec!["webhook", "--help"],
        vec!["webhook", "sign", "--help"],
        vec!["webhook", "verify", "--help"],
    ] {
        let output = persona(&args, &[], None);
        assert_eq!(code(&output), 0, "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}
