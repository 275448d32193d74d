//! [`ClientBuilder`]: credentials, base URL (HTTPS, or plain HTTP only on loopback), version,
//! timeouts, retries, User-Agent and proxy.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::retry::RetryPolicy;
use super::{Auth, Client, DEFAULT_BASE_URL, DEFAULT_PERSONA_VERSION, Inner, PERSONA_VERSION_NONE};
use crate::credentials::{Credentials, Environment};
use crate::error::PersonaError;

/// Builds a [`Client`]. Defaults: the production base URL, connect timeout 10 s, 30 s per attempt,
/// 60 s in total across retries, 3 retries.
#[derive(Clone)]
pub struct ClientBuilder {
    credentials: Option<Credentials>,
    expected_environment: Option<Environment>,
    base_url: String,
    persona_version: String,
    connect_timeout: Duration,
    request_timeout: Duration,
    total_timeout: Duration,
    retry: RetryPolicy,
    binding: String,
    proxy: Option<String>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            credentials: None,
            expected_environment: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            persona_version: DEFAULT_PERSONA_VERSION.to_owned(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            binding: "rust".to_owned(),
            proxy: None,
        }
    }
}

impl std::fmt::Debug for ClientBuilder {
    /// No secret: credentials redact themselves, and a proxy URL (which can carry a password)
    /// shows only whether one is set.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("credentials", &self.credentials)
            .field("base_url", &self.base_url)
            .field("persona_version", &self.persona_version)
            .field("retry", &self.retry)
            .field("proxy", &self.proxy.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

/// Loopback hosts may use plain HTTP (the sandbox); everything else must use HTTPS.
fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

fn check_base_url(base_url: &str) -> Result<String, PersonaError> {
    let url = url::Url::parse(base_url)
        .map_err(|_| PersonaError::Configuration("base URL is not a valid URL".into()))?;
    let host = url
        .host()
        .ok_or_else(|| PersonaError::Configuration("base URL has no host".into()))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(PersonaError::Configuration(
                "base URL must use https (plain http is allowed only for loopback hosts)".into(),
            ));
        }
        _ => return Err(PersonaError::Configuration("base URL must be https".into())),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(PersonaError::Configuration(
            "base URL must not carry a query, fragment or user info".into(),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

pub(crate) fn tls_config() -> Result<rustls::ClientConfig, PersonaError> {
    use rustls_platform_verifier::BuilderVerifierExt;
    // ring as the provider, passed explicitly: installing a process-wide default from a library
    // would fight with the host application's choice.
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|err| PersonaError::Configuration(format!("TLS setup failed: {err}")))?
        .with_platform_verifier()
        .map(|builder| builder.with_no_client_auth())
        .map_err(|err| PersonaError::Configuration(format!("TLS trust store unavailable: {err}")))
}

impl ClientBuilder {
    /// Uses these credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Loads credentials from `PERSONA_API_KEY`, or `PERSONA_API_KEY_ID` + `PERSONA_API_KEY_SECRET`.
    pub fn credentials_from_env(mut self) -> Result<Self, PersonaError> {
        self.credentials = Some(Credentials::from_env()?);
        Ok(self)
    }

    /// Refuses credentials known to belong to another environment (e.g. a production key in a
    /// development configuration).
    pub fn expected_environment(mut self, environment: Environment) -> Self {
        self.expected_environment = Some(environment);
        self
    }

    /// The API base URL (default `https://api.withpersona.com/api/v1`). Must be HTTPS, except on
    /// loopback (`http://127.0.0.1:PORT/api/v1` for the sandbox).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The `Persona-Version` header (default [`DEFAULT_PERSONA_VERSION`], the version the
    /// operation table was generated for), or [`PERSONA_VERSION_NONE`] to send none: the API
    /// key's version, as set in Persona's dashboard, then applies. That follows the dashboard (an
    /// upgrade there changes what this client receives, without a code change), where a pinned
    /// version keeps responses in the shape this library's types were generated for. Every
    /// language passes this setting through unchanged.
    pub fn persona_version(mut self, version: impl Into<String>) -> Self {
        self.persona_version = version.into();
        self
    }

    /// Time allowed to establish a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt (request sent, response read).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Deadline for a call across all its attempts and waits.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// Retries after the first attempt (default 3; 0 disables retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// Backoff base and cap (full jitter between 0 and `min(cap, base × 2^n)`).
    pub fn retry_backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.retry.base_delay = base;
        self.retry.max_delay = cap;
        self
    }

    /// The binding named in the User-Agent (`libpersona/<version> (<binding>)`).
    pub fn binding(mut self, binding: impl Into<String>) -> Self {
        self.binding = binding.into();
        self
    }

    /// Routes requests through an HTTP(S) proxy.
    pub fn proxy(mut self, proxy_url: impl Into<String>) -> Self {
        self.proxy = Some(proxy_url.into());
        self
    }

    /// Validates the configuration and builds the client.
    pub fn build(self) -> Result<Client, PersonaError> {
        let credentials = self.credentials.ok_or_else(|| {
            PersonaError::Configuration(
                "no credentials: call credentials() or credentials_from_env()".into(),
            )
        })?;
        if let Some(expected) = self.expected_environment {
            credentials.check_environment(expected)?;
        }
        let base_url = check_base_url(&self.base_url)?;
        let persona_version = if self.persona_version == PERSONA_VERSION_NONE {
            None
        } else {
            Some(self.persona_version)
        };
        if persona_version
            .as_ref()
            .is_some_and(|v| v.is_empty() || !v.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(PersonaError::Configuration(
                "Persona-Version must be a plain token".into(),
            ));
        }
        let mut http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .connect_timeout(self.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none());
        if let Some(proxy) = &self.proxy {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|_| PersonaError::Configuration("proxy URL is invalid".into()))?;
            http = http.proxy(proxy);
        } else {
            // Explicit configuration only: a stray HTTP_PROXY must not silently reroute traffic
            // that carries identity data.
            http = http.no_proxy();
        }
        let http = http.build().map_err(|err| {
            PersonaError::Configuration(format!("HTTP client setup failed: {err}"))
        })?;
        let base = url::Url::parse(&base_url)
            .map_err(|_| PersonaError::Configuration("base URL is not a valid URL".into()))?;
        let user_agent = format!("libpersona/{} ({})", crate::VERSION, self.binding);
        let user_agent = reqwest::header::HeaderValue::from_str(&user_agent).map_err(|_| {
            PersonaError::Configuration("binding name is not a header value".into())
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                base_url,
                persona_version,
                user_agent,
                auth: RwLock::new(Arc::new(Auth::from_credentials(&credentials)?)),
                retry: self.retry,
                request_timeout: self.request_timeout,
                total_timeout: self.total_timeout,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_credential_or_proxy_password() {
        let builder = ClientBuilder::default()
            .credentials(Credentials::ApiKey(
                crate::ApiKey::new("persona_sandbox_SECRETKEY").unwrap(),
            ))
            .proxy("http://user:PROXYPASSWORD@proxy.example:3128");
        let text = format!("{builder:?}");
        assert!(
            !text.contains("SECRETKEY") && !text.contains("PROXYPASSWORD"),
            "{text}"
        );
    }

    #[test]
    fn base_url_must_be_https_except_loopback() {
        assert!(check_base_url("https://api.withpersona.com/api/v1/").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080/api/v1").is_ok());
        assert!(check_base_url("http://localhost:1/api/v1").is_ok());
        assert!(check_base_url("http://[::1]:1/api/v1").is_ok());
        for bad in [
            "http://api.withpersona.com/api/v1",
            "ftp://x/",
            "https://x/?a=1",
            "not a url",
            "http://10.0.0.1/",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_base_url("https://h/api/v1/").unwrap(),
            "https://h/api/v1"
        );
    }
}
