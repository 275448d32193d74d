//! The `v1` request signer: turns (method, URL, body) into the four headers to add.
//!
//! It touches no HTTP library, so it works behind any transport: add the returned headers to the
//! request you send, byte for byte, and send the body you signed.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::canonical::{CanonicalParts, RequestTarget, body_sha256_hex, canonical_query};
use crate::credentials::KeyPair;
use crate::error::{InputField, PersonaError};
use crate::fields::{canonical_method, check_key_id, check_nonce, generate_nonce};
use crate::mac::MacKey;
use crate::secret::Secret;

/// Header carrying `Bearer <key id>`.
pub const AUTHORIZATION: &str = "Authorization";
/// Header carrying the signing time (unix seconds).
pub const PERSONA_TIMESTAMP: &str = "Persona-Timestamp";
/// Header carrying the nonce.
pub const PERSONA_NONCE: &str = "Persona-Nonce";
/// Header carrying `v1,<base64 signature>`.
pub const PERSONA_SIGNATURE: &str = "Persona-Signature";

/// Signs requests with one key id + secret. Cheap to share across threads (`Send + Sync`).
#[derive(Clone)]
pub struct RequestSigner {
    key_id: String,
    key: MacKey,
}

impl std::fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestSigner")
            .field("key_id", &self.key_id)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

/// The result of signing: the four headers, plus the canonical request for debugging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    headers: [(&'static str, String); 4],
    canonical_request: String,
    body_sha256: String,
}

impl SignedRequest {
    /// The headers to add, in order: Authorization, Persona-Timestamp, Persona-Nonce,
    /// Persona-Signature.
    pub fn headers(&self) -> &[(&'static str, String); 4] {
        &self.headers
    }

    /// The value of one of the four headers (exact name match).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The exact string that was MACed (eight lines joined by `\n`).
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// Lowercase hex SHA-256 of the body (line 8 of the canonical request).
    pub fn body_sha256(&self) -> &str {
        &self.body_sha256
    }

    /// The base64 signature (the `Persona-Signature` value without its `v1,` prefix).
    pub fn signature(&self) -> &str {
        self.headers[3].1.trim_start_matches("v1,")
    }
}

impl RequestSigner {
    /// A signer for `key_id` (1–128 chars of `[A-Za-z0-9._~-]`) and a non-empty secret.
    pub fn new(key_id: impl Into<String>, secret: impl Into<Secret>) -> Result<Self, PersonaError> {
        let key_id = key_id.into();
        check_key_id(&key_id)?;
        let key = MacKey::new(&secret.into())?;
        Ok(Self { key_id, key })
    }

    /// A signer from a [`KeyPair`].
    pub fn from_key_pair(pair: &KeyPair) -> Result<Self, PersonaError> {
        Self::new(pair.key_id(), pair.secret().clone())
    }

    /// The key id this signer puts in `Authorization`.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Signs with the current time and a fresh random nonce.
    pub fn sign(
        &self,
        method: &str,
        url: &str,
        body: &[u8],
    ) -> Result<SignedRequest, PersonaError> {
        self.sign_with(method, url, body, None, None)
    }

    /// Signs with an explicit timestamp (unix seconds, ≥ 0) and/or nonce; `None` means now / random.
    pub fn sign_with(
        &self,
        method: &str,
        url: &str,
        body: &[u8],
        timestamp: Option<i64>,
        nonce: Option<&str>,
    ) -> Result<SignedRequest, PersonaError> {
        let method = canonical_method(method)?;
        let target = RequestTarget::parse(url)?;
        let timestamp = match timestamp {
            Some(t) if t < 0 => {
                return Err(PersonaError::invalid(
                    InputField::Timestamp,
                    "must not be negative",
                ));
            }
            Some(t) => t,
            None => crate::clock::unix_now(),
        };
        let nonce = match nonce {
            Some(nonce) => {
                check_nonce(nonce)?;
                nonce.to_owned()
            }
            None => generate_nonce()?,
        };
        let timestamp = timestamp.to_string();
        let query = canonical_query(&target.query);
        let body_sha256 = body_sha256_hex(body);
        let canonical_request = CanonicalParts {
            key_id: &self.key_id,
            timestamp: &timestamp,
            nonce: &nonce,
            method: &method,
            path: &target.path,
            query: &query,
            body_sha256: &body_sha256,
        }
        .to_canonical_request();
        let mac = self.key.mac(&[canonical_request.as_bytes()]);
        let mut signature = String::with_capacity(47);
        signature.push_str("v1,");
        STANDARD.encode_string(mac, &mut signature);
        Ok(SignedRequest {
            headers: [
                (AUTHORIZATION, format!("Bearer {}", self.key_id)),
                (PERSONA_TIMESTAMP, timestamp),
                (PERSONA_NONCE, nonce),
                (PERSONA_SIGNATURE, signature),
            ],
            canonical_request,
            body_sha256,
        })
    }
}

/// Base64 of the `v1` MAC over a canonical request: the 44-char value a `v1` entry must equal.
pub(crate) fn expected_signature(key: &MacKey, canonical_request: &str) -> [u8; 44] {
    let mac = key.mac(&[canonical_request.as_bytes()]);
    let mut out = [0u8; 44];
    // 32 bytes always encode to exactly 44 padded base64 characters.
    let _ = STANDARD.encode_slice(mac, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> RequestSigner {
        RequestSigner::new("kid_test", "secret").unwrap()
    }

    #[test]
    fn signs_with_fixed_inputs() {
        let signed = signer()
            .sign_with(
                "post",
                "https://api.example.com/api/v1/inquiries?b=2&a=1#frag",
                b"{}",
                Some(1_700_000_000),
                Some("nonce-123"),
            )
            .unwrap();
        assert_eq!(
            signed.canonical_request(),
            "v1\nkid_test\n1700000000\nnonce-123\nPOST\n/api/v1/inquiries\na=1&b=2\n\
             44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(signed.header("Authorization"), Some("Bearer kid_test"));
        assert_eq!(signed.signature().len(), 44);
        let expected = expected_signature(&signer().key, signed.canonical_request());
        assert_eq!(signed.signature().as_bytes(), expected);
    }

    #[test]
    fn refuses_bad_inputs() {
        let code = |r: Result<SignedRequest, PersonaError>| r.unwrap_err().code();
        let s = signer();
        assert_eq!(
            code(s.sign_with("GET", "ftp://x/", b"", Some(1), None)),
            "invalid_url"
        );
        assert_eq!(
            code(s.sign_with("", "https://x/", b"", Some(1), None)),
            "invalid_method"
        );
        assert_eq!(
            code(s.sign_with("GET", "https://x/", b"", Some(-1), None)),
            "invalid_timestamp"
        );
        assert_eq!(
            code(s.sign_with("GET", "https://x/", b"", Some(1), Some("short"))),
            "invalid_nonce"
        );
        assert_eq!(
            RequestSigner::new("bad id", "s").unwrap_err().code(),
            "invalid_key_id"
        );
        assert_eq!(
            RequestSigner::new("kid", "").unwrap_err().code(),
            "invalid_secret"
        );
    }

    #[test]
    fn debug_redacts_the_secret() {
        let text = format!("{:?}", RequestSigner::new("kid", "hunter2-secret").unwrap());
        assert!(!text.contains("hunter2"));
        assert!(text.contains("[REDACTED]"));
    }
}
