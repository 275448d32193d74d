//! Reading the CLI's inputs: secrets from the environment or a file, bodies and header files,
//! numbers. Problems are reported with the library's codes (`configuration`, `invalid_secret`, ...),
//! like every other surface.

use std::io::Read;
use std::path::Path;

use persona::{PersonaError, Secret};

use super::Failure;

/// Reads the file at `path`, `-` meaning standard input, exactly (binary is fine); `what` names
/// the input in the error (`body`, `headers`, ...).
fn read_input(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|err| Failure::Usage(format!("cannot read the {what} from stdin: {err}")))?;
        return Ok(bytes);
    }
    std::fs::read(path)
        .map_err(|err| Failure::Usage(format!("cannot read {what} file {}: {err}", path.display())))
}

/// Reads a body file (`-` for stdin); no file means an empty body.
pub(crate) fn read_body(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    path.map_or_else(|| Ok(Vec::new()), |path| read_input(path, "body"))
}

/// A required environment variable (possibly empty: what an empty value means is the library's to
/// judge). The value is never printed.
pub(crate) fn env_var(name: &str) -> Result<String, Failure> {
    match std::env::var(name) {
        Ok(value) => Ok(value),
        Err(std::env::VarError::NotPresent) => Err(PersonaError::Configuration(format!(
            "environment variable {name} is not set"
        ))
        .into()),
        Err(std::env::VarError::NotUnicode(_)) => Err(PersonaError::Configuration(format!(
            "environment variable {name} is not valid UTF-8"
        ))
        .into()),
    }
}

/// Where secrets come from: `--secrets-file` (one per line, verbatim, commas included) when
/// given, else the environment variable `var` (comma-separated for a rotation).
pub(crate) fn secrets(var: &str, file: Option<&Path>) -> Result<Vec<String>, Failure> {
    let (secrets, source) = match file {
        Some(path) => {
            let text = String::from_utf8(read_input(path, "secrets")?).map_err(|_| {
                PersonaError::Configuration(format!("secrets file {} is not UTF-8", path.display()))
            })?;
            // One secret per line; the line break after the last one is not an empty secret.
            let text = text.strip_suffix('\n').unwrap_or(&text);
            let lines = text
                .split('\n')
                .map(|line| line.strip_suffix('\r').unwrap_or(line).to_owned());
            (
                lines.collect::<Vec<_>>(),
                format!("secrets file {}", path.display()),
            )
        }
        None => {
            let value = env_var(var)?;
            (
                value.split(',').map(str::to_owned).collect(),
                var.to_owned(),
            )
        }
    };
    // Judged by the library, with its code (`invalid_secret`), naming where the secret came from.
    for secret in &secrets {
        Secret::new(secret.as_str())
            .check()
            .map_err(|error| Failure::Usage(format!("{source}: {error} [{}]", error.code())))?;
    }
    Ok(secrets)
}

/// The first secret of a rotation list: the one used for signing.
pub(crate) fn signing_secret(var: &str, file: Option<&Path>) -> Result<String, Failure> {
    let mut secrets = secrets(var, file)?;
    Ok(secrets.swap_remove(0))
}

/// A header value from a file (`-` for stdin): its bytes up to one final line break, which `echo`
/// adds. Bytes that are not UTF-8 are wire data: they become U+FFFD, which no signature accepts.
pub(crate) fn read_header(path: &Path) -> Result<String, Failure> {
    let bytes = read_input(path, "header")?;
    let bytes = bytes
        .strip_suffix(b"\r\n")
        .or_else(|| bytes.strip_suffix(b"\n"))
        .unwrap_or(&bytes);
    Ok(String::from_utf8_lossy(bytes).into_owned())
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
    let text = String::from_utf8(read_input(path, "headers")?)
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
