//! How a JSON:API resource object is read into a model: the one rule every language's models
//! follow (pinned by `tests/vectors/models.json`).
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

use serde_json::{Map, Value};

use crate::error::PersonaError;

/// The members of one resource object, checked.
pub(crate) struct ResourceParts<'a> {
    pub(crate) kind: &'a str,
    pub(crate) id: &'a str,
    attributes: Option<&'a Map<String, Value>>,
    relationships: Option<&'a Map<String, Value>>,
}

fn invalid(reason: String) -> PersonaError {
    PersonaError::InvalidPayload(reason)
}

impl<'a> ResourceParts<'a> {
    pub(crate) fn of(resource: &'a Value) -> Result<Self, PersonaError> {
        let object = resource
            .as_object()
            .ok_or_else(|| invalid("a resource is not a JSON object".into()))?;
        let text = |member: &str| {
            object
                .get(member)
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(format!("a resource's `{member}` is not a string")))
        };
        let (kind, id) = (text("type")?, text("id")?);
        let member = |name: &str| match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(_) => Err(invalid(format!("`{name}` of {kind} {id} is not an object"))),
        };
        Ok(Self {
            kind,
            id,
            attributes: member("attributes")?,
            relationships: member("relationships")?,
        })
    }

    pub(crate) fn fields(&self) -> Fields<'a> {
        Fields {
            attributes: self.attributes,
            kind: self.kind,
            id: self.id,
        }
    }

    pub(crate) fn attributes_json(&self) -> String {
        object_json(self.attributes)
    }

    pub(crate) fn relationships_json(&self) -> String {
        object_json(self.relationships)
    }
}

fn object_json(object: Option<&Map<String, Value>>) -> String {
    object.map_or_else(
        || "{}".to_owned(),
        |map| Value::Object(map.clone()).to_string(),
    )
}

/// One resource's attributes, read by the rules above.
pub(crate) struct Fields<'a> {
    attributes: Option<&'a Map<String, Value>>,
    kind: &'a str,
    id: &'a str,
}

impl Fields<'_> {
    /// The value under the first spelling present (kebab, snake, camel); `None` for absent/null.
    fn value<'s>(&self, spellings: [&'s str; 3]) -> Option<(&'s str, &Value)> {
        let attributes = self.attributes?;
        spellings
            .into_iter()
            .find_map(|name| attributes.get(name).map(|value| (name, value)))
            .filter(|(_, value)| !value.is_null())
    }

    fn read<T>(
        &self,
        spellings: [&str; 3],
        what: &str,
        convert: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<T>, PersonaError> {
        let Some((name, value)) = self.value(spellings) else {
            return Ok(None);
        };
        convert(value).map(Some).ok_or_else(|| {
            invalid(format!(
                "attribute `{name}` of {} {} is not {what}",
                self.kind, self.id
            ))
        })
    }

    pub(crate) fn string(&self, spellings: [&str; 3]) -> Result<Option<String>, PersonaError> {
        self.read(spellings, "a string", |value| {
            value.as_str().map(str::to_owned)
        })
    }

    pub(crate) fn integer(&self, spellings: [&str; 3]) -> Result<Option<i64>, PersonaError> {
        // serde_json keeps a number written with a fraction or exponent as a float, never i64.
        self.read(spellings, "an integer", |value| match value {
            Value::Number(number) if !number.is_f64() => number.as_i64(),
            _ => None,
        })
    }

    pub(crate) fn number(&self, spellings: [&str; 3]) -> Result<Option<f64>, PersonaError> {
        self.read(spellings, "a number", Value::as_f64)
    }

    pub(crate) fn boolean(&self, spellings: [&str; 3]) -> Result<Option<bool>, PersonaError> {
        self.read(spellings, "a boolean", Value::as_bool)
    }

    pub(crate) fn strings(
        &self,
        spellings: [&str; 3],
    ) -> Result<Option<Vec<String>>, PersonaError> {
        self.read(spellings, "a list of strings", |value| {
            value
                .as_array()?
                .iter()
                .filter(|item| !item.is_null())
                .map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
    }
}
