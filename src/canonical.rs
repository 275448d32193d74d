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

use std::borrow::Cow;

use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{InputField, PersonaError};

/// The signed parts of a URL: the path as sent and the raw query (after WHATWG URL parsing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTarget<'a> {
    /// Path exactly as it goes on the wire (never empty: an empty path is `/`).
    pub path: Cow<'a, str>,
    /// Raw query without the `?` (empty when absent or `?` alone).
    pub query: Cow<'a, str>,
}

impl<'a> RequestTarget<'a> {
    /// Parses an absolute `http`/`https` URL, or an origin-form target starting with `/`
    /// (`/api/v1/inquiries?x=1`, as a server sees it). The host, port and fragment are not signed.
    pub fn parse(url: &'a str) -> Result<Self, PersonaError> {
        if let Some((path, query)) = fast_path::split(url) {
            return Ok(Self {
                path: Cow::Borrowed(path),
                query: Cow::Borrowed(query),
            });
        }
        Self::parse_whatwg(url).map(|t| RequestTarget {
            path: Cow::Owned(t.0),
            query: Cow::Owned(t.1),
        })
    }

    /// The general path: full WHATWG parsing by the `url` crate.
    fn parse_whatwg(url: &str) -> Result<(String, String), PersonaError> {
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
        Ok((path, parsed.query().unwrap_or("").to_owned()))
    }

    /// Full WHATWG parsing only (for tests comparing it with the fast path).
    #[doc(hidden)]
    pub fn parse_slow(url: &str) -> Result<(String, String), PersonaError> {
        Self::parse_whatwg(url)
    }
}

/// A fast path for the URLs clients send every day (`https://host[:port]/plain/path?a=1&b=2`).
///
/// WHATWG parsing through the `url` crate costs about as much as the HMAC of a small request. For
/// URLs made only of characters that WHATWG parsing leaves untouched — no dot segments, no
/// backslashes, no spaces or non-ASCII, a plain DNS host — the path and query are substrings of
/// the input, so we slice them out. Anything else takes the full parser. A property test checks the
/// two agree on every URL the fast path accepts.
mod fast_path {
    /// A byte class as a lookup table: ASCII letters and digits (if `alnum`) plus `extra`.
    const fn class(alnum: bool, extra: &[u8]) -> [bool; 256] {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 256 {
            table[b] = alnum && (b as u8).is_ascii_alphanumeric();
            b += 1;
        }
        let mut i = 0;
        while i < extra.len() {
            table[extra[i] as usize] = true;
            i += 1;
        }
        table
    }

    /// `host[:port]` characters.
    const AUTHORITY: [bool; 256] = class(true, b"-.:");
    /// Path characters WHATWG parsing leaves untouched (`?` and `#` end the path).
    const PATH: [bool; 256] = class(true, b"-._~/!$&'()*+,;=:@%");
    /// Query characters WHATWG's special-query percent-encode set leaves untouched, minus a few we
    /// need not bet on (`#` ends the query).
    const QUERY: [bool; 256] = class(true, b"-._~/!$&()*+,;=:@%?[]");

    /// The value of an all-digit byte string, `None` if it has another byte or overflows u32
    /// (hosts and ports are attacker-sized: the fuzzer found a 60-digit host).
    fn decimal_value(digits: &[u8]) -> Option<u32> {
        digits.iter().try_fold(0u32, |acc, &b| {
            if b.is_ascii_digit() {
                acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
            } else {
                None
            }
        })
    }

    /// Four decimal labels 0-255 without leading zeros: an IPv4 address WHATWG accepts as is.
    fn is_plain_ipv4(host: &[u8]) -> bool {
        let mut labels = 0;
        for label in host.split(|&b| b == b'.') {
            labels += 1;
            let value = decimal_value(label);
            let ok = !label.is_empty()
                && label.len() <= 3
                && (label == b"0" || label[0] != b'0')
                && value.is_some_and(|v| v <= 255);
            if !ok {
                return false;
            }
        }
        labels == 4
    }

    /// `host[:port]`: a plain IPv4 address, or dot-separated LDH labels whose last starts with a
    /// letter (so WHATWG never tries to read it as a number); a port of at most 65535.
    fn is_simple_authority(authority: &[u8]) -> bool {
        let (host, port) = match authority.iter().position(|&b| b == b':') {
            Some(colon) => (&authority[..colon], Some(&authority[colon + 1..])),
            None => (authority, None),
        };
        if let Some(port) = port {
            let value = decimal_value(port);
            if port.is_empty() || port.len() > 5 || value.is_none_or(|v| v > 65_535) {
                return false;
            }
        }
        if host.last().is_some_and(u8::is_ascii_digit) {
            return is_plain_ipv4(host);
        }
        let (mut label_len, mut label_first) = (0usize, 0u8);
        for &b in host {
            if b == b'.' {
                if label_len == 0 {
                    return false;
                }
                label_len = 0;
            } else if b.is_ascii_alphanumeric() || b == b'-' {
                if label_len == 0 {
                    label_first = b;
                }
                label_len += 1;
            } else {
                return false;
            }
        }
        label_len > 0 && label_first.is_ascii_alphabetic()
    }

    /// True if a segment could be a dot segment (`.`, `..`, `%2e`, ...): WHATWG resolves those, so
    /// they take the full parser. `path` is empty or starts with `/`.
    fn has_possible_dot_segment(path: &[u8]) -> bool {
        // A segment starts after each `/`; look only there.
        path.iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'/')
            .any(|(i, _)| match path.get(i + 1) {
                Some(b'.') => true,
                Some(b'%') => {
                    path.get(i + 2) == Some(&b'2')
                        && path.get(i + 3).is_some_and(|e| e | 0x20 == b'e')
                }
                _ => false,
            })
    }

    fn scan(bytes: &[u8], start: usize, class: &[bool; 256]) -> usize {
        bytes.get(start..).map_or(start, |rest| {
            start
                + rest
                    .iter()
                    .position(|&b| !class[usize::from(b)])
                    .unwrap_or(rest.len())
        })
    }

    /// (path, query) if `url` is simple enough to slice; `None` means "use the full parser".
    pub(super) fn split(url: &str) -> Option<(&str, &str)> {
        let bytes = url.as_bytes();
        let path_start = if bytes.starts_with(b"https://") || bytes.starts_with(b"http://") {
            let host_start = if bytes[4] == b's' { 8 } else { 7 };
            let host_end = scan(bytes, host_start, &AUTHORITY);
            if !is_simple_authority(&bytes[host_start..host_end]) {
                return None;
            }
            host_end
        } else if bytes.first() == Some(&b'/') {
            0
        } else {
            return None;
        };
        let path_end = scan(bytes, path_start, &PATH);
        let (query_start, query_end) = if bytes.get(path_end) == Some(&b'?') {
            (path_end + 1, scan(bytes, path_end + 1, &QUERY))
        } else {
            (path_end, path_end)
        };
        // Whatever follows must be a fragment of printable ASCII (or nothing).
        match bytes.get(query_end) {
            None => {}
            Some(b'#')
                if bytes[query_end + 1..]
                    .iter()
                    .all(|b| (0x21..=0x7e).contains(b)) => {}
            Some(_) => return None,
        }
        let path = &bytes[path_start..path_end];
        if (path_start > 0 && !path.is_empty() && path[0] != b'/') || has_possible_dot_segment(path)
        {
            return None;
        }
        let path = if path.is_empty() {
            "/"
        } else {
            url.get(path_start..path_end)?
        };
        Some((path, url.get(query_start..query_end)?))
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

/// `A-Z a-z 0-9 - . _ ~`: the bytes a canonical query keeps as they are.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_' || c == b'~';
        b += 1;
    }
    table
};

/// Appends `raw` percent-decoded (`%XX` with two hex digits only; any other `%` is literal, `+`
/// stays `+`) and re-encoded (keep `A-Z a-z 0-9 - . _ ~`, every other byte as uppercase `%XX`).
fn push_canonical_component(raw: &[u8], out: &mut Vec<u8>) {
    const UPPER: &[u8; 16] = b"0123456789ABCDEF";
    let mut i = 0;
    while i < raw.len() {
        let mut byte = raw[i];
        i += 1;
        if byte == b'%' {
            if let (Some(hi), Some(lo)) = (
                raw.get(i).copied().and_then(hex_value),
                raw.get(i + 1).copied().and_then(hex_value),
            ) {
                byte = (hi << 4) | lo;
                i += 2;
            }
        }
        if UNRESERVED[usize::from(byte)] {
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

/// Canonicalizes a raw query string (without `?`): split at `&`, skip empty parts, split each at the
/// first `=`, percent-decode, re-encode, sort by name then value (bytes), join with `&`.
pub fn canonical_query(raw_query: &str) -> String {
    let mut out = Vec::with_capacity(raw_query.len() + raw_query.len() / 2);
    push_canonical_query(raw_query, &mut out);
    // Every byte written is ASCII (unreserved characters, `%`, hex digits, `=`, `&`).
    String::from_utf8(out).unwrap_or_default()
}

/// True when `component` is already in canonical form: unreserved bytes, and `%XX` with uppercase
/// hex whose byte is *not* unreserved (so decoding then re-encoding gives it back unchanged).
fn is_canonical_component(component: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&byte) = component.get(i) {
        if UNRESERVED[usize::from(byte)] {
            i += 1;
        } else if byte == b'%' && i + 2 < component.len() {
            let (hi, lo) = (component[i + 1], component[i + 2]);
            let upper = |b: u8| UPPER_HEX_VALUE[usize::from(b)];
            match (upper(hi), upper(lo)) {
                (Some(hi), Some(lo)) if !UNRESERVED[usize::from((hi << 4) | lo)] => i += 3,
                _ => return false,
            }
        } else {
            return false;
        }
    }
    true
}

/// Values of the uppercase hex digits `0-9 A-F` (lowercase is not canonical).
const UPPER_HEX_VALUE: [Option<u8>; 256] = {
    let mut table = [None; 256];
    let mut d = 0;
    while d < 10 {
        table[b'0' as usize + d] = Some(d as u8);
        d += 1;
    }
    let mut h = 0;
    while h < 6 {
        table[b'A' as usize + h] = Some(10 + h as u8);
        h += 1;
    }
    table
};

/// Splits a query part at its first `=` (no `=`: empty value).
fn split_pair(part: &[u8]) -> (&[u8], &[u8]) {
    match part.iter().position(|&b| b == b'=') {
        Some(eq) => (&part[..eq], &part[eq + 1..]),
        None => (part, &[]),
    }
}

/// Collects the non-empty `&`-separated parts of `text` as (name, value) pairs into `inline`
/// (spilling to `spilled` past 16), returning how many there are. With `require_canonical`, stops
/// and returns `None` at the first component that is not already canonical.
fn collect_pairs<'t>(
    text: &'t [u8],
    require_canonical: bool,
    inline: &mut [(&'t [u8], &'t [u8]); 16],
    spilled: &mut Vec<(&'t [u8], &'t [u8])>,
) -> Option<usize> {
    let mut count = 0;
    for part in text.split(|&b| b == b'&') {
        if part.is_empty() {
            continue;
        }
        let pair = split_pair(part);
        if require_canonical && !(is_canonical_component(pair.0) && is_canonical_component(pair.1))
        {
            return None;
        }
        if count < inline.len() {
            inline[count] = pair;
        } else {
            if spilled.is_empty() {
                spilled.extend_from_slice(inline);
            }
            spilled.push(pair);
        }
        count += 1;
    }
    Some(count)
}

/// Appends the canonical form of `raw_query` to `out`.
fn push_canonical_query(raw_query: &str, out: &mut Vec<u8>) {
    let raw = raw_query.as_bytes();
    if raw.is_empty() {
        return;
    }
    // Queries our own signers send are usually canonical already: then the pairs are slices of the
    // input and nothing is re-encoded. Otherwise every component is encoded once into `storage`
    // as `name=value&…`, whose separators are unambiguous (both are percent-encoded inside).
    // Up to 16 pairs are sorted on the stack.
    let mut inline: [(&[u8], &[u8]); 16] = [(&[], &[]); 16];
    let mut spilled = Vec::new();
    let mut storage = Vec::new();
    let count = match collect_pairs(raw, true, &mut inline, &mut spilled) {
        Some(count) => count,
        None => {
            storage.reserve(raw.len() + raw.len() / 2);
            for part in raw.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
                let (name, value) = split_pair(part);
                push_canonical_component(name, &mut storage);
                storage.push(b'=');
                push_canonical_component(value, &mut storage);
                storage.push(b'&');
            }
            inline = [(&[], &[]); 16];
            spilled = Vec::new();
            collect_pairs(&storage, false, &mut inline, &mut spilled).unwrap_or(0)
        }
    };
    let pairs: &mut [(&[u8], &[u8])] = if spilled.is_empty() {
        &mut inline[..count]
    } else {
        &mut spilled
    };
    // Sorting (name, value) slice pairs orders by name, then value, in byte order.
    pairs.sort_unstable();
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push(b'&');
        }
        out.extend_from_slice(name);
        out.push(b'=');
        out.extend_from_slice(value);
    }
}

/// Lowercase hex SHA-256 of the body bytes.
pub fn body_sha256_hex(body: &[u8]) -> String {
    crate::hex::encode(&Sha256::digest(body))
}

/// The inputs of a canonical request, validated by the caller (key id, timestamp text, nonce and
/// method charsets), not yet canonicalized.
#[derive(Debug, Clone, Copy)]
pub struct CanonicalParts<'a> {
    /// Key id.
    pub key_id: &'a str,
    /// Timestamp text, as signed (the verifier keeps the header's text verbatim).
    pub timestamp: &'a str,
    /// Nonce.
    pub nonce: &'a str,
    /// HTTP method, any case (an RFC 9110 token); uppercased here.
    pub method: &'a str,
    /// Path as sent.
    pub path: &'a str,
    /// Raw query (canonicalized here).
    pub raw_query: &'a str,
    /// Exact body bytes (hashed here).
    pub body: &'a [u8],
}

impl CanonicalParts<'_> {
    /// The eight lines joined by `\n`.
    pub fn to_canonical_request(&self) -> String {
        let mut out = Vec::with_capacity(self.capacity_hint());
        self.write_to(&mut out);
        // Every input is `&str` and every byte added is ASCII, so this is valid UTF-8; the lossy
        // fallback only exists so this hot path has no panic.
        String::from_utf8(out)
            .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
    }

    /// Bytes the canonical request will most likely need (so one allocation suffices).
    pub(crate) fn capacity_hint(&self) -> usize {
        100 + self.key_id.len()
            + self.timestamp.len()
            + self.nonce.len()
            + self.method.len()
            + self.path.len()
            + 2 * self.raw_query.len()
    }

    /// Appends the canonical request to `out` (this runs on every request: one pass, no
    /// intermediate strings).
    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        for line in [
            b"v1".as_slice(),
            self.key_id.as_bytes(),
            self.timestamp.as_bytes(),
            self.nonce.as_bytes(),
        ] {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        if self.method.bytes().any(|b| b.is_ascii_lowercase()) {
            out.extend(self.method.bytes().map(|b| b.to_ascii_uppercase()));
        } else {
            out.extend_from_slice(self.method.as_bytes());
        }
        out.push(b'\n');
        out.extend_from_slice(self.path.as_bytes());
        out.push(b'\n');
        push_canonical_query(self.raw_query, out);
        out.push(b'\n');
        crate::hex::push_lower(&Sha256::digest(self.body), out);
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
    fn long_numeric_hosts_and_ports_do_not_overflow() {
        // Found by `cargo fuzz run canonical_query`: a 60-digit host overflowed the IPv4 check.
        let url = "http://111111111111111111111111111111111111111111111111115%2F1111111111111111111111111111157:57t/9p://57";
        assert_eq!(
            RequestTarget::parse(url).map(|t| t.path.into_owned()).ok(),
            RequestTarget::parse_slow(url).map(|t| t.0).ok()
        );
        assert!(RequestTarget::parse("http://h:99999999999999999999/").is_err());
        assert!(RequestTarget::parse("http://99999999999999999999/").is_err());
    }

    #[test]
    fn everyday_urls_take_the_fast_path() {
        for url in [
            "https://api.withpersona.com/api/v1/inquiries?page[size]=10&filter[status]=completed",
            "http://127.0.0.1:8080/api/v1/accounts/act_123",
            "http://localhost:3000",
            "/api/v1/inquiries?include=account",
        ] {
            let target = RequestTarget::parse(url).unwrap();
            assert!(matches!(target.path, Cow::Borrowed(_)), "{url}");
        }
    }

    #[test]
    fn targets() {
        let pair = |url: &str| {
            let t = RequestTarget::parse(url).unwrap();
            (t.path.into_owned(), t.query.into_owned())
        };
        let t = RequestTarget::parse("https://api.example.com").unwrap();
        assert_eq!((&*t.path, &*t.query), ("/", ""));
        let t = RequestTarget::parse("https://h/a/./b/../c?x=1#frag").unwrap();
        assert_eq!((&*t.path, &*t.query), ("/a/c", "x=1"));
        let t = RequestTarget::parse("https://h/a%2Fb?").unwrap();
        assert_eq!((&*t.path, &*t.query), ("/a%2Fb", ""));
        let t = RequestTarget::parse("https://h/p?q=a b").unwrap();
        assert_eq!(t.query, "q=a%20b");
        assert_eq!(
            pair("https://h:8443/a/b?c=1#x"),
            ("/a/b".into(), "c=1".into())
        );
        let t = RequestTarget::parse("/api/v1/inquiries?x=1").unwrap();
        assert_eq!((&*t.path, &*t.query), ("/api/v1/inquiries", "x=1"));
        let t = RequestTarget::parse("//a/b?c").unwrap();
        assert_eq!((&*t.path, &*t.query), ("//a/b", "c"));
        for bad in ["ftp://h/x", "not a url", "", "mailto:a@b"] {
            assert!(RequestTarget::parse(bad).is_err(), "{bad:?}");
        }
    }
}
