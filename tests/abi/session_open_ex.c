/* abi.session_open_ex: crm_session_open_ex (1.2.0) opens sessions as crm_session_open does and,
 * when it refuses one, hands the host the error envelope saying why: an unknown or inactive user
 * (CRM_E_PERMISSION_DENIED, naming the user), a bad argument, a bad handle. error_json may be
 * NULL, and is NULL after a success. Under CRM_SANITIZE LeakSanitizer checks that every envelope
 * is freed with crm_string_free. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <crm/crm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0;

static void check(int ok, const char *what, int line) {
  if (!ok) {
    fprintf(stderr, "session_open_ex.c:%d: check failed: %s\n", line, what);
    ++failures;
  }
}
#define CHECK(condition) check((condition) != 0, #condition, __LINE__)

static int contains(const char *text, const char *part) {
  return text != NULL && strstr(text, part) != NULL;
}

/* Runs one request; returns its status and frees the response. */
static int32_t call(crm_session *session, const char *request) {
  char *response = NULL;
  int32_t status = crm_call(session, request, strlen(request), &response, NULL);
  if (status != CRM_OK) fprintf(stderr, "session_open_ex: %s -> %s\n", request, response);
  crm_string_free(response);
  return status;
}

/* A user's session is refused with CRM_E_PERMISSION_DENIED and an envelope holding `reason`. */
static void check_refused(crm_client *client, const char *user, const char *reason) {
  crm_session *session = NULL;
  char *error = NULL;
  CHECK(crm_session_open_ex(client, user, &session, &error) == CRM_E_PERMISSION_DENIED);
  CHECK(session == NULL);
  CHECK(contains(error, "\"ok\":false"));
  CHECK(contains(error, "\"code\":-3"));
  CHECK(contains(error, "\"name\":\"permission_denied\""));
  CHECK(contains(error, "\"field\":\"user_key\""));
  CHECK(contains(error, reason));
  if (!contains(error, reason)) fprintf(stderr, "session_open_ex: envelope %s\n", error);
  crm_string_free(error);
  /* Without error_json: the same refusal, nothing to free. */
  session = NULL;
  CHECK(crm_session_open_ex(client, user, &session, NULL) == CRM_E_PERMISSION_DENIED);
  CHECK(session == NULL);
  CHECK(crm_session_open(client, user, &session) == CRM_E_PERMISSION_DENIED);
  CHECK(session == NULL);
}

/* The user's session opens, and error_json is set to NULL (whatever it held before). */
static crm_session *check_opens(crm_client *client, const char *user) {
  crm_session *session = NULL;
  char *error = (char *)"not touched";
  CHECK(crm_session_open_ex(client, user, &session, &error) == CRM_OK);
  CHECK(session != NULL);
  CHECK(error == NULL);
  return session;
}

static void check_arguments(crm_client *client) {
  crm_session *session = NULL;
  char *error = NULL;
  CHECK(crm_session_open_ex(NULL, "admin", &session, &error) == CRM_E_INVALID_HANDLE);
  CHECK(session == NULL);
  CHECK(contains(error, "\"name\":\"invalid_handle\""));
  CHECK(contains(error, "\"field\":\"client\""));
  crm_string_free(error);
  error = NULL;
  CHECK(crm_session_open_ex(client, "admin", NULL, &error) == CRM_E_INVALID_ARGUMENT);
  CHECK(contains(error, "\"field\":\"out\""));
  crm_string_free(error);
  error = NULL;
  CHECK(crm_session_open_ex(client, NULL, &session, &error) == CRM_E_INVALID_ARGUMENT);
  CHECK(session == NULL);
  CHECK(contains(error, "\"field\":\"user_key\""));
  crm_string_free(error);
  error = NULL;
  CHECK(crm_session_open_ex(client, "", &session, &error) == CRM_E_INVALID_ARGUMENT);
  CHECK(session == NULL);
  CHECK(contains(error, "\"name\":\"invalid_argument\""));
  CHECK(contains(error, "\"field\":\"user_key\""));
  crm_string_free(error);
  CHECK(crm_session_open_ex(client, "", &session, NULL) == CRM_E_INVALID_ARGUMENT);
}

int main(void) {
  char directory[] = "/tmp/crm-abi-open-ex-XXXXXX";
  char config[1024];
  char path[1100];
  char *message = NULL;
  crm_client *client = NULL;
  crm_session *admin = NULL;
  crm_session *sales = NULL;
  if (mkdtemp(directory) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  CHECK(crm_version_number() >= 1002000u);
  snprintf(config, sizeof config,
           "{\"database\":{\"dialect\":\"sqlite\",\"path\":\"%s/crm.db\"},"
           "\"organisation\":{\"bootstrap_admins\":[\"admin\"]}}",
           directory);
  CHECK(crm_client_create(config, &client, &message) == CRM_OK);
  crm_string_free(message);
  if (client != NULL) {
    check_arguments(client);
    check_refused(client, "nobody", "unknown user \\\"nobody\\\"");
    admin = check_opens(client, "admin");
    if (admin != NULL) {
      /* A CRM user made by the administrator gets a session; once deactivated, no more. */
      CHECK(call(admin,
                 "{\"method\":\"user.create\",\"params\":{\"user_key\":\"li.na\","
                 "\"name\":\"李娜\",\"roles\":[\"sales\"]}}") == CRM_OK);
      sales = check_opens(client, "li.na");
      CHECK(call(sales, "{\"method\":\"user.me\"}") == CRM_OK);
      crm_session_close(sales);
      CHECK(call(admin,
                 "{\"method\":\"user.update\",\"params\":{\"user_key\":\"li.na\","
                 "\"version\":1,\"active\":false}}") == CRM_OK);
      check_refused(client, "li.na", "inactive user \\\"li.na\\\"");
      crm_session_close(admin);
    }
    crm_client_destroy(client);
  }
  snprintf(path, sizeof path, "%s/crm.db", directory);
  remove(path);
  rmdir(directory);
  if (failures != 0) {
    fprintf(stderr, "session_open_ex: %d check(s) failed\n", failures);
    return 1;
  }
  printf("session_open_ex: all checks passed\n");
  return 0;
}
