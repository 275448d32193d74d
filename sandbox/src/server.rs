//! The accept loop. Each connection is served by hyper; a handler may ask for the connection to
//! be dropped without an answer (fault injection), which hyper does when the service errors.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::routes::{self, Outcome};
use super::state::State;
use crate::SandboxError;

/// The error a handler returns to make hyper drop the connection without writing a response.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (fault injection)")
    }
}

impl std::error::Error for DropConnection {}

/// A running sandbox. Dropping it stops the server.
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    state: Arc<State>,
}

impl SandboxHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://HOST:PORT`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://HOST:PORT/api/v1`, the client's base URL.
    pub fn base_url(&self) -> String {
        format!("{}/api/v1", self.origin())
    }

    /// Number of inquiries stored (tests assert "exactly one per logical create").
    pub fn inquiry_count(&self) -> usize {
        self.state.store().inquiry_count()
    }

    /// The token `/_sandbox/*` requires, as `Authorization: Bearer <token>`.
    pub fn admin_token(&self) -> &persona::Secret {
        self.state.admin_token()
    }

    /// Stops accepting connections.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

pub(super) async fn serve(
    bind: Option<SocketAddr>,
    state: Arc<State>,
) -> Result<SandboxHandle, SandboxError> {
    let bind = bind.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|source| SandboxError::Bind { addr: bind, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| SandboxError::Bind { addr: bind, source })?;
    let (shutdown, mut stopped) = watch::channel(false);
    let accept_state = Arc::clone(&state);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stopped.changed() => break,
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let state = Arc::clone(&accept_state);
                    let mut conn_stopped = stopped.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |request| handle(Arc::clone(&state), request));
                        let conn = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service);
                        tokio::pin!(conn);
                        tokio::select! {
                            _ = conn.as_mut() => {}
                            _ = conn_stopped.changed() => conn.as_mut().graceful_shutdown(),
                        }
                    });
                }
            }
        }
    });
    Ok(SandboxHandle {
        addr,
        shutdown,
        state,
    })
}

async fn handle(
    state: Arc<State>,
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, DropConnection> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(DropConnection),
    };
    match routes::dispatch(&state, parts, body).await {
        Outcome::Reply(response) => Ok(response),
        Outcome::Drop => Err(DropConnection),
    }
}
