//! `persona`: sign and verify `v1` requests and Persona webhooks from the shell.
//!
//! Secrets come only from environment variables (never arguments, which leak into process
//! lists). Exit codes: 0 success/valid, 1 invalid (one-line reason on stderr), 2 usage or
//! configuration error.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a CLI's job is to print

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
