//! The Persona event carried by a webhook body, read only after the signature has verified.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::PersonaError;

/// A verified Persona webhook event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// Event id, e.g. `evt_…`.
    pub id: String,
    /// Event name, e.g. `inquiry.completed`.
    pub name: String,
    /// `created-at` as sent (ISO 8601), if present.
    pub created_at: Option<String>,
    /// `attributes.payload` as raw JSON text, exactly as received (`null` when absent).
    pub payload_json: String,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    data: Data<'a>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    id: String,
    #[serde(borrow)]
    attributes: Attributes<'a>,
}

#[derive(Deserialize)]
struct Attributes<'a> {
    name: String,
    // Persona's keys follow the Key-Inflection header: kebab (default), snake or camel.
    #[serde(rename = "created-at", alias = "created_at", alias = "createdAt")]
    created_at: Option<String>,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
}

impl WebhookEvent {
    /// Reads `{"data": {"type": "event", "id", "attributes": {"name", "created-at", "payload"}}}`.
    pub fn from_body(body: &[u8]) -> Result<Self, PersonaError> {
        let envelope: Envelope<'_> = serde_json::from_slice(body)
            .map_err(|err| PersonaError::InvalidPayload(format!("not a Persona event: {err}")))?;
        if let Some(kind) = &envelope.data.kind {
            if kind != "event" {
                return Err(PersonaError::InvalidPayload(format!(
                    "data.type is `{kind}`, expected `event`"
                )));
            }
        }
        let Attributes {
            name,
            created_at,
            payload,
        } = envelope.data.attributes;
        Ok(Self {
            id: envelope.data.id,
            name,
            created_at,
            payload_json: payload.map_or_else(|| "null".to_owned(), |raw| raw.get().to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn rejects_non_events() {
        for body in [
            &b""[..],
            b"\xff",
            b"[]",
            br#"{"data":{"type":"inquiry","id":"x","attributes":{"name":"n"}}}"#,
        ] {
            assert_eq!(
                WebhookEvent::from_body(body).unwrap_err().code(),
                "invalid_payload"
            );
        }
    }
}
