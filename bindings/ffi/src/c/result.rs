//! Stable result codes. Numbers are part of the ABI: add new ones, never renumber or reuse.

use persona_core::error::{InputField, PersonaError, RequestRejection, WebhookRejection};

/// Result of a fallible call. `PERSONA_OK` is 0; everything else is an error.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum persona_result {
    /// Success.
    PERSONA_OK = 0,
    /// A required pointer argument was NULL.
    PERSONA_ERR_NULL_ARGUMENT = 1,
    /// A string argument was not valid UTF-8.
    PERSONA_ERR_INVALID_UTF8 = 2,
    /// The caller's buffer is too small for the result.
    PERSONA_ERR_BUFFER_TOO_SMALL = 3,
    /// A bug inside libpersona panicked; the call had no effect on the caller's handles.
    PERSONA_ERR_PANIC = 4,
    /// An argument or configuration is invalid (e.g. no keys, an empty secret list).
    PERSONA_ERR_INVALID_ARGUMENT = 5,
    /// Key id is not 1-128 characters of `[A-Za-z0-9._~-]`.
    PERSONA_ERR_INVALID_KEY_ID = 10,
    /// Secret is empty.
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
    /// The Persona API answered with an error status (details in the message).
    PERSONA_ERR_API = 40,
    /// The request could not be completed over the network.
    PERSONA_ERR_NETWORK = 41,
    /// A timeout or deadline passed.
    PERSONA_ERR_TIMEOUT = 42,
    /// A response did not have the expected shape.
    PERSONA_ERR_UNEXPECTED_RESPONSE = 43,
}

use persona_result::*;

impl From<&PersonaError> for persona_result {
    fn from(error: &PersonaError) -> Self {
        match error {
            PersonaError::InvalidInput { field, .. } => match field {
                InputField::KeyId => PERSONA_ERR_INVALID_KEY_ID,
                InputField::Secret => PERSONA_ERR_INVALID_SECRET,
                InputField::Nonce => PERSONA_ERR_INVALID_NONCE,
                InputField::Timestamp => PERSONA_ERR_INVALID_TIMESTAMP,
                InputField::Url => PERSONA_ERR_INVALID_URL,
                InputField::Method => PERSONA_ERR_INVALID_METHOD,
                _ => PERSONA_ERR_INVALID_ARGUMENT,
            },
            PersonaError::Configuration(_) => PERSONA_ERR_INVALID_ARGUMENT,
            PersonaError::RequestRejected(reason) => match reason {
                RequestRejection::MissingHeader(_) => PERSONA_ERR_MISSING_HEADER,
                RequestRejection::MalformedHeader { .. } => PERSONA_ERR_MALFORMED_HEADER,
                RequestRejection::UnknownKey => PERSONA_ERR_UNKNOWN_KEY,
                RequestRejection::SignatureMismatch => PERSONA_ERR_SIGNATURE_MISMATCH,
                RequestRejection::TimestampOutOfTolerance { .. } => {
                    PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE
                }
                RequestRejection::ReplayedNonce => PERSONA_ERR_REPLAYED_NONCE,
                RequestRejection::ReplayCacheFull => PERSONA_ERR_REPLAY_CACHE_FULL,
                _ => PERSONA_ERR_SIGNATURE_MISMATCH,
            },
            PersonaError::WebhookRejected(reason) => match reason {
                WebhookRejection::MissingHeader => PERSONA_ERR_MISSING_HEADER,
                WebhookRejection::MalformedHeader(_) => PERSONA_ERR_MALFORMED_HEADER,
                WebhookRejection::TimestampOutOfTolerance { .. } => {
                    PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE
                }
                WebhookRejection::NoMatchingSignature => PERSONA_ERR_NO_MATCHING_SIGNATURE,
                _ => PERSONA_ERR_NO_MATCHING_SIGNATURE,
            },
            PersonaError::InvalidPayload(_) => PERSONA_ERR_INVALID_PAYLOAD,
            PersonaError::Api(_) => PERSONA_ERR_API,
            PersonaError::Network { .. } => PERSONA_ERR_NETWORK,
            PersonaError::Timeout { .. } => PERSONA_ERR_TIMEOUT,
            PersonaError::UnexpectedResponse(_) => PERSONA_ERR_UNEXPECTED_RESPONSE,
            _ => PERSONA_ERR_INVALID_ARGUMENT,
        }
    }
}

/// The name of a result code as a static NUL-terminated string (e.g. `"PERSONA_ERR_MISSING_HEADER"`).
///
/// Static storage: never free it. Unknown numbers give `"PERSONA_UNKNOWN_RESULT"`.
#[unsafe(no_mangle)]
pub extern "C" fn persona_result_name(code: i32) -> *const std::ffi::c_char {
    let name: &'static str = match code {
        0 => "PERSONA_OK\0",
        1 => "PERSONA_ERR_NULL_ARGUMENT\0",
        2 => "PERSONA_ERR_INVALID_UTF8\0",
        3 => "PERSONA_ERR_BUFFER_TOO_SMALL\0",
        4 => "PERSONA_ERR_PANIC\0",
        5 => "PERSONA_ERR_INVALID_ARGUMENT\0",
        10 => "PERSONA_ERR_INVALID_KEY_ID\0",
        11 => "PERSONA_ERR_INVALID_SECRET\0",
        12 => "PERSONA_ERR_INVALID_NONCE\0",
        13 => "PERSONA_ERR_INVALID_TIMESTAMP\0",
        14 => "PERSONA_ERR_INVALID_URL\0",
        15 => "PERSONA_ERR_INVALID_METHOD\0",
        20 => "PERSONA_ERR_MISSING_HEADER\0",
        21 => "PERSONA_ERR_MALFORMED_HEADER\0",
        22 => "PERSONA_ERR_UNKNOWN_KEY\0",
        23 => "PERSONA_ERR_SIGNATURE_MISMATCH\0",
        24 => "PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE\0",
        25 => "PERSONA_ERR_REPLAYED_NONCE\0",
        26 => "PERSONA_ERR_REPLAY_CACHE_FULL\0",
        30 => "PERSONA_ERR_NO_MATCHING_SIGNATURE\0",
        31 => "PERSONA_ERR_INVALID_PAYLOAD\0",
        40 => "PERSONA_ERR_API\0",
        41 => "PERSONA_ERR_NETWORK\0",
        42 => "PERSONA_ERR_TIMEOUT\0",
        43 => "PERSONA_ERR_UNEXPECTED_RESPONSE\0",
        _ => "PERSONA_UNKNOWN_RESULT\0",
    };
    name.as_ptr().cast()
}
