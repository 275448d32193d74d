//! Property tests: sign → verify round trips; any signed change is detected; reordering query
//! parameters is not a change; parsers never panic on arbitrary input.

// Test code: a failed unwrap or panic is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use persona::canonical::{RequestTarget, canonical_query};
use persona::webhook::header;
use persona::{RequestSigner, RequestVerifier, WebhookVerifier, sign_webhook};
use proptest::prelude::*;

const NOW: i64 = 1_700_000_000;

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_owned()),
        Just("post".to_owned()),
        Just("PATCH".to_owned()),
        "[A-Za-z]{1,10}",
    ]
}

/// A path segment. Not `.` or `..`: URL parsing resolves those before anything is signed
/// (`/0/..` is `/`), so a change next to them can be no change at all to the signed request.
fn segment() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~-]{1,12}".prop_filter("dot segments are resolved, not signed", |s| {
        s != "." && s != ".."
    })
}

fn query_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[a-z]{1,6}", "[A-Za-z0-9]{0,8}"), 0..6)
}

fn nonce() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~-]{8,40}"
}

fn url(path: &[String], pairs: &[(String, String)]) -> String {
    let query: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
    let mut url = format!("https://api.example.com/{}", path.join("/"));
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    url
}

struct Signed {
    method: String,
    url: String,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

fn sign(method: &str, url: &str, body: &[u8], timestamp: i64, nonce: &str) -> Signed {
    let signed = RequestSigner::new("kid", "prop-secret")
        .unwrap()
        .sign_with(method, url, body, Some(timestamp), Some(nonce))
        .unwrap();
    Signed {
        method: method.to_owned(),
        url: url.to_owned(),
        body: body.to_vec(),
        headers: signed
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    }
}

fn verify(request: &Signed) -> Result<(), String> {
    let verifier = RequestVerifier::builder()
        .key("kid", "prop-secret")
        .build()
        .unwrap();
    verifier
        .verify_at(
            &request.method,
            &request.url,
            request
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str())),
            &request.body,
            NOW,
        )
        .map(|_| ())
        .map_err(|e| e.code().to_owned())
}

fn set_header(request: &mut Signed, name: &str, value: String) {
    for (n, v) in &mut request.headers {
        if n == name {
            *v = value.clone();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn round_trip(method in method(), path in prop::collection::vec(segment(), 0..4),
                  pairs in query_pairs(), body in prop::collection::vec(any::<u8>(), 0..512),
                  skew in -300i64..=300, nonce in nonce()) {
        let request = sign(&method, &url(&path, &pairs), &body, NOW + skew, &nonce);
        prop_assert_eq!(verify(&request), Ok(()));
    }

    #[test]
    fn reordering_query_parameters_is_not_a_change(pairs in query_pairs(), nonce in nonce(), seed in any::<u64>()) {
        let request = sign("GET", &url(&[], &pairs), b"", NOW, &nonce);
        let mut shuffled = pairs.clone();
        // A deterministic shuffle driven by the seed.
        let len = shuffled.len();
        for i in (1..len).rev() {
            let j = usize::try_from(seed.wrapping_mul(i as u64 + 7) % (i as u64 + 1)).unwrap();
            shuffled.swap(i, j);
        }
        let reordered = Signed { url: url(&[], &shuffled), ..request };
        prop_assert_eq!(verify(&reordered), Ok(()));
    }

    #[test]
    fn any_signed_change_is_detected(path in prop::collection::vec(segment(), 1..4),
                                     pairs in query_pairs().prop_filter("need a pair", |p| !p.is_empty()),
                                     body in prop::collection::vec(any::<u8>(), 0..256),
                                     nonce in nonce(), which in 0usize..7, extra in "[a-z0-9]{1,4}") {
        let original_url = url(&path, &pairs);
        let mut request = sign("POST", &original_url, &body, NOW, &nonce);
        match which {
            0 => request.method = "PUT".into(),
            1 => { let mut p = path.clone(); p[0].push_str(&extra); request.url = url(&p, &pairs); }
            2 => { let mut q = pairs.clone(); q[0].1.push_str(&extra); request.url = url(&path, &q); }
            3 => request.body.extend_from_slice(extra.as_bytes()),
            4 => { if request.body.is_empty() { request.body.push(0) } else { request.body[0] ^= 1 } }
            5 => set_header(&mut request, "Persona-Timestamp", (NOW + 1).to_string()),
            _ => set_header(&mut request, "Persona-Nonce", format!("{nonce}{extra}").chars().take(128).collect()),
        }
        prop_assert_eq!(verify(&request), Err("signature_mismatch".to_owned()));
    }

    #[test]
    fn webhook_round_trip_and_tamper(body in prop::collection::vec(any::<u8>(), 0..1024), skew in -300i64..=300, flip in any::<prop::sample::Index>()) {
        let header = sign_webhook("whsec", &body, NOW + skew).unwrap();
        let verifier = WebhookVerifier::new(["whsec"]).unwrap();
        prop_assert!(verifier.verify_at(&header, &body, NOW).is_ok());
        if !body.is_empty() {
            let mut tampered = body.clone();
            tampered[flip.index(body.len())] ^= 0x80;
            prop_assert_eq!(verifier.verify_at(&header, &tampered, NOW).unwrap_err().code(), "no_matching_signature");
        }
    }

    #[test]
    fn parsers_never_panic(text in any::<String>(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = header::parse(&text);
        let _ = canonical_query(&text);
        let _ = RequestTarget::parse(&text);
        let verifier = WebhookVerifier::new(["s"]).unwrap();
        let _ = verifier.verify_at(&text, &bytes, NOW);
        let request_verifier = RequestVerifier::builder().key("kid", "s").replay_cache(4).build().unwrap();
        let headers = [
            ("authorization", text.as_str()),
            ("persona-timestamp", text.as_str()),
            ("persona-nonce", text.as_str()),
            ("persona-signature", text.as_str()),
        ];
        let _ = request_verifier.verify_at(&text, &text, headers.iter().map(|(n, v)| (*n, *v)), &bytes, NOW);
    }

    #[test]
    fn webhook_header_grammar_never_panics(parts in prop::collection::vec("(t|v1|v0|T|)(=)?[0-9a-f ,\t=]{0,70}", 0..20)) {
        let header = parts.join(",");
        let _ = header::parse(&header);
        let _ = WebhookVerifier::new(["s"]).unwrap().verify_at(&header, b"x", NOW);
    }
}

fn url_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9]{1,6}",
        Just("/".to_owned()),
        Just("//".to_owned()),
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("%2e".to_owned()),
        Just("%2E".to_owned()),
        Just("%zz".to_owned()),
        Just("%41".to_owned()),
        Just("?".to_owned()),
        Just("#".to_owned()),
        Just("&".to_owned()),
        Just("=".to_owned()),
        prop::sample::select(vec![
            "+", "[", "]", "^", "|", "`", "{", "}", "\"", "<", ">", "'", " ", "\t", "\\", "é", "~",
            "-", "_", "!", "$", "(", ")", "*", ",", ";", ":", "@", "%", "\n", "\u{0}", "\r",
            "\u{1f}", "\u{7f}", "€", "%4", "%e9", "%C3", "%3D", "%26",
        ])
        .prop_map(str::to_owned),
    ]
}

/// Query text: every byte class WHATWG treats specially in a query (stripped, trimmed,
/// percent-encoded, or ending the query), mixed with escapes and separators.
fn query_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9]{1,3}",
        prop::sample::select(vec![
            "&", "=", "%", "%4", "%41", "%e9", "%C3", "%3D", "%26", "%zz", "+", "#", "?", "/",
            "\t", "\n", "\r", " ", "\u{0}", "\u{1f}", "\u{7f}", "\"", "<", ">", "'", "`", "{", "}",
            "|", "^", "\\", "[", "]", "é", "€", "😀", "~", ".", "-", "_", "!", "$", "(", ")", "*",
            ",", ";", ":", "@",
        ])
        .prop_map(str::to_owned),
    ]
}

fn url_prefix() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "https://api.example.com",
        "http://localhost:8080",
        "https://EXAMPLE.com",
        "HTTPS://api.example.com",
        "https://1.2.3.4",
        "https://a..b",
        "https://h:99999",
        "https://h:",
        "https://user@h",
        "https://[::1]",
        "https://0x7f",
        "http://111111111111111111111111111111111111111111111111115",
        "https://h:999999999999999999999",
        "https://256.1.1.1",
        "https://01.1.1.1",
        "https://h.example.",
        "https:h",
        "https:///h",
        "ftp://h",
        "",
        " https://h",
    ])
    .prop_map(str::to_owned)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// The same, for queries: the fast path keeps the raw query, WHATWG percent-encodes, strips
    /// and trims; both must canonicalize identically.
    #[test]
    fn query_fast_path_agrees_with_whatwg(pieces in prop::collection::vec(query_piece(), 0..12)) {
        let url = format!("https://api.example.com/p?{}", pieces.concat());
        let fast = RequestTarget::parse(&url).map(|t| (t.path.into_owned(), canonical_query(&t.query)));
        let slow = RequestTarget::parse_slow(&url).map(|(path, query)| (path, canonical_query(&query)));
        prop_assert_eq!(fast.ok(), slow.ok(), "{:?}", url);
    }

    /// The fast path for plain URLs must agree with full WHATWG parsing on every input: the same
    /// path, and a query with the same canonical form (the fast path leaves bytes WHATWG would
    /// percent-encode as they are; canonicalization encodes them alike).
    #[test]
    fn url_fast_path_agrees_with_whatwg(prefix in url_prefix(), pieces in prop::collection::vec(url_piece(), 0..10)) {
        let url = format!("{prefix}{}", pieces.concat());
        let fast = RequestTarget::parse(&url).map(|t| (t.path.into_owned(), canonical_query(&t.query)));
        let slow = RequestTarget::parse_slow(&url).map(|(path, query)| (path, canonical_query(&query)));
        match (fast, slow) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "{:?}", url),
            (Err(_), Err(_)) => {}
            (a, b) => prop_assert!(false, "{url:?}: fast {a:?} vs whatwg {b:?}"),
        }
    }
}
