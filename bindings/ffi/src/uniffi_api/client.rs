//! Exported client objects: `Client` (async: asyncio, coroutines, Swift tasks) and
//! `BlockingClient` (sync, on the process-wide runtime). Both delegate to one set of operations.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::PersonaError;
use super::credentials::Credentials;
use super::records::{ApiResponse, ClientConfig, QueryParam, Reply};
use persona_core::PersonaError as CoreError;
use persona_core::client::{self as core, RequestOptions};
use persona_core::credentials::Environment;

/// A bad argument, as the core words it (`invalid_argument`, the code every surface uses).
fn invalid_argument(name: &'static str, reason: &'static str) -> PersonaError {
    CoreError::invalid_argument(name, reason).into()
}

fn build(credentials: &Credentials, config: ClientConfig) -> Result<core::Client, PersonaError> {
    crate::c::fork::watch(); // its Idempotency-Keys and nonces come from the per-thread CSPRNG
    let mut builder = core::Client::builder().credentials(credentials.core().clone());
    if let Some(base_url) = config.base_url {
        builder = builder.base_url(base_url);
    }
    if let Some(version) = config.persona_version {
        builder = builder.persona_version(version);
    }
    if let Some(environment) = config.expected_environment {
        builder = builder.expected_environment(Environment::parse(&environment)?);
    }
    if let Some(ms) = config.request_timeout_ms {
        builder = builder.request_timeout(Duration::from_millis(ms));
    }
    if let Some(ms) = config.total_timeout_ms {
        builder = builder.total_timeout(Duration::from_millis(ms));
    }
    if let Some(retries) = config.max_retries {
        builder = builder.max_retries(retries);
    }
    builder = builder.binding(config.binding.unwrap_or_else(|| "uniffi".into()));
    Ok(builder.build()?)
}

/// The operations both exported clients delegate to.
struct Ops(core::Client);

impl Ops {
    async fn call(&self, operation_id: String, call_json: String) -> Result<Reply, PersonaError> {
        let call = serde_json::from_str::<Value>(&call_json)
            .map_err(|_| invalid_argument("call", "must be a JSON object"))?;
        let call = core::Call::from_json(&call)?;
        Ok(match self.0.call_by_id(&operation_id, &call).await? {
            core::Reply::Json(response) => Reply {
                next_cursor: core::next_cursor(&response.body),
                previous_cursor: core::previous_cursor(&response.body),
                status: response.status,
                request_id: response.request_id,
                attempts: response.attempts,
                body_json: Some(response.body.to_string()),
                bytes: None,
                content_type: None,
            },
            core::Reply::Binary(binary) => Reply {
                status: binary.status,
                request_id: binary.request_id,
                attempts: binary.attempts,
                body_json: None,
                bytes: Some(binary.bytes),
                content_type: binary.content_type,
                next_cursor: None,
                previous_cursor: None,
            },
        })
    }
    async fn request(
        &self,
        method: String,
        path: String,
        query: Vec<QueryParam>,
        body_json: Option<String>,
        idempotency_key: Option<String>,
    ) -> Result<ApiResponse, PersonaError> {
        let method = core::Method::from_bytes(method.as_bytes())
            .map_err(|_| invalid_argument("method", "must be an HTTP method"))?;
        let query: Vec<(String, String)> = query.into_iter().map(|h| (h.name, h.value)).collect();
        let body = body_json
            .as_deref()
            .map(serde_json::from_str::<Value>)
            .transpose()
            .map_err(|_| invalid_argument("body", "must be JSON"))?;
        let options = RequestOptions {
            idempotency_key,
            ..RequestOptions::default()
        };
        let response = self
            .0
            .request(method, &path, &query, body.as_ref(), &options)
            .await?;
        Ok(ApiResponse {
            status: response.status,
            request_id: response.request_id,
            body_json: response.body.to_string(),
            attempts: response.attempts,
        })
    }
}

/// Both exported clients from one method list: each method is a one-line delegation to [`Ops`],
/// run on the core's one process-wide runtime — spawned there and awaited (`Client`: asyncio,
/// Kotlin coroutines, Swift async poll the join handle, which needs no runtime of its own), or
/// blocked on (`BlockingClient`: sync callers; the call releases Python's GIL). No second
/// runtime is ever started (UniFFI's `async_runtime = "tokio"` would add async-compat's).
macro_rules! exported_clients {
    ($( $(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        /// The async Persona client (asyncio / Kotlin coroutines / Swift async).
        #[derive(uniffi::Object)]
        pub struct Client(Arc<Ops>);

        /// The blocking Persona client; calls run on the process-wide runtime.
        #[derive(uniffi::Object)]
        pub struct BlockingClient(Ops);

        impl std::fmt::Debug for Client {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0 .0.fmt(f)
            }
        }

        impl std::fmt::Debug for BlockingClient {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0 .0.fmt(f)
            }
        }

        #[uniffi::export]
        impl Client {
            /// A client authenticating with `credentials`, configured by `config`.
            #[uniffi::constructor]
            pub fn new(
                credentials: Arc<Credentials>,
                config: ClientConfig,
            ) -> Result<Arc<Self>, PersonaError> {
                Ok(Arc::new(Self(Arc::new(Ops(build(&credentials, config)?)))))
            }
            $(
                $(#[$doc])*
                pub async fn $name(&self $(, $arg: $ty)*) -> Result<$ret, PersonaError> {
                    let ops = Arc::clone(&self.0);
                    spawn(async move { ops.$name($($arg),*).await }).await
                }
            )*
        }

        #[uniffi::export]
        impl BlockingClient {
            /// A client authenticating with `credentials`, configured by `config`.
            #[uniffi::constructor]
            pub fn new(
                credentials: Arc<Credentials>,
                config: ClientConfig,
            ) -> Result<Arc<Self>, PersonaError> {
                Ok(Arc::new(Self(Ops(build(&credentials, config)?))))
            }
            $(
                $(#[$doc])*
                pub fn $name(&self $(, $arg: $ty)*) -> Result<$ret, PersonaError> {
                    block(self.0.$name($($arg),*))
                }
            )*
        }
    };
}

fn block<T>(
    future: impl std::future::Future<Output = Result<T, PersonaError>>,
) -> Result<T, PersonaError> {
    persona_core::runtime::runtime()?.block_on(future)
}

/// Runs `future` on the process-wide runtime; the returned future only waits for it.
async fn spawn<T: Send + 'static>(
    future: impl std::future::Future<Output = Result<T, PersonaError>> + Send + 'static,
) -> Result<T, PersonaError> {
    let handle = persona_core::runtime::runtime()?.spawn(future);
    handle.await.map_err(|err| {
        PersonaError::internal(if err.is_panic() {
            crate::PANIC_MESSAGE
        } else {
            "the call was cancelled"
        })
    })?
}

exported_clients! {
    /// Any operation of Persona's API by its `operationId`, with the call's arguments as JSON
    /// (`{"path": {...}, "include": [...], "fields": {...}, "filter": {...}, "page": {...},
    /// "body": ..., "form": [...], "idempotency_key": ..., "persona_version": ...}`), checked
    /// against what the operation declares.
    fn call(&self, operation_id: String, call_json: String) -> Reply;
    /// The raw escape hatch (`query` as name/value pairs).
    fn request(
        &self,
        method: String,
        path: String,
        query: Vec<QueryParam>,
        body_json: Option<String>,
        idempotency_key: Option<String>
    ) -> ApiResponse;
}
