//! Every operation of Persona's document that `routes.rs` does not serve by hand, answered from
//! the client's operation table (method, path, filters) and the document's schemas (the
//! resource types an operation answers, their attributes and id prefixes, `schema.rs`): one
//! JSON:API store for every other resource type.
//!
//! By the operation's shape:
//! - `POST /things` creates a resource of the operation's type from `data.attributes` (checked
//!   against the request schema), answered with the operation's status (an action over a set,
//!   such as expiring all sessions, answers the empty list it acted on);
//! - `GET /things` lists that type (declared filters, both cursors);
//! - `GET /things/{id}`, `PATCH /things/{id}` read and update it (any type the operation answers);
//! - `DELETE /things/{id}` redacts (`redacted-at`) or archives (`archive-…` operations: status
//!   `archived`, `archived-at`) it, as the operation is named;
//! - `POST /things/{id}/<action>` runs the action: `archive`, `enable`/`disable` (status),
//!   `expire` (status `expired`, `expired-at`), `rotate-secret` (a webhook's new secret; the old
//!   one signs too until `meta.expires-in-seconds`), `add-tag`/`remove-tag`/`set-tags` (`tags`, with
//!   the document's `account.tag-added`/`-removed` events), anything else answers the resource
//!   as it is;
//! - `GET /things/{id}/print` answers a PDF.
//!
//! What this does not yet do (issue 13): lifecycles beyond these statuses, objects that only
//! Persona creates appearing on the actions that create them.

use serde_json::{Map, Value, json};

use super::lifecycle;
use super::routes::{Reply, accepted_version, attributes_of, json_body, list_from, not_found};
use super::schema;
use super::state::State;
use super::store::{iso8601, new_id};
use super::validate;
use persona::client::Operation;

/// A PDF's bytes for the `print` operations (a real, if empty, one-page document).
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// The operation `method` and `segments` (the path under `/api/v1/`) name, with its path values.
pub(crate) fn route<'a>(
    method: &str,
    segments: &[&'a str],
) -> Option<(&'static Operation, Vec<&'a str>)> {
    Operation::all().iter().find_map(|operation| {
        if !operation
            .method
            .as_reqwest()
            .as_str()
            .eq_ignore_ascii_case(method)
        {
            return None;
        }
        let template: Vec<&str> = operation.path.trim_start_matches('/').split('/').collect();
        if template.len() != segments.len() {
            return None;
        }
        let mut values = Vec::new();
        for (part, segment) in template.iter().zip(segments) {
            if part.starts_with('{') {
                if segment.is_empty() {
                    return None;
                }
                values.push(*segment);
            } else if part != segment {
                return None;
            }
        }
        Some((operation, values))
    })
}

/// Serves `operation` (found by [`route`]) for its path `values`.
pub fn serve(
    state: &State,
    operation: &'static Operation,
    values: &[&str],
    query: &str,
    body: &[u8],
) -> Reply {
    let method = operation.method.as_reqwest();
    let method = method.as_str();
    let Some((status, types)) = schema::operation(operation.id) else {
        return unsupported(operation);
    };
    let last_is_value = operation.path.ends_with('}');
    let unix_now = persona::clock::unix_now();
    let now = iso8601(unix_now);
    let found = |id: &str| {
        state
            .store()
            .find(id, types)
            .ok_or_else(|| not_found(types.first().copied().unwrap_or("resource")))
    };
    let result: Result<Reply, Reply> = (|| {
        let reply = match (method, values.last(), last_is_value) {
            // An action over a set (expire-all): what it acted on, here nothing.
            ("POST", None, _) if schema::answers_list(operation.id) => {
                Reply::ok(status, json!({ "data": [] }))
            }
            ("POST", None, _) if operation.group == "oauth" => oauth(state, operation, body)?,
            ("POST", None, _) => {
                let Some(&kind) = types.first() else {
                    return Err(unsupported(operation));
                };
                let mut attributes = attributes_of(body)?;
                record_rules(&mut attributes)?;
                attributes.insert("created-at".into(), json!(now));
                attributes.insert("updated-at".into(), json!(now));
                if kind == "webhook" {
                    new_webhook_secret(&mut attributes);
                }
                lifecycle::on_create(kind, &mut attributes, &meta_of(body), unix_now);
                let id = new_id(schema::id_prefix(kind).unwrap_or("obj"));
                let mut relationships = json!({});
                if kind == "inquiry-session" {
                    relationships["device"] = lifecycle::device_for_session(state);
                }
                let object = state.store().insert_other(json!({
                    "type": kind, "id": id, "attributes": attributes,
                    "relationships": relationships,
                }));
                if lifecycle::processes(kind) {
                    state.process_later(object["id"].as_str().unwrap_or_default());
                }
                Reply::ok(status, json!({ "data": object }))
            }
            // A device's schema has no relationships: the session it opened on links it, so
            // `filter[inquiry-session-id]` (which the document requires here) reads the sessions.
            ("GET", None, _) if operation.id == "list-all-devices" => {
                let session_of: std::collections::HashMap<String, String> = state
                    .store()
                    .of_type("inquiry-session")
                    .iter()
                    .filter_map(|session| {
                        let device = session["relationships"]["device"]["data"]["id"].as_str()?;
                        Some((device.to_owned(), session["id"].as_str()?.to_owned()))
                    })
                    .collect();
                let base = format!("/api/v1{}", operation.path);
                list_from(operation.id, query, &base, |cursor, size, keep| {
                    state.store().page_of(&["device"], cursor, size, |object| {
                        let mut linked = object.clone();
                        if let Some(session) = object["id"].as_str().and_then(|id| session_of.get(id)) {
                            linked["relationships"] = json!({
                                "inquiry-session": { "data": { "type": "inquiry-session", "id": session } },
                            });
                        }
                        keep(&linked)
                    })
                })
            }
            ("GET", None, _) => {
                let base = format!("/api/v1{}", operation.path);
                list_from(operation.id, query, &base, |cursor, size, keep| {
                    state.store().page_of(types, cursor, size, keep)
                })
            }
            ("GET", Some(id), true) => Reply::ok(status, json!({ "data": found(id)? })),
            ("PATCH", Some(id), true) => {
                found(id)?;
                let mut attributes = attributes_of(body)?;
                record_rules(&mut attributes)?;
                let updated = state.store().update_any(id, |object| {
                    merge(&mut object["attributes"], attributes);
                    object["attributes"]["updated-at"] = json!(now);
                });
                Reply::ok(status, json!({ "data": updated }))
            }
            ("DELETE", Some(id), true) => {
                found(id)?;
                let archive = operation.id.starts_with("archive");
                let updated = state.store().update_any(id, |object| {
                    if archive {
                        object["attributes"]["status"] = json!("archived");
                        object["attributes"]["archived-at"] = json!(now);
                    } else {
                        object["attributes"]["redacted-at"] = json!(now);
                    }
                    object["attributes"]["updated-at"] = json!(now);
                });
                if let Some(updated) = &updated {
                    let action = if archive { "archive" } else { "redact" };
                    emit_for(state, action, updated);
                }
                Reply::ok(status, json!({ "data": updated }))
            }
            ("GET", Some(id), false) if operation.path.ends_with("/print") => {
                // Only a resource that exists is printed.
                state
                    .store()
                    .get_any(id)
                    .ok_or_else(|| not_found("resource"))?;
                return Ok(Reply::file(status, "application/pdf", PDF));
            }
            ("POST", Some(workflow), false) if operation.id == "create-a-workflow-run" => {
                Reply::ok(
                    status,
                    json!({ "data": lifecycle::trigger_workflow(state, workflow, unix_now) }),
                )
            }
            ("POST", Some(id), false) => {
                found(id)?;
                let action = operation.path.rsplit('/').next().unwrap_or_default();
                // The body read once: its `meta` drives every action.
                let meta = if body.is_empty() {
                    Value::Null
                } else {
                    json_body(body)?["meta"].take()
                };
                let tags = tag_names(&meta);
                let overlap = rotation_overlap(&meta)?;
                let updated = state.store().update_any(id, |object| {
                    let kind = object["type"].as_str().unwrap_or_default().to_owned();
                    let attributes = &mut object["attributes"];
                    if lifecycle::on_action(&kind, action, attributes, &meta, unix_now) {
                        attributes["updated-at"] = json!(now);
                        return;
                    }
                    match action {
                        "add-tag" | "remove-tag" | "set-tags" => retag(attributes, action, &tags),
                        "rotate-secret" => rotate(attributes, overlap),
                        "archive" => {
                            attributes["status"] = json!("archived");
                            attributes["archived-at"] = json!(now);
                        }
                        "enable" => attributes["status"] = json!("enabled"),
                        "disable" => attributes["status"] = json!("disabled"),
                        "expire" => {
                            attributes["status"] = json!("expired");
                            attributes["expired-at"] = json!(now);
                        }
                        _ => {}
                    }
                    attributes["updated-at"] = json!(now);
                });
                if let Some(updated) = &updated {
                    let kind = updated["type"].as_str().unwrap_or_default();
                    if action == "run" && lifecycle::processes(kind) {
                        state.process_later(id);
                    }
                    emit_for(state, action, updated);
                }
                Reply::ok(status, json!({ "data": updated }))
            }
            ("GET", Some(id), false) => Reply::ok(status, json!({ "data": found(id)? })),
            _ => return Err(unsupported(operation)),
        };
        Ok(reply)
    })();
    result.unwrap_or_else(|error| error)
}

/// `meta.tag-name` of a tag action's body: one name (add, remove) or a list (set), as the
/// document's `…-add-tag`/`-remove-tag`/`-set-tags` request schemas declare. (`meta.tag-id`
/// names a tag object the sandbox does not hold: such a body changes nothing.)
fn tag_names(meta: &Value) -> Vec<String> {
    match &meta["tag-name"] {
        Value::String(name) => vec![name.clone()],
        Value::Array(names) => names
            .iter()
            .filter_map(|name| name.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn retag(attributes: &mut Value, action: &str, names: &[String]) {
    let mut tags: Vec<String> = attributes["tags"]
        .as_array()
        .map(|tags| {
            tags.iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    match action {
        "add-tag" => {
            for name in names {
                if !tags.contains(name) {
                    tags.push(name.clone());
                }
            }
        }
        "remove-tag" => tags.retain(|tag| !names.contains(tag)),
        _ => tags = names.to_vec(),
    }
    attributes["tags"] = json!(tags);
}

/// `meta.expires-in-seconds` of a rotate-secret body: how long the old secret keeps signing
/// (the document's example: 7200); without it, 24 hours.
fn rotation_overlap(meta: &Value) -> Result<i64, Reply> {
    match &meta["expires-in-seconds"] {
        Value::Null => Ok(24 * 60 * 60),
        // JSON Schema's integer includes `3600.0`; a negative overlap ends the old secret now.
        seconds => seconds
            .as_i64()
            .or_else(|| {
                seconds
                    .as_f64()
                    .filter(|float| float.fract() == 0.0)
                    .map(|float| float as i64)
            })
            .map(|seconds| seconds.max(0))
            .ok_or_else(|| {
                Reply::error(
                    400,
                    "Bad Request",
                    Some("meta.expires-in-seconds must be an integer"),
                    None,
                )
            }),
    }
}

/// A new signing secret; the live ones keep signing for `overlap` seconds, so deliveries carry
/// both signatures meanwhile.
fn rotate(attributes: &mut Value, overlap: i64) {
    let expires = iso8601(persona::clock::unix_now() + overlap);
    let mut secrets: Vec<Value> = attributes["secrets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for secret in &mut secrets {
        if secret["expires-at"].is_null() {
            secret["expires-at"] = json!(expires);
        }
    }
    let fresh = new_id("wbhsec");
    secrets.insert(0, json!({ "value": fresh, "expires-at": null }));
    attributes["secret"] = json!(fresh);
    attributes["secrets"] = Value::Array(secrets);
}

fn merge(stored: &mut Value, sent: Map<String, Value>) {
    if !stored.is_object() {
        *stored = json!({});
    }
    for (key, value) in sent {
        stored[key] = value;
    }
}

/// Persona's OAuth code flow, as its document declares it: `POST /oauth/authorize` (form
/// `client-id`, `response-type`, `scope`) answers a one-time `code`; `POST /oauth/token` (form
/// `code`, `grant-type`) exchanges a code it issued for a bearer access token of that scope.
fn oauth(state: &State, operation: &Operation, body: &[u8]) -> Result<Reply, Reply> {
    let form: Map<String, Value> = url::form_urlencoded::parse(body)
        .map(|(name, value)| (name.into_owned(), Value::String(value.into_owned())))
        .collect();
    let field = |name: &str| {
        form.get(name).and_then(Value::as_str).ok_or_else(|| {
            Reply::error(
                400,
                "Bad Request",
                Some(&format!("{name} is missing")),
                None,
            )
        })
    };
    if operation.path.ends_with("/authorize") {
        let (_, _, scope) = (
            field("client-id")?,
            field("response-type")?,
            field("scope")?,
        );
        let code = new_id("code");
        state.oauth_codes().insert(code.clone(), scope.to_owned());
        return Ok(Reply::ok(201, json!({ "code": code, "expires-in": 599 })));
    }
    let (code, _) = (field("code")?, field("grant-type")?);
    let scope = state.oauth_codes().remove(code).ok_or_else(|| {
        Reply::error(
            400,
            "Bad Request",
            Some("code is invalid or was already used"),
            None,
        )
    })?;
    Ok(Reply::ok(
        201,
        json!({
            "access-token": new_id("persona_access_token"),
            "token-type": "bearer",
            "expires-in": 3599,
            "scope": scope,
        }),
    ))
}

/// An operation whose shape the sandbox does not know: Persona's 400, worded as its others.
fn unsupported(operation: &Operation) -> Reply {
    Reply::error(
        400,
        "Bad Request",
        Some(&format!("{} is not simulated by the sandbox", operation.id)),
        None,
    )
}

/// What Persona checks beyond the request schema: an `api-version` (an API key's, a webhook's)
/// is a version Persona publishes — the document types it a plain string on the way in and a
/// `date` on the way out — and an `api-key-inflection` one of its three inflections. A
/// geolocation's `radius-meters` is a number on the way in and an integer on the way out: cast as
/// Rails casts a number into an integer column (truncated).
///
/// Uploaded `files` and `attachments` (`{filename, data}` in a request) are answered as Persona's file objects
/// (`{filename, url, byte-size}`).
fn record_rules(attributes: &mut Map<String, Value>) -> Result<(), Reply> {
    for uploads in ["files", "attachments"] {
        let Some(Value::Array(files)) = attributes.get_mut(uploads) else {
            continue;
        };
        // An upload without a file name is no file (a case's attachments cannot be null).
        files.retain(|file| file.get("filename").is_some_and(Value::is_string));
        for file in files.iter_mut() {
            let size = file["data"].as_str().map_or(0, |data| data.len() * 3 / 4);
            *file = json!({
                "filename": file["filename"],
                "url": format!("https://files.withpersona.com/{}", new_id("file")),
                "byte-size": size,
            });
        }
    }
    if let Some(radius) = attributes.get_mut("radius-meters") {
        if let Some(float) = radius
            .as_f64()
            .filter(|_| !radius.is_i64() && !radius.is_u64())
        {
            // `as` saturates at i64's bounds, and NaN cannot come from JSON.
            *radius = json!(float.trunc() as i64);
        }
    }
    let invalid = |name: &str, details: &str| {
        Err(Reply::error(
            422,
            "Record invalid",
            Some(details),
            Some(&format!("/data/attributes/{name}")),
        ))
    };
    if let Some(version) = attributes.get("api-version").and_then(Value::as_str) {
        if !accepted_version(version) {
            return invalid(
                "api-version",
                "api-version must be an API version Persona publishes, e.g. 2023-01-05",
            );
        }
    }
    if let Some(inflection) = attributes.get("api-key-inflection").and_then(Value::as_str) {
        if !validate::INFLECTIONS.contains(&inflection) {
            return invalid(
                "api-key-inflection",
                "api-key-inflection must be one of camel, kebab, snake",
            );
        }
    }
    Ok(())
}

/// The body's `meta` (`null` without one): what an action or a create takes besides attributes.
fn meta_of(body: &[u8]) -> Value {
    serde_json::from_slice::<Value>(body).map_or(Value::Null, |json| json["meta"].clone())
}

/// A new webhook has its signing secret, and starts as the document's example shows it:
/// disabled until enabled.
pub(crate) fn new_webhook_secret(attributes: &mut Map<String, Value>) {
    let secret = new_id("wbhsec");
    attributes.insert("secret".into(), json!(secret));
    attributes.insert(
        "secrets".into(),
        json!([{ "value": secret, "expires-at": null }]),
    );
    attributes.insert("status".into(), json!("disabled"));
}

/// Emits the event Persona's document declares for `action` on `object`'s type, if it declares
/// one: `account.tag-added`, `-tag-removed`, `-consolidated`, `-archived`, `-redacted` (the
/// document's webhooks section, `persona::webhook::EventName::KNOWN`).
fn emit_for(state: &State, action: &str, object: &Value) {
    let past = match action {
        "add-tag" => "tag-added",
        "remove-tag" => "tag-removed",
        "consolidate" => "consolidated",
        "archive" => "archived",
        "redact" => "redacted",
        _ => return,
    };
    let event = format!("{}.{past}", object["type"].as_str().unwrap_or_default());
    if persona::webhook::EventName::KNOWN
        .iter()
        .any(|(name, _)| *name == event)
    {
        state.emit(&event, object);
    }
}
