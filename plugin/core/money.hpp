// Exact money: amounts travel in JSON as decimal strings ("12345.67", "-0.50", "100") and are
// stored as 64-bit integers of minor units (scale 2: fen, cents). No binary floating point
// anywhere: parsing, formatting and arithmetic are integer only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "params.hpp"

namespace crm::money {

using Minor = std::int64_t;

inline constexpr int kScale = 2;

// A caller's decimal string: optional '-', ASCII digits, optionally '.' and one or two digits.
// Rejects more than 2 decimals, exponents, spaces, '+', leading or trailing dots, empty text,
// non-ASCII digits and values outside int64 after scaling; throws crm::Error
// (invalid_argument) naming `field`.
Minor parse(std::string_view text, const std::string &field);
// The same check without throwing: the reason, or nullopt when text is a valid amount.
std::optional<std::string> problem(std::string_view text);

// Minor units as a decimal string with exactly two decimals: 1234567 → "12345.67",
// -5 → "-0.05", 0 → "0.00".
std::string format(Minor minor);

// Decimal text as drivers return it: PostgreSQL numeric "1234.5000", MariaDB DECIMAL "1234.50",
// SQLite "1234.5", "1234.0" or an integer. Digits beyond scale 2 must be zeros. nullopt when
// the text is not such a number or does not fit.
std::optional<Minor> from_db_text(std::string_view text);

// Overflow-checked arithmetic; nullopt when the result leaves int64.
std::optional<Minor> add(Minor a, Minor b);
// amount × percent / 100, rounded half away from zero to the minor unit, exactly (128-bit
// intermediate). percent is 0..100 in practice but any int64 works; nullopt on overflow.
std::optional<Minor> percent_of(Minor amount, std::int64_t percent);

// A money parameter: a string of at most 24 characters for params::validate and
// system.describe (pattern published); the value itself is checked with parse() in the handler.
inline params::Field field(std::string name, std::string description) {
  return params::Field::string(
      std::move(name), 24,
      std::move(description) + " (decimal string, at most 2 decimals, e.g. \"12345.67\")");
}

}  // namespace crm::money
