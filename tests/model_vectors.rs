//! Replays `tests/vectors/models.json` through the core's typed models: the reading rules every
//! language shares (Python and Kotlin replay the same file through UniFFI).

// Test code: a failed unwrap or panic is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use persona::model::{self, Resource};
use serde_json::Value;

#[path = "support/model_fields.rs"]
mod model_fields;

fn vectors() -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/models.json");
    let document: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(document["schema"], 1);
    document["cases"].as_array().unwrap().clone()
}

fn check(name: &str, got: &Resource, want: &Value) {
    let (model, fields) = model_fields::fields(got);
    assert_eq!(model, want["model"], "{name}: model");
    assert_eq!(got.resource_type(), want["type"], "{name}: type");
    assert_eq!(got.id(), want["id"], "{name}: id");
    for (field, value) in want["fields"].as_object().into_iter().flatten() {
        let actual = fields
            .get(field)
            .unwrap_or_else(|| panic!("{name}: no field {field}"));
        assert_eq!(actual, value, "{name}: {field}");
    }
    for (member, text) in [
        ("attributes", got.attributes_json()),
        ("relationships", got.relationships_json()),
    ] {
        let kept: Value = serde_json::from_str(text).unwrap();
        if let Some(exact) = want.get(format!("{member}_json")) {
            assert_eq!(text, exact, "{name}: {member}");
        }
        for key in want[format!("{member}_contain")]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(
                kept.get(key.as_str().unwrap()).is_some(),
                "{name}: {member} lost {key}"
            );
        }
    }
}

#[test]
fn every_model_vector_reads_as_pinned() {
    let cases = vectors();
    assert!(cases.len() >= 30);
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let got = model::document_models(&case["document"]);
        match case["expect"].get("error") {
            Some(code) => {
                let error = got.expect_err(name);
                assert_eq!(error.code(), code, "{name}");
                let message = error.to_string();
                for word in case["expect"]["mentions"].as_array().unwrap() {
                    assert!(
                        message.contains(word.as_str().unwrap()),
                        "{name}: {message:?} does not name {word}"
                    );
                }
            }
            None => {
                let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
                let want = case["expect"]["models"].as_array().unwrap();
                assert_eq!(got.len(), want.len(), "{name}: how many");
                for (got, want) in got.iter().zip(want) {
                    check(name, got, want);
                }
            }
        }
    }
}

#[test]
fn the_one_resource_form_refuses_a_list_and_models_print_type_and_id_only() {
    let list = serde_json::json!({"data": [{"type": "inquiry", "id": "inq_1"}]});
    assert_eq!(
        model::document_model(&list).unwrap_err().code(),
        "invalid_argument"
    );
    let one = serde_json::json!({"data": {"type": "inquiry", "id": "inq_1",
        "attributes": {"name-first": "Jane", "birthdate": "1990-01-01"}}});
    let inquiry = model::document_model(&one).unwrap().unwrap();
    let printed = format!("{inquiry:?}");
    assert!(printed.contains("inq_1"), "{printed}");
    assert!(
        !printed.contains("Jane") && !printed.contains("1990"),
        "{printed}"
    );
}
