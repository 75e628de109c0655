// Instants as microseconds since the Unix epoch, UTC. The API speaks ISO 8601 with an offset;
// the databases store UTC as "YYYY-MM-DD HH:MM:SS.ffffff" (fixed width, so text order is time
// order in SQLite, and PostgreSQL/MariaDB parse it into their timestamp types).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crm::time {

using Micros = std::int64_t;

// "2026-11-27T10:44:05+08:00", "2026-11-27T02:44:05.5Z" ... A date-time with seconds and an
// offset (Z or ±HH:MM) is required; years 1000..9999. nullopt when malformed.
std::optional<Micros> parse_iso8601(std::string_view text);
// "2026-11-27T02:44:05Z", with ".ffffff" when the microseconds are not zero.
std::string format_iso8601(Micros instant);

std::string to_db_text(Micros instant);
// Accepts the database's spellings: 'T' or ' ' between date and time, 0..9 fraction digits,
// an optional trailing Z or +00/+00:00.
std::optional<Micros> from_db_text(std::string_view text);

Micros now();

}  // namespace crm::time
