//! Parser for Persona's `Persona-Signature: t=<unix seconds>,v1=<hex>` webhook header.
//!
//! The header holds one or more *sets* separated by runs of spaces/tabs (two during a secret
//! rotation). Each set is `,`-separated `key=value` items; only `t` and `v1` mean anything. A set is
//! usable only with exactly one valid `t`, and each set is judged by its own `t`: taking the `t` of
//! one set and the `v1` of another would let an attacker pair an old signature with a fresh time.

use crate::error::WebhookRejection;
use crate::fields::{SpaceSeparated, is_space_or_tab, parse_timestamp, space_separated};

/// Longest header accepted, so junk input costs bounded work.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most sets accepted in one header.
pub const MAX_SETS: usize = 16;

/// A set with exactly one valid `t`, and its well-formed `v1` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureSet<'a> {
    /// `t` as sent (signed verbatim, leading zeros included).
    pub timestamp_text: &'a str,
    /// `t` as a number.
    pub timestamp: i64,
    /// The first well-formed `v1` value, decoded (one per set is the norm).
    first_signature: Option<[u8; 32]>,
    /// The items after that first value, where any further `v1` values are.
    after_first_signature: &'a str,
}

impl<'a> SignatureSet<'a> {
    /// Parses one set in one pass: `Some` only with exactly one `t` made of ASCII digits that
    /// fits i64.
    fn parse(text: &'a str) -> Option<Self> {
        let mut timestamp_text = None;
        let mut first_signature = None;
        let mut after_first_signature = "";
        let mut items = Items { rest: text };
        while let Some((key, value)) = items.next() {
            match key.as_bytes() {
                b"t" if timestamp_text.is_some() => return None,
                b"t" => timestamp_text = Some(value),
                b"v1" if first_signature.is_none() => {
                    first_signature = crate::hex::decode_lower::<32>(value);
                    after_first_signature = items.rest;
                }
                _ => {}
            }
        }
        let timestamp_text = timestamp_text?;
        Some(Self {
            timestamp_text,
            timestamp: parse_timestamp(timestamp_text)?,
            first_signature,
            after_first_signature,
        })
    }

    /// The `v1` values that are exactly 64 lowercase hex characters, decoded (others never match).
    pub fn signatures(&self) -> impl Iterator<Item = [u8; 32]> + 'a + use<'a> {
        let further = Items {
            rest: if self.first_signature.is_some() {
                self.after_first_signature
            } else {
                ""
            },
        };
        self.first_signature.into_iter().chain(
            further
                .filter(|(key, _)| *key == "v1")
                .filter_map(|(_, value)| crate::hex::decode_lower::<32>(value)),
        )
    }

    /// True if the set has at least one well-formed `v1` value.
    pub fn has_signature(&self) -> bool {
        self.first_signature.is_some()
    }
}

/// The `key=value` items of a set: split at `,`, empty items skipped; an item without `=` has an
/// empty value (so a bare `t` is a `t` that is not valid).
struct Items<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Items<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        // `,` and `=` are ASCII, so every split point is a char boundary.
        let bytes = self.rest.as_bytes();
        let start = bytes.iter().position(|&b| b != b',')?;
        let end = memchr::memchr(b',', &bytes[start..]).map_or(bytes.len(), |len| start + len);
        let item = self.rest.get(start..end)?;
        self.rest = self.rest.get(end..)?;
        Some(match item.as_bytes().iter().position(|&b| b == b'=') {
            Some(eq) => (item.get(..eq)?, item.get(eq + 1..)?),
            None => (item, ""),
        })
    }
}

/// The sets of a header, split at runs of spaces/tabs: checked for bounds up front, parsed as
/// they are read (the verifier stops at the first accepted set without allocating).
#[derive(Debug, Clone)]
pub struct Sets<'a> {
    raw: SpaceSeparated<'a>,
}

impl<'a> Iterator for Sets<'a> {
    /// `None` for a set without exactly one valid `t` (unusable, skipped by the verifier).
    type Item = Option<SignatureSet<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.raw.next().map(SignatureSet::parse)
    }
}

/// The sets of `header`, after the checks that need no parsing: not blank, at most
/// [`MAX_HEADER_BYTES`] bytes, at most [`MAX_SETS`] sets.
pub fn sets(header: &str) -> Result<Sets<'_>, WebhookRejection> {
    if header.bytes().all(is_space_or_tab) {
        return Err(WebhookRejection::MissingHeader);
    }
    // The bound applies to the header as received, padding included.
    if header.len() > MAX_HEADER_BYTES {
        return Err(WebhookRejection::MalformedHeader(
            "header longer than 16384 bytes",
        ));
    }
    if space_separated(header).nth(MAX_SETS).is_some() {
        return Err(WebhookRejection::MalformedHeader(
            "more than 16 signature sets",
        ));
    }
    Ok(Sets {
        raw: space_separated(header),
    })
}

/// The error for a header none of whose sets has exactly one valid `t`.
pub(crate) const NO_USABLE_SET: WebhookRejection =
    WebhookRejection::MalformedHeader("no set with exactly one valid `t`");

/// The usable sets of a header, or why there are none.
pub fn parse(header: &str) -> Result<Vec<SignatureSet<'_>>, WebhookRejection> {
    let usable: Vec<SignatureSet<'_>> = sets(header)?.flatten().collect();
    if usable.is_empty() {
        return Err(NO_USABLE_SET);
    }
    Ok(usable)
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
        assert_eq!(sets[0].signatures().count(), 1);
        assert_eq!(
            sets[1].signatures().count(),
            0,
            "uppercase hex is not a v1 value"
        );
    }

    #[test]
    fn every_well_formed_v1_of_a_set_counts() {
        let other = "f".repeat(64);
        let header = format!(
            "v1={},v1={SIG},t=5,v1=zz,,v1={other},t5=1",
            SIG.to_uppercase()
        );
        let sets = parse(&header).unwrap();
        assert_eq!(sets.len(), 1);
        assert_eq!((sets[0].timestamp_text, sets[0].timestamp), ("5", 5));
        let decoded: Vec<[u8; 32]> = sets[0].signatures().collect();
        let expected: Vec<[u8; 32]> = [SIG, other.as_str()]
            .iter()
            .map(|hex| crate::hex::decode_lower::<32>(hex).unwrap())
            .collect();
        assert_eq!(decoded, expected);
        assert!(sets[0].has_signature());
        let none = parse("t=1,v1=abc,v1").unwrap();
        assert!(!none[0].has_signature());
        assert_eq!(none[0].signatures().count(), 0);
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
