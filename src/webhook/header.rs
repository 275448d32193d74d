//! Parser for Persona's `Persona-Signature: t=<unix seconds>,v1=<hex>` webhook header.
//!
//! The header holds one or more *sets* separated by runs of spaces/tabs (two during a secret
//! rotation). Each set is `,`-separated `key=value` items; only `t` and `v1` mean anything. A set is
//! usable only with exactly one valid `t`, and each set is judged by its own `t`: taking the `t` of
//! one set and the `v1` of another would let an attacker pair an old signature with a fresh time.

use crate::error::WebhookRejection;
use crate::fields::parse_timestamp;

/// Longest header accepted, so junk input costs bounded work.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most sets accepted in one header.
pub const MAX_SETS: usize = 16;

/// A set with exactly one valid `t`, and its well-formed `v1` signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureSet<'a> {
    /// `t` as sent (signed verbatim, leading zeros included).
    pub timestamp_text: &'a str,
    /// `t` as a number.
    pub timestamp: i64,
    /// Decoded `v1` values that were exactly 64 lowercase hex characters.
    pub signatures: Vec<[u8; 32]>,
}

fn is_space_or_tab(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn parse_set(set: &str) -> Option<SignatureSet<'_>> {
    let mut timestamp_text = None;
    let mut timestamps = 0;
    let mut signatures = Vec::new();
    for item in set.split(',').filter(|item| !item.is_empty()) {
        // An item without `=` has an empty value: a bare `t` is a `t` that is not valid.
        let (key, value) = item.split_once('=').unwrap_or((item, ""));
        match key {
            "t" => {
                timestamps += 1;
                timestamp_text = Some(value);
            }
            "v1" => signatures.extend(crate::hex::decode_lower::<32>(value)),
            _ => {}
        }
    }
    let timestamp_text = timestamp_text.filter(|_| timestamps == 1)?;
    Some(SignatureSet {
        timestamp_text,
        timestamp: parse_timestamp(timestamp_text)?,
        signatures,
    })
}

/// The usable sets of a header, or why there are none.
pub fn parse(header: &str) -> Result<Vec<SignatureSet<'_>>, WebhookRejection> {
    let trimmed = header.trim_matches(is_space_or_tab);
    if trimmed.is_empty() {
        return Err(WebhookRejection::MissingHeader);
    }
    // The bound applies to the header as received, padding included.
    if header.len() > MAX_HEADER_BYTES {
        return Err(WebhookRejection::MalformedHeader(
            "header longer than 16384 bytes",
        ));
    }
    let header = trimmed;
    let raw_sets: Vec<&str> = header
        .split(is_space_or_tab)
        .filter(|s| !s.is_empty())
        .collect();
    if raw_sets.len() > MAX_SETS {
        return Err(WebhookRejection::MalformedHeader(
            "more than 16 signature sets",
        ));
    }
    let sets: Vec<SignatureSet<'_>> = raw_sets.into_iter().filter_map(parse_set).collect();
    if sets.is_empty() {
        return Err(WebhookRejection::MalformedHeader(
            "no set with exactly one valid `t`",
        ));
    }
    Ok(sets)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_sets() {
        let header = format!(" \tt=1,v1={SIG},v0=x  t=2,v1={}\t", SIG.to_uppercase());
        let sets = parse(&header).unwrap();
        assert_eq!(sets.len(), 2);
        assert_eq!(sets[0].timestamp, 1);
        assert_eq!(sets[0].signatures.len(), 1);
        assert_eq!(
            sets[1].signatures.len(),
            0,
            "uppercase hex is not a v1 value"
        );
    }

    #[test]
    fn rejects_unusable() {
        for (header, expected) in [
            ("", WebhookRejection::MissingHeader),
            (" \t ", WebhookRejection::MissingHeader),
        ] {
            assert_eq!(parse(header).unwrap_err(), expected);
        }
        for header in [
            "t", "t=1,t=1", "T=1", "t=+1", "t=1.0", ",", "=", "v1=abc", "t=١",
        ] {
            assert!(
                matches!(parse(header), Err(WebhookRejection::MalformedHeader(_))),
                "{header:?}"
            );
        }
        let too_many = vec!["t=1"; 17].join(" ");
        assert!(parse(&too_many).is_err());
        assert!(parse(&vec!["t=1"; 16].join(" ")).is_ok());
        assert!(parse(&format!("t=1,x={}", "a".repeat(MAX_HEADER_BYTES))).is_err());
    }
}
