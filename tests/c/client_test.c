/*
 * The client over the C ABI against a real `persona sandbox` on loopback (argv[1] = base URL,
 * argv[2] = the sandbox's API key; argv[3] and argv[4] = the loopback port the sandbox delivers
 * webhooks to and their secret). Blocking calls, JSON in / JSON out, errors as result codes; the
 * webhooks the flow causes are received here and verified through the C ABI.
 * Ends with "N passed, M failed".
 */
#define _GNU_SOURCE /* strcasestr, for HTTP header names */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* A listening socket on 127.0.0.1:port, or -1. */
static int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 16) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/*
 * Accepts one webhook delivery (waiting up to timeout_ms) and answers it 200: the Persona-Signature
 * header into header[], the body into body[] (its length returned), -1 on timeout or a request
 * too large for the buffers.
 */
static long receive_webhook(int listener, int timeout_ms, char *header, size_t header_len, char *body, size_t body_len) {
  struct pollfd ready = {.fd = listener, .events = POLLIN};
  if (poll(&ready, 1, timeout_ms) != 1) return -1;
  int fd = accept(listener, NULL, NULL);
  if (fd < 0) return -1;
  static char request[1 << 16];
  size_t got = 0;
  long length = -1;
  char *head_end = NULL;
  while (got < sizeof request - 1) {
    ssize_t n = read(fd, request + got, sizeof request - 1 - got);
    if (n <= 0) break;
    got += (size_t)n;
    request[got] = '\0';
    head_end = strstr(request, "\r\n\r\n");
    if (head_end) {
      const char *field = strcasestr(request, "\r\ncontent-length:");
      long content = field ? strtol(field + 17, NULL, 10) : 0;
      if ((size_t)(head_end + 4 - request) + (size_t)content <= got) {
        length = content;
        break;
      }
    }
  }
  const char *answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  if (write(fd, answer, strlen(answer)) < 0) length = -1;
  close(fd);
  if (length < 0 || (size_t)length >= body_len) return -1;
  header[0] = '\0';
  const char *signature = strcasestr(request, "\r\npersona-signature:");
  if (signature) {
    signature += strlen("\r\npersona-signature:");
    while (*signature == ' ') signature++;
    size_t n = strcspn(signature, "\r\n");
    if (n >= header_len) return -1;
    memcpy(header, signature, n);
    header[n] = '\0';
  }
  memcpy(body, head_end + 4, (size_t)length);
  body[length] = '\0';
  return length;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: client_test BASE_URL API_KEY WEBHOOK_PORT WEBHOOK_SECRET\n");
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

  /* Listen for the webhooks the simulation causes (Persona retries what it could not deliver). */
  int listener = listen_on(atoi(argv[3]));
  CHECK(listener >= 0, "listening for webhooks");
  snprintf(params, sizeof params,
           "{\"path\":{\"inquiry-id\":\"%s\"},\"body\":{\"meta\":{\"simulate-actions\":"
           "[{\"type\":\"start_inquiry\"},{\"type\":\"complete_inquiry\"}]}}}",
           id);
  out = NULL;
  CHECK(persona_client_call(client, S("inquiries-perform-simulate-actions"), S(params), &out) == PERSONA_OK &&
            strstr(persona_string_ptr(out), "\"completed\"") != NULL,
        "inquiries-perform-simulate-actions");
  persona_string_free(out);

  /* The inquiry.completed webhook for this inquiry arrives, verifies and carries it. */
  persona_str secret = {(const uint8_t *)argv[4], strlen(argv[4])};
  persona_webhook_verifier *verifier = NULL;
  CHECK(persona_webhook_verifier_new(&secret, 1, 300, &verifier) == PERSONA_OK, "webhook verifier");
  int completed = 0;
  static char header[512], body[1 << 15];
  for (int deliveries = 0; listener >= 0 && verifier && !completed && deliveries < 50; deliveries++) {
    long length = receive_webhook(listener, 10000, header, sizeof header, body, sizeof body);
    if (length < 0) break;
    persona_webhook_event *event = NULL;
    if (persona_webhook_verifier_verify_event(verifier, (const uint8_t *)header, strlen(header), (const uint8_t *)body,
                                              (size_t)length, NULL, &event) != PERSONA_OK) {
      CHECK(0, "a delivered webhook verifies");
      break;
    }
    size_t len = 0;
    const char *name = persona_webhook_event_name(event, &len);
    const char *payload = persona_webhook_event_payload_json(event, &len);
    completed = strcmp(name, "inquiry.completed") == 0 && strstr(payload, id) != NULL;
    persona_webhook_event_free(event);
  }
  CHECK(completed, "the inquiry.completed webhook arrives and verifies");
  persona_webhook_verifier_free(verifier);
  if (listener >= 0) close(listener);

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
