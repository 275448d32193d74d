//! The UniFFI surface: the API client (and its error), from which the Python, Kotlin and Swift
//! bindings are generated.
//!
//! Every exported method is a one-line delegation to the core (plus conversion). Objects are
//! `Send + Sync`; async methods run on the core's one tokio runtime, so reqwest works from
//! asyncio, coroutines and Swift tasks. Signing and webhook verification are not here: every
//! language calls them through the C ABI of the same library (one FFI per surface), which skips
//! UniFFI's per-argument marshalling on the paths that run on every request.

// The exported error's shape is what UniFFI can carry (flat fields, no boxing); errors are the
// cold path, so its size does not matter here.
#![allow(clippy::result_large_err)]

mod client;
mod credentials;
mod error;
mod models;
mod records;
mod simulate_actions;

pub use client::*;
pub use credentials::Credentials;
pub use error::PersonaError;
pub use models::*;
pub use records::*;
pub use simulate_actions::SimulateAction;

/// Every operation of Persona's API, as the core's table declares it.
#[uniffi::export]
pub fn operations() -> Vec<OperationInfo> {
    use persona_core::client::operation::{BodyKind, ResponseKind};
    persona_core::client::Operation::all()
        .iter()
        .map(|operation| OperationInfo {
            id: operation.id.to_owned(),
            group: operation.group.to_owned(),
            name: operation.name.to_owned(),
            method: operation.method.as_reqwest().as_str().to_owned(),
            path: operation.path.to_owned(),
            path_params: operation
                .path_params
                .iter()
                .map(|p| (*p).to_owned())
                .collect(),
            include: operation.include,
            fields: operation.fields,
            paginated: operation.paginated,
            filters: operation.filters.iter().map(|f| (*f).to_owned()).collect(),
            body: match operation.body {
                BodyKind::None => "none",
                BodyKind::Json => "json",
                BodyKind::Form => "form",
            }
            .to_owned(),
            body_required: operation.body_required,
            response: match operation.response {
                ResponseKind::Json => "json",
                ResponseKind::Pdf => "pdf",
            }
            .to_owned(),
        })
        .collect()
}

/// The `included` resources of a JSON:API document (`document_json`) that a relationship of
/// `resource_json` (default: the document's primary `data`) points to, as JSON texts, in the
/// relationship's order: the core's one rule, for every language's `related`.
#[uniffi::export]
pub fn related_resources(
    document_json: String,
    relationship: String,
    resource_json: Option<String>,
) -> Result<Vec<String>, PersonaError> {
    let parse = |text: &str, name: &'static str| {
        serde_json::from_str::<serde_json::Value>(text).map_err(|_| {
            PersonaError::from(persona_core::PersonaError::invalid_argument(
                name,
                "must be JSON",
            ))
        })
    };
    let document = parse(&document_json, "document")?;
    let resource = resource_json
        .map(|text| parse(&text, "resource"))
        .transpose()?;
    Ok(
        persona_core::client::related(&document, &relationship, resource.as_ref())
            .into_iter()
            .map(serde_json::Value::to_string)
            .collect(),
    )
}

fn document(document_json: &str) -> Result<serde_json::Value, PersonaError> {
    serde_json::from_str(document_json).map_err(|_| {
        PersonaError::from(persona_core::PersonaError::invalid_argument(
            "document",
            "must be JSON",
        ))
    })
}

/// The typed model of a document's primary `data` (a response body, or a webhook event's
/// payload): the core's one reading rule for every language; `None` without data.
#[uniffi::export]
pub fn document_model(document_json: String) -> Result<Option<Resource>, PersonaError> {
    Ok(persona_core::model::document_model(&document(&document_json)?)?.map(Into::into))
}

/// The typed models of every resource of a document's primary `data` (a list's items, or the
/// one resource).
#[uniffi::export]
pub fn document_models(document_json: String) -> Result<Vec<Resource>, PersonaError> {
    let models = persona_core::model::document_models(&document(&document_json)?)?;
    Ok(models.into_iter().map(Into::into).collect())
}

/// The body of `perform-simulate-actions` for `actions`, in order, as JSON: the core's one rule,
/// for every language's `simulate`.
#[uniffi::export]
pub fn simulate_actions_body(actions: Vec<SimulateAction>) -> Result<String, PersonaError> {
    let actions = actions
        .into_iter()
        .map(SimulateAction::core)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(persona_core::client::simulate_actions_body(&actions).to_string())
}
