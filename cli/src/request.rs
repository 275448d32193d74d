//! `persona sign` and `persona verify-request`.

use std::path::PathBuf;

use clap::Args;
use persona::{RequestSigner, RequestVerifier};

use super::CommandResult;
use super::input::{env_var, parse_unix_seconds, read_body, read_headers, secrets, signing_secret};

const KEY_ID_VAR: &str = "PERSONA_API_KEY_ID";
const SECRET_VAR: &str = "PERSONA_API_KEY_SECRET";

#[derive(Args)]
pub(crate) struct SignArgs {
    /// HTTP method (e.g. GET, POST).
    #[arg(long)]
    method: String,
    /// Absolute http(s) URL, or an origin-form target such as `/api/v1/inquiries?x=1`.
    #[arg(long)]
    url: String,
    /// File holding the exact body bytes (`-` for stdin); omitted means an empty body.
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// Unix seconds to sign with (default: now).
    #[arg(long, value_parser = parse_unix_seconds)]
    timestamp: Option<i64>,
    /// Nonce to sign with, 8-128 chars of [A-Za-z0-9._~-] (default: 32 random hex chars).
    #[arg(long)]
    nonce: Option<String>,
    /// Also print the canonical request to stderr (for debugging a mismatch).
    #[arg(long)]
    print_canonical: bool,
    /// Secrets, one per line (the first signs), instead of PERSONA_API_KEY_SECRET.
    #[arg(long, value_name = "FILE")]
    secrets_file: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// HTTP method of the received request.
    #[arg(long)]
    method: String,
    /// URL (or origin-form target) of the received request.
    #[arg(long)]
    url: String,
    /// File holding the exact body bytes (`-` for stdin); omitted means an empty body.
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// File of `Name: value` lines, as printed by `persona sign` (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    headers_file: PathBuf,
    /// Unix seconds to verify at (default: now).
    #[arg(long, value_parser = parse_unix_seconds)]
    now: Option<i64>,
    /// Allowed |now - timestamp| in seconds (0 = same second only).
    #[arg(long, default_value_t = persona::verifier::DEFAULT_TOLERANCE_SECS)]
    tolerance: u64,
    /// Secrets, one per line (commas are part of a secret), instead of PERSONA_API_KEY_SECRET.
    #[arg(long, value_name = "FILE")]
    secrets_file: Option<PathBuf>,
}

/// Signs with `PERSONA_API_KEY_ID` and the first secret in `PERSONA_API_KEY_SECRET`.
pub(crate) fn sign(args: &SignArgs) -> CommandResult {
    let key_id = env_var(KEY_ID_VAR)?;
    let secret = signing_secret(SECRET_VAR, args.secrets_file.as_deref())?;
    let body = read_body(args.body_file.as_deref())?;
    let signer = RequestSigner::new(key_id, secret)?;
    let signed = signer.sign_with(
        &args.method,
        &args.url,
        &body,
        args.timestamp,
        args.nonce.as_deref(),
    )?;
    for (name, value) in signed.headers() {
        println!("{name}: {value}");
    }
    if args.print_canonical {
        eprintln!("{}", signed.canonical_request());
    }
    Ok(())
}

/// Verifies against key id `PERSONA_API_KEY_ID` with the secrets in `PERSONA_API_KEY_SECRET`.
pub(crate) fn verify(args: &VerifyArgs) -> CommandResult {
    let key_id = env_var(KEY_ID_VAR)?;
    let secrets = secrets(SECRET_VAR, args.secrets_file.as_deref())?;
    let body = read_body(args.body_file.as_deref())?;
    let headers = read_headers(&args.headers_file)?;
    let verifier = secrets
        .into_iter()
        .fold(RequestVerifier::builder(), |builder, secret| {
            builder.key(key_id.clone(), secret)
        })
        .tolerance_secs(args.tolerance)
        .build()?;
    let now = args.now.unwrap_or_else(persona::clock::unix_now);
    let verified = verifier.verify_at(
        &args.method,
        &args.url,
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        &body,
        now,
    )?;
    println!("{}", verified.key_id);
    Ok(())
}
