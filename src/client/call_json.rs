//! A [`Call`] read from JSON: how every binding (C, UniFFI) and the request vectors pass one.
//!
//! ```json
//! {"path": {"inquiry-id": "inq_1"}, "include": ["verifications"],
//!  "fields": {"inquiry": ["status"]}, "filter": {"status": ["completed", "approved"]},
//!  "page": {"size": 10, "after": "inq_0", "before": null}, "body": {"data": {}},
//!  "form": [["grant_type", "authorization_code"]],
//!  "idempotency_key": "...", "persona_version": "2023-01-05"}
//! ```
//!
//! Every member is optional. JSON objects have no order, so `fields` and `filter` are applied in
//! key order (sorted); a member this format does not define is an error, not ignored.

use serde_json::{Map, Value};

use super::operation::{Call, FilterValue};
use crate::error::PersonaError;

fn wrong(name: &'static str, what: &str) -> PersonaError {
    PersonaError::invalid_argument_because(name, what.to_owned())
}

fn text(value: &Value, name: &'static str) -> Result<String, PersonaError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| wrong(name, "must be a string"))
}

fn texts(value: &Value, name: &'static str) -> Result<Vec<String>, PersonaError> {
    value
        .as_array()
        .ok_or_else(|| wrong(name, "must be an array of strings"))?
        .iter()
        .map(|item| text(item, name))
        .collect()
}

fn object<'a>(
    value: &'a Value,
    name: &'static str,
) -> Result<&'a Map<String, Value>, PersonaError> {
    value
        .as_object()
        .ok_or_else(|| wrong(name, "must be an object"))
}

impl Call {
    /// Reads a call from its JSON form (see the module documentation). `operation` may be present
    /// (the request vectors carry it) and is not read here.
    pub fn from_json(json: &Value) -> Result<Self, PersonaError> {
        let mut call = Call::new();
        for (member, value) in object(json, "call")? {
            match member.as_str() {
                "operation" => {}
                "path" => {
                    for (name, value) in object(value, "path")? {
                        call.path.push((name.clone(), text(value, "path")?));
                    }
                }
                "include" => call.include = texts(value, "include")?,
                "fields" => {
                    for (kind, names) in object(value, "fields")? {
                        call.fields.push((kind.clone(), texts(names, "fields")?));
                    }
                }
                "filter" => {
                    for (name, value) in object(value, "filter")? {
                        let value = match value {
                            Value::Array(_) => FilterValue::Many(texts(value, "filter")?),
                            _ => FilterValue::One(text(value, "filter")?),
                        };
                        call.filter.push((name.clone(), value));
                    }
                }
                "page" => {
                    for (name, value) in object(value, "page")? {
                        match (name.as_str(), value) {
                            (_, Value::Null) => {}
                            ("size", size) => {
                                let size = size.as_u64().and_then(|s| u32::try_from(s).ok());
                                call.page_size = Some(size.ok_or_else(|| {
                                    wrong("page", "`size` must be an integer from 0 to 4294967295")
                                })?);
                            }
                            ("after", cursor) => call.page_after = Some(text(cursor, "page")?),
                            ("before", cursor) => call.page_before = Some(text(cursor, "page")?),
                            _ => return Err(wrong("page", "takes only `size`, `after`, `before`")),
                        }
                    }
                }
                "body" => call.body = Some(value.clone()),
                "form" => {
                    let pairs = value
                        .as_array()
                        .ok_or_else(|| wrong("form", "must be an array of [name, value] pairs"))?;
                    for pair in pairs {
                        match pair.as_array().map(Vec::as_slice) {
                            Some([name, value]) => {
                                call.form.push((text(name, "form")?, text(value, "form")?))
                            }
                            _ => {
                                return Err(wrong(
                                    "form",
                                    "must be an array of [name, value] pairs",
                                ));
                            }
                        }
                    }
                }
                "idempotency_key" => {
                    call.options.idempotency_key = Some(text(value, "idempotency_key")?)
                }
                "persona_version" => {
                    call.options.persona_version = Some(text(value, "persona_version")?)
                }
                other => {
                    return Err(PersonaError::invalid_argument_because(
                        "call",
                        format!("`{other}` is not a member of a call"),
                    ));
                }
            }
        }
        Ok(call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_every_member_and_refuses_unknown_ones() {
        let call = Call::from_json(&json!({
            "path": {"inquiry-id": "inq_1"}, "include": ["a"], "fields": {"inquiry": ["status"]},
            "filter": {"status": ["x", "y"], "note": "n"}, "page": {"size": 3, "after": "c", "before": null},
            "body": {"k": 1}, "idempotency_key": "i", "persona_version": "v"
        }))
        .unwrap();
        assert_eq!(call.path, [("inquiry-id".to_owned(), "inq_1".to_owned())]);
        assert_eq!(
            call.filter[0],
            ("note".to_owned(), FilterValue::One("n".into()))
        );
        assert_eq!(
            (call.page_size, call.page_after.as_deref(), call.page_before),
            (Some(3), Some("c"), None)
        );
        assert_eq!(call.options.idempotency_key.as_deref(), Some("i"));
        for bad in [
            json!({"pth": {}}),
            json!({"page": {"size": -1}}),
            json!({"include": "a"}),
            json!([]),
        ] {
            assert_eq!(
                Call::from_json(&bad).unwrap_err().code(),
                "invalid_argument",
                "{bad}"
            );
        }
    }
}
