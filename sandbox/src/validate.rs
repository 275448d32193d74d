//! Requests checked against Persona's document itself (`api/persona-openapi.json`, embedded): the
//! request body against its operation's request schema, by a JSON Schema 2020-12 validator, so
//! types, required members, additional properties, enums and nested shapes (a report's `query`,
//! an inquiry's `fields`) are Persona's rules, never a copy of them; and the headers whose values
//! the document enumerates.
//!
//! A violation is Persona's 400: `{"errors":[{"title":"Bad Request","details":…}]}` — the
//! document's 400 error schema has no `source`, so the place is named in `details` (as a dotted
//! path, the way the document's examples word it: "data.attributes.tags …"). The value sent is
//! never echoed: request bodies carry identity data.
//!
//! Bodies arrive as JSON (any `Key-Inflection`: keys are read as kebab, as the handlers do),
//! `multipart/form-data` (the importers: a part per member, either `data` holding JSON or
//! Rails-style `data[attributes][file]` names) or `application/x-www-form-urlencoded` (OAuth). A
//! multipart body is handed on as the JSON it spells, so every handler reads one shape.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use bytes::Bytes;
use jsonschema::{Registry, Validator};
use serde_json::{Map, Value};

use super::inflection::{Inflection, inflect};
use super::routes::Reply;
use persona::client::Operation;

const DOCUMENT_URI: &str = "urn:persona:openapi";

static DOCUMENT: LazyLock<Option<Value>> = LazyLock::new(|| {
    let mut document = serde_json::from_str(include_str!("../../api/persona-openapi.json")).ok()?;
    with_integer_bounds(&mut document);
    Some(document)
});

/// OpenAPI's `int32`/`int64` formats are bounds (OpenAPI 3.1 §4.2, the format registry: signed 32
/// and 64 bits); JSON Schema formats constrain strings only, so the bounds are written out where
/// the document names the format.
fn with_integer_bounds(node: &mut Value) {
    match node {
        Value::Object(map) => {
            let bounds = match map.get("format").and_then(Value::as_str) {
                Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
                Some("int64") => Some((i64::MIN, i64::MAX)),
                _ => None,
            };
            if let Some((low, high)) = bounds {
                map.entry("minimum").or_insert(Value::from(low));
                map.entry("maximum").or_insert(Value::from(high));
            }
            map.values_mut().for_each(with_integer_bounds);
        }
        Value::Array(items) => items.iter_mut().for_each(with_integer_bounds),
        _ => {}
    }
}

static REGISTRY: LazyLock<Option<Registry<'static>>> = LazyLock::new(|| {
    let document = DOCUMENT.as_ref()?;
    Registry::new()
        .add(DOCUMENT_URI, document)
        .ok()?
        .prepare()
        .ok()
});

/// One compiled validator per schema, built on first use (about a millisecond each: building all
/// 160-odd at start would slow every test's sandbox start for operations it never calls).
static VALIDATORS: LazyLock<RwLock<HashMap<String, Option<Arc<Validator>>>>> =
    LazyLock::new(Default::default);

/// The document's `Key-Inflection` values (`components/parameters/key-inflection-header`).
pub(crate) const INFLECTIONS: &[&str] = &["camel", "kebab", "snake"];

/// Checks the request against what `operation` declares. `Ok(Some(body))` hands on a body
/// rewritten as JSON (multipart); `Ok(None)` keeps the one sent.
pub(crate) fn request(
    operation: &Operation,
    key_inflection: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Option<Bytes>, Reply> {
    if let Some(value) = key_inflection {
        if !INFLECTIONS.contains(&value) {
            return Err(bad("Key-Inflection must be one of camel, kebab, snake"));
        }
    }
    if body.is_empty() {
        // No request body of the document is `required`; an absent one is an empty request.
        return Ok(None);
    }
    let media = content_type
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "multipart/form-data" => {
            let Some(schema) = body_schema(operation, "multipart/form-data") else {
                return Err(bad("this operation takes no multipart/form-data body"));
            };
            let json = content_type
                .and_then(boundary)
                .and_then(|boundary| multipart_json(body, &boundary))
                .ok_or_else(|| bad("the body must be valid multipart/form-data"))?;
            check(&schema, &json)?;
            Ok(Some(Bytes::from(json.to_string())))
        }
        "application/x-www-form-urlencoded" => {
            let Some(schema) = body_schema(operation, "application/x-www-form-urlencoded") else {
                return Err(bad(
                    "this operation takes no application/x-www-form-urlencoded body",
                ));
            };
            let form: Map<String, Value> = url::form_urlencoded::parse(body)
                .map(|(name, value)| (name.into_owned(), Value::String(value.into_owned())))
                .collect();
            check(&schema, &Value::Object(form))?;
            Ok(None)
        }
        _ => {
            let json: Value =
                serde_json::from_slice(body).map_err(|_| bad("the body must be valid JSON"))?;
            let Some(schema) = body_schema(operation, "application/json") else {
                return Ok(None);
            };
            let mut json = inflect(json, Inflection::Kebab);
            check(&schema, &json)?;
            Ok(permitted_only(operation, &mut json).then(|| Bytes::from(json.to_string())))
        }
    }
}

/// Drops the `data.attributes` members `operation`'s request schema does not declare, as Persona
/// (a Rails application: strong parameters) ignores them: where a schema allows more
/// (`additionalProperties: true`), an attribute Persona computes (a case's `attachments`, a
/// `status`) is still never taken from the request. Whether anything was dropped.
fn permitted_only(operation: &Operation, json: &mut Value) -> bool {
    let Some(declared) = declared_attributes(operation) else {
        return false;
    };
    let Some(attributes) = json
        .pointer_mut("/data/attributes")
        .and_then(Value::as_object_mut)
    else {
        return false;
    };
    let before = attributes.len();
    attributes.retain(|name, _| declared.iter().any(|known| known == name));
    attributes.len() != before
}

/// The attribute names `operation`'s JSON request schema declares under `data.attributes`
/// (`None`: no such schema, or one that names none).
fn declared_attributes(operation: &Operation) -> Option<Vec<String>> {
    let document = DOCUMENT.as_ref()?;
    let resolve = |node: &'static Value| -> Option<&'static Value> {
        match node.get("$ref").and_then(Value::as_str) {
            Some(target) => document.pointer(target.trim_start_matches('#')),
            None => Some(node),
        }
    };
    let body = document.pointer(&format!(
        "/paths/{}/{}/requestBody",
        escape(operation.path),
        operation.method.as_reqwest().as_str().to_ascii_lowercase()
    ))?;
    let body = resolve(body)?;
    let schema = resolve(body.pointer("/content/application~1json/schema")?)?;
    let data = resolve(schema.pointer("/properties/data")?)?;
    let attributes = data.pointer("/properties/attributes")?;
    let mut names = Vec::new();
    let mut pending = vec![attributes];
    while let Some(node) = pending.pop() {
        let node = resolve(node)?;
        if let Some(properties) = node.get("properties").and_then(Value::as_object) {
            names.extend(properties.keys().cloned());
        }
        for combinator in ["allOf", "anyOf", "oneOf"] {
            if let Some(parts) = node.get(combinator).and_then(Value::as_array) {
                pending.extend(parts);
            }
        }
    }
    (!names.is_empty()).then_some(names)
}

fn bad(details: &str) -> Reply {
    Reply::error(400, "Bad Request", Some(details), None)
}

/// The validator of `operation`'s request body in `media`, when the document declares one.
fn body_schema(operation: &Operation, media: &str) -> Option<Arc<Validator>> {
    let document = DOCUMENT.as_ref()?;
    let mut pointer = format!(
        "/paths/{}/{}/requestBody",
        escape(operation.path),
        operation.method.as_reqwest().as_str().to_ascii_lowercase()
    );
    if let Some(target) = document.pointer(&pointer)?.get("$ref") {
        pointer = target.as_str()?.trim_start_matches('#').to_owned();
    }
    document
        .pointer(&format!("{pointer}/content"))?
        .get(media)?;
    validator(&format!("{pointer}/content/{}/schema", escape(media)))
}

fn validator(pointer: &str) -> Option<Arc<Validator>> {
    if let Some(found) = VALIDATORS.read().ok()?.get(pointer) {
        return found.clone();
    }
    let registry = REGISTRY.as_ref()?;
    let built = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        // `format` is an annotation in 2020-12; Persona refuses a `birthdate` that is no date.
        .should_validate_formats(true)
        .with_registry(registry)
        // A pointer in a URI fragment: the path templates' braces percent-encoded (RFC 3986).
        .build(&serde_json::json!({
            "$ref": format!("{DOCUMENT_URI}#{}", pointer.replace('{', "%7B").replace('}', "%7D"))
        }))
        .ok()
        .map(Arc::new);
    VALIDATORS
        .write()
        .ok()?
        .insert(pointer.to_owned(), built.clone());
    built
}

/// A JSON pointer's reference token (RFC 6901): `~` and `/` escaped.
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The deepest violation (it names the member that is wrong rather than an `anyOf` around it),
/// worded without the value sent.
fn check(validator: &Validator, instance: &Value) -> Result<(), Reply> {
    let depth = |location: &str| location.matches('/').count();
    let Some(top) = validator
        .iter_errors(instance)
        .max_by_key(|error| depth(error.instance_path().as_str()))
    else {
        return Ok(());
    };
    // Inside an `anyOf`/`oneOf` the validator reports only the combinator; its evaluation
    // knows which member of which branch failed.
    let evaluation = validator.evaluate(instance);
    let inner = evaluation
        .iter_errors()
        .max_by_key(|entry| depth(entry.instance_location.as_str()));
    let details = match inner {
        Some(entry)
            if depth(entry.instance_location.as_str()) > depth(top.instance_path().as_str()) =>
        {
            let keyword = entry.schema_location.rsplit('/').next().unwrap_or_default();
            format!(
                "{}: does not match the `{keyword}` of the document's schema",
                place(entry.instance_location.as_str())
            )
        }
        _ => format!("{}: {}", place(top.instance_path().as_str()), top.masked()),
    };
    Err(bad(&details))
}

/// A JSON pointer as the dotted path Persona's error details use (`data.attributes.tags`).
fn place(pointer: &str) -> String {
    match pointer.trim_start_matches('/') {
        "" => "body".to_owned(),
        path => path.replace('/', "."),
    }
}

fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.trim().split_once('=')?;
        name.eq_ignore_ascii_case("boundary")
            .then(|| value.trim_matches('"').to_owned())
    })
}

/// A multipart body as the JSON object its parts spell: a part named `data` whose content is
/// JSON is that JSON; `data[attributes][file]` nests; any other part is its text.
fn multipart_json(body: &[u8], boundary: &str) -> Option<Value> {
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let mut root = Value::Object(Map::new());
    let mut sections = text.split(delimiter.as_str());
    sections.next()?; // the preamble
    for section in sections {
        if section.starts_with("--") {
            return Some(root); // the closing delimiter
        }
        let section = section.strip_prefix("\r\n")?;
        let (head, content) = section.split_once("\r\n\r\n")?;
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        let mut name = None;
        let mut is_json = false;
        for line in head.split("\r\n") {
            let (header, value) = line.split_once(':')?;
            if header.eq_ignore_ascii_case("content-disposition") {
                name = value.split(';').find_map(|parameter| {
                    parameter
                        .trim()
                        .strip_prefix("name=")
                        .map(|name| name.trim_matches('"').to_owned())
                });
            } else if header.eq_ignore_ascii_case("content-type") {
                is_json = value.trim().starts_with("application/json");
            }
        }
        let value = if is_json {
            serde_json::from_str(content).ok()?
        } else {
            Value::String(content.to_owned())
        };
        insert_nested(&mut root, &name?, value)?;
    }
    None
}

/// `data[attributes][file]` = value, into `root`.
fn insert_nested(root: &mut Value, name: &str, value: Value) -> Option<()> {
    let mut keys = name.split('[').map(|key| key.trim_end_matches(']'));
    let mut slot = root;
    let mut key = keys.next()?;
    for next in keys {
        slot = slot
            .as_object_mut()?
            .entry(key.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        key = next;
    }
    slot.as_object_mut()?.insert(key.to_owned(), value);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation(id: &str) -> &'static Operation {
        Operation::find(id).unwrap()
    }

    fn details(reply: Reply) -> String {
        reply.body["errors"][0]["details"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn every_request_body_the_document_declares_compiles() {
        let document = DOCUMENT.as_ref().unwrap();
        let (mut declared, mut compiled) = (0, 0);
        for operation in Operation::all() {
            let pointer = format!(
                "/paths/{}/{}/requestBody",
                escape(operation.path),
                operation.method.as_reqwest().as_str().to_ascii_lowercase()
            );
            let Some(body) = document.pointer(&pointer) else {
                continue;
            };
            let body = match body.get("$ref").and_then(Value::as_str) {
                Some(target) => document.pointer(target.trim_start_matches('#')).unwrap(),
                None => body,
            };
            for media in body["content"].as_object().unwrap().keys() {
                declared += 1;
                compiled += usize::from(body_schema(operation, media).is_some());
            }
        }
        assert_eq!((declared, compiled), (82, 82));
    }

    #[test]
    fn nested_members_are_checked_and_named_without_their_value() {
        let body = br#"{"data":{"attributes":{"report-template-id":"rptp_1","query":{"associated-people":[{"titles":1.5}]}}}}"#;
        let reply = request(operation("create-a-report"), None, None, body).unwrap_err();
        assert_eq!(reply.status, 400);
        let details = details(reply);
        assert!(details.starts_with("data."), "{details}");
        assert!(!details.contains("1.5"), "{details}");
    }

    #[test]
    fn a_schema_valid_body_passes_in_any_key_inflection() {
        let body = br#"{"data":{"attributes":{"inquiryTemplateId":"itmpl_1","tags":["a"]}}}"#;
        assert!(
            request(operation("create-an-inquiry"), Some("camel"), None, body)
                .unwrap()
                .is_none()
        );
        let body = br#"{"data":{"attributes":{"tags":"a"}}}"#;
        let reply = request(operation("create-an-inquiry"), None, None, body).unwrap_err();
        assert!(details(reply).starts_with("data.attributes.tags: "));
    }

    #[test]
    fn attributes_persona_computes_are_never_taken_from_a_request() {
        // The case create schema allows more attributes; `attachments` is Persona's to fill.
        let body =
            br#"{"data":{"attributes":{"case-template-id":"ctmpl_1","attachments":[{"data":1}]}}}"#;
        let rewritten = request(operation("create-a-case"), None, None, body)
            .unwrap()
            .unwrap();
        let json: Value = serde_json::from_slice(&rewritten).unwrap();
        assert_eq!(
            json["data"]["attributes"],
            serde_json::json!({"case-template-id": "ctmpl_1"})
        );
        let body = br#"{"data":{"attributes":{"case-template-id":"ctmpl_1"}}}"#;
        assert!(
            request(operation("create-a-case"), None, None, body)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn unknown_key_inflections_and_members_are_refused() {
        let reply =
            request(operation("list-all-inquiries"), Some("pascal"), None, b"").unwrap_err();
        assert_eq!(reply.status, 400);
        let body = br#"{"data":{"attributes":{}},"extra":1}"#;
        assert_eq!(
            request(operation("create-an-inquiry"), None, None, body)
                .unwrap_err()
                .status,
            400
        );
    }

    #[test]
    fn multipart_bodies_are_read_both_ways_and_handed_on_as_json() {
        let content_type = "multipart/form-data; boundary=XyZ";
        let as_json_part = b"--XyZ\r\nContent-Disposition: form-data; name=\"data\"\r\nContent-Type: application/json\r\n\r\n{\"attributes\": {\"file\": \"a,b\", \"list-id\": \"lst_1\"}}\r\n--XyZ--\r\n";
        let as_fields = b"--XyZ\r\nContent-Disposition: form-data; name=\"data[attributes][file]\"; filename=\"x.csv\"\r\nContent-Type: text/csv\r\n\r\na,b\r\n--XyZ\r\nContent-Disposition: form-data; name=\"data[attributes][list-id]\"\r\n\r\nlst_1\r\n--XyZ--\r\n";
        let op = operation("import-email-address-lists");
        for body in [&as_json_part[..], &as_fields[..]] {
            let json = request(op, None, Some(content_type), body)
                .unwrap()
                .unwrap();
            let json: Value = serde_json::from_slice(&json).unwrap();
            assert_eq!(json["data"]["attributes"]["list-id"], "lst_1");
            assert_eq!(json["data"]["attributes"]["file"], "a,b");
        }
        let missing = b"--XyZ\r\nContent-Disposition: form-data; name=\"data[attributes][file]\"\r\n\r\na,b\r\n--XyZ--\r\n";
        assert_eq!(
            request(op, None, Some(content_type), missing)
                .unwrap_err()
                .status,
            400
        );
    }
}
