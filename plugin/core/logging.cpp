#include "logging.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <shared_mutex>
#include <string>

#include "error.hpp"

namespace crm::logging {

namespace {

// Records reach the callback under a shared lock and set_callback changes it under the exclusive
// one, so when set_callback returns no record is still inside the previous callback: the host
// may free its user_data at once.
struct CallbackState {
  std::shared_mutex mutex;
  Callback callback = nullptr;  // at most one of the two is set
  RecordCallback record_callback = nullptr;
  std::int32_t min_level = 0;
  void *user_data = nullptr;
};

CallbackState &callback_state() {
  static CallbackState state;
  return state;
}

class CallbackSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit CallbackSink(crm_client *client) : client_(client) {}

 protected:
  void sink_it_(const spdlog::details::log_msg &message) override {
    auto &state = callback_state();
    std::shared_lock lock(state.mutex);
    const auto level = static_cast<std::int32_t>(message.level);
    if ((!state.callback && !state.record_callback) || level < state.min_level) return;
    std::string text(message.payload.data(), message.payload.size());
    if (state.record_callback) {
      std::string logger(message.logger_name.data(), message.logger_name.size());
      state.record_callback(level, logger.c_str(), client_, text.c_str(), state.user_data);
    } else {
      state.callback(level, text.c_str(), state.user_data);
    }
  }
  void flush_() override {}

 private:
  crm_client *client_;
};

}  // namespace

void set_callback(Callback callback, std::int32_t min_level, void *user_data) {
  auto &state = callback_state();
  std::unique_lock lock(state.mutex);
  state.callback = callback;
  state.record_callback = nullptr;
  state.min_level = min_level;
  state.user_data = user_data;
}

void set_record_callback(RecordCallback callback, std::int32_t min_level, void *user_data) {
  auto &state = callback_state();
  std::unique_lock lock(state.mutex);
  state.callback = nullptr;
  state.record_callback = callback;
  state.min_level = min_level;
  state.user_data = user_data;
}

std::shared_ptr<spdlog::logger> make_logger(const LogConfig &config, crm_client *client) {
  spdlog::sink_ptr sink;
  if (config.sink == "callback") {
    sink = std::make_shared<CallbackSink>(client);
  } else if (config.sink == "stderr") {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else if (config.sink == "file") {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(*config.path);
    } catch (const spdlog::spdlog_ex &error) {
      throw invalid_argument("log.path", "cannot open log.path: " + std::string(error.what()));
    }
  }
  auto logger = sink ? std::make_shared<spdlog::logger>("crm", sink)
                     : std::make_shared<spdlog::logger>("crm");
  logger->set_level(spdlog::level::from_str(config.level));
  return logger;
}

}  // namespace crm::logging
