//! Cursors of a list document: the `page[after]` of `links.next` (and, in [`super::pages`], the
//! `page[before]` of `links.prev`).

use serde_json::Value;

/// The `page[after]` value of a list document's `links.next`, if there is a next page.
pub fn next_cursor(body: &Value) -> Option<String> {
    super::pages::cursor(body, "/links/next", "page[after]")
}
