//! A blocking facade for callers without an async runtime (the C ABI, sync Python): every call
//! runs on the process-wide runtime.

use std::future::Future;

use super::Client;
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
