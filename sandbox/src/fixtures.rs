//! `POST /_sandbox/fixtures` (admin): objects made as Persona would have made them, under the ids
//! given, so that a test can call an operation on an object of any type without first finding
//! the operations that make it. The cross-language matrix (`tests/vectors/matrix.json`) gives
//! every operation its own objects this way.
//!
//! Body: `{"fixtures": [{"type": "inquiry", "id": "inq_mx1", "attributes": {…}?}, …]}`. Each
//! object starts where its lifecycle starts (an inquiry `created`, a case `Open`, a report
//! processed by the next request, a webhook disabled with its secret), with the attributes given
//! on top; unknown types and ids in use are refused before anything is stored.

use serde_json::{Map, Value, json};

use super::generic::new_webhook_secret;
use super::lifecycle;
use super::routes::{Reply, inquiry_relationships};
use super::schema;
use super::state::State;
use super::store::{Kind, iso8601};

pub(crate) fn load(state: &State, body: &[u8]) -> Reply {
    let bad = |details: &str| Reply::error(400, "Bad Request", Some(details), None);
    let Some(items) = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|json| json["fixtures"].as_array().cloned())
    else {
        return bad("the body must be {\"fixtures\": [{\"type\", \"id\", \"attributes\"?}]}");
    };
    for item in &items {
        let (Some(kind), Some(id)) = (item["type"].as_str(), item["id"].as_str()) else {
            return bad("every fixture has a string type and id");
        };
        if schema::attributes(kind).is_none() {
            return bad(&format!(
                "{kind} is not a resource type of Persona's document"
            ));
        }
        if state.store().get_any(id).is_some() {
            return bad(&format!("{id} is already in use"));
        }
    }
    let unix_now = persona::clock::unix_now();
    let now = iso8601(unix_now);
    for item in &items {
        let kind = item["type"].as_str().unwrap_or_default();
        let id = item["id"].as_str().unwrap_or_default();
        let mut attributes: Map<String, Value> =
            item["attributes"].as_object().cloned().unwrap_or_default();
        attributes.entry("created-at").or_insert(json!(now));
        attributes.entry("updated-at").or_insert(json!(now));
        lifecycle::on_create(kind, &mut attributes, &Value::Null, unix_now);
        let mut relationships = json!({});
        match kind {
            "inquiry" => {
                attributes.entry("status").or_insert(json!("created"));
                attributes.entry("fields").or_insert(json!({}));
                relationships = inquiry_relationships(&mut attributes);
            }
            "webhook" => new_webhook_secret(&mut attributes),
            _ => {}
        }
        let object = json!({
            "type": kind, "id": id, "attributes": attributes, "relationships": relationships,
        });
        match kind {
            "inquiry" => state.store().insert(Kind::Inquiry, object),
            "account" => state.store().insert(Kind::Account, object),
            "event" => state.store().insert(Kind::Event, object),
            _ => state.store().insert_other(object),
        };
        if lifecycle::processes(kind) {
            state.process_later(id);
        }
    }
    Reply::ok(201, json!({ "loaded": items.len() }))
}
