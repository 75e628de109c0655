/*
 * crm.h - the C ABI of libcrm, the CRM module for ERP systems.
 *
 * Conventions (stable for the whole ABI major version):
 *   - Every fallible function returns an int32_t status: CRM_OK (0) or a negative CRM_E_* code.
 *     Codes are never renumbered; crm_status_string() gives the symbolic name.
 *   - Strings are UTF-8. Strings the library returns are owned by the caller and released with
 *     crm_string_free(); the library never frees what the caller passes in.
 *   - Opaque handles. Destroy/close functions accept NULL. A handle that was already destroyed, or
 *     a pointer that never was a handle of that kind, is reported as CRM_E_INVALID_HANDLE (the
 *     library keeps a registry of live handles and never dereferences an unknown pointer).
 *   - Domain operations go through crm_call(): a JSON request {"method": "...", "params": {...}}
 *     and a JSON response {"ok": true, "result": ...} or
 *     {"ok": false, "error": {"code": -1, "name": "invalid_argument", "message": "...",
 *     "field": "params.name"}}. 64-bit ids and money travel as JSON strings, times as ISO 8601
 *     strings with a UTC offset. "system.describe" lists every method with its parameter schema.
 *
 * Threads:
 *   - crm_client: thread-safe. It owns a pool of database connections; any number of sessions on
 *     any threads may use one client at the same time (each call borrows one pooled connection for
 *     its duration, so a connection is never used by two threads at once).
 *   - crm_session: use from one thread at a time (it may move between threads). Open one session
 *     per thread that works concurrently. Close every session before destroying its client.
 *   - The functions without a handle (version, status strings, crm_string_free, crm_plugin_query)
 *     are thread-safe. crm_log_callback_set is thread-safe; see its note for when it takes effect.
 *
 * Nothing thrown inside the library ever crosses this boundary: every export is noexcept and
 * converts failures to status codes.
 */
#ifndef CRM_CRM_H
#define CRM_CRM_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define CRM_API __declspec(dllimport)
#elif defined(__GNUC__)
#define CRM_API __attribute__((visibility("default")))
#else
#define CRM_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- versions ------------------------------------------------------------------------------ */

#define CRM_VERSION_MAJOR 1
#define CRM_VERSION_MINOR 0
#define CRM_VERSION_PATCH 0
#define CRM_VERSION_STRING "1.0.0"
/* MAJOR * 1000000 + MINOR * 1000 + PATCH */
#define CRM_VERSION_NUMBER 1000000
/* Bumped only on an incompatible change of this header; the SONAME is libcrm.so.<ABI>. */
#define CRM_ABI_VERSION 1

CRM_API const char *crm_version_string(void);
CRM_API uint32_t crm_version_number(void);
CRM_API uint32_t crm_abi_version(void);

/* ---- status codes (stable, never renumbered) ----------------------------------------------- */

#define CRM_OK 0
#define CRM_E_INVALID_ARGUMENT (-1)  /* a parameter or the request itself is malformed */
#define CRM_E_NOT_FOUND (-2)         /* an id or key names nothing */
#define CRM_E_PERMISSION_DENIED (-3) /* the session's user may not do this */
#define CRM_E_CONFLICT (-4)          /* stale version, duplicate key, forbidden state change */
#define CRM_E_DATABASE (-5)          /* the database rejected a statement */
#define CRM_E_UNAVAILABLE (-6)       /* the database cannot be reached; retrying later may work */
#define CRM_E_UNSUPPORTED (-7)       /* a feature, dialect or schema version this build lacks */
#define CRM_E_INTERNAL (-8)          /* a defect in libcrm; the message says where */
#define CRM_E_NO_MEMORY (-9)         /* an allocation failed */
#define CRM_E_INVALID_HANDLE (-10)   /* NULL, closed or foreign handle */
#define CRM_E_ABI_MISMATCH (-11)     /* the host asked for an ABI this library does not provide */

/* The symbolic name of a status ("ok", "invalid_argument", ...); "unknown" for other values.
 * The returned string is static. */
CRM_API const char *crm_status_string(int32_t status);

/* ---- memory -------------------------------------------------------------------------------- */

/* Frees a string returned by the library. NULL is accepted. */
CRM_API void crm_string_free(char *string);

/* ---- logging ------------------------------------------------------------------------------- */

#define CRM_LOG_TRACE 0
#define CRM_LOG_DEBUG 1
#define CRM_LOG_INFO 2
#define CRM_LOG_WARN 3
#define CRM_LOG_ERROR 4
#define CRM_LOG_CRITICAL 5

/* Receives the library's log records. Runs on the thread that produced the record (any thread
 * that calls into the library); it must not call back into the library. `message` is valid only
 * during the call. */
typedef void (*crm_log_fn)(int32_t level, const char *message, void *user_data);

/* Routes every client's log records at or above min_level to fn (process-wide). Clients whose
 * configuration selects the "callback" sink (the default) use it; NULL fn turns it off.
 * Takes effect for records logged after it returns. */
CRM_API int32_t crm_log_callback_set(crm_log_fn fn, int32_t min_level, void *user_data);

/* ---- clients and sessions ------------------------------------------------------------------ */

typedef struct crm_client crm_client;
typedef struct crm_session crm_session;

/* Validates config_json, opens the database and applies pending migrations (unless
 * "migrations": {"apply": false}). Minimal configuration for the embedded default:
 *   {"database": {"dialect": "sqlite", "path": "/var/lib/erp/crm.db"}}
 * On failure *out is NULL and, if error_message is non-NULL, *error_message receives a message
 * naming the configuration field at fault (free it with crm_string_free). */
CRM_API int32_t crm_client_create(const char *config_json, crm_client **out,
                                  char **error_message);

/* Closes the client's connections. NULL is accepted. Sessions of this client become invalid. */
CRM_API void crm_client_destroy(crm_client *client);

/* Opens a session acting as the host user user_key (UTF-8, 1..128 bytes, no control
 * characters). What the session writes records that user. */
CRM_API int32_t crm_session_open(crm_client *client, const char *user_key, crm_session **out);

/* NULL is accepted. */
CRM_API void crm_session_close(crm_session *session);

/* Runs one JSON request. request_json need not be NUL-terminated (request_len bytes are read).
 * On return *response_json (when response_json is non-NULL) holds the response envelope, also
 * for errors, and *response_len (when non-NULL) its length in bytes; free it with
 * crm_string_free. The return value is CRM_OK or the error code in the envelope. */
CRM_API int32_t crm_call(crm_session *session, const char *request_json, size_t request_len,
                         char **response_json, size_t *response_len);

/* ---- host entry ---------------------------------------------------------------------------- */

/* The versioned function table a host resolves with one symbol lookup. Appended to only;
 * struct_size tells the host which members exist. */
typedef struct crm_plugin_api {
  uint32_t struct_size;
  uint32_t abi_version;
  /* JSON: {"name", "version", "abi_version", "methods": [...]}. Static; never freed. */
  const char *manifest_json;
  const char *(*version_string)(void);
  uint32_t (*version_number)(void);
  const char *(*status_string)(int32_t status);
  void (*string_free)(char *string);
  int32_t (*log_callback_set)(crm_log_fn fn, int32_t min_level, void *user_data);
  int32_t (*client_create)(const char *config_json, crm_client **out, char **error_message);
  void (*client_destroy)(crm_client *client);
  int32_t (*session_open)(crm_client *client, const char *user_key, crm_session **out);
  void (*session_close)(crm_session *session);
  int32_t (*call)(crm_session *session, const char *request_json, size_t request_len,
                  char **response_json, size_t *response_len);
} crm_plugin_api;

/* The host calls this first, with the CRM_ABI_VERSION it was compiled against. Returns CRM_OK
 * and a static table, or CRM_E_ABI_MISMATCH (and *out = NULL) when the library does not
 * implement that ABI version. */
CRM_API int32_t crm_plugin_query(uint32_t host_abi_version, const crm_plugin_api **out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRM_CRM_H */
