//! A blocking facade for callers without an async runtime (the C ABI, sync Python): every call
//! runs on the process-wide runtime.

use std::future::Future;

use super::Client;
use super::http::ApiResponse;
use super::pages::Pages;
use crate::error::PersonaError;

/// Runs [`Client`] calls to completion on the process-wide runtime.
#[derive(Debug, Clone)]
pub struct BlockingClient {
    client: Client,
}

impl BlockingClient {
    /// Wraps an async client.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// The async client (to share its connection pool).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Runs `call` on the runtime and waits for it, e.g.
    /// `blocking.run(|c| async move { c.api().inquiries().retrieve("inq_1", Call::new()).await })`.
    ///
    /// Refuses (rather than deadlocking or panicking) when called from inside an async runtime.
    pub fn run<F, Fut, T>(&self, call: F) -> Result<T, PersonaError>
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<T, PersonaError>>,
    {
        block_on(call(self.client.clone()))?
    }

    /// Runs one call of the async client to completion: what every generated method of
    /// [`BlockingClient::api`] does.
    pub(crate) fn wait<T>(
        &self,
        call: impl Future<Output = Result<T, PersonaError>>,
    ) -> Result<T, PersonaError> {
        block_on(call)?
    }
}

/// The pages of one list call, blocking: an iterator of pages, one request each. It ends after
/// the last page, or after the first error (which it yields).
#[derive(Debug)]
pub struct BlockingPages {
    pages: Pages,
    done: bool,
}

impl BlockingPages {
    pub(crate) fn new(pages: Pages) -> Self {
        Self { pages, done: false }
    }
}

impl Iterator for BlockingPages {
    type Item = Result<ApiResponse, PersonaError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let page = match block_on(self.pages.next()) {
            Ok(page) => page,
            Err(error) => Some(Err(error)),
        };
        self.done = !matches!(page, Some(Ok(_)));
        page
    }
}

fn block_on<Fut: Future>(future: Fut) -> Result<Fut::Output, PersonaError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(PersonaError::Configuration(
            "the blocking client was called from inside an async runtime; use the async Client"
                .into(),
        ));
    }
    Ok(crate::runtime::runtime()?.block_on(future))
}
