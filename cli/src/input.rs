//! Reading the CLI's inputs: secrets from the environment, bodies and header files, numbers.

use std::io::Read;
use std::path::Path;

use super::Failure;

/// Reads a body file; `-` means standard input. Bytes are kept exactly (binary is fine).
pub(crate) fn read_body(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    if path.as_os_str() == "-" {
        let mut body = Vec::new();
        std::io::stdin()
            .read_to_end(&mut body)
            .map_err(|err| Failure::Usage(format!("cannot read the body from stdin: {err}")))?;
        return Ok(body);
    }
    std::fs::read(path)
        .map_err(|err| Failure::Usage(format!("cannot read body file {}: {err}", path.display())))
}

/// A required, non-empty environment variable. The value is never printed.
pub(crate) fn env_var(name: &str) -> Result<String, Failure> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        Ok(_) => Err(Failure::Usage(format!(
            "environment variable {name} is empty"
        ))),
        Err(std::env::VarError::NotPresent) => Err(Failure::Usage(format!(
            "environment variable {name} is not set"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(Failure::Usage(format!(
            "environment variable {name} is not valid UTF-8"
        ))),
    }
}

/// A comma-separated list of secrets (rotation) from `name`; no entry may be empty.
pub(crate) fn env_secrets(name: &str) -> Result<Vec<String>, Failure> {
    let value = env_var(name)?;
    let secrets: Vec<String> = value.split(',').map(str::to_owned).collect();
    if secrets.iter().any(String::is_empty) {
        return Err(Failure::Usage(format!(
            "environment variable {name} has an empty entry in its comma-separated list"
        )));
    }
    Ok(secrets)
}

/// The first secret of a rotation list: the one used for signing.
pub(crate) fn env_signing_secret(name: &str) -> Result<String, Failure> {
    let mut secrets = env_secrets(name)?;
    Ok(secrets.swap_remove(0))
}

/// Parses `--timestamp`/`--now`: ASCII digits only, fitting i64 (as the schemes require).
pub(crate) fn parse_unix_seconds(text: &str) -> Result<i64, String> {
    persona::fields::parse_timestamp(text).ok_or_else(|| {
        "expected unix seconds: decimal digits only, fitting a 64-bit integer".into()
    })
}

/// Reads a headers file of `Name: value` lines (what `persona sign` prints). Blank lines are
/// skipped; a trailing `\r` is dropped.
pub(crate) fn read_headers(path: &Path) -> Result<Vec<(String, String)>, Failure> {
    let bytes = if path.as_os_str() == "-" {
        read_body(Some(path))?
    } else {
        std::fs::read(path).map_err(|err| {
            Failure::Usage(format!(
                "cannot read headers file {}: {err}",
                path.display()
            ))
        })?
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::Usage("headers file is not valid UTF-8".into()))?;
    let mut headers = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let (name, value) = line.split_once(':').ok_or_else(|| {
            Failure::Usage(format!(
                "headers file line {} is not `Name: value`",
                number + 1
            ))
        })?;
        headers.push((name.to_owned(), value.to_owned()));
    }
    Ok(headers)
}
