#include "money.hpp"

#include <limits>

#include "error.hpp"

namespace crm::money {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Accumulates decimal digits into an unsigned magnitude; false when it exceeds `limit`.
bool accumulate(std::uint64_t &magnitude, char digit, std::uint64_t limit) {
  const auto d = static_cast<std::uint64_t>(digit - '0');
  if (magnitude > (limit - d) / 10) return false;
  magnitude = magnitude * 10 + d;
  return true;
}

constexpr std::uint64_t kMaxPositive = static_cast<std::uint64_t>(INT64_MAX);
constexpr std::uint64_t kMaxNegative = kMaxPositive + 1;  // |INT64_MIN|

Minor signed_value(std::uint64_t magnitude, bool negative) {
  if (!negative) return static_cast<Minor>(magnitude);
  if (magnitude == kMaxNegative) return std::numeric_limits<Minor>::min();
  return -static_cast<Minor>(magnitude);
}

// Parses the caller's text; on failure stores the reason.
std::optional<Minor> parse_text(std::string_view text, std::string &reason) {
  if (text.empty()) {
    reason = "must not be empty";
    return std::nullopt;
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      reason = "must use ASCII digits 0-9 only";
      return std::nullopt;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      reason = "must not contain spaces";
      return std::nullopt;
    }
    if (c == 'e' || c == 'E') {
      reason = "must not use an exponent";
      return std::nullopt;
    }
    if (c == '+') {
      reason = "must not have a '+' sign";
      return std::nullopt;
    }
  }
  std::size_t i = 0;
  const bool negative = text[0] == '-';
  if (negative) ++i;
  const std::uint64_t limit = negative ? kMaxNegative : kMaxPositive;
  if (i < text.size() && text[i] == '.') {
    reason = "needs a digit before the decimal point";
    return std::nullopt;
  }
  std::uint64_t magnitude = 0;
  std::size_t integer_digits = 0;
  for (; i < text.size() && is_digit(text[i]); ++i, ++integer_digits)
    if (!accumulate(magnitude, text[i], limit)) {
      reason = "is out of range";
      return std::nullopt;
    }
  if (integer_digits == 0) {
    reason = "is not a decimal number";
    return std::nullopt;
  }
  std::size_t decimals = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && is_digit(text[i]); ++i, ++decimals)
      if (decimals >= static_cast<std::size_t>(kScale)) {
        reason = "has more than 2 decimals";
        return std::nullopt;
      } else if (!accumulate(magnitude, text[i], limit)) {
        reason = "is out of range";
        return std::nullopt;
      }
    if (decimals == 0 && i == text.size()) {
      reason = "must not end with a decimal point";
      return std::nullopt;
    }
  }
  if (i != text.size()) {
    reason = "is not a decimal number (unexpected '" + std::string(1, text[i]) + "')";
    return std::nullopt;
  }
  for (; decimals < static_cast<std::size_t>(kScale); ++decimals)
    if (!accumulate(magnitude, '0', limit)) {
      reason = "is out of range";
      return std::nullopt;
    }
  return signed_value(magnitude, negative);
}

}  // namespace

std::optional<std::string> problem(std::string_view text) {
  std::string reason;
  if (parse_text(text, reason)) return std::nullopt;
  return reason;
}

Minor parse(std::string_view text, const std::string &field) {
  std::string reason;
  auto value = parse_text(text, reason);
  if (!value)
    throw invalid_argument(field, field + " " + reason +
                                      ": an amount is a decimal string with at most 2 "
                                      "decimals, e.g. \"12345.67\"");
  return *value;
}

std::string format(Minor minor) {
  const bool negative = minor < 0;
  std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(minor + 1)) + 1 : static_cast<std::uint64_t>(minor);
  const std::uint64_t units = magnitude / 100;
  const std::uint64_t cents = magnitude % 100;
  std::string out = negative ? "-" : "";
  out += std::to_string(units);
  out += '.';
  out += static_cast<char>('0' + cents / 10);
  out += static_cast<char>('0' + cents % 10);
  return out;
}

std::optional<Minor> from_db_text(std::string_view text) {
  std::size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++i;
  const std::uint64_t limit = negative ? kMaxNegative : kMaxPositive;
  std::uint64_t magnitude = 0;
  std::size_t digits = 0;
  for (; i < text.size() && is_digit(text[i]); ++i, ++digits)
    if (!accumulate(magnitude, text[i], limit)) return std::nullopt;
  std::size_t decimals = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && is_digit(text[i]); ++i, ++decimals, ++digits) {
      if (decimals >= static_cast<std::size_t>(kScale)) {
        if (text[i] != '0') return std::nullopt;  // a fraction of a minor unit
        continue;
      }
      if (!accumulate(magnitude, text[i], limit)) return std::nullopt;
    }
  }
  if (digits == 0 || i != text.size()) return std::nullopt;
  for (; decimals < static_cast<std::size_t>(kScale); ++decimals)
    if (!accumulate(magnitude, '0', limit)) return std::nullopt;
  return signed_value(magnitude, negative);
}

std::optional<Minor> add(Minor a, Minor b) {
  Minor sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

std::optional<Minor> percent_of(Minor amount, std::int64_t percent) {
  const __int128 product = static_cast<__int128>(amount) * percent;
  const __int128 magnitude = product < 0 ? -product : product;
  __int128 rounded = (magnitude + 50) / 100;
  if (product < 0) rounded = -rounded;
  if (rounded > INT64_MAX || rounded < INT64_MIN) return std::nullopt;
  return static_cast<Minor>(rounded);
}

}  // namespace crm::money
