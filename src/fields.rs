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

/// `[A-Za-z0-9._~-]`: RFC 3986 "unreserved", safe in a header and a log line without escaping.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

fn is_unreserved_text(value: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&value.len()) && value.bytes().all(is_unreserved)
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

/// RFC 9110 `tchar`: the characters an HTTP method (a `token`) may contain.
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Checks that an HTTP method is a non-empty RFC 9110 token (the canonical form uppercases it).
pub(crate) fn check_method(method: &str) -> Result<(), PersonaError> {
    if method.is_empty() || !method.bytes().all(is_tchar) {
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

/// Writes a non-negative timestamp in decimal (no sign, no leading zeros) into `buf`, returning
/// the text. Avoids the formatting machinery on the signing hot path.
pub(crate) fn format_timestamp(timestamp: u64, buf: &mut [u8; 20]) -> &str {
    // Two digits per division (a table of "00".."99"): half the dependent divisions.
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut value = timestamp;
    let mut start = buf.len();
    while value >= 100 {
        let pair = usize::try_from(value % 100).unwrap_or(0) * 2;
        value /= 100;
        start -= 2;
        buf[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if value >= 10 {
        let pair = usize::try_from(value).unwrap_or(0) * 2;
        start -= 2;
        buf[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        start -= 1;
        buf[start] = b'0' + value as u8;
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buf[start..]).unwrap_or("0")
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
    fn formats_timestamps() {
        let mut buf = [0u8; 20];
        assert_eq!(format_timestamp(0, &mut buf), "0");
        assert_eq!(format_timestamp(1_700_000_000, &mut buf), "1700000000");
        assert_eq!(
            format_timestamp(i64::MAX as u64, &mut buf),
            "9223372036854775807"
        );
        assert_eq!(format_timestamp(u64::MAX, &mut buf), u64::MAX.to_string());
        let mut powers = (0..20).map(|p| 10u64.pow(p)).collect::<Vec<_>>();
        powers.extend(powers.clone().iter().map(|p| p - 1));
        for value in (0..1234).chain(powers) {
            assert_eq!(format_timestamp(value, &mut buf), value.to_string());
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
