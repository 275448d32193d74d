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

/// Parses a timestamp made only of ASCII digits (no sign, space or separator) that fits an `i64`.
///
/// Leading zeros are allowed; callers that sign keep the text verbatim, so `0017` and `17` are
/// different signed strings with the same value.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.bytes().try_fold(0i64, |acc, digit| {
        acc.checked_mul(10)?.checked_add(i64::from(digit - b'0'))
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

/// Generates a nonce: 32 lowercase hex characters (128 bits) from the operating system's CSPRNG.
pub(crate) fn generate_nonce() -> Result<String, PersonaError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|err| PersonaError::Configuration(format!("no randomness available: {err}")))?;
    Ok(crate::hex::encode(&bytes))
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
    fn methods() {
        assert!(check_method("get").is_ok());
        assert!(check_method("M-SEARCH").is_ok());
        for bad in ["", "GE T", "GET\n", "GÉT", "(GET)"] {
            assert!(check_method(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn generated_nonces_are_valid_and_distinct() {
        let a = generate_nonce().unwrap();
        let b = generate_nonce().unwrap();
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(is_valid_nonce(&a));
        assert_ne!(a, b);
    }
}
