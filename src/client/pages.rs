//! [`Pages`]: a list operation's pages, one request each, forward along `links.next`
//! (`page[after]`) or backward along `links.prev` (`page[before]`).

use serde_json::Value;

use super::Client;
use super::http::ApiResponse;
use super::operation::{Call, Operation};
use super::reply::Reply;
use crate::error::PersonaError;

/// The `page[after]` value of a list document's `links.next`, if there is a next page.
pub fn next_cursor(body: &Value) -> Option<String> {
    cursor(body, "/links/next", "page[after]")
}

/// The `page[before]` value of a list document's `links.prev`, if there is a previous page.
pub fn previous_cursor(body: &Value) -> Option<String> {
    cursor(body, "/links/prev", "page[before]")
}

fn cursor(body: &Value, link: &str, parameter: &str) -> Option<String> {
    let link = body.pointer(link).and_then(Value::as_str)?;
    let url = url::Url::parse("http://link.invalid")
        .ok()?
        .join(link)
        .ok()?;
    url.query_pairs()
        .find(|(name, _)| name == parameter)
        .map(|(_, value)| value.into_owned())
}

/// Which way [`Pages`] walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Along `links.next` (`page[after]`).
    Forward,
    /// Along `links.prev` (`page[before]`).
    Backward,
}

/// The pages of one list call. The first request is the call as given (its own `page[after]` or
/// `page[before]` is where it starts); each later one follows the previous page's link. It ends
/// after a page without a link onward, or one whose link does not move (a server that repeats
/// itself must not make this loop forever).
#[derive(Debug)]
pub struct Pages {
    client: Client,
    operation: &'static Operation,
    call: Call,
    direction: Direction,
    done: bool,
}

impl Pages {
    /// The next page; `None` after the last one (or after an error, which is returned once).
    pub async fn next(&mut self) -> Option<Result<ApiResponse, PersonaError>> {
        if self.done {
            return None;
        }
        let response = match self.client.call(self.operation, &self.call).await {
            Ok(Reply::Json(response)) => response,
            Ok(Reply::Binary(_)) => {
                self.done = true;
                return Some(Err(PersonaError::UnexpectedResponse(format!(
                    "{} answered a file",
                    self.operation.id
                ))));
            }
            Err(error) => {
                self.done = true;
                return Some(Err(error));
            }
        };
        let (onward, slot) = match self.direction {
            Direction::Forward => (next_cursor(&response.body), &mut self.call.page_after),
            Direction::Backward => (previous_cursor(&response.body), &mut self.call.page_before),
        };
        match onward {
            Some(cursor) if slot.as_deref() != Some(cursor.as_str()) => *slot = Some(cursor),
            _ => self.done = true,
        }
        Some(Ok(response))
    }
}

impl Client {
    /// The pages of a list `operation` called with `call`, in `direction`. A call to an operation
    /// that is not a list is an `invalid_argument` error.
    pub fn pages(
        &self,
        operation: &'static Operation,
        call: Call,
        direction: Direction,
    ) -> Result<Pages, PersonaError> {
        if !operation.paginated {
            return Err(PersonaError::invalid_argument_because(
                "operation",
                format!("{} is not a list operation", operation.id),
            ));
        }
        Ok(Pages {
            client: self.clone(),
            operation,
            call,
            direction,
            done: false,
        })
    }
}
