#include "error.hpp"

namespace crm {

std::string_view status_name(Status status) {
  switch (status) {
    case Status::ok:
      return "ok";
    case Status::invalid_argument:
      return "invalid_argument";
    case Status::not_found:
      return "not_found";
    case Status::permission_denied:
      return "permission_denied";
    case Status::conflict:
      return "conflict";
    case Status::database:
      return "database";
    case Status::unavailable:
      return "unavailable";
    case Status::unsupported:
      return "unsupported";
    case Status::internal:
      return "internal";
    case Status::no_memory:
      return "no_memory";
    case Status::invalid_handle:
      return "invalid_handle";
    case Status::abi_mismatch:
      return "abi_mismatch";
  }
  return "unknown";
}

}  // namespace crm
