#include "cursor.hpp"

#include <array>

#include "error.hpp"
#include "json_text.hpp"
#include "text.hpp"

namespace crm::cursor {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kPrefix = "c1.";

std::string base64url(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

std::optional<std::string> unbase64url(std::string_view text) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    value[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : text) {
    if (value[c] < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace

std::string encode(const nlohmann::json &key) {
  return std::string(kPrefix) + base64url(key.dump());
}

std::optional<nlohmann::json> decode(std::string_view text) {
  if (text.size() > 1024 || text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  auto bytes = unbase64url(text.substr(kPrefix.size()));
  if (!bytes) return std::nullopt;
  if (text::invalid_utf8_offset(*bytes)) return std::nullopt;
  try {
    auto key = json_text::parse(*bytes, "the cursor", "cursor");
    if (!key.is_array()) return std::nullopt;
    return key;
  } catch (const Error &) {
    return std::nullopt;
  }
}

}  // namespace crm::cursor
