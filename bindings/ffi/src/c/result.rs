//! Stable result numbers. They are part of the ABI: add new ones, never renumber or reuse.
//!
//! A number says what happened in C terms; the error's stable *code* (`missing_header`,
//! `invalid_argument`, `not_found`, ...) and *kind* come from the core's `PersonaError` and are
//! read with `persona_last_error_code` / `persona_last_error_kind`, so no language keeps its own
//! table of numbers.

use persona_core::{InputField, PersonaError, RequestRejection, WebhookRejection};

/// Result of a fallible call. `PERSONA_OK` is 0; everything else is an error, and
/// `persona_last_error_code()` gives its stable code.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum persona_result {
    /// Success.
    PERSONA_OK = 0,
    /// A required pointer argument was NULL (code `invalid_argument`).
    PERSONA_ERR_NULL_ARGUMENT = 1,
    /// A text argument was not valid UTF-8 (code `invalid_argument`).
    PERSONA_ERR_INVALID_UTF8 = 2,
    /// The caller's buffer is too small for the result (code `buffer_too_small`).
    PERSONA_ERR_BUFFER_TOO_SMALL = 3,
    /// A bug inside libpersona panicked; the call had no effect on the caller's handles (code
    /// `internal`).
    PERSONA_ERR_PANIC = 4,
    /// An argument is out of its domain: a negative tolerance, a bad JSON document, an unknown
    /// operation (code `invalid_argument`).
    PERSONA_ERR_INVALID_ARGUMENT = 5,
    /// Settings are missing or inconsistent: no secrets, no keys, no credentials (code
    /// `configuration`).
    PERSONA_ERR_CONFIGURATION = 6,
    /// A failure this version of the ABI has no number for; the last error's code says which.
    PERSONA_ERR_OTHER = 7,
    /// Key id is not 1-128 characters of `[A-Za-z0-9._~-]`.
    PERSONA_ERR_INVALID_KEY_ID = 10,
    /// Secret is empty or contains a NUL character.
    PERSONA_ERR_INVALID_SECRET = 11,
    /// Nonce is not 8-128 characters of `[A-Za-z0-9._~-]`.
    PERSONA_ERR_INVALID_NONCE = 12,
    /// Timestamp is negative.
    PERSONA_ERR_INVALID_TIMESTAMP = 13,
    /// URL is not an absolute http(s) URL or an origin-form target.
    PERSONA_ERR_INVALID_URL = 14,
    /// Method is not an HTTP token.
    PERSONA_ERR_INVALID_METHOD = 15,
    /// A required signature header is absent or blank (the message names it).
    PERSONA_ERR_MISSING_HEADER = 20,
    /// A signature header is duplicated or malformed.
    PERSONA_ERR_MALFORMED_HEADER = 21,
    /// The request's key id is not configured on the verifier.
    PERSONA_ERR_UNKNOWN_KEY = 22,
    /// No `v1` request signature matches.
    PERSONA_ERR_SIGNATURE_MISMATCH = 23,
    /// The signature is authentic but the timestamp is outside the tolerance.
    PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE = 24,
    /// The (key id, nonce) pair was already accepted.
    PERSONA_ERR_REPLAYED_NONCE = 25,
    /// The replay cache is full of unexpired nonces; the request was refused.
    PERSONA_ERR_REPLAY_CACHE_FULL = 26,
    /// No webhook `v1` signature matches any secret.
    PERSONA_ERR_NO_MATCHING_SIGNATURE = 30,
    /// The webhook verified but its body is not a Persona event.
    PERSONA_ERR_INVALID_PAYLOAD = 31,
    /// The Persona API answered with an error status (the code says which: `not_found`,
    /// `validation`, `rate_limited`, ...; status, request id and Persona's messages are in the
    /// message).
    PERSONA_ERR_API = 40,
    /// The request could not be completed over the network.
    PERSONA_ERR_NETWORK = 41,
    /// A timeout or deadline passed.
    PERSONA_ERR_TIMEOUT = 42,
    /// A response did not have the expected shape.
    PERSONA_ERR_UNEXPECTED_RESPONSE = 43,
}

use persona_result::*;

/// Every result, for `persona_result_name` (and the test that each round-trips).
const ALL: [persona_result; 27] = [
    PERSONA_OK,
    PERSONA_ERR_NULL_ARGUMENT,
    PERSONA_ERR_INVALID_UTF8,
    PERSONA_ERR_BUFFER_TOO_SMALL,
    PERSONA_ERR_PANIC,
    PERSONA_ERR_INVALID_ARGUMENT,
    PERSONA_ERR_CONFIGURATION,
    PERSONA_ERR_OTHER,
    PERSONA_ERR_INVALID_KEY_ID,
    PERSONA_ERR_INVALID_SECRET,
    PERSONA_ERR_INVALID_NONCE,
    PERSONA_ERR_INVALID_TIMESTAMP,
    PERSONA_ERR_INVALID_URL,
    PERSONA_ERR_INVALID_METHOD,
    PERSONA_ERR_MISSING_HEADER,
    PERSONA_ERR_MALFORMED_HEADER,
    PERSONA_ERR_UNKNOWN_KEY,
    PERSONA_ERR_SIGNATURE_MISMATCH,
    PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE,
    PERSONA_ERR_REPLAYED_NONCE,
    PERSONA_ERR_REPLAY_CACHE_FULL,
    PERSONA_ERR_NO_MATCHING_SIGNATURE,
    PERSONA_ERR_INVALID_PAYLOAD,
    PERSONA_ERR_API,
    PERSONA_ERR_NETWORK,
    PERSONA_ERR_TIMEOUT,
    PERSONA_ERR_UNEXPECTED_RESPONSE,
];

impl persona_result {
    /// The C name, NUL-terminated.
    fn name(self) -> &'static str {
        match self {
            PERSONA_OK => "PERSONA_OK\0",
            PERSONA_ERR_NULL_ARGUMENT => "PERSONA_ERR_NULL_ARGUMENT\0",
            PERSONA_ERR_INVALID_UTF8 => "PERSONA_ERR_INVALID_UTF8\0",
            PERSONA_ERR_BUFFER_TOO_SMALL => "PERSONA_ERR_BUFFER_TOO_SMALL\0",
            PERSONA_ERR_PANIC => "PERSONA_ERR_PANIC\0",
            PERSONA_ERR_INVALID_ARGUMENT => "PERSONA_ERR_INVALID_ARGUMENT\0",
            PERSONA_ERR_CONFIGURATION => "PERSONA_ERR_CONFIGURATION\0",
            PERSONA_ERR_OTHER => "PERSONA_ERR_OTHER\0",
            PERSONA_ERR_INVALID_KEY_ID => "PERSONA_ERR_INVALID_KEY_ID\0",
            PERSONA_ERR_INVALID_SECRET => "PERSONA_ERR_INVALID_SECRET\0",
            PERSONA_ERR_INVALID_NONCE => "PERSONA_ERR_INVALID_NONCE\0",
            PERSONA_ERR_INVALID_TIMESTAMP => "PERSONA_ERR_INVALID_TIMESTAMP\0",
            PERSONA_ERR_INVALID_URL => "PERSONA_ERR_INVALID_URL\0",
            PERSONA_ERR_INVALID_METHOD => "PERSONA_ERR_INVALID_METHOD\0",
            PERSONA_ERR_MISSING_HEADER => "PERSONA_ERR_MISSING_HEADER\0",
            PERSONA_ERR_MALFORMED_HEADER => "PERSONA_ERR_MALFORMED_HEADER\0",
            PERSONA_ERR_UNKNOWN_KEY => "PERSONA_ERR_UNKNOWN_KEY\0",
            PERSONA_ERR_SIGNATURE_MISMATCH => "PERSONA_ERR_SIGNATURE_MISMATCH\0",
            PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE => "PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE\0",
            PERSONA_ERR_REPLAYED_NONCE => "PERSONA_ERR_REPLAYED_NONCE\0",
            PERSONA_ERR_REPLAY_CACHE_FULL => "PERSONA_ERR_REPLAY_CACHE_FULL\0",
            PERSONA_ERR_NO_MATCHING_SIGNATURE => "PERSONA_ERR_NO_MATCHING_SIGNATURE\0",
            PERSONA_ERR_INVALID_PAYLOAD => "PERSONA_ERR_INVALID_PAYLOAD\0",
            PERSONA_ERR_API => "PERSONA_ERR_API\0",
            PERSONA_ERR_NETWORK => "PERSONA_ERR_NETWORK\0",
            PERSONA_ERR_TIMEOUT => "PERSONA_ERR_TIMEOUT\0",
            PERSONA_ERR_UNEXPECTED_RESPONSE => "PERSONA_ERR_UNEXPECTED_RESPONSE\0",
        }
    }
}

impl From<&PersonaError> for persona_result {
    /// The number for a core error, chosen by its variant (so a code the core renames keeps its
    /// number). The core's enums are non-exhaustive: a variant added later is `PERSONA_ERR_OTHER`
    /// until it is given a number here, and its code and kind still reach the caller through
    /// `persona_last_error_code`/`_kind`.
    fn from(error: &PersonaError) -> Self {
        match error {
            PersonaError::InvalidInput { field, .. } => match field {
                InputField::Argument(_) => PERSONA_ERR_INVALID_ARGUMENT,
                InputField::KeyId => PERSONA_ERR_INVALID_KEY_ID,
                InputField::Secret => PERSONA_ERR_INVALID_SECRET,
                InputField::Nonce => PERSONA_ERR_INVALID_NONCE,
                InputField::Timestamp => PERSONA_ERR_INVALID_TIMESTAMP,
                InputField::Url => PERSONA_ERR_INVALID_URL,
                InputField::Method => PERSONA_ERR_INVALID_METHOD,
                _ => PERSONA_ERR_OTHER,
            },
            PersonaError::Configuration(_) => PERSONA_ERR_CONFIGURATION,
            PersonaError::RequestRejected(rejection) => match rejection {
                RequestRejection::MissingHeader(_) => PERSONA_ERR_MISSING_HEADER,
                RequestRejection::MalformedHeader { .. } => PERSONA_ERR_MALFORMED_HEADER,
                RequestRejection::UnknownKey => PERSONA_ERR_UNKNOWN_KEY,
                RequestRejection::SignatureMismatch => PERSONA_ERR_SIGNATURE_MISMATCH,
                RequestRejection::TimestampOutOfTolerance { .. } => {
                    PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE
                }
                RequestRejection::ReplayedNonce => PERSONA_ERR_REPLAYED_NONCE,
                RequestRejection::ReplayCacheFull => PERSONA_ERR_REPLAY_CACHE_FULL,
                _ => PERSONA_ERR_OTHER,
            },
            PersonaError::WebhookRejected(rejection) => match rejection {
                WebhookRejection::MissingHeader => PERSONA_ERR_MISSING_HEADER,
                WebhookRejection::MalformedHeader(_) => PERSONA_ERR_MALFORMED_HEADER,
                WebhookRejection::TimestampOutOfTolerance { .. } => {
                    PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE
                }
                WebhookRejection::NoMatchingSignature => PERSONA_ERR_NO_MATCHING_SIGNATURE,
                _ => PERSONA_ERR_OTHER,
            },
            PersonaError::InvalidPayload(_) => PERSONA_ERR_INVALID_PAYLOAD,
            PersonaError::Api(_) => PERSONA_ERR_API,
            PersonaError::Network { .. } => PERSONA_ERR_NETWORK,
            PersonaError::Timeout { .. } => PERSONA_ERR_TIMEOUT,
            PersonaError::UnexpectedResponse(_) => PERSONA_ERR_UNEXPECTED_RESPONSE,
            _ => PERSONA_ERR_OTHER,
        }
    }
}

/// The name of a result number as a static NUL-terminated string (e.g.
/// `"PERSONA_ERR_MISSING_HEADER"`).
///
/// Static storage: never free it. Unknown numbers give `"PERSONA_UNKNOWN_RESULT"`.
#[unsafe(no_mangle)]
pub extern "C" fn persona_result_name(code: i32) -> *const std::ffi::c_char {
    ALL.iter()
        .find(|result| **result as i32 == code)
        .map_or("PERSONA_UNKNOWN_RESULT\0", |result| result.name())
        .as_ptr()
        .cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_result_has_a_unique_name_and_number() {
        let mut seen = std::collections::HashSet::new();
        for result in ALL {
            assert!(result.name().ends_with('\0'));
            assert!(seen.insert(result as i32), "{result:?} listed twice");
        }
    }
}
