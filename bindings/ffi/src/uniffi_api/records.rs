//! The records the client exchanges with Python, Kotlin and Swift.
//!
//! Printing policy: no record holds a secret (credentials are the opaque [`Credentials`] object),
//! and a record that holds personal data prints its type and id only. UniFFI generates
//! `toString()` (Kotlin), `description` (Swift) and `__str__`/`__repr__` (Python) from these
//! records' Rust `Display`/`Debug`, so what is redacted here is redacted in every language.
//!
//! [`Credentials`]: super::credentials::Credentials

use std::fmt;

/// Client settings (credentials are separate: [`super::credentials::Credentials`]).
#[derive(Debug, Clone, Default, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct ClientConfig {
    /// The API base URL (default Persona's; plain HTTP only for loopback).
    pub base_url: Option<String>,
    /// The `Persona-Version` header.
    /// `Persona-Version` (default: the version the operations were generated for); `"none"`
    /// sends no header, so the API key's dashboard version applies.
    pub persona_version: Option<String>,
    /// `sandbox` or `production`: refuse credentials known to belong to the other.
    pub expected_environment: Option<String>,
    /// Time allowed for one attempt, in milliseconds.
    pub request_timeout_ms: Option<u64>,
    /// Time allowed for a call across its retries, in milliseconds.
    pub total_timeout_ms: Option<u64>,
    /// Retries after the first attempt.
    pub max_retries: Option<u32>,
    /// Named in the User-Agent, e.g. `python`.
    pub binding: Option<String>,
}

impl fmt::Display for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Debug and Display for a record holding personal data: its type and the named fields only.
macro_rules! print_type_and_id {
    ($record:ident, $($field:ident),+) => {
        impl fmt::Debug for $record {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($record))
                    $(.field(stringify!($field), &self.$field))+
                    .finish_non_exhaustive()
            }
        }

        impl fmt::Display for $record {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self, f)
            }
        }
    };
}

/// A raw response; `body_json` is the whole body (which can hold personal data).
#[derive(Clone, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct ApiResponse {
    pub status: u16,
    pub request_id: Option<String>,
    pub body_json: String,
    pub attempts: u32,
}
print_type_and_id!(ApiResponse, status, request_id);

/// One query parameter of a raw request (name, value).
#[derive(Debug, Clone, uniffi::Record)]
pub struct QueryParam {
    pub name: String,
    pub value: String,
}

/// What an operation answered: a JSON document (`body_json`, every member kept) or bytes (the
/// `print` operations' PDFs). Prints status and request id only (bodies hold personal data).
#[derive(Clone, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct Reply {
    pub status: u16,
    pub request_id: Option<String>,
    pub attempts: u32,
    /// The JSON body, for operations that answer JSON.
    pub body_json: Option<String>,
    /// The bytes, for operations that answer a file.
    pub bytes: Option<Vec<u8>>,
    /// `Content-Type` of a file answer.
    pub content_type: Option<String>,
    /// A list's `page[after]` for the next page (from `links.next`), if any.
    pub next_cursor: Option<String>,
    /// A list's `page[before]` for the previous page (from `links.prev`), if any.
    pub previous_cursor: Option<String>,
}
print_type_and_id!(Reply, status, request_id);

/// One operation of Persona's API as the core's table declares it (generated from Persona's
/// OpenAPI document): what each language's typed methods are generated from and checked against.
#[derive(Debug, Clone, uniffi::Record)]
pub struct OperationInfo {
    /// `operationId`, e.g. `retrieve-an-inquiry`.
    pub id: String,
    /// The group, e.g. `inquiries`.
    pub group: String,
    /// The method name in the group, e.g. `retrieve`.
    pub name: String,
    pub method: String,
    /// The path template, e.g. `/inquiries/{inquiry-id}`.
    pub path: String,
    pub path_params: Vec<String>,
    pub include: bool,
    pub fields: bool,
    pub paginated: bool,
    pub filters: Vec<String>,
    /// `none`, `json` or `form`.
    pub body: String,
    pub body_required: bool,
    /// `json` or `pdf`.
    pub response: String,
}
