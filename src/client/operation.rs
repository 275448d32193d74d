//! Executing any operation of Persona's API from the generated table ([`super::operations`]):
//! what an operation declares, the arguments of one call ([`Call`]), checked against the
//! declaration, and the request they make.
//!
//! The table is generated from Persona's OpenAPI document by `api/generate.py`; this module is the
//! one interpreter of it, so every language (which calls the core by operation id) builds the
//! same request for the same call — `tests/vectors/requests.json` pins it byte for byte.

use reqwest::Method;
use serde_json::Value;

use super::http::RequestOptions;
use super::operations::OPERATIONS;
use crate::error::PersonaError;

/// An HTTP method an operation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
}

impl HttpMethod {
    /// The method as reqwest names it.
    pub fn as_reqwest(self) -> Method {
        match self {
            Self::Get => Method::GET,
            Self::Post => Method::POST,
            Self::Put => Method::PUT,
            Self::Patch => Method::PATCH,
            Self::Delete => Method::DELETE,
        }
    }
}

/// The request body an operation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// None.
    None,
    /// JSON (`application/json`).
    Json,
    /// A form (`application/x-www-form-urlencoded`; Persona's OAuth operations).
    Form,
}

/// What a successful response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// A JSON:API document (`data`, `included`, `meta`, `links`).
    Json,
    /// A PDF (the `print` operations).
    Pdf,
}

/// One operation of Persona's API, as its OpenAPI document declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The document's `operationId`, e.g. `retrieve-an-inquiry`: how every language names it.
    pub id: &'static str,
    /// The group (the document's first tag, snake_case), e.g. `inquiries`.
    pub group: &'static str,
    /// The method name within the group, e.g. `retrieve` (see `api/generate.py`).
    pub name: &'static str,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path template relative to the API base, e.g. `/inquiries/{inquiry-id}`.
    pub path: &'static str,
    /// The path parameters, in the template's order.
    pub path_params: &'static [&'static str],
    /// Whether it takes `include`.
    pub include: bool,
    /// Whether it takes `fields[<type>]`.
    pub fields: bool,
    /// Whether it is paginated (`page[size]`, `page[after]`, `page[before]`).
    pub paginated: bool,
    /// The `filter[<name>]` names it declares; a nested one (`filter[identifier][key]`) is named
    /// with a dot (`identifier.key`).
    pub filters: &'static [&'static str],
    /// The filters the document marks required.
    pub required_filters: &'static [&'static str],
    /// The request body it takes.
    pub body: BodyKind,
    /// Whether the document marks the body required.
    pub body_required: bool,
    /// What a successful response carries.
    pub response: ResponseKind,
}

impl Operation {
    /// The operation with this `operationId`.
    pub fn find(id: &str) -> Option<&'static Operation> {
        OPERATIONS.iter().find(|operation| operation.id == id)
    }

    /// Every operation, in the document's order.
    pub fn all() -> &'static [Operation] {
        OPERATIONS
    }
}

/// A `filter[<name>]` value: one string, or several (sent comma-separated, as Persona's
/// document shows for its list filters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterValue {
    /// One value.
    One(String),
    /// Several values.
    Many(Vec<String>),
}

impl From<&str> for FilterValue {
    fn from(value: &str) -> Self {
        Self::One(value.to_owned())
    }
}

impl From<String> for FilterValue {
    fn from(value: String) -> Self {
        Self::One(value)
    }
}

impl<S: Into<String>> From<Vec<S>> for FilterValue {
    fn from(values: Vec<S>) -> Self {
        Self::Many(values.into_iter().map(Into::into).collect())
    }
}

/// The arguments of one call: path parameters, `include`, `fields`, filters, paging, the body
/// and per-call options. Checked against the operation when the call is made: a parameter the
/// operation does not declare is an `invalid_argument` error, never silently sent or dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Call {
    /// Path parameters by name (e.g. `("inquiry-id", "inq_123")`).
    pub path: Vec<(String, String)>,
    /// `include`: related resources to side-load into `included`.
    pub include: Vec<String>,
    /// `fields[<type>]`: the attributes to return per resource type.
    pub fields: Vec<(String, Vec<String>)>,
    /// `filter[<name>]` values.
    pub filter: Vec<(String, FilterValue)>,
    /// `page[size]`.
    pub page_size: Option<u32>,
    /// `page[after]`: the page after this cursor.
    pub page_after: Option<String>,
    /// `page[before]`: the page before this cursor.
    pub page_before: Option<String>,
    /// A JSON body (operations that take one).
    pub body: Option<Value>,
    /// A form body (Persona's OAuth operations).
    pub form: Vec<(String, String)>,
    /// Idempotency key and `Persona-Version` for this call.
    pub options: RequestOptions,
}

impl Call {
    /// No arguments.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a path parameter.
    pub fn path(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.path.push((name.into(), value.into()));
        self
    }

    /// Adds related resources to `include`.
    pub fn include<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.include.extend(names.into_iter().map(Into::into));
        self
    }

    /// Sets `fields[<kind>]`.
    pub fn fields<S: Into<String>>(
        mut self,
        kind: impl Into<String>,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.fields
            .push((kind.into(), names.into_iter().map(Into::into).collect()));
        self
    }

    /// Sets `filter[<name>]`.
    pub fn filter(mut self, name: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        self.filter.push((name.into(), value.into()));
        self
    }

    /// Sets `page[size]`.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Sets `page[after]`.
    pub fn page_after(mut self, cursor: impl Into<String>) -> Self {
        self.page_after = Some(cursor.into());
        self
    }

    /// Sets `page[before]`.
    pub fn page_before(mut self, cursor: impl Into<String>) -> Self {
        self.page_before = Some(cursor.into());
        self
    }

    /// Sets the JSON body.
    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// Adds a form field.
    pub fn form_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.form.push((name.into(), value.into()));
        self
    }

    /// Sets the Idempotency-Key (POST; default: a new UUIDv4 per call, reused by its retries).
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.options.idempotency_key = Some(key.into());
        self
    }

    /// Overrides `Persona-Version` for this call.
    pub fn persona_version(mut self, version: impl Into<String>) -> Self {
        self.options.persona_version = Some(version.into());
        self
    }
}

/// What to send: the request a checked [`Call`] of an [`Operation`] makes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared<'a> {
    pub(crate) method: Method,
    /// Relative to the base URL, each path parameter percent-encoded as one segment.
    pub(crate) path: String,
    /// In the order: include, fields, filters (the call's order), page size, after, before.
    pub(crate) query: Vec<(String, String)>,
    pub(crate) payload: Payload<'a>,
    pub(crate) accept: &'static str,
}

/// A request body, serialized once.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Payload<'a> {
    None,
    Json(&'a Value),
    Form(&'a [(String, String)]),
}

fn refuse(name: &'static str, operation: &Operation, what: String) -> PersonaError {
    PersonaError::invalid_argument_because(name, format!("{what} ({})", operation.id))
}

/// Checks `call` against `operation` and builds its request.
pub(crate) fn prepare<'a>(
    operation: &Operation,
    call: &'a Call,
) -> Result<Prepared<'a>, PersonaError> {
    let mut path = String::with_capacity(operation.path.len() + 32);
    let mut rest = operation.path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|i| open + i)
            .unwrap_or(rest.len());
        let name = &rest[open + 1..close];
        path.push_str(&rest[..open]);
        let mut given = call.path.iter().filter(|(n, _)| n == name);
        let value = match (given.next(), given.next()) {
            // `.` and `..` are dot segments: URL normalization would remove them and the request
            // would reach another endpoint.
            (Some((_, value)), None) if value == "." || value == ".." => {
                return Err(refuse(
                    "path",
                    operation,
                    format!("`{name}` cannot be `.` or `..`"),
                ));
            }
            (Some((_, value)), None) if !value.is_empty() => value,
            (Some(_), None) => return Err(refuse("path", operation, format!("`{name}` is empty"))),
            (None, _) => return Err(refuse("path", operation, format!("`{name}` is missing"))),
            (Some(_), Some(_)) => {
                return Err(refuse(
                    "path",
                    operation,
                    format!("`{name}` is given twice"),
                ));
            }
        };
        push_segment(&mut path, value);
        rest = &rest[(close + 1).min(rest.len())..];
    }
    path.push_str(rest);
    if let Some((name, _)) = call
        .path
        .iter()
        .find(|(name, _)| !operation.path_params.contains(&name.as_str()))
    {
        return Err(refuse(
            "path",
            operation,
            format!("`{name}` is not a path parameter of this operation"),
        ));
    }

    let mut query = Vec::new();
    if !call.include.is_empty() {
        if !operation.include {
            return Err(refuse(
                "include",
                operation,
                "not taken by this operation".into(),
            ));
        }
        query.push(("include".to_owned(), call.include.join(",")));
    }
    if !call.fields.is_empty() && !operation.fields {
        return Err(refuse(
            "fields",
            operation,
            "not taken by this operation".into(),
        ));
    }
    for (kind, names) in &call.fields {
        query.push((format!("fields[{kind}]"), names.join(",")));
    }
    for (name, value) in &call.filter {
        if !operation.filters.contains(&name.as_str()) {
            let declared = if operation.filters.is_empty() {
                "none".to_owned()
            } else {
                operation.filters.join(", ")
            };
            return Err(refuse(
                "filter",
                operation,
                format!("`{name}` is not a filter of this operation (its filters: {declared})"),
            ));
        }
        let value = match value {
            FilterValue::One(value) => value.clone(),
            FilterValue::Many(values) => values.join(","),
        };
        // A nested filter (`identifier.key`) is sent as `filter[identifier][key]`.
        query.push((format!("filter[{}]", name.replace('.', "][")), value));
    }
    if let Some(missing) = operation
        .required_filters
        .iter()
        .find(|required| !call.filter.iter().any(|(name, _)| name == *required))
    {
        return Err(refuse(
            "filter",
            operation,
            format!("`{missing}` is required by this operation"),
        ));
    }
    let paging = [
        ("page[size]", call.page_size.map(|size| size.to_string())),
        ("page[after]", call.page_after.clone()),
        ("page[before]", call.page_before.clone()),
    ];
    for (name, value) in paging {
        if let Some(value) = value {
            if !operation.paginated {
                return Err(refuse("page", operation, "not a list operation".into()));
            }
            query.push((name.to_owned(), value));
        }
    }

    let payload = match (operation.body, &call.body, call.form.is_empty()) {
        (BodyKind::Json, Some(body), true) => Payload::Json(body),
        (BodyKind::Form, None, false) => Payload::Form(&call.form),
        (_, None, true) if operation.body_required => {
            return Err(refuse(
                "body",
                operation,
                "required by this operation".into(),
            ));
        }
        (_, None, true) => Payload::None,
        (BodyKind::Json, None, false) | (BodyKind::Form, Some(_), _) => {
            return Err(refuse(
                "body",
                operation,
                "this operation takes a body of the other kind".into(),
            ));
        }
        (BodyKind::Json, Some(_), false) => {
            return Err(refuse(
                "body",
                operation,
                "takes a JSON body, not a form too".into(),
            ));
        }
        (BodyKind::None, _, _) => {
            return Err(refuse(
                "body",
                operation,
                "not taken by this operation".into(),
            ));
        }
    };
    Ok(Prepared {
        method: operation.method.as_reqwest(),
        path,
        query,
        payload,
        accept: match operation.response {
            ResponseKind::Json => "application/json",
            ResponseKind::Pdf => "application/pdf",
        },
    })
}

/// Appends `value` as one path segment: unreserved characters as they are, every other byte
/// %XX (so a `/` or `?` in an id cannot change the path).
fn push_segment(path: &mut String, value: &str) {
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            path.push(byte as char);
        } else {
            path.push('%');
            path.push(char::from(b"0123456789ABCDEF"[usize::from(byte >> 4)]));
            path.push(char::from(b"0123456789ABCDEF"[usize::from(byte & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: &str) -> &'static Operation {
        Operation::find(id).expect("in the table")
    }

    #[test]
    fn the_table_has_every_operation_of_the_document_once() {
        assert_eq!(OPERATIONS.len(), 167);
        let mut ids: Vec<_> = OPERATIONS.iter().map(|o| o.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 167);
    }

    #[test]
    fn path_parameters_are_one_encoded_segment_each() {
        let call = Call::new().path("inquiry-id", "a b/c?d");
        let prepared = prepare(op("retrieve-an-inquiry"), &call).unwrap();
        assert_eq!(prepared.path, "/inquiries/a%20b%2Fc%3Fd");
        // Dot segments would be normalized away, reaching another endpoint.
        for dots in [".", ".."] {
            let call = Call::new().path("inquiry-id", dots);
            let error = prepare(op("retrieve-an-inquiry"), &call).unwrap_err();
            assert_eq!(error.code(), "invalid_argument");
        }
    }

    #[test]
    fn nested_and_required_filters_follow_the_document() {
        let transactions = op("list-all-transactions");
        let call = Call::new()
            .filter("identifier.key", "email")
            .filter("identifier.value", "a@b.c");
        let prepared = prepare(transactions, &call).unwrap();
        assert_eq!(
            prepared.query,
            [
                ("filter[identifier][key]".to_owned(), "email".to_owned()),
                ("filter[identifier][value]".to_owned(), "a@b.c".to_owned())
            ]
        );
        assert!(prepare(transactions, &Call::new().filter("identifier", "x")).is_err());
        let devices = op("list-all-devices");
        let error = prepare(devices, &Call::new()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`inquiry-session-id` is required"),
            "{error}"
        );
        assert!(prepare(devices, &Call::new().filter("inquiry-session-id", "iqse_1")).is_ok());
    }

    #[test]
    fn undeclared_arguments_are_refused_by_name() {
        let list = op("list-all-inquiries");
        let error = prepare(list, &Call::new().filter("reference_id", "x")).unwrap_err();
        assert_eq!(error.code(), "invalid_argument");
        assert!(
            error.to_string().contains("`reference_id` is not a filter"),
            "{error}"
        );
        assert!(error.to_string().contains("reference-id"), "{error}");
        let retrieve = op("retrieve-an-inquiry");
        for call in [
            Call::new(),
            Call::new().path("inquiry-id", ""),
            Call::new().path("inquiry-id", "a").path("inquiry-id", "b"),
            Call::new().path("inquiry-id", "a").path("account-id", "b"),
            Call::new().path("inquiry-id", "a").page_size(3),
            Call::new()
                .path("inquiry-id", "a")
                .body(serde_json::json!({})),
        ] {
            let error = prepare(retrieve, &call).unwrap_err();
            assert_eq!(error.code(), "invalid_argument", "{call:?}");
        }
        let token = op("create-access-token");
        assert!(prepare(token, &Call::new().body(serde_json::json!({}))).is_err());
        assert!(prepare(token, &Call::new().form_field("grant_type", "x")).is_ok());
    }
}
