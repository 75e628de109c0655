#include <gtest/gtest.h>

#include "core/cursor.hpp"
#include "core/text.hpp"

namespace crm {
namespace {

TEST(Utf8, AcceptsValidText) {
  EXPECT_FALSE(text::invalid_utf8_offset(""));
  EXPECT_FALSE(text::invalid_utf8_offset("plain ascii"));
  EXPECT_FALSE(text::invalid_utf8_offset("华联超市（北京）"));
  EXPECT_FALSE(
      text::invalid_utf8_offset("\xF0\xA0\x80\x80 \xF4\x8F\xBF\xBF"));  // U+20000, U+10FFFF
}

TEST(Utf8, FindsTheFirstBadByte) {
  EXPECT_EQ(text::invalid_utf8_offset("ab\x80"), 2u);            // lone continuation
  EXPECT_EQ(text::invalid_utf8_offset("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(text::invalid_utf8_offset("x\xE0\x80\xAF"), 1u);     // overlong 3-byte
  EXPECT_EQ(text::invalid_utf8_offset("\xED\xA0\x80"), 0u);      // surrogate U+D800
  EXPECT_EQ(text::invalid_utf8_offset("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(text::invalid_utf8_offset("华\xE5\x8D"), 3u);        // truncated
  EXPECT_EQ(text::invalid_utf8_offset("\xFF"), 0u);
}

TEST(Utf8, ReplacesWhatIsNotUtf8ForMessages) {
  EXPECT_EQ(text::with_valid_utf8("华联"), "华联");
  // A sequence cut short, a stray continuation byte, a surrogate: one U+FFFD per bad byte.
  EXPECT_EQ(text::with_valid_utf8("ab\xE5\xA4"), "ab\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(text::with_valid_utf8("\x80x"), "\xEF\xBF\xBDx");
  EXPECT_FALSE(text::invalid_utf8_offset(text::with_valid_utf8("\xED\xA0\x80 \xFF")));
}

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(text::code_points("abc"), 3u);
  EXPECT_EQ(text::code_points("华联超市"), 4u);
  EXPECT_EQ(text::code_points("𠀀👍"), 2u);
}

TEST(Utf8, ControlCharacters) {
  EXPECT_FALSE(text::has_control_characters("tab\tnew\nline\r"));
  EXPECT_TRUE(text::has_control_characters(std::string("nul\0", 4)));
  EXPECT_TRUE(text::has_control_characters("bell\x07"));
  EXPECT_TRUE(text::has_control_characters("del\x7F"));
}

TEST(Cursor, RoundTripsAndRejectsForgeries) {
  nlohmann::json key = {"2026-01-01 00:00:00.000000", 42};
  auto text = cursor::encode(key);
  EXPECT_EQ(text.substr(0, 3), "c1.");
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(cursor::decode(text), key);
  EXPECT_FALSE(cursor::decode(""));
  EXPECT_FALSE(cursor::decode("c1."));
  EXPECT_FALSE(cursor::decode("c2." + text.substr(3)));
  EXPECT_FALSE(cursor::decode("c1.!!!"));
  EXPECT_FALSE(cursor::decode("c1.eyJhIjoxfQ"));  // {"a":1}: not an array
  EXPECT_FALSE(cursor::decode("c1." + std::string(2000, 'A')));
}

}  // namespace
}  // namespace crm
