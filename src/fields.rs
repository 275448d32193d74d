//! Validation of the small fields both `v1` parties exchange: key id, nonce, timestamp, method.
//!
//! Signer and verifier share these checks so that a value one side produces is exactly a value the
//! other accepts.

use crate::error::{InputField, PersonaError};

/// Longest key id accepted.
pub const KEY_ID_MAX_LEN: usize = 128;
/// Shortest nonce accepted: 8 characters keep accidental collisions out of a replay cache.
pub const NONCE_MIN_LEN: usize = 8;
/// Longest nonce accepted.
pub const NONCE_MAX_LEN: usize = 128;

/// A byte class as a lookup table (one load per byte on the hot paths): ASCII letters and digits
/// (if `alphanumeric`) plus `extra`.
pub(crate) const fn byte_class(alphanumeric: bool, extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = alphanumeric && (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

/// `[A-Za-z0-9._~-]`: RFC 3986 "unreserved", safe in a header and a log line without escaping.
/// Also the bytes a canonical query keeps as they are.
pub(crate) const UNRESERVED: [bool; 256] = byte_class(true, b"-._~");

/// RFC 9110 `tchar`: the characters an HTTP method (a `token`) may contain.
const TCHAR: [bool; 256] = byte_class(true, b"!#$%&'*+-.^_`|~");

fn is_unreserved_text(value: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&value.len()) && value.bytes().all(|b| UNRESERVED[usize::from(b)])
}

/// True when `key_id` is 1–128 characters of `[A-Za-z0-9._~-]`.
pub fn is_valid_key_id(key_id: &str) -> bool {
    is_unreserved_text(key_id, 1, KEY_ID_MAX_LEN)
}

/// True when `nonce` is 8–128 characters of `[A-Za-z0-9._~-]`.
pub fn is_valid_nonce(nonce: &str) -> bool {
    is_unreserved_text(nonce, NONCE_MIN_LEN, NONCE_MAX_LEN)
}

pub(crate) fn check_key_id(key_id: &str) -> Result<(), PersonaError> {
    if is_valid_key_id(key_id) {
        Ok(())
    } else {
        Err(PersonaError::invalid(
            InputField::KeyId,
            "must be 1-128 characters of [A-Za-z0-9._~-]",
        ))
    }
}

pub(crate) fn check_nonce(nonce: &str) -> Result<(), PersonaError> {
    if is_valid_nonce(nonce) {
        Ok(())
    } else {
        Err(PersonaError::invalid(
            InputField::Nonce,
            "must be 8-128 characters of [A-Za-z0-9._~-]",
        ))
    }
}

/// Space or horizontal tab: the optional whitespace of HTTP header values, and the separator of
/// both schemes' signature entries.
pub(crate) fn is_space_or_tab(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// `text` without leading and trailing spaces/tabs.
pub(crate) fn trim_space_or_tab(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .position(|&b| !is_space_or_tab(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| !is_space_or_tab(b))
        .map_or(start, |last| last + 1);
    // Spaces and tabs are ASCII, so both ends are char boundaries.
    text.get(start..end).unwrap_or_default()
}

/// The non-empty runs of bytes other than space/tab in `text`, in order.
pub(crate) fn space_separated(text: &str) -> SpaceSeparated<'_> {
    SpaceSeparated { rest: text }
}

/// Iterator returned by [`space_separated`].
#[derive(Debug, Clone)]
pub(crate) struct SpaceSeparated<'a> {
    rest: &'a str,
}

impl<'a> Iterator for SpaceSeparated<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.rest.as_bytes();
        let start = bytes.iter().position(|&b| !is_space_or_tab(b))?;
        let end =
            memchr::memchr2(b' ', b'\t', &bytes[start..]).map_or(bytes.len(), |len| start + len);
        // Spaces and tabs are ASCII, so every split point is a char boundary.
        let run = self.rest.get(start..end)?;
        self.rest = self.rest.get(end..)?;
        Some(run)
    }
}

/// Parses a timestamp made only of ASCII digits (no sign, space or separator) that fits an `i64`.
///
/// Leading zeros are allowed; callers that sign keep the text verbatim, so `0017` and `17` are
/// different signed strings with the same value.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0i64, |acc, byte| {
        let digit = byte.checked_sub(b'0').filter(|d| *d <= 9)?;
        acc.checked_mul(10)?.checked_add(i64::from(digit))
    })
}

/// Checks that an HTTP method is a non-empty RFC 9110 token (the canonical form uppercases it).
pub(crate) fn check_method(method: &str) -> Result<(), PersonaError> {
    if method.is_empty() || !method.bytes().all(|b| TCHAR[usize::from(b)]) {
        return Err(PersonaError::invalid(
            InputField::Method,
            "must be a non-empty HTTP token (e.g. GET, POST)",
        ));
    }
    Ok(())
}

/// Generates a nonce: 32 lowercase hex characters (128 bits) from this thread's CSPRNG
/// ([`crate::random`]: ChaCha20 seeded from the OS, reseeded after `fork`), on the stack: no
/// allocation on every signature.
pub(crate) fn generate_nonce() -> Result<const_hex::Buffer<16>, PersonaError> {
    let mut bytes = [0u8; 16];
    crate::random::fill(&mut bytes)?;
    let mut text = const_hex::Buffer::<16>::new();
    text.format(&bytes);
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_id_bounds() {
        assert!(is_valid_key_id("k"));
        assert!(is_valid_key_id(&"a".repeat(128)));
        assert!(!is_valid_key_id(""));
        assert!(!is_valid_key_id(&"a".repeat(129)));
        assert!(is_valid_key_id("A-z.0_9~"));
        for bad in ["a b", "a/b", "a+b", "é", "a%20", "a\n"] {
            assert!(!is_valid_key_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn nonce_bounds() {
        assert!(!is_valid_nonce("1234567"));
        assert!(is_valid_nonce("12345678"));
        assert!(is_valid_nonce(&"n".repeat(128)));
        assert!(!is_valid_nonce(&"n".repeat(129)));
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("0"), Some(0));
        assert_eq!(parse_timestamp("0001700000000"), Some(1_700_000_000));
        assert_eq!(parse_timestamp("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_timestamp("00009223372036854775807"), Some(i64::MAX));
        for bad in [
            "",
            "9223372036854775808",
            "-1",
            "+1",
            " 1",
            "1 ",
            "1_0",
            "1.0",
            "1e9",
            "١",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn space_and_tab_splitting() {
        assert_eq!(trim_space_or_tab(" \t a b\t "), "a b");
        assert_eq!(trim_space_or_tab(" \t "), "");
        assert_eq!(trim_space_or_tab(""), "");
        assert_eq!(trim_space_or_tab("\u{a0}x\n"), "\u{a0}x\n");
        let runs: Vec<&str> = space_separated("\t a,1  b \t\tc é ").collect();
        assert_eq!(runs, ["a,1", "b", "c", "é"]);
        assert_eq!(space_separated(" \t ").count(), 0);
    }

    #[test]
    fn methods() {
        assert!(check_method("get").is_ok());
        assert!(check_method("M-SEARCH").is_ok());
        for bad in ["", "GE T", "GET\n", "GÉT", "(GET)"] {
            assert!(check_method(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn generated_nonces_are_valid_and_distinct() {
        let a = generate_nonce().unwrap().as_str().to_owned();
        let b = generate_nonce().unwrap().as_str().to_owned();
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(is_valid_nonce(&a));
        assert_ne!(a, b);
    }
}
