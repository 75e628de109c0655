// The one way caller text becomes JSON. nlohmann's DOM copies, compares, serialises and frees
// recursively, so a value nested deep enough overflows the host's stack long after parsing:
// the depth is bounded here, while the text is read, before any DOM exists. A repeated key in
// one object is refused rather than silently resolved (the parser would keep the last one).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace crm::json_text {

// Arrays and objects nested deeper than this are refused (the top-level value is depth 1).
// Documented in include/crm/crm.h; every request and configuration fits easily.
inline constexpr std::size_t kMaxDepth = 64;

// Parses text (UTF-8 already checked by the caller) as exactly one JSON value. A NUL byte
// anywhere, trailing text, nesting deeper than kMaxDepth and a key repeated within one object
// are errors. Throws crm::Error(invalid_argument) on `field` with a message that starts with
// `what` ("the request", "the configuration") and says what is wrong and where.
nlohmann::json parse(std::string_view text, std::string_view what, const std::string &field);

}  // namespace crm::json_text
