#include "fuzz_support.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace crm::fuzz {

void fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "\ncrm_fuzz: %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty()) {
    const auto shown = std::min<std::size_t>(detail.size(), 2000);
    std::fprintf(stderr, "%.*s%s\n", static_cast<int>(shown), detail.data(),
                 shown < detail.size() ? " ..." : "");
  }
  std::fflush(stderr);
  std::abort();
}

bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    std::uint32_t code;
    if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
      code = byte & 0x1F;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      code = byte & 0x0F;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      code = byte & 0x07;
    } else {
      return false;  // a continuation byte first, C0/C1 (overlong), or F5..FF
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000)) return false;
    if (code >= 0xD800 && code <= 0xDFFF) return false;
    if (code > 0x10FFFF) return false;
    i += length;
  }
  return true;
}

std::string make_temp_dir(const std::string &prefix) {
  const char *base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/" + prefix + "XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) fail("cannot create a temporary folder", pattern);
  return buffer.data();
}

void clear_folder(const std::string &folder, std::initializer_list<std::string_view> keep) {
  std::error_code error;
  for (std::filesystem::directory_iterator it(folder, error), end; !error && it != end;
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    bool kept = false;
    for (auto wanted : keep) kept = kept || name == wanted;
    if (!kept) {
      std::error_code ignored;
      std::filesystem::remove_all(it->path(), ignored);
    }
  }
}

void remove_tree(const std::string &folder) {
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
}

void copy_file(const std::string &from, const std::string &to) {
  std::error_code error;
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, error);
  if (error) fail("cannot copy " + from + " to " + to, error.message());
}

std::uint64_t file_size(const std::string &path) {
  std::error_code error;
  auto size = std::filesystem::file_size(path, error);
  return error ? 0 : size;
}

const char *calendars_section_json() {
  return R"({
  "default": "beijing",
  "teams": {"marketing": "beijing", "east": "new-york"},
  "definitions": {
    "beijing": {
      "time_zone": "Asia/Shanghai",
      "week": {"monday": ["09:00-12:00", "13:00-18:00"], "tuesday": ["09:00-12:00", "13:00-18:00"],
               "wednesday": ["09:00-12:00", "13:00-18:00"],
               "thursday": ["09:00-12:00", "13:00-18:00"], "friday": ["09:00-12:00", "13:00-18:00"]},
      "holidays": ["2026-10-01..2026-10-07", "2027-01-01"],
      "working_days": {"2026-09-27": "monday", "2026-10-10": ["10:00-16:00"]}},
    "new-york": {"time_zone": "America/New_York", "week": {"monday": ["22:00-06:00"]}}}})";
}

}  // namespace crm::fuzz
