/* Compiled by ctest abi.c99_header with -std=c99 -pedantic -Werror: crm.h must stay usable from
 * strict C99 hosts. Included first so the header proves it is self-contained. */
#include <crm/crm.h>

/* C99 has no _Static_assert; an array of negative size is the portable compile-time check. */
#define CRM_FROZEN(name, condition) typedef char crm_frozen_##name[(condition) ? 1 : -1]

/* The constants are compiled into hosts and are invisible to abidiff (macros leave no DWARF),
 * so their values are pinned here. Status codes are never renumbered. */
CRM_FROZEN(ok, CRM_OK == 0);
CRM_FROZEN(invalid_argument, CRM_E_INVALID_ARGUMENT == -1);
CRM_FROZEN(not_found, CRM_E_NOT_FOUND == -2);
CRM_FROZEN(permission_denied, CRM_E_PERMISSION_DENIED == -3);
CRM_FROZEN(conflict, CRM_E_CONFLICT == -4);
CRM_FROZEN(database, CRM_E_DATABASE == -5);
CRM_FROZEN(unavailable, CRM_E_UNAVAILABLE == -6);
CRM_FROZEN(unsupported, CRM_E_UNSUPPORTED == -7);
CRM_FROZEN(internal, CRM_E_INTERNAL == -8);
CRM_FROZEN(no_memory, CRM_E_NO_MEMORY == -9);
CRM_FROZEN(invalid_handle, CRM_E_INVALID_HANDLE == -10);
CRM_FROZEN(abi_mismatch, CRM_E_ABI_MISMATCH == -11);

CRM_FROZEN(log_trace, CRM_LOG_TRACE == 0);
CRM_FROZEN(log_debug, CRM_LOG_DEBUG == 1);
CRM_FROZEN(log_info, CRM_LOG_INFO == 2);
CRM_FROZEN(log_warn, CRM_LOG_WARN == 3);
CRM_FROZEN(log_error, CRM_LOG_ERROR == 4);
CRM_FROZEN(log_critical, CRM_LOG_CRITICAL == 5);

CRM_FROZEN(version_number, CRM_VERSION_NUMBER == CRM_VERSION_MAJOR * 1000000 +
                                                     CRM_VERSION_MINOR * 1000 + CRM_VERSION_PATCH);

/* The function table starts with its size and version so that any host can read those two
 * members whatever else changes. */
CRM_FROZEN(table_struct_size, offsetof(crm_plugin_api, struct_size) == 0);
CRM_FROZEN(table_abi_version, offsetof(crm_plugin_api, abi_version) == 4);

/* Every declaration must be usable from C: take the address of each function through the
 * table type, which also checks the table's member types against the prototypes. Designated
 * initializers, so that appending a member (a compatible change) does not break this file. */
const crm_plugin_api *crm_c99_table(void);
const crm_plugin_api *crm_c99_table(void) {
  static const crm_plugin_api table = {
      .struct_size = sizeof(crm_plugin_api),
      .abi_version = CRM_ABI_VERSION,
      .manifest_json = "{}",
      .version_string = crm_version_string,
      .version_number = crm_version_number,
      .status_string = crm_status_string,
      .string_free = crm_string_free,
      .log_callback_set = crm_log_callback_set,
      .client_create = crm_client_create,
      .client_destroy = crm_client_destroy,
      .session_open = crm_session_open,
      .session_close = crm_session_close,
      .call = crm_call,
  };
  return &table;
}

/* crm_abi_version and crm_plugin_query are not in the table. */
uint32_t (*const crm_c99_abi_version)(void) = crm_abi_version;
int32_t (*const crm_c99_plugin_query)(uint32_t, const crm_plugin_api **) = crm_plugin_query;
