//! `persona webhook sign` and `persona webhook verify`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use persona::{WebhookVerifier, sign_webhook};

use super::CommandResult;
use super::input::{parse_unix_seconds, read_body, read_header, secrets, signing_secret};

const SECRET_VAR: &str = "PERSONA_WEBHOOK_SECRET";

#[derive(Subcommand)]
pub(crate) enum WebhookCommand {
    /// Print a `Persona-Signature` header value for a body (signed with PERSONA_WEBHOOK_SECRET).
    Sign(SignArgs),
    /// Verify a `Persona-Signature` header against a body (secrets in PERSONA_WEBHOOK_SECRET).
    Verify(VerifyArgs),
}

#[derive(Args)]
pub(crate) struct SignArgs {
    /// File holding the exact body bytes (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    body_file: PathBuf,
    /// Unix seconds to sign with (default: now).
    #[arg(long, value_parser = parse_unix_seconds)]
    timestamp: Option<i64>,
    /// Secrets, one per line (the first signs), instead of PERSONA_WEBHOOK_SECRET.
    #[arg(long, value_name = "FILE")]
    secrets_file: Option<PathBuf>,
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("signature").required(true).args(["header", "header_file"]))]
pub(crate) struct VerifyArgs {
    /// The `Persona-Signature` header value, e.g. `t=1700000000,v1=5f…`.
    #[arg(long, allow_hyphen_values = true)]
    header: Option<String>,
    /// A file holding the header value (`-` for stdin; one final line break is dropped): for
    /// values too long for an argument.
    #[arg(long, value_name = "FILE")]
    header_file: Option<PathBuf>,
    /// File holding the exact body bytes as received (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    body_file: PathBuf,
    /// Unix seconds to verify at (default: now).
    #[arg(long, value_parser = parse_unix_seconds)]
    now: Option<i64>,
    /// Allowed |now - t| in seconds (0 = same second only).
    #[arg(long, default_value_t = persona::webhook::DEFAULT_TOLERANCE_SECS)]
    tolerance: u64,
    /// Secrets, one per line (commas are part of a secret), instead of PERSONA_WEBHOOK_SECRET.
    #[arg(long, value_name = "FILE")]
    secrets_file: Option<PathBuf>,
}

pub(crate) fn run(command: &WebhookCommand) -> CommandResult {
    match command {
        WebhookCommand::Sign(args) => {
            let secret = signing_secret(SECRET_VAR, args.secrets_file.as_deref())?;
            let body = read_body(Some(&args.body_file))?;
            let timestamp = args.timestamp.unwrap_or_else(persona::clock::unix_now);
            println!("{}", sign_webhook(secret, &body, timestamp)?);
            Ok(())
        }
        WebhookCommand::Verify(args) => {
            let secrets = secrets(SECRET_VAR, args.secrets_file.as_deref())?;
            let header = match (&args.header, &args.header_file) {
                (Some(header), _) => header.clone(),
                (None, Some(path)) => read_header(path)?,
                (None, None) => String::new(),
            };
            let body = read_body(Some(&args.body_file))?;
            let verifier = WebhookVerifier::new(secrets)?.with_tolerance_secs(args.tolerance);
            let now = args.now.unwrap_or_else(persona::clock::unix_now);
            verifier.verify_at(&header, &body, now)?;
            match persona::WebhookEvent::from_body(&body) {
                Ok(event) => println!("valid: {} {}", event.name, event.id),
                Err(_) => println!("valid"),
            }
            Ok(())
        }
    }
}
