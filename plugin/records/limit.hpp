// A text column's length limit, as every dialect's DDL declares it: tests/unit checks each
// records module's kLimits against the embedded migrations, and the method parameters use the
// same constants, so a value that passes validation always fits its column.
#pragma once

#include <cstddef>

namespace crm::records {

struct Limit {
  const char *column;
  std::size_t chars;
};

}  // namespace crm::records
