#include "json_text.hpp"

#include <optional>
#include <vector>

#include "error.hpp"
#include "text.hpp"

namespace crm::json_text {

namespace {

using nlohmann::json;

// Builds the DOM from nlohmann's SAX events, refusing depth and repeated keys as they come.
class Builder {
 public:
  explicit Builder(json &root) : root_(root) {}

  bool null() { return value(nullptr); }
  bool boolean(bool v) { return value(v); }
  bool number_integer(json::number_integer_t v) { return value(v); }
  bool number_unsigned(json::number_unsigned_t v) { return value(v); }
  bool number_float(json::number_float_t v, const json::string_t &) { return value(v); }
  bool string(json::string_t &v) { return value(std::move(v)); }
  bool binary(json::binary_t &) { return fail("binary values are not JSON"); }

  bool start_object(std::size_t) { return open(json::value_t::object); }
  bool key(json::string_t &name) {
    if (stack_.back()->contains(name))
      return fail("the key \"" + name.substr(0, 64) + "\" appears twice in one object");
    key_ = std::move(name);
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(json::value_t::array); }
  bool end_array() { return close(); }

  bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &error) {
    // "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error while
    // parsing value - invalid literal; last read: '...'; expected ..." The quoted caller bytes
    // are dropped: they may end inside a UTF-8 sequence, and the position says where.
    std::string_view message = error.what();
    if (auto end = message.find("] "); end != std::string_view::npos)
      message.remove_prefix(end + 2);
    // What was expected follows the quoted bytes, when there are any: keep it, once.
    const auto last_read = message.find("; last read:");
    std::string text(message.substr(0, last_read));
    if (const auto expected = message.rfind("; expected "); last_read != std::string_view::npos &&
                                                            expected != std::string_view::npos &&
                                                            expected > last_read)
      text += message.substr(expected);
    if (!failure_) failure_ = text::with_valid_utf8(text.substr(0, 300));
    return false;
  }

  const std::optional<std::string> &failure() const { return failure_; }

 private:
  bool fail(std::string reason) {
    failure_ = std::move(reason);
    return false;
  }

  // Places v in the open container (or as the root) and returns where it now lives.
  json *place(json &&v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json &parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    return &(parent[key_] = std::move(v));
  }

  bool value(json &&v) {
    place(std::move(v));
    return true;
  }

  bool open(json::value_t type) {
    if (stack_.size() >= kMaxDepth)
      return fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    stack_.push_back(place(json(type)));
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  json &root_;
  std::vector<json *> stack_;
  json::string_t key_;
  std::optional<std::string> failure_;
};

}  // namespace

json parse(std::string_view text, std::string_view what, const std::string &field) {
  // The lexer takes a NUL byte for the end of the input, so "{...}\0anything" would pass.
  if (auto nul = text.find('\0'); nul != std::string_view::npos)
    throw invalid_argument(field, std::string(what) + " contains a NUL byte (byte " +
                                      std::to_string(nul) + "); JSON text has none");
  json root;
  Builder builder(root);
  const bool ok = json::sax_parse(text.begin(), text.end(), &builder);
  if (!ok || builder.failure()) {
    // On failure the partial DOM is shallow (depth is refused before it grows), so freeing it
    // is safe.
    throw invalid_argument(field, std::string(what) + " is not valid JSON: " +
                                      builder.failure().value_or("malformed"));
  }
  return root;
}

}  // namespace crm::json_text
