//! Credentials: Persona's bearer API key, or a key id + secret pair for the `v1` scheme.
//!
//! The environment (sandbox or production) is inferred from a `persona_sandbox_` /
//! `persona_production_` prefix when the key (or key id) has one, or set explicitly. The prefix is a
//! *heuristic*: Persona does not promise it, so an unprefixed key simply has no known environment.
//! [`Credentials::check_environment`] refuses credentials known to be for the other environment, so
//! a production key in a development configuration fails loudly instead of touching real data.

use std::fmt;

use crate::error::PersonaError;
use crate::fields::check_key_id;
use crate::secret::Secret;

/// Which Persona environment credentials belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    /// Test data; safe to experiment with.
    Sandbox,
    /// Real identity data.
    Production,
}

impl Environment {
    /// Infers the environment from a `persona_sandbox_` / `persona_production_` prefix.
    pub fn from_key_prefix(key: &str) -> Option<Self> {
        if key.starts_with("persona_sandbox_") {
            Some(Self::Sandbox)
        } else if key.starts_with("persona_production_") {
            Some(Self::Production)
        } else {
            None
        }
    }

    /// Parses `sandbox` or `production` (case-insensitive).
    pub fn parse(text: &str) -> Result<Self, PersonaError> {
        match text.to_ascii_lowercase().as_str() {
            "sandbox" => Ok(Self::Sandbox),
            "production" => Ok(Self::Production),
            _ => Err(PersonaError::Configuration(
                "environment must be `sandbox` or `production`".into(),
            )),
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sandbox => "sandbox",
            Self::Production => "production",
        })
    }
}

/// A Persona API key, sent as `Authorization: Bearer <key>`.
#[derive(Clone)]
pub struct ApiKey {
    key: Secret,
    environment: Option<Environment>,
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("key", &self.key)
            .field("environment", &self.environment)
            .finish()
    }
}

impl ApiKey {
    /// Wraps a non-empty API key; the environment is inferred from its prefix.
    pub fn new(key: impl Into<Secret>) -> Result<Self, PersonaError> {
        let key = key.into();
        if key.is_empty() {
            return Err(PersonaError::Configuration("the API key is empty".into()));
        }
        let environment = Environment::from_key_prefix(key.expose());
        Ok(Self { key, environment })
    }

    /// Overrides the inferred environment.
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// The key (use it only to build the `Authorization` header).
    pub fn secret(&self) -> &Secret {
        &self.key
    }

    /// The known environment, if any.
    pub fn environment(&self) -> Option<Environment> {
        self.environment
    }
}

/// A key id + secret for the `v1` request-signing scheme.
#[derive(Clone)]
pub struct KeyPair {
    key_id: String,
    secret: Secret,
    environment: Option<Environment>,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("key_id", &self.key_id)
            .field("secret", &self.secret)
            .field("environment", &self.environment)
            .finish()
    }
}

impl KeyPair {
    /// A key pair; the key id must be 1–128 chars of `[A-Za-z0-9._~-]`, the secret non-empty.
    /// The environment is inferred from the key id's prefix.
    pub fn new(key_id: impl Into<String>, secret: impl Into<Secret>) -> Result<Self, PersonaError> {
        let key_id = key_id.into();
        check_key_id(&key_id)?;
        let secret = secret.into();
        secret.check()?;
        let environment = Environment::from_key_prefix(&key_id);
        Ok(Self {
            key_id,
            secret,
            environment,
        })
    }

    /// Overrides the inferred environment.
    pub fn with_environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// The key id (not secret).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The secret.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The known environment, if any.
    pub fn environment(&self) -> Option<Environment> {
        self.environment
    }
}

/// Either kind of credentials.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Persona's bearer API key.
    ApiKey(ApiKey),
    /// A `v1` key pair.
    KeyPair(KeyPair),
}

/// Environment variable holding a bearer API key.
pub const ENV_API_KEY: &str = "PERSONA_API_KEY";
/// Environment variable holding a `v1` key id.
pub const ENV_API_KEY_ID: &str = "PERSONA_API_KEY_ID";
/// Environment variable holding a `v1` secret.
pub const ENV_API_KEY_SECRET: &str = "PERSONA_API_KEY_SECRET";
/// Optional environment variable naming the environment explicitly (`sandbox` / `production`).
pub const ENV_ENVIRONMENT: &str = "PERSONA_ENVIRONMENT";

impl Credentials {
    /// Loads `PERSONA_API_KEY`, or `PERSONA_API_KEY_ID` + `PERSONA_API_KEY_SECRET`, and an optional
    /// `PERSONA_ENVIRONMENT`. Setting both kinds, half a pair, or an empty value is an error.
    pub fn from_env() -> Result<Self, PersonaError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// As [`from_env`](Self::from_env), reading variables through `lookup` (for tests and hosts
    /// that keep configuration elsewhere).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, PersonaError> {
        let read = |name: &str| -> Result<Option<String>, PersonaError> {
            match lookup(name) {
                Some(value) if value.is_empty() => Err(PersonaError::Configuration(format!(
                    "environment variable {name} is set but empty"
                ))),
                other => Ok(other),
            }
        };
        let api_key = read(ENV_API_KEY)?;
        let key_id = read(ENV_API_KEY_ID)?;
        let secret = read(ENV_API_KEY_SECRET)?;
        let mut credentials = match (api_key, key_id, secret) {
            (Some(key), None, None) => Self::ApiKey(ApiKey::new(key)?),
            (None, Some(key_id), Some(secret)) => Self::KeyPair(KeyPair::new(key_id, secret)?),
            (None, None, None) => {
                return Err(PersonaError::Configuration(format!(
                    "no credentials: set {ENV_API_KEY}, or {ENV_API_KEY_ID} and {ENV_API_KEY_SECRET}"
                )));
            }
            (Some(_), _, _) => {
                return Err(PersonaError::Configuration(format!(
                    "set either {ENV_API_KEY} or {ENV_API_KEY_ID} + {ENV_API_KEY_SECRET}, not both"
                )));
            }
            (None, Some(_), None) => {
                return Err(PersonaError::Configuration(format!(
                    "{ENV_API_KEY_ID} is set but {ENV_API_KEY_SECRET} is not"
                )));
            }
            (None, None, Some(_)) => {
                return Err(PersonaError::Configuration(format!(
                    "{ENV_API_KEY_SECRET} is set but {ENV_API_KEY_ID} is not"
                )));
            }
        };
        if let Some(environment) = read(ENV_ENVIRONMENT)? {
            credentials = credentials.with_environment(Environment::parse(&environment)?);
        }
        Ok(credentials)
    }

    /// Overrides the inferred environment.
    pub fn with_environment(self, environment: Environment) -> Self {
        match self {
            Self::ApiKey(key) => Self::ApiKey(key.with_environment(environment)),
            Self::KeyPair(pair) => Self::KeyPair(pair.with_environment(environment)),
        }
    }

    /// The known environment, if any.
    pub fn environment(&self) -> Option<Environment> {
        match self {
            Self::ApiKey(key) => key.environment(),
            Self::KeyPair(pair) => pair.environment(),
        }
    }

    /// Refuses credentials known to belong to another environment than `expected`.
    /// Credentials with no known environment pass (the prefix is only a heuristic).
    pub fn check_environment(&self, expected: Environment) -> Result<(), PersonaError> {
        match self.environment() {
            Some(actual) if actual != expected => Err(PersonaError::Configuration(format!(
                "credentials are for {actual}, but {expected} was expected"
            ))),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Credentials, PersonaError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Credentials::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn loads_each_kind() {
        let c = load(&[("PERSONA_API_KEY", "persona_sandbox_abc")]).unwrap();
        assert_eq!(c.environment(), Some(Environment::Sandbox));
        let c = load(&[
            ("PERSONA_API_KEY_ID", "kid"),
            ("PERSONA_API_KEY_SECRET", "s"),
        ])
        .unwrap();
        assert!(matches!(c, Credentials::KeyPair(_)));
        assert_eq!(c.environment(), None);
    }

    #[test]
    fn refuses_bad_configuration() {
        assert!(load(&[]).is_err());
        assert!(load(&[("PERSONA_API_KEY", "")]).is_err());
        assert!(load(&[("PERSONA_API_KEY_ID", "kid")]).is_err());
        assert!(load(&[("PERSONA_API_KEY_SECRET", "s")]).is_err());
        assert!(load(&[("PERSONA_API_KEY", "k"), ("PERSONA_API_KEY_ID", "kid")]).is_err());
        assert!(load(&[("PERSONA_API_KEY", "k"), ("PERSONA_ENVIRONMENT", "staging")]).is_err());
    }

    #[test]
    fn environment_mismatch_fails_loudly() {
        let prod = load(&[("PERSONA_API_KEY", "persona_production_xyz")]).unwrap();
        let err = prod.check_environment(Environment::Sandbox).unwrap_err();
        assert!(err.to_string().contains("production"));
        assert!(!err.to_string().contains("xyz"));
        assert!(prod.check_environment(Environment::Production).is_ok());
        let explicit = load(&[
            ("PERSONA_API_KEY", "plain"),
            ("PERSONA_ENVIRONMENT", "Production"),
        ])
        .unwrap();
        assert!(explicit.check_environment(Environment::Sandbox).is_err());
    }

    #[test]
    fn debug_redacts() {
        let c = load(&[("PERSONA_API_KEY", "persona_sandbox_SECRETVALUE")]).unwrap();
        assert!(!format!("{c:?}").contains("SECRETVALUE"));
    }
}
