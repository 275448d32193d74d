//! Reading a JSON:API document Persona answered: a relationship resolved to the `included`
//! resources it points to. One rule for every language (the bindings call it through the core).

use serde_json::Value;

/// The `included` resources of `document` that a relationship of `resource` (default: the
/// document's primary `data`) points to, in the relationship's order; at most one for a to-one
/// relationship. Only what the call asked for with `include` can be found; a linkage without a
/// matching included resource is left out.
pub fn related<'a>(
    document: &'a Value,
    relationship: &str,
    resource: Option<&'a Value>,
) -> Vec<&'a Value> {
    let resource = resource.or_else(|| document.get("data"));
    let linkage = resource
        .and_then(|r| r.get("relationships"))
        .and_then(|r| r.get(relationship))
        .and_then(|r| r.get("data"));
    let wanted: Vec<&Value> = match linkage {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => Vec::new(),
    };
    let Some(included) = document.get("included").and_then(Value::as_array) else {
        return Vec::new();
    };
    wanted
        .into_iter()
        .filter_map(|link| {
            included.iter().find(|candidate| {
                candidate.get("type") == link.get("type") && candidate.get("id") == link.get("id")
            })
        })
        .collect()
}
