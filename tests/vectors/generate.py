#!/usr/bin/env python3
"""Generate the shared known-answer vectors for libpersona.

This is an INDEPENDENT implementation of the two schemes (issue 2 sections 3 and 4, as settled by
docs/CONTRACT-NOTES.md), written from the contract text only, using nothing but the Python 3.11
standard library. It never calls or reads the Rust code under test.

    python3 tests/vectors/generate.py           # rewrite request_signing.json and webhooks.json
    python3 tests/vectors/generate.py --check   # exit 1 if the files on disk differ (CI drift test)

Every case below states the outcome its author intended (`want`). The generator computes the real
expectation by running the implementation in this file and refuses to write anything when the two
disagree, so a bug here cannot silently turn into a wrong expectation. Some cases also carry
hand-written canonical strings that are asserted the same way.

URLs: the Rust side takes the path and query from WHATWG URL parsing, which urllib does not
implement. `simple_url` below handles only URLs that WHATWG leaves unchanged and raises
`NeedsHandDerivation` for anything else; those few URLs are listed in `HAND_DERIVED` with the
WHATWG result worked out by hand (and the generator checks that each of them really needs it).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REQUEST_FILE = os.path.join(HERE, "request_signing.json")
WEBHOOK_FILE = os.path.join(HERE, "webhooks.json")

I64_MAX = 2**63 - 1
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
ID_CHARS = frozenset(ALNUM + "._~-")  # key id and nonce charset
TCHARS = frozenset(ALNUM + "!#$%&'*+-.^_`|~")  # RFC 9110 token
UNRESERVED_BYTES = frozenset((ALNUM + "-._~").encode("ascii"))
HEX_ANY = frozenset("0123456789abcdefABCDEF")
HEX_LOWER = frozenset("0123456789abcdef")
SP_TAB = " \t"  # CONTRACT-NOTES: "spaces/tabs" and "whitespace" mean only U+0020 and U+0009
WEBHOOK_MAX_HEADER_BYTES = 16384
WEBHOOK_MAX_SETS = 16


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def ascii_upper(s: str) -> str:
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in s)


def ascii_lower(s: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def trim(s: str) -> str:
    return s.strip(SP_TAB)


def is_ascii_digits(s: str) -> bool:
    return s != "" and all("0" <= c <= "9" for c in s)


def is_i64_decimal(s: str) -> bool:
    """1+ ASCII digits (leading zeros allowed) whose value fits i64."""
    return is_ascii_digits(s) and int(s) <= I64_MAX


def valid_key_id(s: str) -> bool:
    return 1 <= len(s) <= 128 and all(c in ID_CHARS for c in s)


def valid_nonce(s: str) -> bool:
    return 8 <= len(s) <= 128 and all(c in ID_CHARS for c in s)


def is_token(s: str) -> bool:
    return s != "" and all(c in TCHARS for c in s)


# Body specs, exactly one form each: {"utf8": s} | {"base64": s} | {"repeat": s, "times": n}
def U(text: str) -> dict:
    return {"utf8": text}


def B(data: bytes) -> dict:
    return {"base64": base64.b64encode(data).decode("ascii")}


def R(unit: str, times: int) -> dict:
    return {"repeat": unit, "times": times}


def body_bytes(spec: dict) -> bytes:
    if set(spec) == {"utf8"}:
        return spec["utf8"].encode("utf-8")
    if set(spec) == {"base64"}:
        return base64.b64decode(spec["base64"], validate=True)
    if set(spec) == {"repeat", "times"}:
        return spec["repeat"].encode("utf-8") * spec["times"]
    raise ValueError(f"bad body spec {spec!r}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hmac_sha256(key: str, msg: bytes) -> bytes:
    return hmac.new(key.encode("utf-8"), msg, hashlib.sha256).digest()


# --------------------------------------------------------------------------------------------
# URL: path and query as WHATWG would report them
# --------------------------------------------------------------------------------------------


class NeedsHandDerivation(Exception):
    """The URL is one WHATWG would rewrite; its result must come from HAND_DERIVED."""


class InvalidUrl(Exception):
    """Not an http(s) URL or request target; `reason` is the library's wording of why."""

    NOT_ABSOLUTE = "not a valid absolute http(s) URL"
    SCHEME = "scheme must be http or https"

    def __init__(self, url: str, reason: str = NOT_ABSOLUTE):
        super().__init__(url)
        self.reason = reason


# url -> (path, query or None, explanation). Each was derived by hand from the WHATWG URL
# Standard (path state / query state, percent-encode sets) and is restated in the case description.
HAND_DERIVED: dict[str, tuple[str, str | None, str]] = {
    "https://api.example.com/a/./b/../c": (
        "/a/c",
        None,
        "WHATWG drops the `.` segment and resolves `b/..`, so the path is `/a/c`",
    ),
    "https://api.example.com/caf\u00e9 menu/items": (
        "/caf%C3%A9%20menu/items",
        None,
        "WHATWG percent-encodes the path: `\u00e9` becomes its UTF-8 bytes `%C3%A9` and the space `%20`",
    ),
    "https://api.example.com/a/b/%2e%2E/c/%2E/d": (
        "/a/c/d",
        None,
        "WHATWG treats `%2e%2E` as a `..` segment (removing `b`) and `%2E` as a `.` segment, so the path is `/a/c/d`",
    ),
    "https://api.example.com/a\\b/c": (
        "/a/b/c",
        None,
        "for http(s) WHATWG treats `\\` as a path separator, so the path is `/a/b/c`",
    ),
    "https://api.withpersona.com/api/v1/inquiries?page[size]=2&filter[status]=completed": (
        "/api/v1/inquiries",
        "page[size]=2&filter[status]=completed",
        "WHATWG leaves `[` and `]` in a query unchanged, so the raw query is `page[size]=2&filter[status]=completed`",
    ),
    "https://api.example.com/search?q=a b": (
        "/search",
        "q=a%20b",
        "WHATWG percent-encodes the space in the query, so the raw query is `q=a%20b`",
    ),
    "https://api.example.com/people?name=Jos\u00e9&city=Z\u00fcrich": (
        "/people",
        "name=Jos%C3%A9&city=Z%C3%BCrich",
        "WHATWG UTF-8-percent-encodes non-ASCII in the query: raw query `name=Jos%C3%A9&city=Z%C3%BCrich`",
    ),
}

SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.S)
AUTHORITY_RE = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?")
PATH_SAFE = frozenset(ALNUM + "-._~" + "%!$&'()*+,;=:@/")
QUERY_SAFE = frozenset(ALNUM + "-._~" + "%!$&()*+,;=:@/?")
DOT_SEGMENTS = {".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"}


def simple_url(url: str) -> tuple[str, str | None]:
    """Path and query of a URL that WHATWG parsing leaves untouched.

    Raises InvalidUrl for URLs that are not parseable or not http(s), NeedsHandDerivation for any
    URL where WHATWG would change something (and where this parser would have to guess).
    """
    if any(not ("\x21" <= c <= "\x7e") for c in url) or "\\" in url:
        if url == "":
            raise InvalidUrl(url)
        raise NeedsHandDerivation(url)
    if url.startswith("//"):
        raise NeedsHandDerivation(url)  # scheme-relative; not an origin-form path
    if url.startswith("/"):
        rest = url  # origin-form: relative to a dummy origin (CONTRACT-NOTES)
    else:
        m = SCHEME_RE.fullmatch(url)
        if m is None:
            raise InvalidUrl(url)  # relative reference without a base: WHATWG failure
        if ascii_lower(m.group(1)) not in ("http", "https"):
            # WHATWG parses other schemes (the library then refuses the scheme), except a special
            # scheme whose host is empty, which does not parse at all.
            special = ascii_lower(m.group(1)) in ("ftp", "ws", "wss", "file")
            if special and m.group(2).startswith("//") and m.group(2)[2:3] in ("", "/", "?", "#"):
                raise InvalidUrl(url)
            raise InvalidUrl(url, InvalidUrl.SCHEME)
        after = m.group(2)
        if not after.startswith("//") or after.startswith("///"):
            raise NeedsHandDerivation(url)
        after = after[2:]
        end = min([i for i in (after.find("/"), after.find("?"), after.find("#")) if i >= 0] + [len(after)])
        authority, rest = after[:end], after[end:]
        if authority == "":
            raise InvalidUrl(url)  # special scheme with an empty host: WHATWG failure
        if not AUTHORITY_RE.fullmatch(authority):
            raise NeedsHandDerivation(url)
    rest, _, _fragment = rest.partition("#")  # the fragment is never signed
    path, qmark, query = rest.partition("?")
    if not all(c in PATH_SAFE for c in path):
        raise NeedsHandDerivation(url)
    if any(ascii_lower(seg) in DOT_SEGMENTS for seg in path.split("/")):
        raise NeedsHandDerivation(url)
    if qmark and not all(c in QUERY_SAFE for c in query):
        raise NeedsHandDerivation(url)
    return (path if path else "/"), (query if qmark else None)


def url_path_query(url: str) -> tuple[str, str | None]:
    if url in HAND_DERIVED:
        try:
            simple_url(url)
        except NeedsHandDerivation:
            pass
        else:
            raise AssertionError(f"{url!r} is in HAND_DERIVED but needs no hand derivation")
        path, query, _ = HAND_DERIVED[url]
        return path, query
    return simple_url(url)


# --------------------------------------------------------------------------------------------
# v1 request signing
# --------------------------------------------------------------------------------------------


def percent_decode(s: str) -> bytes:
    """`%XX` (two hex digits) -> one byte; any other `%` is literal; `+` stays `+`."""
    raw = s.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(raw):
        if (
            raw[i] == 0x25
            and i + 2 < len(raw)
            and chr(raw[i + 1]) in HEX_ANY
            and chr(raw[i + 2]) in HEX_ANY
        ):
            out.append(int(raw[i + 1 : i + 3].decode("ascii"), 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def percent_encode(data: bytes) -> str:
    return "".join(chr(b) if b in UNRESERVED_BYTES else "%%%02X" % b for b in data)


def canonical_query(query: str | None) -> str:
    if not query:
        return ""
    pairs = []
    for part in query.split("&"):
        if part == "":
            continue
        name, _, value = part.partition("=")  # first `=`; no `=` -> empty value
        pairs.append((percent_encode(percent_decode(name)), percent_encode(percent_decode(value))))
    pairs.sort()  # tuples of ASCII strings: by encoded name, then encoded value, byte order
    return "&".join(f"{n}={v}" for n, v in pairs)


def canonical_request(key_id: str, timestamp: str, nonce: str, method: str, url: str, body: bytes) -> str:
    path, query = url_path_query(url)
    return "\n".join(
        ["v1", key_id, timestamp, nonce, ascii_upper(method), path, canonical_query(query), sha256_hex(body)]
    )


def v1_mac(secret: str, canonical: str) -> bytes:
    return hmac_sha256(secret, canonical.encode("utf-8"))


def v1_signature(secret: str, canonical: str) -> str:
    return base64.b64encode(v1_mac(secret, canonical)).decode("ascii")


ID_RULE = "must be 1-128 characters of [A-Za-z0-9._~-]"
NONCE_RULE = "must be 8-128 characters of [A-Za-z0-9._~-]"


def sign_faults(key_id, secret, method, url, timestamp, nonce) -> list[tuple[str, str]]:
    """Every fault of the input, as (code, the library's message)."""
    faults = []
    if not valid_key_id(key_id):
        faults.append(("invalid_key_id", f"invalid key id: {ID_RULE}"))
    if secret == "":
        faults.append(("invalid_secret", "invalid secret: must not be empty"))
    elif "\0" in secret:
        faults.append(("invalid_secret", "invalid secret: must not contain NUL characters"))
    if not valid_nonce(nonce):
        faults.append(("invalid_nonce", f"invalid nonce: {NONCE_RULE}"))
    if timestamp < 0 or timestamp > I64_MAX:
        faults.append(("invalid_timestamp", "invalid timestamp: must not be negative"))
    if not is_token(method):
        faults.append(("invalid_method", "invalid method: must be a non-empty HTTP token (e.g. GET, POST)"))
    try:
        url_path_query(url)
    except InvalidUrl as error:
        faults.append(("invalid_url", f"invalid URL: {error.reason}"))
    return faults


def v1_sign(key_id, secret, method, url, body: bytes, timestamp: int, nonce) -> dict:
    faults = sign_faults(key_id, secret, method, url, timestamp, nonce)
    # Every invalid vector has exactly one fault, so no signer-side precedence is implied.
    assert len(faults) <= 1, f"ambiguous invalid sign input, faults {faults}"
    if faults:
        return {"error": faults[0][0], "message": faults[0][1]}
    canon = canonical_request(key_id, str(timestamp), nonce, method, url, body)
    mac = v1_mac(secret, canon)
    sig = base64.b64encode(mac).decode("ascii")
    assert len(sig) == 44 and sig.endswith("=")
    return {
        "canonical_request": canon,
        "body_sha256": sha256_hex(body),
        "mac_hex": mac.hex(),
        "signature": sig,
        "headers": [
            ["Authorization", f"Bearer {key_id}"],
            ["Persona-Timestamp", str(timestamp)],
            ["Persona-Nonce", nonce],
            ["Persona-Signature", f"v1,{sig}"],
        ],
    }


REQUIRED_HEADERS = ["authorization", "persona-timestamp", "persona-nonce", "persona-signature"]


class RequestVerifier:
    def __init__(self, keys: dict[str, list[str]], tolerance: int, replay_cache: bool):
        self.keys = keys
        self.tolerance = tolerance
        self.replay_cache = replay_cache
        self.seen: set[tuple[str, str]] = set()  # expiry is not exercised by the vectors

    def verify(self, method: str, url: str, headers: list[list[str]], body: bytes, now: int):
        """Returns (expected, canonical_request or None); a rejection carries the library's message."""

        def reject(code: str, message: str, **extra) -> dict:
            return {"valid": False, "error": code, **extra, "message": f"request rejected: {message}"}

        def malformed(header: str, reason: str):
            return reject("malformed_header", f"malformed header `{header}`: {reason}"), None

        values: dict[str, list[str]] = {n: [] for n in REQUIRED_HEADERS}
        for name, value in headers:
            lname = ascii_lower(name)
            if lname in values:
                values[lname].append(trim(value))
        # 1. missing (absent, or present with an empty/blank value), in the fixed order
        for n in REQUIRED_HEADERS:
            if all(v == "" for v in values[n]):
                return reject("missing_header", f"missing header `{n}`", header=n), None
        # 2. malformed: duplicates first (in the fixed order), then each header's grammar
        for n in REQUIRED_HEADERS:
            if len(values[n]) != 1:
                return malformed(n, "header appears more than once")
        auth = values["authorization"][0]
        timestamp = values["persona-timestamp"][0]
        nonce = values["persona-nonce"][0]
        sig_header = values["persona-signature"][0]
        scheme, space, rest = auth.partition(" ")
        if not space:
            return malformed("authorization", "expected `Bearer <key id>`")
        if ascii_lower(scheme) != "bearer":
            return malformed("authorization", "scheme must be Bearer")
        key_id = rest.lstrip(" ")
        if not valid_key_id(key_id):
            return malformed("authorization", f"key id {ID_RULE}")
        if not is_i64_decimal(timestamp):
            return malformed("persona-timestamp", "must be decimal digits fitting a 64-bit integer")
        if not valid_nonce(nonce):
            return malformed("persona-nonce", NONCE_RULE)
        entries = []
        for entry in re.split(r"[ \t]+", sig_header):
            if entry == "":
                continue
            version, comma, value = entry.partition(",")
            if not comma:
                return malformed("persona-signature", "entry is not `<version>,<value>`")
            entries.append((version, value))
        # 3. unknown key
        if key_id not in self.keys:
            return reject("unknown_key", "unknown key id"), None
        # 4. signature (timestamp used verbatim, as received)
        canon = canonical_request(key_id, timestamp, nonce, method, url, body)
        expected_sigs = [v1_signature(s, canon) for s in self.keys[key_id]]
        matched = False
        for version, value in entries:
            if version != "v1":
                continue
            for exp in expected_sigs:
                if hmac.compare_digest(value.encode("utf-8"), exp.encode("ascii")):
                    matched = True
        if not matched:
            return reject("signature_mismatch", "signature mismatch"), canon
        # 5. tolerance, inclusive both ways
        if abs(now - int(timestamp)) > self.tolerance:
            skew = saturate_i64(now - int(timestamp))
            return reject("timestamp_out_of_tolerance", f"timestamp outside tolerance (now - timestamp = {skew} s)"), canon
        # 6. replay; only fully valid requests are recorded
        if self.replay_cache:
            if (key_id, nonce) in self.seen:
                return reject("replayed_nonce", "nonce already used"), canon
            self.seen.add((key_id, nonce))
        return {"valid": True, "key_id": key_id}, canon


def saturate_i64(value: int) -> int:
    return max(-(2**63), min(I64_MAX, value))


# --------------------------------------------------------------------------------------------
# Persona webhooks
# --------------------------------------------------------------------------------------------


def webhook_mac_hex(secret: str, t: str, body: bytes) -> str:
    return hmac_sha256(secret, t.encode("utf-8") + b"." + body).hex()


def webhook_sign(secret: str, body: bytes, t: int) -> str:
    assert secret != "" and t >= 0
    return f"t={t},v1={webhook_mac_hex(secret, str(t), body)}"


def webhook_verify(secrets: list[str], tolerance: int, now: int, header: str | None, body: bytes):
    """Returns (expected, intermediate_sets); a rejection carries the library's message."""
    assert secrets and all(s != "" for s in secrets)

    def reject(code: str, message: str) -> dict:
        return {"valid": False, "error": code, "message": f"webhook rejected: {message}"}

    missing = reject("missing_header", "missing Persona-Signature header")
    if header is None:
        return missing, []
    h = trim(header)
    if h == "":
        return missing, []
    if len(header.encode("utf-8")) > WEBHOOK_MAX_HEADER_BYTES:
        return reject("malformed_header", "malformed Persona-Signature header: header longer than 16384 bytes"), []
    sets = re.split(r"[ \t]+", h)
    if len(sets) > WEBHOOK_MAX_SETS:
        return reject("malformed_header", "malformed Persona-Signature header: more than 16 signature sets"), []
    usable = []
    for s in sets:
        ts, v1s = [], []
        for item in s.split(","):
            if item == "":
                continue
            key, _, value = item.partition("=")
            if key == "t":
                ts.append(value)
            elif key == "v1":
                v1s.append(value)
        if len(ts) == 1 and is_i64_decimal(ts[0]):
            usable.append((ts[0], v1s))
    intermediate = [{"t": t, "macs": [webhook_mac_hex(sec, t, body) for sec in secrets]} for t, _ in usable]
    if not usable:
        return reject("malformed_header", "malformed Persona-Signature header: no set with exactly one valid `t`"), intermediate
    stale_skew = None
    for (t, v1s), inter in zip(usable, intermediate):
        matched = any(
            len(v) == 64
            and all(c in HEX_LOWER for c in v)
            and hmac.compare_digest(v.encode("ascii"), mac.encode("ascii"))
            for v in v1s
            for mac in inter["macs"]
        )
        if matched:
            if abs(now - int(t)) <= tolerance:
                return {"valid": True}, intermediate
            if stale_skew is None:  # the first authentic but stale set, in header order
                stale_skew = saturate_i64(now - int(t))
    if stale_skew is not None:
        return reject("timestamp_out_of_tolerance", f"timestamp outside tolerance (now - t = {stale_skew} s)"), intermediate
    return reject("no_matching_signature", "no matching signature"), intermediate


class NotAnEvent(Exception):
    """The body verified but is not a Persona event; the message is the library's reason."""


class _Members(dict):
    """A JSON object that remembers which of its names appeared more than once."""

    def __init__(self, pairs):
        super().__init__(pairs)
        names = [name for name, _ in pairs]
        self.repeated = {name for name in names if names.count(name) > 1}


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


def _is_text(value) -> bool:
    """A JSON string the library can read as text (no lone surrogate escapes)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


CREATED_AT_NAMES = ("created-at", "created_at", "createdAt")  # one member, under Key-Inflection's spellings


def _event(body: bytes) -> dict:
    """The event rules (webhook events are read the same way in every language):

    - the body is UTF-8 JSON (no NaN/Infinity, nothing after the value) whose top level is an
      object with a member `data` that is an object;
    - `data.type`, when present and not null, is the string "event";
    - `data.id` is a string; `data.attributes` is an object whose `name` is a string;
    - `created-at` (also spelled `created_at` or `createdAt`, under Key-Inflection) is absent,
      null or a string;
    - `payload` is any JSON value, kept as sent (absent or null: `null`);
    - the members above appear once each in their object (the spellings of `created-at` count as
      one member); other members are ignored, duplicates included.
    """
    try:
        text = body.decode("utf-8")
        doc = json.loads(text, object_pairs_hook=_Members, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError):
        raise NotAnEvent("the body is not valid JSON") from None
    if not isinstance(doc, dict):
        raise NotAnEvent("the body is not a JSON object")
    if "data" in doc.repeated:
        raise NotAnEvent("a member of the body appears twice")
    data = doc.get("data")
    if not isinstance(data, dict):
        raise NotAnEvent("`data` is not an object")
    if data.repeated & {"type", "id", "attributes"}:
        raise NotAnEvent("a member of `data` appears twice")
    if data.get("type") is not None and data["type"] != "event":
        raise NotAnEvent('`data.type` is not "event"')
    if not _is_text(data.get("id")):
        raise NotAnEvent("`data.id` is not a string")
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        raise NotAnEvent("`data.attributes` is not an object")
    spellings = [name for name in CREATED_AT_NAMES if name in attributes]
    if attributes.repeated & {"name", "payload", *CREATED_AT_NAMES} or len(spellings) > 1:
        raise NotAnEvent("a member of `data.attributes` appears twice")
    if not _is_text(attributes.get("name")):
        raise NotAnEvent("`data.attributes.name` is not a string")
    created_at = attributes[spellings[0]] if spellings else None
    if created_at is not None and not _is_text(created_at):
        raise NotAnEvent("`data.attributes.created-at` is not a string")
    return {"id": data["id"], "name": attributes["name"], "created_at": created_at, "payload": attributes.get("payload")}


def parse_event(body: bytes) -> dict:
    """What reading the event of a verified body gives: the event, or the library's error."""
    try:
        return _event(body)
    except NotAnEvent as reason:
        return {"error": "invalid_payload", "message": f"webhook payload is not a Persona event: {reason}"}


# --------------------------------------------------------------------------------------------
# Self-checks of the primitives against independent, hand-checked answers
# --------------------------------------------------------------------------------------------


def self_check() -> None:
    # RFC 4231 test case 2
    assert (
        hmac.new(b"Jefe", b"what do ya want for nothing?", hashlib.sha256).hexdigest()
        == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert percent_decode("%41%zz%4%") == b"A%zz%4%"
    assert percent_decode("%e9") == b"\xe9"
    assert percent_encode(b"A~ +/\xff") == "A~%20%2B%2F%FF"
    assert canonical_query(None) == "" and canonical_query("") == "" and canonical_query("&&") == ""
    assert canonical_query("a-=1&a=2") == "a=2&a-=1"  # pairs, not joined strings, are sorted
    assert simple_url("https://api.example.com") == ("/", None)
    assert simple_url("https://api.example.com/x?") == ("/x", "")
    assert simple_url("/p?q#f") == ("/p", "q")
    for bad in ("", "not-a-url", "ftp://files.example.com/x", "https://", "mailto:a@example.com"):
        try:
            simple_url(bad)
        except InvalidUrl:
            pass
        else:
            raise AssertionError(bad)


# --------------------------------------------------------------------------------------------
# Case construction
# --------------------------------------------------------------------------------------------

T0 = 1_700_000_000
NONCE = "0123456789abcdef0123456789abcdef"
API = "https://api.example.com"
EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

EVENT_BODY = (
    '{"data":{"type":"event","id":"evt_abc","attributes":{"name":"inquiry.completed",'
    '"created-at":"2026-11-26T12:00:00.000Z","payload":{"data":{"type":"inquiry","id":"inq_123",'
    '"attributes":{"status":"completed"}}}}}}'
)
EVENT = {"id": "evt_abc", "name": "inquiry.completed", "created_at": "2026-11-26T12:00:00.000Z",
         "payload": {"data": {"type": "inquiry", "id": "inq_123", "attributes": {"status": "completed"}}}}
assert parse_event(EVENT_BODY.encode()) == EVENT


def without_message(expected: dict) -> dict:
    """An expectation as its author states it (the message is computed, never hand-written)."""
    return {key: value for key, value in expected.items() if key != "message"}

BINARY = b"\x00\x01\x02\xff\x00\xfe\x80\x00" + bytes(range(256)) + b"\x00"
MIB = R("persona!", 131072)  # 8 bytes * 131072 = 1 MiB
KIB64 = R("x", 65536)
assert len(body_bytes(MIB)) == 1 << 20 and len(body_bytes(KIB64)) == 1 << 16

VALID = {"valid": True}


def INVALID(code: str, header: str | None = None) -> dict:
    d = {"valid": False, "error": code}
    if header is not None:
        d["header"] = header
    return d


class Names:
    def __init__(self):
        self.seen = set()

    def __call__(self, name: str) -> str:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name
        assert name not in self.seen, f"duplicate case name {name}"
        self.seen.add(name)
        return name


# ---- request signing: sign cases ------------------------------------------------------------

SIGN_DEFAULTS = dict(key_id="persona_key-1.A~", secret="s3cr3t-signing-key", method="GET",
                     url=f"{API}/api/v1/inquiries", body=U(""), timestamp=T0, nonce=NONCE)


def sign_cases(names: Names) -> list[dict]:
    cases = []

    def case(name, description, want=None, canonical=None, query=None, path=None, same_as=None, **over):
        inp = dict(SIGN_DEFAULTS)
        inp.update(over)
        exp = v1_sign(inp["key_id"], inp["secret"], inp["method"], inp["url"], body_bytes(inp["body"]),
                      inp["timestamp"], inp["nonce"])
        if want is not None:
            assert without_message(exp) == {"error": want}, (name, exp)
        else:
            assert "error" not in exp, (name, exp)
            lines = exp["canonical_request"].split("\n")
            assert len(lines) == 8 and lines[0] == "v1"
            if canonical is not None:
                assert exp["canonical_request"] == canonical, (name, exp["canonical_request"], canonical)
            if path is not None:
                assert lines[5] == path, (name, lines[5], path)
            if query is not None:
                assert lines[6] == query, (name, lines[6], query)
            if same_as is not None:
                assert exp["signature"] == same_as["signature"], name
        cases.append({"name": names(name), "description": description, "op": "sign",
                      "input": {k: inp[k] for k in ("key_id", "secret", "method", "url", "body", "timestamp",
                                                    "nonce")},
                      "expected": exp})
        return exp

    # --- basics
    case("sign-get-basic", "GET with a query and no body; the canonical request is written out by hand in the generator.",
         url=f"{API}/api/v1/inquiries?page=2&limit=10",
         canonical="v1\npersona_key-1.A~\n1700000000\n0123456789abcdef0123456789abcdef\nGET\n"
                   "/api/v1/inquiries\nlimit=10&page=2\n" + EMPTY_SHA)
    case("sign-post-json", "POST with a JSON body; line 8 is the SHA-256 of the exact body bytes.",
         method="POST", url=f"{API}/api/v1/inquiries",
         body=U('{"data":{"attributes":{"inquiry-template-id":"itmpl_abc123"}}}'))
    case("sign-lowercase-method", "The method is uppercased (ASCII) in line 5: `get` -> `GET`; same signature as `GET`.",
         method="get", url=f"{API}/api/v1/inquiries", same_as=v1_sign(**{**SIGN_DEFAULTS, "body": b""}))
    case("sign-mixed-case-method", "`pAtCh` -> `PATCH`.", method="pAtCh", url=f"{API}/api/v1/accounts/act_1",
         body=U('{"data":{}}'))
    case("sign-token-method", "Any RFC 9110 token is a valid method; `x-custom_1!` -> `X-CUSTOM_1!`.",
         method="x-custom_1!", url=f"{API}/x")
    # --- URL / path
    case("sign-root-url-no-path", "`https://api.example.com` has an empty path; WHATWG (and the contract) make it `/`.",
         url=API, path="/", query="")
    case("sign-root-url-query-no-path", "`https://api.example.com?b=2&a=1`: path `/`, query sorted.",
         url=f"{API}?b=2&a=1", path="/", query="a=1&b=2")
    case("sign-root-slash", "`https://api.example.com/` -> path `/`; same signature as without the slash.",
         url=f"{API}/", path="/", same_as=v1_sign(**{**SIGN_DEFAULTS, "url": API, "body": b""}))
    case("sign-host-port-not-signed",
         "`https://API.Example.com:8443/x`: host and port are not signed, so the signature equals the one for "
         "`https://api.example.com/x`; WHATWG keeps the path `/x` (case-sensitive).",
         url="https://API.Example.com:8443/x", path="/x",
         same_as=v1_sign(**{**SIGN_DEFAULTS, "url": f"{API}/x", "body": b""}))
    case("sign-http-scheme", "Plain `http` is accepted.", url="http://localhost:8080/health", path="/health")
    case("sign-uppercase-scheme", "`HTTPS://API.EXAMPLE.COM/Path`: scheme is case-insensitive; path keeps its case.",
         url="HTTPS://API.EXAMPLE.COM/Path", path="/Path")
    case("sign-origin-form-url", "An origin-form URL (starts with `/`) is accepted; host is not signed anyway.",
         url="/api/v1/inquiries?x=1", path="/api/v1/inquiries", query="x=1",
         same_as=v1_sign(**{**SIGN_DEFAULTS, "url": f"{API}/api/v1/inquiries?x=1", "body": b""}))
    case("sign-fragment-dropped", "`#frag` is dropped: path `/a`, query `x=1`.",
         url=f"{API}/a?x=1#frag", path="/a", query="x=1")
    case("sign-fragment-with-question-mark", "A `?` after `#` is part of the fragment: no query.",
         url=f"{API}/a#frag?x=1", path="/a", query="")
    case("sign-path-percent-encoding-kept",
         "Percent-encoding in the path is kept exactly as sent (no decoding, no case change): "
         "`/a%2Fb/%7Euser/%2fc`.", url=f"{API}/a%2Fb/%7Euser/%2fc", path="/a%2Fb/%7Euser/%2fc")
    case("sign-path-tilde-user", "`/%7Euser` and `/~user` are different paths.", url=f"{API}/%7Euser",
         path="/%7Euser")
    case("sign-path-sub-delims", "Sub-delimiters, `:` and `@` are not encoded by WHATWG in a path: kept verbatim.",
         url=f"{API}/v1/items;v=1/@me:x/a,b/!$&'()*+=", path="/v1/items;v=1/@me:x/a,b/!$&'()*+=")
    case("sign-path-double-slashes", "Empty path segments are kept: `//a//b/`.", url=f"{API}//a//b/",
         path="//a//b/")
    case("sign-path-dot-segments",
         "`https://api.example.com/a/./b/../c`: " + HAND_DERIVED["https://api.example.com/a/./b/../c"][2] + ".",
         url="https://api.example.com/a/./b/../c", path="/a/c")
    case("sign-path-encoded-dot-segments",
         "`https://api.example.com/a/b/%2e%2E/c/%2E/d`: "
         + HAND_DERIVED["https://api.example.com/a/b/%2e%2E/c/%2E/d"][2] + ".",
         url="https://api.example.com/a/b/%2e%2E/c/%2E/d", path="/a/c/d")
    case("sign-path-backslash",
         "`https://api.example.com/a\\b/c`: " + HAND_DERIVED["https://api.example.com/a\\b/c"][2] + ".",
         url="https://api.example.com/a\\b/c", path="/a/b/c")
    case("sign-path-unicode-and-space",
         "`https://api.example.com/caf\u00e9 menu/items`: "
         + HAND_DERIVED["https://api.example.com/caf\u00e9 menu/items"][2] + ".",
         url="https://api.example.com/caf\u00e9 menu/items", path="/caf%C3%A9%20menu/items")
    # --- query canonicalization
    q = lambda name, description, url_query, expected: case(  # noqa: E731
        name, description, url=f"{API}/q?{url_query}", query=expected)
    q("sign-query-repeated-names", "Repeated names are all kept, sorted by name then value (byte order).",
      "b=2&a=2&a=10&a=1", "a=1&a=10&a=2&b=2")
    q("sign-query-same-name-value-order", "`a=1&a=0` -> `a=0&a=1`.", "a=1&a=0", "a=0&a=1")
    q("sign-query-pair-sort-not-string-sort",
      "Pairs are sorted by name, then value: `a` < `a-`, so `a=2&a-=1` (sorting joined `name=value` strings "
      "would wrongly give `a-=1&a=2`).", "a-=1&a=2", "a=2&a-=1")
    q("sign-query-encoded-byte-order",
      "Sort compares the *encoded* strings: `%C3%A9` (`%` = 0x25) < `A` < `B` < `a` < `a-` < `a~` < `b`.",
      "b=1&B=2&A=3&%C3%A9=4&a~=5&a-=6&a=7", "%C3%A9=4&A=3&B=2&a=7&a-=6&a~=5&b=1")
    q("sign-query-part-without-equals", "A part without `=` has an empty value: `flag` -> `flag=`.",
      "x=1&flag", "flag=&x=1")
    q("sign-query-empty-parts", "Empty parts (`&&`, leading and trailing `&`) are skipped.",
      "&&a=1&&&b=2&", "a=1&b=2")
    q("sign-query-empty-name", "`=v` is an empty name with value `v`; it sorts first.", "a=1&=v", "=v&a=1")
    q("sign-query-equals-in-value", "Split at the FIRST `=`: `a==b` -> name `a`, value `=b` -> `%3Db`.",
      "a==b&c=d=e", "a=%3Db&c=d%3De")
    q("sign-query-plus-stays-plus", "`+` is not a space: it stays `+` and is encoded `%2B`; `%2B` gives the same.",
      "q=a+b&r=%2B", "q=a%2Bb&r=%2B")
    q("sign-query-percent-20", "`%20` decodes to a space and is re-encoded `%20`.", "q=a%20b", "q=a%20b")
    q("sign-query-lowercase-hex", "Lowercase hex escapes are re-encoded in uppercase: `%2b%2f%3a` -> `%2B%2F%3A`.",
      "q=%2b%2f%3a", "q=%2B%2F%3A")
    q("sign-query-invalid-percent",
      "`%` not followed by two hex digits is a literal `%` (re-encoded `%25`): `%zz`, trailing `%`, `%4` at the end, "
      "`%4g`, and `%%41` (literal `%` then `A`).",
      "a=%zz&b=100%&c=%4g&d=%%41&e=%4", "a=%25zz&b=100%25&c=%254g&d=%25A&e=%254")
    q("sign-query-unreserved-decoded", "Escaped unreserved characters are decoded: `%41%42` -> `AB`, "
      "`%7E%7e%2D%2E%5F%30` -> `~~-._0`.", "%41%42=%7E%7e%2D%2E%5F%30", "AB=~~-._0")
    q("sign-query-escaped-separators",
      "Escaped separators are data, and decoding is a single pass: `%26` is not a `&`, `%3D` in a name is not the "
      "split point, `%2541` decodes to the bytes `%41` (re-encoded `%2541`).",
      "v=%2541&c%3Dd=1&a=%26b", "a=%26b&c%3Dd=1&v=%2541")
    q("sign-query-reserved-encoded", "Every byte outside `A-Za-z0-9-._~` is encoded, including `/?:@!$*(),;`.",
      "redirect=https://x.example/cb?y=1&list=a,b;c&at=@:!$*()",
      "at=%40%3A%21%24%2A%28%29&list=a%2Cb%3Bc&redirect=https%3A%2F%2Fx.example%2Fcb%3Fy%3D1")
    q("sign-query-encoded-utf8", "Already-encoded UTF-8 `%c3%a9` -> `%C3%A9`.", "name=Jos%c3%a9", "name=Jos%C3%A9")
    q("sign-query-non-utf8-byte", "`%FF`/`%ff%fe` decode to bytes that are not UTF-8; they are re-encoded as is.",
      "b=%FF&a=%ff%fe", "a=%FF%FE&b=%FF")
    case("sign-query-question-mark-alone", "`?` alone gives an empty canonical query.", url=f"{API}/x?",
         path="/x", query="", same_as=v1_sign(**{**SIGN_DEFAULTS, "url": f"{API}/x", "body": b""}))
    case("sign-query-raw-space",
         "`https://api.example.com/search?q=a b`: " + HAND_DERIVED["https://api.example.com/search?q=a b"][2]
         + "; canonical `q=a%20b`.", url="https://api.example.com/search?q=a b", query="q=a%20b")
    case("sign-query-raw-non-ascii",
         "`?name=Jos\u00e9&city=Z\u00fcrich`: "
         + HAND_DERIVED["https://api.example.com/people?name=Jos\u00e9&city=Z\u00fcrich"][2]
         + "; canonical `city=Z%C3%BCrich&name=Jos%C3%A9`.",
         url="https://api.example.com/people?name=Jos\u00e9&city=Z\u00fcrich",
         query="city=Z%C3%BCrich&name=Jos%C3%A9")
    # --- bodies
    case("sign-body-empty-post", "POST with an empty body: line 8 is the SHA-256 of the empty string.",
         method="POST", body=U(""),
         canonical="v1\npersona_key-1.A~\n1700000000\n0123456789abcdef0123456789abcdef\nPOST\n"
                   "/api/v1/inquiries\n\n" + EMPTY_SHA)
    case("sign-body-binary", "Binary body with NULs and 0xFF (not UTF-8).", method="PUT", body=B(BINARY))
    case("sign-body-unicode", "UTF-8 text body with non-ASCII characters and an emoji.", method="POST",
         body=U('{"name":"Zo\u00eb \u00c5str\u00f6m","city":"\u6771\u4eac","note":"\U0001F512"}'))
    case("sign-body-64kib", "64 KiB body (`x` x 65536).", method="POST", body=KIB64)
    case("sign-body-1mib", "1 MiB body (`persona!` x 131072).", method="POST", body=MIB)
    # --- credentials and other inputs
    case("sign-unicode-secret", "The HMAC key is the UTF-8 bytes of the secret, verbatim.",
         secret="s\u00e9cret-\U0001F511-\u30ad\u30fc")
    padded = case("sign-secret-with-spaces", "Secret with leading/trailing spaces is used verbatim (not trimmed).",
                  secret="  padded secret  ")
    assert padded["signature"] != v1_sign(**{**SIGN_DEFAULTS, "secret": "padded secret", "body": b""})["signature"]
    case("sign-max-length-key-id-and-nonce", "Key id and nonce of exactly 128 characters.",
         key_id="K" * 64 + "k-._~" + "9" * 59, nonce="n" * 120 + "-._~N0z9")
    case("sign-min-length-key-id-and-nonce", "Key id of 1 character and nonce of exactly 8.",
         key_id="k", nonce="abcdefgh")
    case("sign-timestamp-zero", "Timestamp 0 is written `0`.", timestamp=0,
         canonical="v1\npersona_key-1.A~\n0\n0123456789abcdef0123456789abcdef\nGET\n/api/v1/inquiries\n\n"
                   + EMPTY_SHA)
    case("sign-timestamp-large", "Timestamp 4102444800 (year 2100).", timestamp=4102444800)
    # --- the worked examples of docs/SIGNING.md section 3 (recomputed here, not copied)
    doc = dict(key_id="kid_demo", secret="demo-secret-do-not-use", timestamp=T0)
    u1 = "https://api.withpersona.com/api/v1/inquiries?page[size]=2&filter[status]=completed"
    case("sign-doc-example-1", "docs/SIGNING.md example 1: " + HAND_DERIVED[u1][2] + "; brackets are encoded.",
         url=u1, nonce=NONCE, query="filter%5Bstatus%5D=completed&page%5Bsize%5D=2", **doc)
    case("sign-doc-example-2", "docs/SIGNING.md example 2: POST with a JSON body.", method="POST",
         url="https://api.withpersona.com/api/v1/inquiries", nonce="fedcba9876543210fedcba9876543210",
         body=U('{"data":{"attributes":{"inquiry-template-id":"itmpl_123"}}}'), query="", **doc)
    case("sign-doc-example-3", "docs/SIGNING.md example 3: a tricky query (`%zz`, `+`, bare `c`, `%7e`).",
         url="https://api.withpersona.com/api/v1/reports?b=2&a=%7e&a=1&c&%zz=+",
         nonce="00112233445566778899aabbccddeeff", query="%25zz=%2B&a=1&a=~&b=2&c=", **doc)
    case("sign-doc-example-3-reordered", "docs/SIGNING.md example 3 with reordered parameters and different "
         "escapes: same canonical query, same signature.",
         url="https://api.withpersona.com/api/v1/reports?c&a=1&%25zz=%2b&a=~&b=2",
         nonce="00112233445566778899aabbccddeeff", query="%25zz=%2B&a=1&a=~&b=2&c=", **doc)
    # --- invalid inputs (each has exactly one fault)
    case("sign-invalid-key-id-too-long", "129-character key id.", want="invalid_key_id", key_id="k" * 129)
    case("sign-invalid-key-id-empty", "Empty key id.", want="invalid_key_id", key_id="")
    case("sign-invalid-key-id-slash", "`/` is outside `[A-Za-z0-9._~-]`.", want="invalid_key_id", key_id="key/1")
    case("sign-invalid-key-id-space", "Space is outside the key-id charset.", want="invalid_key_id", key_id="key 1")
    case("sign-invalid-key-id-non-ascii", "Non-ASCII letter in the key id.", want="invalid_key_id", key_id="cl\u00e9")
    case("sign-invalid-secret-empty", "Empty secret is refused.", want="invalid_secret", secret="")
    case("sign-invalid-nonce-too-short", "7-character nonce.", want="invalid_nonce", nonce="abcdefg")
    case("sign-invalid-nonce-too-long", "129-character nonce.", want="invalid_nonce", nonce="n" * 129)
    case("sign-invalid-nonce-plus", "`+` is outside the nonce charset.", want="invalid_nonce", nonce="nonce+plus")
    case("sign-invalid-timestamp-negative", "Negative timestamp.", want="invalid_timestamp", timestamp=-1)
    case("sign-invalid-method-empty", "Empty method.", want="invalid_method", method="")
    case("sign-invalid-method-space", "`GE T` is not an RFC 9110 token.", want="invalid_method", method="GE T")
    case("sign-invalid-method-slash", "`/` is not a token character.", want="invalid_method", method="GET/")
    case("sign-invalid-url-ftp", "Scheme other than http/https.", want="invalid_url", url="ftp://files.example.com/x")
    case("sign-invalid-url-mailto", "`mailto:` parses but is not http/https.", want="invalid_url",
         url="mailto:someone@example.com")
    case("sign-invalid-url-no-host", "`https://` has an empty host: WHATWG parse failure.", want="invalid_url",
         url="https://")
    case("sign-invalid-url-relative", "`not-a-url` is a relative reference without a base and does not start "
         "with `/`.", want="invalid_url", url="not-a-url")
    case("sign-invalid-url-empty", "Empty URL.", want="invalid_url", url="")
    return cases


# ---- request signing: verify cases ----------------------------------------------------------

VURL = f"{API}/api/v1/inquiries?page=2&include=account"
VBODY = U('{"data":{"attributes":{"name-first":"Jane","name-last":"Doe"}}}')
K1 = {"k1": ["s1"]}


def signed_headers(key_id="k1", secret="s1", method="POST", url=VURL, body=VBODY, ts=T0, nonce=NONCE):
    """Headers for a request; `ts` may be a string, used verbatim in the canonical request."""
    ts = ts if isinstance(ts, str) else str(ts)
    sig = v1_signature(secret, canonical_request(key_id, ts, nonce, method, url, body_bytes(body)))
    return [["Authorization", f"Bearer {key_id}"], ["Persona-Timestamp", ts], ["Persona-Nonce", nonce],
            ["Persona-Signature", f"v1,{sig}"]]


def set_header(headers, name, value):
    out = [list(h) for h in headers]
    hits = [h for h in out if ascii_lower(h[0]) == ascii_lower(name)]
    assert len(hits) == 1
    hits[0][1] = value
    return out


def drop_header(headers, name):
    out = [list(h) for h in headers if ascii_lower(h[0]) != ascii_lower(name)]
    assert len(out) == len(headers) - 1
    return out


def sig_value(headers):
    return [v for n, v in headers if n == "Persona-Signature"][0][3:]


def req(headers, method="POST", url=VURL, body=VBODY):
    return {"method": method, "url": url, "headers": headers, "body": body}


def step(request, want, now=T0):
    return {"request": request, "now": now, "want": want}


def verify_cases(names: Names) -> list[dict]:
    cases = []

    def case(name, description, steps, keys=K1, tolerance=300, replay_cache=False):
        verifier = RequestVerifier(keys, tolerance, replay_cache)
        out_steps = []
        for st in steps:
            r = st["request"]
            exp, canon = verifier.verify(r["method"], r["url"], r["headers"], body_bytes(r["body"]), st["now"])
            assert without_message(exp) == st["want"], (name, exp, st["want"])
            s = {"request": r, "now": st["now"], "expected": exp}
            if canon is not None:
                s["canonical_request"] = canon
            out_steps.append(s)
        cases.append({"name": names(name), "description": description, "op": "verify",
                      "verifier": {"keys": [{"key_id": k, "secrets": v} for k, v in keys.items()],
                                   "tolerance": tolerance, "replay_cache": replay_cache},
                      "steps": out_steps})

    OK = {"valid": True, "key_id": "k1"}
    H = signed_headers()
    MISMATCH = INVALID("signature_mismatch")
    MALFORMED = INVALID("malformed_header")
    STALE = INVALID("timestamp_out_of_tolerance")

    case("verify-valid-post", "A correctly signed POST.", [step(req(H), OK)])
    # hand-check the canonical request the verifier computes for the basic case
    assert RequestVerifier(K1, 300, False).verify("POST", VURL, H, body_bytes(VBODY), T0)[1] == (
        "v1\nk1\n1700000000\n0123456789abcdef0123456789abcdef\nPOST\n/api/v1/inquiries\n"
        "include=account&page=2\n" + sha256_hex(b'{"data":{"attributes":{"name-first":"Jane","name-last":"Doe"}}}'))
    hg = signed_headers(method="GET", url=f"{API}/api/v1/inquiries/inq_1", body=U(""))
    case("verify-valid-get-empty-body", "A signed GET with no body.",
         [step(req(hg, method="GET", url=f"{API}/api/v1/inquiries/inq_1", body=U("")), OK)])
    case("verify-lowercase-request-method", "Request method `post` is uppercased before comparison.",
         [step(req(H, method="post"), OK)])
    case("verify-origin-form-url", "The verifier accepts an origin-form URL; host is not signed.",
         [step(req(H, url="/api/v1/inquiries?page=2&include=account"), OK)])
    case("verify-host-and-fragment-not-signed", "Different host, port and a fragment: still valid.",
         [step(req(H, url="http://internal.proxy:9000/api/v1/inquiries?page=2&include=account#section"), OK)])
    case("verify-reordered-query", "Query parameters reordered on the wire: the canonical query is the same.",
         [step(req(H, url=f"{API}/api/v1/inquiries?include=account&page=2"), OK)])
    hs = signed_headers(method="GET", url=f"{API}/search?q=a%20b", body=U(""))
    case("verify-whatwg-query-space",
         "Signed as `?q=a%20b`, received as `?q=a b`: " + HAND_DERIVED["https://api.example.com/search?q=a b"][2]
         + ", so it verifies.",
         [step(req(hs, method="GET", url="https://api.example.com/search?q=a b", body=U("")), OK)])
    case("verify-header-names-odd-case", "Header names are case-insensitive.",
         [step(req([["authorization", H[0][1]], ["PERSONA-TIMESTAMP", H[1][1]], ["persona-Nonce", H[2][1]],
                    ["pErSoNa-SiGnAtUrE", H[3][1]]]), OK)])
    case("verify-header-values-surrounding-whitespace", "Values are trimmed of leading/trailing spaces and tabs.",
         [step(req([[n, f" \t{v}\t  "] for n, v in H]), OK)])
    case("verify-extra-headers-ignored", "Unrelated headers are ignored.",
         [step(req([["Content-Type", "application/json"]] + H + [["X-Request-Id", "abc"], ["Persona-Version", "2023-01-05"]]),
               OK)])
    case("verify-nbsp-not-trimmed", "Only U+0020/U+0009 are trimmed: a nonce preceded by U+00A0 is malformed.",
         [step(req(set_header(H, "Persona-Nonce", "\u00a0" + NONCE)), MALFORMED)])
    # --- rotation / keys
    h_new = signed_headers(secret="s1-new")
    case("verify-rotation-second-secret", "Key k1 has two secrets; the request is signed with the second.",
         [step(req(h_new), OK)], keys={"k1": ["s1-old", "s1-new"]})
    h_old = signed_headers(secret="s1-old")
    case("verify-rotation-first-secret", "Key k1 has two secrets; the request is signed with the first.",
         [step(req(h_old), OK)], keys={"k1": ["s1-old", "s1-new"]})
    h_k2 = signed_headers(key_id="k2", secret="s2")
    case("verify-second-key-id", "Two configured keys; the request uses k2 and the verifier returns k2.",
         [step(req(h_k2), {"valid": True, "key_id": "k2"})], keys={"k1": ["s1"], "k2": ["s2"]})
    case("verify-key-id-secret-crossed", "Signed with k1's secret but claims k2: signature mismatch.",
         [step(req(signed_headers(key_id="k2", secret="s1")), MISMATCH)], keys={"k1": ["s1"], "k2": ["s2"]})
    case("verify-unknown-key", "Key id `k9` is not configured.",
         [step(req(signed_headers(key_id="k9")), INVALID("unknown_key"))])
    # --- Persona-Signature entries
    good = sig_value(H)
    hsig = lambda v: req(set_header(H, "Persona-Signature", v))  # noqa: E731
    case("verify-sig-unknown-version-ignored", "`v2,...` entries are ignored; the `v1` entry matches.",
         [step(hsig(f"v2,abcdef v1,{good}"), OK)])
    case("verify-sig-only-v2", "Only an unknown-version entry (holding the right value): no v1 entry -> mismatch.",
         [step(hsig(f"v2,{good}"), MISMATCH)])
    case("verify-sig-uppercase-version", "Versions are case-sensitive: `V1,...` is unknown -> mismatch.",
         [step(hsig(f"V1,{good}"), MISMATCH)])
    bad_sig = base64.b64encode(b"\x00" * 32).decode()
    case("verify-sig-bad-then-good", "Two v1 entries: the first is wrong, the second matches -> valid.",
         [step(hsig(f"v1,{bad_sig} v1,{good}"), OK)])
    case("verify-sig-entries-tabs-and-spaces", "Entries separated by a run of spaces and tabs.",
         [step(hsig(f"v1,{bad_sig} \t \t v1,{good}"), OK)])
    case("verify-sig-missing-padding", "The v1 value without `=` (43 chars) is not the exact encoding -> mismatch.",
         [step(hsig(f"v1,{good.rstrip('=')}"), MISMATCH)])
    case("verify-sig-extra-padding", "The v1 value with an extra `=` (45 chars) -> mismatch.",
         [step(hsig(f"v1,{good}="), MISMATCH)])
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    noncanon = good[:42] + alphabet[alphabet.index(good[42]) ^ 1] + "="
    assert noncanon != good and base64.b64decode(noncanon) == base64.b64decode(good)
    case("verify-sig-non-canonical-base64",
         "Last base64 character changed in its unused low bits: decodes to the same MAC bytes, but the value is "
         "not the exact canonical encoding -> mismatch.", [step(hsig(f"v1,{noncanon}"), MISMATCH)])
    mac_hex = base64.b64decode(good).hex()
    case("verify-sig-hex-instead-of-base64", "The MAC in hex instead of base64 -> mismatch.",
         [step(hsig(f"v1,{mac_hex}"), MISMATCH)])
    # find a deterministic nonce whose signature contains `+` or `/`
    for i in range(1000):
        n_us = f"urlsafe-{i:04d}"
        h_us = signed_headers(nonce=n_us)
        if set(sig_value(h_us)) & {"+", "/"}:
            break
    else:
        raise AssertionError("no signature with + or /")
    urlsafe = sig_value(h_us).replace("+", "-").replace("/", "_")
    assert urlsafe != sig_value(h_us)
    case("verify-sig-urlsafe-alphabet", "The v1 value in the URL-safe base64 alphabet (`-_`) -> mismatch.",
         [step(req(set_header(h_us, "Persona-Signature", f"v1,{urlsafe}")), MISMATCH)])
    case("verify-sig-empty-value", "`v1,` (empty value) -> mismatch.", [step(hsig("v1,"), MISMATCH)])
    case("verify-sig-entry-without-comma", "An entry with no `,` -> malformed.", [step(hsig(f"v1{good}"), MALFORMED)])
    case("verify-sig-good-plus-entry-without-comma",
         "A matching v1 entry plus an entry without `,`: the header is malformed (parsing precedes matching).",
         [step(hsig(f"v1,{good} garbage"), MALFORMED)])
    # --- missing headers and precedence
    for hname in REQUIRED_HEADERS:
        canonical_name = {"authorization": "Authorization", "persona-timestamp": "Persona-Timestamp",
                          "persona-nonce": "Persona-Nonce", "persona-signature": "Persona-Signature"}[hname]
        case(f"verify-missing-{hname}", f"`{canonical_name}` is absent.",
             [step(req(drop_header(H, canonical_name)), INVALID("missing_header", hname))])
    case("verify-missing-all-headers", "No headers: the first missing one in the fixed order is `authorization`.",
         [step(req([]), INVALID("missing_header", "authorization"))])
    case("verify-missing-nonce-and-signature", "Nonce and signature absent: `persona-nonce` is reported first.",
         [step(req(drop_header(drop_header(H, "Persona-Nonce"), "Persona-Signature")),
               INVALID("missing_header", "persona-nonce"))])
    case("verify-empty-nonce-is-missing", "A header present with an empty value counts as missing.",
         [step(req(set_header(H, "Persona-Nonce", "")), INVALID("missing_header", "persona-nonce"))])
    case("verify-blank-signature-is-missing", "A blank (spaces/tabs only) value counts as missing.",
         [step(req(set_header(H, "Persona-Signature", " \t ")), INVALID("missing_header", "persona-signature"))])
    case("verify-missing-beats-malformed", "Malformed timestamp and missing signature: missing wins.",
         [step(req(drop_header(set_header(H, "Persona-Timestamp", "abc"), "Persona-Signature")),
               INVALID("missing_header", "persona-signature"))])
    case("verify-missing-beats-duplicate", "Duplicated Authorization and missing nonce: missing wins.",
         [step(req(drop_header(H, "Persona-Nonce") + [["authorization", "Bearer k1"]]),
               INVALID("missing_header", "persona-nonce"))])
    case("verify-duplicate-nonce", "The same header twice (even with the same value) -> malformed.",
         [step(req(H + [["Persona-Nonce", NONCE]]), MALFORMED)])
    case("verify-duplicate-authorization-different-case", "`Authorization` and `authorization` are the same "
         "header, so it occurs twice -> malformed.", [step(req(H + [["authorization", "Bearer k1"]]), MALFORMED)])
    case("verify-duplicate-signature", "Two Persona-Signature headers (one would match) -> malformed.",
         [step(req(H + [["Persona-Signature", f"v1,{good}"]]), MALFORMED)])
    case("verify-malformed-beats-unknown-key", "Unknown key id and an entry without `,`: malformed wins.",
         [step(req(set_header(signed_headers(key_id="k9"), "Persona-Signature", "nocomma")), MALFORMED)])
    case("verify-unknown-key-beats-mismatch", "Unknown key id and a wrong signature: unknown_key wins.",
         [step(req(set_header(signed_headers(key_id="k9"), "Persona-Signature", f"v1,{bad_sig}")),
               INVALID("unknown_key"))])
    case("verify-mismatch-beats-stale", "Wrong signature and a stale timestamp: signature_mismatch wins.",
         [step(hsig(f"v1,{bad_sig}"), MISMATCH, now=T0 + 10_000)])
    # --- Authorization
    ha = lambda v: req(set_header(H, "Authorization", v))  # noqa: E731
    case("verify-bearer-lowercase", "The auth scheme is case-insensitive: `bearer k1`.", [step(ha("bearer k1"), OK)])
    case("verify-bearer-uppercase", "`BEARER k1`.", [step(ha("BEARER k1"), OK)])
    case("verify-bearer-several-spaces", "One or more spaces after the scheme: `Bearer   k1`.",
         [step(ha("Bearer   k1"), OK)])
    case("verify-bearer-tab-separator", "The separator is one or more spaces (U+0020); a tab is not allowed.",
         [step(ha("Bearer\tk1"), MALFORMED)])
    case("verify-basic-scheme", "`Basic` instead of `Bearer` -> malformed.", [step(ha("Basic k1"), MALFORMED)])
    case("verify-bearer-no-key-id", "`Bearer` alone -> malformed.", [step(ha("Bearer"), MALFORMED)])
    case("verify-bearer-no-space", "`Bearerk1` -> malformed.", [step(ha("Bearerk1"), MALFORMED)])
    case("verify-bearer-key-id-bad-chars", "`Bearer k1 extra`: the key id `k1 extra` fails the charset.",
         [step(ha("Bearer k1 extra"), MALFORMED)])
    case("verify-bearer-key-id-too-long", "129-character key id -> malformed.",
         [step(ha("Bearer " + "k" * 129), MALFORMED)])
    # --- timestamp
    ht = lambda v: req(set_header(H, "Persona-Timestamp", v))  # noqa: E731
    for nm, val, why in [
        ("plus", "+1700000000", "a `+` sign"),
        ("minus", "-1700000000", "a `-` sign"),
        ("inner-space", "1700 000000", "an inner space"),
        ("letters", "1700000000a", "a letter"),
        ("decimal-point", "1700000000.0", "a decimal point"),
        ("overflow", "9223372036854775808", "a value one above i64::MAX"),
        ("arabic-indic-digits", "\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",
         "Arabic-Indic digits (not ASCII)"),
    ]:
        case(f"verify-timestamp-{nm}", f"Persona-Timestamp `{val}` has {why} -> malformed.", [step(ht(val), MALFORMED)])
    hz = signed_headers(ts="0001700000000")
    case("verify-timestamp-leading-zeros-verbatim",
         "Timestamp `0001700000000` signed verbatim (canonical line 3 is `0001700000000`) -> valid.",
         [step(req(hz), OK)])
    case("verify-timestamp-leading-zeros-not-normalized",
         "Signed over `1700000000` but the header says `01700000000`; the verifier uses the header verbatim -> "
         "mismatch.", [step(ht("01700000000"), MISMATCH)])
    hmax = signed_headers(ts=str(I64_MAX))
    case("verify-timestamp-i64-max", "Timestamp i64::MAX is well-formed and authentic but far in the future.",
         [step(req(hmax), STALE)])
    # --- nonce / key id charset
    case("verify-nonce-too-short", "7-character nonce -> malformed.",
         [step(req(signed_headers(nonce="abcdefg")), MALFORMED)])
    case("verify-nonce-bad-char", "Nonce with `/` -> malformed.", [step(req(signed_headers(nonce="abc/defgh")),
                                                                          MALFORMED)])
    # --- tolerance
    case("verify-tolerance-edge-past", "now = t + tolerance (300) -> valid (inclusive).", [step(req(H), OK, T0 + 300)])
    case("verify-tolerance-edge-future", "now = t - tolerance -> valid (inclusive).", [step(req(H), OK, T0 - 300)])
    case("verify-tolerance-past-plus-one", "now = t + 301 -> out of tolerance.", [step(req(H), STALE, T0 + 301)])
    case("verify-tolerance-future-plus-one", "now = t - 301 -> out of tolerance.", [step(req(H), STALE, T0 - 301)])
    case("verify-tolerance-zero-exact", "Tolerance 0 means exact second: now = t -> valid.", [step(req(H), OK)],
         tolerance=0)
    case("verify-tolerance-zero-one-off", "Tolerance 0: one second either way -> out of tolerance.",
         [step(req(H), STALE, T0 + 1), step(req(H), STALE, T0 - 1)], tolerance=0)
    # --- tampering
    case("verify-tampered-method", "Signed POST, received PUT.", [step(req(H, method="PUT"), MISMATCH)])
    case("verify-tampered-path", "Path changed.",
         [step(req(H, url=f"{API}/api/v1/inquirieS?page=2&include=account"), MISMATCH)])
    case("verify-tampered-query", "Query value changed.",
         [step(req(H, url=f"{API}/api/v1/inquiries?page=3&include=account"), MISMATCH)])
    case("verify-tampered-query-added", "Extra query parameter.",
         [step(req(H, url=f"{API}/api/v1/inquiries?page=2&include=account&x="), MISMATCH)])
    case("verify-tampered-body", "One byte of the body changed.",
         [step(req(H, body=U(VBODY["utf8"].replace("Jane", "Jane "))), MISMATCH)])
    case("verify-tampered-body-empty", "Body dropped.", [step(req(H, body=U("")), MISMATCH)])
    case("verify-tampered-nonce", "Nonce changed.", [step(req(set_header(H, "Persona-Nonce", "0" * 32)), MISMATCH)])
    case("verify-tampered-timestamp", "Timestamp changed by one second.", [step(ht(str(T0 + 1)), MISMATCH)])
    hbin = signed_headers(method="PUT", body=B(BINARY))
    case("verify-binary-body", "Binary body with NULs and 0xFF.", [step(req(hbin, method="PUT", body=B(BINARY)), OK)])
    hmib = signed_headers(body=MIB)
    case("verify-1mib-body", "1 MiB body.", [step(req(hmib, body=MIB), OK)])
    # --- replay
    case("verify-replay-cache-on", "The same request twice with the replay cache on: the second is a replay.",
         [step(req(H), OK), step(req(H), INVALID("replayed_nonce"), T0 + 1)], replay_cache=True)
    case("verify-replay-cache-off", "The same request twice with the replay cache off: both valid.",
         [step(req(H), OK), step(req(H), OK, T0 + 1)])
    case("verify-replay-failed-does-not-poison",
         "A request failing its signature is not recorded: bad then good with the same nonce -> good is valid, "
         "then a replay of the good one is refused.",
         [step(hsig(f"v1,{bad_sig}"), MISMATCH), step(req(H), OK), step(req(H), INVALID("replayed_nonce"))],
         replay_cache=True)
    case("verify-replay-stale-does-not-poison",
         "An authentic but stale request is not recorded; a fresh request with the same nonce is then valid.",
         [step(req(H), STALE, T0 + 400), step(req(signed_headers(ts=T0 + 400)), OK, T0 + 400)], replay_cache=True)
    case("verify-replay-stale-beats-replayed",
         "A replay that is also out of tolerance reports timestamp_out_of_tolerance.",
         [step(req(H), OK), step(req(H), STALE, T0 + 301)], replay_cache=True)
    case("verify-replay-new-signature-same-nonce",
         "Same key id and nonce, freshly signed with a new timestamp: still a replayed nonce.",
         [step(req(H), OK), step(req(signed_headers(ts=T0 + 10)), INVALID("replayed_nonce"), T0 + 10)],
         replay_cache=True)
    case("verify-replay-per-key-id", "The cache key is (key id, nonce): the same nonce under another key id is fine.",
         [step(req(H), OK), step(req(h_k2), {"valid": True, "key_id": "k2"})],
         keys={"k1": ["s1"], "k2": ["s2"]}, replay_cache=True)
    case("verify-replay-different-nonce", "Different nonces are independent.",
         [step(req(H), OK), step(req(signed_headers(nonce="fedcba9876543210")), OK)], replay_cache=True)
    return cases


# ---- webhooks --------------------------------------------------------------------------------

WSECRET = "wbhsec_test_5ecret"
WBODY = U(EVENT_BODY)


def wmac(t, body=WBODY, secret=WSECRET) -> str:
    return webhook_mac_hex(secret, t if isinstance(t, str) else str(t), body_bytes(body))


def webhook_cases(names: Names) -> list[dict]:
    cases = []

    def sign(name, description, body, timestamp=T0, secret=WSECRET, header=None):
        h = webhook_sign(secret, body_bytes(body), timestamp)
        if header is not None:
            assert h == header, (name, h)
        cases.append({"name": names(name), "description": description, "op": "sign", "secret": secret,
                      "body": body, "timestamp": timestamp, "expected": {"header": h}})

    def verify(name, description, header, want, body=WBODY, secrets=(WSECRET,), tolerance=300, now=T0, event=None):
        secrets = list(secrets)
        exp, inter = webhook_verify(secrets, tolerance, now, header, body_bytes(body))
        assert without_message(exp) == want, (name, exp, want)
        # A header with a NUL byte travels as a BODY object: cJSON strings end at a NUL.
        header_field = B(header.encode("utf-8")) if header is not None and "\0" in header else header
        c = {"name": names(name), "description": description, "op": "verify", "secrets": secrets,
             "tolerance": tolerance, "now": now, "header": header_field, "body": body, "expected": exp}
        if exp["valid"]:
            # Every valid case says what reading its event gives: the event, or invalid_payload.
            ev = parse_event(body_bytes(body))
            if event is not None:
                assert ev == event or without_message(ev) == event, (name, ev)
            c["event"] = ev
        c["intermediate"] = {"sets": inter}
        cases.append(c)

    NOMATCH = INVALID("no_matching_signature")
    MALFORMED = INVALID("malformed_header")
    STALE = INVALID("timestamp_out_of_tolerance")
    MISSING = INVALID("missing_header")
    good = wmac(T0)
    G = f"t={T0},v1={good}"

    # --- signing
    sign("webhook-sign-event", "Sign a Persona event body.", WBODY)
    sign("webhook-sign-empty-body", "Sign an empty body: the MAC covers `1700000000.`.", U(""),
         header=f"t={T0},v1=" + hmac.new(WSECRET.encode(), b"1700000000.", hashlib.sha256).hexdigest())
    sign("webhook-sign-binary-body", "Sign a non-UTF-8 binary body.", B(BINARY))
    sign("webhook-sign-unicode-body", "Sign a JSON body with non-ASCII text.", U('{"name":"Jos\u00e9 \u6771\u4eac \U0001F600"}'))
    sign("webhook-sign-whsec-secret", "A `whsec_`-prefixed secret is used verbatim.", WBODY, secret="whsec_abc123XYZ")
    sign("webhook-sign-timestamp-zero", "t = 0.", WBODY, timestamp=0)
    sign("webhook-sign-1mib-body", "1 MiB body.", MIB, timestamp=T0 + 5)

    doc_body = U('{"data":{"type":"event","id":"evt_1","attributes":{"name":"inquiry.completed"}}}')
    sign("webhook-sign-doc-example", "docs/SIGNING.md section 5.4, secret `wbhsec_demo`.", doc_body,
         secret="wbhsec_demo")
    doc_two = (webhook_sign("wbhsec_next", body_bytes(doc_body), T0) + " "
               + webhook_sign("wbhsec_demo", body_bytes(doc_body), T0))
    verify("webhook-doc-example-rotation", "docs/SIGNING.md section 5.4: two sets during a rotation, verifier "
           "holds both secrets.", doc_two, VALID, body=doc_body, secrets=["wbhsec_demo", "wbhsec_next"])
    verify("webhook-doc-example-stale", "docs/SIGNING.md section 5.4 at now = t + 301.", doc_two, STALE,
           body=doc_body, secrets=["wbhsec_demo"], now=T0 + 301)

    # --- basic validity and whitespace
    verify("webhook-valid", "A valid single set over a Persona event.", G, VALID, event=EVENT)
    verify("webhook-valid-v1-before-t", "Item order inside a set does not matter.", f"v1={good},t={T0}", VALID)
    verify("webhook-surrounding-whitespace", "Leading/trailing spaces and tabs are ignored.", f" \t  {G}\t \t", VALID)
    verify("webhook-header-empty", "Empty header.", "", MISSING)
    verify("webhook-header-blank", "Blank header (spaces and tabs).", " \t \t ", MISSING)
    verify("webhook-header-absent", "No header at all (null).", None, MISSING)
    verify("webhook-comma-only", "`,`: one set of empty items, no `t` -> no usable set -> malformed.", ",", MALFORMED)
    verify("webhook-equals-only", "`=`: an item with empty key, no `t` -> malformed.", "=", MALFORMED)
    verify("webhook-no-t", "Only a v1 item -> no usable set -> malformed.", f"v1={good}", MALFORMED)
    verify("webhook-no-v1", "A usable set with no v1 -> no matching signature.", f"t={T0}", NOMATCH)
    verify("webhook-wrong-mac", "A usable set whose v1 does not match.", f"t={T0},v1={'0' * 64}", NOMATCH)
    verify("webhook-empty-items", "Empty items (`,,`, leading and trailing `,`) are ignored.",
           f",t={T0},,v1={good},", VALID)
    # --- rotation: two sets / two secrets
    old = wmac(T0, secret="old_secret")
    new = wmac(T0, secret="new_secret")
    two_sets = f"t={T0},v1={old} t={T0},v1={new}"
    verify("webhook-two-sets-first-valid", "Two sets (rotation); only the first matches the configured secret.",
           two_sets, VALID, secrets=["old_secret"])
    verify("webhook-two-sets-second-valid", "Two sets (rotation); only the second matches the configured secret.",
           two_sets, VALID, secrets=["new_secret"])
    verify("webhook-two-secrets-second-matches", "Verifier holds two secrets; the header is signed with the second.",
           f"t={T0},v1={new}", VALID, secrets=["old_secret", "new_secret"])
    verify("webhook-sets-separated-by-runs", "Sets separated by a run of spaces and tabs.",
           f"t={T0},v1={'1' * 64} \t \t{G}", VALID)
    verify("webhook-cross-set-t-rejected",
           "Each set's v1 is the MAC over the OTHER set's t (both in tolerance); each set uses its own t -> no match.",
           f"t={T0},v1={wmac(T0 + 1)} t={T0 + 1},v1={good}", NOMATCH)
    verify("webhook-multiple-v1-one-good", "Several v1 items in one set; one matches.",
           f"t={T0},v1={'a' * 64},v1={good},v1=zz", VALID)
    # --- v1 format
    verify("webhook-v1-uppercase-hex", "The right MAC in uppercase hex -> not a valid v1 -> no match.",
           f"t={T0},v1={good.upper()}", NOMATCH)
    verify("webhook-v1-63-chars", "The right MAC minus its last character.", f"t={T0},v1={good[:63]}", NOMATCH)
    verify("webhook-v1-65-chars", "The right MAC plus one character.", f"t={T0},v1={good}0", NOMATCH)
    verify("webhook-v1-trailing-equals", "Split at the first `=`: `v1=<mac>=` has value `<mac>=` (65 chars).",
           f"t={T0},v1={good}=", NOMATCH)
    verify("webhook-v1-bare", "A bare `v1` item has an empty value and is ignored.", f"t={T0},v1", NOMATCH)
    verify("webhook-v0-ignored", "Unknown key `v0` holding the right MAC is ignored -> no match.",
           f"t={T0},v0={good}", NOMATCH)
    verify("webhook-unknown-keys-ignored", "Unknown keys `v0`, `x`, `` (empty) are ignored; v1 matches.",
           f"t={T0},v0=junk,x=1,=2,v1={good}", VALID)
    verify("webhook-uppercase-v1-key", "Keys are case-sensitive: `V1=` is an unknown key -> no match.",
           f"t={T0},V1={good}", NOMATCH)
    # --- t format
    verify("webhook-uppercase-t-key", "`T=` is not `t`: the set has no t -> malformed.", f"T={T0},v1={good}",
           MALFORMED)
    verify("webhook-two-t-items", "Two `t` items (even equal) make the set unusable -> malformed.",
           f"t={T0},t={T0},v1={good}", MALFORMED)
    verify("webhook-bare-t-plus-t", "A bare `t` (no `=`) is a second `t` with an empty value -> unusable.",
           f"t={T0},v1={good},t", MALFORMED)
    verify("webhook-bare-t", "A bare `t` item: t with an empty value -> unusable -> malformed.", f"t,v1={good}",
           MALFORMED)
    verify("webhook-t-empty", "`t=` -> unusable -> malformed.", f"t=,v1={wmac('')}", MALFORMED)
    for nm, tval, why in [
        ("plus", f"+{T0}", "a `+` sign"),
        ("minus", f"-{T0}", "a `-` sign"),
        ("underscore", "1_700_000_000", "`_` separators"),
        ("decimal-point", f"{T0}.0", "a decimal point"),
        ("exponent", "1.7e9", "an exponent"),
        ("exponent-integer", "1e9", "an exponent"),
        ("arabic-indic-digits", "\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",
         "Arabic-Indic digits (not ASCII)"),
        ("nbsp", "1700\u00a0000000", "a U+00A0 no-break space (not a set separator)"),
        ("overflow", "9223372036854775808", "a value one above i64::MAX"),
        ("trailing-equals", f"{T0}=", "a trailing `=` (split at the first `=`)"),
    ]:
        verify(f"webhook-t-{nm}", f"t `{tval}` has {why}; v1 is the MAC over that exact t, but the set is unusable "
               "-> malformed.", f"t={tval},v1={wmac(tval)}", MALFORMED)
    verify("webhook-t-inner-space",
           "`t=1700 000000,v1=...`: the space separates sets: `t=1700` (usable, no v1) and `000000,v1=...` (no t) "
           "-> one usable set without a match -> no_matching_signature.",
           f"t=1700 000000,v1={wmac('1700 000000')}", NOMATCH)
    verify("webhook-t-leading-space",
           "`t= 1700000000,v1=...`: the space separates sets `t=` (empty t) and `1700000000,v1=...` (no t) -> "
           "malformed.", f"t= {T0},v1={good}", MALFORMED)
    verify("webhook-t-leading-zeros-verbatim", "t `01700000000` used verbatim in `<t>.<body>` -> valid.",
           f"t=01700000000,v1={wmac('01700000000')}", VALID)
    verify("webhook-t-many-leading-zeros", "t with 30 leading zeros still fits i64 and is used verbatim -> valid.",
           f"t={'0' * 30}{T0},v1={wmac('0' * 30 + str(T0))}", VALID)
    verify("webhook-t-leading-zeros-not-normalized",
           "Header t `01700000000` but v1 computed over `1700000000` -> no match.",
           f"t=01700000000,v1={good}", NOMATCH)
    verify("webhook-t-i64-max", "t = i64::MAX is usable; the MAC matches, but it is far in the future.",
           f"t={I64_MAX},v1={wmac(I64_MAX)}", STALE)
    verify("webhook-t-i64-max-leading-zero", "`09223372036854775807` fits i64 (20 digits) and is used verbatim.",
           f"t=0{I64_MAX},v1={wmac('0' + str(I64_MAX))}", STALE)
    # --- tolerance
    verify("webhook-tolerance-edge-past", "now = t + 300 -> valid (inclusive).", G, VALID, now=T0 + 300)
    verify("webhook-tolerance-edge-future", "now = t - 300 -> valid (inclusive).", G, VALID, now=T0 - 300)
    verify("webhook-tolerance-past-plus-one", "now = t + 301 -> out of tolerance.", G, STALE, now=T0 + 301)
    verify("webhook-tolerance-future-plus-one", "now = t - 301 -> out of tolerance.", G, STALE, now=T0 - 301)
    verify("webhook-tolerance-zero-exact", "Tolerance 0: exact second -> valid.", G, VALID, tolerance=0)
    verify("webhook-tolerance-zero-one-past", "Tolerance 0: one second late -> out of tolerance.", G, STALE,
           tolerance=0, now=T0 + 1)
    verify("webhook-tolerance-zero-one-future", "Tolerance 0: one second early -> out of tolerance.", G, STALE,
           tolerance=0, now=T0 - 1)
    verify("webhook-stale-match-and-fresh-nomatch",
           "A stale set that matches and a fresh set that does not -> timestamp_out_of_tolerance.",
           f"t={T0 - 1000},v1={wmac(T0 - 1000)} t={T0},v1={'0' * 64}", STALE)
    verify("webhook-stale-match-and-fresh-match", "A stale matching set and a fresh matching set -> valid.",
           f"t={T0 - 1000},v1={wmac(T0 - 1000)} {G}", VALID)
    verify("webhook-unusable-set-and-nomatch", "One unusable set and one usable non-matching set -> no match.",
           f"t=abc,v1={good} t={T0},v1={'0' * 64}", NOMATCH)
    verify("webhook-unusable-set-and-valid", "One unusable set and one valid set -> valid.",
           f"t=+{T0},v1={good} {G}", VALID)
    # --- bodies
    verify("webhook-body-empty", "Empty body.", f"t={T0},v1={wmac(T0, U(''))}", VALID, body=U(""))
    verify("webhook-body-binary", "Non-UTF-8 binary body (verification never parses the body).",
           f"t={T0},v1={wmac(T0, B(BINARY))}", VALID, body=B(BINARY))
    verify("webhook-body-1mib", "1 MiB body.", f"t={T0},v1={wmac(T0, MIB)}", VALID, body=MIB)
    ubody = U('{"data":{"type":"event","id":"evt_\u00fc\u00f1\u00ee","attributes":{"name":"inquiry.approved",'
              '"created-at":"2026-11-26T12:00:00.000Z","payload":{"data":{"attributes":{"name-first":"Zo\u00eb",'
              '"city":"\u6771\u4eac","emoji":"\U0001F600"}}}}}}')
    verify("webhook-body-unicode-event", "Event JSON with non-ASCII text, verified over its UTF-8 bytes.",
           f"t={T0},v1={wmac(T0, ubody)}", VALID, body=ubody,
           event={"id": "evt_\u00fc\u00f1\u00ee", "name": "inquiry.approved", "created_at": "2026-11-26T12:00:00.000Z",
                  "payload": {"data": {"attributes": {"name-first": "Zo\u00eb", "city": "\u6771\u4eac", "emoji": "\U0001F600"}}}})
    pretty = U(json.dumps(json.loads(EVENT_BODY), indent=2) + "\n")
    verify("webhook-body-pretty-exact-bytes", "Pretty-printed event body signed over its exact bytes -> valid.",
           f"t={T0},v1={wmac(T0, pretty)}", VALID, body=pretty, event=EVENT)
    verify("webhook-body-reserialized", "Header signed over the compact body; the pretty-printed body is sent -> "
           "no match (nothing is normalized).", G, NOMATCH, body=pretty)
    verify("webhook-body-not-an-event", "A JSON body that is not a Persona event still verifies; reading its event "
           "gives invalid_payload.",
           f"t={T0},v1={wmac(T0, U('[1,2,3]'))}", VALID, body=U("[1,2,3]"))
    # --- reading the event of a verified body (every language reads it with the library's rules)
    def event_case(name, description, text, expected):
        body = U(text) if isinstance(text, str) else B(text)
        verify(name, description, f"t={T0},v1={wmac(T0, body)}", VALID, body=body, event=expected)

    NOT_EVENT = {"error": "invalid_payload"}
    event_case("webhook-event-name-not-a-string", "`name` is a number (and `created-at` too): not an event.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":42,"created-at":7}}}', NOT_EVENT)
    event_case("webhook-event-created-at-not-a-string", "`created-at` is a number: not an event.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":"n","created-at":7}}}', NOT_EVENT)
    event_case("webhook-event-created-at-null", "`created-at` null is the same as absent.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":"n","created-at":null}}}',
               {"id": "evt_1", "name": "n", "created_at": None, "payload": None})
    event_case("webhook-event-created-at-snake", "`created_at` (Key-Inflection: snake) is read.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":"n","created_at":"2026-01-01T00:00:00Z"}}}',
               {"id": "evt_1", "name": "n", "created_at": "2026-01-01T00:00:00Z", "payload": None})
    event_case("webhook-event-created-at-camel", "`createdAt` (Key-Inflection: camel) is read.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":"n","createdAt":"2026-01-01T00:00:00Z"}}}',
               {"id": "evt_1", "name": "n", "created_at": "2026-01-01T00:00:00Z", "payload": None})
    event_case("webhook-event-created-at-two-spellings", "`created-at` and `createdAt` both: one member twice.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":"n","created-at":"a","createdAt":"b"}}}',
               NOT_EVENT)
    event_case("webhook-event-data-not-an-object", "`data` is an array: not an event.", '{"data":[]}', NOT_EVENT)
    event_case("webhook-event-data-missing", "No `data`: not an event.", '{"meta":{}}', NOT_EVENT)
    event_case("webhook-event-body-array", "The body is a JSON array: not an event.",
               '[{"type":"event","id":"evt_1","attributes":{"name":"n"}}]', NOT_EVENT)
    event_case("webhook-event-body-string", "The body is a JSON string: not an event.", '"evt_1"', NOT_EVENT)
    event_case("webhook-event-not-json", "The body is not JSON: not an event.", "not json", NOT_EVENT)
    event_case("webhook-event-trailing-data", "Valid JSON followed by more text: not JSON.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":"n"}}} x', NOT_EVENT)
    event_case("webhook-event-nan", "`NaN` is not JSON.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":"n","payload":NaN}}}', NOT_EVENT)
    event_case("webhook-event-invalid-utf8", "Invalid UTF-8 inside a JSON string: not JSON.",
               b'{"data":{"type":"event","id":"evt_\xff","attributes":{"name":"n"}}}', NOT_EVENT)
    event_case("webhook-event-type-inquiry", "`data.type` is `inquiry`: not an event.",
               '{"data":{"type":"inquiry","id":"inq_1","attributes":{"name":"n"}}}', NOT_EVENT)
    event_case("webhook-event-type-number", "`data.type` is a number: not an event.",
               '{"data":{"type":1,"id":"evt_1","attributes":{"name":"n"}}}', NOT_EVENT)
    event_case("webhook-event-type-absent", "No `data.type`: read as an event.",
               '{"data":{"id":"evt_1","attributes":{"name":"n"}}}',
               {"id": "evt_1", "name": "n", "created_at": None, "payload": None})
    event_case("webhook-event-id-missing", "No `data.id`: not an event.",
               '{"data":{"type":"event","attributes":{"name":"n"}}}', NOT_EVENT)
    event_case("webhook-event-id-number", "`data.id` is a number: not an event.",
               '{"data":{"type":"event","id":1,"attributes":{"name":"n"}}}', NOT_EVENT)
    event_case("webhook-event-attributes-missing", "No `data.attributes`: not an event.",
               '{"data":{"type":"event","id":"evt_1"}}', NOT_EVENT)
    event_case("webhook-event-attributes-array", "`data.attributes` is an array: not an event.",
               '{"data":{"type":"event","id":"evt_1","attributes":["n"]}}', NOT_EVENT)
    event_case("webhook-event-name-missing", "No `name`: not an event.",
               '{"data":{"type":"event","id":"evt_1","attributes":{}}}', NOT_EVENT)
    event_case("webhook-event-duplicate-data", "`data` twice: not an event.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":"n"}},"data":{}}', NOT_EVENT)
    event_case("webhook-event-duplicate-id", "`data.id` twice: not an event.",
               '{"data":{"type":"event","id":"evt_1","id":"evt_2","attributes":{"name":"n"}}}', NOT_EVENT)
    event_case("webhook-event-duplicate-name", "`name` twice: not an event.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":"a","name":"b"}}}', NOT_EVENT)
    event_case("webhook-event-unknown-members-repeated", "Members the event does not read may repeat.",
               '{"meta":1,"meta":2,"data":{"x":1,"x":2,"type":"event","id":"evt_1","attributes":{"name":"n","y":0,"y":1}}}',
               {"id": "evt_1", "name": "n", "created_at": None, "payload": None})
    event_case("webhook-event-payload-kept-as-sent", "`payload` is any JSON value, kept as sent.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":"n","payload":{"a":[1,2.5,null,true],"b":{"c":"d"}}}}}',
               {"id": "evt_1", "name": "n", "created_at": None, "payload": {"a": [1, 2.5, None, True], "b": {"c": "d"}}})
    event_case("webhook-event-payload-null", "`payload` null is the same as absent.",
               '{"data":{"type":"event","id":"evt_1","attributes":{"name":"n","payload":null}}}',
               {"id": "evt_1", "name": "n", "created_at": None, "payload": None})
    event_case("webhook-event-escaped-strings", "JSON escapes in the strings the event reads are decoded.",
               '{"data":{"type":"event","id":"evt_\\u00e9\\n","attributes":{"name":"a\\/b\\"c"}}}',
               {"id": "evt_\u00e9\n", "name": 'a/b"c', "created_at": None, "payload": None})
    # --- a header with a NUL byte: the bytes after it are part of the value, never cut off
    verify("webhook-header-nul-then-junk", "`t=...,v1=<the right MAC>\\0junk`: the NUL and what follows belong "
           "to the v1 value, which is then not 64 hex characters -> no match (a C string would have ended at the "
           "NUL and matched).", f"{G}\0junk", NOMATCH)
    # --- secrets used verbatim
    verify("webhook-secret-whsec-prefix", "A `whsec_` secret is used verbatim, prefix included.",
           f"t={T0},v1={wmac(T0, secret='whsec_abc123XYZ')}", VALID, secrets=["whsec_abc123XYZ"])
    verify("webhook-secret-whsec-not-stripped", "Signed with the secret minus `whsec_` -> no match.",
           f"t={T0},v1={wmac(T0, secret='abc123XYZ')}", NOMATCH, secrets=["whsec_abc123XYZ"])
    verify("webhook-secret-wbhsec-not-stripped",
           "The default secret carries Persona's `wbhsec_` prefix; signed with the secret minus the prefix -> no match.",
           f"t={T0},v1={wmac(T0, secret=WSECRET[len('wbhsec_'):])}", NOMATCH)
    verify("webhook-secret-with-spaces", "Secret with leading/trailing spaces, used verbatim -> valid.",
           f"t={T0},v1={wmac(T0, secret='  spaced secret  ')}", VALID, secrets=["  spaced secret  "])
    verify("webhook-secret-with-spaces-not-trimmed", "Signed with the trimmed secret -> no match.",
           f"t={T0},v1={wmac(T0, secret='spaced secret')}", NOMATCH, secrets=["  spaced secret  "])
    b64_secret = base64.b64encode(b"\x01\x02\x03 raw key bytes \xff").decode()
    verify("webhook-secret-base64-looking-raw", "A base64-looking secret is used as raw text -> valid.",
           f"t={T0},v1={wmac(T0, secret=b64_secret)}", VALID, secrets=[b64_secret])
    decoded_mac = hmac.new(base64.b64decode(b64_secret), f"{T0}.".encode() + body_bytes(WBODY), hashlib.sha256).hexdigest()
    verify("webhook-secret-base64-not-decoded", "Signed with the base64-DECODED secret bytes -> no match.",
           f"t={T0},v1={decoded_mac}", NOMATCH, secrets=[b64_secret])
    USECRET = "s\u00e9cr\u00e8t-\U0001F511"
    verify("webhook-secret-unicode", "Non-ASCII secret (UTF-8 bytes).",
           f"t={T0},v1={wmac(T0, secret=USECRET)}", VALID, secrets=[USECRET])
    # --- limits
    base = f"{G},x="
    h16k = base + "a" * (WEBHOOK_MAX_HEADER_BYTES - len(base))
    assert len(h16k.encode()) == 16384
    verify("webhook-header-16384-bytes", "Header of exactly 16384 bytes (padded with an unknown item) -> valid.",
           h16k, VALID)
    verify("webhook-header-16385-bytes", "Header of 16385 bytes -> malformed.", h16k + "a", MALFORMED)
    junk = f"t={T0},v1={'0' * 64}"
    verify("webhook-16-sets-last-valid", "16 sets, the last one valid -> valid.", " ".join([junk] * 15 + [G]), VALID)
    verify("webhook-17-sets", "17 sets (the last one valid) -> more than 16 sets -> malformed.",
           " ".join([junk] * 16 + [G]), MALFORMED)
    return cases


# --------------------------------------------------------------------------------------------


def render(doc: dict) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def build() -> dict[str, bytes]:
    self_check()
    names = Names()
    req_cases = sign_cases(names) + verify_cases(names)
    wh_cases = webhook_cases(names)
    return {
        REQUEST_FILE: render({"schema": 1, "scheme": "persona-v1-request", "cases": req_cases}),
        WEBHOOK_FILE: render({"schema": 1, "scheme": "persona-webhook", "cases": wh_cases}),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the files on disk differ from the output")
    args = ap.parse_args()
    outputs = build()
    if args.check:
        stale = []
        for path, data in outputs.items():
            try:
                with open(path, "rb") as f:
                    if f.read() != data:
                        stale.append(path)
            except FileNotFoundError:
                stale.append(path)
        for path in stale:
            print(f"{os.path.relpath(path)} is out of date; run python3 tests/vectors/generate.py", file=sys.stderr)
        return 1 if stale else 0
    for path, data in outputs.items():
        with open(path, "wb") as f:
            f.write(data)
        print(f"wrote {os.path.relpath(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
