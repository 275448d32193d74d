//! The `v1` request verifier, for servers and proxies that receive signed requests.
//!
//! Checks run in a fixed order and the first failure is reported (see `docs/SIGNING.md`):
//! missing header → malformed header → unknown key → signature mismatch → timestamp outside
//! tolerance → replayed nonce. A nonce is recorded only once everything else has passed, so
//! a forged or stale request can never use up a legitimate client's nonce.

use std::collections::HashMap;

use crate::canonical::{CanonicalParts, RequestTarget};
use crate::clock::{skew, unix_now, within_tolerance};
use crate::error::{PersonaError, RequestRejection};
use crate::fields::{
    check_key_id, check_method, is_valid_key_id, is_valid_nonce, parse_timestamp, space_separated,
    trim_space_or_tab,
};
use crate::mac::{MacKey, constant_time_eq};
use crate::replay::ReplayCache;
use crate::secret::Secret;
use crate::signer::expected_signature;

/// Default tolerance between the request's timestamp and the verifier's clock.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

const HEADER_NAMES: [&str; 4] = [
    "authorization",
    "persona-timestamp",
    "persona-nonce",
    "persona-signature",
];

/// What a successful verification proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRequest {
    /// The authenticated key id.
    pub key_id: String,
    /// The request's timestamp (unix seconds).
    pub timestamp: i64,
    /// The request's nonce.
    pub nonce: String,
}

/// Verifies `v1`-signed requests. `Send + Sync`: share one per process.
pub struct RequestVerifier {
    keys: HashMap<String, Vec<MacKey>>,
    tolerance_secs: u64,
    replay: Option<ReplayCache>,
}

impl std::fmt::Debug for RequestVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut key_ids: Vec<&String> = self.keys.keys().collect();
        key_ids.sort();
        f.debug_struct("RequestVerifier")
            .field("key_ids", &key_ids)
            .field("secrets", &"[REDACTED]")
            .field("tolerance_secs", &self.tolerance_secs)
            .field("replay_cache", &self.replay.is_some())
            .finish()
    }
}

/// Builds a [`RequestVerifier`].
#[derive(Debug, Default)]
pub struct RequestVerifierBuilder {
    keys: Vec<(String, Secret)>,
    tolerance_secs: Option<u64>,
    replay_capacity: Option<usize>,
}

impl RequestVerifierBuilder {
    /// Accepts `key_id` signed with `secret`. Call again with the same key id to accept several
    /// secrets during a rotation.
    pub fn key(mut self, key_id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.keys.push((key_id.into(), secret.into()));
        self
    }

    /// Maximum |now − timestamp| in seconds (default 300; 0 means "the same second", never "off").
    pub fn tolerance_secs(mut self, tolerance_secs: u64) -> Self {
        self.tolerance_secs = Some(tolerance_secs);
        self
    }

    /// Rejects a (key id, nonce) seen before within the tolerance window, remembering at most
    /// `capacity` pairs (e.g. 100_000: peak requests per `2 × tolerance`).
    pub fn replay_cache(mut self, capacity: usize) -> Self {
        self.replay_capacity = Some(capacity);
        self
    }

    /// Validates every key id and secret.
    pub fn build(self) -> Result<RequestVerifier, PersonaError> {
        if self.keys.is_empty() {
            return Err(PersonaError::Configuration(
                "a request verifier needs at least one key".into(),
            ));
        }
        let mut keys: HashMap<String, Vec<MacKey>> = HashMap::new();
        for (key_id, secret) in &self.keys {
            check_key_id(key_id)?;
            keys.entry(key_id.clone())
                .or_default()
                .push(MacKey::new(secret)?);
        }
        Ok(RequestVerifier {
            keys,
            tolerance_secs: self.tolerance_secs.unwrap_or(DEFAULT_TOLERANCE_SECS),
            replay: self.replay_capacity.map(ReplayCache::new),
        })
    }
}

/// The four headers, trimmed, once each.
struct SignatureHeaders<'a> {
    authorization: &'a str,
    timestamp: &'a str,
    nonce: &'a str,
    signature: &'a str,
}

fn malformed(header: &'static str, reason: &'static str) -> RequestRejection {
    RequestRejection::MalformedHeader { header, reason }
}

/// Finds the four headers (case-insensitive names). Missing beats duplicated.
fn collect_headers<'a, I, K, V>(headers: I) -> Result<SignatureHeaders<'a>, RequestRejection>
where
    I: IntoIterator<Item = (&'a K, &'a V)>,
    K: AsRef<str> + ?Sized + 'a,
    V: AsRef<str> + ?Sized + 'a,
{
    let mut values: [Option<&'a str>; 4] = [None; 4];
    let mut counts = [0usize; 4];
    for (name, value) in headers {
        let name = trim_space_or_tab(name.as_ref());
        if let Some(slot) = HEADER_NAMES
            .iter()
            .position(|h| name.eq_ignore_ascii_case(h))
        {
            counts[slot] += 1;
            let value = trim_space_or_tab(value.as_ref());
            if !value.is_empty() {
                values[slot] = Some(value);
            }
        }
    }
    for (slot, name) in HEADER_NAMES.iter().enumerate() {
        if values[slot].is_none() {
            return Err(RequestRejection::MissingHeader(name));
        }
    }
    for (slot, name) in HEADER_NAMES.iter().enumerate() {
        if counts[slot] > 1 {
            return Err(malformed(name, "header appears more than once"));
        }
    }
    let [
        Some(authorization),
        Some(timestamp),
        Some(nonce),
        Some(signature),
    ] = values
    else {
        return Err(RequestRejection::MissingHeader(HEADER_NAMES[0]));
    };
    Ok(SignatureHeaders {
        authorization,
        timestamp,
        nonce,
        signature,
    })
}

/// `Bearer <key id>`: scheme case-insensitive (RFC 9110 §11.1), one or more spaces, the key id.
fn parse_authorization(value: &str) -> Result<&str, RequestRejection> {
    let (scheme, rest) = value
        .split_once(' ')
        .ok_or_else(|| malformed("authorization", "expected `Bearer <key id>`"))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(malformed("authorization", "scheme must be Bearer"));
    }
    let key_id = rest.trim_start_matches(' ');
    if !is_valid_key_id(key_id) {
        return Err(malformed(
            "authorization",
            "key id must be 1-128 characters of [A-Za-z0-9._~-]",
        ));
    }
    Ok(key_id)
}

/// Checks that `Persona-Signature` is whitespace-separated `<version>,<value>` entries.
fn check_signature_entries(value: &str) -> Result<(), RequestRejection> {
    if space_separated(value).all(|entry| entry.contains(',')) {
        Ok(())
    } else {
        Err(malformed(
            "persona-signature",
            "entry is not `<version>,<value>`",
        ))
    }
}

/// The `v1` values of a checked `Persona-Signature` (entries of other versions are ignored).
fn v1_values(value: &str) -> impl Iterator<Item = &str> {
    space_separated(value)
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, _)| *version == "v1")
        .map(|(_, signature)| signature)
}

impl RequestVerifier {
    /// Starts a builder.
    pub fn builder() -> RequestVerifierBuilder {
        RequestVerifierBuilder::default()
    }

    /// The configured tolerance in seconds.
    pub fn tolerance_secs(&self) -> u64 {
        self.tolerance_secs
    }

    /// Verifies a request against the system clock. `url` is absolute or origin-form
    /// (`/path?query`); `headers` are (name, value) pairs in any case.
    pub fn verify<'a, I, K, V>(
        &self,
        method: &str,
        url: &str,
        headers: I,
        body: &[u8],
    ) -> Result<VerifiedRequest, PersonaError>
    where
        I: IntoIterator<Item = (&'a K, &'a V)>,
        K: AsRef<str> + ?Sized + 'a,
        V: AsRef<str> + ?Sized + 'a,
    {
        self.verify_at(method, url, headers, body, unix_now())
    }

    /// Verifies a request as of `now` (unix seconds).
    pub fn verify_at<'a, I, K, V>(
        &self,
        method: &str,
        url: &str,
        headers: I,
        body: &[u8],
        now: i64,
    ) -> Result<VerifiedRequest, PersonaError>
    where
        I: IntoIterator<Item = (&'a K, &'a V)>,
        K: AsRef<str> + ?Sized + 'a,
        V: AsRef<str> + ?Sized + 'a,
    {
        let found = collect_headers(headers)?;
        let key_id = parse_authorization(found.authorization)?;
        let timestamp = parse_timestamp(found.timestamp).ok_or_else(|| {
            malformed(
                "persona-timestamp",
                "must be decimal digits fitting a 64-bit integer",
            )
        })?;
        if !is_valid_nonce(found.nonce) {
            return Err(malformed(
                "persona-nonce",
                "must be 8-128 characters of [A-Za-z0-9._~-]",
            )
            .into());
        }
        check_signature_entries(found.signature)?;
        let (key_id, secrets) = self
            .keys
            .get_key_value(key_id)
            .ok_or(RequestRejection::UnknownKey)?;

        check_method(method)?;
        let target = RequestTarget::parse(url)?;
        let canonical_request = CanonicalParts {
            key_id,
            timestamp: found.timestamp,
            nonce: found.nonce,
            method,
            path: &target.path,
            raw_query: &target.query,
            body,
        }
        .to_canonical_request();

        // Every (secret, entry) pair is compared so timing does not reveal which one matched.
        let mut matched = false;
        for key in secrets {
            let expected = expected_signature(key, &canonical_request);
            for value in v1_values(found.signature) {
                matched |= constant_time_eq(value.as_bytes(), &expected);
            }
        }
        if !matched {
            return Err(RequestRejection::SignatureMismatch.into());
        }
        if !within_tolerance(now, timestamp, self.tolerance_secs) {
            return Err(RequestRejection::TimestampOutOfTolerance {
                skew_seconds: skew(now, timestamp),
            }
            .into());
        }
        if let Some(cache) = &self.replay {
            let expires_at = timestamp.saturating_add_unsigned(self.tolerance_secs);
            cache.check_and_record(key_id, found.nonce, expires_at, now)?;
        }
        Ok(VerifiedRequest {
            key_id: key_id.clone(),
            timestamp,
            nonce: found.nonce.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signer::RequestSigner;

    const NOW: i64 = 1_700_000_000;

    fn signed(nonce: &str) -> Vec<(String, String)> {
        RequestSigner::new("kid", "s3cret")
            .unwrap()
            .sign_with(
                "POST",
                "https://h/p?b=1&a=2",
                b"body",
                Some(NOW),
                Some(nonce),
            )
            .unwrap()
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn verify(
        v: &RequestVerifier,
        headers: &[(String, String)],
        now: i64,
    ) -> Result<String, String> {
        v.verify_at(
            "POST",
            "https://other-host/p?a=2&b=1",
            headers.iter().map(|(n, v)| (n, v)),
            b"body",
            now,
        )
        .map(|ok| ok.key_id)
        .map_err(|e| e.code().to_owned())
    }

    #[test]
    fn round_trip_rotation_and_replay() {
        let v = RequestVerifier::builder()
            .key("kid", "old")
            .key("kid", "s3cret")
            .replay_cache(100)
            .build()
            .unwrap();
        let headers = signed("nonce-0001");
        assert_eq!(verify(&v, &headers, NOW), Ok("kid".into()));
        assert_eq!(verify(&v, &headers, NOW + 1), Err("replayed_nonce".into()));
        assert_eq!(
            verify(&v, &signed("nonce-0002"), NOW + 301),
            Err("timestamp_out_of_tolerance".into())
        );
        // The stale attempt did not record nonce-0002.
        assert_eq!(
            verify(&v, &signed("nonce-0002"), NOW + 300),
            Ok("kid".into())
        );
    }

    #[test]
    fn precedence_and_reasons() {
        let v = RequestVerifier::builder()
            .key("other", "x")
            .build()
            .unwrap();
        assert_eq!(
            verify(&v, &signed("nonce-0001"), NOW),
            Err("unknown_key".into())
        );
        let v = RequestVerifier::builder()
            .key("kid", "wrong")
            .build()
            .unwrap();
        assert_eq!(
            verify(&v, &signed("nonce-0001"), NOW),
            Err("signature_mismatch".into())
        );
        let mut headers = signed("nonce-0001");
        headers.retain(|(n, _)| n != "Persona-Nonce");
        headers.push(("persona-timestamp".into(), "x".into()));
        let err = v
            .verify_at("POST", "/p", headers.iter().map(|(n, v)| (n, v)), b"", NOW)
            .unwrap_err();
        assert!(matches!(
            err,
            PersonaError::RequestRejected(RequestRejection::MissingHeader("persona-nonce"))
        ));
    }

    #[test]
    fn debug_hides_secrets() {
        let v = RequestVerifier::builder()
            .key("kid", "topsecretvalue")
            .build()
            .unwrap();
        let text = format!("{v:?}");
        assert!(text.contains("kid") && !text.contains("topsecretvalue"));
    }
}
