//! The `v1` canonical request: the exact bytes both signer and verifier feed to HMAC-SHA256.
//!
//! ```text
//! v1
//! <key id>
//! <timestamp>
//! <nonce>
//! <METHOD>
//! <path as sent>
//! <canonical query>
//! <lowercase hex SHA-256 of the body>
//! ```
//! Joined by `\n`, no trailing newline. See `docs/SIGNING.md` for the full rules.

use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{InputField, PersonaError};

/// The signed parts of a URL: the path as sent and the raw query (after WHATWG URL parsing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTarget {
    /// Path exactly as it goes on the wire (never empty: an empty path is `/`).
    pub path: String,
    /// Raw query without the `?` (empty when absent or `?` alone).
    pub query: String,
}

impl RequestTarget {
    /// Parses an absolute `http`/`https` URL, or an origin-form target starting with `/`
    /// (`/api/v1/inquiries?x=1`, as a server sees it). The host, port and fragment are not signed.
    pub fn parse(url: &str) -> Result<Self, PersonaError> {
        let parsed = if url.starts_with('/') {
            // Origin-form, as a server sees the request target: the whole string is path + query
            // (so `//a/b` is the path `//a/b`, not a host). The placeholder origin is not signed.
            Url::parse(&format!("http://origin.invalid{url}"))
                .map_err(|_| PersonaError::invalid(InputField::Url, "not a valid request target"))?
        } else {
            Url::parse(url).map_err(|_| {
                PersonaError::invalid(InputField::Url, "not a valid absolute http(s) URL")
            })?
        };
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(PersonaError::invalid(
                InputField::Url,
                "scheme must be http or https",
            ));
        }
        let path = match parsed.path() {
            "" => "/".to_owned(),
            path => path.to_owned(),
        };
        Ok(Self {
            path,
            query: parsed.query().unwrap_or("").to_owned(),
        })
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` (two hex digits) to a byte; any other `%` stays a literal `%`. `+` stays `+`.
fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            if let (Some(&hi), Some(&lo)) = (raw.get(i + 1), raw.get(i + 2)) {
                if let (Some(hi), Some(lo)) = (hex_value(hi), hex_value(lo)) {
                    out.push((hi << 4) | lo);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// Keeps `A-Z a-z 0-9 - . _ ~`, writes every other byte as `%XX` with uppercase hex.
fn percent_encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    const UPPER: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte);
        } else {
            out.extend_from_slice(&[
                b'%',
                UPPER[usize::from(byte >> 4)],
                UPPER[usize::from(byte & 0x0f)],
            ]);
        }
    }
}

fn canonical_component(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + 8);
    percent_encode_into(&percent_decode(raw), &mut out);
    out
}

/// Canonicalizes a raw query string (without `?`): split at `&`, skip empty parts, split each at the
/// first `=`, percent-decode, re-encode, sort by name then value (bytes), join with `&`.
pub fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = raw_query
        .as_bytes()
        .split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = match part.iter().position(|&b| b == b'=') {
                Some(eq) => (&part[..eq], &part[eq + 1..]),
                None => (part, &[][..]),
            };
            (canonical_component(name), canonical_component(value))
        })
        .collect();
    pairs.sort_unstable();
    let mut out = Vec::with_capacity(raw_query.len() + 16);
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name);
        out.push(b'=');
        out.extend_from_slice(value);
    }
    // Every byte written is ASCII (unreserved characters, `%`, hex digits, `=`, `&`).
    String::from_utf8(out).unwrap_or_default()
}

/// Lowercase hex SHA-256 of the body bytes.
pub fn body_sha256_hex(body: &[u8]) -> String {
    crate::hex::encode(&Sha256::digest(body))
}

/// The parts of a canonical request, each already validated and in canonical form.
#[derive(Debug, Clone, Copy)]
pub struct CanonicalParts<'a> {
    /// Key id.
    pub key_id: &'a str,
    /// Timestamp text, as signed (the verifier keeps the header's text verbatim).
    pub timestamp: &'a str,
    /// Nonce.
    pub nonce: &'a str,
    /// Uppercased method.
    pub method: &'a str,
    /// Path as sent.
    pub path: &'a str,
    /// Canonical query.
    pub query: &'a str,
    /// Lowercase hex SHA-256 of the body.
    pub body_sha256: &'a str,
}

impl CanonicalParts<'_> {
    /// Joins the eight lines with `\n`.
    pub fn to_canonical_request(&self) -> String {
        let lines = [
            "v1",
            self.key_id,
            self.timestamp,
            self.nonce,
            self.method,
            self.path,
            self.query,
            self.body_sha256,
        ];
        let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for (index, line) in lines.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            out.push_str(line);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_rules() {
        let cases = [
            ("", ""),
            ("b=2&a=1", "a=1&b=2"),
            ("a=1&a=0", "a=0&a=1"),
            ("flag", "flag="),
            ("&&a=1&&", "a=1"),
            ("a=b=c", "a=b%3Dc"),
            ("a=+", "a=%2B"),
            ("a=%20", "a=%20"),
            ("a=%2b", "a=%2B"),
            ("a=%zz", "a=%25zz"),
            ("a=%", "a=%25"),
            ("a=%4", "a=%254"),
            ("%41=%7E", "A=~"),
            ("a=%FF", "a=%FF"),
            ("=v", "=v"),
            ("page[size]=2", "page%5Bsize%5D=2"),
            ("a=%C3%A9", "a=%C3%A9"),
        ];
        for (raw, expected) in cases {
            assert_eq!(canonical_query(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn sort_is_by_encoded_bytes() {
        // `%7E` decodes to `~` (0x7E) which sorts after `a`; `%21` stays encoded as `%21` (0x25…).
        assert_eq!(canonical_query("%7E=1&a=1&%21=1"), "%21=1&a=1&~=1");
    }

    #[test]
    fn targets() {
        let t = RequestTarget::parse("https://api.example.com").unwrap();
        assert_eq!((t.path.as_str(), t.query.as_str()), ("/", ""));
        let t = RequestTarget::parse("https://h/a/./b/../c?x=1#frag").unwrap();
        assert_eq!((t.path.as_str(), t.query.as_str()), ("/a/c", "x=1"));
        let t = RequestTarget::parse("https://h/a%2Fb?").unwrap();
        assert_eq!((t.path.as_str(), t.query.as_str()), ("/a%2Fb", ""));
        let t = RequestTarget::parse("https://h/p?q=a b").unwrap();
        assert_eq!(t.query, "q=a%20b");
        let t = RequestTarget::parse("/api/v1/inquiries?x=1").unwrap();
        assert_eq!(
            (t.path.as_str(), t.query.as_str()),
            ("/api/v1/inquiries", "x=1")
        );
        let t = RequestTarget::parse("//a/b?c").unwrap();
        assert_eq!((t.path.as_str(), t.query.as_str()), ("//a/b", "c"));
        for bad in ["ftp://h/x", "not a url", "", "mailto:a@b"] {
            assert!(RequestTarget::parse(bad).is_err(), "{bad:?}");
        }
    }
}
