/* A C program built with `pkg-config --cflags --libs crm` alone against an installed crm: it
 * links libcrm, creates a client on SQLite (with a bootstrap administrator, since sessions open
 * only for CRM users), opens a session and makes calls, and sees an unknown user refused.
 *   c_consumer WORK_DIR */
#include <crm/crm.h>

#include <stdio.h>
#include <string.h>

static int failures = 0;

static void check(int ok, const char *what, const char *detail) {
  if (!ok) {
    fprintf(stderr, "c_consumer: check failed: %s %s\n", what, detail ? detail : "");
    ++failures;
  }
}

static void run(crm_session *session, const char *request, int32_t expected, const char *part) {
  char *response = NULL;
  size_t length = 0;
  int32_t status = crm_call(session, request, strlen(request), &response, &length);
  check(status == expected, request, response);
  check(response != NULL && strstr(response, part) != NULL, part, response);
  crm_string_free(response);
}

int main(int argc, char **argv) {
  char config[1024];
  char *message = NULL;
  crm_client *client = NULL;
  crm_session *session = NULL;
  if (argc != 2 || strpbrk(argv[1], "\"\\") != NULL || strlen(argv[1]) > 900) {
    fprintf(stderr, "usage: c_consumer WORK_DIR (no quote or backslash)\n");
    return 2;
  }
  check(crm_abi_version() == CRM_ABI_VERSION, "crm_abi_version", NULL);
  check(strcmp(crm_version_string(), CRM_VERSION_STRING) == 0, "version", crm_version_string());
  snprintf(config, sizeof config,
           "{\"database\":{\"dialect\":\"sqlite\",\"path\":\"%s/c.db\"},"
           "\"organisation\":{\"bootstrap_admins\":[\"integrator\"]}}",
           argv[1]);
  check(crm_client_create(config, &client, &message) == CRM_OK, "crm_client_create", message);
  crm_string_free(message);
  if (client != NULL && crm_session_open(client, "integrator", &session) == CRM_OK) {
    run(session, "{\"method\":\"customer.create\",\"params\":{\"name\":\"Northwind Traders\"}}",
        CRM_OK, "\"name\":\"Northwind Traders\"");
    run(session, "{\"method\":\"system.describe\"}", CRM_OK, "\"customer.create\"");
    run(session, "{\"method\":\"customer.create\",\"params\":{}}", CRM_E_INVALID_ARGUMENT,
        "\"field\":\"params.name\"");
    crm_session_close(session);
  } else {
    check(0, "crm_session_open", NULL);
  }
  if (client != NULL) {
    char *error = NULL;
    int32_t status = crm_session_open_ex(client, "stranger", &session, &error);
    check(status == CRM_E_PERMISSION_DENIED, "crm_session_open_ex of an unknown user", error);
    check(session == NULL, "no session for an unknown user", NULL);
    check(error != NULL && strstr(error, "unknown user \\\"stranger\\\"") != NULL,
          "the refusal names the user", error);
    crm_string_free(error);
  }
  crm_client_destroy(client);
  if (failures != 0) {
    fprintf(stderr, "c_consumer: %d check(s) failed\n", failures);
    return 1;
  }
  printf("c_consumer: all checks passed\n");
  return 0;
}
