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
 *     library keeps a registry of live handles and never dereferences an unknown pointer). A
 *     handle's value is never handed out again once it is closed or destroyed: a stale handle
 *     stays invalid for the life of the process and never comes to mean another client or
 *     another user's session.
 *   - JSON text passed in (configurations, requests) is one JSON value and nothing else: no NUL
 *     byte and no trailing text, valid UTF-8, arrays and objects nested at most 64 levels (the
 *     outermost object is level 1), and no key twice in one object. Anything else is
 *     CRM_E_INVALID_ARGUMENT with a message saying what is wrong, before anything runs.
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
 *     per thread that works concurrently. Destroying a client ends its sessions: they become
 *     invalid handles (closing one afterwards is a harmless no-op), and a call already running
 *     on one of them finishes normally.
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

#if defined(_WIN32) && defined(CRM_BUILDING_LIBRARY)
#define CRM_API __declspec(dllexport)
#elif defined(_WIN32)
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
#define CRM_VERSION_MINOR 2
#define CRM_VERSION_PATCH 0
#define CRM_VERSION_STRING "1.2.0"
/* MAJOR * 1000000 + MINOR * 1000 + PATCH */
#define CRM_VERSION_NUMBER 1002000
/* Bumped only on an incompatible change of this header; the SONAME is libcrm.so.<ABI>. */
#define CRM_ABI_VERSION 1

/* The version of the library actually loaded (which may be newer than the header a host was
 * compiled with): "1.2.0", CRM_VERSION_NUMBER's encoding, and the ABI major version. They never
 * fail, need no initialisation, and the string is static. */
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
 * Takes effect for records logged after it returns, and it returns only once no record is still
 * inside the previous callback: from then on the previous fn is never called again and its
 * user_data may be freed. (So fn must not call crm_log_callback_set itself.)
 * Returns CRM_OK, or CRM_E_INVALID_ARGUMENT when min_level is not CRM_LOG_TRACE..CRM_LOG_CRITICAL
 * + 1 (the latter: nothing). */
CRM_API int32_t crm_log_callback_set(crm_log_fn fn, int32_t min_level, void *user_data);

struct crm_client;

/* Receives a log record with where it comes from: `logger` names the library's logger that
 * wrote it ("crm"), and `client` is the client whose work logged it, the handle
 * crm_client_create gives (records logged while that call runs carry it already), or NULL for a
 * record of no client. `logger` and `message` are valid only during the call; otherwise as
 * crm_log_fn. */
typedef void (*crm_log_record_fn)(int32_t level, const char *logger, struct crm_client *client,
                                  const char *message, void *user_data);

/* As crm_log_callback_set, for a crm_log_record_fn. Since 1.1.0 (crm_version_number() >= 1001000)
 * and not in crm_plugin_api: a host that loads the library looks it up by name (and finds it
 * missing in a library older than it). The two set the same process-wide callback: each
 * replaces the other. */
CRM_API int32_t crm_log_record_callback_set(crm_log_record_fn fn, int32_t min_level,
                                            void *user_data);

/* ---- clients and sessions ------------------------------------------------------------------ */

typedef struct crm_client crm_client;
typedef struct crm_session crm_session;

/* Validates config_json, opens the database and applies pending migrations (unless
 * "migrations": {"apply": false}). Minimal configuration for the embedded default:
 *   {"database": {"dialect": "sqlite", "path": "/var/lib/erp/crm.db"}}
 * "database.path" is a file name and nothing else: an existing SQLite database, an empty file,
 * or a new file in an existing folder. Spaces, "=", braces and any UTF-8 are fine; a ";" (which
 * the SQLite ODBC driver would read as the start of another driver option), control characters,
 * a leading "{" and leading or trailing spaces are refused, as are folders and files that are
 * not SQLite databases, each with a message naming database.path. Host queries ("host.*.query")
 * hold at most 12 "{" (ODBC escapes) on SQLite, whose driver parses them in exponential time.
 * It blocks while it connects and applies migrations: on a server database for the connect
 * (pool.acquire_timeout_ms at most), and while another process migrates the same database.
 * On failure *out is NULL and, if error_message is non-NULL, *error_message receives a message
 * naming the configuration field at fault (valid UTF-8; free it with crm_string_free).
 * Returns CRM_OK; CRM_E_INVALID_ARGUMENT (out or config_json NULL, a malformed or wrong
 * configuration, a host mapping that does not match the database); CRM_E_UNSUPPORTED (a dialect
 * this build lacks, a database schema newer than the library, or an outdated one with
 * migrations off); CRM_E_UNAVAILABLE (the database or its ODBC driver cannot be reached);
 * CRM_E_DATABASE (the database refused a migration); CRM_E_NO_MEMORY. */
CRM_API int32_t crm_client_create(const char *config_json, crm_client **out, char **error_message);

/* Closes the client's connections. NULL is accepted. Sessions of this client become invalid. */
CRM_API void crm_client_destroy(crm_client *client);

/* Opens a session acting as the host user user_key (UTF-8, 1..128 bytes, not only spaces, and
 * no control character at all: no tab or line break either). What the session writes records
 * that user. The same rules hold for every user key inside requests (owner, on_behalf_of).
 * The host authenticates; the plugin trusts user_key as the signed-in user and authorises from
 * it: the user must be an active CRM user (user.create, users.sync) or one of the configuration's
 * organisation.bootstrap_admins, and every call checks that again (a user deactivated meanwhile
 * is refused from the next call on). What the session sees and may do follows the user's roles.
 * Returns CRM_OK; CRM_E_INVALID_ARGUMENT (out or user_key NULL, or user_key breaking the rules);
 * CRM_E_INVALID_HANDLE (client NULL, destroyed or foreign); CRM_E_PERMISSION_DENIED (an unknown
 * or inactive user; crm_session_open_ex says which); CRM_E_UNAVAILABLE or CRM_E_DATABASE (the
 * user could not be looked up); CRM_E_NO_MEMORY. */
CRM_API int32_t crm_session_open(crm_client *client, const char *user_key, crm_session **out);

/* As crm_session_open; on failure, if error_json is non-NULL, *error_json receives the error
 * envelope of crm_call ({"ok": false, "error": {code, name, message, field}}) saying why, e.g.
 * "unknown user" or "inactive user" (free it with crm_string_free; NULL on success). Since 1.2.0
 * (crm_version_number() >= 1002000) and not in crm_plugin_api, as crm_log_record_callback_set. */
CRM_API int32_t crm_session_open_ex(crm_client *client, const char *user_key, crm_session **out,
                                    char **error_json);

/* NULL is accepted. */
CRM_API void crm_session_close(crm_session *session);

/* Runs one JSON request. request_json need not be NUL-terminated (request_len bytes are read,
 * and a NUL among them is an error). On return *response_json (when response_json is non-NULL)
 * holds the response envelope, also for errors, NUL-terminated, and *response_len (when
 * non-NULL) its length in bytes without the NUL; free it with crm_string_free. With
 * response_json NULL the request still runs (and its writes are committed); only the response
 * is not returned. The return value is CRM_OK or the error code in the envelope: any CRM_E_*
 * a method can give (system.describe lists the methods), CRM_E_INVALID_HANDLE (session NULL,
 * closed or foreign) and CRM_E_INVALID_ARGUMENT (request_json NULL, a malformed request) among
 * them. The one exception: CRM_E_NO_MEMORY may come with *response_json NULL, when even the
 * envelope could not be allocated. */
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
 * and a static table, CRM_E_ABI_MISMATCH (and *out = NULL) when the library does not
 * implement that ABI version, or CRM_E_INVALID_ARGUMENT when out is NULL. */
CRM_API int32_t crm_plugin_query(uint32_t host_abi_version, const crm_plugin_api **out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRM_CRM_H */
