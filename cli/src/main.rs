//! `persona`: sign and verify `v1` requests and Persona webhooks, call the API, and run the local
//! sandbox and the end-to-end demo, from the shell.
//!
//! Secrets come only from environment variables or a file (`--secrets-file`), never from
//! arguments, which leak into process lists. Exit codes: 0 success/valid, 1 invalid (one-line reason on stderr), 2 usage or
//! configuration error.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)] // a CLI's job is to print

mod api;
mod demo;
mod input;
mod request;
mod sandbox;
mod trigger;
mod webhook;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use persona::PersonaError;
use persona_sandbox::SandboxError;

/// How a command failed, mapped to the documented exit codes.
pub(crate) enum Failure {
    /// Exit 1: the signature/webhook is invalid.
    Invalid(String),
    /// Exit 2: bad usage or configuration.
    Usage(String),
}

impl From<PersonaError> for Failure {
    fn from(error: PersonaError) -> Self {
        let line = format!("{error} [{}]", error.code());
        match error {
            PersonaError::RequestRejected(_)
            | PersonaError::WebhookRejected(_)
            | PersonaError::InvalidPayload(_)
            | PersonaError::Api(_)
            | PersonaError::Network { .. }
            | PersonaError::Timeout { .. }
            | PersonaError::UnexpectedResponse(_) => Self::Invalid(line),
            _ => Self::Usage(line),
        }
    }
}

impl From<SandboxError> for Failure {
    fn from(error: SandboxError) -> Self {
        Self::Usage(error.to_string())
    }
}

pub(crate) type CommandResult = Result<(), Failure>;

#[derive(Parser)]
#[command(
    name = "persona",
    version,
    about = "Sign and verify Persona `v1` requests and webhooks",
    long_about = "Sign and verify Persona `v1` requests and webhooks.\n\n\
        Secrets are read only from environment variables: PERSONA_API_KEY_ID and \
        PERSONA_API_KEY_SECRET for requests, PERSONA_WEBHOOK_SECRET for webhooks. For verification \
        a variable may hold several comma-separated secrets (rotation); signing uses the first.\n\n\
        Where a secret contains a comma, give the secrets in a file instead (--secrets-file: one \
        per line).\n\n\
        Exit codes: 0 success/valid, 1 invalid or failed API call (reason on stderr), 2 usage or \
        configuration error. Errors end with the library's code in brackets, e.g. \
        `[invalid_secret]`."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sign a request and print the four headers as `Name: value` lines.
    Sign(request::SignArgs),
    /// Verify a `v1`-signed request; prints the key id when valid.
    VerifyRequest(request::VerifyArgs),
    /// Sign or verify Persona webhooks (`Persona-Signature: t=…,v1=…`).
    #[command(subcommand)]
    Webhook(webhook::WebhookCommand),
    /// Run the local Persona-compatible sandbox server.
    Sandbox(sandbox::SandboxArgs),
    /// Make a running sandbox send a webhook event (`persona trigger inquiry.completed`) by doing
    /// through the API what makes Persona send it.
    Trigger(trigger::TriggerArgs),
    /// Run the end-to-end demo against an embedded sandbox (no network, no credentials needed).
    Demo,
}

/// Parses arguments, runs the command and maps the outcome to an exit code.
fn main() -> ExitCode {
    // Every operation of Persona's API (`persona inquiries retrieve INQ_ID`, ...) and `persona api`
    // come from the core's operation table, added beside the commands declared above.
    let matches = api::augment(Cli::command()).get_matches();
    let outcome = match matches.subcommand() {
        Some((name, operation)) if api::handles(name) => api::run(name, operation),
        _ => match Cli::from_arg_matches(&matches) {
            Ok(cli) => run(cli.command),
            Err(error) => error.exit(),
        },
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Invalid(reason)) => {
            eprintln!("invalid: {reason}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(reason)) => {
            eprintln!("error: {reason}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> CommandResult {
    match command {
        Command::Sign(args) => request::sign(&args),
        Command::VerifyRequest(args) => request::verify(&args),
        Command::Webhook(command) => webhook::run(&command),
        Command::Sandbox(args) => sandbox::run(&args),
        Command::Trigger(args) => trigger::run(&args),
        Command::Demo => demo::run(),
    }
}
