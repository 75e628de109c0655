// What the fuzz targets share: failing loudly, strict UTF-8, the response envelope check, and
// scratch folders in the temporary directory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace crm::fuzz {

// Prints "crm_fuzz: <what>" and up to 2000 bytes of detail to stderr, then aborts (libFuzzer
// reports the abort as a crash and saves the input).
[[noreturn]] void fail(std::string_view what, std::string_view detail = {});

// Whether text is well-formed UTF-8 (no overlong forms, surrogates or code points above
// U+10FFFF). Written here independently of the library's own check.
bool valid_utf8(std::string_view text);

// Checks one crm_call result: the envelope is a JSON object in valid UTF-8 of exactly
// response_len bytes; {"ok":true,"result":...} when status is CRM_OK, otherwise
// {"ok":false,"error":{"code":status,"name":crm_status_string(status),"message":"..."}};
// status is a known code and neither CRM_E_INTERNAL nor CRM_E_NO_MEMORY; every string the
// result holds under a time member ("at", "as_of", "since", "..._at") is an ISO 8601 instant
// in UTC, as the API promises. Fails otherwise.
void check_response(std::int32_t status, const char *response, std::size_t response_len,
                    std::string_view request);

// A new folder $TMPDIR/<prefix>XXXXXX (TMPDIR defaults to /tmp); fails when it cannot.
// The "calendars" section both the fuzzed client and the corpus use: a Beijing office week with
// holidays and make-up days, and a New York night shift.
const char *calendars_section_json();

std::string make_temp_dir(const std::string &prefix);
// Removes everything in folder except the entries named in keep (names, not paths).
void clear_folder(const std::string &folder, std::initializer_list<std::string_view> keep);
// Removes a folder and everything in it; errors are ignored.
void remove_tree(const std::string &folder);
// Copies a file over another one; fails when it cannot.
void copy_file(const std::string &from, const std::string &to);
// The size of a file in bytes, 0 when it does not exist.
std::uint64_t file_size(const std::string &path);

}  // namespace crm::fuzz
