/*
 * The client over the C ABI against a real `persona sandbox` on loopback (argv[1] = base URL,
 * argv[2] = the sandbox's API key). Blocking calls, JSON in / JSON out, errors as result codes.
 * Ends with "N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persona.h"

/* A NUL-terminated test string as the ABI's pointer + length (NULL stays NULL, with length 0). */
static inline size_t slen(const char *s) { return s == NULL ? 0 : strlen(s); }
#define S(x) (const uint8_t *)(x), slen(x)

static int passed, failed;

#define CHECK(cond, what)                                                        \
  do {                                                                           \
    if (cond) {                                                                  \
      passed++;                                                                  \
    } else {                                                                     \
      failed++;                                                                  \
      char msg_[1024] = "";                                                      \
      persona_last_error_message(msg_, sizeof msg_);                             \
      fprintf(stderr, "FAIL %s:%d: %s (last error: %s)\n", __FILE__, __LINE__, \
              what, msg_);                                                       \
    }                                                                            \
  } while (0)

/* Copies the value of "key":"..." from a JSON text (enough for ids in these tests). */
static int json_string_field(const char *json, const char *key, char *out, size_t out_len) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  const char *start = strstr(json, pattern);
  if (!start) return 0;
  start += strlen(pattern);
  const char *end = strchr(start, '"');
  if (!end || (size_t)(end - start) >= out_len) return 0;
  memcpy(out, start, (size_t)(end - start));
  out[end - start] = '\0';
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: client_test BASE_URL API_KEY\n");
    printf("0 passed, 1 failed\n");
    return 1;
  }
  char config[1024];
  snprintf(config, sizeof config, "{\"base_url\":\"%s\",\"api_key\":\"%s\",\"max_retries\":2}", argv[1], argv[2]);

  persona_client *client = NULL;
  CHECK(persona_client_new(S(config), &client) == PERSONA_OK && client, "persona_client_new");
  if (!client) {
    printf("%d passed, %d failed\n", passed, failed + 1);
    return 1;
  }

  /* create → retrieve → simulate → list */
  /* One idempotency key per test binary: the shared and static runs share a sandbox. */
  const char *binary = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  char create[512];
  snprintf(create, sizeof create,
           "{\"body\":{\"data\":{\"attributes\":{\"inquiry-template-id\":\"itmpl_c\",\"reference-id\":\"c-user\"}}},"
           "\"idempotency_key\":\"key-%s\"}",
           binary);
  persona_string *out = NULL;
  persona_result r = persona_client_call(client, S("create-an-inquiry"), S(create), &out);
  CHECK(r == PERSONA_OK && out, "create-an-inquiry");
  char id[128] = "";
  CHECK(out && json_string_field(persona_string_ptr(out), "id", id, sizeof id), "created inquiry has an id");
  CHECK(out && persona_string_len(out) == strlen(persona_string_ptr(out)), "persona_string_len");
  persona_string_free(out);

  /* The same idempotency key and parameters replays the first response: still one inquiry. */
  out = NULL;
  r = persona_client_call(client, S("create-an-inquiry"), S(create), &out);
  char replayed[128] = "";
  CHECK(r == PERSONA_OK && out && json_string_field(persona_string_ptr(out), "id", replayed, sizeof replayed) &&
            strcmp(replayed, id) == 0,
        "idempotent replay returns the same inquiry");
  persona_string_free(out);

  char params[256];
  snprintf(params, sizeof params, "{\"path\":{\"inquiry-id\":\"%s\"},\"include\":[\"sessions\"]}", id);
  out = NULL;
  CHECK(persona_client_call(client, S("retrieve-an-inquiry"), S(params), &out) == PERSONA_OK &&
            strstr(persona_string_ptr(out), "\"created\"") != NULL,
        "retrieve-an-inquiry");
  persona_string_free(out);

  snprintf(params, sizeof params,
           "{\"path\":{\"inquiry-id\":\"%s\"},\"body\":{\"meta\":{\"simulate-actions\":"
           "[{\"type\":\"start_inquiry\"},{\"type\":\"complete_inquiry\"}]}}}",
           id);
  out = NULL;
  CHECK(persona_client_call(client, S("inquiries-perform-simulate-actions"), S(params), &out) == PERSONA_OK &&
            strstr(persona_string_ptr(out), "\"completed\"") != NULL,
        "inquiries-perform-simulate-actions");
  persona_string_free(out);

  out = NULL;
  CHECK(persona_client_call(client, S("list-all-inquiries"), S("{\"page\":{\"size\":5},\"filter\":{\"status\":\"completed\"}}"), &out) ==
                PERSONA_OK &&
            strstr(persona_string_ptr(out), id) != NULL,
        "list-all-inquiries with a filter");
  persona_string_free(out);

  /* The raw escape hatch. */
  char path[160];
  snprintf(path, sizeof path, "/inquiries/%s", id);
  out = NULL;
  CHECK(persona_client_request(client, S("GET"), S(path), S(NULL), S(NULL), S(NULL), &out) == PERSONA_OK &&
            strstr(persona_string_ptr(out), id) != NULL,
        "persona_client_request GET");
  persona_string_free(out);

  /* Errors: 404 and 422 are PERSONA_ERR_API with the status in the message; out untouched. */
  persona_string *sentinel = (persona_string *)0x1;
  out = sentinel;
  r = persona_client_call(client, S("retrieve-an-inquiry"), S("{\"path\":{\"inquiry-id\":\"inq_missing\"}}"), &out);
  char message[1024] = "";
  persona_last_error_message(message, sizeof message);
  CHECK(r == PERSONA_ERR_API && out == sentinel && strstr(message, "404") != NULL, "404 -> PERSONA_ERR_API");
  r = persona_client_call(client, S("create-an-inquiry"), S("{\"body\":{\"data\":{\"attributes\":{}}}}"), &out);
  persona_last_error_message(message, sizeof message);
  CHECK(r == PERSONA_ERR_API && strstr(message, "/data/attributes/inquiry-template-id") != NULL,
        "422 carries the source pointer");
  CHECK(strstr(message, argv[2]) == NULL, "error message never contains the API key");

  /* Bad input: typed errors, never a crash. */
  CHECK(persona_client_call(client, S("inquiries.fly"), S(NULL), &out) == PERSONA_ERR_INVALID_ARGUMENT, "unknown operation");
  CHECK(persona_client_call(client, S("retrieve-an-inquiry"), S("not json"), &out) == PERSONA_ERR_INVALID_ARGUMENT, "call not JSON");
  CHECK(persona_client_call(client, S("retrieve-an-inquiry"), S("[1]"), &out) == PERSONA_ERR_INVALID_ARGUMENT, "call not an object");
  CHECK(persona_client_call(client, S("retrieve-an-inquiry"), S(NULL), &out) == PERSONA_ERR_INVALID_ARGUMENT, "path parameter missing");
  CHECK(persona_client_call(client, S("list-all-inquiries"), S("{\"filter\":{\"reference_id\":\"x\"}}"), &out) ==
            PERSONA_ERR_INVALID_ARGUMENT,
        "a filter the operation does not declare");
  persona_last_error_message(message, sizeof message);
  CHECK(strstr(message, "reference-id") != NULL, "the message lists the declared filters");
  CHECK(persona_client_call(NULL, S("retrieve-an-inquiry"), S(NULL), &out) == PERSONA_ERR_NULL_ARGUMENT, "NULL client");
  CHECK(persona_client_call(client, NULL, 1, S(NULL), &out) == PERSONA_ERR_NULL_ARGUMENT, "NULL operation");
  CHECK(persona_client_call(client, S("retrieve-an-inquiry"), S("{\"path\":{\"inquiry-id\":\"x\"}}"), NULL) == PERSONA_ERR_NULL_ARGUMENT,
        "NULL out");
  CHECK(persona_client_request(client, S("G E T"), S("/inquiries"), S(NULL), S(NULL), S(NULL), &out) == PERSONA_ERR_INVALID_ARGUMENT, "bad method");
  CHECK(out == sentinel, "out untouched on every failure");

  persona_client *other = (persona_client *)0x1;
  CHECK(persona_client_new(S("{\"base_url\":\"http://example.com/api/v1\",\"api_key\":\"k\"}"), &other) == PERSONA_ERR_CONFIGURATION &&
            other == (persona_client *)0x1,
        "plain http to a non-loopback host is refused");
  CHECK(persona_client_new(S("{\"api_key\":\"k\",\"key_id\":\"x\"}"), &other) == PERSONA_ERR_CONFIGURATION, "ambiguous credentials");
  CHECK(persona_client_new(S("nope"), &other) == PERSONA_ERR_INVALID_ARGUMENT, "config not JSON");

  /* Wrong key: authentication error from the sandbox. */
  snprintf(config, sizeof config, "{\"base_url\":\"%s\",\"api_key\":\"persona_sandbox_wrong\"}", argv[1]);
  persona_client *wrong = NULL;
  CHECK(persona_client_new(S(config), &wrong) == PERSONA_OK, "client with a wrong key builds");
  CHECK(persona_client_call(wrong, S("list-all-inquiries"), S(NULL), &out) == PERSONA_ERR_API, "wrong key -> PERSONA_ERR_API (401)");
  persona_last_error_message(message, sizeof message);
  CHECK(strstr(message, "401") != NULL && strstr(message, "authentication") != NULL, "401 message");
  persona_client_free(wrong);

  persona_client_free(client);
  persona_client_free(NULL);
  persona_string_free(NULL);
  CHECK(persona_string_ptr(NULL) == NULL && persona_string_len(NULL) == 0, "NULL string accessors");

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
