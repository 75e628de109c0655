/* abi.c_smoke: a minimal C99 host that links libcrm and walks the documented call sequence,
 * status codes, NULL handling and string ownership of crm.h. Exits non-zero on any failure.
 * Under CRM_SANITIZE the leak checker also proves that every returned string is freed. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, opendir: the only non-C99 calls, for the temp dir */

#include <crm/crm.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0;

static void check(int ok, const char *what, int line) {
  if (!ok) {
    fprintf(stderr, "c_smoke.c:%d: check failed: %s\n", line, what);
    ++failures;
  }
}
#define CHECK(condition) check((condition) != 0, #condition, __LINE__)

static int contains(const char *text, const char *part) {
  return text != NULL && strstr(text, part) != NULL;
}

/* Runs one NUL-terminated request. The response is checked for the properties every response
 * has and is returned for the caller to inspect and free. */
static int32_t call(crm_session *session, const char *request, char **response) {
  size_t length = (size_t)-1;
  int32_t status = crm_call(session, request, strlen(request), response, &length);
  CHECK(*response != NULL);
  if (*response == NULL) return status;
  CHECK(strlen(*response) == length);
  CHECK(status == CRM_OK ? contains(*response, "\"ok\":true")
                         : contains(*response, "\"ok\":false"));
  return status;
}

/* Copies the string value of "key" (a JSON id such as "1") out of a response. */
static int json_string_value(const char *json, const char *key, char *out, size_t out_size) {
  char pattern[64];
  const char *start;
  const char *end;
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  start = json ? strstr(json, pattern) : NULL;
  if (start == NULL) return 0;
  start += strlen(pattern);
  end = strchr(start, '"');
  if (end == NULL || (size_t)(end - start) >= out_size) return 0;
  memcpy(out, start, (size_t)(end - start));
  out[end - start] = '\0';
  return 1;
}

static void check_versions(void) {
  const crm_plugin_api *api = NULL;
  char loaded[16];
  CHECK(crm_abi_version() == CRM_ABI_VERSION);
  /* The library may be newer than the header this host was compiled with (abi.v1_host runs this
   * program, compiled against the v1 header as released, against every later build), never
   * older, and its string spells its number. */
  CHECK(crm_version_number() >= CRM_VERSION_NUMBER);
  CHECK(crm_version_number() / 1000000 == CRM_VERSION_MAJOR);
  snprintf(loaded, sizeof loaded, "%u.%u.%u", (unsigned)(crm_version_number() / 1000000),
           (unsigned)(crm_version_number() / 1000 % 1000), (unsigned)(crm_version_number() % 1000));
  CHECK(strcmp(crm_version_string(), loaded) == 0);

  CHECK(crm_plugin_query(CRM_ABI_VERSION, &api) == CRM_OK);
  CHECK(api != NULL);
  if (api != NULL) {
    CHECK(api->struct_size >= sizeof(crm_plugin_api));
    CHECK(api->abi_version == CRM_ABI_VERSION);
    CHECK(contains(api->manifest_json, "\"methods\""));
    CHECK(api->version_number() == crm_version_number());
    CHECK(strcmp(api->status_string(CRM_E_CONFLICT), "conflict") == 0);
  }
  api = (const crm_plugin_api *)&api; /* any non-NULL value: a mismatch must reset it */
  CHECK(crm_plugin_query(CRM_ABI_VERSION + 1, &api) == CRM_E_ABI_MISMATCH);
  CHECK(api == NULL);
  CHECK(crm_plugin_query(CRM_ABI_VERSION, NULL) == CRM_E_INVALID_ARGUMENT);
}

static void check_status_strings(void) {
  static const struct {
    int32_t status;
    const char *name;
  } expected[] = {
      {CRM_OK, "ok"},
      {CRM_E_INVALID_ARGUMENT, "invalid_argument"},
      {CRM_E_NOT_FOUND, "not_found"},
      {CRM_E_PERMISSION_DENIED, "permission_denied"},
      {CRM_E_CONFLICT, "conflict"},
      {CRM_E_DATABASE, "database"},
      {CRM_E_UNAVAILABLE, "unavailable"},
      {CRM_E_UNSUPPORTED, "unsupported"},
      {CRM_E_INTERNAL, "internal"},
      {CRM_E_NO_MEMORY, "no_memory"},
      {CRM_E_INVALID_HANDLE, "invalid_handle"},
      {CRM_E_ABI_MISMATCH, "abi_mismatch"},
  };
  size_t i;
  for (i = 0; i < sizeof expected / sizeof expected[0]; ++i) {
    const char *name = crm_status_string(expected[i].status);
    CHECK(name != NULL && strcmp(name, expected[i].name) == 0);
  }
  CHECK(strcmp(crm_status_string(1), "unknown") == 0);
  CHECK(strcmp(crm_status_string(-12), "unknown") == 0);
  CHECK(strcmp(crm_status_string(INT32_MIN), "unknown") == 0);
}

static void check_null_handling(void) {
  char *response = NULL;
  size_t length = 0;
  crm_session *session = NULL;
  crm_client *client = (crm_client *)&client; /* any non-NULL value: a failure must reset it */
  char *message = (char *)&message;

  crm_client_destroy(NULL);
  crm_session_close(NULL);
  crm_string_free(NULL);

  CHECK(crm_call(NULL, "{}", 2, &response, &length) == CRM_E_INVALID_HANDLE);
  CHECK(contains(response, "\"name\":\"invalid_handle\""));
  CHECK(response != NULL && strlen(response) == length);
  crm_string_free(response);
  CHECK(crm_call(NULL, "{}", 2, NULL, NULL) == CRM_E_INVALID_HANDLE);

  CHECK(crm_session_open(NULL, "erp-user", &session) == CRM_E_INVALID_HANDLE);
  CHECK(session == NULL);

  CHECK(crm_client_create(NULL, &client, &message) == CRM_E_INVALID_ARGUMENT);
  CHECK(client == NULL);
  CHECK(message != NULL && message[0] != '\0');
  crm_string_free(message);
  CHECK(crm_client_create("{}", NULL, NULL) == CRM_E_INVALID_ARGUMENT);

  CHECK(crm_log_callback_set(NULL, CRM_LOG_TRACE - 1, NULL) == CRM_E_INVALID_ARGUMENT);
  CHECK(crm_log_callback_set(NULL, CRM_LOG_WARN, NULL) == CRM_OK);
}

static void check_bad_config(const char *directory) {
  char config[1024];
  crm_client *client = NULL;
  char *message = NULL;
  int32_t status;

  status = crm_client_create("{\"database\":", &client, &message);
  CHECK(status == CRM_E_INVALID_ARGUMENT);
  CHECK(client == NULL);
  CHECK(message != NULL && message[0] != '\0');
  crm_string_free(message);

  message = NULL;
  snprintf(config, sizeof config, "{\"database\":{\"dialect\":\"dbase3\",\"path\":\"%s/x.db\"}}",
           directory);
  status = crm_client_create(config, &client, &message);
  CHECK(status < 0);
  CHECK(client == NULL);
  CHECK(contains(message, "dialect"));
  crm_string_free(message);
}

static void check_session(crm_client *client) {
  crm_session *session = NULL;
  crm_session *bad = NULL;
  char *response = NULL;
  char customer_id[32];
  char request[512];
  size_t length = 0;
  int32_t status;
  static const char describe[] = "{\"method\":\"system.describe\"}";
  /* request_json need not be NUL-terminated: only the first request_len bytes count. */
  static const char unterminated[] = "{\"method\":\"system.describe\"}garbage";

  CHECK(crm_session_open(client, "", &bad) == CRM_E_INVALID_ARGUMENT);
  CHECK(bad == NULL);
  CHECK(crm_session_open(client, "erp-user-42", NULL) == CRM_E_INVALID_ARGUMENT);
  CHECK(crm_session_open(client, "erp-user-42", &session) == CRM_OK);
  CHECK(session != NULL);
  if (session == NULL) return;

  status =
      call(session, "{\"method\":\"customer.create\",\"params\":{\"name\":\"Northwind Traders\"}}",
           &response);
  CHECK(status == CRM_OK);
  CHECK(contains(response, "\"name\":\"Northwind Traders\""));
  CHECK(contains(response, "\"created_by\":\"erp-user-42\""));
  CHECK(json_string_value(response, "id", customer_id, sizeof customer_id));
  crm_string_free(response);

  snprintf(request, sizeof request,
           "{\"method\":\"interaction.log\",\"params\":{\"customer_id\":\"%s\","
           "\"channel\":\"tel\",\"direction\":\"inbound\","
           "\"occurred_at\":\"2026-11-27T10:00:00+08:00\",\"subject\":\"price enquiry\"}}",
           customer_id);
  status = call(session, request, &response);
  CHECK(status == CRM_OK);
  CHECK(contains(response, "\"subject\":\"price enquiry\""));
  CHECK(contains(response, "\"occurred_at\":\"2026-11-27T02:00:00Z\""));
  crm_string_free(response);

  /* A bad request is reported in the return value and in the envelope alike. */
  status = call(session, "{\"method\":\"customer.create\",\"params\":{}}", &response);
  CHECK(status == CRM_E_INVALID_ARGUMENT);
  CHECK(contains(response, "\"code\":-1"));
  CHECK(contains(response, "\"name\":\"invalid_argument\""));
  CHECK(contains(response, "\"field\":\"params.name\""));
  CHECK(contains(response, "\"message\":\""));
  crm_string_free(response);

  status = call(session, "not json", &response);
  CHECK(status == CRM_E_INVALID_ARGUMENT);
  crm_string_free(response);

  CHECK(crm_call(session, NULL, 0, &response, &length) == CRM_E_INVALID_ARGUMENT);
  CHECK(contains(response, "\"ok\":false"));
  crm_string_free(response);

  CHECK(crm_call(session, unterminated, strlen(describe), &response, &length) == CRM_OK);
  CHECK(contains(response, "\"ok\":true"));
  crm_string_free(response);

  /* Both out-parameters are optional. */
  CHECK(crm_call(session, describe, strlen(describe), NULL, NULL) == CRM_OK);

  crm_session_close(session);
  /* A closed handle is reported, never dereferenced (crm.h promises a handle registry). */
  CHECK(crm_call(session, "{}", 2, &response, &length) == CRM_E_INVALID_HANDLE);
  crm_string_free(response);
  crm_session_close(session);
}

/* Removes the files the database left (journal, WAL) and the directory itself. */
static void remove_directory(const char *directory) {
  DIR *dir = opendir(directory);
  struct dirent *entry;
  char path[1024];
  if (dir == NULL) return;
  while ((entry = readdir(dir)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
    remove(path);
  }
  closedir(dir);
  rmdir(directory);
}

int main(void) {
  const char *tmp = getenv("TMPDIR");
  char directory[512];
  char config[1024];
  char *message = NULL;
  crm_client *client = NULL;
  crm_session *orphan = NULL;
  crm_session *late = NULL;

  /* The path goes into a JSON string unescaped; fall back to /tmp for unusual TMPDIRs. */
  if (tmp == NULL || tmp[0] == '\0' || strpbrk(tmp, "\"\\") != NULL || strlen(tmp) > 400)
    tmp = "/tmp";
  snprintf(directory, sizeof directory, "%s/crm-abi-c-XXXXXX", tmp);
  if (mkdtemp(directory) == NULL) {
    perror("mkdtemp");
    return 1;
  }

  check_versions();
  check_status_strings();
  check_null_handling();
  check_bad_config(directory);

  /* Sessions open only for CRM users: the users of this test are bootstrap administrators. */
  snprintf(config, sizeof config,
           "{\"database\":{\"dialect\":\"sqlite\",\"path\":\"%s/crm.db\"},"
           "\"organisation\":{\"bootstrap_admins\":[\"erp-user-42\",\"erp-user-7\"]}}",
           directory);
  CHECK(crm_client_create(config, &client, &message) == CRM_OK);
  CHECK(message == NULL);
  crm_string_free(message);
  if (client != NULL) {
    check_session(client);

    /* Destroying the client invalidates its sessions and the client handle itself. */
    CHECK(crm_session_open(client, "erp-user-7", &orphan) == CRM_OK);
    crm_client_destroy(client);
    CHECK(crm_call(orphan, "{}", 2, NULL, NULL) == CRM_E_INVALID_HANDLE);
    crm_session_close(orphan);
    CHECK(crm_session_open(client, "erp-user-7", &late) == CRM_E_INVALID_HANDLE);
    CHECK(late == NULL);
    crm_client_destroy(client);
  }

  remove_directory(directory);
  if (failures != 0) {
    fprintf(stderr, "c_smoke: %d check(s) failed\n", failures);
    return 1;
  }
  printf("c_smoke: all checks passed\n");
  return 0;
}
