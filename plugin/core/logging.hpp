// spdlog, compiled into libcrm with hidden symbols, routed to the host's callback.
#pragma once

#include <cstdint>
#include <memory>

#include "config.hpp"

namespace spdlog {
class logger;
}

// The client handle of the C ABI, opaque here: records carry the one of their client.
struct crm_client;

namespace crm::logging {

using Callback = void (*)(std::int32_t level, const char *message, void *user_data);
using RecordCallback = void (*)(std::int32_t level, const char *logger, crm_client *client,
                                const char *message, void *user_data);

// The process-wide host callback: crm_log_callback_set or crm_log_record_callback_set; setting
// one replaces the other.
void set_callback(Callback callback, std::int32_t min_level, void *user_data);
void set_record_callback(RecordCallback callback, std::int32_t min_level, void *user_data);

// A logger for one client (`client`, the handle its records carry), with the sink its
// configuration names. Throws crm::Error naming log.path when the file cannot be opened.
std::shared_ptr<spdlog::logger> make_logger(const LogConfig &config, crm_client *client = nullptr);

}  // namespace crm::logging
