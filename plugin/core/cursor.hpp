// Opaque keyset-pagination cursors: the sort key of the last row returned, as base64url JSON.
// Callers must treat them as opaque; a tampered or foreign cursor is an invalid_argument.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace crm::cursor {

std::string encode(const nlohmann::json &key);
// The key, or nullopt when the text is not a cursor this library made.
std::optional<nlohmann::json> decode(std::string_view text);

}  // namespace crm::cursor
