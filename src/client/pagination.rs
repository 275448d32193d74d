//! Cursor pagination over `page[after]` / `page[size]` and `links.next`, resumable from a cursor.

use std::collections::VecDeque;

use reqwest::Method;
use serde_json::Value;

use super::Client;
use super::http::RequestOptions;
use crate::error::PersonaError;

/// Filters and paging for a list call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams {
    /// `page[size]`.
    pub page_size: Option<u32>,
    /// `page[after]`: resume after this cursor (the id of the last object seen).
    pub after: Option<String>,
    /// Other query parameters, e.g. `("filter[status]", "completed")`.
    pub filters: Vec<(String, String)>,
}

impl ListParams {
    fn query(&self) -> Vec<(String, String)> {
        let mut query = self.filters.clone();
        if let Some(size) = self.page_size {
            query.push(("page[size]".into(), size.to_string()));
        }
        if let Some(after) = &self.after {
            query.push(("page[after]".into(), after.clone()));
        }
        query
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The objects on this page.
    pub data: Vec<T>,
    /// Cursor for the next page (`None` on the last page).
    pub next_cursor: Option<String>,
}

/// The `page[after]` value of a list document's `links.next`, if there is a next page.
pub fn next_cursor(body: &Value) -> Option<String> {
    super::pages::cursor(body, "/links/next", "page[after]")
}

/// Reads one list item.
pub type Parse<T> = fn(&Value) -> Result<T, PersonaError>;

impl<T> Page<T> {
    pub(crate) async fn fetch(
        client: &Client,
        path: &str,
        params: &ListParams,
        parse: Parse<T>,
    ) -> Result<Self, PersonaError> {
        let response = client
            .request(
                Method::GET,
                path,
                &params.query(),
                None,
                &RequestOptions::default(),
            )
            .await?;
        let data = response
            .body
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                PersonaError::UnexpectedResponse("list response has no `data` array".into())
            })?
            .iter()
            .map(parse)
            .collect::<Result<Vec<T>, _>>()?;
        Ok(Self {
            data,
            next_cursor: next_cursor(&response.body),
        })
    }
}

/// Iterates a list across pages, fetching each page when the previous one is used up.
pub struct Paginator<T> {
    client: Client,
    path: &'static str,
    params: ListParams,
    parse: Parse<T>,
    buffer: VecDeque<T>,
    finished: bool,
}

impl<T> std::fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("path", &self.path)
            .field("params", &self.params)
            .field("buffered", &self.buffer.len())
            .field("finished", &self.finished)
            .finish()
    }
}

impl<T> Paginator<T> {
    pub(crate) fn new(
        client: Client,
        path: &'static str,
        params: ListParams,
        parse: Parse<T>,
    ) -> Self {
        Self {
            client,
            path,
            params,
            parse,
            buffer: VecDeque::new(),
            finished: false,
        }
    }

    /// The next object, fetching the next page when needed; `None` after the last one.
    pub async fn next(&mut self) -> Option<Result<T, PersonaError>> {
        if self.buffer.is_empty() && !self.finished {
            if let Err(error) = self.fill().await {
                self.finished = true;
                return Some(Err(error));
            }
        }
        self.buffer.pop_front().map(Ok)
    }

    /// The next whole page; `None` after the last one.
    pub async fn next_page(&mut self) -> Option<Result<Vec<T>, PersonaError>> {
        if !self.buffer.is_empty() {
            return Some(Ok(self.buffer.drain(..).collect()));
        }
        if self.finished {
            return None;
        }
        match self.fill().await {
            Ok(()) if self.buffer.is_empty() => None,
            Ok(()) => Some(Ok(self.buffer.drain(..).collect())),
            Err(error) => {
                self.finished = true;
                Some(Err(error))
            }
        }
    }

    /// The cursor to resume from later (`ListParams { after: cursor, .. }`): where the next page
    /// fetch would start.
    pub fn cursor(&self) -> Option<&str> {
        self.params.after.as_deref()
    }

    async fn fill(&mut self) -> Result<(), PersonaError> {
        let page = Page::fetch(&self.client, self.path, &self.params, self.parse).await?;
        self.finished = page.next_cursor.is_none();
        self.params.after = page.next_cursor;
        self.buffer.extend(page.data);
        Ok(())
    }
}
