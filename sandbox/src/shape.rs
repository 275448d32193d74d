//! Resources as Persona serializes them: exactly the attributes Persona's document declares for
//! their type, in its order, every one present (unset ones `null`, or `[]`/`{}` where the schema
//! does not allow `null`), none it does not declare; and `fields` as Persona answers them,
//! `{"type": …, "value": …}` per field, where requests send plain values (the inquiry and
//! account schemas of the document).

use serde_json::{Map, Value, json};

use super::schema::{Unset, attributes, has_relationships};

/// Shapes `object`'s attributes by the schema of its type (a type the document does not name is
/// left as it is).
pub fn shape(object: &mut Value) {
    let Some(declared) = object["type"].as_str().and_then(attributes) else {
        return;
    };
    let mut stored = match object.get_mut("attributes").map(Value::take) {
        Some(Value::Object(stored)) => stored,
        _ => Map::new(),
    };
    let mut shaped = Map::new();
    for &(name, unset) in declared {
        let value = match (stored.remove(name), unset) {
            (Some(value), _) if !value.is_null() => value,
            (_, Unset::Null) => Value::Null,
            (_, Unset::EmptyList) => json!([]),
            (_, Unset::EmptyObject) => json!({}),
            (_, Unset::Omit) => continue,
        };
        shaped.insert(name.to_owned(), value);
    }
    object["attributes"] = Value::Object(shaped);
    let kind = object["type"].as_str().unwrap_or_default().to_owned();
    if let Some(members) = object.as_object_mut() {
        if has_relationships(&kind) {
            members.entry("relationships").or_insert_with(|| json!({}));
        } else {
            members.remove("relationships");
        }
    }
}

/// A field's type as Persona names it, for a plain value a request sent: its field types are
/// `array`, `boolean`, `choices`, `date`, `datetime`, `file`, `hash`, `multi_choices`, `number`
/// and `string` (<https://docs.withpersona.com/inquiry-fields>); a plain JSON value is the one of
/// these its kind is (a date is a string until a template says otherwise).
fn field_type(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::Array(_) => "array",
        Value::Object(_) => "hash",
        Value::String(_) | Value::Null => "string",
    }
}

/// `fields` from a request (plain values, or already `{type, value}`) merged into the stored
/// `fields`, each as `{"type", "value"}`.
pub fn merge_fields(stored: &mut Value, sent: Value) {
    let Value::Object(sent) = sent else {
        return;
    };
    if !stored.is_object() {
        *stored = json!({});
    }
    for (name, value) in sent {
        let typed = match value {
            Value::Object(ref pair) if pair.contains_key("type") && pair.contains_key("value") => {
                value
            }
            plain => json!({ "type": field_type(&plain), "value": plain }),
        };
        stored[name] = typed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_the_schemas_and_fields_are_typed() {
        let mut inquiry = json!({"type": "inquiry", "id": "inq_1", "attributes": {
            "status": "created", "invented": 1, "tags": null, "reference-id": null}});
        shape(&mut inquiry);
        let attributes = inquiry["attributes"].as_object().unwrap();
        assert_eq!(attributes["status"], "created");
        assert!(attributes["name-first"].is_null() && attributes["reference-id"].is_null());
        assert_eq!(
            (&attributes["tags"], &attributes["behaviors"]),
            (&json!([]), &json!({}))
        );
        assert!(!attributes.contains_key("invented"), "not in the schema");
        assert!(
            !attributes.contains_key("creator"),
            "a non-null string nobody set"
        );
        let mut fields = Value::Null;
        merge_fields(
            &mut fields,
            json!({"name-first": "Jane", "age": 3, "kept": {"type": "date", "value": "2000-01-01"}}),
        );
        assert_eq!(
            fields["name-first"],
            json!({"type": "string", "value": "Jane"})
        );
        assert_eq!(fields["age"], json!({"type": "number", "value": 3}));
        assert_eq!(
            fields["kept"],
            json!({"type": "date", "value": "2000-01-01"})
        );
        let mut unknown = json!({"type": "not-in-the-document", "attributes": {"x": 1}});
        shape(&mut unknown);
        assert_eq!(unknown["attributes"]["x"], 1);
    }
}
