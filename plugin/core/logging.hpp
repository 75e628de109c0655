// spdlog, compiled into libcrm with hidden symbols, routed to the host's callback.
#pragma once

#include <cstdint>
#include <memory>

#include "config.hpp"

namespace spdlog {
class logger;
}

namespace crm::logging {

using Callback = void (*)(std::int32_t level, const char *message, void *user_data);

// Process-wide host callback (crm_log_callback_set).
void set_callback(Callback callback, std::int32_t min_level, void *user_data);

// A logger for one client, with the sink its configuration names. Throws crm::Error naming
// log.path when the file cannot be opened.
std::shared_ptr<spdlog::logger> make_logger(const LogConfig &config);

}  // namespace crm::logging
