// check_response: the crm_call envelope, read without building a document.
#include <crm/crm.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

namespace crm::fuzz {

namespace {

using nlohmann::json;

// Reads the envelope without building a document (a response may nest deeply): the members of
// the top-level object and of its "error" object.
class EnvelopeReader : public nlohmann::json_sax<json> {
 public:
  bool root_object = false;
  std::optional<bool> ok;
  bool has_result = false;
  bool has_error = false;
  bool error_object = false;
  std::optional<std::int64_t> code;
  std::optional<std::string> name;
  std::optional<std::string> message;
  std::string problem;  // a duplicate or unexpected member

  bool null() override { return member_value(); }
  bool boolean(bool value) override {
    if (at_top("ok")) ok = value;
    return member_value();
  }
  bool number_integer(number_integer_t value) override {
    if (at_error("code")) code = value;
    return member_value();
  }
  bool number_unsigned(number_unsigned_t value) override {
    if (at_error("code") && value <= static_cast<number_unsigned_t>(INT64_MAX))
      code = static_cast<std::int64_t>(value);
    return member_value();
  }
  bool number_float(number_float_t, const string_t &) override { return member_value(); }
  bool string(string_t &value) override {
    if (at_error("name")) name = value;
    if (at_error("message")) message = value;
    if (problem.empty() && in_result_object() && time_member(stack_.back().key) &&
        !utc_instant(value))
      problem = "result member \"" + stack_.back().key + "\" is not an ISO 8601 UTC time: \"" +
                value.substr(0, 64) + "\"";
    return member_value();
  }
  bool binary(binary_t &) override { return member_value(); }
  bool start_object(std::size_t) override {
    if (stack_.empty()) root_object = true;
    if (at_top("error")) error_object = true;
    member_value();
    stack_.push_back({true, {}, {}});
    return true;
  }
  bool key(string_t &value) override {
    auto &level = stack_.back();
    if (stack_.size() <= 2 && !level.seen.insert(value).second)
      problem = "duplicate member \"" + value + "\"";
    level.key = value;
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    member_value();
    stack_.push_back({false, {}, {}});
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string &,
                   const nlohmann::detail::exception &error) override {
    problem = "not valid JSON at byte " + std::to_string(position) + ": " + error.what();
    return false;
  }

 private:
  struct Level {
    bool object;
    std::string key;
    std::set<std::string> seen;
  };
  std::vector<Level> stack_;

  // Inside an object of the result, but not in what callers stored as they wrote it
  // (customers' "attributes" may hold any members, "..._at" ones too).
  bool in_result_object() const {
    if (stack_.size() < 2 || stack_[0].key != "result" || !stack_.back().object) return false;
    for (std::size_t i = 0; i + 1 < stack_.size(); ++i)
      if (stack_[i].object && stack_[i].key == "attributes") return false;
    return true;
  }
  // Members that hold instants: the API returns them as ISO 8601 in UTC ("...Z").
  static bool time_member(const std::string &key) {
    return key == "at" || key == "as_of" || key == "since" ||
           (key.size() > 3 && key.compare(key.size() - 3, 3, "_at") == 0);
  }
  // "YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z" with a possible date and time of day.
  static bool utc_instant(const std::string &text) {
    auto digits = [&](std::size_t at, std::size_t count) {
      if (at + count > text.size()) return false;
      for (std::size_t i = at; i < at + count; ++i)
        if (text[i] < '0' || text[i] > '9') return false;
      return true;
    };
    auto number = [&](std::size_t at, std::size_t count) {
      return std::stoi(text.substr(at, count));
    };
    if (!digits(0, 4) || text.size() < 20 || text[4] != '-' || !digits(5, 2) || text[7] != '-' ||
        !digits(8, 2) || text[10] != 'T' || !digits(11, 2) || text[13] != ':' || !digits(14, 2) ||
        text[16] != ':' || !digits(17, 2))
      return false;
    std::size_t end = 19;
    if (text[end] == '.') {
      std::size_t fraction = 0;
      while (digits(end + 1 + fraction, 1)) ++fraction;
      if (fraction == 0 || fraction > 6) return false;
      end += 1 + fraction;
    }
    if (end + 1 != text.size() || text[end] != 'Z') return false;
    const int month = number(5, 2), day = number(8, 2);
    return number(0, 4) >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
           number(11, 2) <= 23 && number(14, 2) <= 59 && number(17, 2) <= 59;
  }
  bool at_top(const char *member) const { return stack_.size() == 1 && stack_[0].key == member; }
  bool at_error(const char *member) const {
    return stack_.size() == 2 && stack_[0].key == "error" && stack_[1].object &&
           stack_[1].key == member;
  }
  // Notes which top-level members hold values (called for every value, before containers open).
  bool member_value() {
    if (stack_.size() == 1) {
      const auto &member = stack_[0].key;
      if (member == "result")
        has_result = true;
      else if (member == "error")
        has_error = true;
      else if (member != "ok")
        problem = "unexpected member \"" + member + "\"";
    }
    return true;
  }
};

}  // namespace

void check_response(std::int32_t status, const char *response, std::size_t response_len,
                    std::string_view request) {
  auto failure = [&](const std::string &what) {
    std::string detail = "status " + std::to_string(status) + " (" + crm_status_string(status) +
                         ")\nrequest: " + std::string(request.substr(0, 600)) + "\nresponse: ";
    if (response) detail += std::string(response, std::min<std::size_t>(response_len, 1200));
    fail(what, detail);
  };
  if (!response) failure("crm_call returned no response envelope");
  if (response[response_len] != '\0' || std::strlen(response) != response_len)
    failure("response_len is not the length of the NUL-terminated response");
  const std::string_view body(response, response_len);
  if (!valid_utf8(body)) failure("the response is not valid UTF-8");
  EnvelopeReader reader;
  const bool parsed = json::sax_parse(body, &reader, json::input_format_t::json, true);
  if (!parsed) failure("the response is not valid JSON: " + reader.problem);
  if (!reader.problem.empty()) failure("malformed envelope: " + reader.problem);
  if (!reader.root_object || !reader.ok) failure("the response is not an object with \"ok\"");
  if (status == CRM_E_INTERNAL) failure("crm_call returned CRM_E_INTERNAL");
  if (status == CRM_E_NO_MEMORY) failure("crm_call returned CRM_E_NO_MEMORY");
  if (status > CRM_OK || status < CRM_E_ABI_MISMATCH)
    failure("crm_call returned an unknown status");
  if (status == CRM_OK) {
    if (!*reader.ok || !reader.has_result || reader.has_error)
      failure("status CRM_OK without {\"ok\":true,\"result\":...}");
    return;
  }
  if (*reader.ok || reader.has_result || !reader.has_error || !reader.error_object)
    failure("an error status without {\"ok\":false,\"error\":{...}}");
  if (!reader.code || *reader.code != status) failure("error.code differs from the return value");
  if (!reader.name || *reader.name != crm_status_string(status))
    failure("error.name differs from crm_status_string(code)");
  if (!reader.message || reader.message->empty()) failure("error.message is missing or empty");
}

}  // namespace crm::fuzz
