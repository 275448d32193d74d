//! [`Client::call`]: any operation of the table, by its declaration, and what it answers.

use super::Client;
use super::http::ApiResponse;
use super::operation::{Call, Operation, ResponseKind, prepare};
use crate::error::PersonaError;

/// A binary answer (the `print` operations' PDFs). Prints its size and type, never the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct BinaryResponse {
    /// HTTP status.
    pub status: u16,
    /// `Request-Id` header.
    pub request_id: Option<String>,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// The body.
    pub bytes: Vec<u8>,
    /// Attempts it took (1 = no retry).
    pub attempts: u32,
}

impl std::fmt::Debug for BinaryResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BinaryResponse")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// What an operation answers: a JSON:API document (every member kept: `data`, `included`,
/// `meta`, `links`) or bytes, as the operation declares.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A JSON document.
    Json(ApiResponse),
    /// Bytes (a PDF).
    Binary(BinaryResponse),
}

impl Client {
    /// Calls `operation` with `call`'s arguments (checked against what the operation declares:
    /// anything else is an `invalid_argument` error before any request is sent), with the
    /// client's auth, retries, idempotency and errors.
    pub async fn call(&self, operation: &Operation, call: &Call) -> Result<Reply, PersonaError> {
        let prepared = prepare(operation, call)?;
        let raw = self
            .send(
                prepared.method,
                &prepared.path,
                &prepared.query,
                &prepared.payload,
                prepared.accept,
                &call.options,
            )
            .await?;
        Ok(match operation.response {
            ResponseKind::Json => Reply::Json(raw.into_json()?),
            ResponseKind::Pdf => Reply::Binary(BinaryResponse {
                status: raw.status,
                request_id: raw.request_id,
                content_type: raw.content_type,
                bytes: raw.bytes.to_vec(),
                attempts: raw.attempts,
            }),
        })
    }

    /// [`call`](Self::call) for an operation that answers JSON (the generated typed methods).
    pub(crate) async fn call_json(
        &self,
        operation: &Operation,
        call: &Call,
    ) -> Result<ApiResponse, PersonaError> {
        match self.call(operation, call).await? {
            Reply::Json(response) => Ok(response),
            Reply::Binary(_) => Err(unexpected(operation)),
        }
    }

    /// [`call`](Self::call) for an operation that answers bytes (the `print` operations).
    pub(crate) async fn call_binary(
        &self,
        operation: &Operation,
        call: &Call,
    ) -> Result<BinaryResponse, PersonaError> {
        match self.call(operation, call).await? {
            Reply::Binary(response) => Ok(response),
            Reply::Json(_) => Err(unexpected(operation)),
        }
    }

    /// [`call`](Self::call) by operation id (`retrieve-an-inquiry`): what every language's
    /// binding calls.
    pub async fn call_by_id(&self, operation_id: &str, call: &Call) -> Result<Reply, PersonaError> {
        let operation = Operation::find(operation_id).ok_or_else(|| {
            PersonaError::invalid_argument_because(
                "operation",
                format!("`{operation_id}` is not an operation of Persona's API"),
            )
        })?;
        self.call(operation, call).await
    }
}

/// The table and the generated method disagree on what an operation answers: a bug, reported.
fn unexpected(operation: &Operation) -> PersonaError {
    PersonaError::UnexpectedResponse(format!("{} answered another kind of body", operation.id))
}
