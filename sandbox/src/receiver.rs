//! A local webhook receiver: verifies each delivery with [`WebhookVerifier`] and reports it.
//! The demo uses it, and so do the delivery tests (it can refuse the first N deliveries to
//! exercise the sender's retries).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use persona::{WebhookEvent, WebhookVerifier};

use crate::SandboxError;

/// One delivery as received.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The verified event, or why verification failed (a code such as `no_matching_signature`).
    pub event: Result<WebhookEvent, String>,
    /// `Persona-Webhook-Attempts-Made`.
    pub attempt: Option<u32>,
    /// `Persona-Webhook-Attempts-Left`.
    pub attempts_left: Option<u32>,
    /// `Persona-Webhook-First-Attempted-At` (unix seconds).
    pub first_attempted_at: Option<i64>,
    /// Status the receiver answered.
    pub answered: u16,
}

/// A running receiver; dropping it stops it.
#[derive(Debug)]
pub struct WebhookReceiver {
    addr: SocketAddr,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    shutdown: watch::Sender<bool>,
}

impl WebhookReceiver {
    /// Listens on an ephemeral loopback port; answers 500 to the first `fail_first` deliveries.
    pub async fn start(verifier: WebhookVerifier, fail_first: u32) -> Result<Self, SandboxError> {
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let bind_error = |source| SandboxError::Bind {
            addr: loopback,
            source,
        };
        let listener = TcpListener::bind(loopback).await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let (sender, deliveries) = mpsc::unbounded_channel();
        let (shutdown, mut stopped) = watch::channel(false);
        let verifier = Arc::new(verifier);
        let failures_left = Arc::new(AtomicU32::new(fail_first));
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = stopped.changed() => break,
                    accepted = listener.accept() => accepted,
                };
                let Ok((stream, _)) = accepted else { continue };
                let (verifier, sender, failures_left) = (
                    Arc::clone(&verifier),
                    sender.clone(),
                    Arc::clone(&failures_left),
                );
                tokio::spawn(async move {
                    let service =
                        service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                            let (verifier, sender, failures_left) = (
                                Arc::clone(&verifier),
                                sender.clone(),
                                Arc::clone(&failures_left),
                            );
                            async move {
                                let header = request
                                    .headers()
                                    .get("persona-signature")
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or("")
                                    .to_owned();
                                let number = |name: &str| {
                                    request
                                        .headers()
                                        .get(name)
                                        .and_then(|v| v.to_str().ok())
                                        .and_then(|v| v.parse::<i64>().ok())
                                };
                                let attempt = number("persona-webhook-attempts-made")
                                    .and_then(|n| u32::try_from(n).ok());
                                let attempts_left = number("persona-webhook-attempts-left")
                                    .and_then(|n| u32::try_from(n).ok());
                                let first_attempted_at =
                                    number("persona-webhook-first-attempted-at");
                                let body = request
                                    .into_body()
                                    .collect()
                                    .await
                                    .map(|b| b.to_bytes())
                                    .unwrap_or_default();
                                // Verify the raw bytes exactly as received.
                                let event = verifier
                                    .verify_event(&header, &body)
                                    .map_err(|e| e.code().to_owned());
                                let fail = failures_left
                                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                                        n.checked_sub(1)
                                    })
                                    .is_ok();
                                let answered = if event.is_err() {
                                    400
                                } else if fail {
                                    500
                                } else {
                                    200
                                };
                                let _ = sender.send(Delivery {
                                    event,
                                    attempt,
                                    attempts_left,
                                    first_attempted_at,
                                    answered,
                                });
                                let mut response = hyper::Response::new(Full::new(Bytes::new()));
                                *response.status_mut() = hyper::StatusCode::from_u16(answered)
                                    .unwrap_or(hyper::StatusCode::OK);
                                Ok::<_, std::convert::Infallible>(response)
                            }
                        });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            addr,
            deliveries,
            shutdown,
        })
    }

    /// `http://127.0.0.1:PORT/webhooks`.
    pub fn url(&self) -> String {
        format!("http://{}/webhooks", self.addr)
    }

    /// The next delivery, or `None` after `timeout`.
    pub async fn next(&mut self, timeout: std::time::Duration) -> Option<Delivery> {
        tokio::time::timeout(timeout, self.deliveries.recv())
            .await
            .ok()
            .flatten()
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
