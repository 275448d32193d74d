//! Request handling: faults in front, then auth, idempotency, and the resource routes.

use bytes::Bytes;
use http_body_util::Full;
use serde_json::{Value, json};

use super::faults::{Fault, FaultRule};
use super::fixtures;
use super::generic;
use super::idempotency::{Claim, Stored, fingerprint};
use super::inflection::{Inflection, inflect};
use super::lifecycle;
use super::schema;
use super::shape::merge_fields;
use super::state::State;
use super::store::{Cursor, Kind, Page, iso8601, new_id};
use super::validate;
use persona::client::Operation;

/// What the server does with a request.
pub enum Outcome {
    /// Send this response.
    Reply(hyper::Response<Full<Bytes>>),
    /// Drop the connection without a response.
    Drop,
}

/// A status and JSON body (plus extra headers) before rendering.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Value,
    headers: Vec<(&'static str, String)>,
    /// A file answered instead of JSON: its content type and bytes.
    file: Option<(&'static str, &'static [u8])>,
}

impl Reply {
    pub(crate) fn ok(status: u16, body: Value) -> Self {
        Self {
            status,
            body,
            headers: Vec::new(),
            file: None,
        }
    }

    /// A file (the `print` operations' PDFs).
    pub(crate) fn file(status: u16, content_type: &'static str, bytes: &'static [u8]) -> Self {
        Self {
            file: Some((content_type, bytes)),
            ..Self::ok(status, Value::Null)
        }
    }

    /// Persona's error format. Titles are the document's example titles: "Bad Request" (400),
    /// "Unprocessable entity" / "Record invalid" (422), "Rate limit exceeded" (429).
    pub(crate) fn error(
        status: u16,
        title: &str,
        details: Option<&str>,
        pointer: Option<&str>,
    ) -> Self {
        let mut error = json!({ "title": title });
        if let Some(details) = details {
            error["details"] = json!(details);
        }
        if let Some(pointer) = pointer {
            error["source"] = json!({ "pointer": pointer });
        }
        Self::ok(status, json!({ "errors": [error] }))
    }
}

fn render(reply: Reply, inflection: Inflection) -> hyper::Response<Full<Bytes>> {
    let (content_type, body) = match reply.file {
        Some((content_type, bytes)) => (content_type, bytes.to_vec()),
        None => (
            "application/json; charset=utf-8",
            // Stored keys are kebab-case already: only camel and snake rewrite the answer.
            serde_json::to_vec(&match inflection {
                Inflection::Kebab => reply.body,
                other => inflect(reply.body, other),
            })
            .unwrap_or_default(),
        ),
    };
    let builder = hyper::Response::builder()
        .status(reply.status)
        .header("Content-Type", content_type)
        .header("Request-Id", new_id("req"));
    let mut response = builder
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())));
    // A reply's own headers replace the defaults (e.g. an injected RateLimit-Reset).
    for (name, value) in reply.headers {
        if let Ok(value) = hyper::header::HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// `reply` with the rate limit's headers first (the reply's own, e.g. an injected
/// `RateLimit-Reset`, win).
fn with_headers(mut reply: Reply, first: &[(&'static str, String)]) -> Reply {
    let own = std::mem::replace(&mut reply.headers, first.to_vec());
    reply.headers.extend(own);
    reply
}

/// The `Persona-Version` values accepted: the ones Persona's document lists, and the later ones
/// Persona publishes ("2025-12-08, 2025-10-27, 2023-01-05, 2022-09-01, 2021-08-18, 2021-07-05,
/// 2021-02-21, 2020-05-18", <https://docs.withpersona.com/2020-05-18/api-reference/rate-limits/list-all-rate-limits.md>;
/// 2021-05-14 has its own docs, <https://docs.withpersona.com/v2021-05-14/docs/models-lifecycle>).
const LATER_VERSIONS: &[&str] = &["2025-12-08", "2025-10-27", "2021-05-14"];

pub(crate) fn accepted_version(version: &str) -> bool {
    persona::client::operations::API_VERSIONS.contains(&version)
        || LATER_VERSIONS.contains(&version)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

pub async fn dispatch(state: &State, parts: hyper::http::request::Parts, body: Bytes) -> Outcome {
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let target = parts
        .uri
        .path_and_query()
        .map_or(path.clone(), |pq| pq.as_str().to_owned());
    let query = parts.uri.query().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| {
            v.to_str()
                .ok()
                .map(|v| (n.as_str().to_owned(), v.to_owned()))
        })
        .collect();
    let inflection = Inflection::from_header(header(&headers, "key-inflection"));

    if let Some(rest) = path.strip_prefix("/_sandbox/") {
        let reply = if state.is_admin(header(&headers, "authorization")) {
            audit(state, &method, &path, &query);
            admin(state, &method, rest, &body)
        } else {
            Reply::error(
                401,
                "Must be authenticated to access this endpoint",
                Some("The sandbox's admin routes need Authorization: Bearer <its admin token>."),
                None,
            )
        };
        return Outcome::Reply(render(reply, Inflection::Kebab));
    }

    // Faults "in front of" the API (gateway, network): nothing is processed or stored.
    let fault = state.faults.take(&method, &path);
    let mut app_error = None;
    match &fault {
        Some(Fault::Reset) => return Outcome::Drop,
        Some(Fault::Delay { delay_ms }) => {
            tokio::time::sleep(std::time::Duration::from_millis(*delay_ms)).await
        }
        Some(Fault::Status {
            status,
            retry_after,
            ratelimit_reset,
        }) => {
            let mut reply = Reply::error(
                *status,
                "Injected fault",
                Some("The sandbox was told to fail this request."),
                None,
            );
            if let Some(seconds) = retry_after {
                reply.headers.push(("Retry-After", seconds.to_string()));
            }
            if let Some(seconds) = ratelimit_reset {
                reply.headers.push(("RateLimit-Reset", seconds.to_string()));
                reply.headers.push(("RateLimit-Remaining", "0".into()));
            }
            if *status == 500 {
                // An application error: Persona stores it for the idempotency key.
                app_error = Some(reply);
            } else {
                return Outcome::Reply(render(reply, inflection));
            }
        }
        _ => {}
    }

    if let Err(reason) = state.authenticate(&method, &target, &headers, &body) {
        // The document's 401 error has a title only; its two examples say which case it is.
        let title = if reason.starts_with("missing_") {
            "Must be authenticated to access this endpoint"
        } else {
            "Token is invalid"
        };
        // Why, for whoever debugs a `v1` signer against the sandbox: a header of the sandbox's
        // own (Persona sends none), so the body stays the document's.
        let mut reply = Reply::error(401, title, None, None);
        reply.headers.push(("Persona-Sandbox-Auth-Error", reason));
        return Outcome::Reply(render(reply, inflection));
    }

    // Everything below answers an authenticated request: with the rate limit's headers.
    let mut limit_headers = Vec::new();
    if let Some(limiter) = &state.rate_limit {
        let decision = limiter.take(persona::clock::unix_now());
        limit_headers = vec![
            ("RateLimit-Limit", decision.limit.to_string()),
            ("RateLimit-Remaining", decision.remaining.to_string()),
            ("RateLimit-Reset", decision.reset.to_string()),
        ];
        if decision.refused {
            let mut reply = Reply::error(
                429,
                // The document's 429 example, word for word.
                "Rate limit exceeded",
                Some(&format!(
                    "You have hit your rate limit of {} requests / min. Please reach out to support@withpersona.com if you need this changed.",
                    decision.limit
                )),
                None,
            );
            reply
                .headers
                .push(("Retry-After", decision.reset.to_string()));
            return Outcome::Reply(render(with_headers(reply, &limit_headers), inflection));
        }
    }
    // What Persona processes between requests (a report made by an earlier one) is done.
    lifecycle::settle(state, persona::clock::unix_now());
    // Every authenticated API call is an API log, its id the answer's Request-Id
    // (`list-all-api-logs`, `retrieve-an-api-log`).
    let request_id = new_id("req");
    let finish = |mut reply: Reply| {
        if path.starts_with("/api/v1/") {
            log_call(
                state,
                &request_id,
                &method,
                &path,
                &query,
                &headers,
                reply.status,
            );
        }
        reply.headers.push(("Request-Id", request_id.clone()));
        render(with_headers(reply, &limit_headers), inflection)
    };

    if let Some(version) = header(&headers, "persona-version") {
        if !accepted_version(version) {
            return Outcome::Reply(finish(Reply::error(
                400,
                "Bad Request",
                Some("Persona-Version must be an API version Persona publishes, e.g. 2023-01-05."),
                None,
            )));
        }
    }

    // The operation of the document the request names, found once for the checks, the handler
    // and the shaping of its answer.
    let segments: Vec<&str> = path
        .strip_prefix("/api/v1/")
        .unwrap_or_default()
        .trim_end_matches('/')
        .split('/')
        .collect();
    let operation = generic::route(&method, &segments);
    let named = operation.as_ref().map(|(operation, _)| *operation);
    let body = match named.map(|operation| {
        validate::request(
            operation,
            header(&headers, "key-inflection"),
            header(&headers, "content-type"),
            &body,
        )
    }) {
        Some(Err(reply)) => return Outcome::Reply(finish(reply)),
        Some(Ok(Some(rewritten))) => rewritten,
        Some(Ok(None)) | None => body,
    };

    let idempotency_key = header(&headers, "idempotency-key")
        .filter(|_| method == "POST")
        .map(str::to_owned);
    if let Some(key) = &idempotency_key {
        match state
            .idempotency
            .claim(key, fingerprint(&method, &target, &body))
        {
            Claim::Process => {}
            // Persona's docs name no header marking a replay: the stored response, as it was.
            Claim::Replay(stored) => {
                return Outcome::Reply(finish(Reply::ok(stored.status, stored.body)));
            }
            Claim::Mismatch => {
                return Outcome::Reply(finish(Reply::error(
                    409,
                    "Conflict",
                    Some("Idempotency-Key was already used with different parameters."),
                    None,
                )));
            }
            Claim::InProgress => {
                return Outcome::Reply(finish(Reply::error(
                    409,
                    "Conflict",
                    Some("A request with this Idempotency-Key is still in progress."),
                    None,
                )));
            }
        }
    }

    let reply = match app_error {
        Some(reply) => reply,
        None => {
            let reply = route(state, operation, &method, &path, &query, &body);
            sparse(as_declared(state, reply, named, &query), &query)
        }
    };
    if let Some(key) = &idempotency_key {
        state.idempotency.complete(
            key,
            Stored {
                status: reply.status,
                body: reply.body.clone(),
            },
        );
    }
    if fault == Some(Fault::LoseResponse) {
        return Outcome::Drop;
    }
    Outcome::Reply(finish(reply))
}

fn admin(state: &State, method: &str, rest: &str, body: &[u8]) -> Reply {
    match (method, rest) {
        ("POST", "faults") => match serde_json::from_slice::<FaultRule>(body) {
            Ok(rule) => {
                state.faults.add(rule);
                Reply::ok(201, json!({ "ok": true }))
            }
            Err(err) => Reply::error(400, "Invalid fault rule", Some(&err.to_string()), None),
        },
        ("DELETE", "faults") => {
            state.faults.clear();
            Reply::ok(200, json!({ "ok": true }))
        }
        ("GET", "stats") => Reply::ok(200, state.store().stats()),
        ("POST", "fixtures") => fixtures::load(state, body),
        ("POST", "reset") => {
            state.store().clear();
            state.faults.clear();
            Reply::ok(200, json!({ "ok": true }))
        }
        _ => Reply::error(404, "Not found", None, None),
    }
}

fn query_params(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// A request body as JSON; anything else is Persona's 400 (a title and details only: the
/// document's 400 error schema).
pub(crate) fn json_body(body: &[u8]) -> Result<Value, Reply> {
    serde_json::from_slice(body).map_err(|_| {
        Reply::error(
            400,
            "Bad Request",
            Some("the body must be valid JSON"),
            None,
        )
    })
}

pub(crate) fn attributes_of(body: &[u8]) -> Result<serde_json::Map<String, Value>, Reply> {
    if body.is_empty() {
        return Ok(serde_json::Map::new());
    }
    let json = json_body(body)?;
    match inflect(json, Inflection::Kebab).pointer("/data/attributes") {
        None | Some(Value::Null) => Ok(serde_json::Map::new()),
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(Reply::error(
            400,
            "Bad Request",
            Some("data.attributes must be a hash"),
            None,
        )),
    }
}

/// Whether `object` passes `filter[name]=value`, by the filter's meaning in Persona's document:
/// a comma-separated value is any of its items (the document's examples: `"completed,approved"`);
/// `created-at-start`/`-end` bound `created-at` (inclusive, UTC timestamps compared as text);
/// `account-id`, `inquiry-template-id` and `template-id` are relationships; `object-id` an
/// event's payload resource; `id` the object's id; any other name the attribute of that name.
fn passes(object: &Value, name: &str, value: &str) -> bool {
    let created_at = object["attributes"]["created-at"]
        .as_str()
        .unwrap_or_default();
    let any =
        |actual: Option<&str>| actual.is_some_and(|actual| value.split(',').any(|v| v == actual));
    match name {
        "created-at-start" => created_at >= value,
        "created-at-end" => created_at <= value,
        "id" => any(object["id"].as_str()),
        "account-id" => any(object["relationships"]["account"]["data"]["id"].as_str()),
        "inquiry-template-id" => {
            any(object["relationships"]["inquiry-template"]["data"]["id"].as_str())
        }
        "template-id" => any(object["relationships"]["template"]["data"]["id"].as_str()),
        "inquiry-session-id" => {
            any(object["relationships"]["inquiry-session"]["data"]["id"].as_str())
        }
        "object-id" => any(object["attributes"]["payload"]["data"]["id"].as_str()),
        attribute => any(object["attributes"][attribute].as_str()),
    }
}

/// A list operation (`operation_id` in the table: its declared filters) over `kind`.
fn list(state: &State, kind: Kind, operation_id: &str, query: &str, base: &str) -> Reply {
    list_from(operation_id, query, base, |cursor, size, keep| {
        state.store().page(kind, cursor, size, keep)
    })
}

/// A list operation over the objects `page` reads: its declared filters, page size and cursors.
pub(crate) fn list_from(
    operation_id: &str,
    query: &str,
    base: &str,
    page: impl FnOnce(Cursor<'_>, usize, &dyn Fn(&Value) -> bool) -> Page,
) -> Reply {
    let declared = Operation::find(operation_id).map_or(&[][..], |operation| operation.filters);
    let params = query_params(query);
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    // "page[size] … can range between 1 and 100 (default is 10)" (https://docs.withpersona.com/pagination).
    let size = match get("page[size]").map(|s| s.parse::<usize>()) {
        None => 10,
        Some(Ok(size)) if (1..=100).contains(&size) => size,
        Some(_) => {
            return Reply::error(
                400,
                "Bad Request",
                Some("page[size] must be 1-100"),
                // The document's 400 error schema has no `source`.
                None,
            );
        }
    };
    let required =
        Operation::find(operation_id).map_or(&[][..], |operation| operation.required_filters);
    if let Some(missing) = required
        .iter()
        .find(|name| get(&format!("filter[{name}]")).is_none())
    {
        return Reply::error(
            400,
            "Bad Request",
            Some(&format!("filter[{missing}] is required")),
            None,
        );
    }
    let mut filters: Vec<(String, String)> = Vec::new();
    for (name, value) in &params {
        // `filter[name]`, or a nested deepObject `filter[name][key]` (the table's `name.key`).
        let Some(filter) = name
            .strip_prefix("filter[")
            .and_then(|n| n.strip_suffix(']'))
            .map(|n| n.replace("][", "."))
        else {
            continue;
        };
        let filter = filter.as_str();
        // An empty deepObject (`filter[identifier]=`) of a nested filter sets none of its keys.
        let nested_prefix = format!("{filter}.");
        if value.is_empty() && declared.iter().any(|name| name.starts_with(&nested_prefix)) {
            continue;
        }
        if !declared.contains(&filter) {
            return Reply::error(
                400,
                "Bad Request",
                Some(&format!("filter[{filter}] is not a filter of this list.")),
                None,
            );
        }
        filters.push((filter.to_owned(), value.clone()));
    }
    // `page` is a deepObject of `after`, `before` and `size` only (additionalProperties: false).
    if let Some((name, _)) = params.iter().find(|(name, _)| {
        name.starts_with("page[")
            && !matches!(name.as_str(), "page[after]" | "page[before]" | "page[size]")
    }) {
        return Reply::error(
            400,
            "Bad Request",
            Some(&format!(
                "{name} is not a page parameter (after, before, size)"
            )),
            None,
        );
    }
    let (after, before) = (get("page[after]"), get("page[before]"));
    let cursor = match (&after, &before) {
        (Some(after), _) => Cursor::After(after),
        (None, Some(before)) => Cursor::Before(before),
        (None, None) => Cursor::Newest,
    };
    let page = page(cursor, size, &|object: &Value| {
        filters
            .iter()
            .all(|(name, value)| passes(object, name, value))
    });
    let link = |key: &str, cursor: Option<String>| {
        cursor.map(|cursor| {
            let mut link = url::form_urlencoded::Serializer::new(String::new());
            link.append_pair(&format!("page[{key}]"), &cursor)
                .append_pair("page[size]", &size.to_string());
            for (name, value) in &filters {
                link.append_pair(&format!("filter[{name}]"), value);
            }
            format!("{base}?{}", link.finish())
        })
    };
    Reply::ok(
        200,
        json!({
            "data": page.items,
            "links": { "prev": link("before", page.prev), "next": link("after", page.next) },
        }),
    )
}

pub(crate) fn not_found(kind: &str) -> Reply {
    Reply::error(
        404,
        "Record not found",
        Some(&format!("No {kind} with that id.")),
        None,
    )
}

/// A new inquiry's relationships: the create body's ids are relationships in the inquiry Persona
/// answers (its schema has no such attributes): inquiry-template, template, account, version.
pub(crate) fn inquiry_relationships(attributes: &mut serde_json::Map<String, Value>) -> Value {
    let to_one = |kind: &str, id: Option<Value>| match id {
        Some(Value::String(id)) => json!({ "data": { "type": kind, "id": id } }),
        _ => json!({ "data": null }),
    };
    json!({
        "inquiry-template": to_one("inquiry-template", attributes.remove("inquiry-template-id")),
        "template": to_one("template", attributes.remove("template-id")),
        "account": to_one("account", attributes.remove("account-id")),
        "inquiry-template-version": to_one(
            "inquiry-template-version",
            attributes.remove("inquiry-template-version-id"),
        ),
        "reports": { "data": [] },
        "verifications": { "data": [] },
        "sessions": { "data": [] },
        "documents": { "data": [] },
        "selfies": { "data": [] },
    })
}

/// An inquiry status action (Persona's `inquiry-status-action` names, also behind
/// `POST /inquiries/{inquiry-id}/approve|decline|expire`): the statuses it may start from, the
/// status it sets, the timestamp attribute of the inquiry schema it sets, and the event it emits
/// (statuses and events: <https://docs.withpersona.com/model-lifecycle>).
struct Transition {
    from: &'static [&'static str],
    to: &'static str,
    timestamp: &'static str,
    event: &'static str,
}

const IN_PROGRESS: &[&str] = &["created", "pending"];
/// Every status but the decisions: "Approving an inquiry will prevent further progress on the
/// inquiry" (<https://docs.withpersona.com/reference/approve-an-inquiry>), and a decision is not
/// reversed by another (decline after approve is refused).
const UNDECIDED: &[&str] = &[
    "created",
    "pending",
    "completed",
    "failed",
    "expired",
    "needs_review",
];

fn transition(action: &str) -> Option<Transition> {
    let (from, to, timestamp, event) = match action {
        "start_inquiry" => (&["created"][..], "pending", "started-at", "inquiry.started"),
        "complete_inquiry" => (
            IN_PROGRESS,
            "completed",
            "completed-at",
            "inquiry.completed",
        ),
        "fail_inquiry" => (IN_PROGRESS, "failed", "failed-at", "inquiry.failed"),
        "expire_inquiry" => (IN_PROGRESS, "expired", "expired-at", "inquiry.expired"),
        "mark_for_review_inquiry" => (
            &["created", "pending", "completed", "failed"][..],
            "needs_review",
            "marked-for-review-at",
            "inquiry.marked-for-review",
        ),
        "approve_inquiry" => (UNDECIDED, "approved", "decisioned-at", "inquiry.approved"),
        "decline_inquiry" => (UNDECIDED, "declined", "decisioned-at", "inquiry.declined"),
        _ => return None,
    };
    Some(Transition {
        from,
        to,
        timestamp,
        event,
    })
}

fn apply_transition(state: &State, id: &str, action: &str) -> Result<Value, Reply> {
    let transition = transition(action).ok_or_else(|| {
        Reply::error(
            400,
            "Bad Request",
            Some(&format!("{action} is not a simulate action")),
            None,
        )
    })?;
    let now = iso8601(persona::clock::unix_now());
    let mut refused = None;
    let updated = state
        .store()
        .update(Kind::Inquiry, id, |inquiry| {
            let status = inquiry["attributes"]["status"].as_str().unwrap_or_default();
            if !transition.from.contains(&status) {
                // 422: "modifies the resource in an unacceptable way, often due to an invalid
                // action" (https://docs.withpersona.com/errors).
                refused = Some(Reply::error(
                    422,
                    "Unprocessable entity",
                    Some(&format!("Cannot {action} an inquiry that is {status}.")),
                    None,
                ));
                return;
            }
            inquiry["attributes"]["status"] = json!(transition.to);
            inquiry["attributes"]["updated-at"] = json!(now);
            inquiry["attributes"][transition.timestamp] = json!(now);
        })
        .ok_or_else(|| not_found("inquiry"))?;
    if let Some(refused) = refused {
        return Err(refused);
    }
    if transition.to == "completed" {
        let verification = state.store().insert(
            Kind::Verification,
            json!({
                "type": "verification/government-id",
                "id": new_id("ver"),
                "attributes": { "status": "passed", "created-at": now },
                "relationships": { "inquiry": { "data": { "type": "inquiry", "id": id } } },
            }),
        );
        state.store().update(Kind::Inquiry, id, |inquiry| {
            let link = json!({ "type": verification["type"], "id": verification["id"] });
            match inquiry["relationships"]["verifications"]["data"].as_array_mut() {
                Some(links) => links.push(link),
                None => inquiry["relationships"]["verifications"]["data"] = json!([link]),
            }
        });
    }
    let updated = state.store().get(Kind::Inquiry, id).unwrap_or(updated);
    state.emit(transition.event, &updated);
    Ok(updated)
}

/// The answer as the operation's schema declares it: without the attributes its answer leaves
/// out (a webhook's secrets outside `webhook-with-secret`, an API key's value after creation),
/// and with `include=a,b` filled in `included` where the answer declares it (the resources
/// those relationships point to, each once, in the order reached; ids the sandbox does not hold
/// are left out).
fn as_declared(
    state: &State,
    mut reply: Reply,
    operation: Option<&'static Operation>,
    query: &str,
) -> Reply {
    if !(200..300).contains(&reply.status) || reply.body.get("data").is_none() {
        return reply;
    }
    let Some(operation) = operation else {
        return reply;
    };
    let hidden = schema::hidden_attributes(operation.id);
    let primary: Vec<&mut Value> = match &mut reply.body["data"] {
        Value::Array(items) => items.iter_mut().collect(),
        data @ Value::Object(_) => vec![data],
        _ => Vec::new(),
    };
    for resource in primary {
        if let Some(attributes) = resource["attributes"].as_object_mut() {
            for name in hidden {
                attributes.remove(*name);
            }
        }
    }
    let names = query_params(query)
        .into_iter()
        .find(|(n, _)| n == "include")
        .map(|(_, names)| names);
    let (Some(names), true) = (names, schema::answers_included(operation.id)) else {
        return reply;
    };
    let primary: Vec<Value> = match &reply.body["data"] {
        Value::Array(items) => items.clone(),
        data @ Value::Object(_) => vec![data.clone()],
        _ => Vec::new(),
    };
    let mut included: Vec<Value> = Vec::new();
    for resource in &primary {
        for name in names.split(',').filter(|n| !n.is_empty()) {
            let links = match &resource["relationships"][name]["data"] {
                Value::Array(links) => links.clone(),
                link @ Value::Object(_) => vec![link.clone()],
                _ => Vec::new(),
            };
            for link in links {
                let id = link["id"].as_str().unwrap_or_default();
                if included.iter().any(|r| r["id"] == id) {
                    continue;
                }
                if let Some(related) = state.store().get_any(id) {
                    included.push(related);
                }
            }
        }
    }
    reply.body["included"] = Value::Array(included);
    reply
}

/// Sparse fieldsets: `fields[type]=a,b` keeps only those attributes of every resource of that
/// type in `data` and `included` (JSON:API; the document's `fields` parameter).
fn sparse(mut reply: Reply, query: &str) -> Reply {
    let wanted: Vec<(String, Vec<String>)> = query_params(query)
        .into_iter()
        .filter_map(|(name, value)| {
            let kind = name.strip_prefix("fields[")?.strip_suffix(']')?.to_owned();
            Some((kind, value.split(',').map(str::to_owned).collect()))
        })
        .collect();
    if wanted.is_empty() {
        return reply;
    }
    let trim = |resource: &mut Value| {
        let kind = resource["type"].as_str().unwrap_or_default().to_owned();
        if let Some((_, keep)) = wanted.iter().find(|(k, _)| *k == kind) {
            if let Some(attributes) = resource["attributes"].as_object_mut() {
                attributes.retain(|name, _| keep.contains(name));
            }
        }
    };
    for member in ["data", "included"] {
        match reply.body.get_mut(member) {
            Some(Value::Array(items)) => items.iter_mut().for_each(trim),
            Some(item @ Value::Object(_)) => trim(item),
            _ => {}
        }
    }
    reply
}

/// The API log of one call, shaped by the document's `api-log` schema: the request's method,
/// path, query and the headers the schema lists (the credential masked as Persona masks it),
/// and the answer's status. Request bodies are not kept: they hold personal data.
fn log_call(
    state: &State,
    request_id: &str,
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    status: u16,
) {
    let mut logged = serde_json::Map::new();
    for name in ["Accept", "Host", "Persona-Version", "User-Agent"] {
        if let Some(value) = header(headers, name) {
            logged.insert(name.to_owned(), json!(value));
        }
    }
    if header(headers, "authorization").is_some() {
        logged.insert("Authorization".into(), json!("****-****-************"));
    }
    let params = query_object(query);
    state.store().insert_api_log(json!({
        "type": "api-log",
        "id": request_id,
        "attributes": {
            "request": {
                "method": method, "path": path, "headers": logged,
                "get-params": params, "post-params": {}, "ip-address": "127.0.0.1",
            },
            "response": { "status": status },
            "created-at": iso8601(persona::clock::unix_now()),
        },
    }));
}

/// A query string as the `get-params` object of Persona's logs (names to values, as sent).
fn query_object(query: &str) -> serde_json::Map<String, Value> {
    query_params(query)
        .into_iter()
        .map(|(name, value)| (name, Value::String(value)))
        .collect()
}

/// A user audit log of an admin request: at Persona, an organization user's request to its
/// dashboard (the document's example path is `/api/internal/dashboard/v1/cases/…`); the sandbox's
/// admin routes are what stands for its dashboard, and whoever holds the admin token its user.
fn audit(state: &State, method: &str, path: &str, query: &str) {
    let params = query_object(query);
    state.store().insert_other(json!({
        "type": "user-audit-log",
        "id": new_id("ual"),
        "attributes": {
            "path": path, "method": method, "get-params": params, "post-params": {},
            "ip-address": "127.0.0.1", "created-at": iso8601(persona::clock::unix_now()),
            "impersonator-email-address": null,
        },
        "relationships": { "user": { "data": { "type": "user", "id": "user_sandbox_admin" } } },
    }));
}

/// One action of `perform-simulate-actions`.
enum Simulated {
    /// An `inquiry-status-action`.
    Status(String),
    /// A `create-verification-action`: `create_passed_verification` or `…_failed_…`.
    Verification { passed: bool, template: String },
}

/// The actions of a `perform-simulate-actions` body, by the document's request schema:
/// `{"meta": {"simulate-actions": [{"type": <inquiry-status-action>} |
/// {"type": "create_passed_verification" | "create_failed_verification",
/// "data": {"verification-template-id": …}}]}}`; anything else is Persona's 400.
fn simulate_actions(body: &[u8]) -> Result<Vec<Simulated>, Reply> {
    let bad = |details: String| Reply::error(400, "Bad Request", Some(&details), None);
    let json = json_body(body)?;
    let items = json
        .pointer("/meta/simulate-actions")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("meta.simulate-actions is missing".into()))?;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let name = item["type"].as_str().unwrap_or_default();
            match name {
                "create_passed_verification" | "create_failed_verification" => {
                    let template = item
                        .pointer("/data/verification-template-id")
                        .and_then(Value::as_str)
                        .ok_or_else(|| {
                            bad(format!(
                                "meta.simulate-actions[{index}].data.verification-template-id is missing"
                            ))
                        })?;
                    Ok(Simulated::Verification {
                        passed: name == "create_passed_verification",
                        template: template.to_owned(),
                    })
                }
                _ if transition(name).is_some() => Ok(Simulated::Status(name.to_owned())),
                _ => Err(bad(format!(
                    "meta.simulate-actions[{index}].type is not a simulate action"
                ))),
            }
        })
        .collect()
}

/// A verification of the inquiry, passed or failed, from `template` (its type is a government
/// ID verification: the template's kind is not known to the sandbox), linked both ways, with its
/// event (`verification.passed` / `verification.failed`, <https://docs.withpersona.com/events>).
/// The verification type a template runs. Persona's verification templates are configured in its
/// dashboard, which the sandbox does not have, so the template id names the kind: `vtmpl_selfie…`
/// runs a `verification/selfie`, `vtmpl_database-tin…` a `verification/database-tin` (any type of
/// the document, the longest that matches); any other id a government-id verification, the one
/// Persona's docs walk through.
fn verification_type(template: &str) -> &'static str {
    let named = template.strip_prefix("vtmpl_").unwrap_or_default();
    schema::RESOURCE_TYPES
        .iter()
        .filter_map(|kind| Some((*kind, kind.strip_prefix("verification/")?)))
        .filter(|(_, suffix)| named.starts_with(suffix))
        .max_by_key(|(_, suffix)| suffix.len())
        .map_or("verification/government-id", |(kind, _)| kind)
}

fn create_verification(state: &State, inquiry_id: &str, passed: bool, template: &str) -> Value {
    let now = iso8601(persona::clock::unix_now());
    let status = if passed { "passed" } else { "failed" };
    let kind = verification_type(template);
    let verification = state.store().insert(
        Kind::Verification,
        json!({
            "type": kind,
            "id": new_id("ver"),
            "attributes": {
                "status": status, "created-at": now, "submitted-at": now, "completed-at": now,
            },
            "relationships": {
                "inquiry": { "data": { "type": "inquiry", "id": inquiry_id } },
                "verification-template": {
                    "data": {
                        "type": kind.replace("verification/", "verification-template/"),
                        "id": template,
                    },
                },
            },
        }),
    );
    state.store().update(Kind::Inquiry, inquiry_id, |inquiry| {
        let link = json!({ "type": verification["type"], "id": verification["id"] });
        match inquiry["relationships"]["verifications"]["data"].as_array_mut() {
            Some(links) => links.push(link),
            None => inquiry["relationships"]["verifications"]["data"] = json!([link]),
        }
    });
    state.emit(&format!("verification.{status}"), &verification);
    verification
}

/// Persona's redaction of an inquiry: "PII attributes are nulled out (`name-first`,
/// `name-middle`, `name-last`, `address-*`, `birthdate`, `email-address`, `phone-number`,
/// `identification-number`, `social-security-number`) and the corresponding entries inside
/// `fields`, plus `note`. `tags` is emptied." The status and the operational timestamps stay;
/// `redacted-at` is the signal; `reference-id` stays while the account is not redacted
/// (<https://docs.withpersona.com/2025-12-08/api-reference/webhooks/inquiry-events/webhook-inquiry-redacted>).
fn redact_inquiry(inquiry: &mut Value, now: &str) {
    const PII: &[&str] = &[
        "name-first",
        "name-middle",
        "name-last",
        "birthdate",
        "email-address",
        "phone-number",
        "identification-number",
        "social-security-number",
        "note",
        "address-street-1",
        "address-street-2",
        "address-city",
        "address-subdivision",
        "address-subdivision-abbr",
        "address-postal-code",
        "address-postal-code-abbr",
    ];
    let is_pii = |key: &str| PII.contains(&key) || key.starts_with("address-");
    let Some(attributes) = inquiry["attributes"].as_object_mut() else {
        return;
    };
    let nulled: Vec<String> = attributes
        .keys()
        .filter(|key| is_pii(key))
        .cloned()
        .chain(PII.iter().map(|key| (*key).to_owned()))
        .collect();
    for key in nulled {
        attributes.insert(key, Value::Null);
    }
    if let Some(Value::Object(fields)) = attributes.get_mut("fields") {
        for (_, field) in fields.iter_mut().filter(|(key, _)| is_pii(key)) {
            match field {
                Value::Object(typed) if typed.contains_key("value") => {
                    typed.insert("value".into(), Value::Null);
                }
                other => *other = Value::Null,
            }
        }
    }
    attributes.insert("tags".into(), json!([]));
    attributes.insert("redacted-at".into(), json!(now));
    attributes.insert("updated-at".into(), json!(now));
}

fn route(
    state: &State,
    operation: Option<(&'static Operation, Vec<&str>)>,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
) -> Reply {
    let Some(rest) = path.strip_prefix("/api/v1/") else {
        return Reply::error(404, "Not found", None, None);
    };
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let result: Result<Reply, Reply> = (|| {
        Ok(match (method, segments.as_slice()) {
            ("POST", ["inquiries"]) => {
                let mut attributes = attributes_of(body)?;
                // One of the three template ids the request schema declares names the flow.
                let template = [
                    "inquiry-template-id",
                    "template-id",
                    "inquiry-template-version-id",
                ]
                .iter()
                .find_map(|name| attributes.get(*name));
                if !template.is_some_and(Value::is_string) {
                    return Err(Reply::error(
                        422,
                        "Record invalid",
                        Some("inquiry-template-id is required"),
                        Some("/data/attributes/inquiry-template-id"),
                    ));
                }
                let now = iso8601(persona::clock::unix_now());
                let relationships = inquiry_relationships(&mut attributes);
                let mut fields = Value::Null;
                merge_fields(&mut fields, attributes.remove("fields").unwrap_or_default());
                attributes.insert("fields".into(), fields);
                attributes.insert("status".into(), json!("created"));
                attributes.insert("created-at".into(), json!(now));
                attributes.insert("updated-at".into(), json!(now));
                attributes.entry("reference-id").or_insert(Value::Null);
                let inquiry = state.store().insert(
                    Kind::Inquiry,
                    json!({ "type": "inquiry", "id": new_id("inq"), "attributes": attributes, "relationships": relationships }),
                );
                state.emit("inquiry.created", &inquiry);
                Reply::ok(201, json!({ "data": inquiry }))
            }
            ("GET", ["inquiries"]) => list(
                state,
                Kind::Inquiry,
                "list-all-inquiries",
                query,
                "/api/v1/inquiries",
            ),
            ("GET", ["inquiries", id]) => Reply::ok(
                200,
                json!({ "data": state.store().get(Kind::Inquiry, id).ok_or_else(|| not_found("inquiry"))? }),
            ),
            ("PATCH", ["inquiries", id]) => {
                let attributes = attributes_of(body)?;
                let updated = state
                    .store()
                    .update(Kind::Inquiry, id, |inquiry| {
                        for (key, value) in attributes {
                            match key.as_str() {
                                "status" => {}
                                "fields" => {
                                    merge_fields(&mut inquiry["attributes"]["fields"], value)
                                }
                                _ => inquiry["attributes"][key] = value,
                            }
                        }
                    })
                    .ok_or_else(|| not_found("inquiry"))?;
                Reply::ok(200, json!({ "data": updated }))
            }
            ("DELETE", ["inquiries", id]) => {
                let now = iso8601(persona::clock::unix_now());
                let redacted = state
                    .store()
                    .update(Kind::Inquiry, id, |inquiry| redact_inquiry(inquiry, &now))
                    .ok_or_else(|| not_found("inquiry"))?;
                state.emit("inquiry.redacted", &redacted);
                Reply::ok(200, json!({ "data": redacted }))
            }
            // Resuming starts an inquiry session (what a user's device opens at Persona): it
            // appears in the inquiry's `sessions` and through the inquiry-session operations.
            ("POST", ["inquiries", id, "resume"]) => {
                state
                    .store()
                    .get(Kind::Inquiry, id)
                    .ok_or_else(|| not_found("inquiry"))?;
                let now = iso8601(persona::clock::unix_now());
                let session_id = new_id("iqse");
                let session = state.store().insert_other(json!({
                    "type": "inquiry-session",
                    "id": session_id,
                    // No status: the document's only example is "expired", and Persona's docs
                    // list no live session status.
                    "attributes": { "created-at": now, "started-at": now },
                    "relationships": {
                        "inquiry": { "data": { "type": "inquiry", "id": id } },
                        "device": lifecycle::device_for_session(state),
                    },
                }));
                let inquiry = state
                    .store()
                    .update(Kind::Inquiry, id, |inquiry| {
                        let link = json!({ "type": "inquiry-session", "id": session["id"] });
                        match inquiry["relationships"]["sessions"]["data"].as_array_mut() {
                            Some(links) => links.push(link),
                            None => inquiry["relationships"]["sessions"]["data"] = json!([link]),
                        }
                    })
                    .ok_or_else(|| not_found("inquiry"))?;
                Reply::ok(
                    200,
                    json!({ "data": inquiry, "meta": { "session-token": new_id("sess") } }),
                )
            }
            // POST /inquiries/{inquiry-id}/expire, /approve, /decline: the same transitions as
            // the status actions of the same names.
            ("POST", ["inquiries", id, action @ ("expire" | "approve" | "decline")]) => {
                let status_action = format!("{action}_inquiry");
                Reply::ok(
                    200,
                    json!({ "data": apply_transition(state, id, &status_action)? }),
                )
            }
            ("POST", ["inquiries", id, "perform-simulate-actions"]) => {
                if state.store().get(Kind::Inquiry, id).is_none() {
                    return Err(not_found("inquiry"));
                }
                let actions = simulate_actions(body)?;
                for action in &actions {
                    match action {
                        Simulated::Status(name) => {
                            apply_transition(state, id, name)?;
                        }
                        Simulated::Verification { passed, template } => {
                            create_verification(state, id, *passed, template);
                        }
                    }
                }
                let inquiry = state
                    .store()
                    .get(Kind::Inquiry, id)
                    .ok_or_else(|| not_found("inquiry"))?;
                Reply::ok(200, json!({ "data": inquiry }))
            }
            ("POST", ["accounts"]) => {
                let mut attributes = attributes_of(body)?;
                let mut fields = Value::Null;
                merge_fields(&mut fields, attributes.remove("fields").unwrap_or_default());
                attributes.insert("fields".into(), fields);
                attributes.insert(
                    "created-at".into(),
                    json!(iso8601(persona::clock::unix_now())),
                );
                attributes.entry("reference-id").or_insert(Value::Null);
                let account = state.store().insert(
                    Kind::Account,
                    json!({ "type": "account", "id": new_id("act"), "attributes": attributes }),
                );
                state.emit("account.created", &account);
                Reply::ok(201, json!({ "data": account }))
            }
            ("GET", ["accounts"]) => list(
                state,
                Kind::Account,
                "list-all-accounts",
                query,
                "/api/v1/accounts",
            ),
            ("GET", ["accounts", id]) => Reply::ok(
                200,
                json!({ "data": state.store().get(Kind::Account, id).ok_or_else(|| not_found("account"))? }),
            ),
            ("PATCH", ["accounts", id]) => {
                let attributes = attributes_of(body)?;
                let updated = state
                    .store()
                    .update(Kind::Account, id, |account| {
                        for (key, value) in attributes {
                            match key.as_str() {
                                "fields" => {
                                    merge_fields(&mut account["attributes"]["fields"], value)
                                }
                                _ => account["attributes"][key] = value,
                            }
                        }
                    })
                    .ok_or_else(|| not_found("account"))?;
                Reply::ok(200, json!({ "data": updated }))
            }
            ("GET", ["verifications", id]) => Reply::ok(
                200,
                json!({ "data": state.store().get(Kind::Verification, id).ok_or_else(|| not_found("verification"))? }),
            ),
            ("GET", ["events"]) => list(
                state,
                Kind::Event,
                "list-all-events",
                query,
                "/api/v1/events",
            ),
            ("GET", ["events", id]) => Reply::ok(
                200,
                json!({ "data": state.store().get(Kind::Event, id).ok_or_else(|| not_found("event"))? }),
            ),
            // Every other operation of the document, from the operation table and its schemas.
            _ => match operation {
                Some((operation, values)) => generic::serve(state, operation, &values, query, body),
                None => Reply::error(
                    404,
                    "Not found",
                    Some(&format!("No route for {method} {path}.")),
                    None,
                ),
            },
        })
    })();
    result.unwrap_or_else(|error| error)
}
