// The error every domain failure becomes; the C-ABI layer turns it into the JSON envelope.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

namespace crm {

// Mirrors CRM_OK / CRM_E_* in include/crm/crm.h (checked by a static_assert in plugin/capi).
enum class Status : std::int32_t {
  ok = 0,
  invalid_argument = -1,
  not_found = -2,
  permission_denied = -3,
  conflict = -4,
  database = -5,
  unavailable = -6,
  unsupported = -7,
  internal = -8,
  no_memory = -9,
  invalid_handle = -10,
  abi_mismatch = -11,
};

std::string_view status_name(Status status);

class Error : public std::exception {
 public:
  Error(Status status, std::string message, std::string field = {})
      : status_(status), message_(std::move(message)), field_(std::move(field)) {}
  Status status() const { return status_; }
  const std::string &message() const { return message_; }
  // The request path at fault ("params.items[3].channel"), or empty.
  const std::string &field() const { return field_; }
  const char *what() const noexcept override { return message_.c_str(); }

 private:
  Status status_;
  std::string message_;
  std::string field_;
};

inline Error invalid_argument(std::string field, std::string message) {
  return Error(Status::invalid_argument, std::move(message), std::move(field));
}
inline Error not_found(std::string field, std::string message) {
  return Error(Status::not_found, std::move(message), std::move(field));
}
inline Error conflict(std::string field, std::string message) {
  return Error(Status::conflict, std::move(message), std::move(field));
}

}  // namespace crm
