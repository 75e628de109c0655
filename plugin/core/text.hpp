// UTF-8 checks and counting: every text that enters the database passes through here.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace crm::text {

// The byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code
// points above U+10FFFF are invalid), or nullopt when the whole text is valid.
std::optional<std::size_t> invalid_utf8_offset(std::string_view text);

// text with every invalid UTF-8 sequence replaced by U+FFFD (for messages that quote caller
// bytes, possibly cut short).
std::string with_valid_utf8(std::string_view text);

// Number of code points in valid UTF-8 text (what VARCHAR(n) counts on every database here).
std::size_t code_points(std::string_view text);

// Whether the text holds a C0 control character other than tab, CR and LF (or DEL).
bool has_control_characters(std::string_view text);

// Longest user key, in bytes (session users, owners, on-behalf-of users).
inline constexpr std::size_t kMaxUserKeyBytes = 128;

// Why text cannot be a user key, or nullopt when it can: a user key is 1..128 bytes of UTF-8
// with no control character at all (tab and line breaks included: keys are written in audit
// columns and logs one per line) and not only spaces.
std::optional<std::string_view> user_key_problem(std::string_view text);

}  // namespace crm::text
