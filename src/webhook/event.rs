//! The Persona event carried by a webhook body, read only after the signature has verified.
//!
//! Every language reads events through this one parser, so "is this an event?" has one answer.
//! The rules (also in `tests/vectors/README.md`, which the shared vectors pin):
//!
//! - the body is UTF-8 JSON (nothing after the value) whose top level is an object with a member
//!   `data` that is an object;
//! - `data.type`, when present and not null, is the string `"event"`;
//! - `data.id` is a string; `data.attributes` is an object whose `name` is a string;
//! - `created-at` (also spelled `created_at` or `createdAt`, following `Key-Inflection`) is
//!   absent, null or a string;
//! - `payload` is any JSON value, kept as sent (absent or null: `null`);
//! - the members above appear once each in their object (the spellings of `created-at` count as
//!   one member); other members are ignored, repeated or not.
//!
//! A body that breaks a rule is `invalid_payload`, with the first broken rule as the reason.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::PersonaError;

/// A verified Persona webhook event.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// Event id, e.g. `evt_…`.
    pub id: String,
    /// Event name, e.g. `inquiry.completed`.
    pub name: String,
    /// `created-at` as sent (ISO 8601), if present.
    pub created_at: Option<String>,
    /// `data.attributes.payload` as raw JSON text, exactly as received (`null` when absent).
    pub payload_json: String,
}

impl WebhookEvent {
    /// The event's name as the open enum of Persona's document (`Other` for a name it does not
    /// list); [`super::EventName::resource_type`] is the resource its payload's `data` is.
    pub fn kind(&self) -> super::EventName {
        super::EventName::parse(&self.name)
    }

    /// The resource the event carries (the payload's `data`) read into its typed model:
    /// `inquiry.completed` → `Some(Resource::Inquiry(..))`; `None` when the payload has no data.
    pub fn model(&self) -> Result<Option<crate::model::Resource>, PersonaError> {
        let payload: serde_json::Value = serde_json::from_str(&self.payload_json)
            .map_err(|_| not_an_event("`payload` is not valid JSON"))?;
        crate::model::document_model(&payload)
    }
}

impl std::fmt::Debug for WebhookEvent {
    /// Id and name only: the payload can hold personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEvent")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

// Every member is taken as raw JSON, so a member of the wrong type is reported by the checks below
// (with its name) rather than by serde; serde still validates the JSON, and refuses a member the
// struct names that appears twice.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<&'a RawValue>,
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    attributes: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Attributes<'a> {
    #[serde(borrow)]
    name: Option<&'a RawValue>,
    // Persona's keys follow the Key-Inflection header: kebab (default), snake or camel.
    #[serde(
        borrow,
        rename = "created-at",
        alias = "created_at",
        alias = "createdAt"
    )]
    created_at: Option<&'a RawValue>,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
}

fn not_an_event(reason: &str) -> PersonaError {
    PersonaError::InvalidPayload(reason.to_owned())
}

/// True when `json` (valid JSON) is an object: a struct is then never read from an array.
fn is_object(json: &str) -> bool {
    json.trim_start().starts_with('{')
}

/// Reads one object level: `what` names it in the reason when a member it reads appears twice.
fn object<'a, T: Deserialize<'a>>(json: &'a str, what: &str) -> Result<T, PersonaError> {
    serde_json::from_str(json)
        .map_err(|_| not_an_event(&format!("a member of {what} appears twice")))
}

/// A member that must be a string (`null` or absent is not one).
fn string(member: Option<&RawValue>, what: &str) -> Result<String, PersonaError> {
    member
        .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
        .ok_or_else(|| not_an_event(&format!("{what} is not a string")))
}

impl WebhookEvent {
    /// Reads `{"data": {"type": "event", "id", "attributes": {"name", "created-at", "payload"}}}`
    /// by the rules above.
    pub fn from_body(body: &[u8]) -> Result<Self, PersonaError> {
        // JSON whitespace is exactly these four bytes.
        let first = body
            .iter()
            .find(|byte| !matches!(byte, b' ' | b'\t' | b'\n' | b'\r'));
        if first != Some(&b'{') {
            let is_json = serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok();
            return Err(not_an_event(if is_json {
                "the body is not a JSON object"
            } else {
                "the body is not valid JSON"
            }));
        }
        let envelope: Envelope<'_> = match serde_json::from_slice(body) {
            Ok(envelope) => envelope,
            Err(err) if err.is_data() => {
                return Err(not_an_event("a member of the body appears twice"));
            }
            Err(_) => return Err(not_an_event("the body is not valid JSON")),
        };
        let data = envelope
            .data
            .map(RawValue::get)
            .filter(|json| is_object(json))
            .ok_or_else(|| not_an_event("`data` is not an object"))?;
        let data: Data<'_> = object(data, "`data`")?;
        if let Some(kind) = data.kind {
            if serde_json::from_str::<&str>(kind.get()).ok() != Some("event") {
                return Err(not_an_event("`data.type` is not \"event\""));
            }
        }
        let id = string(data.id, "`data.id`")?;
        let attributes = data
            .attributes
            .map(RawValue::get)
            .filter(|json| is_object(json))
            .ok_or_else(|| not_an_event("`data.attributes` is not an object"))?;
        let attributes: Attributes<'_> = object(attributes, "`data.attributes`")?;
        let name = string(attributes.name, "`data.attributes.name`")?;
        let created_at = attributes
            .created_at
            .map(|raw| string(Some(raw), "`data.attributes.created-at`"))
            .transpose()?;
        Ok(Self {
            id,
            name,
            created_at,
            payload_json: attributes
                .payload
                .map_or_else(|| "null".to_owned(), |raw| raw.get().to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(body: &[u8]) -> String {
        WebhookEvent::from_body(body).unwrap_err().to_string()
    }

    #[test]
    fn reads_kebab_and_camel() {
        let body = br#"{"data":{"type":"event","id":"evt_1","attributes":{"name":"inquiry.completed","created-at":"2026-11-26T12:00:00.000Z","payload":{"data":{"id":"inq_1"}}}}}"#;
        let event = WebhookEvent::from_body(body).unwrap();
        assert_eq!(event.id, "evt_1");
        assert_eq!(event.name, "inquiry.completed");
        assert_eq!(
            event.created_at.as_deref(),
            Some("2026-11-26T12:00:00.000Z")
        );
        assert_eq!(event.payload_json, r#"{"data":{"id":"inq_1"}}"#);
        let camel = br#"{"data":{"id":"e","attributes":{"name":"n","createdAt":"x"}}}"#;
        let event = WebhookEvent::from_body(camel).unwrap();
        assert_eq!(
            (event.created_at.as_deref(), event.payload_json.as_str()),
            (Some("x"), "null")
        );
    }

    #[test]
    fn names_the_first_broken_rule() {
        let prefix = "webhook payload is not a Persona event: ";
        for (body, expected) in [
            (&b""[..], "the body is not valid JSON"),
            (b"\xff", "the body is not valid JSON"),
            (b"{} x", "the body is not valid JSON"),
            (b"[]", "the body is not a JSON object"),
            (br#"[{"data":{}}]"#, "the body is not a JSON object"),
            (br#"{"data":{},"data":{}}"#, "a member of the body appears twice"),
            (br#"{"data":[1]}"#, "`data` is not an object"),
            (
                br#"{"data":{"type":"inquiry","id":"x","attributes":{"name":"n"}}}"#,
                "`data.type` is not \"event\"",
            ),
            (
                br#"{"data":{"id":1,"attributes":{"name":"n"}}}"#,
                "`data.id` is not a string",
            ),
            (
                br#"{"data":{"id":"e","attributes":{"name":42,"created-at":7}}}"#,
                "`data.attributes.name` is not a string",
            ),
            (
                br#"{"data":{"id":"e","attributes":{"name":"n","created-at":7}}}"#,
                "`data.attributes.created-at` is not a string",
            ),
            (
                br#"{"data":{"id":"e","attributes":{"name":"n","created-at":"a","createdAt":"b"}}}"#,
                "a member of `data.attributes` appears twice",
            ),
        ] {
            assert_eq!(reason(body), format!("{prefix}{expected}"), "{body:?}");
            assert_eq!(
                WebhookEvent::from_body(body).unwrap_err().code(),
                "invalid_payload"
            );
        }
    }

    #[test]
    fn debug_prints_no_payload() {
        let body =
            br#"{"data":{"id":"e","attributes":{"name":"n","payload":{"ssn":"123-45-6789"}}}}"#;
        let text = format!("{:?}", WebhookEvent::from_body(body).unwrap());
        assert!(
            text.contains("\"e\"") && !text.contains("123-45-6789"),
            "{text}"
        );
    }
}
