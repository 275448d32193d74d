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
use crate::fields::UNRESERVED;

/// The signed parts of a URL: the path as sent and the raw query (after WHATWG URL parsing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTarget<'a> {
    /// Path exactly as it goes on the wire (never empty: an empty path is `/`).
    pub path: Cow<'a, str>,
    /// Raw query without the `?` (empty when absent or `?` alone). Only its canonical form is
    /// signed, and that equals the canonical form of the query WHATWG parsing gives; it may still
    /// hold bytes WHATWG would percent-encode (`"`, `<`, non-ASCII, ...), which canonicalization
    /// encodes the same way.
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
    use crate::fields::byte_class as class;

    /// `host[:port]` characters.
    const AUTHORITY: [bool; 256] = class(true, b"-.:");
    /// ASCII digits.
    const DIGITS: [bool; 256] = class(false, b"0123456789");
    /// Path characters WHATWG parsing leaves untouched (`?` and `#` end the path).
    const PATH: [bool; 256] = class(true, b"-._~/!$&'()*+,;=:@%");

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

    /// Where a simple `host[:port]` starting at `start` ends, in one pass; `None` if the
    /// authority needs the full parser. Simple means: a plain IPv4 address, or dot-separated LDH
    /// labels whose last starts with a letter (so WHATWG never tries to read it as a number), and
    /// a port of at most 65535.
    fn authority_end(bytes: &[u8], start: usize) -> Option<usize> {
        let (mut label_len, mut label_first) = (0usize, 0u8);
        let mut i = start;
        loop {
            match bytes.get(i) {
                Some(&b) if b.is_ascii_alphanumeric() || b == b'-' => {
                    if label_len == 0 {
                        label_first = b;
                    }
                    label_len += 1;
                }
                Some(b'.') if label_len > 0 => label_len = 0,
                Some(b'.') => return None,
                _ => break,
            }
            i += 1;
        }
        let host = &bytes[start..i];
        let host_ok = if host.last().is_some_and(u8::is_ascii_digit) {
            is_plain_ipv4(host)
        } else {
            label_len > 0 && label_first.is_ascii_alphabetic()
        };
        if !host_ok {
            return None;
        }
        if bytes.get(i) == Some(&b':') {
            let port_start = i + 1;
            i = scan(bytes, port_start, &DIGITS);
            let port = &bytes[port_start..i];
            if port.is_empty() || port.len() > 5 || decimal_value(port).is_none_or(|v| v > 65_535) {
                return None;
            }
        }
        // Anything authority-like left over (`h:80:81`, `h:80x`) is for the full parser.
        if bytes.get(i).is_some_and(|&b| AUTHORITY[usize::from(b)]) {
            return None;
        }
        Some(i)
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

    /// Where the path starting at `start` ends (its first byte outside [`PATH`]), or `None` if a
    /// segment could be a dot segment (`.`, `..`, `%2e`, ...): WHATWG resolves those, so they take
    /// the full parser.
    fn path_end(bytes: &[u8], start: usize) -> Option<usize> {
        let mut i = start;
        while let Some(&b) = bytes.get(i) {
            if !PATH[usize::from(b)] {
                break;
            }
            // A segment starts after each `/`; look only there.
            if b == b'/' {
                match bytes.get(i + 1) {
                    Some(b'.') => return None,
                    Some(b'%')
                        if bytes.get(i + 2) == Some(&b'2')
                            && bytes.get(i + 3).is_some_and(|e| e | 0x20 == b'e') =>
                    {
                        return None;
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        Some(i)
    }

    /// Where the query starting at `start` ends (the first `#`, or the end of the URL), or `None`
    /// if it holds a byte WHATWG parsing strips or trims (tab, newline, other controls, space).
    ///
    /// Every other byte may stay as it is: WHATWG only percent-encodes query bytes (`"`, `<`,
    /// non-ASCII, ...), and canonicalization decodes `%XX` and re-encodes every such byte
    /// identically, so the raw query and WHATWG's query have the same canonical form (a property
    /// test checks this). Scans eight bytes per step: this runs on every request.
    fn query_end(bytes: &[u8], start: usize) -> Option<usize> {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
        let rest = bytes.get(start..)?;
        let mut clean = 0;
        for chunk in rest.chunks_exact(8) {
            let word = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).ok()?);
            // Classic SWAR tests: some byte is below 0x21, or some byte equals `#`.
            let below_0x21 = word.wrapping_sub(ONES * 0x21) & !word & HIGH_BITS;
            let hashes = word ^ (ONES * u64::from(b'#'));
            let has_hash = hashes.wrapping_sub(ONES) & !hashes & HIGH_BITS;
            if below_0x21 | has_hash != 0 {
                break;
            }
            clean += 8;
        }
        for (i, &b) in rest[clean..].iter().enumerate() {
            match b {
                b'#' => return Some(start + clean + i),
                0..=0x20 => return None,
                _ => {}
            }
        }
        Some(bytes.len())
    }

    /// (path, raw query) if `url` is simple enough to slice; `None` means "use the full parser".
    pub(super) fn split(url: &str) -> Option<(&str, &str)> {
        let bytes = url.as_bytes();
        let path_start = if bytes.starts_with(b"https://") || bytes.starts_with(b"http://") {
            let host_start = if bytes[4] == b's' { 8 } else { 7 };
            authority_end(bytes, host_start)?
        } else if bytes.first() == Some(&b'/') {
            0
        } else {
            return None;
        };
        let path_end = path_end(bytes, path_start)?;
        let (query_start, query_end) = match bytes.get(path_end) {
            Some(b'?') => (path_end + 1, query_end(bytes, path_end + 1)?),
            _ => (path_end, path_end),
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
        if path_start > 0 && path_end > path_start && bytes[path_start] != b'/' {
            return None;
        }
        let path = if path_end == path_start {
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

/// Appends `raw` percent-decoded (`%XX` with two hex digits only; any other `%` is literal, `+`
/// stays `+`) and re-encoded (keep `A-Z a-z 0-9 - . _ ~`, every other byte as uppercase `%XX`).
fn push_canonical_component(raw: &[u8], out: &mut String) {
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
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(UPPER[usize::from(byte >> 4)]));
            out.push(char::from(UPPER[usize::from(byte & 0x0f)]));
        }
    }
}

/// Canonicalizes a raw query string (without `?`): split at `&`, skip empty parts, split each at the
/// first `=`, percent-decode, re-encode, sort by name then value (bytes), join with `&`.
pub fn canonical_query(raw_query: &str) -> String {
    let mut out = String::with_capacity(raw_query.len() + raw_query.len() / 2);
    push_canonical_query(raw_query, &mut out);
    out
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

/// True when `bytes[at..]` starts with `%XX` in canonical form: uppercase hex whose byte is *not*
/// unreserved (so decoding then re-encoding gives it back unchanged).
fn is_canonical_escape(bytes: &[u8], at: usize) -> bool {
    let upper = |i: usize| bytes.get(i).and_then(|&b| UPPER_HEX_VALUE[usize::from(b)]);
    matches!((upper(at + 1), upper(at + 2)), (Some(hi), Some(lo)) if !UNRESERVED[usize::from((hi << 4) | lo)])
}

/// Splits a query part at its first `=` (no `=`: empty value).
fn split_pair(part: &[u8]) -> (&[u8], &[u8]) {
    match part.iter().position(|&b| b == b'=') {
        Some(eq) => (&part[..eq], &part[eq + 1..]),
        None => (part, &[]),
    }
}

/// Query pairs, kept on the stack when there are at most 8 (the common case).
struct Pairs<'t> {
    inline: [(&'t str, &'t str); 8],
    count: usize,
    spilled: Vec<(&'t str, &'t str)>,
}

impl<'t> Pairs<'t> {
    fn new() -> Self {
        Self {
            inline: [("", ""); 8],
            count: 0,
            spilled: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.count = 0;
        self.spilled.clear();
    }

    fn push(&mut self, pair: (&'t str, &'t str)) {
        if self.count < self.inline.len() {
            self.inline[self.count] = pair;
        } else {
            if self.spilled.is_empty() {
                self.spilled.extend_from_slice(&self.inline);
            }
            self.spilled.push(pair);
        }
        self.count += 1;
    }

    fn as_mut_slice(&mut self) -> &mut [(&'t str, &'t str)] {
        if self.spilled.is_empty() {
            &mut self.inline[..self.count]
        } else {
            &mut self.spilled
        }
    }
}

/// Collects the non-empty `&`-separated parts of `text` as (name, value) pairs, in one pass. With
/// `require_canonical`, returns false at the first byte that is not already in canonical form
/// (unreserved, a canonical `%XX`, or the part's first `=`).
fn collect_pairs<'t>(text: &'t str, require_canonical: bool, pairs: &mut Pairs<'t>) -> bool {
    let bytes = text.as_bytes();
    // Bytes that need no decision: a canonical component's unreserved bytes, or (in text we
    // encoded ourselves) anything but the separators.
    let ordinary = if require_canonical {
        &UNRESERVED
    } else {
        &NOT_SEPARATOR
    };
    let (mut part_start, mut eq) = (0, None);
    let mut i = 0;
    loop {
        // Runs of ordinary bytes dominate: skip them in a tight loop.
        while bytes.get(i).is_some_and(|&b| ordinary[usize::from(b)]) {
            i += 1;
        }
        let byte = bytes.get(i).copied();
        match byte {
            None | Some(b'&') => {
                if i > part_start {
                    // Every index is at an ASCII byte, so these slices are on char boundaries.
                    let pair = match eq {
                        Some(eq) => (text.get(part_start..eq), text.get(eq + 1..i)),
                        None => (text.get(part_start..i), Some("")),
                    };
                    let (Some(name), Some(value)) = pair else {
                        return false;
                    };
                    pairs.push((name, value));
                }
                if byte.is_none() {
                    return true;
                }
                (part_start, eq) = (i + 1, None);
                i += 1;
            }
            Some(b'=') if eq.is_none() => {
                eq = Some(i);
                i += 1;
            }
            Some(b'%') if is_canonical_escape(bytes, i) => i += 3,
            Some(_) => return false,
        }
    }
}

/// Every byte except `&` and `=`.
const NOT_SEPARATOR: [bool; 256] = {
    let mut table = [true; 256];
    table[b'&' as usize] = false;
    table[b'=' as usize] = false;
    table
};

/// Every component of `raw_query` canonically encoded, as `name=value&…` (whose separators are
/// unambiguous: both are percent-encoded inside components).
fn encode_components(raw_query: &str) -> String {
    let raw = raw_query.as_bytes();
    let mut encoded = String::with_capacity(raw.len() + raw.len() / 2);
    for part in raw.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = split_pair(part);
        push_canonical_component(name, &mut encoded);
        encoded.push('=');
        push_canonical_component(value, &mut encoded);
        encoded.push('&');
    }
    encoded
}

/// Byte order of (name, value) pairs, deciding on the names' first bytes without a `memcmp` call
/// when they differ (they usually do; a full comparison otherwise). Same order as `Ord` on the
/// tuple, which a test checks.
fn pair_order(a: &(&str, &str), b: &(&str, &str)) -> std::cmp::Ordering {
    match a.0.as_bytes().first().cmp(&b.0.as_bytes().first()) {
        std::cmp::Ordering::Equal => a.cmp(b),
        decided => decided,
    }
}

/// Appends the canonical form of `raw_query` to `out`.
fn push_canonical_query(raw_query: &str, out: &mut String) {
    if raw_query.is_empty() {
        return;
    }
    // Queries our own signers send are usually canonical already: then the pairs are slices of the
    // input and nothing is re-encoded. Otherwise every component is encoded once into `storage`.
    let storage;
    let mut pairs = Pairs::new();
    if !collect_pairs(raw_query, true, &mut pairs) {
        pairs.clear();
        storage = encode_components(raw_query);
        collect_pairs(&storage, false, &mut pairs);
    }
    let pairs = pairs.as_mut_slice();
    // Sorting (name, value) string pairs orders by name, then value, in byte order.
    pairs.sort_unstable_by(pair_order);
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
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
        let mut out = String::with_capacity(self.capacity_hint());
        self.write_to(&mut out);
        out
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
    pub(crate) fn write_to(&self, out: &mut String) {
        for line in ["v1", self.key_id, self.timestamp, self.nonce] {
            out.push_str(line);
            out.push('\n');
        }
        if self.method.bytes().any(|b| b.is_ascii_lowercase()) {
            out.extend(self.method.chars().map(|c| c.to_ascii_uppercase()));
        } else {
            out.push_str(self.method);
        }
        out.push('\n');
        out.push_str(self.path);
        out.push('\n');
        push_canonical_query(self.raw_query, out);
        out.push('\n');
        crate::hex::push_digest(&Sha256::digest(self.body).into(), out);
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
    fn pair_order_is_tuple_byte_order() {
        let words = ["", "a", "A", "ab", "a%20", "b", "%7E", "~", "aa", "a="];
        let pairs: Vec<(&str, &str)> = words
            .iter()
            .flat_map(|&name| words.iter().map(move |&value| (name, value)))
            .collect();
        for a in &pairs {
            for b in &pairs {
                assert_eq!(pair_order(a, b), a.cmp(b), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn many_pairs_spill_past_the_stack_buffer() {
        // 20 pairs in reverse order: past the 8 kept on the stack, canonical and not.
        let names: Vec<String> = (0..20).rev().map(|i| format!("p{i:02}")).collect();
        let raw = names
            .iter()
            .map(|n| format!("{n}=1"))
            .collect::<Vec<_>>()
            .join("&");
        let mut sorted = names.clone();
        sorted.sort();
        let expected = sorted
            .iter()
            .map(|n| format!("{n}=1"))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(canonical_query(&raw), expected);
        let raw_lower = raw.replace("=1", "=%2a");
        assert_eq!(canonical_query(&raw_lower), expected.replace("=1", "=%2A"));
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
