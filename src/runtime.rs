//! One lazily built, bounded tokio runtime per process, for callers without one (the blocking
//! client, the C ABI, sync Python).

use std::sync::OnceLock;

use crate::PersonaError;

static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

/// The process-wide runtime: two worker threads, built on first use.
pub fn runtime() -> Result<&'static tokio::runtime::Runtime, PersonaError> {
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime);
    }
    let built = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("persona-runtime")
        .enable_all()
        .build()
        .map_err(|err| {
            PersonaError::Configuration(format!("cannot start the async runtime: {err}"))
        })?;
    // If another thread won the race, ours is dropped here (outside any async context).
    let _ = RUNTIME.set(built);
    RUNTIME
        .get()
        .ok_or_else(|| PersonaError::Configuration("async runtime unavailable".into()))
}
