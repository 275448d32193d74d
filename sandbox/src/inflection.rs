//! `Key-Inflection`: Persona's keys are kebab-case by default; `camel` and `snake` are honoured
//! on output, and any of the three is accepted on input.

use serde_json::{Map, Value};

/// Output key style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inflection {
    /// `created-at`
    Kebab,
    /// `createdAt`
    Camel,
    /// `created_at`
    Snake,
}

impl Inflection {
    /// From the request's `Key-Inflection` header (default kebab).
    pub fn from_header(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("camel") => Self::Camel,
            Some(v) if v.eq_ignore_ascii_case("snake") => Self::Snake,
            _ => Self::Kebab,
        }
    }
}

fn convert_key(key: &str, to: Inflection) -> String {
    match to {
        Inflection::Kebab => to_kebab(key),
        Inflection::Snake => to_kebab(key).replace('-', "_"),
        Inflection::Camel => {
            let mut out = String::with_capacity(key.len());
            let mut upper = false;
            for c in to_kebab(key).chars() {
                if c == '-' {
                    upper = true;
                } else if upper {
                    out.extend(c.to_uppercase());
                    upper = false;
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

/// Any of kebab/snake/camel → kebab.
pub fn to_kebab(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c == '_' {
            out.push('-');
        } else if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Members whose value is wire data kept verbatim (an API log's HTTP headers and parameters, a
/// webhook's custom HTTP headers): their keys are header and parameter names, not attribute names.
const VERBATIM: &[&str] = &[
    "headers",
    "get-params",
    "post-params",
    "custom-http-headers",
];

/// Rewrites every object key in `value` (not inside the [`VERBATIM`] members).
pub fn inflect(value: Value, to: Inflection) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if VERBATIM.contains(&k.as_str()) {
                        v
                    } else {
                        inflect(v, to)
                    };
                    (convert_key(&k, to), v)
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| inflect(v, to)).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(convert_key("created-at", Inflection::Camel), "createdAt");
        assert_eq!(convert_key("created-at", Inflection::Snake), "created_at");
        assert_eq!(to_kebab("createdAt"), "created-at");
        assert_eq!(to_kebab("reference_id"), "reference-id");
    }
}
