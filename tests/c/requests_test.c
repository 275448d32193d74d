/*
 * Replays tests/vectors/requests.json (generated from Persona's OpenAPI document by
 * api/generate.py) through persona_client_call against a capturing loopback server in this
 * process: every one of the 167 operations, called by its operationId with the vector's call
 * JSON, must send exactly the pinned request (method, path, query, listed headers, body) and hand
 * back the answer as the operation declares (the JSON document, or a PDF's bytes).
 * argv[1] = the vectors directory. Ends with "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "persona.h"

static inline size_t slen(const char *s) { return s == NULL ? 0 : strlen(s); }
#define S(x) (const uint8_t *)(x), slen(x)

static int passed, failed;

#define CHECK(cond, name, what)                                         \
  do {                                                                  \
    if (cond) {                                                         \
      passed++;                                                         \
    } else {                                                            \
      failed++;                                                         \
      fprintf(stderr, "FAIL %s: %s\n", (name), (what));                 \
    }                                                                   \
  } while (0)

static const char PDF[] = "%PDF-1.4 request vector";
static const char DOCUMENT[] =
    "{\"data\":{\"type\":\"vector\",\"id\":\"vec_1\",\"attributes\":{}},\"included\":[],\"meta\":{\"m\":1},\"links\":{}}";

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)size + 1);
  if (text != NULL && fread(text, 1, (size_t)size, f) != (size_t)size) {
    free(text);
    text = NULL;
  }
  if (text != NULL) text[size] = '\0';
  fclose(f);
  return text;
}

/* One call on its own thread: persona_client_call blocks until the server answers. */
typedef struct {
  const persona_client *client;
  const char *operation;
  char *call_json;
  persona_result result;
  persona_string *out;
} call_t;

static void *run_call(void *arg) {
  call_t *call = arg;
  call->result = persona_client_call(call->client, S(call->operation), S(call->call_json), &call->out);
  return NULL;
}

/* The request as the server read it. */
typedef struct {
  char head[16384];
  char *body;
  size_t body_len;
} request_t;

/* Reads one request from `fd` (head up to the blank line, then Content-Length bytes). */
static int read_request(int fd, request_t *request) {
  size_t len = 0;
  char *end = NULL;
  while (end == NULL) {
    if (len + 1 >= sizeof request->head) return 0;
    ssize_t got = recv(fd, request->head + len, sizeof request->head - 1 - len, 0);
    if (got <= 0) return 0;
    len += (size_t)got;
    request->head[len] = '\0';
    end = strstr(request->head, "\r\n\r\n");
  }
  size_t head_len = (size_t)(end - request->head) + 4;
  size_t content_length = 0;
  for (char *line = strstr(request->head, "\r\n"); line != NULL && line < end; line = strstr(line + 2, "\r\n")) {
    if (strncasecmp(line + 2, "content-length:", 15) == 0) content_length = strtoul(line + 17, NULL, 10);
  }
  request->body = malloc(content_length + 1);
  if (request->body == NULL) return 0;
  size_t have = len - head_len;
  memcpy(request->body, request->head + head_len, have);
  while (have < content_length) {
    ssize_t got = recv(fd, request->body + have, content_length - have, 0);
    if (got <= 0) return 0;
    have += (size_t)got;
  }
  request->body[content_length] = '\0';
  request->body_len = content_length;
  *end = '\0'; /* the head alone, for the header lookups below */
  return 1;
}

/* The values of header `name` (case-insensitive), joined by "|" when repeated. */
static void header_values(const char *head, const char *name, char *out, size_t out_len) {
  out[0] = '\0';
  size_t name_len = strlen(name);
  for (const char *line = strstr(head, "\r\n"); line != NULL; line = strstr(line + 2, "\r\n")) {
    const char *start = line + 2;
    if (strncasecmp(start, name, name_len) == 0 && start[name_len] == ':') {
      const char *value = start + name_len + 1;
      while (*value == ' ') value++;
      const char *stop = strstr(value, "\r\n");
      size_t value_len = stop ? (size_t)(stop - value) : strlen(value);
      if (out[0] != '\0') strncat(out, "|", out_len - strlen(out) - 1);
      strncat(out, value, value_len < out_len - strlen(out) - 1 ? value_len : out_len - strlen(out) - 1);
    }
  }
}

static void answer(int fd, int pdf) {
  const char *body = pdf ? PDF : DOCUMENT;
  char head[256];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\nRequest-Id: req_vec\r\n"
                   "Connection: close\r\n\r\n",
                   pdf ? "application/pdf" : "application/json", strlen(body));
  if (send(fd, head, (size_t)n, 0) < 0 || send(fd, body, strlen(body), 0) < 0) perror("send");
}

static void check_case(const cJSON *c, const persona_client *client, int listener, int *covered,
                       const cJSON *operations_seen) {
  (void)operations_seen;
  const char *name = cJSON_GetObjectItem(c, "name")->valuestring;
  const cJSON *call_object = cJSON_GetObjectItem(c, "call");
  const cJSON *want = cJSON_GetObjectItem(c, "request");
  int pdf = strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "response"), "kind")->valuestring, "pdf") == 0;
  call_t call = {client, cJSON_GetObjectItem(call_object, "operation")->valuestring, cJSON_PrintUnformatted(call_object),
                 PERSONA_OK, NULL};
  pthread_t thread;
  pthread_create(&thread, NULL, run_call, &call);
  int fd = accept(listener, NULL, NULL);
  request_t request = {.body = NULL};
  int read_ok = fd >= 0 && read_request(fd, &request);
  if (read_ok) answer(fd, pdf);
  if (fd >= 0) close(fd);
  pthread_join(thread, NULL);
  CHECK(read_ok, name, "the server read a request");
  CHECK(call.result == PERSONA_OK, name, "persona_client_call succeeded");
  if (read_ok) {
    char method[16] = "", target[4096] = "";
    sscanf(request.head, "%15s %4095s", method, target);
    char *query = strchr(target, '?');
    if (query != NULL) *query++ = '\0';
    CHECK(strcmp(method, cJSON_GetObjectItem(want, "method")->valuestring) == 0, name, "method");
    CHECK(strcmp(target, cJSON_GetObjectItem(want, "path")->valuestring) == 0, name, "path");
    CHECK(strcmp(query ? query : "", cJSON_GetObjectItem(want, "query")->valuestring) == 0, name, "query");
    const cJSON *header;
    cJSON_ArrayForEach(header, cJSON_GetObjectItem(want, "headers")) {
      char got[512];
      header_values(request.head, header->string, got, sizeof got);
      CHECK(strcmp(got, header->valuestring) == 0, name, header->string);
    }
    char key[512];
    header_values(request.head, "Idempotency-Key", key, sizeof key);
    if (strcmp(method, "POST") != 0) CHECK(key[0] == '\0', name, "no Idempotency-Key on a non-POST");
    CHECK(request.body_len == strlen(cJSON_GetObjectItem(want, "body")->valuestring) &&
              memcmp(request.body, cJSON_GetObjectItem(want, "body")->valuestring, request.body_len) == 0,
          name, "body");
  }
  if (call.result == PERSONA_OK) {
    if (pdf) {
      CHECK(persona_string_len(call.out) == strlen(PDF) && memcmp(persona_string_ptr(call.out), PDF, strlen(PDF)) == 0,
            name, "the file handed back byte for byte");
    } else {
      /* The document as JSON (the library re-serializes it): every member kept. */
      cJSON *got = cJSON_Parse(persona_string_ptr(call.out));
      cJSON *expected = cJSON_Parse(DOCUMENT);
      CHECK(got != NULL && cJSON_Compare(got, expected, 1), name, "the document handed back whole");
      cJSON_Delete(got);
      cJSON_Delete(expected);
    }
    (*covered)++;
  }
  persona_string_free(call.out);
  free(request.body);
  cJSON_free(call.call_json);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: requests_test VECTORS_DIR\n");
    printf("0 passed, 1 failed\n");
    return 1;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/requests.json", argv[1]);
  char *text = read_file(path);
  cJSON *root = text ? cJSON_Parse(text) : NULL;
  free(text);
  if (root == NULL) {
    fprintf(stderr, "cannot read %s\n", path);
    printf("0 passed, 1 failed\n");
    return 1;
  }

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t address_len = sizeof address;
  if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 4) != 0 ||
      getsockname(listener, (struct sockaddr *)&address, &address_len) != 0) {
    perror("listen");
    printf("0 passed, 1 failed\n");
    return 1;
  }
  char config[512];
  snprintf(config, sizeof config,
           "{\"base_url\":\"http://127.0.0.1:%d%s\",\"api_key\":\"persona_sandbox_c_vectors\",\"max_retries\":0}",
           ntohs(address.sin_port), cJSON_GetObjectItem(root, "base_path")->valuestring);
  persona_client *client = NULL;
  if (persona_client_new(S(config), &client) != PERSONA_OK) {
    printf("0 passed, 1 failed\n");
    return 1;
  }

  int replayed_cases = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(root, "cases")) {
    check_case(c, client, listener, &replayed_cases, NULL);
  }
  /* Operations covered: distinct operation ids among the cases that went through. */
  int operations = cJSON_GetObjectItem(root, "operations")->valueint;
  int distinct = 0;
  const cJSON *a, *b;
  cJSON_ArrayForEach(a, cJSON_GetObjectItem(root, "cases")) {
    const char *id = cJSON_GetObjectItem(cJSON_GetObjectItem(a, "call"), "operation")->valuestring;
    int first = 1;
    cJSON_ArrayForEach(b, cJSON_GetObjectItem(root, "cases")) {
      if (b == a) break;
      if (strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "call"), "operation")->valuestring, id) == 0) first = 0;
    }
    distinct += first;
  }
  int cases = cJSON_GetArraySize(cJSON_GetObjectItem(root, "cases"));
  printf("C: %d/%d operations replayed (%d/%d cases)\n", replayed_cases == cases ? distinct : 0, operations,
         replayed_cases, cases);
  CHECK(replayed_cases == cases && distinct == operations && operations == 167, "requests.json", "every operation replayed");

  persona_client_free(client);
  close(listener);
  cJSON_Delete(root);
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
