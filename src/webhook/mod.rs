//! Persona webhook verification (Persona's real scheme) and signing (for the sandbox and tests).
//!
//! `Persona-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. The body
//! is opaque bytes: verify the raw body exactly as received, never re-serialized JSON.

mod event;
mod event_names;
pub mod header;

pub use event::WebhookEvent;
pub use event_names::EventName;

use crate::clock::{skew, unix_now, within_tolerance};
use crate::error::{InputField, PersonaError, WebhookRejection};
use crate::mac::{MacKey, constant_time_eq};
use crate::secret::Secret;

/// Default tolerance between the webhook's `t` and the verifier's clock.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

/// Verifies Persona webhooks against one or more secrets (several during a rotation).
#[derive(Clone)]
pub struct WebhookVerifier {
    keys: Vec<MacKey>,
    tolerance_secs: u64,
}

impl std::fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("secrets", &format_args!("[REDACTED; {}]", self.keys.len()))
            .field("tolerance_secs", &self.tolerance_secs)
            .finish()
    }
}

impl WebhookVerifier {
    /// A verifier accepting any of `secrets` (each used verbatim, none empty), tolerance 300 s.
    pub fn new<I, S>(secrets: I) -> Result<Self, PersonaError>
    where
        I: IntoIterator<Item = S>,
        S: Into<Secret>,
    {
        let keys = secrets
            .into_iter()
            .map(|secret| MacKey::new(&secret.into()))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(PersonaError::Configuration(
                "a webhook verifier needs at least one secret".into(),
            ));
        }
        Ok(Self {
            keys,
            tolerance_secs: DEFAULT_TOLERANCE_SECS,
        })
    }

    /// Sets the maximum |now − t| in seconds (0 means "the same second", never "off").
    pub fn with_tolerance_secs(mut self, tolerance_secs: u64) -> Self {
        self.tolerance_secs = tolerance_secs;
        self
    }

    /// The configured tolerance in seconds.
    pub fn tolerance_secs(&self) -> u64 {
        self.tolerance_secs
    }

    /// Verifies the `Persona-Signature` header value (pass `""` when the header is absent)
    /// against the raw body, as of the system clock.
    pub fn verify(&self, header: &str, body: &[u8]) -> Result<(), PersonaError> {
        self.verify_at(header, body, unix_now())
    }

    /// Verifies as of `now` (unix seconds).
    ///
    /// The work is bounded whatever the header holds: at most one MAC over the body per distinct
    /// `t` per secret (sets with the same `t` are judged together, their `v1` values pooled), so
    /// at most 16 × (number of secrets) MACs of `len(t) + 1 + len(body)` bytes each — and one MAC
    /// for the usual header (one set, one secret).
    pub fn verify_at(&self, header: &str, body: &[u8], now: i64) -> Result<(), PersonaError> {
        let mut any_usable = false;
        let mut stale_skew = None;
        // The `t` values already judged (a header has at most MAX_SETS sets): nothing is
        // allocated, this runs on every webhook.
        let mut judged = [""; header::MAX_SETS];
        let mut judged_count = 0;
        // Sets are parsed as they are read.
        let mut sets = header::sets(header)?;
        while let Some(set) = sets.next() {
            let Some(set) = set else { continue };
            any_usable = true;
            if judged[..judged_count].contains(&set.timestamp_text) {
                continue; // judged with the first set that had this `t`
            }
            if let Some(slot) = judged.get_mut(judged_count) {
                *slot = set.timestamp_text;
                judged_count += 1;
            }
            // The later sets with the same `t`: their `v1` values share this set's MACs.
            let same_t = sets
                .clone()
                .flatten()
                .filter(move |other| other.timestamp_text == set.timestamp_text);
            // No well-formed `v1` value: nothing can match, so skip the MAC over the body.
            if !set.has_signature() && !same_t.clone().any(|other| other.has_signature()) {
                continue;
            }
            let matched = self.keys.iter().any(|key| {
                let expected = key.mac(&[set.timestamp_text.as_bytes(), b".", body]);
                // Not short-circuited across the values: compare each in constant time.
                set.signatures()
                    .chain(same_t.clone().flat_map(|other| other.signatures()))
                    .fold(false, |acc, sig| acc | constant_time_eq(&sig, &expected))
            });
            if !matched {
                continue;
            }
            if within_tolerance(now, set.timestamp, self.tolerance_secs) {
                return Ok(());
            }
            stale_skew.get_or_insert(skew(now, set.timestamp));
        }
        Err(match stale_skew {
            Some(skew_seconds) => WebhookRejection::TimestampOutOfTolerance { skew_seconds },
            None if !any_usable => header::NO_USABLE_SET,
            None => WebhookRejection::NoMatchingSignature,
        }
        .into())
    }

    /// Verifies, then reads the event from the body.
    pub fn verify_event(&self, header: &str, body: &[u8]) -> Result<WebhookEvent, PersonaError> {
        self.verify_event_at(header, body, unix_now())
    }

    /// Verifies as of `now`, then reads the event from the body.
    pub fn verify_event_at(
        &self,
        header: &str,
        body: &[u8],
        now: i64,
    ) -> Result<WebhookEvent, PersonaError> {
        self.verify_at(header, body, now)?;
        WebhookEvent::from_body(body)
    }
}

/// Produces a `Persona-Signature` header value `t=<timestamp>,v1=<hex>` for `body`.
pub fn sign_webhook(
    secret: impl Into<Secret>,
    body: &[u8],
    timestamp: i64,
) -> Result<String, PersonaError> {
    if timestamp < 0 {
        return Err(PersonaError::invalid(
            InputField::Timestamp,
            "must not be negative",
        ));
    }
    let key = MacKey::new(&secret.into())?;
    let t = timestamp.to_string();
    let mac = key.mac(&[t.as_bytes(), b".", body]);
    Ok(format!("t={t},v1={}", crate::hex::encode(&mac)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn code(result: Result<(), PersonaError>) -> &'static str {
        result.map_or_else(|e| e.code(), |()| "ok")
    }

    #[test]
    fn sign_then_verify_with_rotation() {
        let header = sign_webhook("new", b"{}", NOW).unwrap();
        let verifier = WebhookVerifier::new(["old", "new"]).unwrap();
        assert_eq!(code(verifier.verify_at(&header, b"{}", NOW + 300)), "ok");
        assert_eq!(code(verifier.verify_at(&header, b"{}", NOW - 300)), "ok");
        assert_eq!(
            code(verifier.verify_at(&header, b"{}", NOW + 301)),
            "timestamp_out_of_tolerance"
        );
        assert_eq!(
            code(verifier.verify_at(&header, b"{ }", NOW)),
            "no_matching_signature"
        );
        let only_old = WebhookVerifier::new(["old"]).unwrap();
        assert_eq!(
            code(only_old.verify_at(&header, b"{}", NOW)),
            "no_matching_signature"
        );
    }

    #[test]
    fn each_set_uses_its_own_t() {
        let good = sign_webhook("s", b"x", NOW).unwrap();
        let sig = good.split_once(",v1=").unwrap().1;
        let verifier = WebhookVerifier::new(["s"]).unwrap();
        let header = format!("t={},v1=00 t={NOW},v1={}", NOW + 1, "0".repeat(64));
        assert_eq!(
            code(verifier.verify_at(&header, b"x", NOW)),
            "no_matching_signature"
        );
        let header = format!("t={},v1={sig}", NOW + 1);
        assert_eq!(
            code(verifier.verify_at(&header, b"x", NOW)),
            "no_matching_signature"
        );
        let header = format!("t={},v1={} {good}", NOW + 1, "0".repeat(64));
        assert_eq!(code(verifier.verify_at(&header, b"x", NOW)), "ok");
    }

    #[test]
    fn work_is_one_mac_per_distinct_t_per_secret() {
        let body = vec![b'x'; 4096];
        let verifier = WebhookVerifier::new(["s1", "s2", "s3", "s4"]).unwrap();
        let macs = |header: &str| {
            crate::mac::count_macs(|| {
                let _ = verifier.verify_at(header, &body, NOW);
            })
        };
        let bogus = |t: i64| format!("t={t},v1={}", "0".repeat(64));
        // 16 bogus sets with one `t`: 4 MACs (one per secret), not 64.
        assert_eq!(macs(&vec![bogus(NOW); 16].join(" ")), 4);
        // 16 distinct `t`: the documented worst case, 16 × 4.
        let distinct: Vec<String> = (0..16).map(|i| bogus(NOW + i)).collect();
        assert_eq!(macs(&distinct.join(" ")), 64);
        // The usual header: one set, matched by the first secret: one MAC.
        let good = sign_webhook("s1", &body, NOW).unwrap();
        assert_eq!(macs(&good), 1);
        // A valid set after bogus sets with its own `t` is still found (pooled values).
        let pooled = format!("{} {good}", bogus(NOW));
        assert_eq!(code(verifier.verify_at(&pooled, &body, NOW)), "ok");
        assert_eq!(macs(&pooled), 1);
        // Sets without a well-formed v1 cost nothing.
        assert_eq!(macs(&vec![format!("t={NOW}"); 16].join(" ")), 0);
    }

    #[test]
    fn empty_secret_and_negative_time_are_refused() {
        assert_eq!(
            WebhookVerifier::new([""]).unwrap_err().code(),
            "invalid_secret"
        );
        assert_eq!(
            WebhookVerifier::new(Vec::<String>::new())
                .unwrap_err()
                .code(),
            "configuration"
        );
        assert_eq!(
            sign_webhook("s", b"", -1).unwrap_err().code(),
            "invalid_timestamp"
        );
    }
}
