/* abi.log_record: crm_log_record_callback_set (1.1.0) tells a host which client and which
 * logger each record comes from, and it and crm_log_callback_set replace each other. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <crm/crm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0;

static void check(int ok, const char *what, int line) {
  if (!ok) {
    fprintf(stderr, "log_record.c:%d: check failed: %s\n", line, what);
    ++failures;
  }
}
#define CHECK(condition) check((condition) != 0, #condition, __LINE__)

/* What the callbacks saw: records mentioning a user, with their client, and a count. */
struct seen {
  crm_client *client_of_a;
  crm_client *client_of_b;
  int records;
  int bad_logger;
  int plain_records;
};

static void on_record(int32_t level, const char *logger, struct crm_client *client,
                      const char *message, void *user_data) {
  struct seen *seen = user_data;
  (void)level;
  ++seen->records;
  if (logger == NULL || strcmp(logger, "crm") != 0) ++seen->bad_logger;
  if (strstr(message, "created by user-a") != NULL) seen->client_of_a = client;
  if (strstr(message, "created by user-b") != NULL) seen->client_of_b = client;
}

static void on_plain(int32_t level, const char *message, void *user_data) {
  struct seen *seen = user_data;
  (void)level;
  (void)message;
  ++seen->plain_records;
}

static crm_client *create(const char *directory, const char *name) {
  char config[1024];
  crm_client *client = NULL;
  snprintf(config, sizeof config,
           "{\"database\":{\"dialect\":\"sqlite\",\"path\":\"%s/%s\"},"
           "\"organisation\":{\"bootstrap_admins\":[\"user-a\",\"user-b\"]}}",
           directory, name);
  CHECK(crm_client_create(config, &client, NULL) == CRM_OK);
  return client;
}

static void create_customer(crm_client *client, const char *user) {
  static const char request[] = "{\"method\":\"customer.create\",\"params\":{\"name\":\"N\"}}";
  crm_session *session = NULL;
  CHECK(crm_session_open(client, user, &session) == CRM_OK);
  CHECK(crm_call(session, request, strlen(request), NULL, NULL) == CRM_OK);
  crm_session_close(session);
}

int main(void) {
  char directory[] = "/tmp/crm-abi-log-XXXXXX";
  char path[1100];
  struct seen seen;
  crm_client *a;
  crm_client *b;
  const char *names[] = {"a.db", "b.db"};
  size_t i;
  memset(&seen, 0, sizeof seen);
  if (mkdtemp(directory) == NULL) {
    perror("mkdtemp");
    return 1;
  }
  CHECK(crm_log_record_callback_set(on_record, CRM_LOG_TRACE - 1, &seen) == CRM_E_INVALID_ARGUMENT);
  CHECK(crm_log_record_callback_set(on_record, CRM_LOG_INFO, &seen) == CRM_OK);
  a = create(directory, names[0]);
  b = create(directory, names[1]);
  create_customer(a, "user-a");
  create_customer(b, "user-b");
  CHECK(seen.records > 0);
  CHECK(seen.bad_logger == 0);
  CHECK(a != NULL && seen.client_of_a == a);
  CHECK(b != NULL && seen.client_of_b == b);

  /* The plain callback replaces the record callback, and the other way round. */
  CHECK(crm_log_callback_set(on_plain, CRM_LOG_INFO, &seen) == CRM_OK);
  seen.records = 0;
  create_customer(a, "user-a");
  CHECK(seen.records == 0);
  CHECK(seen.plain_records > 0);
  CHECK(crm_log_record_callback_set(on_record, CRM_LOG_INFO, &seen) == CRM_OK);
  seen.plain_records = 0;
  create_customer(b, "user-b");
  CHECK(seen.records > 0 && seen.plain_records == 0);
  CHECK(crm_log_record_callback_set(NULL, CRM_LOG_INFO, NULL) == CRM_OK);

  crm_client_destroy(a);
  crm_client_destroy(b);
  for (i = 0; i < 2; ++i) {
    snprintf(path, sizeof path, "%s/%s", directory, names[i]);
    remove(path);
  }
  rmdir(directory);
  if (failures != 0) {
    fprintf(stderr, "log_record: %d check(s) failed\n", failures);
    return 1;
  }
  printf("log_record: all checks passed\n");
  return 0;
}
