//! The lifecycles Persona documents for the resources `generic.rs` serves (cases, reports, API
//! keys), applied when they are created, acted on and read. The inquiry's is in `routes.rs`.
//!
//! - A **case** starts in its template's initial status ("Open": the document's first example;
//!   <https://docs.withpersona.com/api-reference/cases>: "initial … When cases are created, they
//!   will have this status"), with `sla-expires-at` from `meta.sla-expires-in-seconds`.
//!   `set-status` moves it to `meta.status`; an end status (the default resolutions "Approved",
//!   "Declined", <https://docs.withpersona.com/v2021-05-14/reference/cases>) resolves it
//!   (`resolution`, `resolved-at`), another one reopens it. `assign` records `assignee-id`
//!   (`meta.user-email-address`), `assigned-at`.
//! - A **report** is created `pending` and is `ready` by the time it is read again ("Reports are
//!   created and processed asynchronously … Pending while the server processes the report …
//!   Ready when the server finishes", <https://docs.withpersona.com/api-reference/reports>);
//!   `run` re-runs it (pending again), `pause`/`resume` turn continuous monitoring
//!   (`is-continuous`) off and on.
//! - An **API key** `expire`s `meta.expires-in-seconds` from now (`expires-at`; it has no status).
//! - A **workflow run** starts `in_progress` when its workflow is triggered and has completed by the
//!   next request (`completed-at`), as a report is processed.
//! - A **device** is recorded when an inquiry session opens (Persona fingerprints the device the
//!   session runs on; the sandbox, having none, makes up the fingerprints).

use serde_json::{Map, Value, json};

use super::state::State;
use super::store::{iso8601, new_id};

/// The end statuses of the default case template: they resolve a case.
const CASE_RESOLUTIONS: &[&str] = &["Approved", "Declined"];

/// Attributes a new resource of `kind` starts with, from the create body's `meta`.
pub(crate) fn on_create(kind: &str, attributes: &mut Map<String, Value>, meta: &Value, now: i64) {
    match kind {
        "case" => {
            attributes.insert("status".into(), json!("Open"));
            if let Some(seconds) = meta["sla-expires-in-seconds"].as_f64() {
                // Whole seconds, as the document's example (7200) gives them.
                attributes.insert(
                    "sla-expires-at".into(),
                    json!(iso8601(now + seconds as i64)),
                );
            }
        }
        kind if kind.starts_with("report/") => {
            attributes.insert("status".into(), json!("pending"));
            attributes.insert("is-continuous".into(), json!(false));
            attributes.insert("is-recurring".into(), json!(false));
            attributes.insert("has-match".into(), json!(false));
        }
        _ => {}
    }
}

/// `action` (the last path segment) on a resource of `kind`, with the body's `meta`. Whether the
/// action is one of these lifecycles (otherwise `generic.rs` applies its shared ones).
pub(crate) fn on_action(
    kind: &str,
    action: &str,
    attributes: &mut Value,
    meta: &Value,
    now: i64,
) -> bool {
    let at = json!(iso8601(now));
    match (kind, action) {
        ("case", "set-status") => {
            let Some(status) = meta["status"].as_str() else {
                return true;
            };
            attributes["status"] = json!(status);
            if CASE_RESOLUTIONS.contains(&status) {
                attributes["resolution"] = json!(status);
                attributes["resolved-at"] = at;
            } else {
                attributes["resolution"] = Value::Null;
                attributes["resolved-at"] = Value::Null;
            }
        }
        ("case", "assign") => {
            if let Some(assignee) = meta["user-email-address"].as_str() {
                attributes["assignee-id"] = json!(assignee);
                attributes["assigned-at"] = at;
            }
        }
        (kind, "run") if kind.starts_with("report/") => {
            attributes["status"] = json!("pending");
            attributes["completed-at"] = Value::Null;
        }
        (kind, "pause") if kind.starts_with("report/") => {
            attributes["is-continuous"] = json!(false)
        }
        (kind, "resume") if kind.starts_with("report/") => {
            attributes["is-continuous"] = json!(true)
        }
        ("api-key", "expire") => {
            let seconds = meta["expires-in-seconds"].as_f64().unwrap_or(0.0).max(0.0);
            attributes["expires-at"] = json!(iso8601(now + seconds as i64));
        }
        _ => return false,
    }
    true
}

/// Whether a new (or re-run) resource of `kind` is processed after the request that made it.
pub(crate) fn processes(kind: &str) -> bool {
    kind.starts_with("report/") || kind == "workflow-run"
}

/// A device for a session opening now: stored, and the relationship the session links it by (a
/// device's schema has none of its own; `list-all-devices` finds it through the session).
pub(crate) fn device_for_session(state: &State) -> Value {
    let device = state.store().insert_other(json!({
        "type": "device",
        "id": new_id("dev"),
        "attributes": {
            "device-vendor-id": null,
            "device-fingerprint": new_id("").trim_start_matches('_'),
            "browser-fingerprint": new_id("").trim_start_matches('_'),
        },
        "relationships": {},
    }));
    json!({ "data": { "type": "device", "id": device["id"] } })
}

/// A run of workflow `workflow_id` (configured in Persona's dashboard, so any id names one),
/// started now and processed after this request.
pub(crate) fn trigger_workflow(state: &State, workflow_id: &str, now: i64) -> Value {
    let run = state.store().insert_other(json!({
        "type": "workflow-run",
        "id": new_id("wfr"),
        "attributes": { "status": "in_progress", "created-at": iso8601(now), "completed-at": null },
        "relationships": {
            "workflow": { "data": { "type": "workflow", "id": workflow_id } },
            "creator": { "data": null },
        },
    }));
    state.process_later(run["id"].as_str().unwrap_or_default());
    run
}

/// Persona's processing, done between requests: every report made or re-run by an earlier request
/// is `ready`, every workflow run `completed`, so whoever makes one and reads it again (a poll, a
/// list) sees it processed.
pub(crate) fn settle(state: &State, now: i64) {
    for id in state.take_processing() {
        state.store().update_any(&id, |object| {
            let done = match object["type"].as_str() {
                Some("workflow-run") => "completed",
                _ => "ready",
            };
            let attributes = &mut object["attributes"];
            if attributes["status"] == "pending" || attributes["status"] == "in_progress" {
                attributes["status"] = json!(done);
                attributes["completed-at"] = json!(iso8601(now));
            }
        });
    }
}
