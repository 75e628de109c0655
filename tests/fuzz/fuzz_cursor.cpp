// crm_fuzz_cursor: the core's decoders of caller text that need no database, linked statically
// (crm_core), each given the whole input:
//  - cursors (cursor::decode): a decoded key encodes to a cursor that decodes to the same key,
//    and encode∘decode is stable;
//  - money (money::parse, problem, format, from_db_text): parse and problem agree; an accepted
//    amount formats to text that parses back to it (format∘parse idempotent), and the database
//    spelling reads the same;
//  - instants (time::parse_iso8601, format_iso8601, to_db_text, from_db_text): an accepted
//    instant formats to text that parses back to it, in both spellings;
//  - UTF-8 (text::invalid_utf8_offset) against this target's own check;
//  - ODBC connection strings (ConnectionAttributes): compose∘parse is stable, and a value set
//    is the value read back;
//  - the client configuration (parse_config) and request parameters (params::validate against
//    the method's schema): they either accept or throw crm::Error, nothing else.
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/cursor.hpp"
#include "core/error.hpp"
#include "core/money.hpp"
#include "core/params.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "dialect_support.hpp"
#include "fuzz_support.hpp"

namespace {

using nlohmann::json;
namespace fuzz = crm::fuzz;

std::string printable(std::string_view text) {
  return json(std::string(text)).dump(-1, ' ', true, json::error_handler_t::replace);
}

void check_cursor(std::string_view input) {
  const auto key = crm::cursor::decode(input);
  if (!key) return;
  if (!key->is_array()) fuzz::fail("cursor::decode gave a key that is not an array", key->dump());
  const std::string cursor = crm::cursor::encode(*key);
  if (cursor.size() > 1024) return;  // too long to decode again, by design
  const auto again = crm::cursor::decode(cursor);
  if (!again)
    fuzz::fail("cursor::decode rejects what cursor::encode made",
               "input " + printable(input) + "\ncursor " + cursor);
  if (again->dump() != key->dump())
    fuzz::fail("cursor::decode(encode(key)) differs from key",
               "input " + printable(input) + "\nkey " + key->dump() + "\nagain " + again->dump());
  if (crm::cursor::encode(*again) != cursor)
    fuzz::fail("cursor::encode(decode(x)) is not stable", "input " + printable(input));
}

void check_money(std::string_view input) {
  std::optional<crm::money::Minor> parsed;
  try {
    parsed = crm::money::parse(input, "amount");
  } catch (const crm::Error &) {
  }
  const auto problem = crm::money::problem(input);
  if (parsed.has_value() == problem.has_value())
    fuzz::fail("money::parse and money::problem disagree", printable(input));
  if (parsed) {
    const std::string text = crm::money::format(*parsed);
    crm::money::Minor again = 0;
    try {
      again = crm::money::parse(text, "amount");
    } catch (const crm::Error &error) {
      fuzz::fail("money::parse rejects what money::format made",
                 printable(input) + " -> " + text + ": " + error.message());
    }
    if (again != *parsed || crm::money::format(again) != text)
      fuzz::fail("money format∘parse is not stable", printable(input) + " -> " + text);
    const auto stored = crm::money::from_db_text(text);
    if (!stored || *stored != *parsed)
      fuzz::fail("money::from_db_text reads money::format's text differently", text);
    const auto direct = crm::money::from_db_text(input);
    if (!direct || *direct != *parsed)
      fuzz::fail("money::from_db_text reads an amount money::parse accepts differently",
                 printable(input));
  }
  if (const auto stored = crm::money::from_db_text(input)) {
    const std::string text = crm::money::format(*stored);
    const auto again = crm::money::from_db_text(text);
    if (!again || *again != *stored)
      fuzz::fail("money::from_db_text(format(x)) differs", printable(input) + " -> " + text);
  }
}

void check_instant(crm::time::Micros instant, std::string_view input, const char *source) {
  const std::string iso = crm::time::format_iso8601(instant);
  const auto again = crm::time::parse_iso8601(iso);
  if (!again || *again != instant)
    fuzz::fail(
        std::string("time::parse_iso8601(format_iso8601(t)) differs from t, t from ") + source,
        printable(input) + " -> " + iso);
  if (crm::time::format_iso8601(*again) != iso)
    fuzz::fail("time format_iso8601∘parse_iso8601 is not stable", iso);
  const std::string stored = crm::time::to_db_text(instant);
  const auto read = crm::time::from_db_text(stored);
  if (!read || *read != instant)
    fuzz::fail(std::string("time::from_db_text(to_db_text(t)) differs from t, t from ") + source,
               printable(input) + " -> " + stored);
}

void check_time(std::string_view input) {
  if (const auto instant = crm::time::parse_iso8601(input))
    check_instant(*instant, input, "parse_iso8601");
  if (const auto instant = crm::time::from_db_text(input))
    check_instant(*instant, input, "from_db_text");
}

void check_text(std::string_view input) {
  const bool valid = !crm::text::invalid_utf8_offset(input).has_value();
  if (valid != fuzz::valid_utf8(input))
    fuzz::fail(valid ? "text::invalid_utf8_offset accepts invalid UTF-8"
                     : "text::invalid_utf8_offset rejects valid UTF-8",
               printable(input));
  if (auto offset = crm::text::invalid_utf8_offset(input)) {
    if (*offset >= input.size() || !fuzz::valid_utf8(input.substr(0, *offset)))
      fuzz::fail("text::invalid_utf8_offset names a wrong offset", printable(input));
  }
}

void check_connection_string(std::string_view input) {
  if (input.find('\0') != std::string_view::npos) return;
  try {
    const auto attributes = crm::db::detail::ConnectionAttributes::parse(input);
    const std::string composed = attributes.compose();
    const auto again = crm::db::detail::ConnectionAttributes::parse(composed);
    if (again.compose() != composed)
      fuzz::fail("ConnectionAttributes compose∘parse is not stable",
                 printable(input) + " -> " + printable(composed));
  } catch (const std::invalid_argument &) {
  }
  // A value (a database path, say) set into a connection string reads back unchanged.
  crm::db::detail::ConnectionAttributes attributes;
  attributes.set("DRIVER", "/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so");
  attributes.set("Database", input);
  attributes.set("Timeout", "5000");
  const std::string composed = attributes.compose();
  std::optional<std::string> read;
  try {
    read = crm::db::detail::ConnectionAttributes::parse(composed).get("Database");
  } catch (const std::invalid_argument &error) {
    fuzz::fail("ConnectionAttributes cannot parse what it composed",
               printable(composed) + ": " + error.what());
  }
  if (read != std::string(input))
    fuzz::fail("ConnectionAttributes reads back a different value than it set",
               printable(input) + " -> " + printable(composed) + " -> " +
                   printable(read.value_or("(none)")));
}

void check_config(std::string_view input) {
  try {
    crm::parse_config(input, crm::registry().section_names());
  } catch (const crm::Error &) {
  } catch (const std::exception &error) {
    fuzz::fail(std::string("parse_config threw something other than crm::Error: ") + error.what(),
               printable(input.substr(0, 600)));
  }
}

void check_params(std::string_view input) {
  json request = json::parse(input, nullptr, false);
  if (request.is_discarded() || !request.is_object()) return;
  auto method_name = request.find("method");
  if (method_name == request.end() || !method_name->is_string()) return;
  const auto *method = crm::registry().find(method_name->get_ref<const std::string &>());
  if (!method) return;
  auto params = request.find("params");
  if (params == request.end()) return;
  try {
    crm::params::validate(*params, method->params, "params");
  } catch (const crm::Error &) {
  } catch (const std::exception &error) {
    fuzz::fail(
        std::string("params::validate threw something other than crm::Error: ") + error.what(),
        printable(input.substr(0, 600)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char *>(data), size);
  check_cursor(input);
  check_money(input);
  check_time(input);
  check_text(input);
  check_connection_string(input);
  check_config(input);
  check_params(input);
  return 0;
}
