/*
 * Runs the shared test vectors (tests/vectors/request_signing.json and
 * tests/vectors/webhooks.json) through libpersona's C ABI.
 *
 *   vectors_test <vectors-dir>
 *
 * Every case counts once: it passes when every check in it passes. A vector
 * file that cannot be opened or parsed, or that has no cases, counts as one
 * failure. The last line printed is exactly "N passed, M failed"; the exit
 * status is non-zero when M > 0.
 */
#include "persona.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A NUL-terminated test string as the ABI's pointer + length (NULL stays NULL, with length 0). */
static inline size_t slen(const char *s) { return s == NULL ? 0 : strlen(s); }
#define S(x) (const uint8_t *)(x), slen(x)

/* ------------------------------------------------------------------ */
/* bookkeeping                                                         */

static int g_passed;
static int g_failed;

typedef struct {
  const char *file;  /* "request_signing.json" */
  int index;         /* position in "cases" */
  const char *name;  /* the case's name, or "" */
  const char *op;    /* "sign" / "verify" */
  int step;          /* -1 when the case has no steps */
  bool failed;
} ctx_t;

/* Result of the most recent fallible ABI call: the last error message is only this call's
   when it failed (a successful call leaves the previous message in place). */
static persona_result g_last_rc = PERSONA_OK;
#define CALL(expr) (g_last_rc = (expr))

/* Sentinels for out-params: a real address no library would return. */
static char g_sentinel_storage[8];
#define SENTINEL ((void *)&g_sentinel_storage[0])

/* This thread's last error message (static buffer, for diagnostics only). */
static const char *last_error(void) {
  static char buf[4096];
  size_t len = persona_last_error_length();
  if (len == 0) {
    return "(none)";
  }
  if (len >= sizeof buf) {
    /* Too long for our buffer: fetch it fully on the heap and truncate. */
    char *big = malloc(len + 1);
    if (big == NULL) {
      return "(out of memory)";
    }
    if (persona_last_error_message(big, len + 1) != PERSONA_OK) {
      free(big);
      return "(persona_last_error_message failed)";
    }
    memcpy(buf, big, sizeof buf - 1);
    buf[sizeof buf - 1] = '\0';
    free(big);
    return buf;
  }
  if (persona_last_error_message(buf, sizeof buf) != PERSONA_OK) {
    return "(persona_last_error_message failed)";
  }
  return buf;
}

/* Prints s with C escapes, cut at 2000 bytes. NULL prints as (null). */
static void print_escaped(FILE *f, const char *s) {
  if (s == NULL) {
    fputs("(null)", f);
    return;
  }
  fputc('"', f);
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++, n++) {
    if (n == 2000) {
      fputs("...(truncated)", f);
      break;
    }
    switch (*p) {
      case '\n': fputs("\\n", f); break;
      case '\r': fputs("\\r", f); break;
      case '\t': fputs("\\t", f); break;
      case '"': fputs("\\\"", f); break;
      case '\\': fputs("\\\\", f); break;
      default:
        if (*p < 0x20 || *p >= 0x7f) {
          fprintf(f, "\\x%02x", *p);
        } else {
          fputc(*p, f);
        }
    }
  }
  fputc('"', f);
}

static void fail_begin(ctx_t *c) {
  c->failed = true;
  printf("FAIL %s case %d", c->file, c->index);
  if (c->name != NULL && c->name[0] != '\0') {
    printf(" \"%s\"", c->name);
  }
  if (c->op != NULL) {
    printf(" (op %s)", c->op);
  }
  if (c->step >= 0) {
    printf(" step %d", c->step);
  }
  printf(": ");
}

static void fail_end(void) {
  printf("\n    persona_last_error_message: ");
  print_escaped(stdout, last_error());
  if (g_last_rc == PERSONA_OK) {
    printf(" (stale: the last call returned PERSONA_OK)");
  }
  printf("\n");
}

static void failf(ctx_t *c, const char *fmt, ...) {
  fail_begin(c);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fail_end();
}

/* ASCII case-insensitive substring test. */
static bool icontains(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (; *hay != '\0'; hay++) {
    size_t i = 0;
    for (; i < n; i++) {
      char x = hay[i], y = needle[i];
      if (x == '\0') return false;
      if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
      if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
      if (x != y) break;
    }
    if (i == n) return true;
  }
  return n == 0;
}

static void expect_str(ctx_t *c, const char *what, const char *expected, const char *got) {
  if (expected != NULL && got != NULL && strcmp(expected, got) == 0) {
    return;
  }
  fail_begin(c);
  printf("%s\n    expected: ", what);
  print_escaped(stdout, expected);
  printf("\n    got:      ");
  print_escaped(stdout, got);
  fail_end();
}

static void expect_code(ctx_t *c, const char *what, persona_result expected, persona_result got) {
  if (expected == got) {
    return;
  }
  failf(c, "%s: expected %s (%d), got %s (%d)", what, persona_result_name(expected), (int)expected,
        persona_result_name(got), (int)got);
}

/* ------------------------------------------------------------------ */
/* error code strings                                                  */

static const struct {
  const char *name;
  persona_result code;
} k_codes[] = {
    {"ok", PERSONA_OK},
    {"null_argument", PERSONA_ERR_NULL_ARGUMENT},
    {"invalid_utf8", PERSONA_ERR_INVALID_UTF8},
    {"buffer_too_small", PERSONA_ERR_BUFFER_TOO_SMALL},
    {"panic", PERSONA_ERR_PANIC},
    {"invalid_argument", PERSONA_ERR_INVALID_ARGUMENT},
    {"invalid_key_id", PERSONA_ERR_INVALID_KEY_ID},
    {"invalid_secret", PERSONA_ERR_INVALID_SECRET},
    {"invalid_nonce", PERSONA_ERR_INVALID_NONCE},
    {"invalid_timestamp", PERSONA_ERR_INVALID_TIMESTAMP},
    {"invalid_url", PERSONA_ERR_INVALID_URL},
    {"invalid_method", PERSONA_ERR_INVALID_METHOD},
    {"missing_header", PERSONA_ERR_MISSING_HEADER},
    {"malformed_header", PERSONA_ERR_MALFORMED_HEADER},
    {"unknown_key", PERSONA_ERR_UNKNOWN_KEY},
    {"signature_mismatch", PERSONA_ERR_SIGNATURE_MISMATCH},
    {"timestamp_out_of_tolerance", PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE},
    {"replayed_nonce", PERSONA_ERR_REPLAYED_NONCE},
    {"replay_cache_full", PERSONA_ERR_REPLAY_CACHE_FULL},
    {"no_matching_signature", PERSONA_ERR_NO_MATCHING_SIGNATURE},
    {"invalid_payload", PERSONA_ERR_INVALID_PAYLOAD},
};

static bool code_from_string(const char *s, persona_result *out) {
  if (s == NULL) {
    return false;
  }
  for (size_t i = 0; i < sizeof k_codes / sizeof k_codes[0]; i++) {
    if (strcmp(k_codes[i].name, s) == 0) {
      *out = k_codes[i].code;
      return true;
    }
  }
  return false;
}

/* ------------------------------------------------------------------ */
/* JSON helpers                                                        */

static const char *json_str(const cJSON *obj, const char *key) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsString(it) ? it->valuestring : NULL;
}

static bool json_has(const cJSON *obj, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
}

static bool json_is_null_or_absent(const cJSON *obj, const char *key) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  return it == NULL || cJSON_IsNull(it);
}

/*
 * Integers: cJSON keeps numbers as doubles, so only integers of magnitude
 * <= 2^53 are exact. A vector may also write a 64-bit integer as a decimal
 * string. Anything else is reported, never silently rounded.
 */
static bool json_to_i64(const cJSON *it, int64_t *out) {
  if (cJSON_IsNumber(it)) {
    double d = it->valuedouble;
    if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0)) {
      return false;
    }
    int64_t v = (int64_t)d;
    if ((double)v != d) {
      return false;
    }
    *out = v;
    return true;
  }
  if (cJSON_IsString(it) && it->valuestring[0] != '\0') {
    char *end = NULL;
    errno = 0;
    long long v = strtoll(it->valuestring, &end, 10);
    if (errno != 0 || end == NULL || *end != '\0') {
      return false;
    }
    *out = (int64_t)v;
    return true;
  }
  return false;
}

static bool json_to_u64(const cJSON *it, uint64_t *out) {
  if (cJSON_IsNumber(it)) {
    double d = it->valuedouble;
    if (!(d >= 0.0 && d <= 9007199254740992.0)) {
      return false;
    }
    uint64_t v = (uint64_t)d;
    if ((double)v != d) {
      return false;
    }
    *out = v;
    return true;
  }
  if (cJSON_IsString(it) && it->valuestring[0] >= '0' && it->valuestring[0] <= '9') {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(it->valuestring, &end, 10);
    if (errno != 0 || end == NULL || *end != '\0') {
      return false;
    }
    *out = (uint64_t)v;
    return true;
  }
  return false;
}

/* ------------------------------------------------------------------ */
/* bodies                                                              */

typedef struct {
  uint8_t *data; /* always non-NULL after a successful decode (at least 1 byte allocated) */
  size_t len;
} bytes_t;

static void bytes_free(bytes_t *b) {
  free(b->data);
  b->data = NULL;
  b->len = 0;
}

static int b64_value(unsigned char ch) {
  if (ch >= 'A' && ch <= 'Z') return ch - 'A';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9') return ch - '0' + 52;
  if (ch == '+') return 62;
  if (ch == '/') return 63;
  return -1;
}

/* Standard base64 (RFC 4648 §4), padding optional, no whitespace. */
static bool base64_decode(const char *in, bytes_t *out, const char **err) {
  size_t n = strlen(in);
  while (n > 0 && in[n - 1] == '=') {
    n--;
  }
  if (strlen(in) - n > 2 || n % 4 == 1) {
    *err = "bad base64 length or padding";
    return false;
  }
  out->data = malloc(n / 4 * 3 + 3);
  out->len = 0;
  if (out->data == NULL) {
    *err = "out of memory";
    return false;
  }
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    int v = b64_value((unsigned char)in[i]);
    if (v < 0) {
      bytes_free(out);
      *err = "invalid base64 character";
      return false;
    }
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->data[out->len++] = (uint8_t)((acc >> bits) & 0xff);
    }
  }
  /* leftover bits must be zero (canonical encoding) */
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    bytes_free(out);
    *err = "non-canonical base64 (non-zero trailing bits)";
    return false;
  }
  return true;
}

/*
 * BODY: {"utf8": s} | {"base64": s} | {"repeat": s, "times": n}.
 * Leniency: a bare JSON string is taken as utf8, and null/absent as empty.
 */
static bool decode_body(const cJSON *it, bytes_t *out, const char **err) {
  out->data = NULL;
  out->len = 0;
  if (it == NULL || cJSON_IsNull(it)) {
    out->data = malloc(1);
    if (out->data == NULL) {
      *err = "out of memory";
      return false;
    }
    return true;
  }
  if (cJSON_IsString(it)) {
    size_t n = strlen(it->valuestring);
    out->data = malloc(n + 1);
    if (out->data == NULL) {
      *err = "out of memory";
      return false;
    }
    memcpy(out->data, it->valuestring, n + 1);
    out->len = n;
    return true;
  }
  if (!cJSON_IsObject(it)) {
    *err = "body is neither an object, a string nor null";
    return false;
  }
  const char *utf8 = json_str(it, "utf8");
  const char *b64 = json_str(it, "base64");
  const char *rep = json_str(it, "repeat");
  if (utf8 != NULL) {
    return decode_body(cJSON_GetObjectItemCaseSensitive(it, "utf8"), out, err);
  }
  if (b64 != NULL) {
    if (!base64_decode(b64, out, err)) {
      return false;
    }
    if (out->len == 0) {
      /* keep the "data is non-NULL" promise */
      free(out->data);
      out->data = malloc(1);
      if (out->data == NULL) {
        *err = "out of memory";
        return false;
      }
    }
    return true;
  }
  if (rep != NULL) {
    uint64_t times = 0;
    if (!json_to_u64(cJSON_GetObjectItemCaseSensitive(it, "times"), &times)) {
      *err = "repeat body without a valid non-negative integer \"times\"";
      return false;
    }
    size_t unit = strlen(rep);
    if (unit != 0 && times > (uint64_t)(256u * 1024u * 1024u) / unit) {
      *err = "repeat body larger than 256 MiB";
      return false;
    }
    size_t total = unit * (size_t)times;
    out->data = malloc(total + 1);
    if (out->data == NULL) {
      *err = "out of memory";
      return false;
    }
    for (uint64_t i = 0; i < times; i++) {
      memcpy(out->data + i * unit, rep, unit);
    }
    out->data[total] = '\0';
    out->len = total;
    return true;
  }
  *err = "body object has none of utf8/base64/repeat";
  return false;
}

/* A string that may also be written as a BODY object (e.g. a very long header, or one with a NUL
   byte, which the ABI takes as pointer + length). Returns a heap string with a NUL after its
   *len_out bytes (which may hold NULs too), or NULL with *err set. */
static char *decode_text(const cJSON *it, size_t *len_out, const char **err) {
  bytes_t b;
  if (!decode_body(it, &b, err)) {
    return NULL;
  }
  *len_out = b.len;
  char *s = realloc(b.data, b.len + 1);
  if (s == NULL) {
    bytes_free(&b);
    *err = "out of memory";
    return NULL;
  }
  s[b.len] = '\0';
  return s;
}

/* ------------------------------------------------------------------ */
/* expected outcome                                                    */

/* expected: {"valid":true,...} | {"valid":false,"error":code} | {"error":code} | success object.
   Sets *code (PERSONA_OK for success). *any_error is set when the vector says invalid
   but gives no code (then any non-OK result is accepted). */
static bool parse_expected(ctx_t *c, const cJSON *expected, persona_result *code, bool *any_error) {
  *any_error = false;
  *code = PERSONA_OK;
  if (!cJSON_IsObject(expected)) {
    failf(c, "vector has no \"expected\" object");
    return false;
  }
  const cJSON *err = cJSON_GetObjectItemCaseSensitive(expected, "error");
  const cJSON *valid = cJSON_GetObjectItemCaseSensitive(expected, "valid");
  if (err != NULL && !cJSON_IsNull(err)) {
    if (!cJSON_IsString(err) || !code_from_string(err->valuestring, code)) {
      fail_begin(c);
      printf("vector has an unknown error code ");
      print_escaped(stdout, cJSON_IsString(err) ? err->valuestring : "(not a string)");
      fail_end();
      return false;
    }
    if (cJSON_IsTrue(valid)) {
      failf(c, "vector says valid=true but also has an error");
      return false;
    }
    return true;
  }
  if (cJSON_IsFalse(valid)) {
    *any_error = true;
  }
  return true;
}

/* Checks the result number and, for an error, the library's code and message against the vector's
   `error` and `message` (`json`, the object holding them): both are the same in every language. */
static void check_result(ctx_t *c, const char *what, persona_result expected, bool any_error,
                         persona_result got, const cJSON *json) {
  if (any_error) {
    if (got == PERSONA_OK) {
      failf(c, "%s: expected an error (vector gives no code), got PERSONA_OK", what);
    }
    return;
  }
  expect_code(c, what, expected, got);
  if (got == PERSONA_OK || got != expected || json == NULL) {
    return;
  }
  const char *want_code = json_str(json, "error");
  const char *want_message = json_str(json, "message");
  if (want_code != NULL) {
    expect_str(c, "last error code", want_code, persona_last_error_code());
  }
  if (want_message == NULL) {
    failf(c, "%s: the vector's error has no message", what);
  } else {
    expect_str(c, "last error message", want_message, last_error());
  }
}

/* ------------------------------------------------------------------ */
/* request signing: sign                                               */

static void run_request_sign(ctx_t *c, const cJSON *cs) {
  const cJSON *input = cJSON_GetObjectItemCaseSensitive(cs, "input");
  const cJSON *expected = cJSON_GetObjectItemCaseSensitive(cs, "expected");
  if (!cJSON_IsObject(input)) {
    failf(c, "vector has no \"input\" object");
    return;
  }
  persona_result want;
  bool any_error;
  if (!parse_expected(c, expected, &want, &any_error)) {
    return;
  }

  const char *key_id = json_str(input, "key_id");
  const char *secret = json_str(input, "secret");
  const char *method = json_str(input, "method");
  const char *url = json_str(input, "url");
  const char *nonce = json_str(input, "nonce");
  if (key_id == NULL || secret == NULL || method == NULL || url == NULL) {
    failf(c, "vector input lacks one of key_id/secret/method/url (strings)");
    return;
  }
  if (!json_is_null_or_absent(input, "nonce") && nonce == NULL) {
    failf(c, "vector input nonce is neither a string nor null");
    return;
  }
  int64_t ts = 0;
  const int64_t *ts_ptr = NULL;
  if (!json_is_null_or_absent(input, "timestamp")) {
    if (!json_to_i64(cJSON_GetObjectItemCaseSensitive(input, "timestamp"), &ts)) {
      failf(c, "vector timestamp is not an integer exactly representable here "
               "(numbers beyond 2^53 must be written as decimal strings)");
      return;
    }
    ts_ptr = &ts;
  }
  bytes_t body;
  const char *berr = NULL;
  if (!decode_body(cJSON_GetObjectItemCaseSensitive(input, "body"), &body, &berr)) {
    failf(c, "cannot decode body: %s", berr);
    return;
  }

  persona_request_signer *signer = SENTINEL;
  persona_signed_request *req = SENTINEL;
  persona_result rc = CALL(persona_request_signer_new(S(key_id), S(secret), &signer));
  const char *stage = "persona_request_signer_new";
  if (rc != PERSONA_OK) {
    if (signer != SENTINEL) {
      failf(c, "persona_request_signer_new failed but wrote its out-param");
    }
    signer = NULL;
  } else {
    if (signer == NULL || signer == SENTINEL) {
      failf(c, "persona_request_signer_new returned OK without a signer");
      signer = NULL;
      goto done;
    }
    stage = "persona_request_signer_sign";
    rc = CALL(persona_request_signer_sign(signer, S(method), S(url), body.data, body.len, ts_ptr, S(nonce), &req));
    if (rc != PERSONA_OK && req != SENTINEL) {
      failf(c, "persona_request_signer_sign failed but wrote its out-param");
    }
  }
  if (rc != PERSONA_OK) {
    req = NULL;
    if (want == PERSONA_OK && !any_error) {
      failf(c, "expected a signed request, got %s (%d) from %s", persona_result_name(rc), (int)rc, stage);
    } else {
      check_result(c, "result", want, any_error, rc, expected);
    }
    goto done;
  }
  if (req == NULL || req == SENTINEL) {
    failf(c, "persona_request_signer_sign returned OK without a request");
    req = NULL;
    goto done;
  }
  if (want != PERSONA_OK || any_error) {
    check_result(c, "result", want, any_error, rc, expected);
    goto done;
  }

  /* canonical request */
  const char *canonical = json_str(expected, "canonical_request");
  if (canonical != NULL) {
    expect_str(c, "canonical request", canonical, persona_signed_request_canonical_request(req));
  } else if (json_has(expected, "canonical_request")) {
    failf(c, "vector canonical_request is not a string");
  }

  /* headers: same count, same names and values, same order */
  const cJSON *headers = cJSON_GetObjectItemCaseSensitive(expected, "headers");
  if (!cJSON_IsArray(headers)) {
    failf(c, "vector has no expected.headers array");
    goto done;
  }
  size_t want_count = (size_t)cJSON_GetArraySize(headers);
  size_t got_count = persona_signed_request_header_count(req);
  if (want_count != got_count) {
    failf(c, "header count: expected %zu, got %zu", want_count, got_count);
  }
  size_t i = 0;
  const cJSON *h;
  cJSON_ArrayForEach(h, headers) {
    const cJSON *hn = cJSON_GetArrayItem(h, 0);
    const cJSON *hv = cJSON_GetArrayItem(h, 1);
    if (!cJSON_IsArray(h) || cJSON_GetArraySize(h) != 2 || !cJSON_IsString(hn) || !cJSON_IsString(hv)) {
      failf(c, "vector header %zu is not a [name, value] pair of strings", i);
      i++;
      continue;
    }
    char what[64];
    snprintf(what, sizeof what, "header %zu name", i);
    expect_str(c, what, hn->valuestring, persona_signed_request_header_name(req, i));
    snprintf(what, sizeof what, "header %zu (%s) value", i, hn->valuestring);
    expect_str(c, what, hv->valuestring, persona_signed_request_header_value(req, i));
    i++;
  }
  if (persona_signed_request_header_name(req, got_count) != NULL ||
      persona_signed_request_header_value(req, got_count) != NULL) {
    failf(c, "header name/value at index header_count (%zu) is not NULL", got_count);
  }

  /* the signature must appear in one of the headers (the ABI exposes no separate getter) */
  const char *sig = json_str(expected, "signature");
  if (sig != NULL && sig[0] != '\0') {
    bool found = false;
    for (size_t k = 0; k < got_count; k++) {
      const char *v = persona_signed_request_header_value(req, k);
      if (v != NULL && strstr(v, sig) != NULL) {
        found = true;
      }
    }
    if (!found) {
      fail_begin(c);
      printf("expected signature ");
      print_escaped(stdout, sig);
      printf(" appears in no header value");
      fail_end();
    }
  }

done:
  persona_signed_request_free(req);
  persona_request_signer_free(signer);
  bytes_free(&body);
}

/* ------------------------------------------------------------------ */
/* request signing: verify                                             */

typedef struct {
  persona_header *items;
  char **strings; /* owned copies, 2 per header */
  size_t len;
} header_list_t;

static void header_list_free(header_list_t *l) {
  for (size_t i = 0; i < 2 * l->len; i++) {
    free(l->strings[i]);
  }
  free(l->strings);
  free(l->items);
  memset(l, 0, sizeof *l);
}

static bool header_list_from_json(ctx_t *c, const cJSON *arr, header_list_t *out) {
  memset(out, 0, sizeof *out);
  if (arr == NULL || cJSON_IsNull(arr)) {
    arr = NULL;
  } else if (!cJSON_IsArray(arr)) {
    failf(c, "request.headers is not an array");
    return false;
  }
  size_t n = arr == NULL ? 0 : (size_t)cJSON_GetArraySize(arr);
  /* never a NULL pointer, even for zero headers: NULL with len 0 is not what we test here */
  out->items = calloc(n + 1, sizeof *out->items);
  out->strings = calloc(2 * n + 1, sizeof *out->strings);
  if (out->items == NULL || out->strings == NULL) {
    failf(c, "out of memory");
    header_list_free(out);
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    const cJSON *pair = cJSON_GetArrayItem(arr, (int)i);
    if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2) {
      failf(c, "request header %zu is not a [name, value] pair", i);
      header_list_free(out);
      return false;
    }
    const char *err = NULL;
    size_t name_len = 0, value_len = 0;
    char *name = decode_text(cJSON_GetArrayItem(pair, 0), &name_len, &err);
    char *value = name == NULL ? NULL : decode_text(cJSON_GetArrayItem(pair, 1), &value_len, &err);
    if (name == NULL || value == NULL) {
      free(name);
      failf(c, "request header %zu: %s", i, err);
      header_list_free(out);
      return false;
    }
    out->strings[2 * i] = name;
    out->strings[2 * i + 1] = value;
    out->items[i] = (persona_header){(const uint8_t *)name, name_len, (const uint8_t *)value, value_len};
    out->len = i + 1;
  }
  out->len = n;
  return true;
}

static void run_request_verify_step(ctx_t *c, const persona_request_verifier *verifier, const cJSON *step) {
  const cJSON *request = cJSON_GetObjectItemCaseSensitive(step, "request");
  const cJSON *expected = cJSON_GetObjectItemCaseSensitive(step, "expected");
  if (!cJSON_IsObject(request)) {
    failf(c, "step has no \"request\" object");
    return;
  }
  persona_result want;
  bool any_error;
  if (!parse_expected(c, expected, &want, &any_error)) {
    return;
  }
  const char *method = json_str(request, "method");
  const char *url = json_str(request, "url");
  if (method == NULL || url == NULL) {
    failf(c, "step request lacks method/url strings");
    return;
  }
  int64_t now = 0;
  const int64_t *now_ptr = NULL;
  if (!json_is_null_or_absent(step, "now")) {
    if (!json_to_i64(cJSON_GetObjectItemCaseSensitive(step, "now"), &now)) {
      failf(c, "step \"now\" is not an integer exactly representable here "
               "(numbers beyond 2^53 must be written as decimal strings)");
      return;
    }
    now_ptr = &now;
  }
  header_list_t headers;
  if (!header_list_from_json(c, cJSON_GetObjectItemCaseSensitive(request, "headers"), &headers)) {
    return;
  }
  bytes_t body;
  const char *berr = NULL;
  if (!decode_body(cJSON_GetObjectItemCaseSensitive(request, "body"), &body, &berr)) {
    failf(c, "cannot decode body: %s", berr);
    header_list_free(&headers);
    return;
  }

  const char *key_id_out = SENTINEL;
  persona_result rc = CALL(persona_request_verifier_verify(verifier, S(method), S(url), headers.items, headers.len,
                                                           body.data, body.len, now_ptr, &key_id_out));
  check_result(c, "persona_request_verifier_verify", want, any_error, rc, expected);
  if (rc == PERSONA_OK) {
    const char *want_key = json_str(expected, "key_id");
    if (key_id_out == SENTINEL || key_id_out == NULL) {
      failf(c, "PERSONA_OK but key_id_out was not set");
    } else if (want_key != NULL) {
      expect_str(c, "authenticated key id", want_key, key_id_out);
    }
  } else if (key_id_out != SENTINEL) {
    failf(c, "verification failed (%s) but key_id_out was written", persona_result_name(rc));
  }
  /* "the message names it": a missing header's name must appear in the last error message */
  const char *want_header = json_str(expected, "header");
  if (rc == PERSONA_ERR_MISSING_HEADER && want_header != NULL && !icontains(last_error(), want_header)) {
    failf(c, "the missing-header message does not name \"%s\"", want_header);
  }
  bytes_free(&body);
  header_list_free(&headers);
}

static void run_request_verify(ctx_t *c, const cJSON *cs) {
  const cJSON *vcfg = cJSON_GetObjectItemCaseSensitive(cs, "verifier");
  const cJSON *steps = cJSON_GetObjectItemCaseSensitive(cs, "steps");
  if (!cJSON_IsObject(vcfg) || !cJSON_IsArray(steps)) {
    failf(c, "verify case needs a \"verifier\" object and a \"steps\" array");
    return;
  }
  if (cJSON_GetArraySize(steps) == 0) {
    failf(c, "verify case has no steps");
    return;
  }
  const cJSON *keys = cJSON_GetObjectItemCaseSensitive(vcfg, "keys");
  if (!cJSON_IsArray(keys)) {
    failf(c, "verifier.keys is not an array");
    return;
  }
  uint64_t tolerance = 0;
  if (!json_to_u64(cJSON_GetObjectItemCaseSensitive(vcfg, "tolerance"), &tolerance)) {
    failf(c, "verifier.tolerance is not a non-negative integer");
    return;
  }
  const cJSON *rc_item = cJSON_GetObjectItemCaseSensitive(vcfg, "replay_cache");
  size_t capacity = cJSON_IsTrue(rc_item) ? 10000 : 0;

  /* one persona_key per (key_id, secret): a repeated key_id means rotation */
  size_t n_keys = 0;
  const cJSON *k;
  cJSON_ArrayForEach(k, keys) {
    const cJSON *secrets = cJSON_GetObjectItemCaseSensitive(k, "secrets");
    if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(k, "key_id")) || !cJSON_IsArray(secrets)) {
      failf(c, "verifier key entry needs key_id (string) and secrets (array)");
      return;
    }
    n_keys += (size_t)cJSON_GetArraySize(secrets);
  }
  persona_key *pk = calloc(n_keys + 1, sizeof *pk);
  if (pk == NULL) {
    failf(c, "out of memory");
    return;
  }
  size_t j = 0;
  cJSON_ArrayForEach(k, keys) {
    const char *key_id = json_str(k, "key_id");
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(k, "secrets")) {
      if (!cJSON_IsString(s)) {
        failf(c, "verifier secret for key %s is not a string", key_id);
        free(pk);
        return;
      }
      pk[j] = (persona_key){S(key_id), S(s->valuestring)};
      j++;
    }
  }

  persona_request_verifier *verifier = SENTINEL;
  persona_result rc = CALL(persona_request_verifier_new(pk, n_keys, tolerance, capacity, &verifier));
  free(pk); /* the verifier must have copied what it needs */
  if (rc != PERSONA_OK || verifier == NULL || verifier == SENTINEL) {
    failf(c, "persona_request_verifier_new: expected PERSONA_OK with a verifier, got %s (%d)",
          persona_result_name(rc), (int)rc);
    if (rc == PERSONA_OK && verifier != SENTINEL) {
      persona_request_verifier_free(verifier);
    }
    return;
  }
  int idx = 0;
  const cJSON *step;
  cJSON_ArrayForEach(step, steps) {
    c->step = idx++;
    run_request_verify_step(c, verifier, step);
  }
  c->step = -1;
  persona_request_verifier_free(verifier);
}

/* ------------------------------------------------------------------ */
/* webhooks                                                            */

static void check_event(ctx_t *c, const persona_webhook_verifier *verifier, const char *header,
                        size_t header_len, const bytes_t *body, const int64_t *now_ptr, persona_result verify_want,
                        bool verify_any_error, const cJSON *event) {
  persona_result want = verify_want;
  bool any_error = verify_any_error;
  if (!cJSON_IsObject(event)) {
    failf(c, "\"event\" is not an object");
    return;
  }
  const cJSON *eerr = cJSON_GetObjectItemCaseSensitive(event, "error");
  if (eerr != NULL && !cJSON_IsNull(eerr)) {
    if (!cJSON_IsString(eerr) || !code_from_string(eerr->valuestring, &want)) {
      failf(c, "vector event.error is not a known code");
      return;
    }
    any_error = false;
  }
  persona_webhook_event *ev = SENTINEL;
  persona_result rc =
      CALL(persona_webhook_verifier_verify_event(verifier, (const uint8_t *)header, header_len, body->data,
                                                 body->len, now_ptr, &ev));
  check_result(c, "persona_webhook_verifier_verify_event", want, any_error, rc, eerr != NULL ? event : NULL);
  if (rc != PERSONA_OK) {
    if (ev != SENTINEL) {
      failf(c, "persona_webhook_verifier_verify_event failed but wrote its out-param");
    }
    return;
  }
  if (ev == NULL || ev == SENTINEL) {
    failf(c, "persona_webhook_verifier_verify_event returned OK without an event");
    return;
  }
  const char *id = json_str(event, "id");
  const char *name = json_str(event, "name");
  if (id != NULL) {
    expect_str(c, "event id", id, persona_webhook_event_id(ev, NULL));
  }
  if (name != NULL) {
    expect_str(c, "event name", name, persona_webhook_event_name(ev, NULL));
  }
  if (json_has(event, "created_at")) {
    const char *created = json_str(event, "created_at");
    /* null in the vector = absent in the event = NULL from the ABI */
    const char *got_created = persona_webhook_event_created_at(ev, NULL);
    if (created == NULL) {
      if (got_created != NULL) {
        failf(c, "event created_at: expected NULL (absent), got \"%s\"", got_created);
      }
    } else {
      expect_str(c, "event created_at", created, got_created);
    }
  }
  const cJSON *payload = cJSON_GetObjectItemCaseSensitive(event, "payload");
  if (payload != NULL) {
    const char *got = persona_webhook_event_payload_json(ev, NULL);
    cJSON *parsed = got == NULL ? NULL : cJSON_Parse(got);
    if (parsed == NULL || !cJSON_Compare(payload, parsed, true)) {
      char *want_txt = cJSON_PrintUnformatted(payload);
      fail_begin(c);
      printf("event payload differs (compared as JSON)\n    expected: ");
      print_escaped(stdout, want_txt);
      printf("\n    got:      ");
      print_escaped(stdout, got);
      fail_end();
      cJSON_free(want_txt);
    }
    cJSON_Delete(parsed);
  }
  persona_webhook_event_free(ev);
}

static void run_webhook_verify(ctx_t *c, const cJSON *cs) {
  const cJSON *secrets = cJSON_GetObjectItemCaseSensitive(cs, "secrets");
  const cJSON *expected = cJSON_GetObjectItemCaseSensitive(cs, "expected");
  if (!cJSON_IsArray(secrets)) {
    failf(c, "webhook verify case needs a \"secrets\" array");
    return;
  }
  persona_result want;
  bool any_error;
  if (!parse_expected(c, expected, &want, &any_error)) {
    return;
  }
  uint64_t tolerance = 0;
  if (!json_to_u64(cJSON_GetObjectItemCaseSensitive(cs, "tolerance"), &tolerance)) {
    failf(c, "\"tolerance\" is not a non-negative integer");
    return;
  }
  int64_t now = 0;
  const int64_t *now_ptr = NULL;
  if (!json_is_null_or_absent(cs, "now")) {
    if (!json_to_i64(cJSON_GetObjectItemCaseSensitive(cs, "now"), &now)) {
      failf(c, "\"now\" is not an integer exactly representable here "
               "(numbers beyond 2^53 must be written as decimal strings)");
      return;
    }
    now_ptr = &now;
  }
  char *header = NULL;
  size_t header_len = 0;
  if (!json_is_null_or_absent(cs, "header")) {
    const char *herr = NULL;
    header = decode_text(cJSON_GetObjectItemCaseSensitive(cs, "header"), &header_len, &herr);
    if (header == NULL) {
      failf(c, "cannot decode header: %s", herr);
      return;
    }
  }
  bytes_t body;
  const char *berr = NULL;
  if (!decode_body(cJSON_GetObjectItemCaseSensitive(cs, "body"), &body, &berr)) {
    failf(c, "cannot decode body: %s", berr);
    free(header);
    return;
  }
  size_t n = (size_t)cJSON_GetArraySize(secrets);
  persona_str *sec = calloc(n + 1, sizeof *sec);
  if (sec == NULL) {
    failf(c, "out of memory");
    free(header);
    bytes_free(&body);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    const cJSON *s = cJSON_GetArrayItem(secrets, (int)i);
    if (!cJSON_IsString(s)) {
      failf(c, "secret %zu is not a string", i);
      free(sec);
      free(header);
      bytes_free(&body);
      return;
    }
    sec[i] = (persona_str){S(s->valuestring)};
  }
  persona_webhook_verifier *verifier = SENTINEL;
  persona_result rc = CALL(persona_webhook_verifier_new(sec, n, tolerance, &verifier));
  free(sec); /* the verifier must have copied the secrets */
  if (rc != PERSONA_OK || verifier == NULL || verifier == SENTINEL) {
    failf(c, "persona_webhook_verifier_new: expected PERSONA_OK with a verifier, got %s (%d)",
          persona_result_name(rc), (int)rc);
    if (rc == PERSONA_OK && verifier != SENTINEL) {
      persona_webhook_verifier_free(verifier);
    }
    free(header);
    bytes_free(&body);
    return;
  }
  rc = CALL(persona_webhook_verifier_verify(verifier, (const uint8_t *)header, header_len, body.data, body.len,
                                            now_ptr));
  check_result(c, "persona_webhook_verifier_verify", want, any_error, rc, expected);

  const cJSON *event = cJSON_GetObjectItemCaseSensitive(cs, "event");
  if (event != NULL && !cJSON_IsNull(event)) {
    check_event(c, verifier, header, header_len, &body, now_ptr, want, any_error, event);
  }
  persona_webhook_verifier_free(verifier);
  free(header);
  bytes_free(&body);
}

static void run_webhook_sign(ctx_t *c, const cJSON *cs) {
  const cJSON *expected = cJSON_GetObjectItemCaseSensitive(cs, "expected");
  persona_result want;
  bool any_error;
  if (!parse_expected(c, expected, &want, &any_error)) {
    return;
  }
  const char *secret = json_str(cs, "secret");
  if (secret == NULL) {
    failf(c, "webhook sign case needs a \"secret\" string");
    return;
  }
  int64_t ts = 0;
  if (!json_to_i64(cJSON_GetObjectItemCaseSensitive(cs, "timestamp"), &ts)) {
    failf(c, "\"timestamp\" is not an integer exactly representable here "
             "(numbers beyond 2^53 must be written as decimal strings)");
    return;
  }
  bytes_t body;
  const char *berr = NULL;
  if (!decode_body(cJSON_GetObjectItemCaseSensitive(cs, "body"), &body, &berr)) {
    failf(c, "cannot decode body: %s", berr);
    return;
  }
  char buf[PERSONA_WEBHOOK_HEADER_MAX];
  memset(buf, 0x5a, sizeof buf);
  persona_result rc = CALL(persona_webhook_sign(S(secret), body.data, body.len, ts, buf, sizeof buf));
  check_result(c, "persona_webhook_sign", want, any_error, rc, expected);
  if (rc == PERSONA_OK && want == PERSONA_OK && !any_error) {
    if (memchr(buf, '\0', sizeof buf) == NULL) {
      failf(c, "persona_webhook_sign returned OK without a NUL-terminated header");
    } else {
      const char *header = json_str(expected, "header");
      if (header == NULL) {
        failf(c, "vector has no expected.header string");
      } else {
        expect_str(c, "webhook header", header, buf);
      }
    }
  }
  bytes_free(&body);
}

/* ------------------------------------------------------------------ */
/* files                                                               */

typedef void (*case_fn)(ctx_t *, const cJSON *);

static char *read_file(const char *path, size_t *len_out) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    return NULL;
  }
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  while (buf != NULL) {
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (len < cap) {
      if (ferror(f)) {
        free(buf);
        buf = NULL;
      }
      break;
    }
    char *bigger = realloc(buf, cap * 2);
    if (bigger == NULL) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = bigger;
    cap *= 2;
  }
  fclose(f);
  if (buf != NULL) {
    *len_out = len;
  }
  return buf;
}

static void run_file(const char *dir, const char *file, case_fn sign_fn, case_fn verify_fn) {
  char path[4096];
  int pn = snprintf(path, sizeof path, "%s/%s", dir, file);
  if (pn < 0 || (size_t)pn >= sizeof path) {
    printf("FAIL %s: path too long\n", file);
    g_failed++;
    return;
  }
  size_t len = 0;
  char *text = read_file(path, &len);
  if (text == NULL) {
    printf("FAIL %s: cannot open or read %s: %s\n", file, path, strerror(errno));
    g_failed++;
    return;
  }
  cJSON *root = cJSON_ParseWithLength(text, len);
  if (root == NULL) {
    const char *where = cJSON_GetErrorPtr();
    printf("FAIL %s: invalid JSON near byte %ld\n", file,
           where != NULL && where >= text && where <= text + len ? (long)(where - text) : -1L);
    free(text);
    g_failed++;
    return;
  }
  const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
  if (!cJSON_IsArray(cases) || cJSON_GetArraySize(cases) == 0) {
    printf("FAIL %s: no cases (expected a non-empty \"cases\" array)\n", file);
    g_failed++;
    cJSON_Delete(root);
    free(text);
    return;
  }
  int idx = 0;
  int file_passed = 0, file_failed = 0;
  const cJSON *cs;
  cJSON_ArrayForEach(cs, cases) {
    ctx_t c = {.file = file, .index = idx++, .name = "", .op = NULL, .step = -1, .failed = false};
    g_last_rc = PERSONA_OK;
    const char *name = json_str(cs, "name");
    if (name == NULL) name = json_str(cs, "id");
    if (name == NULL) name = json_str(cs, "description");
    c.name = name != NULL ? name : "";
    c.op = json_str(cs, "op");
    if (!cJSON_IsObject(cs)) {
      failf(&c, "case is not an object");
    } else if (c.op == NULL) {
      failf(&c, "case has no \"op\" string");
    } else if (strcmp(c.op, "sign") == 0) {
      sign_fn(&c, cs);
    } else if (strcmp(c.op, "verify") == 0) {
      verify_fn(&c, cs);
    } else {
      failf(&c, "unknown op \"%s\"", c.op);
    }
    if (c.failed) {
      file_failed++;
    } else {
      file_passed++;
    }
  }
  printf("%s: %d cases, %d passed, %d failed\n", file, file_passed + file_failed, file_passed, file_failed);
  g_passed += file_passed;
  g_failed += file_failed;
  cJSON_Delete(root);
  free(text);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <vectors-dir>\n", argc > 0 ? argv[0] : "vectors_test");
    printf("0 passed, 1 failed\n");
    return 2;
  }
  /* Line-buffered so failures interleave sensibly with sanitizer output on stderr. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("libpersona %s\n", persona_version() != NULL ? persona_version() : "(null version)");
  run_file(argv[1], "request_signing.json", run_request_sign, run_request_verify);
  run_file(argv[1], "webhooks.json", run_webhook_sign, run_webhook_verify);
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed > 0 ? 1 : 0;
}
