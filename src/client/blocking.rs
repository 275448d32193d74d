//! A blocking facade for callers without an async runtime (the C ABI, sync Python): every call
//! runs on the process-wide runtime.

use std::future::Future;

use super::{Client, Paginator};
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
    /// `blocking.run(|c| async move { c.inquiries().retrieve("inq_1").await })`.
    ///
    /// Refuses (rather than deadlocking or panicking) when called from inside an async runtime.
    pub fn run<F, Fut, T>(&self, call: F) -> Result<T, PersonaError>
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<T, PersonaError>>,
    {
        block_on(call(self.client.clone()))?
    }

    /// A blocking iterator over a paginated list.
    pub fn paginate<T>(&self, paginator: Paginator<T>) -> BlockingPaginator<T> {
        BlockingPaginator { inner: paginator }
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

/// Iterates a [`Paginator`] synchronously.
#[derive(Debug)]
pub struct BlockingPaginator<T> {
    inner: Paginator<T>,
}

impl<T> Iterator for BlockingPaginator<T> {
    type Item = Result<T, PersonaError>;

    fn next(&mut self) -> Option<Self::Item> {
        match block_on(self.inner.next()) {
            Ok(item) => item,
            Err(error) => Some(Err(error)),
        }
    }
}
