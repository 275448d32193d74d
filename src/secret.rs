//! A secret string that cannot leak by accident.
//!
//! API keys, `v1` secrets and webhook secrets all pass through [`Secret`]: it is wiped from memory
//! when dropped and prints as `[REDACTED]` through both `Debug` and `Display`, so a secret that ends
//! up in a log line, an error or a test snapshot shows nothing.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{InputField, PersonaError};

/// A secret value (API key, `v1` secret, webhook secret). Zeroized on drop; never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret. The value is used verbatim (no trimming or decoding).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret's text. Call only where the secret is *used* (an HMAC key, an HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The secret as HMAC key bytes (its UTF-8 encoding, verbatim).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// True when the secret is the empty string (which every scheme refuses).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Refuses what no scheme accepts as a key: an empty secret, and one with a NUL character.
    /// No Persona secret has a NUL; one that does is text that a C string cut short (or that
    /// carries junk after it) somewhere on its way, and it must fail rather than sign or verify
    /// as something else (`invalid_secret`).
    pub fn check(&self) -> Result<(), PersonaError> {
        let reason = if self.is_empty() {
            "must not be empty"
        } else if self.as_bytes().contains(&0) {
            "must not contain NUL characters"
        } else {
            return Ok(());
        };
        Err(PersonaError::InvalidInput {
            field: InputField::Secret,
            reason: reason.into(),
        })
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let secret = Secret::new("super-secret-value");
        assert_eq!(format!("{secret:?}"), "[REDACTED]");
        assert_eq!(format!("{secret}"), "[REDACTED]");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some([REDACTED])");
        assert_eq!(secret.expose(), "super-secret-value");
    }

    #[test]
    fn check_refuses_empty_and_nul() {
        assert!(Secret::new("s").check().is_ok());
        for bad in ["", "X\0tail", "\0"] {
            assert_eq!(
                Secret::new(bad).check().unwrap_err().code(),
                "invalid_secret"
            );
        }
    }

    #[test]
    fn zeroize_clears_the_value() {
        let mut secret = Secret::new("abc");
        secret.zeroize();
        assert!(secret.is_empty());
    }
}
