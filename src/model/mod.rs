//! Typed models of Persona's main resources (inquiries, accounts, verifications, reports, cases,
//! …), generated from the schemas of Persona's OpenAPI document, read by one set of rules
//! (`src/model/read.rs`) that every language's models share through this core.
//!
//! The reading rules (`src/model/read.rs`, pinned by `tests/vectors/models.json`):
//!
//! - A resource is an object whose `type` and `id` are strings; `attributes` and `relationships`,
//!   when present and not null, are objects.
//! - An attribute is looked up under its kebab-case name, then snake_case, then camelCase (the
//!   three `Key-Inflection` spellings); the first spelling present is the one read.
//! - Absent or `null`: the field is empty (`None`). Sparse fieldsets (`fields[type]=…`) and
//!   redaction leave attributes out or null, so every field may be empty.
//! - A value of another JSON type than the schema's is an `invalid_payload` error naming the
//!   attribute (never silently empty). An integer is a JSON number without a fraction or exponent
//!   that fits 64 bits; a number is any JSON number; a list of strings may hold `null` items
//!   (Persona's tag lists declare them), which are skipped.
//! - A status the docs do not list is kept (`Other`), never an error.
//!
//! ```
//! use persona::model::{self, InquiryStatus, Resource};
//! let document = serde_json::json!({"data": {"type": "inquiry", "id": "inq_1",
//!     "attributes": {"status": "approved", "reference-id": "user-7"}}});
//! let Some(Resource::Inquiry(inquiry)) = model::document_model(&document)? else { panic!() };
//! assert_eq!(inquiry.status, Some(InquiryStatus::Approved));
//! assert_eq!(inquiry.reference_id.as_deref(), Some("user-7"));
//! # Ok::<(), persona::PersonaError>(())
//! ```

mod generated;
mod read;

pub use generated::*;

use serde_json::Value;

use crate::error::PersonaError;
use read::ResourceParts;

/// A resource of a type without a model: its type and id, with its attributes and relationships
/// kept as JSON. Prints its type and id only.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UntypedResource {
    /// `id`.
    pub id: String,
    /// `type`.
    pub resource_type: String,
    /// `attributes` as sent, as JSON (`{}` when absent).
    pub attributes_json: String,
    /// `relationships` as sent, as JSON (`{}` when absent).
    pub relationships_json: String,
}

impl std::fmt::Debug for UntypedResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UntypedResource")
            .field("resource_type", &self.resource_type)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl UntypedResource {
    fn read(parts: &ResourceParts<'_>) -> Self {
        Self {
            id: parts.id.to_owned(),
            resource_type: parts.kind.to_owned(),
            attributes_json: parts.attributes_json(),
            relationships_json: parts.relationships_json(),
        }
    }
}

/// Reads one JSON:API resource object into its model ([`Resource::Other`] for a type without
/// one); a resource that breaks the reading rules (`src/model/read.rs`) is an `invalid_payload` error.
pub fn resource(resource: &Value) -> Result<Resource, PersonaError> {
    Resource::read(&ResourceParts::of(resource)?)
}

/// The model of a document's primary `data` when it is one resource (a retrieve, a create, a
/// webhook event's payload); `None` when `data` is absent or null. A list's `data` is an
/// `invalid_argument` error: read it with [`document_models`].
pub fn document_model(document: &Value) -> Result<Option<Resource>, PersonaError> {
    match document.get("data") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(_)) => Err(PersonaError::invalid_argument_because(
            "document",
            "its data is a list; read it with the list form (models)".to_owned(),
        )),
        Some(data) => resource(data).map(Some),
    }
}

/// The models of a document's primary `data`: every resource of a list, or the one resource
/// (empty when `data` is absent or null).
pub fn document_models(document: &Value) -> Result<Vec<Resource>, PersonaError> {
    match document.get("data") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(resource).collect(),
        Some(data) => resource(data).map(|model| vec![model]),
    }
}
