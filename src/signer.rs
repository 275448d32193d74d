//! The `v1` request signer: turns (method, URL, body) into the four headers to add.
//!
//! It touches no HTTP library, so it works behind any transport: add the returned headers to the
//! request you send, byte for byte, and send the body you signed.

use std::ops::Range;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::canonical::{CanonicalParts, RequestTarget};
use crate::credentials::KeyPair;
use crate::error::{InputField, PersonaError};
use crate::fields::{check_key_id, check_method, check_nonce, generate_nonce};
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
///
/// Everything lives in one buffer (the canonical request already contains the timestamp and nonce
/// lines), so signing allocates once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    text: String,
    canonical_end: usize,
    timestamp: Range<usize>,
    nonce: Range<usize>,
    authorization: Range<usize>,
    signature: Range<usize>,
}

impl SignedRequest {
    fn slice(&self, range: &Range<usize>) -> &str {
        self.text.get(range.clone()).unwrap_or_default()
    }

    /// The headers to add, in order: Authorization, Persona-Timestamp, Persona-Nonce,
    /// Persona-Signature.
    pub fn headers(&self) -> [(&'static str, &str); 4] {
        [
            (AUTHORIZATION, self.slice(&self.authorization)),
            (PERSONA_TIMESTAMP, self.slice(&self.timestamp)),
            (PERSONA_NONCE, self.slice(&self.nonce)),
            (PERSONA_SIGNATURE, self.slice(&self.signature)),
        ]
    }

    /// The value of one of the four headers (exact name match).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// The exact string that was MACed (eight lines joined by `\n`).
    pub fn canonical_request(&self) -> &str {
        self.slice(&(0..self.canonical_end))
    }

    /// Lowercase hex SHA-256 of the body (line 8 of the canonical request).
    pub fn body_sha256(&self) -> &str {
        self.slice(&(self.canonical_end.saturating_sub(64)..self.canonical_end))
    }

    /// The base64 signature (the `Persona-Signature` value without its `v1,` prefix).
    pub fn signature(&self) -> &str {
        self.slice(&(self.signature.start + 3..self.signature.end))
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
        check_method(method)?;
        let target = RequestTarget::parse(url)?;
        let timestamp = match timestamp {
            Some(t) => u64::try_from(t).map_err(|_| {
                PersonaError::invalid(InputField::Timestamp, "must not be negative")
            })?,
            // Before 1970 only on a broken clock; sign as 0 rather than fail.
            None => u64::try_from(crate::clock::unix_now()).unwrap_or(0),
        };
        let generated;
        let nonce = match nonce {
            Some(nonce) => {
                check_nonce(nonce)?;
                nonce
            }
            None => {
                generated = generate_nonce()?;
                generated.as_str()
            }
        };
        // `itoa` formats without a UTF-8 pass over its digits: this runs on every signature.
        let mut timestamp_buf = itoa::Buffer::new();
        let timestamp = timestamp_buf.format(timestamp);
        let parts = CanonicalParts {
            key_id: &self.key_id,
            timestamp,
            nonce,
            method,
            path: &target.path,
            raw_query: &target.query,
            body,
        };
        let mut text = String::with_capacity(parts.capacity_hint() + self.key_id.len() + 56);
        parts.write_to(&mut text);
        let canonical_end = text.len();
        let mac = self.key.mac(&[text.as_bytes()]);
        // Lines 3 and 4 of the canonical request are the timestamp and nonce header values.
        let timestamp_start = "v1\n".len() + self.key_id.len() + 1;
        let nonce_start = timestamp_start + timestamp.len() + 1;
        let authorization_start = text.len();
        text.push_str("Bearer ");
        text.push_str(&self.key_id);
        let signature_start = text.len();
        text.push_str("v1,");
        // Base64 is ASCII, so the check never fails.
        text.push_str(std::str::from_utf8(&signature_base64(&mac)).unwrap_or_default());
        Ok(SignedRequest {
            canonical_end,
            timestamp: timestamp_start..timestamp_start + timestamp.len(),
            nonce: nonce_start..nonce_start + nonce.len(),
            authorization: authorization_start..signature_start,
            signature: signature_start..text.len(),
            text,
        })
    }
}

/// Base64 of the `v1` MAC over a canonical request: the 44-char value a `v1` entry must equal.
pub(crate) fn expected_signature(key: &MacKey, canonical_request: &str) -> [u8; 44] {
    signature_base64(&key.mac(&[canonical_request.as_bytes()]))
}

/// Standard padded base64 of a MAC: always exactly 44 ASCII characters.
fn signature_base64(mac: &[u8; 32]) -> [u8; 44] {
    let mut out = [0u8; 44];
    let _ = STANDARD.encode_slice(mac, &mut out[..]);
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
    fn timestamps_are_plain_decimal_across_the_range() {
        for (timestamp, text) in [
            (0, "0"),
            (9, "9"),
            (10, "10"),
            (1_700_000_000, "1700000000"),
            (i64::MAX, "9223372036854775807"),
        ] {
            let signed = signer()
                .sign_with("GET", "https://x/", b"", Some(timestamp), Some("nonce-123"))
                .unwrap();
            assert_eq!(signed.header("Persona-Timestamp"), Some(text));
            assert!(signed.canonical_request().contains(&format!("\n{text}\n")));
        }
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
