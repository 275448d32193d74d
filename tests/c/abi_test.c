/*
 * The safety contract of libpersona's C ABI (bindings/ffi/include/persona.h):
 * NULL handling, invalid UTF-8, out-params left untouched on failure,
 * buffer sizes, the thread-local last error (which never contains a secret),
 * ownership (objects copy what they are given; borrowed strings live as long
 * as their owner), and sign -> verify round trips through the ABI.
 *
 *   abi_test
 *
 * Every CHECK counts once. The last line printed is exactly
 * "N passed, M failed"; the exit status is non-zero when M > 0.
 */
#define _POSIX_C_SOURCE 200809L

#include "persona.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

/* A NUL-terminated test string as the ABI's pointer + length (NULL stays NULL, with length 0). */
static inline size_t slen(const char *s) { return s == NULL ? 0 : strlen(s); }
#define S(x) (const uint8_t *)(x), slen(x)

/* ------------------------------------------------------------------ */
/* harness                                                             */

static int g_passed;
static int g_failed;
static const char *g_test = "";

/* A real address that no library would hand out: pre-set out-params to it. */
static char g_sentinel_storage[8];
#define SENTINEL ((void *)&g_sentinel_storage[0])

static const char *last_error(void) {
  static char buf[4096];
  size_t len = persona_last_error_length();
  if (len == 0) {
    return "(none)";
  }
  if (len >= sizeof buf) {
    return "(longer than 4095 bytes)";
  }
  if (persona_last_error_message(buf, sizeof buf) != PERSONA_OK) {
    return "(persona_last_error_message failed)";
  }
  return buf;
}

static void check_impl(bool ok, int line, const char *what) {
  if (ok) {
    g_passed++;
    return;
  }
  g_failed++;
  printf("FAIL [%s] abi_test.c:%d: %s\n    persona_last_error_message (may be from an earlier call): \"%s\"\n",
         g_test, line, what, last_error());
}

static void check_rc_impl(int line, const char *call, persona_result want, persona_result got) {
  if (want == got) {
    g_passed++;
    return;
  }
  g_failed++;
  printf("FAIL [%s] abi_test.c:%d: %s\n    expected: %s (%d)\n    got:      %s (%d)\n"
         "    persona_last_error_message: \"%s\"%s\n",
         g_test, line, call, persona_result_name(want), (int)want, persona_result_name(got), (int)got,
         last_error(), got == PERSONA_OK ? " (stale: this call returned PERSONA_OK)" : "");
}

static void check_str_impl(int line, const char *what, const char *want, const char *got) {
  bool ok = want != NULL && got != NULL && strcmp(want, got) == 0;
  if (ok) {
    g_passed++;
    return;
  }
  g_failed++;
  printf("FAIL [%s] abi_test.c:%d: %s\n    expected: %s%s%s\n    got:      %s%s%s\n"
         "    persona_last_error_message (may be from an earlier call): \"%s\"\n",
         g_test, line, what, want ? "\"" : "", want ? want : "(null)", want ? "\"" : "", got ? "\"" : "",
         got ? got : "(null)", got ? "\"" : "", last_error());
}

#define CHECK(cond, what) check_impl((cond), __LINE__, (what))
#define CHECK_RC(call, want) check_rc_impl(__LINE__, #call, (want), (call))
#define CHECK_STR(got, want, what) check_str_impl(__LINE__, (what), (want), (got))

/* Checks that the call returns `want` and leaves *out (pre-set to SENTINEL) alone. */
#define CHECK_RC_UNTOUCHED(out, call, want)                                              \
  do {                                                                                   \
    (out) = SENTINEL;                                                                    \
    CHECK_RC(call, want);                                                                \
    CHECK((void *)(out) == SENTINEL, "out-param untouched on failure: " #call);          \
  } while (0)

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static bool ieq(const char *a, const char *b) {
  for (;; a++, b++) {
    char x = *a, y = *b;
    if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
    if (x != y) return false;
    if (x == '\0') return true;
  }
}

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

static bool all_bytes(const void *p, int byte, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) {
    if (b[i] != (unsigned char)byte) return false;
  }
  return true;
}

static bool is_hex(const char *s, size_t n) {
  if (strlen(s) != n) return false;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) return false;
  }
  return true;
}

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d != NULL) memcpy(d, s, n);
  return d;
}

/* Copies the last error message (empty string if none) into buf. */
static void get_last_error(char *buf, size_t buf_len) {
  buf[0] = '\0';
  size_t len = persona_last_error_length();
  if (len == 0 || len >= buf_len) return;
  if (persona_last_error_message(buf, buf_len) != PERSONA_OK) buf[0] = '\0';
}

/* Asserts this thread's last error message contains `needle` (ASCII case-insensitive). */
static void check_message_names(int line, const char *needle, const char *what) {
  char msg[8192];
  get_last_error(msg, sizeof msg);
  check_impl(icontains(msg, needle), line, what);
}
#define CHECK_MESSAGE_NAMES(needle, what) check_message_names(__LINE__, (needle), (what))

/* Asserts this thread's last error message does not contain `needle`. */
static void check_message_hides(int line, const char *needle, const char *what) {
  char msg[8192];
  size_t len = persona_last_error_length();
  bool ok = len < sizeof msg;
  if (ok) {
    memset(msg, 0, sizeof msg);
    ok = persona_last_error_message(msg, sizeof msg) == PERSONA_OK && strstr(msg, needle) == NULL;
  }
  check_impl(ok, line, what);
}
#define CHECK_MESSAGE_HIDES(needle, what) check_message_hides(__LINE__, (needle), (what))

static const char *KEY_ID = "key_abi-test.1";
static const char *SECRET = "sk_test_9f8e7d6c5b4a39281706";
static const char *METHOD = "POST";
static const char *URL = "https://api.example.test/api/v1/inquiries?b=2&a=1";
static const int64_t TS = 1700000000;

static persona_request_signer *make_signer(int line, const char *key_id, const char *secret) {
  persona_request_signer *s = NULL;
  persona_result rc = persona_request_signer_new(S(key_id), S(secret), &s);
  check_rc_impl(line, "persona_request_signer_new (setup)", PERSONA_OK, rc);
  return rc == PERSONA_OK ? s : NULL;
}

static persona_signed_request *sign(int line, const persona_request_signer *s, const char *method,
                                    const char *url, const void *body, size_t body_len, const int64_t *ts,
                                    const char *nonce) {
  persona_signed_request *r = NULL;
  if (s == NULL) return NULL;
  persona_result rc = persona_request_signer_sign(s, S(method), S(url), body, body_len, ts, S(nonce), &r);
  check_rc_impl(line, "persona_request_signer_sign (setup)", PERSONA_OK, rc);
  return rc == PERSONA_OK ? r : NULL;
}

static persona_request_verifier *make_verifier(int line, const persona_key *keys, size_t n, int64_t tol,
                                               size_t cap) {
  persona_request_verifier *v = NULL;
  persona_result rc = persona_request_verifier_new(keys, n, tol, cap, &v);
  check_rc_impl(line, "persona_request_verifier_new (setup)", PERSONA_OK, rc);
  return rc == PERSONA_OK ? v : NULL;
}

/* NUL-terminated test strings as the ABI's persona_str entries (at most 8). */
static size_t str_list(const char *const *texts, size_t n, persona_str out[8]) {
  if (n > 8) n = 8;
  for (size_t i = 0; i < n; i++) {
    out[i].ptr = (const uint8_t *)texts[i];
    out[i].len = slen(texts[i]);
  }
  return n;
}

static persona_webhook_verifier *make_webhook_verifier(int line, const char *const *secrets, size_t n,
                                                       int64_t tol) {
  persona_webhook_verifier *v = NULL;
  persona_str list[8];
  persona_result rc = persona_webhook_verifier_new(list, str_list(secrets, n, list), tol, &v);
  check_rc_impl(line, "persona_webhook_verifier_new (setup)", PERSONA_OK, rc);
  return rc == PERSONA_OK ? v : NULL;
}

#define MAKE_SIGNER(k, s) make_signer(__LINE__, (k), (s))
#define SIGN(s, m, u, b, bl, ts, n) sign(__LINE__, (s), (m), (u), (b), (bl), (ts), (n))
#define MAKE_VERIFIER(k, n, t, c) make_verifier(__LINE__, (k), (n), (t), (c))
#define MAKE_WEBHOOK_VERIFIER(s, n, t) make_webhook_verifier(__LINE__, (s), (n), (t))

/* The 4 headers of a signed request as a persona_header array (borrowed from req). */
static size_t headers_of(const persona_signed_request *req, persona_header out[4]) {
  size_t n = req == NULL ? 0 : persona_signed_request_header_count(req);
  if (n > 4) n = 4;
  for (size_t i = 0; i < n; i++) {
    const char *name = persona_signed_request_header_name(req, i);
    const char *value = persona_signed_request_header_value(req, i);
    out[i] = (persona_header){S(name), S(value)};
  }
  return n;
}

static const char *header_value(const persona_signed_request *req, const char *name) {
  if (req == NULL) return NULL;
  size_t n = persona_signed_request_header_count(req);
  for (size_t i = 0; i < n; i++) {
    const char *hn = persona_signed_request_header_name(req, i);
    if (hn != NULL && ieq(hn, name)) return persona_signed_request_header_value(req, i);
  }
  return NULL;
}

/* Verify a signed request as-is. */
static persona_result verify_req(const persona_request_verifier *v, const persona_signed_request *req,
                                 const char *method, const char *url, const void *body, size_t body_len,
                                 const int64_t *now, const char **key_id_out) {
  persona_header h[4];
  size_t n = headers_of(req, h);
  return persona_request_verifier_verify(v, S(method), S(url), h, n, body, body_len, now, key_id_out);
}

/* ------------------------------------------------------------------ */
/* tests                                                               */

static void test_version_and_names(void) {
  g_test = "version_and_result_names";
  const char *v = persona_version();
  CHECK(v != NULL && v[0] != '\0', "persona_version() is a non-empty string");
  CHECK(persona_version() == v || (v != NULL && strcmp(persona_version(), v) == 0),
        "persona_version() is stable");

  static const struct {
    persona_result code;
    const char *name;
  } names[] = {
      {PERSONA_OK, "PERSONA_OK"},
      {PERSONA_ERR_NULL_ARGUMENT, "PERSONA_ERR_NULL_ARGUMENT"},
      {PERSONA_ERR_INVALID_UTF8, "PERSONA_ERR_INVALID_UTF8"},
      {PERSONA_ERR_BUFFER_TOO_SMALL, "PERSONA_ERR_BUFFER_TOO_SMALL"},
      {PERSONA_ERR_PANIC, "PERSONA_ERR_PANIC"},
      {PERSONA_ERR_INVALID_ARGUMENT, "PERSONA_ERR_INVALID_ARGUMENT"},
      {PERSONA_ERR_CONFIGURATION, "PERSONA_ERR_CONFIGURATION"},
      {PERSONA_ERR_OTHER, "PERSONA_ERR_OTHER"},
      {PERSONA_ERR_INVALID_KEY_ID, "PERSONA_ERR_INVALID_KEY_ID"},
      {PERSONA_ERR_INVALID_SECRET, "PERSONA_ERR_INVALID_SECRET"},
      {PERSONA_ERR_INVALID_NONCE, "PERSONA_ERR_INVALID_NONCE"},
      {PERSONA_ERR_INVALID_TIMESTAMP, "PERSONA_ERR_INVALID_TIMESTAMP"},
      {PERSONA_ERR_INVALID_URL, "PERSONA_ERR_INVALID_URL"},
      {PERSONA_ERR_INVALID_METHOD, "PERSONA_ERR_INVALID_METHOD"},
      {PERSONA_ERR_MISSING_HEADER, "PERSONA_ERR_MISSING_HEADER"},
      {PERSONA_ERR_MALFORMED_HEADER, "PERSONA_ERR_MALFORMED_HEADER"},
      {PERSONA_ERR_UNKNOWN_KEY, "PERSONA_ERR_UNKNOWN_KEY"},
      {PERSONA_ERR_SIGNATURE_MISMATCH, "PERSONA_ERR_SIGNATURE_MISMATCH"},
      {PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE, "PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE"},
      {PERSONA_ERR_REPLAYED_NONCE, "PERSONA_ERR_REPLAYED_NONCE"},
      {PERSONA_ERR_REPLAY_CACHE_FULL, "PERSONA_ERR_REPLAY_CACHE_FULL"},
      {PERSONA_ERR_NO_MATCHING_SIGNATURE, "PERSONA_ERR_NO_MATCHING_SIGNATURE"},
      {PERSONA_ERR_INVALID_PAYLOAD, "PERSONA_ERR_INVALID_PAYLOAD"},
      {PERSONA_ERR_API, "PERSONA_ERR_API"},
      {PERSONA_ERR_NETWORK, "PERSONA_ERR_NETWORK"},
      {PERSONA_ERR_TIMEOUT, "PERSONA_ERR_TIMEOUT"},
      {PERSONA_ERR_UNEXPECTED_RESPONSE, "PERSONA_ERR_UNEXPECTED_RESPONSE"},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    CHECK_STR(persona_result_name(names[i].code), names[i].name, "persona_result_name");
  }
  /* numbers the enum does not define (the parameter is an int32_t) */
  const int32_t unknown[] = {-1, 8, 9, 16, 19, 27, 29, 32, 255, 100000, INT32_MIN, INT32_MAX};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    CHECK_STR(persona_result_name(unknown[i]), "PERSONA_UNKNOWN_RESULT", "persona_result_name(undefined code)");
  }
}

static void test_panic_boundary(void) {
  g_test = "panic_boundary";
  /* the Rust panic hook prints a line to stderr; that is expected */
  fprintf(stderr, "abi_test: a 'panicked' message from persona_debug_trigger_panic follows; it is expected\n");
  CHECK_RC(persona_debug_trigger_panic(), PERSONA_ERR_PANIC);
  CHECK(persona_last_error_length() > 0, "a caught panic sets the last error message");
  CHECK_MESSAGE_NAMES("panic", "the message says it was a panic");
  /* the library still works afterwards */
  persona_request_signer *s = NULL;
  CHECK_RC(persona_request_signer_new(S(KEY_ID), S(SECRET), &s), PERSONA_OK);
  persona_request_signer_free(s);
}

static void test_free_null(void) {
  g_test = "free_null";
  persona_request_signer_free(NULL);
  persona_signed_request_free(NULL);
  persona_request_verifier_free(NULL);
  persona_webhook_verifier_free(NULL);
  persona_webhook_event_free(NULL);
  CHECK(true, "every _free(NULL) is a no-op");
}

static void test_last_error(void) {
  g_test = "last_error";
  persona_request_signer *s;
  const char *secret = "ZqX-distinctive-SECRET-4242-do-not-log";

  /* trigger an error */
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S("not a key id!"), S(secret), &s), PERSONA_ERR_INVALID_KEY_ID);
  size_t len = persona_last_error_length();
  CHECK(len > 0, "an error sets a non-empty last error message");
  CHECK_MESSAGE_HIDES(secret, "invalid key id: message does not contain the secret");

  char buf[4096];
  /* buffer exactly len bytes: no room for the NUL */
  if (len > 0 && len < sizeof buf) {
    memset(buf, 'Z', sizeof buf);
    CHECK_RC(persona_last_error_message(buf, len), PERSONA_ERR_BUFFER_TOO_SMALL);
    CHECK(all_bytes(buf, 'Z', sizeof buf), "too-small buffer (len) is not written");
  }
  /* buffer of 1 and 0 bytes */
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S("not a key id!"), S(secret), &s), PERSONA_ERR_INVALID_KEY_ID);
  memset(buf, 'Z', sizeof buf);
  CHECK_RC(persona_last_error_message(buf, 1), PERSONA_ERR_BUFFER_TOO_SMALL);
  CHECK(all_bytes(buf, 'Z', sizeof buf), "too-small buffer (1) is not written");
  CHECK_RC(persona_last_error_message(buf, 0), PERSONA_ERR_BUFFER_TOO_SMALL);
  CHECK(all_bytes(buf, 'Z', sizeof buf), "too-small buffer (0) is not written");
  /* NULL buffer */
  CHECK_RC(persona_last_error_message(NULL, sizeof buf), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC(persona_last_error_message(NULL, 0), PERSONA_ERR_NULL_ARGUMENT);
  /* failed reads do not replace the message, and reading does not clear it */
  {
    char m1[4096], m2[4096];
    size_t l1 = persona_last_error_length();
    CHECK(l1 == len, "a failed persona_last_error_message call does not change the message");
    CHECK_RC(persona_last_error_message(m1, sizeof m1), PERSONA_OK);
    CHECK_RC(persona_last_error_message(m2, sizeof m2), PERSONA_OK);
    CHECK(strcmp(m1, m2) == 0 && persona_last_error_length() == l1, "reading the message does not clear it");
  }

  /* exact fit and a large buffer */
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S("not a key id!"), S(secret), &s), PERSONA_ERR_INVALID_KEY_ID);
  len = persona_last_error_length();
  if (len > 0 && len + 1 < sizeof buf) {
    memset(buf, 'Z', sizeof buf);
    CHECK_RC(persona_last_error_message(buf, len + 1), PERSONA_OK);
    CHECK(buf[len] == '\0' && strlen(buf) == len, "exact-fit buffer gets message + NUL");
    CHECK(all_bytes(buf + len + 1, 'Z', sizeof buf - len - 1), "nothing written past the NUL");
    memset(buf, 'Z', sizeof buf);
    CHECK_RC(persona_last_error_message(buf, sizeof buf), PERSONA_OK);
    CHECK(memchr(buf, '\0', sizeof buf) != NULL && strlen(buf) == len,
          "large buffer gets a NUL-terminated message of persona_last_error_length() bytes");
    CHECK(strstr(buf, secret) == NULL, "message does not contain the secret");
  }

  /* sign with an invalid nonce: the message must not contain the secret */
  s = MAKE_SIGNER(KEY_ID, secret);
  if (s != NULL) {
    persona_signed_request *r;
    int64_t ts = TS;
    CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S(METHOD), S(URL), (const uint8_t *)"{}", 2, &ts,
                                                      S("bad nonce!"), &r),
                       PERSONA_ERR_INVALID_NONCE);
    CHECK(persona_last_error_length() > 0, "invalid nonce sets a message");
    CHECK_MESSAGE_HIDES(secret, "invalid nonce: message does not contain the secret");
    CHECK_MESSAGE_HIDES("4242-do-not-log", "invalid nonce: message does not contain part of the secret");
    /* an invalid method and URL, too */
    CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S("BAD METHOD"), S(URL), NULL, 0, &ts, S(NULL), &r),
                       PERSONA_ERR_INVALID_METHOD);
    CHECK_MESSAGE_HIDES(secret, "invalid method: message does not contain the secret");
    CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S(METHOD), S("gopher://x"), NULL, 0, &ts, S(NULL), &r),
                       PERSONA_ERR_INVALID_URL);
    CHECK_MESSAGE_HIDES(secret, "invalid URL: message does not contain the secret");
    persona_request_signer_free(s);
  }
}

struct thread_result {
  size_t fresh_len;
  persona_result fresh_rc;
  char fresh_buf[8];
  char own_msg[1024];
};

static void *thread_main(void *arg) {
  struct thread_result *tr = arg;
  tr->fresh_len = persona_last_error_length();
  memset(tr->fresh_buf, 'Z', sizeof tr->fresh_buf);
  tr->fresh_rc = persona_last_error_message(tr->fresh_buf, sizeof tr->fresh_buf);
  persona_request_signer *s = SENTINEL;
  if (persona_request_signer_new(S(KEY_ID), S(""), &s) == PERSONA_OK) { /* invalid secret: must fail */
    persona_request_signer_free(s);
  }
  get_last_error(tr->own_msg, sizeof tr->own_msg);
  return NULL;
}

static void test_last_error_thread_local(void) {
  g_test = "last_error_thread_local";
  persona_request_signer *s;
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S("bad key id!"), S(SECRET), &s), PERSONA_ERR_INVALID_KEY_ID);
  char before[1024], after[1024];
  get_last_error(before, sizeof before);

  struct thread_result tr;
  memset(&tr, 0, sizeof tr);
  pthread_t th;
  if (pthread_create(&th, NULL, thread_main, &tr) != 0) {
    CHECK(false, "pthread_create");
    return;
  }
  pthread_join(th, NULL);
  CHECK(tr.fresh_len == 0, "a new thread has no last error (length 0)");
  CHECK(tr.fresh_rc == PERSONA_OK && tr.fresh_buf[0] == '\0',
        "a new thread's persona_last_error_message gives \"\"");
  CHECK(tr.own_msg[0] != '\0', "the thread's own error sets its message");
  get_last_error(after, sizeof after);
  CHECK(before[0] != '\0' && strcmp(before, after) == 0, "another thread's error does not change ours");
  CHECK(strcmp(tr.own_msg, before) != 0, "the two threads' messages differ");
}

static void test_signer_contract(void) {
  g_test = "signer_contract";
  persona_request_signer *s;

  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(NULL, 1, S(SECRET), &s), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S(KEY_ID), NULL, 1, &s), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC(persona_request_signer_new(S(KEY_ID), S(SECRET), NULL), PERSONA_ERR_NULL_ARGUMENT);

  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S("\xff\xfe"), S(SECRET), &s), PERSONA_ERR_INVALID_UTF8);
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S("key\xc3\x28"), S(SECRET), &s), PERSONA_ERR_INVALID_UTF8);
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S("key\xc0\xaf"), S(SECRET), &s), PERSONA_ERR_INVALID_UTF8);
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S(KEY_ID), S("sec\xff" "ret"), &s), PERSONA_ERR_INVALID_UTF8);
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S(KEY_ID), S("\xed\xa0\x80"), &s), /* surrogate */
                     PERSONA_ERR_INVALID_UTF8);

  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S(""), S(SECRET), &s), PERSONA_ERR_INVALID_KEY_ID);
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S("has space"), S(SECRET), &s), PERSONA_ERR_INVALID_KEY_ID);
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S(KEY_ID), S(""), &s), PERSONA_ERR_INVALID_SECRET);

  /* the signer copies its inputs */
  char *k = dup_str(KEY_ID), *sec = dup_str(SECRET);
  s = NULL;
  CHECK_RC(persona_request_signer_new(S(k), S(sec), &s), PERSONA_OK);
  CHECK(s != NULL && (void *)s != SENTINEL, "persona_request_signer_new sets *out");
  memset(k, 'x', strlen(k));
  memset(sec, 'x', strlen(sec));
  free(k);
  free(sec);
  if (s == NULL) return;

  persona_signed_request *r;
  int64_t ts = TS;
  const uint8_t body[] = "{\"a\":1}";
  const size_t blen = sizeof body - 1;

  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(NULL, S(METHOD), S(URL), body, blen, &ts, S("nonce-0001"), &r),
                     PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, NULL, 1, S(URL), body, blen, &ts, S("nonce-0001"), &r),
                     PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S(METHOD), NULL, 1, body, blen, &ts, S("nonce-0001"), &r),
                     PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S(METHOD), S(URL), NULL, blen, &ts, S("nonce-0001"), &r),
                     PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC(persona_request_signer_sign(s, S(METHOD), S(URL), body, blen, &ts, S("nonce-0001"), NULL),
           PERSONA_ERR_NULL_ARGUMENT);

  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S("P\xffST"), S(URL), body, blen, &ts, S("nonce-0001"), &r),
                     PERSONA_ERR_INVALID_UTF8);
  CHECK_RC_UNTOUCHED(r,
                     persona_request_signer_sign(s, S(METHOD), S("https://api.example.test/\xff"), body, blen, &ts,
                                                 S("nonce-0001"), &r),
                     PERSONA_ERR_INVALID_UTF8);
  r = SENTINEL;
  persona_result rc = persona_request_signer_sign(s, S(METHOD), S(URL), body, blen, &ts, S("nonce\xff" "0001"), &r);
  CHECK(rc == PERSONA_ERR_INVALID_UTF8 || rc == PERSONA_ERR_INVALID_NONCE,
        "invalid UTF-8 nonce -> PERSONA_ERR_INVALID_UTF8 or PERSONA_ERR_INVALID_NONCE");
  CHECK((void *)r == SENTINEL, "out-param untouched on invalid UTF-8 nonce");

  int64_t neg = -1;
  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S(METHOD), S(URL), body, blen, &neg, S("nonce-0001"), &r),
                     PERSONA_ERR_INVALID_TIMESTAMP);
  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S(METHOD), S(URL), body, blen, &ts, S("short"), &r),
                     PERSONA_ERR_INVALID_NONCE);
  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S(METHOD), S(URL), body, blen, &ts, S("bad nonce!"), &r),
                     PERSONA_ERR_INVALID_NONCE);
  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S(""), S(URL), body, blen, &ts, S("nonce-0001"), &r),
                     PERSONA_ERR_INVALID_METHOD);
  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S("GE T"), S(URL), body, blen, &ts, S("nonce-0001"), &r),
                     PERSONA_ERR_INVALID_METHOD);
  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S(METHOD), S("ftp://x.test/a"), body, blen, &ts, S("nonce-0001"), &r),
                     PERSONA_ERR_INVALID_URL);
  CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S(METHOD), S("not a url"), body, blen, &ts, S("nonce-0001"), &r),
                     PERSONA_ERR_INVALID_URL);

  /* NULL body with length 0 is allowed; so are NULL timestamp and NULL nonce */
  r = NULL;
  CHECK_RC(persona_request_signer_sign(s, S("GET"), S(URL), NULL, 0, &ts, S("nonce-0001"), &r), PERSONA_OK);
  CHECK(r != NULL, "NULL body + len 0 signs");
  persona_signed_request_free(r);
  r = NULL;
  CHECK_RC(persona_request_signer_sign(s, S(METHOD), S(URL), body, blen, NULL, S(NULL), &r), PERSONA_OK);
  CHECK(r != NULL, "NULL timestamp + NULL nonce signs");
  persona_signed_request_free(r);

  persona_request_signer_free(s);
}

static void test_signed_request_accessors(void) {
  g_test = "signed_request_accessors";
  persona_request_signer *s = MAKE_SIGNER(KEY_ID, SECRET);
  int64_t ts = TS;
  persona_signed_request *r = SIGN(s, METHOD, URL, "{}", 2, &ts, "nonce-accessors-1");
  if (r != NULL) {
    CHECK(persona_signed_request_header_count(r) == 4, "header_count == 4");
    for (size_t i = 0; i < 4; i++) {
      const char *n = persona_signed_request_header_name(r, i);
      const char *v = persona_signed_request_header_value(r, i);
      CHECK(n != NULL && n[0] != '\0', "header_name(i < 4) is a non-empty string");
      CHECK(v != NULL && v[0] != '\0', "header_value(i < 4) is a non-empty string");
    }
    CHECK(persona_signed_request_header_name(r, 4) == NULL, "header_name(4) == NULL");
    CHECK(persona_signed_request_header_value(r, 4) == NULL, "header_value(4) == NULL");
    CHECK(persona_signed_request_header_name(r, SIZE_MAX) == NULL, "header_name(SIZE_MAX) == NULL");
    CHECK(persona_signed_request_header_value(r, SIZE_MAX) == NULL, "header_value(SIZE_MAX) == NULL");
    /* documented order */
    CHECK_STR(persona_signed_request_header_name(r, 0), "Authorization", "header 0 name");
    CHECK_STR(persona_signed_request_header_name(r, 1), "Persona-Timestamp", "header 1 name");
    CHECK_STR(persona_signed_request_header_name(r, 2), "Persona-Nonce", "header 2 name");
    CHECK_STR(persona_signed_request_header_name(r, 3), "Persona-Signature", "header 3 name");
    const char *auth = header_value(r, "authorization");
    CHECK(auth != NULL, "has an Authorization header");
    if (auth != NULL) {
      size_t al = strlen(auth), kl = strlen(KEY_ID);
      CHECK(al > kl && strcmp(auth + al - kl, KEY_ID) == 0, "Authorization ends with the key id");
    }
    CHECK_STR(header_value(r, "persona-timestamp"), "1700000000", "Persona-Timestamp header");
    CHECK_STR(header_value(r, "persona-nonce"), "nonce-accessors-1", "Persona-Nonce header");
    CHECK(header_value(r, "persona-signature") != NULL, "has a Persona-Signature header");
    const char *canon = persona_signed_request_canonical_request(r);
    CHECK(canon != NULL && canon[0] != '\0', "canonical_request is a non-empty string");
    CHECK(canon != NULL && strstr(canon, "1700000000") != NULL, "canonical request contains the timestamp");
    CHECK(canon != NULL && strstr(canon, "nonce-accessors-1") != NULL, "canonical request contains the nonce");
    CHECK(canon != NULL && strstr(canon, SECRET) == NULL, "canonical request does not contain the secret");
    for (size_t i = 0; i < 4; i++) {
      const char *v = persona_signed_request_header_value(r, i);
      CHECK(v == NULL || strstr(v, SECRET) == NULL, "no header contains the secret");
    }
  }
  /* NULL request: documented to give 0 / NULL */
  CHECK(persona_signed_request_header_count(NULL) == 0, "header_count(NULL) == 0");
  CHECK(persona_signed_request_header_name(NULL, 0) == NULL, "header_name(NULL, 0) == NULL");
  CHECK(persona_signed_request_header_value(NULL, 0) == NULL, "header_value(NULL, 0) == NULL");
  CHECK(persona_signed_request_canonical_request(NULL) == NULL, "canonical_request(NULL) == NULL");

  /* the signed request outlives its signer */
  persona_signed_request *r2 = SIGN(s, "GET", URL, NULL, 0, &ts, "nonce-accessors-2");
  persona_request_signer_free(s);
  if (r2 != NULL) {
    CHECK_STR(header_value(r2, "persona-nonce"), "nonce-accessors-2", "request readable after signer free");
    persona_signed_request_free(r2);
  }
  persona_signed_request_free(r);
}

static void test_request_round_trip(void) {
  g_test = "request_round_trip";
  persona_request_signer *s = MAKE_SIGNER(KEY_ID, SECRET);
  const char *body = "{\"data\":{\"attributes\":{\"inquiry-template-id\":\"itmpl_1\"}}}";
  size_t blen = strlen(body);

  /* random nonce and current time */
  persona_signed_request *r = SIGN(s, METHOD, URL, body, blen, NULL, NULL);
  persona_signed_request *r_other = SIGN(s, METHOD, URL, body, blen, NULL, NULL);
  const char *nonce = header_value(r, "persona-nonce");
  const char *nonce2 = header_value(r_other, "persona-nonce");
  CHECK(nonce != NULL && is_hex(nonce, 32), "random nonce is 32 hex chars");
  CHECK(nonce != NULL && nonce2 != NULL && strcmp(nonce, nonce2) != 0, "two random nonces differ");
  const char *tsh = header_value(r, "persona-timestamp");
  if (tsh != NULL) {
    char *end = NULL;
    long long t = strtoll(tsh, &end, 10);
    long long now = (long long)time(NULL);
    CHECK(end != NULL && *end == '\0' && t > now - 300 && t < now + 300,
          "NULL timestamp = current time (within 300 s)");
  } else {
    CHECK(false, "has a Persona-Timestamp header");
  }

  /* the verifier copies its keys */
  char *kid = dup_str(KEY_ID), *sec = dup_str(SECRET);
  persona_key keys[1] = {{S(kid), S(sec)}};
  persona_request_verifier *v = MAKE_VERIFIER(keys, 1, 300, 100);
  memset(kid, 'x', strlen(kid));
  memset(sec, 'x', strlen(sec));
  free(kid);
  free(sec);

  if (v != NULL && r != NULL) {
    const char *key_out = SENTINEL;
    CHECK_RC(verify_req(v, r, METHOD, URL, body, blen, NULL, &key_out), PERSONA_OK);
    CHECK_STR((void *)key_out == SENTINEL ? NULL : key_out, KEY_ID, "key_id_out");
    /* key_id_out belongs to the verifier: still valid after the request is gone */
    persona_signed_request_free(r);
    r = NULL;
    CHECK_STR((void *)key_out == SENTINEL ? NULL : key_out, KEY_ID, "key_id_out after request free");

    /* key_id_out NULL is allowed */
    CHECK_RC(verify_req(v, r_other, METHOD, URL, body, blen, NULL, NULL), PERSONA_OK);
    /* replay of the same request (cache on) */
    key_out = SENTINEL;
    CHECK_RC(verify_req(v, r_other, METHOD, URL, body, blen, NULL, &key_out), PERSONA_ERR_REPLAYED_NONCE);
    CHECK((void *)key_out == SENTINEL, "key_id_out untouched on failure");
  }
  persona_signed_request_free(r);
  persona_signed_request_free(r_other);

  /* fixed-time requests for the error paths */
  int64_t ts = TS, now = TS + 10;
  persona_signed_request *f = SIGN(s, METHOD, URL, body, blen, &ts, "nonce-roundtrip-fixed");
  if (v != NULL && f != NULL) {
    persona_header h[4];
    size_t n = headers_of(f, h);
    const char *key_out;
    /* tampering */
    key_out = SENTINEL;
    CHECK_RC(verify_req(v, f, METHOD, URL, "{}", 2, &now, &key_out), PERSONA_ERR_SIGNATURE_MISMATCH);
    CHECK((void *)key_out == SENTINEL, "key_id_out untouched on mismatch");
    CHECK_RC(verify_req(v, f, "PUT", URL, body, blen, &now, NULL), PERSONA_ERR_SIGNATURE_MISMATCH);
    CHECK_RC(verify_req(v, f, METHOD, "https://api.example.test/api/v1/inquiries?b=2&a=2", body, blen, &now,
                        NULL),
             PERSONA_ERR_SIGNATURE_MISMATCH);
    /* time */
    int64_t late = TS + 301, early = TS - 301;
    CHECK_RC(verify_req(v, f, METHOD, URL, body, blen, &late, NULL), PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE);
    CHECK_RC(verify_req(v, f, METHOD, URL, body, blen, &early, NULL), PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE);
    /* a missing header (the message names it) */
    CHECK_RC(persona_request_verifier_verify(v, S(METHOD), S(URL), h, n > 0 ? n - 1 : 0, (const uint8_t *)body,
                                             blen, &now, NULL),
             PERSONA_ERR_MISSING_HEADER);
    CHECK_MESSAGE_NAMES("persona-signature", "missing-header message names persona-signature");
    /* no headers at all: NULL is allowed when headers_len is 0 */
    key_out = SENTINEL;
    CHECK_RC(persona_request_verifier_verify(v, S(METHOD), S(URL), NULL, 0, (const uint8_t *)body, blen, &now, &key_out),
             PERSONA_ERR_MISSING_HEADER);
    CHECK((void *)key_out == SENTINEL, "key_id_out untouched on missing header");
    CHECK_MESSAGE_NAMES("authorization", "missing-header message names authorization");
    /* header names are case-insensitive */
    persona_header lower[4];
    char names[4][64];
    for (size_t i = 0; i < n; i++) {
      snprintf(names[i], sizeof names[i], "%.*s", (int)h[i].name_len, (const char *)h[i].name);
      for (char *p = names[i]; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
      }
      lower[i] = (persona_header){S(names[i]), h[i].value, h[i].value_len};
    }

    /* NULL arguments, each one; key_id_out must stay untouched */
    const uint8_t *b = (const uint8_t *)body;
    CHECK_RC_UNTOUCHED(key_out, persona_request_verifier_verify(NULL, S(METHOD), S(URL), h, n, b, blen, &now, &key_out),
                       PERSONA_ERR_NULL_ARGUMENT);
    CHECK_RC_UNTOUCHED(key_out, persona_request_verifier_verify(v, NULL, 1, S(URL), h, n, b, blen, &now, &key_out),
                       PERSONA_ERR_NULL_ARGUMENT);
    CHECK_RC_UNTOUCHED(key_out, persona_request_verifier_verify(v, S(METHOD), NULL, 1, h, n, b, blen, &now, &key_out),
                       PERSONA_ERR_NULL_ARGUMENT);
    CHECK_RC_UNTOUCHED(key_out,
                       persona_request_verifier_verify(v, S(METHOD), S(URL), NULL, n, b, blen, &now, &key_out),
                       PERSONA_ERR_NULL_ARGUMENT);
    CHECK_RC_UNTOUCHED(key_out,
                       persona_request_verifier_verify(v, S(METHOD), S(URL), h, n, NULL, blen, &now, &key_out),
                       PERSONA_ERR_NULL_ARGUMENT);
    persona_header bad[4];
    memcpy(bad, h, sizeof bad);
    bad[2].name = NULL; /* with its length still set */
    CHECK_RC_UNTOUCHED(key_out, persona_request_verifier_verify(v, S(METHOD), S(URL), bad, n, b, blen, &now, &key_out),
                       PERSONA_ERR_NULL_ARGUMENT);
    memcpy(bad, h, sizeof bad);
    bad[1].value = NULL; /* with its length still set */
    CHECK_RC_UNTOUCHED(key_out, persona_request_verifier_verify(v, S(METHOD), S(URL), bad, n, b, blen, &now, &key_out),
                       PERSONA_ERR_NULL_ARGUMENT);
    /* invalid UTF-8 in method and URL */
    CHECK_RC_UNTOUCHED(key_out,
                       persona_request_verifier_verify(v, S("P\xffST"), S(URL), h, n, b, blen, &now, &key_out),
                       PERSONA_ERR_INVALID_UTF8);
    CHECK_RC_UNTOUCHED(key_out,
                       persona_request_verifier_verify(v, S(METHOD), S("https://api.example.test/\xfe"), h, n, b, blen,
                                                       &now, &key_out),
                       PERSONA_ERR_INVALID_UTF8);

    /* finally the valid one, with lowercase header names (recorded in the replay cache last) */
    key_out = NULL;
    CHECK_RC(persona_request_verifier_verify(v, S(METHOD), S(URL), lower, n, b, blen, &now, &key_out), PERSONA_OK);
    CHECK_STR(key_out, KEY_ID, "key_id_out (lowercase header names)");
  }
  persona_signed_request_free(f);

  /* empty body: NULL + 0 on both sides */
  persona_signed_request *e = SIGN(s, "GET", URL, NULL, 0, &ts, "nonce-roundtrip-empty");
  if (v != NULL && e != NULL) {
    int64_t n2 = TS;
    CHECK_RC(verify_req(v, e, "GET", URL, NULL, 0, &n2, NULL), PERSONA_OK);
  }
  persona_signed_request_free(e);

  /* unknown key */
  persona_key other[1] = {{S("some-other-key"), S(SECRET)}};
  persona_request_verifier *v2 = MAKE_VERIFIER(other, 1, 300, 0);
  persona_signed_request *u = SIGN(s, METHOD, URL, body, blen, &ts, "nonce-roundtrip-unknown");
  if (v2 != NULL && u != NULL) {
    int64_t n3 = TS;
    const char *key_out = SENTINEL;
    CHECK_RC(verify_req(v2, u, METHOD, URL, body, blen, &n3, &key_out), PERSONA_ERR_UNKNOWN_KEY);
    CHECK((void *)key_out == SENTINEL, "key_id_out untouched on unknown key");
  }
  persona_signed_request_free(u);
  persona_request_verifier_free(v2);
  persona_request_verifier_free(v);
  persona_request_signer_free(s);
}

/* Appends one frame (4-byte little-endian length, then the bytes) at *at. */
static void put_frame(uint8_t *buf, size_t *at, const void *data, size_t len) {
  buf[*at] = (uint8_t)len;
  buf[*at + 1] = (uint8_t)(len >> 8);
  buf[*at + 2] = (uint8_t)(len >> 16);
  buf[*at + 3] = (uint8_t)(len >> 24);
  memcpy(buf + *at + 4, data, len);
  *at += 4 + len;
}

/* persona_request_verifier_verify_packed(_at): the same verdicts as the table entry point, with
   the headers framed in one buffer; frames must fill it exactly. */
static void test_request_verify_packed(void) {
  g_test = "request_verify_packed";
  persona_request_signer *s = MAKE_SIGNER(KEY_ID, SECRET);
  const char *body = "{\"a\":1}";
  size_t blen = strlen(body);
  int64_t ts = 1700000000;
  persona_signed_request *r = SIGN(s, METHOD, URL, body, blen, &ts, "0123456789abcdef");
  persona_key keys[1] = {{S(KEY_ID), S(SECRET)}};
  persona_request_verifier *v = MAKE_VERIFIER(keys, 1, 300, 0);
  if (v != NULL && r != NULL) {
    uint8_t packed[1024];
    size_t len = 0;
    for (size_t i = 0; i < persona_signed_request_header_count(r); i++) {
      const char *name = persona_signed_request_header_name(r, i);
      const char *value = persona_signed_request_header_value(r, i);
      put_frame(packed, &len, name, strlen(name));
      put_frame(packed, &len, value, strlen(value));
    }
    /* an unrelated header whose name holds a NUL is data, not "Persona-Nonce" cut short */
    put_frame(packed, &len, "Persona-Nonce\0x", 15);
    put_frame(packed, &len, "other", 5);
    char key_id[PERSONA_KEY_ID_MAX];
    memset(key_id, 'z', sizeof key_id);
    CHECK_RC(persona_request_verifier_verify_packed_at(v, S(METHOD), S(URL), packed, len, (const uint8_t *)body,
                                                       blen, ts, key_id, sizeof key_id),
             PERSONA_OK);
    CHECK_STR(key_id, KEY_ID, "key id written with its NUL");
    CHECK_RC(persona_request_verifier_verify_packed_at(v, S(METHOD), S(URL), packed, len, (const uint8_t *)body,
                                                       blen, ts, NULL, 0),
             PERSONA_OK);
    /* the clock variant: the request is from 2023, far outside the tolerance */
    CHECK_RC(persona_request_verifier_verify_packed(v, S(METHOD), S(URL), packed, len, (const uint8_t *)body, blen,
                                                    key_id, sizeof key_id),
             PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE);
    /* a tampered body */
    CHECK_RC(persona_request_verifier_verify_packed_at(v, S(METHOD), S(URL), packed, len, (const uint8_t *)"{}", 2, ts,
                                                       key_id, sizeof key_id),
             PERSONA_ERR_SIGNATURE_MISMATCH);
    /* frames that do not fill the buffer exactly: short by one byte, one byte over, a lone name */
    CHECK_RC(persona_request_verifier_verify_packed_at(v, S(METHOD), S(URL), packed, len - 1, (const uint8_t *)body,
                                                       blen, ts, key_id, sizeof key_id),
             PERSONA_ERR_INVALID_ARGUMENT);
    packed[len] = 0;
    CHECK_RC(persona_request_verifier_verify_packed_at(v, S(METHOD), S(URL), packed, len + 1, (const uint8_t *)body,
                                                       blen, ts, key_id, sizeof key_id),
             PERSONA_ERR_INVALID_ARGUMENT);
    size_t lone = 0;
    uint8_t one[32];
    put_frame(one, &lone, "Authorization", 13);
    CHECK_RC(persona_request_verifier_verify_packed_at(v, S(METHOD), S(URL), one, lone, (const uint8_t *)body, blen,
                                                       ts, key_id, sizeof key_id),
             PERSONA_ERR_INVALID_ARGUMENT);
    /* a length that runs past the end */
    uint8_t huge[8] = {0xff, 0xff, 0xff, 0x7f, 'a', 'b', 'c', 'd'};
    CHECK_RC(persona_request_verifier_verify_packed_at(v, S(METHOD), S(URL), huge, sizeof huge, (const uint8_t *)body,
                                                       blen, ts, key_id, sizeof key_id),
             PERSONA_ERR_INVALID_ARGUMENT);
    /* no headers at all */
    CHECK_RC(persona_request_verifier_verify_packed_at(v, S(METHOD), S(URL), NULL, 0, (const uint8_t *)body, blen, ts,
                                                       key_id, sizeof key_id),
             PERSONA_ERR_MISSING_HEADER);
    /* a key id buffer too small */
    CHECK_RC(persona_request_verifier_verify_packed_at(v, S(METHOD), S(URL), packed, len, (const uint8_t *)body,
                                                       blen, ts, key_id, 2),
             PERSONA_ERR_BUFFER_TOO_SMALL);
    /* NULL verifier */
    CHECK_RC(persona_request_verifier_verify_packed_at(NULL, S(METHOD), S(URL), packed, len, (const uint8_t *)body,
                                                       blen, ts, key_id, sizeof key_id),
             PERSONA_ERR_NULL_ARGUMENT);
  }
  persona_signed_request_free(r);
  persona_request_verifier_free(v);
  persona_request_signer_free(s);
}

/* A forked child must not draw its parent's next nonce: libpersona registers a fork handler that
   reseeds the per-thread nonce generator (bindings/ffi/src/c/fork.rs). */
static void test_fork_reseeds_nonces(void) {
  g_test = "fork_reseeds_nonces";
  persona_request_signer *s = MAKE_SIGNER(KEY_ID, SECRET);
  if (s == NULL) return;
  persona_signed_request *first = SIGN(s, METHOD, URL, "", 0, NULL, NULL); /* seeds this thread's generator */
  persona_signed_request_free(first);
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    persona_signed_request *child = NULL;
    char nonce[33] = {0};
    if (persona_request_signer_sign(s, S(METHOD), S(URL), NULL, 0, NULL, NULL, 0, &child) == PERSONA_OK) {
      const char *value = header_value(child, "persona-nonce");
      if (value != NULL) strncpy(nonce, value, 32);
    }
    ssize_t written = write(fds[1], nonce, 32);
    _exit(written == 32 ? 0 : 1);
  }
  CHECK(pid > 0, "fork");
  char from_child[33] = {0};
  ssize_t got = read(fds[0], from_child, 32);
  int status = 0;
  waitpid(pid, &status, 0);
  close(fds[0]);
  close(fds[1]);
  persona_signed_request *parent = SIGN(s, METHOD, URL, "", 0, NULL, NULL);
  const char *mine = header_value(parent, "persona-nonce");
  CHECK(got == 32 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child signed and reported its nonce");
  CHECK(mine != NULL && strncmp(mine, from_child, 32) != 0, "the child drew a nonce of its own");
  persona_signed_request_free(parent);
  persona_request_signer_free(s);
}

static void test_verifier_new_contract(void) {
  g_test = "request_verifier_new_contract";
  persona_request_verifier *v;
  persona_key keys[1] = {{S(KEY_ID), S(SECRET)}};
  CHECK_RC_UNTOUCHED(v, persona_request_verifier_new(NULL, 1, 300, 0, &v), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC(persona_request_verifier_new(keys, 1, 300, 0, NULL), PERSONA_ERR_NULL_ARGUMENT);
  persona_key k_null_id[1] = {{NULL, 1, S(SECRET)}};
  persona_key k_null_secret[1] = {{S(KEY_ID), NULL, 1}};
  CHECK_RC_UNTOUCHED(v, persona_request_verifier_new(k_null_id, 1, 300, 0, &v), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC_UNTOUCHED(v, persona_request_verifier_new(k_null_secret, 1, 300, 0, &v), PERSONA_ERR_NULL_ARGUMENT);
  persona_key two_second_null[2] = {{S(KEY_ID), S(SECRET)}, {S("key-2"), NULL, 1}};
  CHECK_RC_UNTOUCHED(v, persona_request_verifier_new(two_second_null, 2, 300, 0, &v), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC_UNTOUCHED(v, persona_request_verifier_new(keys, 0, 300, 0, &v), PERSONA_ERR_CONFIGURATION);
  CHECK_STR(persona_last_error_code(), "configuration", "no keys: code");
  CHECK_RC_UNTOUCHED(v, persona_request_verifier_new(keys, 1, -1, 0, &v), PERSONA_ERR_INVALID_ARGUMENT);
  CHECK_STR(persona_last_error_code(), "invalid_argument", "negative tolerance: code");
  CHECK_MESSAGE_NAMES("tolerance_secs", "negative tolerance: the message names the parameter");
  CHECK_RC_UNTOUCHED(v, persona_request_verifier_new(keys, 1, INT64_MIN, 0, &v), PERSONA_ERR_INVALID_ARGUMENT);
  persona_key invalid_id[1] = {{S("no spaces allowed"), S(SECRET)}};
  persona_key empty_secret[2] = {{S(KEY_ID), S(SECRET)}, {S(KEY_ID), S("")}};
  CHECK_RC_UNTOUCHED(v, persona_request_verifier_new(invalid_id, 1, 300, 0, &v), PERSONA_ERR_INVALID_KEY_ID);
  CHECK_RC_UNTOUCHED(v, persona_request_verifier_new(empty_secret, 2, 300, 0, &v), PERSONA_ERR_INVALID_SECRET);
  persona_key bad_id[1] = {{S("key\xff"), S(SECRET)}};
  persona_key bad_secret[1] = {{S(KEY_ID), S("s\xc3\x28")}};
  CHECK_RC_UNTOUCHED(v, persona_request_verifier_new(bad_id, 1, 300, 0, &v), PERSONA_ERR_INVALID_UTF8);
  CHECK_RC_UNTOUCHED(v, persona_request_verifier_new(bad_secret, 1, 300, 0, &v), PERSONA_ERR_INVALID_UTF8);

  /* rotation: the same key id twice, either secret verifies */
  persona_key rot[2] = {{S(KEY_ID), S("old-secret-aaaa")}, {S(KEY_ID), S("new-secret-bbbb")}};
  persona_request_verifier *vr = MAKE_VERIFIER(rot, 2, 300, 0);
  persona_request_signer *s_old = MAKE_SIGNER(KEY_ID, "old-secret-aaaa");
  persona_request_signer *s_new = MAKE_SIGNER(KEY_ID, "new-secret-bbbb");
  persona_request_signer *s_bad = MAKE_SIGNER(KEY_ID, "neither-secret");
  int64_t ts = TS;
  persona_signed_request *r_old = SIGN(s_old, "GET", URL, NULL, 0, &ts, "nonce-rotation-1");
  persona_signed_request *r_new = SIGN(s_new, "GET", URL, NULL, 0, &ts, "nonce-rotation-2");
  persona_signed_request *r_bad = SIGN(s_bad, "GET", URL, NULL, 0, &ts, "nonce-rotation-3");
  if (vr != NULL && r_old != NULL && r_new != NULL && r_bad != NULL) {
    CHECK_RC(verify_req(vr, r_old, "GET", URL, NULL, 0, &ts, NULL), PERSONA_OK);
    CHECK_RC(verify_req(vr, r_new, "GET", URL, NULL, 0, &ts, NULL), PERSONA_OK);
    CHECK_RC(verify_req(vr, r_bad, "GET", URL, NULL, 0, &ts, NULL), PERSONA_ERR_SIGNATURE_MISMATCH);
    CHECK_MESSAGE_HIDES("old-secret-aaaa", "signature mismatch: message does not contain a secret");
    CHECK_MESSAGE_HIDES("new-secret-bbbb", "signature mismatch: message does not contain a secret");
  }
  /* the mismatch message must not reveal the MAC that would have matched */
  if (r_bad != NULL) {
    persona_request_signer *s_same = MAKE_SIGNER(KEY_ID, "new-secret-bbbb");
    persona_signed_request *r_same = SIGN(s_same, "GET", URL, NULL, 0, &ts, "nonce-rotation-3");
    persona_key only_new[1] = {{S(KEY_ID), S("new-secret-bbbb")}};
    persona_request_verifier *v1 = MAKE_VERIFIER(only_new, 1, 300, 0);
    const char *expected_sig = header_value(r_same, "persona-signature");
    if (v1 != NULL && expected_sig != NULL) {
      CHECK_RC(verify_req(v1, r_bad, "GET", URL, NULL, 0, &ts, NULL), PERSONA_ERR_SIGNATURE_MISMATCH);
      /* the header value is "v1,<base64>" or similar: check the base64 part */
      const char *comma = strrchr(expected_sig, ',');
      const char *b64 = comma != NULL ? comma + 1 : expected_sig;
      CHECK_MESSAGE_HIDES(b64, "signature mismatch: message does not contain the expected signature");
    }
    persona_request_verifier_free(v1);
    persona_signed_request_free(r_same);
    persona_request_signer_free(s_same);
  }
  persona_signed_request_free(r_old);
  persona_signed_request_free(r_new);
  persona_signed_request_free(r_bad);
  persona_request_signer_free(s_old);
  persona_request_signer_free(s_new);
  persona_request_signer_free(s_bad);
  persona_request_verifier_free(vr);
}

static void test_body_with_nul_bytes(void) {
  g_test = "body_with_nul_bytes";
  const uint8_t body[] = {'a', 0, 'b', 0, 'c', 0, 0, 0xff, 0xfe, 'd'};
  const size_t blen = sizeof body;
  int64_t ts = TS;
  persona_request_signer *s = MAKE_SIGNER(KEY_ID, SECRET);
  persona_signed_request *r = SIGN(s, METHOD, URL, body, blen, &ts, "nonce-nul-body-1");
  persona_key keys[1] = {{S(KEY_ID), S(SECRET)}};
  persona_request_verifier *v = MAKE_VERIFIER(keys, 1, 300, 0);
  if (r != NULL && v != NULL) {
    CHECK_RC(verify_req(v, r, METHOD, URL, body, blen, &ts, NULL), PERSONA_OK);
    /* the length is honoured, not strlen */
    CHECK_RC(verify_req(v, r, METHOD, URL, body, 1, &ts, NULL), PERSONA_ERR_SIGNATURE_MISMATCH);
    CHECK_RC(verify_req(v, r, METHOD, URL, body, blen - 1, &ts, NULL), PERSONA_ERR_SIGNATURE_MISMATCH);
    uint8_t changed[sizeof body];
    memcpy(changed, body, blen);
    changed[5] = 1; /* a byte after the first NUL */
    CHECK_RC(verify_req(v, r, METHOD, URL, changed, blen, &ts, NULL), PERSONA_ERR_SIGNATURE_MISMATCH);
  }
  persona_signed_request *r1 = SIGN(s, METHOD, URL, body, 1, &ts, "nonce-nul-body-2");
  if (r != NULL && r1 != NULL) {
    CHECK(strcmp(persona_signed_request_canonical_request(r), persona_signed_request_canonical_request(r1)) != 0,
          "bodies differing only after a NUL sign differently");
  }
  persona_signed_request_free(r1);
  persona_signed_request_free(r);
  persona_request_verifier_free(v);
  persona_request_signer_free(s);

  /* webhooks */
  char header[PERSONA_WEBHOOK_HEADER_MAX];
  const char *wsec = "whsec_nul_body_test";
  CHECK_RC(persona_webhook_sign(S(wsec), body, blen, TS, header, sizeof header), PERSONA_OK);
  persona_webhook_verifier *wv = MAKE_WEBHOOK_VERIFIER(&wsec, 1, 300);
  if (wv != NULL) {
    int64_t now = TS;
    CHECK_RC(persona_webhook_verifier_verify(wv, S(header), body, blen, &now), PERSONA_OK);
    CHECK_RC(persona_webhook_verifier_verify(wv, S(header), body, 1, &now), PERSONA_ERR_NO_MATCHING_SIGNATURE);
  }
  persona_webhook_verifier_free(wv);
}

static void test_replay_cache(void) {
  g_test = "replay_cache";
  persona_request_signer *s = MAKE_SIGNER(KEY_ID, SECRET);
  persona_key keys[1] = {{S(KEY_ID), S(SECRET)}};
  int64_t t0 = TS, t_later = TS + 1000;
  persona_signed_request *a = SIGN(s, "GET", URL, NULL, 0, &t0, "nonce-replay-AAAA");
  persona_signed_request *b = SIGN(s, "GET", URL, NULL, 0, &t0, "nonce-replay-BBBB");
  persona_signed_request *c = SIGN(s, "GET", URL, NULL, 0, &t_later, "nonce-replay-CCCC");

  /* capacity 1 */
  persona_request_verifier *v = MAKE_VERIFIER(keys, 1, 300, 1);
  if (v != NULL && a != NULL && b != NULL && c != NULL) {
    CHECK_RC(verify_req(v, a, "GET", URL, NULL, 0, &t0, NULL), PERSONA_OK);
    persona_result rc = verify_req(v, b, "GET", URL, NULL, 0, &t0, NULL);
    CHECK(rc == PERSONA_ERR_REPLAY_CACHE_FULL || rc == PERSONA_OK,
          "second distinct request with a full cache: PERSONA_ERR_REPLAY_CACHE_FULL or PERSONA_OK");
    const char *key_out = SENTINEL;
    CHECK_RC(verify_req(v, a, "GET", URL, NULL, 0, &t0, &key_out), PERSONA_ERR_REPLAYED_NONCE);
    CHECK((void *)key_out == SENTINEL, "key_id_out untouched on replay");
    int64_t within = TS + 200;
    CHECK_RC(verify_req(v, a, "GET", URL, NULL, 0, &within, NULL), PERSONA_ERR_REPLAYED_NONCE);
    /* after A's window has passed, a new request fits again */
    rc = verify_req(v, c, "GET", URL, NULL, 0, &t_later, NULL);
    CHECK(rc == PERSONA_OK || rc == PERSONA_ERR_REPLAY_CACHE_FULL,
          "request after expiry: PERSONA_OK (or PERSONA_ERR_REPLAY_CACHE_FULL)");
    if (rc == PERSONA_OK) {
      CHECK_RC(verify_req(v, c, "GET", URL, NULL, 0, &t_later, NULL), PERSONA_ERR_REPLAYED_NONCE);
    }
  }
  persona_request_verifier_free(v);

  /* capacity 0: no replay protection */
  v = MAKE_VERIFIER(keys, 1, 300, 0);
  if (v != NULL && a != NULL) {
    CHECK_RC(verify_req(v, a, "GET", URL, NULL, 0, &t0, NULL), PERSONA_OK);
    CHECK_RC(verify_req(v, a, "GET", URL, NULL, 0, &t0, NULL), PERSONA_OK);
  }
  persona_request_verifier_free(v);

  /* a failed verification is not recorded */
  v = MAKE_VERIFIER(keys, 1, 300, 10);
  if (v != NULL && a != NULL && b != NULL) {
    CHECK_RC(verify_req(v, a, "GET", URL, "x", 1, &t0, NULL), PERSONA_ERR_SIGNATURE_MISMATCH);
    CHECK_RC(verify_req(v, a, "GET", URL, NULL, 0, &t0, NULL), PERSONA_OK);
    CHECK_RC(verify_req(v, b, "GET", URL, NULL, 0, &t0, NULL), PERSONA_OK);
    CHECK_RC(verify_req(v, b, "GET", URL, NULL, 0, &t0, NULL), PERSONA_ERR_REPLAYED_NONCE);
    CHECK_RC(verify_req(v, a, "GET", URL, NULL, 0, &t0, NULL), PERSONA_ERR_REPLAYED_NONCE);
  }
  persona_request_verifier_free(v);

  persona_signed_request_free(a);
  persona_signed_request_free(b);
  persona_signed_request_free(c);
  persona_request_signer_free(s);
}

static void test_webhook_sign(void) {
  g_test = "webhook_sign";
  const char *secret = "whsec_abi_test_0123456789";
  const uint8_t body[] = "{\"data\":{}}";
  const size_t blen = sizeof body - 1;
  char buf[PERSONA_WEBHOOK_HEADER_MAX + 16];

  memset(buf, 'Z', sizeof buf);
  CHECK_RC(persona_webhook_sign(S(secret), body, blen, TS, buf, 10), PERSONA_ERR_BUFFER_TOO_SMALL);
  CHECK(all_bytes(buf, 'Z', sizeof buf), "buffer untouched when too small (10)");
  CHECK_RC(persona_webhook_sign(S(secret), body, blen, TS, buf, 0), PERSONA_ERR_BUFFER_TOO_SMALL);
  CHECK(all_bytes(buf, 'Z', sizeof buf), "buffer untouched when too small (0)");

  CHECK_RC(persona_webhook_sign(NULL, 1, body, blen, TS, buf, PERSONA_WEBHOOK_HEADER_MAX), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC(persona_webhook_sign(S(secret), NULL, blen, TS, buf, PERSONA_WEBHOOK_HEADER_MAX), PERSONA_ERR_NULL_ARGUMENT);
  CHECK(all_bytes(buf, 'Z', sizeof buf), "buffer untouched on NULL argument");
  CHECK_RC(persona_webhook_sign(S(secret), body, blen, TS, NULL, PERSONA_WEBHOOK_HEADER_MAX), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC(persona_webhook_sign(S("whsec_\xff"), body, blen, TS, buf, PERSONA_WEBHOOK_HEADER_MAX),
           PERSONA_ERR_INVALID_UTF8);
  CHECK(all_bytes(buf, 'Z', sizeof buf), "buffer untouched on invalid UTF-8");
  CHECK_RC(persona_webhook_sign(S(secret), body, blen, -1, buf, PERSONA_WEBHOOK_HEADER_MAX),
           PERSONA_ERR_INVALID_TIMESTAMP);
  CHECK_RC(persona_webhook_sign(S(""), body, blen, TS, buf, PERSONA_WEBHOOK_HEADER_MAX), PERSONA_ERR_INVALID_SECRET);
  CHECK(all_bytes(buf, 'Z', sizeof buf), "buffer untouched on invalid timestamp/secret");

  CHECK_RC(persona_webhook_sign(S(secret), body, blen, TS, buf, PERSONA_WEBHOOK_HEADER_MAX), PERSONA_OK);
  size_t hl = strnlen(buf, PERSONA_WEBHOOK_HEADER_MAX);
  CHECK(hl < PERSONA_WEBHOOK_HEADER_MAX, "header is NUL-terminated within PERSONA_WEBHOOK_HEADER_MAX");
  CHECK(all_bytes(buf + PERSONA_WEBHOOK_HEADER_MAX, 'Z', sizeof buf - PERSONA_WEBHOOK_HEADER_MAX),
        "nothing written past buf_len");
  CHECK(strncmp(buf, "t=1700000000,v1=", 16) == 0 && hl == 16 + 64 && is_hex(buf + 16, 64),
        "header is \"t=<timestamp>,v1=<64 hex>\"");
  CHECK(strstr(buf, secret) == NULL, "header does not contain the secret");

  /* exact fit */
  char exact[PERSONA_WEBHOOK_HEADER_MAX + 16];
  if (hl < PERSONA_WEBHOOK_HEADER_MAX) {
    memset(exact, 'Z', sizeof exact);
    CHECK_RC(persona_webhook_sign(S(secret), body, blen, TS, exact, hl), PERSONA_ERR_BUFFER_TOO_SMALL);
    CHECK(all_bytes(exact, 'Z', sizeof exact), "buffer untouched when one byte short");
    CHECK_RC(persona_webhook_sign(S(secret), body, blen, TS, exact, hl + 1), PERSONA_OK);
    CHECK(strcmp(exact, buf) == 0 && exact[hl + 1] == 'Z', "exact-fit buffer gets the same header + NUL only");
  }
  /* deterministic */
  char again[PERSONA_WEBHOOK_HEADER_MAX];
  CHECK_RC(persona_webhook_sign(S(secret), body, blen, TS, again, sizeof again), PERSONA_OK);
  CHECK(strcmp(again, buf) == 0, "webhook signing is deterministic");
  /* the largest timestamp still fits */
  char big[PERSONA_WEBHOOK_HEADER_MAX];
  CHECK_RC(persona_webhook_sign(S(secret), body, blen, INT64_MAX, big, sizeof big), PERSONA_OK);
  CHECK(strncmp(big, "t=9223372036854775807,v1=", 25) == 0, "INT64_MAX timestamp fits PERSONA_WEBHOOK_HEADER_MAX");
  /* empty body: NULL + 0 */
  char empty[PERSONA_WEBHOOK_HEADER_MAX];
  CHECK_RC(persona_webhook_sign(S(secret), NULL, 0, TS, empty, sizeof empty), PERSONA_OK);

  /* round trip through the verifier */
  persona_webhook_verifier *v = MAKE_WEBHOOK_VERIFIER(&secret, 1, 300);
  if (v != NULL) {
    int64_t now = TS + 5;
    CHECK_RC(persona_webhook_verifier_verify(v, S(buf), body, blen, &now), PERSONA_OK);
    CHECK_RC(persona_webhook_verifier_verify(v, S(empty), NULL, 0, &now), PERSONA_OK);
    CHECK_RC(persona_webhook_verifier_verify(v, S(empty), body, blen, &now), PERSONA_ERR_NO_MATCHING_SIGNATURE);
    int64_t late = TS + 301;
    CHECK_RC(persona_webhook_verifier_verify(v, S(buf), body, blen, &late), PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE);
    /* now NULL: sign at the current time */
    char cur[PERSONA_WEBHOOK_HEADER_MAX];
    CHECK_RC(persona_webhook_sign(S(secret), body, blen, (int64_t)time(NULL), cur, sizeof cur), PERSONA_OK);
    CHECK_RC(persona_webhook_verifier_verify(v, S(cur), body, blen, NULL), PERSONA_OK);
  }
  persona_webhook_verifier_free(v);
}

static const char *EVENT_JSON =
    "{\"data\":{\"type\":\"event\",\"id\":\"evt_abi_1\",\"attributes\":{\"name\":\"inquiry.approved\","
    "\"payload\":{\"data\":{\"type\":\"inquiry\",\"id\":\"inq_abi_1\"}},"
    "\"created-at\":\"2024-05-01T12:00:00.000Z\"}}}";

static void test_webhook_verify(void) {
  g_test = "webhook_verify";
  const char *secret = "whsec_abi_verify_a1b2c3";
  const char *old_secret = "whsec_abi_verify_old";
  persona_webhook_verifier *v;

  /* constructor */
  persona_str secrets1[1] = {{S(secret)}};
  persona_str null_entry[2] = {{S(secret)}, {NULL, 1}};
  persona_str bad_utf8[1] = {{S("whsec_\xc3\x28")}};
  CHECK_RC_UNTOUCHED(v, persona_webhook_verifier_new(NULL, 1, 300, &v), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC_UNTOUCHED(v, persona_webhook_verifier_new(null_entry, 2, 300, &v), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC(persona_webhook_verifier_new(secrets1, 1, 300, NULL), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC_UNTOUCHED(v, persona_webhook_verifier_new(bad_utf8, 1, 300, &v), PERSONA_ERR_INVALID_UTF8);
  CHECK_RC_UNTOUCHED(v, persona_webhook_verifier_new(secrets1, 0, 300, &v), PERSONA_ERR_CONFIGURATION);
  CHECK_RC_UNTOUCHED(v, persona_webhook_verifier_new(NULL, 0, 300, &v), PERSONA_ERR_CONFIGURATION);
  persona_str with_empty[2] = {{S(secret)}, {S("")}};
  CHECK_RC_UNTOUCHED(v, persona_webhook_verifier_new(with_empty, 2, 300, &v), PERSONA_ERR_INVALID_SECRET);
  /* a NUL inside a secret reaches the core, which refuses it (a C string would have cut it) */
  persona_str with_nul[1] = {{(const uint8_t *)"X\0tail", 6}};
  CHECK_RC_UNTOUCHED(v, persona_webhook_verifier_new(with_nul, 1, 300, &v), PERSONA_ERR_INVALID_SECRET);
  CHECK_STR(persona_last_error_code(), "invalid_secret", "last error code of a NUL in a secret");
  /* a negative tolerance is refused, never a huge window */
  CHECK_RC_UNTOUCHED(v, persona_webhook_verifier_new(secrets1, 1, -1, &v), PERSONA_ERR_INVALID_ARGUMENT);
  CHECK_STR(persona_last_error_code(), "invalid_argument", "last error code of a negative tolerance");
  CHECK_STR(persona_last_error_kind(), "invalid_input", "last error kind of a negative tolerance");
  CHECK_MESSAGE_NAMES("tolerance_secs", "the message names the tolerance parameter");

  /* the verifier copies its secrets; two secrets = rotation */
  char *s_copy = dup_str(secret), *old_copy = dup_str(old_secret);
  const char *rot[2] = {old_copy, s_copy};
  v = MAKE_WEBHOOK_VERIFIER(rot, 2, 300);
  memset(s_copy, 'x', strlen(s_copy));
  memset(old_copy, 'x', strlen(old_copy));
  free(s_copy);
  free(old_copy);
  if (v == NULL) return;

  const uint8_t *body = (const uint8_t *)EVENT_JSON;
  const size_t blen = strlen(EVENT_JSON);
  int64_t now = TS + 1;
  char h_new[PERSONA_WEBHOOK_HEADER_MAX], h_old[PERSONA_WEBHOOK_HEADER_MAX], h_bad[PERSONA_WEBHOOK_HEADER_MAX];
  CHECK_RC(persona_webhook_sign(S(secret), body, blen, TS, h_new, sizeof h_new), PERSONA_OK);
  CHECK_RC(persona_webhook_sign(S(old_secret), body, blen, TS, h_old, sizeof h_old), PERSONA_OK);
  CHECK_RC(persona_webhook_sign(S("whsec_someone_else"), body, blen, TS, h_bad, sizeof h_bad), PERSONA_OK);

  CHECK_RC(persona_webhook_verifier_verify(v, S(h_new), body, blen, &now), PERSONA_OK);
  CHECK_RC(persona_webhook_verifier_verify(v, S(h_old), body, blen, &now), PERSONA_OK);
  CHECK_RC(persona_webhook_verifier_verify(v, S(h_bad), body, blen, &now), PERSONA_ERR_NO_MATCHING_SIGNATURE);
  CHECK_MESSAGE_HIDES(secret, "no matching signature: message does not contain a secret");
  CHECK_MESSAGE_HIDES(old_secret, "no matching signature: message does not contain a secret");
  CHECK_MESSAGE_HIDES(h_new + 16, "no matching signature: message does not contain the expected MAC");
  CHECK_RC(persona_webhook_verifier_verify(v, S(NULL), body, blen, &now), PERSONA_ERR_MISSING_HEADER);
  CHECK_RC(persona_webhook_verifier_verify(v, S(""), body, blen, &now), PERSONA_ERR_MISSING_HEADER);
  CHECK_RC(persona_webhook_verifier_verify(v, S(" \t "), body, blen, &now), PERSONA_ERR_MISSING_HEADER);
  CHECK_RC(persona_webhook_verifier_verify(v, S("garbage"), body, blen, &now), PERSONA_ERR_MALFORMED_HEADER);
  CHECK_RC(persona_webhook_verifier_verify(NULL, S(h_new), body, blen, &now), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC(persona_webhook_verifier_verify(v, S(h_new), NULL, blen, &now), PERSONA_ERR_NULL_ARGUMENT);

  /* verify_event */
  persona_webhook_event *ev;
  CHECK_RC_UNTOUCHED(ev, persona_webhook_verifier_verify_event(NULL, S(h_new), body, blen, &now, &ev),
                     PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC_UNTOUCHED(ev, persona_webhook_verifier_verify_event(v, S(h_new), NULL, blen, &now, &ev),
                     PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC(persona_webhook_verifier_verify_event(v, S(h_new), body, blen, &now, NULL), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_RC_UNTOUCHED(ev, persona_webhook_verifier_verify_event(v, S(NULL), body, blen, &now, &ev),
                     PERSONA_ERR_MISSING_HEADER);
  CHECK_RC_UNTOUCHED(ev, persona_webhook_verifier_verify_event(v, S(h_bad), body, blen, &now, &ev),
                     PERSONA_ERR_NO_MATCHING_SIGNATURE);
  int64_t late = TS + 1000;
  CHECK_RC_UNTOUCHED(ev, persona_webhook_verifier_verify_event(v, S(h_new), body, blen, &late, &ev),
                     PERSONA_ERR_TIMESTAMP_OUT_OF_TOLERANCE);

  /* a verified body that is not an event */
  const char *not_event = "definitely not json";
  char h_ne[PERSONA_WEBHOOK_HEADER_MAX];
  CHECK_RC(persona_webhook_sign(S(secret), (const uint8_t *)not_event, strlen(not_event), TS, h_ne, sizeof h_ne),
           PERSONA_OK);
  CHECK_RC(persona_webhook_verifier_verify(v, S(h_ne), (const uint8_t *)not_event, strlen(not_event), &now),
           PERSONA_OK);
  CHECK_RC_UNTOUCHED(ev,
                     persona_webhook_verifier_verify_event(v, S(h_ne), (const uint8_t *)not_event, strlen(not_event),
                                                           &now, &ev),
                     PERSONA_ERR_INVALID_PAYLOAD);

  ev = NULL;
  CHECK_RC(persona_webhook_verifier_verify_event(v, S(h_new), body, blen, &now, &ev), PERSONA_OK);
  /* the event outlives the verifier */
  persona_webhook_verifier_free(v);
  if (ev != NULL) {
    CHECK_STR(persona_webhook_event_id(ev, NULL), "evt_abi_1", "event id");
    CHECK_STR(persona_webhook_event_name(ev, NULL), "inquiry.approved", "event name");
    CHECK_STR(persona_webhook_event_created_at(ev, NULL), "2024-05-01T12:00:00.000Z", "event created_at");
    size_t id_len = 0, name_len = 0, created_len = 0, payload_len = 0;
    CHECK(persona_webhook_event_id(ev, &id_len) != NULL && id_len == strlen("evt_abi_1"), "event id length");
    CHECK(persona_webhook_event_name(ev, &name_len) != NULL && name_len == strlen("inquiry.approved"),
          "event name length");
    CHECK(persona_webhook_event_created_at(ev, &created_len) != NULL && created_len == 24, "created_at length");
    const char *payload = persona_webhook_event_payload_json(ev, &payload_len);
    CHECK(payload != NULL && strstr(payload, "\"inq_abi_1\"") != NULL, "event payload JSON has the inquiry id");
    CHECK(payload != NULL && payload_len == strlen(payload), "event payload length");
    persona_webhook_event_free(ev);
  }
  CHECK(persona_webhook_event_id(NULL, NULL) == NULL, "event_id(NULL) == NULL");
  CHECK(persona_webhook_event_name(NULL, NULL) == NULL, "event_name(NULL) == NULL");
  CHECK(persona_webhook_event_created_at(NULL, NULL) == NULL, "event_created_at(NULL) == NULL");
  CHECK(persona_webhook_event_payload_json(NULL, NULL) == NULL, "event_payload_json(NULL) == NULL");
}

/* The header says signers and verifiers are thread-safe: share one of each across threads. */
struct shared_handles {
  const persona_request_signer *signer;
  const persona_request_verifier *verifier;
  const persona_webhook_verifier *webhook;
  const char *webhook_secret;
};

struct worker {
  pthread_t thread;
  const struct shared_handles *shared;
  int ok;
  int bad;
  char first_error[256];
};

#define WORKER_ITERATIONS 100

static void worker_fail(struct worker *w, const char *what, persona_result rc) {
  w->bad++;
  if (w->first_error[0] == '\0') {
    snprintf(w->first_error, sizeof w->first_error, "%s: got %s", what, persona_result_name(rc));
  }
}

static void *worker_main(void *arg) {
  struct worker *w = arg;
  const struct shared_handles *sh = w->shared;
  int64_t ts = TS;
  for (int i = 0; i < WORKER_ITERATIONS; i++) {
    char body[64];
    int blen = snprintf(body, sizeof body, "{\"i\":%d}", i);
    persona_signed_request *r = NULL;
    persona_result rc =
        persona_request_signer_sign(sh->signer, S(METHOD), S(URL), (const uint8_t *)body, (size_t)blen, &ts, S(NULL), &r);
    if (rc != PERSONA_OK) {
      worker_fail(w, "sign", rc);
      continue;
    }
    const char *key_out = NULL;
    rc = verify_req(sh->verifier, r, METHOD, URL, body, (size_t)blen, &ts, &key_out);
    if (rc == PERSONA_OK && key_out != NULL && strcmp(key_out, KEY_ID) == 0) {
      w->ok++;
    } else {
      worker_fail(w, "verify", rc);
    }
    rc = verify_req(sh->verifier, r, METHOD, URL, body, (size_t)blen, &ts, NULL);
    if (rc == PERSONA_ERR_REPLAYED_NONCE) {
      w->ok++;
    } else {
      worker_fail(w, "replay", rc);
    }
    persona_signed_request_free(r);

    char header[PERSONA_WEBHOOK_HEADER_MAX];
    rc = persona_webhook_sign(S(sh->webhook_secret), (const uint8_t *)body, (size_t)blen, TS, header, sizeof header);
    if (rc == PERSONA_OK) {
      rc = persona_webhook_verifier_verify(sh->webhook, S(header), (const uint8_t *)body, (size_t)blen, &ts);
    }
    if (rc == PERSONA_OK) {
      w->ok++;
    } else {
      worker_fail(w, "webhook", rc);
    }
  }
  return NULL;
}

/* Codes and kinds come from the core, the same strings every language reports. */
static void test_error_codes_and_kinds(void) {
  g_test = "error_codes_and_kinds";
  persona_request_signer *s;
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S("bad id"), S(SECRET), &s), PERSONA_ERR_INVALID_KEY_ID);
  CHECK_STR(persona_last_error_code(), "invalid_key_id", "code of an invalid key id");
  CHECK_STR(persona_last_error_kind(), "invalid_input", "kind of an invalid key id");
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(NULL, 3, S(SECRET), &s), PERSONA_ERR_NULL_ARGUMENT);
  CHECK_STR(persona_last_error_code(), "invalid_argument", "code of a NULL argument");
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S("kid"), S("s\xff"), &s), PERSONA_ERR_INVALID_UTF8);
  CHECK_STR(persona_last_error_code(), "invalid_argument", "code of text that is not UTF-8");
  CHECK_MESSAGE_NAMES("secret", "the message names the argument");

  const char *secrets[1] = {"whsec_codes"};
  persona_webhook_verifier *wv = MAKE_WEBHOOK_VERIFIER(secrets, 1, 300);
  if (wv != NULL) {
    CHECK_RC(persona_webhook_verifier_verify(wv, NULL, 0, NULL, 0, NULL), PERSONA_ERR_MISSING_HEADER);
    CHECK_STR(persona_last_error_code(), "missing_header", "webhook: code");
    CHECK_STR(persona_last_error_kind(), "webhook_rejected", "webhook: kind");
    persona_webhook_verifier_free(wv);
  }
  persona_key keys[1] = {{S(KEY_ID), S(SECRET)}};
  persona_request_verifier *rv = MAKE_VERIFIER(keys, 1, 300, 0);
  if (rv != NULL) {
    CHECK_RC(persona_request_verifier_verify(rv, S("GET"), S("/"), NULL, 0, NULL, 0, NULL, NULL),
             PERSONA_ERR_MISSING_HEADER);
    CHECK_STR(persona_last_error_code(), "missing_header", "request: code");
    CHECK_STR(persona_last_error_kind(), "request_rejected", "request: kind");
    persona_request_verifier_free(rv);
  }
  fprintf(stderr, "abi_test: another expected 'panicked' message follows\n");
  CHECK_RC(persona_debug_trigger_panic(), PERSONA_ERR_PANIC);
  CHECK_STR(persona_last_error_code(), "internal", "panic: code");
  CHECK_STR(persona_last_error_kind(), "internal", "panic: kind");
  /* codes and kinds are static: the pointer from an earlier error is still readable */
  const char *code = persona_last_error_code();
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S("bad id"), S(SECRET), &s), PERSONA_ERR_INVALID_KEY_ID);
  CHECK_STR(code, "internal", "an earlier code stays valid");
}

/* Strings cross as pointer + length: a NUL byte is an ordinary byte, judged by the core. */
static void test_nul_bytes_in_strings(void) {
  g_test = "nul_bytes_in_strings";
  const char *secret = "whsec_nul_test";
  const char *body = "{\"data\":{}}";
  size_t blen = strlen(body);
  char header[PERSONA_WEBHOOK_HEADER_MAX + 8];
  CHECK_RC(persona_webhook_sign(S(secret), (const uint8_t *)body, blen, TS, header, PERSONA_WEBHOOK_HEADER_MAX),
           PERSONA_OK);
  size_t hlen = strlen(header);
  memcpy(header + hlen, "\0junk", 6); /* t=...,v1=<good>\0junk */
  const char *secrets[1] = {secret};
  persona_webhook_verifier *v = MAKE_WEBHOOK_VERIFIER(secrets, 1, 300);
  int64_t now = TS;
  if (v != NULL) {
    CHECK_RC(persona_webhook_verifier_verify(v, (const uint8_t *)header, hlen, (const uint8_t *)body, blen, &now),
             PERSONA_OK);
    CHECK_RC(persona_webhook_verifier_verify(v, (const uint8_t *)header, hlen + 5, (const uint8_t *)body, blen, &now),
             PERSONA_ERR_NO_MATCHING_SIGNATURE);
    CHECK_RC(persona_webhook_verifier_verify_at(v, (const uint8_t *)header, hlen + 5, (const uint8_t *)body, blen, now),
             PERSONA_ERR_NO_MATCHING_SIGNATURE);
    persona_webhook_verifier_free(v);
  }
  /* a secret with a NUL is refused: it would sign and verify as the text before the NUL in C */
  char buf[PERSONA_WEBHOOK_HEADER_MAX];
  CHECK_RC(persona_webhook_sign((const uint8_t *)"X\0tail", 6, (const uint8_t *)body, blen, TS, buf, sizeof buf),
           PERSONA_ERR_INVALID_SECRET);
  persona_request_signer *s;
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new(S(KEY_ID), (const uint8_t *)"X\0tail", 6, &s),
                     PERSONA_ERR_INVALID_SECRET);
  persona_key keys[1] = {{S(KEY_ID), (const uint8_t *)"X\0tail", 6}};
  persona_request_verifier *rv;
  CHECK_RC_UNTOUCHED(rv, persona_request_verifier_new(keys, 1, 300, 0, &rv), PERSONA_ERR_INVALID_SECRET);
  /* a key id or nonce with a NUL is not in their alphabet */
  CHECK_RC_UNTOUCHED(s, persona_request_signer_new((const uint8_t *)"kid\0x", 5, S(SECRET), &s),
                     PERSONA_ERR_INVALID_KEY_ID);
  s = MAKE_SIGNER(KEY_ID, SECRET);
  if (s != NULL) {
    persona_signed_request *r;
    int64_t ts = TS;
    CHECK_RC_UNTOUCHED(r, persona_request_signer_sign(s, S(METHOD), S(URL), NULL, 0, &ts,
                                                      (const uint8_t *)"nonce-1234\0x", 12, &r),
                       PERSONA_ERR_INVALID_NONCE);
    persona_request_signer_free(s);
  }
}

static void test_threads(void) {
  g_test = "threads";
  enum { N_WORKERS = 4 };
  const char *wsecret = "whsec_threads_test";
  persona_key keys[1] = {{S(KEY_ID), S(SECRET)}};
  persona_request_signer *s = MAKE_SIGNER(KEY_ID, SECRET);
  persona_request_verifier *v = MAKE_VERIFIER(keys, 1, 300, N_WORKERS * WORKER_ITERATIONS + 10);
  persona_webhook_verifier *wv = MAKE_WEBHOOK_VERIFIER(&wsecret, 1, 300);
  if (s != NULL && v != NULL && wv != NULL) {
    struct shared_handles sh = {s, v, wv, wsecret};
    struct worker workers[N_WORKERS];
    memset(workers, 0, sizeof workers);
    int started = 0;
    for (int i = 0; i < N_WORKERS; i++) {
      workers[i].shared = &sh;
      if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) break;
      started++;
    }
    CHECK(started == N_WORKERS, "pthread_create");
    for (int i = 0; i < started; i++) {
      pthread_join(workers[i].thread, NULL);
      char what[400];
      snprintf(what, sizeof what, "worker %d: %d of %d operations as expected%s%s", i, workers[i].ok,
               3 * WORKER_ITERATIONS, workers[i].bad ? "; first failure: " : "", workers[i].first_error);
      CHECK(workers[i].bad == 0 && workers[i].ok == 3 * WORKER_ITERATIONS, what);
    }
  }
  persona_webhook_verifier_free(wv);
  persona_request_verifier_free(v);
  persona_request_signer_free(s);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  test_version_and_names();
  test_free_null();
  test_panic_boundary();
  test_last_error();
  test_last_error_thread_local();
  test_signer_contract();
  test_signed_request_accessors();
  test_request_round_trip();
  test_request_verify_packed();
  test_fork_reseeds_nonces();
  test_verifier_new_contract();
  test_body_with_nul_bytes();
  test_replay_cache();
  test_webhook_sign();
  test_webhook_verify();
  test_error_codes_and_kinds();
  test_nul_bytes_in_strings();
  test_threads();
  printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed > 0 ? 1 : 0;
}
